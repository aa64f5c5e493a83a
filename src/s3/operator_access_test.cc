// File: s3/operator_access_test.cc
// The operation class of each S3 action an operator may be approved for,
// and the bucket-configuration actions no approval covers.
#include "s3/operator_access.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

using sovereignty::AccessOp;

TEST(OperatorAccessTest, DataActionsHaveAClass) {
  EXPECT_EQ(OperatorAccessOp("s3:GetObject"), AccessOp::kRead);
  EXPECT_EQ(OperatorAccessOp("s3:GetObjectVersionTagging"), AccessOp::kRead);
  EXPECT_EQ(OperatorAccessOp("s3:ListBucket"), AccessOp::kList);
  EXPECT_EQ(OperatorAccessOp("s3:ListBucketVersions"), AccessOp::kList);
  EXPECT_EQ(OperatorAccessOp("s3:PutObject"), AccessOp::kWrite);
  EXPECT_EQ(OperatorAccessOp("s3:DeleteObject"), AccessOp::kDelete);
  EXPECT_EQ(OperatorAccessOp("s3:AbortMultipartUpload"), AccessOp::kDelete);
}

TEST(OperatorAccessTest, BucketConfigurationIsNeverCovered) {
  for (const char* action : {"s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucket", "s3:CreateBucket",
                             "s3:PutBucketAcl", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration",
                             "s3:PutBucketVersioning", "s3:ListAllMyBuckets", "s3:PutEncryptionConfiguration",
                             "s3:GetObject "}) {
    EXPECT_EQ(OperatorAccessOp(action), std::nullopt) << action;
  }
}

}  // namespace
}  // namespace confiance::s3
