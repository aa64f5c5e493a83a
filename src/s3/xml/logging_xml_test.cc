// File: s3/xml/logging_xml_test.cc
#include "s3/xml/logging_xml.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

constexpr char kBoto3Minimal[] =
    "<BucketLoggingStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LoggingEnabled>"
    "<TargetBucket>logs</TargetBucket><TargetPrefix>log/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>";

TEST(LoggingXmlTest, ParsesWhatBoto3SendsWithSimplePrefixAsDefault) {
  ASSERT_OK_AND_ASSIGN(std::optional<LoggingEnabled> l, ParseBucketLoggingStatus(kBoto3Minimal));
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->target_bucket, "logs");
  EXPECT_EQ(l->target_prefix, "log/");
  EXPECT_FALSE(l->partitioned);
  EXPECT_FALSE(l->has_target_grants);
}

TEST(LoggingXmlTest, AnEmptyStatusTurnsLoggingOff) {
  ASSERT_OK_AND_ASSIGN(std::optional<LoggingEnabled> l, ParseBucketLoggingStatus("<BucketLoggingStatus xmlns=\"x\"/>"));
  EXPECT_FALSE(l.has_value());
}

TEST(LoggingXmlTest, ParsesPartitionedPrefixAndGrants) {
  ASSERT_OK_AND_ASSIGN(
      std::optional<LoggingEnabled> l,
      ParseBucketLoggingStatus("<BucketLoggingStatus><LoggingEnabled><TargetBucket> logs </TargetBucket>"
                               "<TargetPrefix></TargetPrefix><TargetGrants><Grant><Permission>READ</Permission>"
                               "</Grant></TargetGrants><TargetObjectKeyFormat><PartitionedPrefix>"
                               "<PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix>"
                               "</TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>"));
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->target_bucket, "logs");
  EXPECT_EQ(l->target_prefix, "");
  EXPECT_TRUE(l->partitioned);
  EXPECT_EQ(l->partition_date_source, "EventTime");
  EXPECT_TRUE(l->has_target_grants);
}

TEST(LoggingXmlTest, RefusesMalformedDocuments) {
  for (const char* doc : {
           "<LoggingStatus/>",
           "<BucketLoggingStatus><LoggingEnabled><TargetPrefix>p</TargetPrefix></LoggingEnabled></BucketLoggingStatus>",
           "<BucketLoggingStatus><LoggingEnabled><TargetBucket>a</TargetBucket><TargetBucket>b</TargetBucket>"
           "</LoggingEnabled></BucketLoggingStatus>",
           "<BucketLoggingStatus><LoggingEnabled/><LoggingEnabled/></BucketLoggingStatus>",
           "<BucketLoggingStatus><LoggingEnabled><TargetBucket>a</TargetBucket><TargetObjectKeyFormat>"
           "</TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>",
           "<BucketLoggingStatus><LoggingEnabled><TargetBucket>a</TargetBucket><TargetObjectKeyFormat><SimplePrefix/>"
           "<PartitionedPrefix/></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>",
           "<BucketLoggingStatus><LoggingEnabled><TargetBucket>a</TargetBucket><TargetObjectKeyFormat>"
           "<PartitionedPrefix><PartitionDateSource>kaboom</PartitionDateSource></PartitionedPrefix>"
           "</TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>",
           "<BucketLoggingStatus><LoggingEnabled>",
       }) {
    SCOPED_TRACE(doc);
    EXPECT_STATUS_CODE(ParseBucketLoggingStatus(doc), kInvalidArgument);
  }
}

TEST(LoggingXmlTest, RendersWhatWasParsed) {
  LoggingEnabled l;
  l.target_bucket = "logs";
  l.target_prefix = "a&b/";
  const std::string simple = RenderBucketLoggingStatus(l);
  EXPECT_NE(simple.find("<TargetPrefix>a&amp;b/</TargetPrefix>"), std::string::npos) << simple;
  EXPECT_NE(simple.find("<TargetObjectKeyFormat><SimplePrefix></SimplePrefix></TargetObjectKeyFormat>"),
            std::string::npos)
      << simple;
  ASSERT_OK_AND_ASSIGN(std::optional<LoggingEnabled> back, ParseBucketLoggingStatus(simple));
  EXPECT_EQ(back, l);
  l.partitioned = true;
  l.partition_date_source = "DeliveryTime";
  ASSERT_OK_AND_ASSIGN(back, ParseBucketLoggingStatus(RenderBucketLoggingStatus(l)));
  EXPECT_EQ(back, l);
  const std::string off = RenderBucketLoggingStatus(std::nullopt);
  EXPECT_EQ(off.find("LoggingEnabled"), std::string::npos) << off;
  ASSERT_OK_AND_ASSIGN(back, ParseBucketLoggingStatus(off));
  EXPECT_FALSE(back.has_value());
}

}  // namespace
}  // namespace confiance::s3::xml
