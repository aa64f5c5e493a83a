// File: s3/bucket_logging_test.cc
// Server access log records and object names (s3/bucket_logging.h).
#include "s3/bucket_logging.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <vector>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

constexpr std::string_view kOwnerId = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

audit::Event GetOfAlice() {
  audit::Event e;
  e.time_ms = 1549411238123;  // 2019-02-06T00:00:38.123Z
  e.request_id = "3E57427F3EXAMPLE";
  e.source = "192.0.2.3";
  e.principal = {"user", "acme", "alice", "AKIDEXAMPLE"};
  e.status = 200;
  e.operation = "GetObject";
  e.bucket = "photos";
  e.key = "2019/cat 1.jpg";
  e.version_id = "v1";
  e.bytes = 4096;
  return e;
}

// The record's fields, split at spaces outside [...] (the time), as S3's
// documented parsers read it.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; in >> f;) {
    if (!out.empty() && out.back().front() == '[' && out.back().back() != ']') {
      out.back() += " " + f;
    } else {
      out.push_back(f);
    }
  }
  return out;
}

TEST(BucketLoggingTest, ConfigurationRoundTripsThroughTheBucketRecord) {
  BucketLogging l;
  l.target.target_bucket = "logs";
  l.target.target_prefix = "photos/";
  l.since_index = 42;
  ASSERT_OK_AND_ASSIGN(BucketLogging back, DecodeBucketLogging(EncodeBucketLogging(l)));
  EXPECT_EQ(back, l);
  l.target.partitioned = true;
  l.target.partition_date_source = "EventTime";
  ASSERT_OK_AND_ASSIGN(back, DecodeBucketLogging(EncodeBucketLogging(l)));
  EXPECT_EQ(back, l);
  EXPECT_TRUE(back.on() && back.Covers(42) && !back.Covers(41));
  l.until_index = 50;
  ASSERT_OK_AND_ASSIGN(back, DecodeBucketLogging(EncodeBucketLogging(l)));
  EXPECT_EQ(back, l);
  EXPECT_TRUE(!back.on() && back.Covers(49) && !back.Covers(50));
  for (std::string_view bad : {"", "{}", "[1]", R"({"b":"x","p":"","since":-1})", R"({"b":1,"p":"","since":0})"}) {
    EXPECT_STATUS_CODE(DecodeBucketLogging(bad), kDataLoss) << bad;
  }
}

TEST(BucketLoggingTest, ARecordHasS3sTwentySixFields) {
  const std::string line = AccessLogRecord(GetOfAlice(), kOwnerId);
  const std::vector<std::string> f = Fields(line);
  ASSERT_EQ(f.size(), 26u) << line;
  EXPECT_EQ(f[0], kOwnerId);
  EXPECT_EQ(f[1], "photos");
  EXPECT_EQ(f[2], "[06/Feb/2019:00:00:38 +0000]");
  EXPECT_EQ(f[3], "192.0.2.3");
  EXPECT_EQ(f[4], "arn:aws:iam::acme:user/alice");
  EXPECT_EQ(f[5], "3E57427F3EXAMPLE");
  EXPECT_EQ(f[6], "REST.GET.OBJECT");
  EXPECT_EQ(f[7], "2019/cat%201.jpg");  // URL-encoded, slashes kept
  EXPECT_EQ(f[8], "\"-\"");
  EXPECT_EQ(f[9], "200");
  EXPECT_EQ(f[10], "-");
  EXPECT_EQ(f[11], "4096");  // bytes sent
  EXPECT_EQ(f[12], "-");     // object size: not a write
  EXPECT_EQ(f[17], "v1");
}

TEST(BucketLoggingTest, AWriteReportsItsSizeAndARefusalItsError) {
  audit::Event put = GetOfAlice();
  put.operation = "PutObject";
  put.version_id.clear();
  std::vector<std::string> f = Fields(AccessLogRecord(put, kOwnerId));
  EXPECT_EQ(f[6], "REST.PUT.OBJECT");
  EXPECT_EQ(f[11], "-");
  EXPECT_EQ(f[12], "4096");
  EXPECT_EQ(f[17], "-");

  audit::Event denied = GetOfAlice();
  denied.principal = {"anonymous", "", "", ""};
  denied.status = 403;
  denied.error = "AccessDenied";
  denied.bytes.reset();
  f = Fields(AccessLogRecord(denied, kOwnerId));
  EXPECT_EQ(f[4], "-");
  EXPECT_EQ(f[9], "403");
  EXPECT_EQ(f[10], "AccessDenied");
  EXPECT_EQ(f[11], "-");
}

TEST(BucketLoggingTest, OperationsHaveS3sNames) {
  audit::Event e = GetOfAlice();
  const std::pair<std::string, std::string> cases[] = {
      {"ListObjectsV2", "REST.GET.BUCKET"},
      {"CompleteMultipartUpload", "REST.POST.UPLOAD"},
      {"PutBucketLogging", "REST.PUT.LOGGING_STATUS"},
      {"LifecycleExpiration", "S3.EXPIRE.OBJECT"},
      {"ReplicateObject", "CONFIANCE.REPLICATEOBJECT"},
  };
  for (const auto& [op, name] : cases) {
    e.operation = op;
    EXPECT_EQ(AccessLogOperation(e), name) << op;
  }
  e.operation = "DeleteObjects";
  EXPECT_EQ(AccessLogOperation(e), "BATCH.DELETE.OBJECT");  // a per-key entry
  e.key.clear();
  EXPECT_EQ(AccessLogOperation(e), "REST.POST.MULTI_OBJECT_DELETE");  // the request's own entry
}

TEST(BucketLoggingTest, OnlyDataEventsOfTheBucketButNotDeliveriesHaveRecords) {
  audit::Event e = GetOfAlice();
  EXPECT_TRUE(HasAccessLogRecord(e, "photos"));
  EXPECT_FALSE(HasAccessLogRecord(e, "other"));
  audit::Event delivery = e;
  delivery.principal = {"service", "acme", std::string(kLogDeliveryService), ""};
  EXPECT_FALSE(HasAccessLogRecord(delivery, "photos"));
  audit::Event control = e;
  control.kind = audit::EventKind::kControl;
  EXPECT_FALSE(HasAccessLogRecord(control, "photos"));
}

TEST(BucketLoggingTest, ObjectKeysFollowS3sFormatsAndRepeatForTheSameSeed) {
  xml::LoggingEnabled simple;
  simple.target_prefix = "log/";
  const std::string a = AccessLogObjectKey(simple, "acme", "eu-west-3", "photos", 1549411238123, "seed");
  EXPECT_TRUE(std::regex_match(a, std::regex(R"(log/2019-02-06-00-00-38-[0-9A-F]{16})"))) << a;
  EXPECT_EQ(a, AccessLogObjectKey(simple, "acme", "eu-west-3", "photos", 1549411238123, "seed"));
  EXPECT_NE(a, AccessLogObjectKey(simple, "acme", "eu-west-3", "photos", 1549411238123, "other seed"));
  xml::LoggingEnabled partitioned = simple;
  partitioned.partitioned = true;
  partitioned.partition_date_source = "EventTime";
  const std::string p = AccessLogObjectKey(partitioned, "acme", "eu-west-3", "photos", 1549411238123, "seed");
  EXPECT_EQ(p, "log/acme/eu-west-3/photos/2019/02/06/" + a.substr(4)) << p;
}

}  // namespace
}  // namespace confiance::s3
