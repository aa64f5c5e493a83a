// File: audit/transparency_log_test.cc
// The durable log over the real RocksDB store (with power loss simulated
// by FaultInjectionEnv) and over the in-memory fake: indices, tiles,
// proofs, group commit, crash recovery and refusal of a tampered store.
#include "audit/transparency_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "audit/append_sync_testing.h"
#include "audit/audit_log.h"
#include "audit/tlog/checkpoint.h"
#include "audit/tlog/tiles.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "tests/testutil/fault_injection_env.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::audit {
namespace {

tlog::NoteSigner TestSigner(std::string name = "s3.test.example") { return testutil::NewNoteSigner(std::move(name)); }

using testing::AppendSync;

std::string EntryText(uint64_t i) { return "entry-" + std::to_string(i) + std::string(i % 17, '#'); }

// The stored layout (docs/audit-log.md), for tests that write behind the
// log's back.
std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (56 - 8 * i));
  return out;
}
std::string EntryKey(uint64_t index) { return "e" + BigEndian64(index); }
std::string NodeKey(int level, uint64_t index) { return std::string("h") + static_cast<char>(level) + BigEndian64(index); }
// The "s" record of a log holding `entries`: size, then its right edge.
std::string SizeRecordOf(const std::vector<std::string>& entries) {
  tlog::CompactRange range;
  for (const auto& e : entries) range.Append(tlog::HashLeaf(e), [](int, uint64_t, const tlog::Hash&) {});
  std::string out = BigEndian64(range.size());
  for (const auto& h : range.hashes()) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

// The reference root of entries [0, n): the RFC definition, recursively.
tlog::Hash RefRoot(const std::vector<std::string>& d, size_t lo, size_t hi) {
  if (hi == lo) return tlog::EmptyRoot();
  if (hi - lo == 1) return tlog::HashLeaf(d[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return tlog::HashChildren(RefRoot(d, lo, lo + k), RefRoot(d, lo + k, hi));
}

class TransparencyLogTest : public ::testing::Test {
 protected:
  TransparencyLogTest() : fault_env_(*Env::Default()), signer_(TestSigner()) {}

  void OpenStore() {
    meta::RocksMetaStore::Options options;
    options.path = dir_.Sub("db");
    options.env = &fault_env_;
    options.block_cache_bytes = 1 << 20;
    ASSERT_OK_AND_ASSIGN(store_, meta::RocksMetaStore::Open(options));
  }
  void OpenLog() { ASSERT_OK_AND_ASSIGN(log_, TransparencyLog::Open(*store_, "s3.test.example/tenant/acme", signer_)); }
  void CrashAndReopen() {
    log_.reset();
    fault_env_.SetFilesystemActive(false);
    store_.reset();
    ASSERT_OK(fault_env_.SimulatePowerLoss());
    fault_env_.SetFilesystemActive(true);
    OpenStore();
  }

  testutil::TempDir dir_;
  testutil::FaultInjectionEnv fault_env_;
  tlog::NoteSigner signer_;
  std::unique_ptr<meta::RocksMetaStore> store_;
  std::unique_ptr<TransparencyLog> log_;
};

TEST_F(TransparencyLogTest, ConcurrentAppendsGetDistinctIndicesAndAValidTree) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  constexpr int kThreads = 8, kPerThread = 75;
  std::vector<std::string> by_index(kThreads * kPerThread);
  std::mutex mu;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string e = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = AppendSync(*log_, e);
        if (!r.ok() || *r >= by_index.size()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        if (!by_index[*r].empty()) ++failures;
        by_index[*r] = e;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(log_->size(), by_index.size());
  EXPECT_EQ(log_->root(), RefRoot(by_index, 0, by_index.size()));
  for (uint64_t i = 0; i < by_index.size(); i += 37) {
    ASSERT_OK_AND_ASSIGN(std::string e, log_->Entry(i));
    EXPECT_EQ(e, by_index[i]);
    ASSERT_OK_AND_ASSIGN(auto proof, log_->InclusionProof(i, by_index.size()));
    EXPECT_OK(tlog::VerifyInclusion(i, by_index.size(), tlog::HashLeaf(e), proof, log_->root()));
  }
  ASSERT_OK_AND_ASSIGN(auto cproof, log_->ConsistencyProof(300, by_index.size()));
  EXPECT_OK(tlog::VerifyConsistency(300, by_index.size(), RefRoot(by_index, 0, 300), log_->root(), cproof));
  EXPECT_STATUS_CODE(log_->Entry(by_index.size()), kOutOfRange);
}

TEST_F(TransparencyLogTest, TilesHoldTheStoredHashesAndEntries) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  std::vector<std::string> entries;
  for (uint64_t i = 0; i < 600; ++i) {
    entries.push_back(EntryText(i));
    log_->Append(entries.back(), [](Result<uint64_t>) {});
  }
  ASSERT_OK(AppendSync(*log_, "last"));
  entries.push_back("last");
  ASSERT_EQ(log_->size(), 601u);
  // Level-0 tile 2 is partial: leaves 512..600.
  EXPECT_EQ(tlog::TileWidth(0, 2, 601), 89u);
  ASSERT_OK_AND_ASSIGN(std::string tile, log_->HashTile(0, 2, 89));
  ASSERT_OK_AND_ASSIGN(auto hashes, tlog::DecodeHashTile(tile));
  ASSERT_EQ(hashes.size(), 89u);
  EXPECT_EQ(hashes[0], tlog::HashLeaf(entries[512]));
  EXPECT_EQ(hashes[88], tlog::HashLeaf(entries[600]));
  // Level-1 tile 0 holds the roots of the two complete 256-leaf subtrees.
  ASSERT_OK_AND_ASSIGN(tile, log_->HashTile(1, 0, 2));
  ASSERT_OK_AND_ASSIGN(hashes, tlog::DecodeHashTile(tile));
  EXPECT_EQ(hashes[0], RefRoot(entries, 0, 256));
  EXPECT_EQ(hashes[1], RefRoot(entries, 256, 512));
  EXPECT_STATUS_CODE(log_->HashTile(1, 0, 3), kOutOfRange);
  EXPECT_STATUS_CODE(log_->HashTile(0, 2, 90), kOutOfRange);
  ASSERT_OK_AND_ASSIGN(std::string bundle, log_->EntryBundle(1, 256));
  ASSERT_OK_AND_ASSIGN(auto decoded, tlog::DecodeEntryBundle(bundle));
  EXPECT_EQ(decoded, std::vector<std::string>(entries.begin() + 256, entries.begin() + 512));
}

TEST_F(TransparencyLogTest, CheckpointIsSignedAndSurvivesReopen) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  for (int i = 0; i < 10; ++i) ASSERT_OK(AppendSync(*log_, EntryText(i)));
  ASSERT_OK_AND_ASSIGN(std::string note, log_->PublishCheckpoint());
  ASSERT_OK_AND_ASSIGN(auto verifier, tlog::NoteVerifier::FromKey(signer_.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(std::string text, verifier.Open(note));
  ASSERT_OK_AND_ASSIGN(tlog::Checkpoint cp, tlog::ParseCheckpoint(text));
  EXPECT_EQ(cp.origin, "s3.test.example/tenant/acme");
  EXPECT_EQ(cp.size, 10u);
  EXPECT_EQ(cp.root, log_->root());
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  ASSERT_OK_AND_ASSIGN(std::string latest, log_->LatestCheckpoint());
  EXPECT_EQ(latest, note);
}

TEST_F(TransparencyLogTest, AcknowledgedEntriesSurvivePowerLoss) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  std::vector<std::string> acked;
  for (int round = 0; round < 3; ++round) {
    ASSERT_NO_FATAL_FAILURE(OpenLog());
    ASSERT_EQ(log_->size(), acked.size());
    // Concurrent appends; every acknowledged one must survive.
    std::vector<std::thread> threads;
    std::mutex mu;
    std::map<uint64_t, std::string> got;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          std::string e = "r" + std::to_string(round) + "t" + std::to_string(t) + "i" + std::to_string(i);
          auto r = AppendSync(*log_, e);
          ASSERT_TRUE(r.ok());
          std::lock_guard lock(mu);
          got[*r] = e;
        }
      });
    }
    for (auto& t : threads) t.join();
    for (auto& [i, e] : got) {
      ASSERT_EQ(i, acked.size());
      acked.push_back(e);
    }
    ASSERT_OK(log_->PublishCheckpoint());
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
    ASSERT_NO_FATAL_FAILURE(OpenLog());
    ASSERT_EQ(log_->size(), acked.size());
    EXPECT_EQ(log_->root(), RefRoot(acked, 0, acked.size()));
    for (size_t i = 0; i < acked.size(); i += 11) {
      ASSERT_OK_AND_ASSIGN(std::string e, log_->Entry(i));
      EXPECT_EQ(e, acked[i]);
    }
    log_.reset();
  }
}

