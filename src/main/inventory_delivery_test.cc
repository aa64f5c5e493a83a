// File: main/inventory_delivery_test.cc
// InventoryDelivery against a real catalog on an in-memory store; the S3
// write it makes is a fake that keeps what it was asked to write (the
// end-to-end suite writes through S3: tests/e2e/test_inventory.py).
#include "main/inventory_delivery.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "catalog/version_id.h"
#include "crypto/hash.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"
#include "s3/inventory.h"
#include "tests/testutil/status_matchers.h"

namespace confiance {
namespace {

using json = nlohmann::json;

constexpr uint64_t kNow = 1765000000000;  // 2025-12-06T05:46:40Z
constexpr uint64_t kDay = 86400000;

struct Written {
  s3::ServicePrincipal caller;
  std::string bucket, key, body;
  std::vector<http::Header> headers;
};

std::string Gunzip(const std::string& gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buf[4096];
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

std::string Md5Hex(const std::string& data) { return crypto::DigestHex(crypto::Md5Digest(data)); }

class InventoryDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"photos", "reports"}) {
      catalog::BucketRecord b;
      b.name = name;
      b.id = std::string("id-") + name;
      b.owner = "acme";
      ASSERT_OK(catalog_.CreateBucket(b));
    }
  }

  catalog::BucketRecord Bucket(const std::string& name) {
    Result<catalog::BucketRecord> b = catalog_.GetBucket(name);
    EXPECT_OK(b.status());
    return b.ok() ? *b : catalog::BucketRecord{};
  }

  void PutObject(const std::string& bucket, const std::string& key, uint64_t size, uint64_t modified_ms = kNow - 5000) {
    catalog::BucketRecord b = Bucket(bucket);
    catalog::ObjectRecord r;
    r.size = size;
    r.etag = std::string(32, 'e');
    r.modified_ms = modified_ms;
    r.op_tag = "op-" + key + std::to_string(size);
    catalog::StampVersion(b, r);
    ASSERT_OK(catalog_.PutObject(b, key, r).status());
  }

  s3::xml::InventoryConfiguration Config(const std::string& id) {
    s3::xml::InventoryConfiguration c;
    c.id = id;
    c.enabled = true;
    c.destination_bucket = "reports";
    c.destination_prefix = "inv";
    c.format = "CSV";
    c.included_versions = "Current";
    c.frequency = "Daily";
    c.optional_fields = {"ETag", "Size"};
    return c;
  }

  void Configure(const std::vector<s3::xml::InventoryConfiguration>& configs) {
    auto edit = [&](catalog::BucketRecord& b) {
      b.inventory = s3::EncodeInventory(configs);
      return OkStatus();
    };
    ASSERT_OK(catalog_.UpdateBucket("photos", edit).status());
  }

  std::unique_ptr<InventoryDelivery> Delivery(meta::MetaStore* store = nullptr) {
    InventoryDelivery::Deps deps;
    deps.catalog = &catalog_;
    deps.store = store != nullptr ? store : &store_;
    deps.day = std::chrono::milliseconds(kDay);
    deps.lines_per_file = lines_per_file_;
    deps.stats = &stats_;
    deps.owner_of = [this](const std::string& tenant) -> Result<iam::acl::CanonicalUser> {
      if (!owner_error_.ok()) return owner_error_;
      return iam::acl::CanonicalUser{"canonical-" + tenant, tenant};
    };
    deps.put = [this](const s3::ServicePrincipal& caller, const std::string& bucket, const std::string& key,
                      const std::string& body, std::string* error_code,
                      const std::vector<http::Header>& headers) -> Result<int> {
      *error_code = status_ == 200 ? "" : "AccessDenied";
      if (status_ == 200) writes_.push_back({caller, bucket, key, body, headers});
      return status_;
    };
    return std::make_unique<InventoryDelivery>(std::move(deps));
  }

  const Written* Find(std::string_view suffix) {
    for (const Written& w : writes_) {
      if (w.key.ends_with(suffix)) return &w;
    }
    return nullptr;
  }

  // Every line of every data file the manifest `m` names, checking each
  // file's size and MD5 against what was written.
  std::vector<std::string> Lines(const json& m) {
    std::vector<std::string> lines;
    for (const json& f : m["files"]) {
      const std::string key = f["key"];
      auto it = std::find_if(writes_.begin(), writes_.end(), [&](const Written& w) { return w.key == key; });
      EXPECT_NE(it, writes_.end()) << key;
      if (it == writes_.end()) continue;
      EXPECT_EQ(f["size"].get<uint64_t>(), it->body.size());
      EXPECT_EQ(f["MD5checksum"].get<std::string>(), Md5Hex(it->body));
      const std::string csv = Gunzip(it->body);
      size_t start = 0;
      for (size_t nl = csv.find('\n'); nl != std::string::npos; nl = csv.find('\n', start)) {
        lines.push_back(csv.substr(start, nl - start));
        start = nl + 1;
      }
      EXPECT_EQ(start, csv.size()) << "a data file ends with a whole line";
    }
    return lines;
  }

  meta::MemoryMetaStore store_;
  catalog::Catalog catalog_{store_};
  std::vector<Written> writes_;
  int status_ = 200;
  Status owner_error_;  // what owner_of answers, if not OK
  size_t lines_per_file_ = kInventoryLinesPerFile;
  admin::BackgroundStats stats_;
};

