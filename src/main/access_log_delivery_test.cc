// File: main/access_log_delivery_test.cc
// AccessLogDelivery against a real catalog, transparency log and directory
// on an in-memory store; the S3 write it makes is a fake that keeps what
// it was asked to write (the end-to-end suite writes through S3:
// tests/e2e/test_bucket_logging.py).
#include "main/access_log_delivery.h"

#include <gtest/gtest.h>

#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"
#include "s3/bucket_logging.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance {
namespace {

constexpr std::string_view kAcmeId = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

struct Write {
  std::string service, source_arn, source_account, bucket, key, body;
};

class AccessLogDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::make_unique<audit::AuditLog>(store_, testutil::NewNoteSigner("access-log.test"));
    iam::TenantRecord acme;
    acme.id = "acme";
    acme.canonical_id = std::string(kAcmeId);
    ASSERT_OK(directory_.CreateTenant(acme).status());
    for (const char* name : {"photos", "logs", "other"}) {
      catalog::BucketRecord b;
      b.name = name;
      b.id = std::string("id-") + name;
      b.owner = "acme";
      ASSERT_OK(catalog_.CreateBucket(b));
    }
  }

  // Turns logging of photos into logs/`prefix` on, from the log's
  // current end.
  void EnableLogging(const std::string& prefix = "log/") {
    s3::BucketLogging l;
    l.target.target_bucket = "logs";
    l.target.target_prefix = prefix;
    ASSERT_OK_AND_ASSIGN(audit::TransparencyLog * log, log_->TenantLog("acme"));
    l.since_index = log->size();
    auto edit = [&](catalog::BucketRecord& b) {
      b.logging = s3::EncodeBucketLogging(l);
      return OkStatus();
    };
    ASSERT_OK(catalog_.UpdateBucket("photos", edit).status());
  }

  // As PutBucketLogging turns it off: from the log's current end.
  void DisableLogging() {
    ASSERT_OK_AND_ASSIGN(audit::TransparencyLog * log, log_->TenantLog("acme"));
    auto edit = [&](catalog::BucketRecord& b) -> Status {
      ASSIGN_OR_RETURN(s3::BucketLogging l, s3::DecodeBucketLogging(b.logging));
      l.until_index = log->size();
      b.logging = s3::EncodeBucketLogging(l);
      return OkStatus();
    };
    ASSERT_OK(catalog_.UpdateBucket("photos", edit).status());
  }

  void Log(const std::string& bucket, const std::string& key, const std::string& principal_type = "user") {
    audit::Event e;
    e.time_ms = 1549411238123;
    e.request_id = "req-" + key;
    e.principal = {principal_type, "acme", principal_type == "service" ? "logging.s3.amazonaws.com" : "alice", ""};
    e.operation = "GetObject";
    e.bucket = bucket;
    e.key = key;
    e.status = 200;
    ASSERT_OK(log_->AppendAndWait("acme", e).status());
  }

  // Keeping its cursors and lease in `store` (null: store_).
  std::unique_ptr<AccessLogDelivery> Delivery(meta::MetaStore* store = nullptr) {
    AccessLogDelivery::Deps deps;
    deps.log = log_.get();
    deps.catalog = &catalog_;
    deps.store = store != nullptr ? store : &store_;
    deps.directory = &directory_;
    deps.region = "eu-west-3";
    deps.stats = &stats_;
    deps.put = [this](const s3::ServicePrincipal& caller, const std::string& bucket, const std::string& key,
                      const std::string& body, std::string* error_code) -> Result<int> {
      writes_.push_back({caller.service, caller.source_arn, caller.source_account, bucket, key, body});
      *error_code = status_ == 200 ? "" : "SomeError";
      return status_;
    };
    return std::make_unique<AccessLogDelivery>(std::move(deps));
  }

  static size_t Lines(const std::string& body) { return std::count(body.begin(), body.end(), '\n'); }

  meta::MemoryMetaStore store_;
  catalog::Catalog catalog_{store_};
  kms::FakeKeyProvider keys_;
  iam::CredentialStore credentials_{store_, keys_};
  iam::Directory directory_{store_, credentials_};
  std::unique_ptr<audit::AuditLog> log_;
  std::vector<Write> writes_;
  int status_ = 200;
  admin::BackgroundStats stats_;
};

