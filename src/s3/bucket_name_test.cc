// File: s3/bucket_name_test.cc
#include "s3/bucket_name.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

TEST(BucketNameTest, Valid) {
  for (const char* n : {"abc", "my-bucket", "my.bucket.1", "0bucket"}) {
    EXPECT_TRUE(IsValidBucketName(n)) << n;
  }
  EXPECT_TRUE(IsValidBucketName(std::string(63, 'a')));
}

TEST(BucketNameTest, Invalid) {
  for (const char* n : {"ab", "Upper", "_confiance", "-start", "end-", "a..b", "a.-b", "a-.b",
                        "192.168.1.1", "xn--abc", "bucket-s3alias", "has space", "under_score"}) {
    EXPECT_FALSE(IsValidBucketName(n)) << n;
  }
  EXPECT_FALSE(IsValidBucketName(std::string(64, 'a')));
}

}  // namespace
}  // namespace confiance::s3
