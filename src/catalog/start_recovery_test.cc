// File: catalog/start_recovery_test.cc
// Catalog::RecoverAtStart and the sweeper's settling of interrupted
// multipart completions: with a metadata store of its own, a start settles
// every mark it finds, however young (a crashed process's); with one other
// processes write too, a young mark may be a live gateway's completion or
// DeleteBucket under way, so the start and the sweeper leave it until its
// takeover age.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>

#include "blob/memory/memory_blob_store.h"
#include "catalog/catalog.h"
#include "catalog/one_upload_fixture.h"
#include "catalog/records.h"
#include "catalog/sweeper.h"
#include "common/wall_clock.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

class StartRecoveryTest : public OneUploadTest {
 protected:
  // What a gateway that died between a completion's mark and its object
  // leaves (`other`: the Catalog of that gateway). Returns the mark's time.
  uint64_t CompletionCutShort(Catalog& other) {
    store_.before_object_commit = [&] { store_.memory.FailNextApply(UnavailableError("the gateway died")); };
    EXPECT_STATUS_CODE(other.CompleteUpload(bucket_, upload_, FromListedParts()), kUnavailable);
    Result<UploadRecord> marked = catalog_.GetUpload(bucket_, "big", "u7");
    EXPECT_TRUE(marked.ok() && !marked->completing_tag.empty());
    return marked.ok() ? marked->completing_ms : 0;
  }
  // A DeleteBucket under way (or cut short) since `since_ms`.
  void MarkDeleted(uint64_t since_ms) {
    ASSERT_OK(catalog_.UpdateBucket(bucket_.name, [&](BucketRecord& r) {
      r.delete_mark = BucketRecord::DeleteMark{"token-of-a-delete", since_ms};
      return OkStatus();
    }));
  }
  bool Marked() {
    Result<UploadRecord> up = catalog_.GetUpload(bucket_, "big", "u7");
    return up.ok() && !up->completing_tag.empty();
  }
  bool DeleteMarked() {
    Result<BucketRecord> b = catalog_.GetBucket(bucket_.name);
    return b.ok() && b->delete_mark.has_value();
  }
};

TEST_F(StartRecoveryTest, AStoreOfItsOwnSettlesEveryMarkAtStartHoweverYoung) {
  Catalog crashed(store_);
  const uint64_t marked_ms = CompletionCutShort(crashed);
  MarkDeleted(marked_ms);

  Catalog::StartRecovery recovered = catalog_.RecoverAtStart(marked_ms);
  ASSERT_OK(recovered.completions);
  EXPECT_EQ(recovered.completions->reopened, 1u);
  ASSERT_OK(recovered.buckets_freed);
  EXPECT_FALSE(Marked());
  EXPECT_FALSE(DeleteMarked());
}

TEST_F(StartRecoveryTest, ASharedStoreLeavesYoungMarksToTheirTakeoverAge) {
  store_.shared = true;
  Catalog live(store_);  // another gateway, still running
  const uint64_t marked_ms = CompletionCutShort(live);
  MarkDeleted(marked_ms);

  // A restart of this gateway a second later.
  Catalog::StartRecovery young = catalog_.RecoverAtStart(marked_ms + 1000);
  ASSERT_OK(young.completions);
  EXPECT_EQ(young.completions->reopened + young.completions->finished, 0u);
  ASSERT_OK(young.buckets_freed);
  EXPECT_TRUE(Marked());
  EXPECT_TRUE(DeleteMarked());

  // Past both ages the marks are a crashed gateway's: settled.
  static_assert(kStaleDeleteMarkMs <= Catalog::kCompletionTakeoverMs);
  Catalog::StartRecovery old = catalog_.RecoverAtStart(marked_ms + Catalog::kCompletionTakeoverMs + 1);
  ASSERT_OK(old.completions);
  EXPECT_EQ(old.completions->reopened, 1u);
  EXPECT_FALSE(Marked());
  EXPECT_FALSE(DeleteMarked());
  // In progress again: abortable, and its part back to the upload.
  ASSERT_OK_AND_ASSIGN(UploadRecord now, catalog_.GetUpload(bucket_, "big", "u7"));
  ASSERT_OK_AND_ASSIGN(std::vector<PartRecord> freed, catalog_.AbortUpload(bucket_, now));
  EXPECT_EQ(freed.size(), 1u);
}

// Marks written before they carried a time count as old.
TEST_F(StartRecoveryTest, AMarkWithoutATimeIsOld) {
  store_.shared = true;
  Catalog crashed(store_);
  CompletionCutShort(crashed);
  ASSERT_OK_AND_ASSIGN(UploadRecord marked, catalog_.GetUpload(bucket_, "big", "u7"));
  UploadRecord earlier = marked;
  earlier.completing_by.clear();
  earlier.completing_ms = 0;
  const std::string key = std::string("big") + '\0' + "u7";
  ASSERT_OK(store_.Apply("u/p1", meta::Batch().Expect(key, EncodeUpload(marked)).Put(key, EncodeUpload(earlier))));

  Catalog::StartRecovery recovered = catalog_.RecoverAtStart(UnixMillisNow());
  ASSERT_OK(recovered.completions);
  EXPECT_EQ(recovered.completions->reopened, 1u);
}

// A completion running in this process is never settled under it, even
// when every mark is asked for; another process's young one is not
// either, at its takeover age.
TEST_F(StartRecoveryTest, ACompletionUnderWayIsNotSettled) {
  Catalog other(store_);
  store_.before_object_commit = [&] {
    Result<Catalog::SettledCompletions> here = catalog_.SettleInterruptedCompletions(Catalog::kEveryMark);
    ASSERT_OK(here);
    EXPECT_EQ(here->finished + here->reopened, 0u);
    Result<Catalog::SettledCompletions> there =
        other.SettleInterruptedCompletions(UnixMillisNow() - Catalog::kCompletionTakeoverMs);
    ASSERT_OK(there);
    EXPECT_EQ(there->finished + there->reopened, 0u);
  };
  ASSERT_OK(catalog_.CompleteUpload(bucket_, upload_, FromListedParts()));
  EXPECT_FALSE(store_.before_object_commit);  // (the hook ran)
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "big", "u7"), kNotFound);
}

// The sweeper settles what a failed request or a crashed gateway left
// once it is past its takeover age, so that no upload stays hidden and
// unabortable until a restart.
TEST_F(StartRecoveryTest, TheSweeperSettlesCompletionsPastTheirTakeoverAge) {
  store_.shared = true;
  Catalog crashed(store_);
  const uint64_t marked_ms = CompletionCutShort(crashed);
  blob::MemoryBlobStore blobs;
  OrphanSweeper sweeper(catalog_, blobs, 3600);

  ASSERT_OK_AND_ASSIGN(SweepStats young, sweeper.SweepOnce(marked_ms / 1000));
  EXPECT_EQ(young.interrupted_completions, 0u);
  EXPECT_TRUE(Marked());
  const uint64_t past_s = (marked_ms + Catalog::kCompletionTakeoverMs) / 1000 + 1;
  ASSERT_OK_AND_ASSIGN(SweepStats old, sweeper.SweepOnce(past_s));
  EXPECT_EQ(old.interrupted_completions, 1u);
  EXPECT_FALSE(Marked());
}

}  // namespace
}  // namespace confiance::catalog