// Two gateways sharing the metadata: the one holding the worker lease
// delivers; the other, once it holds it, goes on from the stored cursor.
TEST_F(AccessLogDeliveryTest, OfTwoGatewaysTheLeaseHolderDelivers) {
  meta::testing::NoticeBus bus;
  meta::testing::BusStore a_store(store_, bus), b_store(store_, bus);
  std::unique_ptr<AccessLogDelivery> a = Delivery(&a_store);
  std::unique_ptr<AccessLogDelivery> b = Delivery(&b_store);
  EnableLogging();
  Log("photos", "a");
  ASSERT_OK_AND_ASSIGN(AccessLogDelivery::PassStats stats, a->RunOnce());
  EXPECT_EQ(stats.records, 1u);
  Log("photos", "b");
  ASSERT_OK_AND_ASSIGN(stats, b->RunOnce());
  EXPECT_EQ(stats.records, 0u);  // a holds the lease
  EXPECT_EQ(writes_.size(), 1u);
  bus.Lapse("access-logs");
  ASSERT_OK_AND_ASSIGN(stats, b->RunOnce());
  EXPECT_EQ(stats.records, 1u);  // b only, not a's again
  ASSERT_EQ(writes_.size(), 2u);
  EXPECT_NE(writes_[1].body.find("req-b REST.GET.OBJECT b "), std::string::npos) << writes_[1].body;
  EXPECT_EQ(writes_[1].body.find("req-a "), std::string::npos) << writes_[1].body;
}

TEST_F(AccessLogDeliveryTest, DeliversEachRecordOfTheBucketOnceAsTheLoggingService) {
  Log("photos", "before");  // before logging was on: not reported
  EnableLogging();
  Log("photos", "a");
  Log("other", "x");
  Log("photos", "b");
  Log("logs", "log/earlier-delivery", "service");
  std::unique_ptr<AccessLogDelivery> delivery = Delivery();
  ASSERT_OK_AND_ASSIGN(AccessLogDelivery::PassStats stats, delivery->RunOnce());
  EXPECT_EQ(stats.objects, 1u);
  EXPECT_EQ(stats.records, 2u);
  EXPECT_EQ(stats_.access_log_objects.value(), 1u);
  EXPECT_EQ(stats_.access_log_records.value(), 2u);
  ASSERT_EQ(writes_.size(), 1u);
  const Write& w = writes_[0];
  EXPECT_EQ(w.service, "logging.s3.amazonaws.com");
  EXPECT_EQ(w.source_arn, "arn:aws:s3:::photos");
  EXPECT_EQ(w.source_account, "acme");
  EXPECT_EQ(w.bucket, "logs");
  EXPECT_EQ(w.key.substr(0, 24), "log/2019-02-06-00-00-38-") << w.key;
  EXPECT_EQ(Lines(w.body), 2u) << w.body;
  EXPECT_EQ(w.body.find(std::string(kAcmeId) + " photos [06/Feb/2019:00:00:38 +0000]"), 0u) << w.body;
  EXPECT_NE(w.body.find("req-a REST.GET.OBJECT a "), std::string::npos) << w.body;
  EXPECT_NE(w.body.find("req-b REST.GET.OBJECT b "), std::string::npos) << w.body;
  EXPECT_EQ(w.body.find("before"), std::string::npos) << w.body;

  // Nothing new: nothing written. One more request: one more object.
  ASSERT_OK_AND_ASSIGN(stats, delivery->RunOnce());
  EXPECT_EQ(stats.objects, 0u);
  Log("photos", "c");
  ASSERT_OK_AND_ASSIGN(stats, delivery->RunOnce());
  ASSERT_EQ(writes_.size(), 2u);
  EXPECT_EQ(Lines(writes_[1].body), 1u);
  EXPECT_NE(writes_[1].key, writes_[0].key);
  // A restarted worker reads the cursor, not the log from its start.
  std::unique_ptr<AccessLogDelivery> restarted = Delivery();
  ASSERT_OK_AND_ASSIGN(stats, restarted->RunOnce());
  EXPECT_EQ(stats.objects, 0u);
}

TEST_F(AccessLogDeliveryTest, AFailedPassIsRepeatedUnderTheSameKeys) {
  EnableLogging();
  Log("photos", "a");
  std::unique_ptr<AccessLogDelivery> delivery = Delivery();
  status_ = 503;
  EXPECT_FALSE(delivery->RunOnce().ok());
  ASSERT_EQ(writes_.size(), 1u);
  EXPECT_EQ(stats_.failed_access_log_deliveries.value(), 1u);
  Log("photos", "b");
  status_ = 200;
  ASSERT_OK_AND_ASSIGN(AccessLogDelivery::PassStats stats, delivery->RunOnce());
  EXPECT_EQ(stats.records, 2u);
  ASSERT_EQ(writes_.size(), 2u);
  // The same key, now with every record from the same start: whatever
  // the first attempt left is replaced, never doubled.
  EXPECT_EQ(writes_[1].key, writes_[0].key);
  EXPECT_EQ(writes_[1].body.substr(0, writes_[0].body.size()), writes_[0].body);
  EXPECT_EQ(Lines(writes_[1].body), 2u);
}

