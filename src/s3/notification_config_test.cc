// File: s3/notification_config_test.cc
#include "s3/notification_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

const std::vector<NotificationTarget> kTargets = {{"acme", "hook", "http://127.0.0.1:9/x"},
                                                  {"other", "theirs", "http://127.0.0.1:9/y"}};

NotificationRule Rule(std::vector<std::string> events, std::string prefix = "", std::string suffix = "") {
  NotificationRule r;
  r.arn = "arn:confiance:sqs::acme:hook";
  r.events = std::move(events);
  r.prefix = std::move(prefix);
  r.suffix = std::move(suffix);
  if (!r.prefix.empty()) r.filter_names.push_back("prefix");
  if (!r.suffix.empty()) r.filter_names.push_back("Suffix");
  return r;
}

// The S3 error a configuration gets ("" when accepted).
std::string Refusal(std::vector<NotificationRule> rules) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  if (ValidateNotificationRules(rules, "acme", kTargets, &error).ok()) return "";
  return std::string(error.CodeString()) + ": " + std::string(error.Message());
}

TEST(NotificationConfigTest, TargetArnsAndFlags) {
  EXPECT_EQ(NotificationTargetArn("acme", "hook"), "arn:confiance:sqs::acme:hook");
  EXPECT_EQ(ParseNotificationTargetArn("arn:confiance:sqs::acme:hook"),
            std::make_pair(std::string("acme"), std::string("hook")));
  for (const char* bad : {"arn:aws:sqs:us-east-1:123:q", "arn:confiance:sqs::acme:", "arn:confiance:sqs:::hook",
                          "arn:confiance:sqs::acme:a/b"}) {
    EXPECT_FALSE(ParseNotificationTargetArn(bad).has_value()) << bad;
  }
  ASSERT_OK_AND_ASSIGN(NotificationTarget t, ParseNotificationTargetFlag("acme:hook=https://h.example:8443/in?a=b"));
  EXPECT_EQ(t.tenant, "acme");
  EXPECT_EQ(t.name, "hook");
  EXPECT_EQ(t.url, "https://h.example:8443/in?a=b");
  for (const char* bad :
       {"acme=http://x", "acme:hook", "Acme:hook=http://x", "acme:h k=http://x", "acme:hook=ftp://x"}) {
    EXPECT_STATUS_CODE(ParseNotificationTargetFlag(bad), kInvalidArgument) << bad;
  }
}

TEST(NotificationConfigTest, AcceptsWhatItEmitsAndNamesRules) {
  std::vector<NotificationRule> rules = {Rule({"s3:ObjectCreated:*"}, "img/"),
                                         Rule({"s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated"})};
  rules[1].id = "mine";
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  ASSERT_OK(ValidateNotificationRules(rules, "acme", kTargets, &error));
  EXPECT_EQ(rules[0].id.size(), 32u);  // a generated Id
  EXPECT_EQ(rules[1].id, "mine");
  EXPECT_TRUE(rules[0].filter_names.empty());
}

TEST(NotificationConfigTest, RefusesAsS3Does) {
  NotificationRule theirs = Rule({"s3:ObjectCreated:*"});
  theirs.arn = "arn:confiance:sqs::other:theirs";  // another tenant's target
  EXPECT_EQ(Refusal({theirs}), "InvalidArgument: Unable to validate the following destination configurations");
  NotificationRule missing = Rule({"s3:ObjectCreated:*"});
  missing.arn = "arn:confiance:sqs::acme:nope";
  EXPECT_EQ(Refusal({missing}), "InvalidArgument: Unable to validate the following destination configurations");
  EXPECT_EQ(Refusal({Rule({})}), "InvalidArgument: A notification configuration needs at least one Event.");
  EXPECT_EQ(Refusal({Rule({"s3:ObjectCreated:Bogus"})}),
            "InvalidArgument: The event is not supported for notifications");
  EXPECT_NE(Refusal({Rule({"s3:ObjectRestore:Completed"})}).find("Confiance does not emit"), std::string::npos);
  EXPECT_NE(Refusal({Rule({"s3:LifecycleTransition"})}).find("Confiance does not emit"), std::string::npos);
  EXPECT_EQ(Refusal({Rule({"s3:ObjectTagging:*", "s3:ObjectAcl:Put"})}), "");
  EXPECT_EQ(Refusal({Rule({"s3:LifecycleExpiration:*"})}), "");
  EXPECT_EQ(Refusal({Rule({"s3:LifecycleExpiration:DeleteMarkerCreated"})}), "");
  NotificationRule bad_filter = Rule({"s3:ObjectCreated:*"});
  bad_filter.filter_names = {"middle"};
  EXPECT_EQ(Refusal({bad_filter}), "InvalidArgument: filter rule name must be either prefix or suffix");
  NotificationRule two_prefixes = Rule({"s3:ObjectCreated:*"});
  two_prefixes.filter_names = {"prefix", "Prefix"};
  EXPECT_EQ(Refusal({two_prefixes}), "InvalidArgument: Cannot specify more than one prefix rule in a filter.");
  // Overlap: a common event type and keys both filters let through.
  EXPECT_NE(Refusal({Rule({"s3:ObjectCreated:*"}, "a/"), Rule({"s3:ObjectCreated:Put"}, "a/b/")}), "");
  EXPECT_NE(Refusal({Rule({"s3:ObjectCreated:*"}, "", ".jpg"), Rule({"s3:ObjectCreated:Copy"}, "x", ".jpg")}), "");
  EXPECT_EQ(Refusal({Rule({"s3:ObjectCreated:*"}, "a/"), Rule({"s3:ObjectCreated:*"}, "b/")}), "");
  EXPECT_EQ(Refusal({Rule({"s3:ObjectCreated:*"}, "a/"), Rule({"s3:ObjectRemoved:*"}, "a/")}), "");
  EXPECT_EQ(Refusal({Rule({"s3:ObjectCreated:*"}, "", ".jpg"), Rule({"s3:ObjectCreated:*"}, "", ".png")}), "");
  std::vector<NotificationRule> same_id = {Rule({"s3:ObjectCreated:*"}, "a/"), Rule({"s3:ObjectCreated:*"}, "b/")};
  same_id[0].id = same_id[1].id = "x";
  EXPECT_EQ(Refusal(same_id), "InvalidArgument: Two notification configurations have the same Id.");
}