TEST_F(TransparencyLogTest, FailedSyncFailsTheGroupAndLaterAppends) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  LogStats stats;
  GroupOptions group;
  group.stats = &stats;
  ASSERT_OK_AND_ASSIGN(log_, TransparencyLog::Open(*store_, "s3.test.example/tenant/acme", signer_, group));
  ASSERT_OK(AppendSync(*log_, "ok"));
  fault_env_.FailAfter(1, EIO, testutil::kFaultSync);
  EXPECT_FALSE(AppendSync(*log_, "during").ok());
  EXPECT_STATUS_CODE(AppendSync(*log_, "after"), kUnavailable);
  EXPECT_EQ(stats.entries.value(), 1u);
  EXPECT_EQ(stats.groups.value(), 1u);
  EXPECT_EQ(stats.failed_groups.value(), 1u);  // "after" never reached the store
  fault_env_.ClearFailure();
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  // "during" may or may not have landed; the tree is whole either way.
  ASSERT_GE(log_->size(), 1u);
  ASSERT_LE(log_->size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::string first, log_->Entry(0));
  EXPECT_EQ(first, "ok");
  EXPECT_OK(AppendSync(*log_, "next"));
}

TEST_F(TransparencyLogTest, OpenRefusesATamperedStore) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  for (int i = 0; i < 5; ++i) ASSERT_OK(AppendSync(*log_, EntryText(i)));
  ASSERT_OK(log_->PublishCheckpoint());
  log_.reset();
  std::string partition = TransparencyLog::PartitionName("s3.test.example/tenant/acme");
  // Rewrite the last entry behind the log's back.
  meta::Batch tamper;
  tamper.Put(EntryKey(4), "\x01rewritten");
  ASSERT_OK(store_->Apply(partition, tamper));
  EXPECT_STATUS_CODE(TransparencyLog::Open(*store_, "s3.test.example/tenant/acme", signer_), kDataLoss);
  // Roll the tree back, consistently, below the published checkpoint.
  meta::Batch rollback;
  rollback.Put("s", SizeRecordOf({EntryText(0), EntryText(1), EntryText(2)}));
  rollback.Delete(EntryKey(4));
  rollback.Delete(EntryKey(3));
  ASSERT_OK(store_->Apply(partition, rollback));
  auto reopened = TransparencyLog::Open(*store_, "s3.test.example/tenant/acme", signer_);
  EXPECT_STATUS_CODE(reopened, kDataLoss);
  EXPECT_NE(reopened.status().message().find("checkpoint is ahead"), std::string::npos) << reopened.status().message();
}

