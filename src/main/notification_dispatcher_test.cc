// File: main/notification_dispatcher_test.cc
#include "main/notification_dispatcher.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <tuple>

#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"
#include "sovereignty/webhook.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance {
namespace {

constexpr std::string_view kSecret = "dispatcher-test-secret";

class NotificationDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::make_unique<audit::AuditLog>(store_, testutil::NewNoteSigner("notify.test"));
    catalog::BucketRecord b;
    b.name = "photos";
    b.id = "b1";
    b.owner = "acme";
    s3::NotificationRule rule;
    rule.id = "created";
    rule.arn = s3::NotificationTargetArn("acme", "hook");
    rule.events = {"s3:ObjectCreated:*"};
    rule.prefix = "in/";
    b.notification = s3::EncodeNotificationRules({rule});
    ASSERT_OK(catalog_.CreateBucket(b));
  }

  // A dispatcher for webhook acme:hook whose POSTs answer `status_`,
  // keeping its cursor and lease in `store` (null: store_).
  std::unique_ptr<NotificationDispatcher> Dispatcher(meta::MetaStore* store = nullptr) {
    NotificationDispatcher::Deps deps;
    deps.log = log_.get();
    deps.catalog = &catalog_;
    deps.store = store != nullptr ? store : &store_;
    deps.lease_recheck = std::chrono::milliseconds(0);
    deps.secret = crypto::SecretBytes(std::as_bytes(std::span(kSecret)));
    deps.region = "eu-west-3";
    deps.stats = &stats_;
    deps.lifecycle = &outcomes_;
    WebhookPost post = [this](const std::string& body, const std::string& signature) -> Result<int> {
      posts_.emplace_back(body, signature);
      return status_;
    };
    deps.targets.push_back({s3::NotificationTarget{"acme", "hook", "http://127.0.0.1:9/"}, post});
    return std::make_unique<NotificationDispatcher>(std::move(deps));
  }

  uint64_t Log(std::string operation, std::string key, bool wrote = true) {
    audit::Event e;
    e.operation = std::move(operation);
    e.bucket = "photos";
    e.key = std::move(key);
    e.status = 200;
    if (wrote) e.details = {{"etag", "abc"}, {"size", "3"}};
    Result<uint64_t> index = log_->AppendAndWait("acme", e);
    EXPECT_TRUE(index.ok());
    return index.ok() ? *index : 0;
  }

  // (eventName, key, sequencer) of each message posted.
  std::vector<std::tuple<std::string, std::string, std::string>> Posted() const {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& [body, signature] : posts_) {
      EXPECT_EQ(signature, sovereignty::WebhookSignature(std::as_bytes(std::span(kSecret)), body));
      const nlohmann::json r = nlohmann::json::parse(body)["Records"][0];
      out.emplace_back(r["eventName"], r["s3"]["object"]["key"], r["s3"]["object"]["sequencer"]);
    }
    return out;
  }

  meta::MemoryMetaStore store_;
  catalog::Catalog catalog_{store_};
  std::unique_ptr<audit::AuditLog> log_;
  // The lifecycle worker's entry about expiring `key` (status 204: the
  // intent; another: its refusal).
  uint64_t LogExpiry(const std::string& key, int status = 204) {
    audit::Event e;
    e.principal.type = "system";
    e.principal.user = "lifecycle";
    e.operation = "LifecycleExpiration";
    e.bucket = "photos";
    e.key = key;
    e.status = status;
    e.details = {{"rule", "r1"}};
    Result<uint64_t> index = log_->AppendAndWait("acme", e);
    EXPECT_TRUE(index.ok());
    return index.ok() ? *index : 0;
  }

  // The bucket's rules: every lifecycle expiration, under in/.
  void RuleForExpirations() {
    s3::NotificationRule rule;
    rule.id = "expired";
    rule.arn = s3::NotificationTargetArn("acme", "hook");
    rule.events = {"s3:LifecycleExpiration:*"};
    rule.prefix = "in/";
    ASSERT_OK(catalog_.UpdateBucket("photos", [&](catalog::BucketRecord& b) {
                        b.notification = s3::EncodeNotificationRules({rule});
                        return OkStatus();
                      }).status());
  }

  s3::LifecycleOutcomes outcomes_;
  admin::BackgroundStats stats_;
  std::vector<std::pair<std::string, std::string>> posts_;
  int status_ = 200;
};

TEST_F(NotificationDispatcherTest, ANewTargetStartsAtTheEndOfTheLog) {
  Log("PutObject", "in/old");
  auto d = Dispatcher();
  EXPECT_FALSE(d->RunOnce());
  EXPECT_TRUE(posts_.empty());
  const uint64_t index = Log("PutObject", "in/new");
  EXPECT_FALSE(d->RunOnce());
  EXPECT_EQ(Posted(), (std::vector<std::tuple<std::string, std::string, std::string>>{
                          {"ObjectCreated:Put", "in/new", fmt::format("{:016X}", index)}}));
}