TEST_F(InventoryDeliveryTest, WritesADailyReportOfTheCurrentObjectsUnderThePrefix) {
  PutObject("photos", "a/one", 10);
  PutObject("photos", "a/two words", 20);
  PutObject("photos", "b/other", 30);
  s3::xml::InventoryConfiguration c = Config("daily");
  c.filter_prefix = "a/";
  Configure({c});
  std::unique_ptr<InventoryDelivery> d = Delivery();
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, d->RunOnce(kNow));
  EXPECT_EQ(stats.reports, 1u);
  EXPECT_EQ(stats.files, 1u);
  EXPECT_EQ(stats.lines, 2u);
  EXPECT_EQ(stats.failed, 0u);
  ASSERT_EQ(writes_.size(), 4u);  // one data file, the manifest, its checksum, the Hive symlink
  for (const Written& w : writes_) {
    EXPECT_EQ(w.bucket, "reports");
    EXPECT_EQ(w.caller.service, s3::kInventoryService);
    EXPECT_EQ(w.caller.source_arn, "arn:aws:s3:::photos");
    EXPECT_EQ(w.caller.source_account, "acme");
    EXPECT_TRUE(std::any_of(w.headers.begin(), w.headers.end(), [](const http::Header& h) {
      return h.name == "x-amz-acl" && h.value == "bucket-owner-full-control";
    }));
  }
  EXPECT_TRUE(writes_[0].key.starts_with("inv/photos/daily/data/")) << writes_[0].key;
  EXPECT_TRUE(writes_[0].key.ends_with(".csv.gz")) << writes_[0].key;
  const Written* manifest = Find("/manifest.json");
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(manifest->key, "inv/photos/daily/" + s3::InventoryStamp(kNow) + "/manifest.json");
  const Written* checksum = Find("/manifest.checksum");
  ASSERT_NE(checksum, nullptr);
  EXPECT_EQ(checksum->body, Md5Hex(manifest->body));
  // Written last, once the report is whole.
  EXPECT_EQ(writes_.back().key, s3::InventoryHiveKey(c, "photos", kNow));
  EXPECT_EQ(writes_.back().body, "s3://reports/" + writes_[0].key + "\n");
  const json m = json::parse(manifest->body);
  EXPECT_EQ(m["sourceBucket"], "photos");
  EXPECT_EQ(m["destinationBucket"], "arn:aws:s3:::reports");
  EXPECT_EQ(m["fileFormat"], "CSV");
  EXPECT_EQ(m["fileSchema"], "Bucket, Key, Size, ETag");
  EXPECT_EQ(m["creationTimestamp"], std::to_string(kNow));
  const std::string etag(32, 'e');
  EXPECT_EQ(Lines(m), (std::vector<std::string>{"\"photos\",\"a/one\",\"10\",\"" + etag + "\"",
                                                "\"photos\",\"a/two%20words\",\"20\",\"" + etag + "\""}));
  // Not due again within the day; due once it has passed.
  writes_.clear();
  ASSERT_OK_AND_ASSIGN(stats, d->RunOnce(kNow + kDay - 1));
  EXPECT_EQ(stats.reports, 0u);
  EXPECT_TRUE(writes_.empty());
  ASSERT_OK_AND_ASSIGN(stats, d->RunOnce(kNow + kDay));
  EXPECT_EQ(stats.reports, 1u);
  EXPECT_NE(Find(s3::InventoryStamp(kNow + kDay) + "/manifest.json"), nullptr);
}