// Hashes of subtrees under 256 leaves are recomputed, not stored: a
// rewritten entry at the tail must still be caught at open, where the size
// ends inside a block of 256 entries (against the edge stored with the
// size) and where it ends one (against the stored hash of that block).
TEST_F(TransparencyLogTest, OpenRefusesARewrittenTailEntryWithoutACheckpoint) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  for (uint64_t n : {300u, 256u}) {
    SCOPED_TRACE(n);
    const std::string origin = "s3.test.example/tenant/n" + std::to_string(n);
    {
      ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(*store_, origin, signer_));
      for (uint64_t i = 0; i + 1 < n; ++i) log->Append(EntryText(i), [](Result<uint64_t>) {});
      ASSERT_OK(AppendSync(*log, "tail"));
      ASSERT_EQ(log->size(), n);
    }
    ASSERT_OK(TransparencyLog::Open(*store_, origin, signer_));
    meta::Batch tamper;
    tamper.Put(EntryKey(n - 7), "\x01rewritten");
    ASSERT_OK(store_->Apply(TransparencyLog::PartitionName(origin), tamper));
    EXPECT_STATUS_CODE(TransparencyLog::Open(*store_, origin, signer_), kDataLoss);
  }
}

TEST_F(TransparencyLogTest, OnlyNodesOf256LeavesAndUpAreStored) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  for (uint64_t i = 0; i < 600; ++i) log_->Append(EntryText(i), [](Result<uint64_t>) {});
  ASSERT_OK(AppendSync(*log_, EntryText(600)));
  meta::ScanOptions scan;
  scan.start = "h";
  scan.end = "i";
  ASSERT_OK_AND_ASSIGN(auto nodes, store_->Scan(TransparencyLog::PartitionName(log_->origin()), scan));
  std::vector<std::string> expected = {NodeKey(8, 0), NodeKey(8, 1), NodeKey(9, 0)};
  std::vector<std::string> keys;
  for (const auto& r : nodes) keys.push_back(r.key);
  EXPECT_EQ(keys, expected);
}

