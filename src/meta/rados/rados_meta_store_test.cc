// File: meta/rados/rados_meta_store_test.cc
// RadosMetaStore against a real Ceph cluster (tests/ceph/run_with_ceph.py):
// the MetaStore contract suite, then what is this store's own: the names it
// gives partitions and keys, scans longer than an OSD page (one snapshot),
// sealed values, snapshots of the whole namespace.
#include "meta/rados/rados_meta_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "blob/rados/rados_io.h"
#include "blob/rados/rados_test_connection.h"
#include "meta/copy_records.h"
#include "meta/counters.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/meta_store_contract_test.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::meta {
namespace {

using std::string_literals::operator""s;

// The cluster from the environment, on a namespace of the test's own (named
// after its temporary directory, so that a reopening finds it again).
Result<RadosMetaStore::Options> TestOptions(const testutil::TempDir& dir) {
  RadosMetaStore::Options o;
  ASSIGN_OR_RETURN(o.connection, blob::TestConnection("meta-test-" + dir.path().substr(dir.path().rfind('/') + 1)));
  o.lease_seconds = 3;
  return o;
}

Result<std::unique_ptr<MetaStore>> OpenRados(const testutil::TempDir& dir) {
  ASSIGN_OR_RETURN(RadosMetaStore::Options o, TestOptions(dir));
  ASSIGN_OR_RETURN(std::unique_ptr<RadosMetaStore> store, RadosMetaStore::Open(o));
  return std::unique_ptr<MetaStore>(std::move(store));
}

}  // namespace
}  // namespace confiance::meta