TEST(NotificationConfigTest, RecordEncodingRoundTrips) {
  std::vector<NotificationRule> rules = {Rule({"s3:ObjectCreated:*"}, "p/", ".x"), Rule({"s3:ObjectRemoved:*"})};
  rules[0].id = "one";
  rules[0].kind = NotificationRule::Kind::kTopic;
  rules[1].id = "two";
  for (NotificationRule& r : rules) r.filter_names.clear();
  ASSERT_OK_AND_ASSIGN(std::vector<NotificationRule> back, DecodeNotificationRules(EncodeNotificationRules(rules)));
  EXPECT_EQ(back, rules);
  EXPECT_EQ(EncodeNotificationRules({}), "");
  ASSERT_OK_AND_ASSIGN(back, DecodeNotificationRules(""));
  EXPECT_TRUE(back.empty());
  EXPECT_STATUS_CODE(DecodeNotificationRules("{"), kDataLoss);
  EXPECT_STATUS_CODE(DecodeNotificationRules(R"([{"arn":"a","events":[1]}])"), kDataLoss);
}

audit::Event Entry(std::string operation, std::string key, int status = 200) {
  audit::Event e;
  e.operation = std::move(operation);
  e.bucket = "photos";
  e.key = std::move(key);
  e.status = status;
  return e;
}

TEST(NotificationConfigTest, EventNamesFromLogEntries) {
  audit::Event put = Entry("PutObject", "a.jpg");
  EXPECT_EQ(NotificationEventName(put), "");  // wrote nothing (no etag): e.g. a repeated completion
  put.details = {{"etag", "abc"}, {"size", "5"}};
  EXPECT_EQ(NotificationEventName(put), "ObjectCreated:Put");
  for (auto [op, name] : {std::pair{"PostObject", "ObjectCreated:Post"}, std::pair{"CopyObject", "ObjectCreated:Copy"},
                          std::pair{"CompleteMultipartUpload", "ObjectCreated:CompleteMultipartUpload"}}) {
    audit::Event e = Entry(op, "k");
    e.details = put.details;
    EXPECT_EQ(NotificationEventName(e), name) << op;
  }
  audit::Event redirected = Entry("PostObject", "k", 303);  // success_action_redirect
  redirected.details = put.details;
  EXPECT_EQ(NotificationEventName(redirected), "ObjectCreated:Post");
  EXPECT_EQ(NotificationEventName(Entry("PutObject", "k", 500)), "");
  EXPECT_EQ(NotificationEventName(Entry("DeleteObject", "k", 204)), "ObjectRemoved:Delete");
  audit::Event marker = Entry("DeleteObjects", "k", 204);
  marker.details["delete_marker"] = "created";
  EXPECT_EQ(NotificationEventName(marker), "ObjectRemoved:DeleteMarkerCreated");
  EXPECT_EQ(NotificationEventName(Entry("DeleteObjects", "")), "");        // the batch's own entry
  EXPECT_EQ(NotificationEventName(Entry("DeleteObjects", "k", 403)), "");  // a refused key
  EXPECT_EQ(NotificationEventName(Entry("GetObject", "k")), "");
  EXPECT_EQ(NotificationEventName(Entry("PutObjectTagging", "k")), "ObjectTagging:Put");
  EXPECT_EQ(NotificationEventName(Entry("DeleteObjectTagging", "k", 204)), "ObjectTagging:Delete");
  EXPECT_EQ(NotificationEventName(Entry("PutObjectAcl", "k")), "ObjectAcl:Put");
  EXPECT_EQ(NotificationEventName(Entry("PutObjectTagging", "k", 403)), "");
  EXPECT_EQ(NotificationEventName(Entry("GetObjectTagging", "k")), "");
  audit::Event control = Entry("DeleteObject", "k", 204);
  control.kind = audit::EventKind::kControl;
  EXPECT_EQ(NotificationEventName(control), "");
}

