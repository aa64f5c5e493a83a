// File: s3/xml/tagging_xml_test.cc
#include "s3/xml/tagging_xml.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

TEST(TaggingXmlTest, ParsesTagsInOrderWithDuplicatesAndSpaces) {
  ASSERT_OK_AND_ASSIGN(Tags tags, ParseTagging(
      "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n  <TagSet>\n"
      "    <Tag><Key>b</Key><Value>2</Value></Tag>\n"
      "    <Tag><Value> </Value><Key>a&amp;</Key></Tag>\n"
      "    <Tag><Key>b</Key><Value></Value></Tag>\n"
      "  </TagSet>\n</Tagging>"));
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[0], (std::pair<std::string, std::string>("b", "2")));
  EXPECT_EQ(tags[1], (std::pair<std::string, std::string>("a&", " ")));
  EXPECT_EQ(tags[2], (std::pair<std::string, std::string>("b", "")));
}

TEST(TaggingXmlTest, EmptyTagSetIsAnEmptyList) {
  ASSERT_OK_AND_ASSIGN(Tags none, ParseTagging("<Tagging><TagSet/></Tagging>"));
  EXPECT_TRUE(none.empty());
}

TEST(TaggingXmlTest, RejectsWrongShapes) {
  EXPECT_STATUS_CODE(ParseTagging(""), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseTagging("<Tagging><TagSet>"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseTagging("<Tagging/>"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseTagging("<Other><TagSet/></Other>"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseTagging("<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseTagging("<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>"),
                     kInvalidArgument);
}

TEST(TaggingXmlTest, RendersInKeyOrderEscaped) {
  std::string doc = RenderTagging({{"z", "1"}, {"a<", "&"}});
  EXPECT_EQ(doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
            "<Tag><Key>a&lt;</Key><Value>&amp;</Value></Tag><Tag><Key>z</Key><Value>1</Value></Tag>"
            "</TagSet></Tagging>");
  ASSERT_OK_AND_ASSIGN(Tags back, ParseTagging(doc));
  EXPECT_EQ(back, (Tags{{"a<", "&"}, {"z", "1"}}));
  EXPECT_EQ(RenderTagging({}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet></TagSet></Tagging>");
}

}  // namespace
}  // namespace confiance::s3::xml