// A log stored before the right edge joined the size record: 8-byte size,
// a stored hash for every node. It opens, serves proofs, and appends on.
TEST_F(TransparencyLogTest, ReadsAndExtendsALogInTheOlderLayout) {
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  std::vector<std::string> entries;
  meta::Batch old;
  tlog::CompactRange range;
  for (uint64_t i = 0; i < 300; ++i) {
    entries.push_back(EntryText(i));
    old.Put(EntryKey(i), "\x01" + entries.back());
    range.Append(tlog::HashLeaf(entries.back()), [&old](int level, uint64_t index, const tlog::Hash& h) {
      old.Put(NodeKey(level, index), std::string(reinterpret_cast<const char*>(h.data()), h.size()));
    });
  }
  old.Put("s", BigEndian64(300));
  const std::string partition = TransparencyLog::PartitionName("s3.test.example/tenant/acme");
  ASSERT_OK(store_->Apply(partition, old));
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  ASSERT_EQ(log_->size(), 300u);
  EXPECT_EQ(log_->root(), RefRoot(entries, 0, 300));
  for (uint64_t i = 0; i < 310; ++i) {
    if (i >= 300) {
      entries.push_back(EntryText(i));
      ASSERT_OK_AND_ASSIGN(uint64_t index, AppendSync(*log_, entries.back()));
      ASSERT_EQ(index, i);
    }
  }
  ASSERT_NO_FATAL_FAILURE(CrashAndReopen());
  ASSERT_NO_FATAL_FAILURE(OpenLog());
  ASSERT_EQ(log_->size(), 310u);
  EXPECT_EQ(log_->root(), RefRoot(entries, 0, 310));
  for (uint64_t i : {0u, 255u, 256u, 299u, 300u, 309u}) {
    ASSERT_OK_AND_ASSIGN(auto proof, log_->InclusionProof(i, 310));
    EXPECT_OK(tlog::VerifyInclusion(i, 310, tlog::HashLeaf(entries[i]), proof, log_->root()));
  }
  ASSERT_OK_AND_ASSIGN(auto cproof, log_->ConsistencyProof(300, 310));
  EXPECT_OK(tlog::VerifyConsistency(300, 310, RefRoot(entries, 0, 300), log_->root(), cproof));
  // An older-layout log whose tail entry was rewritten is refused too.
  log_.reset();
  meta::Batch back;
  back.Put("s", BigEndian64(300));
  for (uint64_t i = 300; i < 310; ++i) back.Delete(EntryKey(i));
  back.Put(EntryKey(299), "\x01rewritten");
  ASSERT_OK(store_->Apply(partition, back));
  EXPECT_STATUS_CODE(TransparencyLog::Open(*store_, "s3.test.example/tenant/acme", signer_), kDataLoss);
}