TEST_F(NotificationDispatcherTest, SendsWhatTheRulesMatchInLogOrder) {
  auto d = Dispatcher();
  d->RunOnce();
  Log("PutObject", "in/a");
  Log("PutObject", "out/b");               // outside the rule's prefix
  Log("GetObject", "in/a", false);         // a read
  Log("CompleteMultipartUpload", "in/c");  // the rule takes every ObjectCreated
  Log("PutObject", "in/d", false);         // wrote nothing
  Log("CopyObject", "in/e");
  EXPECT_FALSE(d->RunOnce());
  std::vector<std::string> got;
  for (const auto& [name, key, seq] : Posted()) got.push_back(name + " " + key);
  EXPECT_EQ(got, (std::vector<std::string>{"ObjectCreated:Put in/a", "ObjectCreated:CompleteMultipartUpload in/c",
                                           "ObjectCreated:Copy in/e"}));
  EXPECT_EQ(stats_.notifications.value(), 3u);
  // A bounded pass says when more is waiting.
  Log("PutObject", "in/f");
  Log("PutObject", "in/g");
  EXPECT_TRUE(d->RunOnce(1));
  EXPECT_FALSE(d->RunOnce(1));
  EXPECT_EQ(posts_.size(), 5u);
}

// The metrics' view of the one target.
admin::DispatchLag Lag(const NotificationDispatcher& d) { return d.Lags(&s3::NotificationTargetArn).at(0); }

TEST_F(NotificationDispatcherTest, AFailedPostIsRetriedAndTheCursorSurvivesARestart) {
  {
    auto d = Dispatcher();
    d->RunOnce();
    Log("PutObject", "in/1");
    d->RunOnce();
    status_ = 500;
    Log("PutObject", "in/2");
    EXPECT_EQ(Lag(*d).log_entries_behind, 0u);
    EXPECT_FALSE(Lag(*d).retrying);
    d->RunOnce();
    EXPECT_EQ(stats_.failed_notifications.value(), 1u);
    // Where it stands, for the metrics: in/2 (and what follows) not handled.
    Log("PutObject", "in/3");
    d->RunOnce();
    EXPECT_TRUE(Lag(*d).retrying);
    EXPECT_EQ(Lag(*d).log_entries_behind, 1u);  // the pass skipped: as of the failed one
    // Paused after the failure: an immediate pass sends nothing, even with
    // the receiver back.
    status_ = 200;
    d->RunOnce();
    EXPECT_EQ(posts_.size(), 2u);  // in/1, and in/2's failed attempt
  }
  // A new dispatcher (a restarted server) resumes at the failed entry.
  const uint64_t delivered_before = stats_.notifications.value();
  auto again = Dispatcher();
  again->RunOnce();
  std::vector<std::string> keys;
  for (const auto& [name, key, seq] : Posted()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"in/1", "in/2", "in/2", "in/3"}));  // in/2 failed once, then delivered
  EXPECT_EQ(stats_.notifications.value() - delivered_before, 2u);               // by the new dispatcher
  EXPECT_EQ(Lag(*again).log_entries_behind, 0u);
  EXPECT_FALSE(Lag(*again).retrying);
}

// An expiry's event waits for its outcome: sent once removed, never when
// refused.
TEST_F(NotificationDispatcherTest, ALifecycleExpiryWaitsForItsOutcome) {
  RuleForExpirations();
  auto d = Dispatcher();
  d->RunOnce();
  outcomes_.Begin("acme");
  outcomes_.Logged(LogExpiry("in/old"));
  Log("PutObject", "in/later");  // behind it, in log order
  EXPECT_FALSE(d->RunOnce());
  EXPECT_TRUE(posts_.empty()) << "nothing before the outcome";
  outcomes_.End({s3::LifecycleOutcomes::Kind::kRemoved, ""});
  d->RunOnce();
  ASSERT_EQ(posts_.size(), 1u);
  EXPECT_EQ(std::get<0>(Posted()[0]), "LifecycleExpiration:Delete");
  EXPECT_EQ(nlohmann::json::parse(posts_[0].first)["Records"][0]["userIdentity"]["principalId"],
            "confiance:lifecycle");

  // Refused: no event.
  outcomes_.Begin("acme");
  outcomes_.Logged(LogExpiry("in/changed"));
  LogExpiry("in/changed", 412);
  outcomes_.End({s3::LifecycleOutcomes::Kind::kKept, ""});
  d->RunOnce();
  EXPECT_EQ(posts_.size(), 1u);
}