TEST_F(InventoryDeliveryTest, WeeklyReportsComeEverySevenDaysAndDisabledOnesNever) {
  PutObject("photos", "k", 1);
  s3::xml::InventoryConfiguration weekly = Config("weekly");
  weekly.frequency = "Weekly";
  s3::xml::InventoryConfiguration off = Config("off");
  off.enabled = false;
  Configure({weekly, off});
  std::unique_ptr<InventoryDelivery> d = Delivery();
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, d->RunOnce(kNow));
  EXPECT_EQ(stats.reports, 1u);
  for (const Written& w : writes_) EXPECT_TRUE(w.key.starts_with("inv/photos/weekly/")) << w.key;
  ASSERT_OK_AND_ASSIGN(stats, d->RunOnce(kNow + 6 * kDay));
  EXPECT_EQ(stats.reports, 0u);
  ASSERT_OK_AND_ASSIGN(stats, d->RunOnce(kNow + 7 * kDay));
  EXPECT_EQ(stats.reports, 1u);
}

TEST_F(InventoryDeliveryTest, AllVersionsListsEveryVersionAndDeleteMarker) {
  auto edit = [](catalog::BucketRecord& b) {
    b.versioning = catalog::BucketVersioning::kEnabled;
    return OkStatus();
  };
  ASSERT_OK(catalog_.UpdateBucket("photos", edit).status());
  PutObject("photos", "k", 1);
  PutObject("photos", "k", 2);
  ASSERT_OK(catalog_.DeleteObjectVersion(Bucket("photos"), "k", std::nullopt).status());
  s3::xml::InventoryConfiguration c = Config("all");
  c.included_versions = "All";
  c.optional_fields = {"Size"};
  Configure({c});
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, Delivery()->RunOnce(kNow));
  EXPECT_EQ(stats.lines, 3u);
  const Written* manifest = Find("/manifest.json");
  ASSERT_NE(manifest, nullptr);
  const json m = json::parse(manifest->body);
  EXPECT_EQ(m["fileSchema"], "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size");
  std::vector<std::string> lines = Lines(m);
  ASSERT_EQ(lines.size(), 3u);
  // Newest first: the marker (latest, no size), then the two versions.
  EXPECT_TRUE(lines[0].ends_with(",\"true\",\"true\",\"\"")) << lines[0];
  EXPECT_TRUE(lines[1].ends_with(",\"false\",\"false\",\"2\"")) << lines[1];
  EXPECT_TRUE(lines[2].ends_with(",\"false\",\"false\",\"1\"")) << lines[2];
  for (const std::string& l : lines) EXPECT_FALSE(l.starts_with("\"photos\",\"k\",\"\"")) << "every version has an id";
}

