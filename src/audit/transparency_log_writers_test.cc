// File: audit/transparency_log_writers_test.cc
// Several writers of one log (gateways sharing a metadata store,
// docs/rados.md): two TransparencyLog instances of the same origin over one
// real RocksDB store. Appends land after each other's, reads and
// checkpoints follow the stored tree, and Open copes with a tree that grows
// while it checks it.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "audit/append_sync_testing.h"
#include "audit/tlog/checkpoint.h"
#include "audit/tlog/note.h"
#include "audit/transparency_log.h"
#include "meta/forwarding_meta_store.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::audit {
namespace {

using testing::AppendSync;

constexpr char kSharedOrigin[] = "s3.test.example/tenant/acme";

// The reference root of entries [lo, hi): the RFC definition.
tlog::Hash SharedRoot(const std::vector<std::string>& d, size_t lo, size_t hi) {
  if (hi == lo) return tlog::EmptyRoot();
  if (hi - lo == 1) return tlog::HashLeaf(d[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return tlog::HashChildren(SharedRoot(d, lo, lo + k), SharedRoot(d, lo + k, hi));
}

std::string WriterEntryKey(uint64_t index) {
  std::string out = "e";
  for (int i = 0; i < 8; ++i) out += static_cast<char>(index >> (56 - 8 * i));
  return out;
}

// The index an append got; UINT64_MAX (and a failure) if it failed.
uint64_t IndexOf(const Result<uint64_t>& r) {
  EXPECT_OK(r.status());
  return r.ok() ? *r : UINT64_MAX;
}

uint64_t CheckpointSize(const std::string& note) {
  Result<tlog::Note> n = tlog::ParseNote(note);
  EXPECT_TRUE(n.ok());
  Result<tlog::Checkpoint> cp = tlog::ParseCheckpoint(n->text);
  EXPECT_TRUE(cp.ok());
  return cp->size;
}

// Runs `hook` once, just before the first Get of `key` passes through:
// another writer acting between two reads of a log.
class HookedStore final : public meta::ForwardingMetaStore {
 public:
  explicit HookedStore(meta::MetaStore& base) : ForwardingMetaStore(base) {}
  void Before(std::string key, std::function<void()> hook) {
    key_ = std::move(key);
    hook_ = std::move(hook);
  }
  Result<std::optional<std::string>> Get(std::string_view partition, std::string_view key) override {
    if (hook_ && key == key_) {
      std::function<void()> hook = std::move(hook_);
      hook_ = nullptr;
      hook();
    }
    return ForwardingMetaStore::Get(partition, key);
  }

 private:
  std::string key_;
  std::function<void()> hook_;
};

class TransparencyLogWritersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta::RocksMetaStore::Options options;
    options.path = dir_.Sub("db");
    options.block_cache_bytes = 1 << 20;
    ASSERT_OK_AND_ASSIGN(store_, meta::RocksMetaStore::Open(options));
  }
  std::unique_ptr<TransparencyLog> Open(meta::MetaStore& store, GroupOptions options = {}) {
    Result<std::unique_ptr<TransparencyLog>> log = TransparencyLog::Open(store, kSharedOrigin, signer_, options);
    EXPECT_OK(log.status());
    return log.ok() ? std::move(*log) : nullptr;
  }

  testutil::TempDir dir_;
  tlog::NoteSigner signer_ = testutil::NewNoteSigner("s3.test.example");
  std::unique_ptr<meta::RocksMetaStore> store_;
};

TEST_F(TransparencyLogWritersTest, AnAppendBehindAnotherWritersLandsAfterIt) {
  LogStats stats_b;
  GroupOptions with_stats;
  with_stats.stats = &stats_b;
  auto a = Open(*store_);
  auto b = Open(*store_, with_stats);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(IndexOf(AppendSync(*a, "a0")), 0u);
  // b's tree is still empty: its batch's condition fails, and it goes
  // again after a's entry.
  EXPECT_EQ(IndexOf(AppendSync(*b, "b0")), 1u);
  EXPECT_EQ(stats_b.conflicts.value(), 1u);
  EXPECT_EQ(stats_b.failed_groups.value(), 0u);
  EXPECT_EQ(IndexOf(AppendSync(*a, "a1")), 2u);
  EXPECT_EQ(IndexOf(AppendSync(*b, "b1")), 3u);
  const std::vector<std::string> entries = {"a0", "b0", "a1", "b1"};
  auto reopened = Open(*store_);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->size(), 4u);
  EXPECT_EQ(reopened->root(), SharedRoot(entries, 0, 4));
  EXPECT_EQ(b->root(), SharedRoot(entries, 0, 4));
}