// A store that holds every ApplyAsync completion until released, to watch
// appends queue behind the batch in flight. ApplyHere completes at once,
// on the caller's thread, as RocksMetaStore's does.
class HeldStore : public meta::ForwardingMetaStore {
 public:
  HeldStore() : ForwardingMetaStore(memory_) {}
  void ApplyAsync(std::string_view partition, meta::Batch batch, std::function<void(Status)> done) override {
    Status st = memory_.Apply(partition, batch);
    std::lock_guard lock(mu_);
    ++batches_;
    held_.push_back([done, st] { done(st); });
  }
  void ApplyHere(std::string_view partition, meta::Batch batch, std::function<void(Status)> done) override {
    Status st = memory_.Apply(partition, batch);
    {
      std::lock_guard lock(mu_);
      ++batches_;
      ++here_;
    }
    done(st);
  }
  // Batches committed on the caller's thread (ApplyHere).
  int here() {
    std::lock_guard lock(mu_);
    return here_;
  }
  void ReleaseAll() {
    for (;;) {
      std::vector<std::function<void()>> held;
      {
        std::lock_guard lock(mu_);
        held.swap(held_);
      }
      if (held.empty()) return;
      for (auto& f : held) f();
    }
  }
  // Completes the batches held now (not those their completions send).
  void ReleaseOnce() {
    std::vector<std::function<void()>> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& f : held) f();
  }
  int batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }
  int held() {
    std::lock_guard lock(mu_);
    return static_cast<int>(held_.size());
  }

 private:
  meta::MemoryMetaStore memory_;
  std::mutex mu_;
  int batches_ = 0;
  int here_ = 0;
  std::vector<std::function<void()>> held_;
};

TEST(TransparencyLogGroupCommitTest, AppendsDuringAFlightShareOneBatch) {
  HeldStore store;
  tlog::NoteSigner signer = TestSigner();
  ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(store, "o/tenant/t", signer));
  std::vector<uint64_t> indices;
  std::mutex mu;
  for (int i = 0; i < 100; ++i) {
    log->Append(EntryText(i), [&](Result<uint64_t> r) {
      ASSERT_TRUE(r.ok());
      std::lock_guard lock(mu);
      indices.push_back(*r);
    });
  }
  EXPECT_EQ(store.batches(), 1);  // the first entry alone; 99 wait
  EXPECT_EQ(log->size(), 0u);     // nothing acknowledged before durability
  store.ReleaseAll();
  EXPECT_EQ(store.batches(), 2);  // the 99 went out together
  ASSERT_EQ(indices.size(), 100u);
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(indices[i], i);
  EXPECT_EQ(log->size(), 100u);
}

// Collects the indices (or errors) that appends report.
struct Results {
  std::mutex mu;
  std::map<std::string, Result<uint64_t>> by_entry;
  AppendCallback For(const std::string& entry) {
    return [this, entry](Result<uint64_t> r) {
      std::lock_guard lock(mu);
      by_entry.emplace(entry, std::move(r));
    };
  }
  size_t count() {
    std::lock_guard lock(mu);
    return by_entry.size();
  }
};