TEST_F(InventoryDeliveryTest, AReportIsSplitIntoFilesOfBoundedLines) {
  for (int i = 0; i < 5; ++i) PutObject("photos", "k" + std::to_string(i), i);
  Configure({Config("split")});
  lines_per_file_ = 2;
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, Delivery()->RunOnce(kNow));
  EXPECT_EQ(stats.files, 3u);
  const Written* manifest = Find("/manifest.json");
  ASSERT_NE(manifest, nullptr);
  const json m = json::parse(manifest->body);
  EXPECT_EQ(m["files"].size(), 3u);
  EXPECT_EQ(Lines(m).size(), 5u);
}

// The configuration's Encryption reaches every write as PutObject's SSE
// headers (SSE-KMS with its KeyId); none, none.
TEST_F(InventoryDeliveryTest, EveryWriteAsksForTheReportsEncryption) {
  PutObject("photos", "k", 1);
  s3::xml::InventoryConfiguration kms = Config("kms");
  kms.encryption = "SSE-KMS";
  kms.kms_key_id = "alias/reports";
  s3::xml::InventoryConfiguration sse_s3 = Config("sse-s3");
  sse_s3.encryption = "SSE-S3";
  Configure({kms, sse_s3, Config("plain")});
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, Delivery()->RunOnce(kNow));
  ASSERT_EQ(stats.reports, 3u);
  auto header = [](const Written& w, std::string_view name) -> std::string {
    for (const http::Header& h : w.headers) {
      if (h.name == name) return h.value;
    }
    return "(absent)";
  };
  size_t seen = 0;
  for (const Written& w : writes_) {
    const std::string sse = header(w, "x-amz-server-side-encryption");
    const std::string key_id = header(w, "x-amz-server-side-encryption-aws-kms-key-id");
    if (w.key.starts_with("inv/photos/kms/")) {
      EXPECT_EQ(sse, "aws:kms") << w.key;
      EXPECT_EQ(key_id, "alias/reports") << w.key;
    } else if (w.key.starts_with("inv/photos/sse-s3/")) {
      EXPECT_EQ(sse, "AES256") << w.key;
      EXPECT_EQ(key_id, "(absent)") << w.key;
    } else {
      EXPECT_EQ(sse, "(absent)") << w.key;
      EXPECT_EQ(key_id, "(absent)") << w.key;
    }
    ++seen;
  }
  EXPECT_EQ(seen, 12u);  // per report: a data file, the manifest, its checksum, the symlink
}

TEST_F(InventoryDeliveryTest, AnEmptyBucketGetsAManifestWithoutFiles) {
  Configure({Config("empty")});
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, Delivery()->RunOnce(kNow));
  EXPECT_EQ(stats.reports, 1u);
  EXPECT_EQ(stats.files, 0u);
  const Written* manifest = Find("/manifest.json");
  ASSERT_NE(manifest, nullptr);
  EXPECT_TRUE(json::parse(manifest->body)["files"].empty());
  const Written* symlink = Find("/symlink.txt");
  ASSERT_NE(symlink, nullptr);
  EXPECT_EQ(symlink->body, "");
}

// A destination that refuses (no policy for the service, gone): nothing
// recorded, and the report is written again, whole, an hour later (not at
// every pass: each attempt lists the whole bucket).
TEST_F(InventoryDeliveryTest, ARefusedReportIsWrittenAgainAnHourLater) {
  PutObject("photos", "k", 1);
  Configure({Config("retry")});
  std::unique_ptr<InventoryDelivery> d = Delivery();
  status_ = 403;
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, d->RunOnce(kNow));
  EXPECT_EQ(stats.reports, 0u);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats_.failed_inventory_reports.value(), 1u);
  status_ = 200;
  constexpr uint64_t kHour = 3600000;
  ASSERT_OK_AND_ASSIGN(stats, d->RunOnce(kNow + kHour - 1));
  EXPECT_EQ(stats.reports + stats.failed, 0u);
  EXPECT_EQ(Find("/manifest.json"), nullptr);
  ASSERT_OK_AND_ASSIGN(stats, d->RunOnce(kNow + kHour));
  EXPECT_EQ(stats.reports, 1u);
  EXPECT_NE(Find("/manifest.json"), nullptr);
}

