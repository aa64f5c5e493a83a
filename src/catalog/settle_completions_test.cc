// File: catalog/settle_completions_test.cc
// Catalog::SettleInterruptedCompletions over the fake MetaStore: a
// completion stopped after its intent is finished if its object was
// committed and is still referenced, reopened otherwise; the part blobs
// stay referenced exactly as long as something may still use them.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "catalog/catalog.h"
#include "catalog/catalog_test_fixture.h"
#include "catalog/version_id.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

class SettleCompletionsTest : public CatalogOverMemoryStore {
 protected:
  void SetVersioned() {
    ASSERT_OK_AND_ASSIGN(bucket_, catalog_.UpdateBucket("bucket", [](BucketRecord& b) {
      b.versioning = BucketVersioning::kEnabled;
      return OkStatus();
    }));
  }
  // Upload `id` of key "k" with parts 1 and 2 (blobs "<id>-part1",
  // "<id>-part2"); `completing`: as step 1 of a completion leaves it.
  UploadRecord Upload(const std::string& id, bool completing) {
    UploadRecord up;
    up.upload_id = id;
    up.key = "k";
    up.completing_tag = completing ? NewOpTag() : "";
    EXPECT_OK(catalog_.CreateUpload(bucket_, up));
    for (int n : {1, 2}) {
      PartRecord part;
      part.part_number = n;
      part.segment.blob_id = id + "-part" + std::to_string(n);
      part.segment.plain_size = 5;
      EXPECT_OK(catalog_.PutPart(id, part).status());
    }
    return up;
  }
  // The object a completion of `up` from part 1 alone commits (step 2).
  void CommitCompletedObject(const UploadRecord& up) {
    ObjectRecord obj;
    obj.size = 5;
    obj.etag = "completed-1";
    obj.upload_id = up.upload_id;
    obj.op_tag = NewOpTag();
    obj.parts_count = 1;
    Segment s;
    s.blob_id = up.upload_id + "-part1";
    s.plain_size = 5;
    obj.segments.push_back(s);
    StampVersion(bucket_, obj);
    ASSERT_OK(catalog_.PutObject(bucket_, "k", obj).status());
  }
  void PutOther(const std::string& blob) {
    ObjectRecord obj;
    obj.size = 7;
    obj.etag = "other";
    obj.op_tag = NewOpTag();
    Segment s;
    s.blob_id = blob;
    s.plain_size = 7;
    obj.segments.push_back(s);
    StampVersion(bucket_, obj);
    ASSERT_OK(catalog_.PutObject(bucket_, "k", obj).status());
  }
  std::set<std::string> Referenced() {
    std::set<std::string> ids;
    EXPECT_OK(catalog_.MarkReferencedBlobs([&](const std::string& id) { ids.insert(id); }));
    return ids;
  }
  Catalog::SettledCompletions Settle() {
    Result<Catalog::SettledCompletions> settled = catalog_.SettleInterruptedCompletions();
    EXPECT_TRUE(settled.ok()) << settled.status().ToString();
    return settled.ok() ? *settled : Catalog::SettledCompletions{};
  }
};

TEST_F(SettleCompletionsTest, ACompletionWithoutItsObjectIsReopened) {
  UploadRecord up = Upload("u1", /*completing=*/true);
  // Hidden and not abortable while marked.
  EXPECT_STATUS_CODE(catalog_.AbortUpload(bucket_, up), kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(UploadPage before, catalog_.ListUploadPage(bucket_, UploadListOptions{}));
  EXPECT_TRUE(before.uploads.empty());

  Catalog::SettledCompletions settled = Settle();
  EXPECT_EQ(settled.finished, 0u);
  EXPECT_EQ(settled.reopened, 1u);
  ASSERT_OK_AND_ASSIGN(UploadRecord now, catalog_.GetUpload(bucket_, "k", "u1"));
  EXPECT_EQ(now.completing_tag, "");
  ASSERT_OK_AND_ASSIGN(UploadPage after, catalog_.ListUploadPage(bucket_, UploadListOptions{}));
  ASSERT_EQ(after.uploads.size(), 1u);
  EXPECT_EQ(after.uploads[0].upload_id, "u1");
  // Both parts stay the upload's, and an abort now hands them back.
  EXPECT_EQ(Referenced(), (std::set<std::string>{"u1-part1", "u1-part2"}));
  ASSERT_OK_AND_ASSIGN(std::vector<PartRecord> freed, catalog_.AbortUpload(bucket_, now));
  EXPECT_EQ(freed.size(), 2u);
}

TEST_F(SettleCompletionsTest, ACompletionWhoseObjectIsCurrentIsFinished) {
  UploadRecord up = Upload("u1", /*completing=*/true);
  CommitCompletedObject(up);

  Catalog::SettledCompletions settled = Settle();
  EXPECT_EQ(settled.finished, 1u);
  EXPECT_EQ(settled.reopened, 0u);
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "k", "u1"), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<PartRecord> parts, catalog_.ListParts("u1", 0, 100));
  EXPECT_TRUE(parts.empty());
  // The object keeps its part; the part it does not use is the sweeper's.
  ASSERT_OK_AND_ASSIGN(ObjectRecord obj, catalog_.GetObject(bucket_, "k", false));
  EXPECT_EQ(obj.upload_id, "u1");
  EXPECT_EQ(Referenced(), (std::set<std::string>{"u1-part1"}));
  // Deleting the object now frees its part: the upload is gone.
  ASSERT_OK_AND_ASSIGN(std::optional<ObjectRecord> deleted, catalog_.DeleteObject(bucket_, "k"));
  ASSERT_TRUE(deleted.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<Segment> free, catalog_.ReleasableSegments(bucket_, "k", *deleted));
  ASSERT_EQ(free.size(), 1u);
  EXPECT_EQ(free[0].blob_id, "u1-part1");
}