TEST(NotificationConfigTest, MatchingByEventAndKey) {
  NotificationRule r = Rule({"s3:ObjectCreated:*", "s3:ObjectRemoved:DeleteMarkerCreated"}, "img/", ".jpg");
  EXPECT_TRUE(NotificationRuleMatches(r, "ObjectCreated:Put", "img/a.jpg"));
  EXPECT_TRUE(NotificationRuleMatches(r, "ObjectCreated:CompleteMultipartUpload", "img/b/c.jpg"));
  EXPECT_TRUE(NotificationRuleMatches(r, "ObjectRemoved:DeleteMarkerCreated", "img/a.jpg"));
  EXPECT_FALSE(NotificationRuleMatches(r, "ObjectRemoved:Delete", "img/a.jpg"));
  EXPECT_FALSE(NotificationRuleMatches(r, "ObjectCreated:Put", "img/a.png"));
  EXPECT_FALSE(NotificationRuleMatches(r, "ObjectCreated:Put", "doc/a.jpg"));
  EXPECT_FALSE(NotificationRuleMatches(r, "ObjectCreated:Put", ".jpg"));  // shorter than the prefix
}

TEST(NotificationConfigTest, MessageIsS3sEventStructure) {
  audit::Event e = Entry("PutObject", "photos/red flower+1.jpg");
  e.time_ms = 1764892800123;
  e.request_id = "RID1";
  e.source = "127.0.0.1";
  e.principal = {"user", "acme", "alice", "AK1"};
  e.version_id = "v1";
  e.details = {{"etag", "0123abcd"}, {"size", "42"}};
  NotificationRule rule = Rule({"s3:ObjectCreated:*"});
  rule.id = "cfg";
  nlohmann::json m = nlohmann::json::parse(NotificationMessage(e, "ObjectCreated:Put", rule, "acme", "eu-west-3", 300));
  const nlohmann::json& r = m["Records"][0];
  EXPECT_EQ(m["Records"].size(), 1u);
  EXPECT_EQ(r["eventVersion"], "2.1");
  EXPECT_EQ(r["eventSource"], "aws:s3");
  EXPECT_EQ(r["awsRegion"], "eu-west-3");
  EXPECT_EQ(r["eventTime"], "2025-12-05T00:00:00.123Z");
  EXPECT_EQ(r["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(r["userIdentity"]["principalId"], "arn:aws:iam::acme:user/alice");
  EXPECT_EQ(r["requestParameters"]["sourceIPAddress"], "127.0.0.1");
  EXPECT_EQ(r["responseElements"]["x-amz-request-id"], "RID1");
  EXPECT_EQ(r["s3"]["configurationId"], "cfg");
  EXPECT_EQ(r["s3"]["bucket"]["name"], "photos");
  EXPECT_EQ(r["s3"]["bucket"]["ownerIdentity"]["principalId"], "acme");
  EXPECT_EQ(r["s3"]["bucket"]["arn"], "arn:aws:s3:::photos");
  EXPECT_EQ(r["s3"]["object"]["key"], "photos/red+flower%2B1.jpg");
  EXPECT_EQ(r["s3"]["object"]["size"], 42);
  EXPECT_EQ(r["s3"]["object"]["eTag"], "0123abcd");
  EXPECT_EQ(r["s3"]["object"]["versionId"], "v1");
  EXPECT_EQ(r["s3"]["object"]["sequencer"], "000000000000012C");
}

// A log object the delivery service wrote (s3/bucket_logging.h) names the
// service, not a user of the tenant it acts for.
TEST(NotificationConfigTest, AServicesWriteNamesTheService) {
  audit::Event e = Entry("PutObject", "logs/2026-12-07-00-00-00-0123456789ABCDEF");
  e.principal = {"service", "acme", "logging.s3.amazonaws.com", ""};
  nlohmann::json m = nlohmann::json::parse(
      NotificationMessage(e, "ObjectCreated:Put", Rule({"s3:ObjectCreated:*"}), "acme", "eu-west-3", 1));
  EXPECT_EQ(m["Records"][0]["userIdentity"]["principalId"], "logging.s3.amazonaws.com");
}

}  // namespace
}  // namespace confiance::s3