TEST(TransparencyLogLingerTest, HoldsTheNextGroupUntilTheOutstandingAppendsQueued) {
  HeldStore store;
  LingerTimer timer;
  tlog::NoteSigner signer = TestSigner();
  GroupOptions group;
  group.timer = &timer;
  group.max_linger = std::chrono::hours(1);  // only the appends end the linger here
  ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(store, "o/tenant/t", signer, group));
  Results results;
  log->Append("a", results.For("a"));  // alone: sent at once
  log->Append("b", results.For("b"));
  log->Append("c", results.For("c"));
  ASSERT_EQ(store.batches(), 1);
  store.ReleaseOnce();
  // "a" is durable; three appends were outstanding, two are queued: the
  // log waits for the third rather than sending a group of two.
  ASSERT_EQ(results.count(), 1u);
  EXPECT_EQ(*results.by_entry.at("a"), 0u);
  EXPECT_EQ(store.batches(), 1);
  EXPECT_EQ(log->size(), 1u);
  log->Append("d", results.For("d"));  // fills the group: sent by this call
  EXPECT_EQ(store.batches(), 2);
  EXPECT_EQ(store.held(), 1);
  store.ReleaseOnce();
  ASSERT_EQ(results.count(), 4u);
  EXPECT_EQ(*results.by_entry.at("b"), 1u);
  EXPECT_EQ(*results.by_entry.at("c"), 2u);
  EXPECT_EQ(*results.by_entry.at("d"), 3u);
  EXPECT_EQ(log->size(), 4u);
}

// The linger of HoldsTheNextGroupUntilTheOutstandingAppendsQueued with a
// ServerLoad: the Append that fills the group commits it on its own thread
// only if the group holds an append per open connection.
TEST(TransparencyLogInlineCommitTest, AFullGroupOfEveryConnectionCommitsOnTheFillingThread) {
  for (size_t connections : {size_t{3}, size_t{4}}) {
    SCOPED_TRACE(connections);
    HeldStore store;
    LingerTimer timer;
    ServerLoad load;
    load.open_connections = connections;
    tlog::NoteSigner signer = TestSigner();
    GroupOptions group;
    group.timer = &timer;
    group.max_linger = std::chrono::hours(1);
    group.load = &load;
    ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(store, "o/tenant/t", signer, group));
    Results results;
    log->Append("a", results.For("a"));  // a group of one, fewer than the connections
    EXPECT_EQ(store.here(), 0);
    log->Append("b", results.For("b"));
    log->Append("c", results.For("c"));
    store.ReleaseOnce();  // lingers for three
    ASSERT_EQ(results.count(), 1u);
    log->Append("d", results.For("d"));  // fills {b, c, d}
    EXPECT_EQ(store.batches(), 2);
    if (connections == 3) {
      // Every connection waits on the group: committed and completed
      // before Append returned.
      EXPECT_EQ(store.here(), 1);
      EXPECT_EQ(store.held(), 0);
      ASSERT_EQ(results.count(), 4u);
    } else {
      // A fourth connection may have a request to process: the committer
      // takes the group.
      EXPECT_EQ(store.here(), 0);
      EXPECT_EQ(store.held(), 1);
      EXPECT_EQ(results.count(), 1u);
      store.ReleaseOnce();
      ASSERT_EQ(results.count(), 4u);
    }
    EXPECT_EQ(*results.by_entry.at("d"), 3u);
    EXPECT_EQ(log->size(), 4u);
  }
}

