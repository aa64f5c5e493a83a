// File: catalog/completion_fence_test.cc
// UploadPart racing with CompleteMultipartUpload: no part the completed
// object uses is replaced (and its blob released) under it.
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/one_upload_fixture.h"
#include "catalog/records.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

using CompletionFenceTest = OneUploadTest;

TEST_F(CompletionFenceTest, APartUploadedWhileTheObjectCommitsIsRefused) {
  // Without the fence the new part replaces "a", and its UploadPart
  // releases blob "a", which the completed object uses.
  store_.before_object_commit = [&] { EXPECT_STATUS_CODE(catalog_.PutPart("u7", BlobPart(1, "b")), kAborted); };
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, upload_, FromListedParts()));
  EXPECT_EQ(store_.before_object_commit, nullptr);  // the hook ran
  EXPECT_TRUE(done.unused_parts.empty());
  ASSERT_OK_AND_ASSIGN(ObjectRecord got, catalog_.GetObject(bucket_, "big"));
  ASSERT_EQ(got.segments.size(), 1u);
  EXPECT_EQ(got.segments[0].blob_id, "a");
}

TEST_F(CompletionFenceTest, APartReplacedSinceTheListingStopsTheCompletionAndPartsMayFollow) {
  const ObjectRecord stale = FromListedParts();
  ASSERT_OK_AND_ASSIGN(std::optional<PartRecord> replaced, catalog_.PutPart("u7", BlobPart(1, "b")));
  ASSERT_TRUE(replaced.has_value());  // its UploadPart releases blob "a"
  EXPECT_STATUS_CODE(catalog_.CompleteUpload(bucket_, upload_, stale), kAborted);
  EXPECT_STATUS_CODE(catalog_.GetObject(bucket_, "big"), kNotFound);
  // In progress again: listed (not hidden as completing), takes parts, completes.
  ASSERT_OK_AND_ASSIGN(std::vector<UploadRecord> listed, catalog_.ListUploads(bucket_, 10));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].completing_tag.empty());
  ASSERT_OK(catalog_.PutPart("u7", BlobPart(2, "c")));
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, upload_, FromListedParts()));
  ASSERT_OK_AND_ASSIGN(ObjectRecord got, catalog_.GetObject(bucket_, "big"));
  ASSERT_EQ(got.segments.size(), 2u);
  EXPECT_EQ(got.segments[0].blob_id, "b");
}

TEST_F(CompletionFenceTest, AnInterruptedCompletionSettledAsReopenedTakesPartsAgain) {
  // A crash after the fence: the object's commit fails.
  store_.before_object_commit = [&] { store_.memory.FailNextApply(UnavailableError("disk gone")); };
  EXPECT_STATUS_CODE(catalog_.CompleteUpload(bucket_, upload_, FromListedParts()), kUnavailable);
  EXPECT_STATUS_CODE(catalog_.PutPart("u7", BlobPart(2, "c")), kAborted);
  ASSERT_OK_AND_ASSIGN(Catalog::SettledCompletions settled, catalog_.SettleInterruptedCompletions());
  EXPECT_EQ(settled.reopened, 1u);
  ASSERT_OK(catalog_.PutPart("u7", BlobPart(2, "c")));
  // The fence is no part, for every reader of part lists.
  ASSERT_OK_AND_ASSIGN(std::vector<PartRecord> parts, catalog_.ListParts("u7", 0, 100));
  EXPECT_EQ(parts.size(), 2u);
  ASSERT_OK(catalog_.MarkReferencedBlobs([](const std::string&) {}));
}

// Two processes sharing the store (gateways on one RADOS namespace), each
// with its Catalog: a client retrying its completion through the other
// one while the first still runs is told to try again (two completions at
// once could commit two versions sharing the parts' blobs).
TEST_F(CompletionFenceTest, ACompletionUnderWayInAnotherProcessIsNotRunTwice) {
  Catalog other(store_);
  const ObjectRecord object = FromListedParts();
  store_.before_object_commit = [&] {
    Result<Catalog::Completion> retry = other.CompleteUpload(bucket_, upload_, object);
    EXPECT_STATUS_CODE(retry, kAborted);
    EXPECT_EQ(retry.status().message(), "another server is completing this upload");
  };
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, upload_, object));
  EXPECT_EQ(done.object.op_tag, object.op_tag);
  EXPECT_FALSE(store_.before_object_commit);  // (the retry did run)
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "big", "u7"), kNotFound);
}

// A mark another process left long ago is a crashed attempt's: a
// completion through this process goes on as its retry. A young one waits;
// the process that set it retries at once (it knows none of its own runs).
TEST_F(CompletionFenceTest, AnotherProcesssOldMarkIsTakenOverAndAYoungOneWaits) {
  Catalog crashed(store_);
  const ObjectRecord object = FromListedParts();
  store_.before_object_commit = [&] { store_.memory.FailNextApply(UnavailableError("the gateway died")); };
  EXPECT_STATUS_CODE(crashed.CompleteUpload(bucket_, upload_, object), kUnavailable);
  EXPECT_STATUS_CODE(catalog_.CompleteUpload(bucket_, upload_, object), kAborted);
  // Its mark, aged past kCompletionTakeoverMs.
  ASSERT_OK_AND_ASSIGN(UploadRecord marked, crashed.GetUpload(bucket_, "big", "u7"));
  EXPECT_EQ(marked.completing_tag, object.op_tag);
  ASSERT_FALSE(marked.completing_by.empty());
  UploadRecord aged = marked;
  aged.completing_ms -= Catalog::kCompletionTakeoverMs + 1000;
  const std::string key = std::string("big") + '\0' + "u7";
  ASSERT_OK(store_.Apply("u/p1", meta::Batch().Expect(key, EncodeUpload(marked)).Put(key, EncodeUpload(aged))));
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, upload_, object));
  EXPECT_EQ(done.object.op_tag, object.op_tag);
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "big", "u7"), kNotFound);
}

TEST_F(CompletionFenceTest, TheProcessThatMarkedItRetriesAtOnce) {
  const ObjectRecord object = FromListedParts();
  store_.before_object_commit = [&] { store_.memory.FailNextApply(UnavailableError("a timeout")); };
  EXPECT_STATUS_CODE(catalog_.CompleteUpload(bucket_, upload_, object), kUnavailable);
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, upload_, object));
  EXPECT_EQ(done.object.op_tag, object.op_tag);
}

}  // namespace
}  // namespace confiance::catalog
