// File: iam/acl/bucket_controls_test.cc
#include "iam/acl/bucket_controls.h"

#include <gtest/gtest.h>

namespace confiance::iam::acl {
namespace {

TEST(BucketControlsTest, PublicAccessBlockBitsRoundTripAndKeepTheirLayout) {
  for (int bits = 0; bits < 16; ++bits) {
    PublicAccessBlock block = DecodePublicAccessBlock(bits);
    EXPECT_EQ(EncodePublicAccessBlock(block), bits);
  }
  // The layout is stored in records: it must never change.
  EXPECT_EQ(EncodePublicAccessBlock({true, false, false, false}), 1);
  EXPECT_EQ(EncodePublicAccessBlock({false, true, false, false}), 2);
  EXPECT_EQ(EncodePublicAccessBlock({false, false, true, false}), 4);
  EXPECT_EQ(EncodePublicAccessBlock({false, false, false, true}), 8);
  EXPECT_EQ(DecodePublicAccessBlock(-1), PublicAccessBlock{});
}

TEST(BucketControlsTest, OwnershipNames) {
  for (ObjectOwnership o : {ObjectOwnership::kBucketOwnerEnforced, ObjectOwnership::kBucketOwnerPreferred,
                            ObjectOwnership::kObjectWriter}) {
    EXPECT_EQ(ParseObjectOwnership(ObjectOwnershipName(o)), o);
  }
  EXPECT_FALSE(ParseObjectOwnership("bucketownerenforced").has_value());
}

}  // namespace
}  // namespace confiance::iam::acl