namespace confiance::meta::contract {
namespace {

INSTANTIATE_TEST_SUITE_P(Rados, MetaStoreContractTest, ::testing::Values(Impl{"Rados", &OpenRados}),
                         [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

}  // namespace
}  // namespace confiance::meta::contract

namespace confiance::meta {
namespace {

TEST(RadosMetaStoreNamesTest, PartitionNamesRoundTrip) {
  for (std::string p : {"a"s, "b/1"s, "tlog/tenant"s, "\0"s, "x\0y"s, "100%"s, "sp ace"s, "\xFF\x01"s, "%41"s}) {
    const std::string name = RadosMetaStore::ObjectName(p);
    EXPECT_EQ(name.find('\0'), std::string::npos);
    for (char c : name) EXPECT_TRUE(c > 0x20 && c < 0x7f) << name;
    EXPECT_EQ(RadosMetaStore::PartitionOf(name), p) << name;
  }
  EXPECT_EQ(RadosMetaStore::ObjectName("a b%"), "m.a%20b%25");
  // Other objects of the namespace are no partitions.
  for (std::string other : {"confiance.meta.owner"s, "m."s, "m.%4"s, "m.%G0"s, "x.a"s}) {
    EXPECT_EQ(RadosMetaStore::PartitionOf(other), std::nullopt) << other;
  }
}

TEST(RadosMetaStoreNamesTest, OmapKeysRoundTripAndKeepMemcmpOrder) {
  std::mt19937 rng(7);
  std::vector<std::string> keys = {""s, "\0"s, "\1"s, "\2"s, "\0\0"s, "\0\1"s, "\1\0"s, "a"s, "a\0"s, "\xFF"s};
  for (int i = 0; i < 2000; ++i) {
    std::string k(rng() % 6, '\0');
    for (char& c : k) c = static_cast<char>("\0\1\2a\xFF"[rng() % 5]);
    keys.push_back(k);
  }
  for (const std::string& k : keys) {
    const std::string omap = RadosMetaStore::OmapKey(k);
    EXPECT_EQ(omap.find('\0'), std::string::npos);
    EXPECT_EQ(RadosMetaStore::RecordKey(omap), k);
  }
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    const std::string& a = keys[i];
    const std::string& b = keys[i + 1];
    EXPECT_EQ(a < b, RadosMetaStore::OmapKey(a) < RadosMetaStore::OmapKey(b)) << i;
    EXPECT_EQ(a == b, RadosMetaStore::OmapKey(a) == RadosMetaStore::OmapKey(b)) << i;
  }
  EXPECT_EQ(RadosMetaStore::RecordKey("j"), std::nullopt);
  EXPECT_EQ(RadosMetaStore::RecordKey("k\1"), std::nullopt);
  EXPECT_EQ(RadosMetaStore::RecordKey("k\1\3"), std::nullopt);
}

class RadosMetaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<RadosMetaStore::Options> o = TestOptions(dir_);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    options_ = *o;
  }
  void Open() {
    Result<std::unique_ptr<RadosMetaStore>> s = RadosMetaStore::Open(options_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  // The partition's omap as the OSD holds it.
  std::map<std::string, std::string> RawOmap(std::string_view partition) {
    auto io = blob::RadosIo::Connect(options_.connection);
    EXPECT_TRUE(io.ok()) << io.status().ToString();
    std::map<std::string, std::string> out;
    if (!io.ok()) return out;
    EXPECT_OK((*io)->ForEachOmap(RadosMetaStore::ObjectName(partition),
                                 [&](const std::string& k, const std::string& v) -> Result<bool> {
                                   out.emplace(k, v);
                                   return true;
                                 }));
    return out;
  }

  testutil::TempDir dir_;
  RadosMetaStore::Options options_;
  std::unique_ptr<RadosMetaStore> store_;
};

// Pages of the OSD (1,024 records) make one snapshot: a batch that changes
// the first and the last record together is seen whole or not at all by a
// scan that reads them in different pages.
TEST_F(RadosMetaStoreTest, ScanAcrossPagesIsOneSnapshot) {
  ASSERT_NO_FATAL_FAILURE(Open());
  constexpr int kRecords = 2500;
  auto key = [](int i) {
    char buf[16];
    snprintf(buf, sizeof buf, "r%05d", i);
    return std::string(buf);
  };
  for (int base = 0; base < kRecords; base += 500) {
    Batch b;
    b.op_tag = "fill";
    for (int i = base; i < base + 500; ++i) b.Put(key(i), "0");
    ASSERT_OK(store_->Apply("big", b));
  }
  // A writer changes the pair every 10 ms: often enough to land inside
  // some scans (which then start again), not so often that none completes.
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::atomic<int> write_errors{0};
  std::thread writer([&] {
    for (int round = 1; !stop && round < 100000; ++round) {
      Batch b;
      b.op_tag = "pair";
      b.Put(key(0), std::to_string(round)).Put(key(kRecords - 1), std::to_string(round));
      if (store_->Apply("big", b).ok()) {
        ++writes;
      } else {
        ++write_errors;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  std::vector<Result<std::vector<Record>>> scans;
  for (int scan = 0; scan < 10; ++scan) {
    ScanOptions o;
    o.limit = 5000;
    scans.push_back(store_->Scan("big", o));
  }
  stop = true;
  writer.join();
  EXPECT_GT(writes.load(), 0);
  EXPECT_EQ(write_errors.load(), 0);
  for (size_t scan = 0; scan < scans.size(); ++scan) {
    ASSERT_OK(scans[scan]);
    const std::vector<Record>& all = *scans[scan];
    ASSERT_EQ(all.size(), size_t{kRecords});
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const Record& a, const Record& b) { return a.key < b.key; }));
    EXPECT_EQ(all.front().value, all.back().value) << "scan " << scan << " saw a batch in part";
  }
  // Paging by hand over limits below a page gives the same records.
  std::vector<Record> paged;
  ScanOptions o;
  o.limit = 700;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(std::vector<Record> page, store_->Scan("big", o));
    if (page.empty()) break;
    paged.insert(paged.end(), page.begin(), page.end());
    o.start = page.back().key;
    o.start_exclusive = true;
  }
  ASSERT_EQ(paged.size(), size_t{kRecords});
  EXPECT_EQ(paged[1234].key, key(1234));
}

// A sealer for the test: reversible, deterministic and bound to the record,
// as ValueSealer requires (not a cipher: the real one is in crypto/).
class TestSealer : public ValueSealer {
 public:
  std::string Seal(std::string_view partition, std::string_view key, std::string_view value) const override {
    std::string out = "sealed:" + std::string(partition) + "/" + std::string(key) + ":";
    for (char c : value) out += static_cast<char>(c ^ 0x5a);
    return out;
  }
  Result<std::string> Open(std::string_view partition, std::string_view key, std::string_view sealed) const override {
    const std::string prefix = "sealed:" + std::string(partition) + "/" + std::string(key) + ":";
    if (!sealed.starts_with(prefix)) return DataLossError("sealed for another record");
    std::string out;
    for (char c : sealed.substr(prefix.size())) out += static_cast<char>(c ^ 0x5a);
    return out;
  }
};

TEST_F(RadosMetaStoreTest, ValuesLeaveSealedAndComeBackOpened) {
  TestSealer sealer;
  options_.sealer = &sealer;
  ASSERT_NO_FATAL_FAILURE(Open());
  Batch put;
  put.op_tag = "put";
  put.Put("plain", "secret-value").Add("count", {5});
  ASSERT_OK(store_->Apply("p", put));
  // Conditions compare sealed bytes inside the OSD: they hold on the value.
  Batch cas;
  cas.op_tag = "cas";
  cas.Expect("plain", "secret-value").Put("plain", "secret-2").Add("count", {1});
  ASSERT_OK(store_->Apply("p", cas));
  cas.op_tag = "cas-again";
  EXPECT_STATUS_CODE(store_->Apply("p", cas), kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store_->Get("p", "plain"));
  EXPECT_EQ(v, "secret-2");
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> count, store_->Get("p", "count"));
  ASSERT_TRUE(count.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> counters, DecodeCounters(*count));
  EXPECT_EQ(counters, std::vector<int64_t>{6});

  const std::map<std::string, std::string> raw = RawOmap("p");
  ASSERT_EQ(raw.size(), 2u);
  for (const auto& [k, value] : raw) {
    EXPECT_TRUE(value.starts_with("sealed:p/")) << value;
    EXPECT_EQ(value.find("secret"), std::string::npos) << value;
  }
  // A sealed value moved under another key does not open.
  {
    auto io = blob::RadosIo::Connect(options_.connection);
    ASSERT_OK(io);
    ASSERT_OK((*io)->OmapUpdate(RadosMetaStore::ObjectName("p"),
                                {{RadosMetaStore::OmapKey("moved"), raw.at(RadosMetaStore::OmapKey("plain"))}}, {}));
  }
  EXPECT_STATUS_CODE(store_->Get("p", "moved"), kDataLoss);
}

// Adds remember the counters they wrote; a batch without adds that deletes
// or replaces a counter meanwhile makes the next add's comparison fail, and
// it reads again: the sums stay exact.
TEST_F(RadosMetaStoreTest, AddsAfterOtherWritesToTheirCountersStayExact) {
  ASSERT_NO_FATAL_FAILURE(Open());
  auto add = [&](int64_t n) {
    Batch b;
    b.op_tag = "add";
    b.Add("count", {n});
    return store_->Apply("p", b);
  };
  auto count = [&]() -> std::vector<int64_t> {
    Result<std::optional<std::string>> v = store_->Get("p", "count");
    EXPECT_TRUE(v.ok() && v->has_value());
    if (!v.ok() || !v->has_value()) return {};
    Result<std::vector<int64_t>> c = DecodeCounters(**v);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : std::vector<int64_t>{};
  };
  ASSERT_OK(add(5));
  ASSERT_OK(add(2));
  EXPECT_EQ(count(), std::vector<int64_t>{7});
  Batch del;
  del.op_tag = "del";
  del.Delete("count");
  ASSERT_OK(store_->Apply("p", del));
  ASSERT_OK(add(3));
  EXPECT_EQ(count(), std::vector<int64_t>{3});
  ASSERT_OK(store_->Apply("p", contract::PutBatch("count", EncodeCounters({100, 1}))));
  ASSERT_OK(add(1));
  EXPECT_EQ(count(), (std::vector<int64_t>{101, 1}));
  ASSERT_OK(store_->DropPartition("p"));
  ASSERT_OK(add(4));
  EXPECT_EQ(count(), std::vector<int64_t>{4});
}

// Concurrent batches with adds to one partition (PUTs into one bucket, each
// adding to its usage counters) share commits, and every one lands whole.
TEST_F(RadosMetaStoreTest, ConcurrentAddsToOnePartitionShareCommits) {
  ASSERT_NO_FATAL_FAILURE(Open());
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  const uint64_t writes_before = store_->stats().duration(blob::RadosOp::kOmapWrite).count();
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "obj-" + std::to_string(t) + "-" + std::to_string(i);
        Batch b;
        b.op_tag = key;
        b.Expect(key, std::nullopt).Put(key, "v").Add("usage", {1, 4096});
        if (!store_->Apply("bucket", b).ok()) ++errors;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  const uint64_t writes = store_->stats().duration(blob::RadosOp::kOmapWrite).count() - writes_before;
  EXPECT_LT(writes, uint64_t{kThreads * kPerThread}) << "no batch shared a commit";
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> usage, store_->Get("bucket", "usage"));
  ASSERT_TRUE(usage.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> sums, DecodeCounters(*usage));
  EXPECT_EQ(sums, (std::vector<int64_t>{kThreads * kPerThread, int64_t{kThreads} * kPerThread * 4096}));
  ScanOptions all;
  all.limit = 1000;
  ASSERT_OK_AND_ASSIGN(std::vector<Record> records, store_->Scan("bucket", all));
  EXPECT_EQ(records.size(), size_t{kThreads * kPerThread + 1});
  // A group whose batch fails its condition: that one alone fails.
  std::vector<std::thread> racers;
  std::atomic<int> won{0}, lost{0};
  for (int t = 0; t < kThreads; ++t) {
    racers.emplace_back([&] {
      Batch b;
      b.op_tag = "race";
      b.Expect("contested", std::nullopt).Put("contested", "mine").Add("usage", {1, 0});
      Status s = store_->Apply("bucket", b);
      if (s.ok()) {
        ++won;
      } else if (s.code() == StatusCode::kFailedPrecondition) {
        ++lost;
      }
    });
  }
  for (std::thread& t : racers) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), kThreads - 1);
  ASSERT_OK_AND_ASSIGN(usage, store_->Get("bucket", "usage"));
  ASSERT_OK_AND_ASSIGN(sums, DecodeCounters(*usage));
  EXPECT_EQ(sums[0], kThreads * kPerThread + 1);
}