// The completion committed its object, which another write then replaced
// before the crash: nothing references the upload's object any more, and
// the replacing write released none of the part blobs (the upload still
// existed), so the upload gets them back.
TEST_F(SettleCompletionsTest, ACompletedObjectThatWasReplacedLeavesTheUploadItsParts) {
  UploadRecord up = Upload("u1", /*completing=*/true);
  CommitCompletedObject(up);
  ASSERT_OK_AND_ASSIGN(ObjectRecord completed, catalog_.GetObject(bucket_, "k", false));
  PutOther("other-blob");
  ASSERT_OK_AND_ASSIGN(std::vector<Segment> released, catalog_.ReleasableSegments(bucket_, "k", completed));
  EXPECT_TRUE(released.empty());

  Catalog::SettledCompletions settled = Settle();
  EXPECT_EQ(settled.finished, 0u);
  EXPECT_EQ(settled.reopened, 1u);
  EXPECT_EQ(Referenced(), (std::set<std::string>{"other-blob", "u1-part1", "u1-part2"}));
  ASSERT_OK_AND_ASSIGN(UploadRecord now, catalog_.GetUpload(bucket_, "k", "u1"));
  EXPECT_EQ(now.completing_tag, "");
}

// In a versioned bucket the replaced completion is a noncurrent version
// that still uses part 1: finished, not reopened (an abort would free a
// blob that version reads).
TEST_F(SettleCompletionsTest, ANoncurrentVersionFromTheUploadFinishesIt) {
  SetVersioned();
  UploadRecord up = Upload("u1", /*completing=*/true);
  CommitCompletedObject(up);
  PutOther("newer-blob");

  Catalog::SettledCompletions settled = Settle();
  EXPECT_EQ(settled.finished, 1u);
  EXPECT_EQ(settled.reopened, 0u);
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "k", "u1"), kNotFound);
  EXPECT_EQ(Referenced(), (std::set<std::string>{"newer-blob", "u1-part1"}));
}

TEST_F(SettleCompletionsTest, UploadsInProgressAreLeftAloneAndSettlingTwiceChangesNothing) {
  Upload("open", /*completing=*/false);
  UploadRecord marked = Upload("u1", /*completing=*/true);
  CommitCompletedObject(marked);
  Upload("u2", /*completing=*/true);
  // A second bucket, so that every bucket is visited.
  BucketRecord second;
  second.name = "second";
  second.id = "b2";
  second.owner = "root";
  ASSERT_OK(catalog_.CreateBucket(second));
  UploadRecord other;
  other.upload_id = "u3";
  other.key = "k";
  other.completing_tag = NewOpTag();
  ASSERT_OK(catalog_.CreateUpload(second, other));

  Catalog::SettledCompletions first = Settle();
  EXPECT_EQ(first.finished, 1u);
  EXPECT_EQ(first.reopened, 2u);
  Catalog::SettledCompletions again = Settle();
  EXPECT_EQ(again.finished, 0u);
  EXPECT_EQ(again.reopened, 0u);
  ASSERT_OK_AND_ASSIGN(UploadRecord open, catalog_.GetUpload(bucket_, "k", "open"));
  EXPECT_EQ(open.completing_tag, "");
  ASSERT_OK_AND_ASSIGN(UploadRecord u3, catalog_.GetUpload(second, "k", "u3"));
  EXPECT_EQ(u3.completing_tag, "");
}

// A store that refuses commits (after a failed write): the error comes
// back and the mark stays for the next start-up.
TEST_F(SettleCompletionsTest, AFailedCommitIsReportedAndTheMarkStays) {
  Upload("u1", /*completing=*/true);
  store_.FailNextApply(UnavailableError("store is read-only"));
  EXPECT_STATUS_CODE(catalog_.SettleInterruptedCompletions(), kUnavailable);
  ASSERT_OK_AND_ASSIGN(UploadRecord now, catalog_.GetUpload(bucket_, "k", "u1"));
  EXPECT_NE(now.completing_tag, "");
}

}  // namespace
}  // namespace confiance::catalog