// Entries this process did not log (a restart): refused if a refusal
// follows, removed otherwise.
TEST_F(NotificationDispatcherTest, ALifecycleExpiryOfAnEarlierProcessIsJudgedFromTheLog) {
  RuleForExpirations();
  auto d = Dispatcher();
  d->RunOnce();
  LogExpiry("in/refused");
  Log("PutObject", "in/between");
  LogExpiry("in/refused", 412);
  LogExpiry("in/gone");
  d->RunOnce();
  std::vector<std::string> got;
  for (const auto& [name, key, seq] : Posted()) got.push_back(name + " " + key);
  EXPECT_EQ(got, (std::vector<std::string>{"LifecycleExpiration:Delete in/gone"}));
}

TEST_F(NotificationDispatcherTest, EventsOfABucketDeletedSinceAreDropped) {
  auto d = Dispatcher();
  d->RunOnce();
  Log("PutObject", "in/x");
  ASSERT_OK_AND_ASSIGN(catalog::BucketRecord bucket, catalog_.GetBucket("photos"));
  ASSERT_OK(catalog_.DeleteBucket(bucket));
  EXPECT_FALSE(d->RunOnce());
  EXPECT_TRUE(posts_.empty());
  EXPECT_EQ(stats_.failed_notifications.value(), 0u);
}

std::string StoredCursor(meta::MetaStore& store) {
  Result<std::optional<std::string>> v = store.Get(kNotifyPartition, "cursor/acme/hook");
  return v.ok() && *v ? **v : "";
}

std::vector<std::string> Keys(const std::vector<std::tuple<std::string, std::string, std::string>>& posted) {
  std::vector<std::string> keys;
  for (const auto& [name, key, seq] : posted) keys.push_back(key);
  return keys;
}

// Two gateways sharing the metadata (a BusStore each): the one holding the
// worker lease sends; the other, taking over, goes on from the stored
// cursor; and the first, taking it back, from where the second left it.
TEST_F(NotificationDispatcherTest, OfTwoGatewaysTheLeaseHolderSendsAndATakerGoesOnFromTheCursor) {
  meta::testing::NoticeBus bus;
  meta::testing::BusStore a_store(store_, bus), b_store(store_, bus);
  auto a = Dispatcher(&a_store);
  auto b = Dispatcher(&b_store);
  a->RunOnce();  // a takes the lease; the target starts at the log's end
  Log("PutObject", "in/1");
  EXPECT_FALSE(b->RunOnce());
  EXPECT_TRUE(posts_.empty());
  a->RunOnce();
  EXPECT_EQ(Keys(Posted()), std::vector<std::string>{"in/1"});
  bus.Lapse("notifications");  // a stopped renewing it
  Log("PutObject", "in/2");
  b->RunOnce();
  a->RunOnce();  // b holds it now
  EXPECT_EQ(Keys(Posted()), (std::vector<std::string>{"in/1", "in/2"}));
  bus.Lapse("notifications");
  Log("PutObject", "in/3");
  a->RunOnce();  // a again: it reads the cursor b moved, not its own
  b->RunOnce();
  EXPECT_EQ(Keys(Posted()), (std::vector<std::string>{"in/1", "in/2", "in/3"}));
}

// A gateway stalled past its lease acts as the holder until it asks again
// (a store that always grants the lease stands in for it): it may repeat
// what the new holder sent (at least once), but never sets its cursor
// back, and reads it again.
TEST_F(NotificationDispatcherTest, AStalledFormerHolderNeverSetsTheCursorBack) {
  meta::testing::NoticeBus bus;
  meta::testing::BusStore b_store(store_, bus);
  meta::ForwardingMetaStore stalled_store(store_);
  auto stalled = Dispatcher(&stalled_store);
  auto b = Dispatcher(&b_store);
  stalled->RunOnce();
  Log("PutObject", "in/1");
  stalled->RunOnce();
  b->RunOnce();  // the lease was never taken through the bus: b has it
  Log("PutObject", "in/2");
  const uint64_t in3 = Log("PutObject", "in/3");
  b->RunOnce();
  EXPECT_EQ(Keys(Posted()), (std::vector<std::string>{"in/1", "in/2", "in/3"}));
  EXPECT_EQ(StoredCursor(store_), std::to_string(in3 + 1));
  stalled->RunOnce();  // sends in/2 and in/3 again; its cursor's write fails
  EXPECT_EQ(Keys(Posted()), (std::vector<std::string>{"in/1", "in/2", "in/3", "in/2", "in/3"}));
  EXPECT_EQ(StoredCursor(store_), std::to_string(in3 + 1));
  const uint64_t in4 = Log("PutObject", "in/4");
  stalled->RunOnce();  // read again: in/4 only
  EXPECT_EQ(Keys(Posted()), (std::vector<std::string>{"in/1", "in/2", "in/3", "in/2", "in/3", "in/4"}));
  EXPECT_EQ(StoredCursor(store_), std::to_string(in4 + 1));
}

}  // namespace
}  // namespace confiance