TEST_F(TransparencyLogWritersTest, ConcurrentWritersKeepOneTree) {
  auto a = Open(*store_);
  auto b = Open(*store_);
  ASSERT_TRUE(a && b);
  constexpr int kThreads = 4, kPerThread = 60;
  std::vector<std::string> by_index(kThreads * kPerThread);
  std::mutex mu;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TransparencyLog& log = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < kPerThread; ++i) {
        std::string e = "t" + std::to_string(t) + "-" + std::to_string(i);
        Result<uint64_t> r = AppendSync(log, e);
        std::lock_guard lock(mu);
        if (!r.ok() || *r >= by_index.size() || !by_index[*r].empty()) {
          if (!r.ok() && failures == 0) ADD_FAILURE() << r.status().ToString();
          ++failures;
          continue;
        }
        by_index[*r] = e;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto reopened = Open(*store_);
  ASSERT_TRUE(reopened);
  ASSERT_EQ(reopened->size(), by_index.size());
  EXPECT_EQ(reopened->root(), SharedRoot(by_index, 0, by_index.size()));
  for (uint64_t i = 0; i < by_index.size(); i += 23) {
    ASSERT_OK_AND_ASSIGN(std::string e, reopened->Entry(i));
    EXPECT_EQ(e, by_index[i]);
  }
}

TEST_F(TransparencyLogWritersTest, ReadsReachWhatAnotherWriterAppended) {
  auto a = Open(*store_);
  auto b = Open(*store_);  // opened empty
  ASSERT_TRUE(a && b);
  const std::vector<std::string> entries = {"x0", "x1", "x2"};
  for (const std::string& e : entries) ASSERT_OK(AppendSync(*a, e).status());
  ASSERT_OK_AND_ASSIGN(std::string e2, b->Entry(2));
  EXPECT_EQ(e2, "x2");
  EXPECT_EQ(b->size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto proof, b->InclusionProof(1, 3));
  EXPECT_OK(tlog::VerifyInclusion(1, 3, tlog::HashLeaf("x1"), proof, SharedRoot(entries, 0, 3)));
  ASSERT_OK(b->EntryBundle(0, 3).status());
  EXPECT_STATUS_CODE(b->Entry(3), kOutOfRange);
  EXPECT_STATUS_CODE(b->ConsistencyProof(1, 4), kOutOfRange);
}

TEST_F(TransparencyLogWritersTest, ACheckpointNeverReplacesALargerOne) {
  HookedStore hooked(*store_);
  auto a = Open(*store_);
  auto b = Open(hooked);
  ASSERT_TRUE(a && b);
  for (int i = 0; i < 5; ++i) ASSERT_OK(AppendSync(*a, "e" + std::to_string(i)).status());
  // b reads the tree (5 entries); before it reads the stored checkpoint, a
  // appends two more and publishes 7.
  hooked.Before("c", [&] {
    ASSERT_OK(AppendSync(*a, "e5").status());
    ASSERT_OK(AppendSync(*a, "e6").status());
    ASSERT_OK(a->PublishCheckpoint().status());
  });
  ASSERT_OK_AND_ASSIGN(std::string note, b->PublishCheckpoint());
  EXPECT_EQ(CheckpointSize(note), 7u);
  ASSERT_OK_AND_ASSIGN(std::string stored, b->LatestCheckpoint());
  EXPECT_EQ(stored, note);
  // Behind a checkpoint of its own size, a publish answers it unchanged.
  ASSERT_OK_AND_ASSIGN(std::string again, a->PublishCheckpoint());
  EXPECT_EQ(again, stored);
}

TEST_F(TransparencyLogWritersTest, OpenChecksAgainWhenTheTreeGrowsMeanwhile) {
  HookedStore hooked(*store_);
  auto a = Open(*store_);
  ASSERT_TRUE(a);
  for (int i = 0; i < 3; ++i) ASSERT_OK(AppendSync(*a, "e" + std::to_string(i)).status());
  // Open reads the tree (3 entries), then looks for an entry beyond it:
  // meanwhile a appends one.
  hooked.Before(WriterEntryKey(3), [&] { ASSERT_OK(AppendSync(*a, "e3").status()); });
  auto b = Open(hooked);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->size(), 4u);
}

}  // namespace
}  // namespace confiance::audit