TEST(TransparencyLogInlineCommitTest, OneClientAtATimeCommitsOnItsThreadAndWithoutLoadNever) {
  HeldStore store;
  ServerLoad load;
  load.open_connections = 1;
  tlog::NoteSigner signer = TestSigner();
  GroupOptions group;
  group.load = &load;
  ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(store, "o/tenant/t", signer, group));
  Results results;
  log->Append("a", results.For("a"));
  EXPECT_EQ(store.here(), 1);
  EXPECT_EQ(results.count(), 1u);
  log->Append("b", results.For("b"));
  EXPECT_EQ(store.here(), 2);
  EXPECT_EQ(*results.by_entry.at("b"), 1u);
  // No ServerLoad: the committer, always.
  log.reset();
  ASSERT_OK_AND_ASSIGN(log, TransparencyLog::Open(store, "o/tenant/t", signer));
  log->Append("c", results.For("c"));
  EXPECT_EQ(store.here(), 2);
  EXPECT_EQ(store.held(), 1);
  store.ReleaseOnce();
  EXPECT_EQ(*results.by_entry.at("c"), 2u);
}

TEST(TransparencyLogLingerTest, TheTimerSendsAGroupThatDoesNotFill) {
  HeldStore store;
  LingerTimer timer;
  tlog::NoteSigner signer = TestSigner();
  GroupOptions group;
  group.timer = &timer;
  group.max_linger = std::chrono::milliseconds(30);
  ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(store, "o/tenant/t", signer, group));
  Results results;
  log->Append("a", results.For("a"));
  log->Append("b", results.For("b"));
  // Before the release: the linger's deadline is at least max_linger after it.
  auto start = std::chrono::steady_clock::now();
  store.ReleaseOnce();  // two outstanding, one queued: linger
  EXPECT_EQ(store.batches(), 1);
  // Nobody else appends: the timer must send "b" after about max_linger.
  while (store.held() == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
  ASSERT_EQ(store.held(), 1);
  // "c" queues behind the timer's group: two outstanding at its completion,
  // but the estimate just overshot, so "c" goes out without a wait.
  log->Append("c", results.For("c"));
  store.ReleaseOnce();
  ASSERT_EQ(results.count(), 2u);
  EXPECT_EQ(*results.by_entry.at("b"), 1u);
  EXPECT_EQ(store.batches(), 3);
  store.ReleaseOnce();
  EXPECT_EQ(*results.by_entry.at("c"), 2u);
  // That group was "c" alone with nothing queued: one client at a time
  // never waits.
  log->Append("d", results.For("d"));
  EXPECT_EQ(store.batches(), 4);
  store.ReleaseOnce();
  EXPECT_EQ(*results.by_entry.at("d"), 3u);
}

TEST(TransparencyLogLingerTest, WithoutATimerTheQueueGoesOutAtOnce) {
  HeldStore store;
  tlog::NoteSigner signer = TestSigner();
  ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(store, "o/tenant/t", signer));
  Results results;
  log->Append("a", results.For("a"));
  log->Append("b", results.For("b"));
  store.ReleaseOnce();
  EXPECT_EQ(store.batches(), 2);  // "b" sent by the completion of "a"
  store.ReleaseOnce();
  EXPECT_EQ(results.count(), 2u);
}

TEST(TransparencyLogLingerTest, DestroyingALingeringLogSendsItsQueue) {
  HeldStore store;
  LingerTimer timer;
  tlog::NoteSigner signer = TestSigner();
  GroupOptions group;
  group.timer = &timer;
  group.max_linger = std::chrono::hours(1);
  ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(store, "o/tenant/t", signer, group));
  Results results;
  log->Append("a", results.For("a"));
  log->Append("b", results.For("b"));
  log->Append("c", results.For("c"));
  store.ReleaseOnce();  // lingering for a third append, "b" and "c" queued
  ASSERT_EQ(results.count(), 1u);
  std::thread destroy([&] { log.reset(); });
  // The destructor sends the group and waits for it: complete it.
  auto start = std::chrono::steady_clock::now();
  while (results.count() < 3 && std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
    store.ReleaseOnce();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  destroy.join();
  ASSERT_EQ(results.count(), 3u);
  EXPECT_EQ(*results.by_entry.at("c"), 2u);
  ASSERT_OK_AND_ASSIGN(log, TransparencyLog::Open(store, "o/tenant/t", signer));
  EXPECT_EQ(log->size(), 3u);
}

