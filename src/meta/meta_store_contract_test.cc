// File: meta/meta_store_contract_test.cc
// The MetaStore contract (meta_store.h), one parameterised suite run over
// every implementation (meta_store_contract_test.h says where each is
// instantiated).
#include "meta/meta_store_contract_test.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "meta/counters.h"

namespace confiance::meta::contract {
namespace {

using std::string_literals::operator""s;

TEST_P(MetaStoreContractTest, GetPutDelete) {
  EXPECT_EQ(GetOrDie("p", "k"), std::nullopt);
  Put("p", "k", "v1");
  EXPECT_EQ(GetOrDie("p", "k"), "v1");
  Put("p", "k", "v2");
  EXPECT_EQ(GetOrDie("p", "k"), "v2");
  Batch del;
  del.op_tag = "del";
  del.Delete("k");
  ASSERT_OK(store_->Apply("p", del));
  EXPECT_EQ(GetOrDie("p", "k"), std::nullopt);
  // Deleting an absent key is not an error.
  ASSERT_OK(store_->Apply("p", del));
  // The empty key is a key like any other.
  Put("p", "", "empty-key");
  EXPECT_EQ(GetOrDie("p", ""), "empty-key");
}

// Many put-if-absent batches on one key in flight at once (a store that
// commits in groups checks them in one group): exactly one wins, and the
// others see its write, not the state before the group.
TEST_P(MetaStoreContractTest, ApplyAsyncConditionsSeeEarlierBatchesOfTheirGroup) {
  constexpr int kBatches = 64;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0, lost = 0;
  for (int i = 0; i < kBatches; ++i) {
    Batch b;
    b.op_tag = "t" + std::to_string(i);
    b.Expect("k", std::nullopt).Put("k", std::to_string(i));
    b.Put("other" + std::to_string(i), "x");
    store_->ApplyAsync("p", std::move(b), [&](Status s) {
      std::lock_guard lock(mu);
      if (s.ok()) ++ok;
      if (s.code() == StatusCode::kFailedPrecondition) ++lost;
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done == kBatches; }));
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(lost, kBatches - 1);
  lock.unlock();
  // A losing batch applied nothing, not even its unconditional mutation.
  std::optional<std::string> winner = GetOrDie("p", "k");
  ASSERT_TRUE(winner.has_value());
  for (int i = 0; i < kBatches; ++i) {
    EXPECT_EQ(GetOrDie("p", "other" + std::to_string(i)).has_value(), std::to_string(i) == *winner) << i;
  }
}

TEST_P(MetaStoreContractTest, ConditionAbsent) {
  Batch create;
  create.op_tag = "create";
  create.Expect("k", std::nullopt).Put("k", "first");
  ASSERT_OK(store_->Apply("p", create));
  EXPECT_EQ(GetOrDie("p", "k"), "first");

  Batch again;
  again.op_tag = "again";
  again.Expect("k", std::nullopt).Put("k", "second").Put("other", "x");
  EXPECT_STATUS_CODE(store_->Apply("p", again), kFailedPrecondition);
  EXPECT_EQ(GetOrDie("p", "k"), "first");
  EXPECT_EQ(GetOrDie("p", "other"), std::nullopt);
}

TEST_P(MetaStoreContractTest, ConditionEqualAndMismatch) {
  Put("p", "k", "v1");
  Batch cas;
  cas.op_tag = "cas";
  cas.Expect("k", "v1").Put("k", "v2");
  ASSERT_OK(store_->Apply("p", cas));
  EXPECT_EQ(GetOrDie("p", "k"), "v2");

  // Same batch again: "v1" no longer holds.
  EXPECT_STATUS_CODE(store_->Apply("p", cas), kFailedPrecondition);
  EXPECT_EQ(GetOrDie("p", "k"), "v2");

  // Expecting a value on an absent key fails too.
  Batch on_absent;
  on_absent.op_tag = "on-absent";
  on_absent.Expect("missing", "v").Put("missing", "w");
  EXPECT_STATUS_CODE(store_->Apply("p", on_absent), kFailedPrecondition);
  EXPECT_EQ(GetOrDie("p", "missing"), std::nullopt);

  // A value that is a prefix of the stored one does not match.
  Batch prefix;
  prefix.op_tag = "prefix";
  prefix.Expect("k", "v").Put("k", "v3");
  EXPECT_STATUS_CODE(store_->Apply("p", prefix), kFailedPrecondition);

  // Conditions only: checks, writes nothing.
  Batch check;
  check.op_tag = "check";
  check.Expect("k", "v2").Expect("missing", std::nullopt);
  EXPECT_OK(store_->Apply("p", check));
}

TEST_P(MetaStoreContractTest, BatchIsAllOrNothing) {
  Put("p", "a", "1");
  Put("p", "b", "1");
  Batch batch;
  batch.op_tag = "multi";
  batch.Expect("a", "1").Expect("b", "WRONG").Put("a", "2").Delete("b").Put("c", "2");
  EXPECT_STATUS_CODE(store_->Apply("p", batch), kFailedPrecondition);
  EXPECT_EQ(GetOrDie("p", "a"), "1");
  EXPECT_EQ(GetOrDie("p", "b"), "1");
  EXPECT_EQ(GetOrDie("p", "c"), std::nullopt);

  batch.conditions[1].expected = "1";
  ASSERT_OK(store_->Apply("p", batch));
  EXPECT_EQ(GetOrDie("p", "a"), "2");
  EXPECT_EQ(GetOrDie("p", "b"), std::nullopt);
  EXPECT_EQ(GetOrDie("p", "c"), "2");
}

TEST_P(MetaStoreContractTest, MutationsApplyInOrderAfterConditions) {
  Put("p", "k", "old");
  Batch batch;
  batch.op_tag = "order";
  // Conditions see the state before the batch, whatever the mutations do.
  batch.Expect("k", "old").Put("k", "mid").Delete("k").Put("k", "last");
  batch.Put("gone", "x").Delete("gone");
  ASSERT_OK(store_->Apply("p", batch));
  EXPECT_EQ(GetOrDie("p", "k"), "last");
  EXPECT_EQ(GetOrDie("p", "gone"), std::nullopt);
}

TEST_P(MetaStoreContractTest, RejectsEmptyPartitionAndEmptyValues) {
  EXPECT_STATUS_CODE(store_->Get("", "k"), kInvalidArgument);
  EXPECT_STATUS_CODE(store_->Apply("", PutBatch("k", "v")), kInvalidArgument);
  EXPECT_STATUS_CODE(store_->Scan("", ScanOptions()), kInvalidArgument);
  EXPECT_STATUS_CODE(store_->DropPartition(""), kInvalidArgument);
  EXPECT_STATUS_CODE(store_->Apply("p", PutBatch("k", "")), kInvalidArgument);
  Batch expects_empty;
  expects_empty.Expect("k", "").Put("k", "v");
  EXPECT_STATUS_CODE(store_->Apply("p", expects_empty), kInvalidArgument);
  EXPECT_EQ(GetOrDie("p", "k"), std::nullopt);
}

TEST_P(MetaStoreContractTest, PartitionsAreIsolated) {
  // Names that are prefixes of one another, or differ only by 0x00 / 0xFF.
  const std::vector<std::string> partitions = {"p", "pa", "p\0"s, "p\0\0"s, "p\x01", "p\xFF",
                                               "\0"s, "\xFF"};
  for (const std::string& p : partitions) {
    Put(p, "k", "value-of-" + p);
    Put(p, "", "empty-of-" + p);
    Put(p, "\xFF\xFF", "max-of-" + p);
  }
  for (const std::string& p : partitions) {
    EXPECT_EQ(GetOrDie(p, "k"), "value-of-" + p);
    std::vector<Record> all = ScanOrDie(p, ScanOptions());
    ASSERT_EQ(all.size(), 3u) << "partition of size " << p.size();
    EXPECT_EQ(all[0].value, "empty-of-" + p);
    EXPECT_EQ(all[1].value, "value-of-" + p);
    EXPECT_EQ(all[2].value, "max-of-" + p);
  }
  EXPECT_TRUE(ScanOrDie("q", ScanOptions()).empty());
  EXPECT_EQ(GetOrDie("q", "k"), std::nullopt);
}

TEST_P(MetaStoreContractTest, ScanOrdersBinaryKeysLikeMemcmp) {
  std::vector<std::string> keys = {"",        "\0"s,   "\0\0"s, "\0\xFF"s, "\x01",   "a",
                                   "a\0"s,    "a\0b"s, "ab",    "b",       "\x7F",   "\x80",
                                   "\xFE\xFF", "\xFF",  "\xFF\0"s, "\xFF\xFF", "\xFF\xFF\xFF"};
  std::vector<std::string> shuffled = keys;
  std::reverse(shuffled.begin(), shuffled.end());
  std::swap(shuffled[2], shuffled[9]);
  for (const std::string& k : shuffled) Put("p", k, "v" + std::to_string(k.size()));
  std::sort(keys.begin(), keys.end());  // std::string compares as memcmp
  EXPECT_EQ(Keys(ScanOrDie("p", ScanOptions())), keys);
}

TEST_P(MetaStoreContractTest, ScanBoundsAndLimit) {
  for (const char* k : {"a", "b", "c", "d", "e"}) Put("p", k, k);
  auto scan = [&](std::string start, bool exclusive, std::string end, size_t limit) {
    ScanOptions o;
    o.start = std::move(start);
    o.start_exclusive = exclusive;
    o.end = std::move(end);
    o.limit = limit;
    return Keys(ScanOrDie("p", o));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(scan("", false, "", 1000), (V{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(scan("b", false, "", 1000), (V{"b", "c", "d", "e"}));
  EXPECT_EQ(scan("b", true, "", 1000), (V{"c", "d", "e"}));
  EXPECT_EQ(scan("bb", true, "", 1000), (V{"c", "d", "e"}));  // absent start
  EXPECT_EQ(scan("b", false, "d", 1000), (V{"b", "c"}));
  EXPECT_EQ(scan("b", true, "d", 1000), (V{"c"}));
  EXPECT_EQ(scan("", false, "", 2), (V{"a", "b"}));
  EXPECT_EQ(scan("b", true, "", 2), (V{"c", "d"}));
  EXPECT_EQ(scan("", false, "", 0), V{});
  EXPECT_EQ(scan("d", false, "b", 1000), V{});  // end before start
  EXPECT_EQ(scan("c", false, "c", 1000), V{});
  EXPECT_EQ(scan("f", false, "", 1000), V{});

  // Paging with start_exclusive visits every record once.
  V paged;
  std::string after;
  bool first = true;
  for (;;) {
    V page = scan(after, !first, "", 2);
    if (page.empty()) break;
    paged.insert(paged.end(), page.begin(), page.end());
    after = page.back();
    first = false;
  }
  EXPECT_EQ(paged, (V{"a", "b", "c", "d", "e"}));
}

TEST_P(MetaStoreContractTest, ScanEachVisitsWhatScanReturnsAndStopsWhenAsked) {
  for (const char* k : {"a", "b", "c", "d", "e"}) Put("p", k, std::string(k) + "-value");
  for (bool exclusive : {false, true}) {
    ScanOptions o;
    o.start = "b";
    o.start_exclusive = exclusive;
    o.end = "e";
    o.limit = 1000;
    std::vector<Record> visited;
    ASSERT_TRUE(store_->ScanEach("p", o, [&](std::string_view k, std::string_view v) {
                       visited.push_back({std::string(k), std::string(v)});
                       return true;
                     }).ok());
    std::vector<Record> scanned = ScanOrDie("p", o);
    ASSERT_EQ(visited.size(), scanned.size());
    for (size_t i = 0; i < visited.size(); ++i) {
      EXPECT_EQ(visited[i].key, scanned[i].key);
      EXPECT_EQ(visited[i].value, scanned[i].value);
    }
  }
  // false stops the walk; the limit bounds it.
  std::vector<std::string> seen;
  ScanOptions o;
  o.limit = 1000;
  ASSERT_TRUE(store_->ScanEach("p", o, [&](std::string_view k, std::string_view) {
                     seen.emplace_back(k);
                     return seen.size() < 2;
                   }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  seen.clear();
  o.limit = 3;
  ASSERT_TRUE(store_->ScanEach("p", o, [&](std::string_view k, std::string_view) {
                     seen.emplace_back(k);
                     return true;
                   }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_STATUS_CODE(store_->ScanEach("", o, [](std::string_view, std::string_view) { return true; }),
                     kInvalidArgument);
}

TEST_P(MetaStoreContractTest, ListPartitions) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ListOrDie("", "", 100), V{});
  for (std::string p : {"b/1"s, "b/2"s, "b/10"s, "a"s, "b\0x"s, "c"s, "b"s}) Put(p, "k", "v");
  EXPECT_EQ(ListOrDie("", "", 100), (V{"a", "b", "b\0x"s, "b/1", "b/10", "b/2", "c"}));
  EXPECT_EQ(ListOrDie("b/", "", 100), (V{"b/1", "b/10", "b/2"}));
  EXPECT_EQ(ListOrDie("b/", "b/1", 100), (V{"b/10", "b/2"}));
  EXPECT_EQ(ListOrDie("b/", "b/10", 1), (V{"b/2"}));
  EXPECT_EQ(ListOrDie("b/", "a", 100), (V{"b/1", "b/10", "b/2"}));  // start_after < prefix
  EXPECT_EQ(ListOrDie("b", "", 2), (V{"b", "b\0x"s}));
  EXPECT_EQ(ListOrDie("b", "b", 100), (V{"b\0x"s, "b/1", "b/10", "b/2"}));
  EXPECT_EQ(ListOrDie("", "b/2", 100), (V{"c"}));
  EXPECT_EQ(ListOrDie("d", "", 100), V{});
  EXPECT_EQ(ListOrDie("", "", 0), V{});

  // A partition whose last record is deleted no longer exists.
  Batch del;
  del.op_tag = "del";
  del.Delete("k");
  ASSERT_OK(store_->Apply("b/10", del));
  EXPECT_EQ(ListOrDie("b/", "", 100), (V{"b/1", "b/2"}));
}

TEST_P(MetaStoreContractTest, DropPartition) {
  for (std::string p : {"p"s, "p\0"s, "pa"s, "o"s}) {
    for (std::string k : {""s, "a"s, "\xFF"s}) Put(p, k, "v");
  }
  ASSERT_OK(store_->DropPartition("p"));
  EXPECT_TRUE(ScanOrDie("p", ScanOptions()).empty());
  EXPECT_EQ(GetOrDie("p", "a"), std::nullopt);
  for (std::string p : {"p\0"s, "pa"s, "o"s}) EXPECT_EQ(ScanOrDie(p, ScanOptions()).size(), 3u);
  EXPECT_EQ(ListOrDie("", "", 100), (std::vector<std::string>{"o", "p\0"s, "pa"}));

  ASSERT_OK(store_->DropPartition("absent"));
  // A dropped partition can be written again.
  Put("p", "new", "v");
  EXPECT_EQ(Keys(ScanOrDie("p", ScanOptions())), std::vector<std::string>{"new"});
}

TEST_P(MetaStoreContractTest, ConcurrentCasIncrementsAreExact) {
  constexpr int kThreads = 8;
  constexpr int kIncrementsPerThread = 40;
  std::atomic<int> errors{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrementsPerThread; ++i) {
        for (;;) {
          Result<std::optional<std::string>> current = store_->Get("counters", "c");
          if (!current.ok()) {
            ++errors;
            return;
          }
          int n = current->has_value() ? std::stoi(**current) : 0;
          Batch b;
          b.op_tag = "inc-" + std::to_string(t) + "-" + std::to_string(i);
          b.Expect("c", *current).Put("c", std::to_string(n + 1));
          // Each thread also writes its own key in the same partition.
          b.Put("t" + std::to_string(t), std::to_string(i + 1));
          Status s = store_->Apply("counters", b);
          if (s.ok()) break;
          if (s.code() != StatusCode::kFailedPrecondition) {
            ++errors;
            return;
          }
          ++conflicts;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(GetOrDie("counters", "c"), std::to_string(kThreads * kIncrementsPerThread));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(GetOrDie("counters", "t" + std::to_string(t)),
              std::to_string(kIncrementsPerThread));
  }
}

TEST_P(MetaStoreContractTest, ConcurrentAddsNeverConflictAndSumExactly) {
  constexpr int kThreads = 8;
  constexpr int kAddsPerThread = 40;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAddsPerThread; ++i) {
        Batch b;
        b.op_tag = "add-" + std::to_string(t) + "-" + std::to_string(i);
        // A CAS-guarded key of the thread's own rides in the same batch.
        b.Expect("t" + std::to_string(t), i == 0 ? std::nullopt : std::optional<std::string>(std::to_string(i)))
            .Put("t" + std::to_string(t), std::to_string(i + 1))
            .Add("", {100, -1, 1});
        if (!store_->Apply("usage", b).ok()) ++errors;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> sum, DecodeCounters(GetOrDie("usage", "").value_or("")));
  const int64_t n = kThreads * kAddsPerThread;
  EXPECT_EQ(sum, (std::vector<int64_t>{100 * n, -n, n}));
}

TEST_P(MetaStoreContractTest, AddGrowsCountersAndSeesEarlierMutations) {
  Batch b;
  b.Add("c", {5}).Add("c", {1, 2});
  ASSERT_OK(store_->Apply("p", b));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> v, DecodeCounters(GetOrDie("p", "c").value_or("")));
  EXPECT_EQ(v, (std::vector<int64_t>{6, 2}));
  Batch del;
  del.Delete("c").Add("c", {7});
  ASSERT_OK(store_->Apply("p", del));
  ASSERT_OK_AND_ASSIGN(v, DecodeCounters(GetOrDie("p", "c").value_or("")));
  EXPECT_EQ(v, (std::vector<int64_t>{7}));
}

TEST_P(MetaStoreContractTest, AddOnMalformedCounterFailsTheWholeBatch) {
  Put("p", "c", "not a counter");
  Batch b;
  b.Put("other", "x").Add("c", {1});
  Status s = store_->Apply("p", b);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> other, store_->Get("p", "other"));
  EXPECT_FALSE(other.has_value());
  EXPECT_EQ(GetOrDie("p", "c"), "not a counter");
}

TEST_P(MetaStoreContractTest, ReopenPersists) {
  if (!GetParam().persists) GTEST_SKIP() << "this store keeps nothing";
  Put("p", "k", "v");
  Put("q\0"s, "\0"s, "w");
  Put("gone", "k", "v");
  ASSERT_OK(store_->DropPartition("gone"));
  store_.reset();
  OpenStore();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(GetOrDie("p", "k"), "v");
  EXPECT_EQ(GetOrDie("q\0"s, "\0"s), "w");
  EXPECT_EQ(ListOrDie("", "", 100), (std::vector<std::string>{"p", "q\0"s}));
}

TEST_P(MetaStoreContractTest, SecondOpenOfTheSamePlaceFails) {
  if (!GetParam().exclusive) GTEST_SKIP() << "this store has no place of its own";
  Put("p", "k", "v");
  EXPECT_FALSE(GetParam().open(dir_).ok());
  // The first store is unharmed.
  Put("p", "k", "w");
  EXPECT_EQ(GetOrDie("p", "k"), "w");
}

}  // namespace
}  // namespace confiance::meta::contract