// A crash after a pass wrote its objects but before its cursor was
// durable: the cursor is back where the pass began, and the repeated pass
// writes the same objects (same keys, the same records and any since).
TEST_F(AccessLogDeliveryTest, APassWhoseCursorACrashLostRewritesTheSameObjects) {
  EnableLogging();
  ASSERT_OK_AND_ASSIGN(audit::TransparencyLog * log, log_->TenantLog("acme"));
  const uint64_t begin = log->size();
  Log("photos", "a");
  Log("photos", "b");
  meta::Batch at_begin;
  at_begin.Put("cursor/acme", std::to_string(begin));
  ASSERT_OK(store_.Apply(kAccessLogPartition, at_begin));
  ASSERT_OK(Delivery()->RunOnce().status());
  ASSERT_OK(store_.Apply(kAccessLogPartition, at_begin));  // the crash
  Log("photos", "c");
  ASSERT_OK(Delivery()->RunOnce().status());
  ASSERT_EQ(writes_.size(), 2u);
  EXPECT_EQ(writes_[1].key, writes_[0].key);
  EXPECT_EQ(writes_[1].body.substr(0, writes_[0].body.size()), writes_[0].body);
  EXPECT_EQ(Lines(writes_[0].body), 2u);
  EXPECT_EQ(Lines(writes_[1].body), 3u);
}

TEST_F(AccessLogDeliveryTest, ARefusingTargetDropsItsRecordsAndTheCursorMovesOn) {
  EnableLogging();
  Log("photos", "a");
  std::unique_ptr<AccessLogDelivery> delivery = Delivery();
  status_ = 403;
  ASSERT_OK_AND_ASSIGN(AccessLogDelivery::PassStats stats, delivery->RunOnce());
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(stats.objects, 0u);
  EXPECT_EQ(stats_.access_log_dropped_records.value(), 1u);
  status_ = 200;
  ASSERT_OK_AND_ASSIGN(stats, delivery->RunOnce());
  EXPECT_EQ(writes_.size(), 1u);  // not tried again
}

TEST_F(AccessLogDeliveryTest, LoggingTurnedOffDeliversWhatCameBeforeAndNothingOfTheTimeOff) {
  EnableLogging();
  Log("photos", "a");
  std::unique_ptr<AccessLogDelivery> delivery = Delivery();
  ASSERT_OK(delivery->RunOnce().status());
  Log("photos", "b");
  DisableLogging();
  Log("photos", "while-off");
  ASSERT_OK(delivery->RunOnce().status());
  ASSERT_EQ(writes_.size(), 2u);
  EXPECT_NE(writes_[1].body.find(" b "), std::string::npos) << writes_[1].body;
  EXPECT_EQ(Lines(writes_[1].body), 1u) << writes_[1].body;
  // Delivered: the configuration goes, then the tenant's cursor.
  ASSERT_OK_AND_ASSIGN(catalog::BucketRecord photos, catalog_.GetBucket("photos"));
  EXPECT_EQ(photos.logging, "");
  ASSERT_OK(delivery->RunOnce().status());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> cursor, store_.Get(kAccessLogPartition, "cursor/acme"));
  EXPECT_FALSE(cursor.has_value());
  Log("photos", "still-off");
  EnableLogging("again/");
  Log("photos", "c");
  ASSERT_OK(delivery->RunOnce().status());
  ASSERT_EQ(writes_.size(), 3u);
  EXPECT_EQ(writes_[2].key.substr(0, 6), "again/");
  EXPECT_EQ(writes_[2].body.find("-off"), std::string::npos) << writes_[2].body;
  EXPECT_EQ(Lines(writes_[2].body), 1u);
}

TEST_F(AccessLogDeliveryTest, RecordsOfEachDayGoToTheirOwnObject) {
  EnableLogging();
  Log("photos", "a");
  audit::Event next_day;
  next_day.time_ms = 1549411238123 + 86400000;
  next_day.operation = "HeadObject";
  next_day.bucket = "photos";
  next_day.key = "b";
  next_day.status = 200;
  ASSERT_OK(log_->AppendAndWait("acme", next_day).status());
  ASSERT_OK_AND_ASSIGN(AccessLogDelivery::PassStats stats, Delivery()->RunOnce());
  EXPECT_EQ(stats.objects, 2u);
  ASSERT_EQ(writes_.size(), 2u);
  EXPECT_EQ(writes_[0].key.substr(0, 14), "log/2019-02-06");
  EXPECT_EQ(writes_[1].key.substr(0, 14), "log/2019-02-07");
}

}  // namespace
}  // namespace confiance