// The time of a configuration deleted (or of a deleted bucket's) goes at
// the next pass; a configuration still there keeps its time.
TEST_F(InventoryDeliveryTest, TheTimesOfConfigurationsThatAreGoneAreForgotten) {
  Configure({Config("kept"), Config("dropped")});
  std::unique_ptr<InventoryDelivery> d = Delivery();
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, d->RunOnce(kNow));
  EXPECT_EQ(stats.reports, 2u);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> dropped,
                       store_.Get(std::string(kInventoryPartition), "id-photos/dropped"));
  EXPECT_EQ(dropped, std::to_string(kNow));
  Configure({Config("kept")});
  ASSERT_OK_AND_ASSIGN(stats, d->RunOnce(kNow + 1000));
  EXPECT_EQ(stats.reports, 0u);
  ASSERT_OK_AND_ASSIGN(dropped, store_.Get(std::string(kInventoryPartition), "id-photos/dropped"));
  EXPECT_FALSE(dropped.has_value());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> kept, store_.Get(std::string(kInventoryPartition), "id-photos/kept"));
  EXPECT_EQ(kept, std::to_string(kNow));
  EXPECT_EQ(stats_.inventory_reports.value(), 2u);
}

// Two gateways sharing the metadata: the one holding the worker lease
// writes; the other, once it holds it, finds the report's time stored.
TEST_F(InventoryDeliveryTest, OfTwoGatewaysTheLeaseHolderWritesAndTheOtherSeesItsTime) {
  PutObject("photos", "k", 1);
  Configure({Config("shared")});
  meta::testing::NoticeBus bus;
  meta::testing::BusStore a_store(store_, bus), b_store(store_, bus);
  std::unique_ptr<InventoryDelivery> a = Delivery(&a_store);
  std::unique_ptr<InventoryDelivery> b = Delivery(&b_store);
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, a->RunOnce(kNow));
  EXPECT_EQ(stats.reports, 1u);
  ASSERT_OK_AND_ASSIGN(stats, b->RunOnce(kNow));
  EXPECT_EQ(stats.reports, 0u);  // the lease is a's
  a.reset();                     // a stops: its lease is released
  ASSERT_OK_AND_ASSIGN(stats, b->RunOnce(kNow + 1000));
  EXPECT_EQ(stats.reports, 0u);  // not due: a wrote it
  ASSERT_OK_AND_ASSIGN(stats, b->RunOnce(kNow + kDay));
  EXPECT_EQ(stats.reports, 1u);
}

// ObjectOwner is the owner's canonical id; a tenant directory that cannot
// answer fails the report (retried later), it does not write UNAVAILABLE.
TEST_F(InventoryDeliveryTest, TheOwnerIsNamedByItsCanonicalIdAndAnUnknownOneFailsTheReport) {
  PutObject("photos", "k", 1);
  s3::xml::InventoryConfiguration c = Config("owners");
  c.optional_fields = {"ObjectOwner"};
  Configure({c});
  owner_error_ = UnavailableError("directory unreachable");
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats failed, Delivery()->RunOnce(kNow));
  EXPECT_EQ(failed.failed, 1u);
  EXPECT_TRUE(writes_.empty());
  owner_error_ = OkStatus();
  ASSERT_OK_AND_ASSIGN(InventoryDelivery::PassStats stats, Delivery()->RunOnce(kNow + kDay));
  EXPECT_EQ(stats.reports, 1u);
  const Written* manifest = Find("/manifest.json");
  ASSERT_NE(manifest, nullptr);
  EXPECT_EQ(Lines(json::parse(manifest->body)), std::vector<std::string>{R"("photos","k","canonical-acme")"});
}

}  // namespace
}  // namespace confiance