TEST(TransparencyLogLingerTest, ConcurrentAppendersOnRocksDbShareGroupsAndKeepTheTree) {
  testutil::TempDir dir;
  meta::RocksMetaStore::Options options;
  options.path = dir.Sub("db");
  options.block_cache_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto rocks, meta::RocksMetaStore::Open(options));
  tlog::NoteSigner signer = TestSigner();
  constexpr int kThreads = 8, kPerThread = 40;
  std::vector<std::string> by_index(kThreads * kPerThread);
  {
    AuditLog audit(*rocks, TestSigner("s3.example.eu"));
    ASSERT_OK_AND_ASSIGN(TransparencyLog * log, audit.TenantLog("acme"));
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string e = "t" + std::to_string(t) + "-" + std::to_string(i);
          Result<uint64_t> r = AppendSync(*log, e);  // a closed loop, as clients
          ASSERT_TRUE(r.ok());
          std::lock_guard lock(mu);
          ASSERT_TRUE(by_index.at(*r).empty());
          by_index[*r] = e;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(log->size(), by_index.size());
    // The stats count every entry once, in fewer groups than entries.
    const LogStats& stats = audit.stats();
    EXPECT_EQ(stats.entries.value(), by_index.size());
    EXPECT_GE(stats.groups.value(), 1u);
    EXPECT_LE(stats.groups.value(), by_index.size());
    EXPECT_EQ(stats.commit_latency.count(), stats.groups.value());
    EXPECT_EQ(stats.failed_groups.value(), 0u);
  }
  ASSERT_OK_AND_ASSIGN(auto log, TransparencyLog::Open(*rocks, "s3.example.eu/tenant/acme", signer));
  ASSERT_EQ(log->size(), by_index.size());
  EXPECT_EQ(log->root(), RefRoot(by_index, 0, by_index.size()));
}

TEST(AuditLogTest, TenantsHaveSeparateLogsAndOperatorActionsReachBoth) {
  meta::MemoryMetaStore store;
  AuditLog audit(store, TestSigner("s3.example.eu"));
  Event e;
  e.operation = "PutObject";
  e.bucket = "b";
  e.time_ms = 1;
  std::vector<Status> results;
  auto record = [&](Result<uint64_t> r) { results.push_back(r.status()); };
  audit.Append("acme", e, record);
  audit.Append("acme", e, record);
  audit.Append("globex", e, record);
  Event op;
  op.kind = EventKind::kControl;
  op.action = "ShredTenantKey";
  op.target = "tenant/globex";
  audit.AppendOperatorAction("globex", op, record);
  audit.Append("bad/id", e, record);
  ASSERT_EQ(results.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_OK(results[i]);
  EXPECT_EQ(results[4].code(), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(TransparencyLog * acme, audit.TenantLog("acme"));
  ASSERT_OK_AND_ASSIGN(TransparencyLog * globex, audit.TenantLog("globex"));
  ASSERT_OK_AND_ASSIGN(TransparencyLog * op_log, audit.OperatorLog());
  EXPECT_EQ(acme->origin(), "s3.example.eu/tenant/acme");
  EXPECT_EQ(op_log->origin(), "s3.example.eu/operator");
  EXPECT_EQ(acme->size(), 2u);
  EXPECT_EQ(globex->size(), 2u);
  EXPECT_EQ(op_log->size(), 1u);
  ASSERT_OK(audit.PublishCheckpoints());
  ASSERT_OK_AND_ASSIGN(std::string note, globex->LatestCheckpoint());
  EXPECT_NE(note.find("s3.example.eu/tenant/globex\n2\n"), std::string::npos);
}

}  // namespace
}  // namespace confiance::audit
