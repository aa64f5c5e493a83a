// File: s3/object_attributes_test.cc
#include "s3/object_attributes.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

TEST(ObjectAttributesTest, ParsesEveryName) {
  Result<ObjectAttributeSet> s = ParseObjectAttributes("ETag,Checksum, ObjectParts ,StorageClass,ObjectSize");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->etag && s->checksum && s->object_parts && s->storage_class && s->object_size);
  s = ParseObjectAttributes("ObjectSize");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->object_size);
  EXPECT_FALSE(s->etag || s->checksum || s->object_parts || s->storage_class);
  EXPECT_TRUE(ParseObjectAttributes("ETag,ETag").ok());
}

TEST(ObjectAttributesTest, Refusals) {
  EXPECT_FALSE(ParseObjectAttributes("").ok());
  EXPECT_FALSE(ParseObjectAttributes(" ").ok());
  EXPECT_FALSE(ParseObjectAttributes("etag").ok());
  EXPECT_FALSE(ParseObjectAttributes("ETag,,ObjectSize").ok());
  EXPECT_FALSE(ParseObjectAttributes("ETag,").ok());
  EXPECT_FALSE(ParseObjectAttributes(",ETag").ok());
  EXPECT_FALSE(ParseObjectAttributes("ETag,Owner").ok());
}

TEST(ObjectAttributesTest, PartWindow) {
  Result<PartWindow> w = ParsePartWindow(std::nullopt, std::nullopt);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->max_parts, 1000);
  EXPECT_EQ(w->marker, 0);
  w = ParsePartWindow("2", "3");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->max_parts, 2);
  EXPECT_EQ(w->marker, 3);
  w = ParsePartWindow("5000", std::nullopt);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->max_parts, 1000);
  EXPECT_FALSE(ParsePartWindow("-1", std::nullopt).ok());
  EXPECT_FALSE(ParsePartWindow("x", std::nullopt).ok());
  EXPECT_FALSE(ParsePartWindow(std::nullopt, "1.5").ok());
  EXPECT_FALSE(ParsePartWindow("", std::nullopt).ok());
}

}  // namespace
}  // namespace confiance::s3