// A second server on the namespace is refused while the first holds the
// lease; once it lets go, the namespace opens again with its records.
TEST_F(RadosMetaStoreTest, TheLeaseKeepsOneServerPerNamespace) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_OK(store_->Apply("p", contract::PutBatch("k", "v")));
  Result<std::unique_ptr<RadosMetaStore>> second = RadosMetaStore::Open(options_);
  EXPECT_STATUS_CODE(second, kFailedPrecondition);
  if (!second.ok()) {
    EXPECT_NE(second.status().message().find("in use by another"), std::string::npos);
  }
  EXPECT_OK(store_->Writable());
  store_.reset();
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store_->Get("p", "k"));
  EXPECT_EQ(v, "v");
}

// A snapshot is one point of the commit order while a writer goes on: the
// writer puts i into "first" then into "second", so any point sees second
// equal to first or one behind. Then the view stays as it was: later
// writes, a partition created after and one dropped after do not show.
TEST_F(RadosMetaStoreTest, SnapshotIsOnePointOfTheCommitOrderAndStaysIt) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_OK(store_->Apply("dropped later", contract::PutBatch("k", "kept in the snapshot")));
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 1; !stop && i < 100000; ++i) {
      ASSERT_OK(store_->Apply("first", contract::PutBatch("n", std::to_string(i))));
      ASSERT_OK(store_->Apply("second", contract::PutBatch("n", std::to_string(i))));
      written = i;
    }
  });
  while (written < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<std::unique_ptr<MetaStore>> views;
  for (int i = 0; i < 3; ++i) {  // (overlapping snapshots: each its own point)
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<MetaStore> view, store_->Snapshot());
    views.push_back(std::move(view));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  const int at_views = written;
  while (written < at_views + 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  writer.join();
  ASSERT_OK(store_->DropPartition("dropped later"));
  ASSERT_OK(store_->Apply("created later", contract::PutBatch("k", "v")));

  auto number = [](MetaStore& s, const char* partition) {
    Result<std::optional<std::string>> v = s.Get(partition, "n");
    EXPECT_TRUE(v.ok() && v->has_value()) << partition;
    return v.ok() && v->has_value() ? std::stoi(**v) : -1;
  };
  int previous = 0;
  for (auto& view : views) {
    const int first = number(*view, "first"), second = number(*view, "second");
    EXPECT_TRUE(second == first || second == first - 1) << first << " " << second;
    EXPECT_GT(first, previous);  // later snapshots, later points
    EXPECT_LE(first, at_views + 1);
    previous = first;
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> partitions, view->ListPartitions("", "", 100));
    EXPECT_EQ(partitions, (std::vector<std::string>{"dropped later", "first", "second"}));
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> kept, view->Get("dropped later", "k"));
    EXPECT_EQ(kept, "kept in the snapshot");
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> later, view->Get("created later", "k"));
    EXPECT_EQ(later, std::nullopt);
    // Read-only.
    EXPECT_EQ(view->Apply("first", contract::PutBatch("n", "0")).code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(view->DropPartition("first").code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(view->Writable().code(), StatusCode::kFailedPrecondition);
    Status async;
    view->ApplyAsync("first", contract::PutBatch("n", "0"), [&](Status s) { async = s; });
    EXPECT_EQ(async.code(), StatusCode::kFailedPrecondition);
  }
  // What a backup does with a view: copy it, whole.
  MemoryMetaStore copy;
  ASSERT_OK(CopyAllRecords(*views.back(), copy).status());
  ASSERT_OK(ExpectSameRecords(*views.back(), copy));
  EXPECT_EQ(number(copy, "first"), number(*views.back(), "first"));
  // The head went on.
  EXPECT_GT(number(*store_, "first"), at_views);
  views.clear();  // the snapshots go; writes go on
  ASSERT_OK(store_->Apply("first", contract::PutBatch("n", "after")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MetaStore> again, store_->Snapshot());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> now, again->Get("first", "n"));
  EXPECT_EQ(now, "after");
}

}  // namespace
}  // namespace confiance::meta
