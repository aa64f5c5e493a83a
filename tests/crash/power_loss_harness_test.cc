// File: tests/crash/power_loss_harness_test.cc
// The power-loss harness checks itself: its model accepts exactly the
// allowed outcomes, a short run over the real store is clean, and a store
// that skips a sync (LyingEnv) is caught.
#include "tests/crash/power_loss_harness.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "catalog/object_data.h"
#include "tests/crash/crash_model.h"
#include "tests/crash/crash_verifier.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crashtest {
namespace {

Content Bytes(std::string s, std::string etag) {
  return Content{std::make_shared<const std::string>(std::move(s)), std::move(etag)};
}

Observed Seen(const Content& c) {
  Observed o;
  o.present = c.present();
  o.size = c.size();
  o.etag = c.etag;
  if (c.present()) o.data = *c.data;
  return o;
}

TEST(CandidatesTest, AcknowledgedWriteIsTheOnlyCandidate) {
  Candidates c;
  const Content v1 = Bytes("one", "e1");
  c.Acknowledge(v1);
  EXPECT_TRUE(c.certain());
  EXPECT_TRUE(c.Match(Seen(v1)).has_value());
  EXPECT_FALSE(c.Match(Observed{}).has_value());  // an acknowledged write may not vanish
}

TEST(CandidatesTest, UnacknowledgedWritesAddCandidatesWholeOnly) {
  Candidates c;
  const Content v1 = Bytes("one", "e1");
  const Content v2 = Bytes("two", "e2");
  c.Acknowledge(v1);
  c.AddUnacknowledged(v2);
  c.AddUnacknowledged(Content::Absent());  // an in-flight DELETE
  EXPECT_EQ(c.Match(Seen(v1)), 0u);
  EXPECT_EQ(c.Match(Seen(v2)), 1u);
  EXPECT_EQ(c.Match(Observed{}), 2u);
  // Torn: right size and ETag, wrong bytes.
  Observed torn = Seen(v2);
  torn.data = "twX";
  EXPECT_FALSE(c.Match(torn).has_value());
  // A listing-level observation without bytes matches on size and ETag.
  Observed listed = Seen(v2);
  listed.data.reset();
  EXPECT_EQ(c.Match(listed), 1u);
  c.Settle(1);
  EXPECT_TRUE(c.certain());
  EXPECT_EQ(*c.only().data, "two");
}

TEST(CandidatesTest, DeletedKeyMustNotReappear) {
  Candidates c;
  c.Acknowledge(Bytes("old", "e0"));
  c.Acknowledge(Content::Absent());
  EXPECT_FALSE(c.Match(Seen(Bytes("old", "e0"))).has_value());
  EXPECT_TRUE(c.Match(Observed{}).has_value());
}

TEST(StoreModelTest, AcknowledgedWriteDisarmsTheCompletionCheckOfItsKey) {
  StoreModel model(1, {"k"});
  UploadModel up;
  up.record.upload_id = "u1";
  up.record.key = "k";
  up.state = UploadModel::State::kCompleting;
  up.completion_must_show = true;
  model.uploads()["u1"] = up;
  model.AcknowledgeObject(0, "k", Bytes("later", "e9"));
  EXPECT_FALSE(model.uploads()["u1"].completion_must_show);
}

std::string TestDir(const std::string& name) {
  return fmt::format("/dev/shm/confiance-power-loss-unit-{}-{}", ::getpid(), name);
}

// RunHarness, then removes the run's directory.
HarnessReport RunAndClean(const HarnessOptions& options) {
  HarnessReport r = RunHarness(options);
  std::error_code ec;
  std::filesystem::remove_all(options.dir, ec);
  return r;
}

HarnessOptions Short(const std::string& name) {
  HarnessOptions o;
  o.seed = 4242;
  o.crash_points = 60;
  o.crash_points_per_store = 30;
  o.jobs = 2;
  o.dir = TestDir(name);
  return o;
}

TEST(PowerLossHarnessTest, ShortRunIsClean) {
  HarnessReport r = RunAndClean(Short("clean"));
  EXPECT_EQ(r.harness_error, "");
  EXPECT_EQ(r.crash_points, 60u) << r.Summary();
  EXPECT_EQ(r.violations, 0u) << r.Summary() << "\n" << (r.violation_reports.empty() ? "" : r.violation_reports[0]);
  EXPECT_GT(r.ops_acknowledged, 0u);
  EXPECT_GT(r.objects_read, 0u);
  EXPECT_EQ(r.ops_failed, 0u);
}

TEST(PowerLossHarnessTest, ShortIoErrorRunIsClean) {
  HarnessOptions o = Short("io-errors");
  o.mode = FaultMode::kIoError;
  HarnessReport r = RunAndClean(o);
  EXPECT_EQ(r.harness_error, "");
  EXPECT_EQ(r.crash_points, 60u) << r.Summary();
  EXPECT_EQ(r.io_errors, 60u) << r.Summary();
  EXPECT_GT(r.io_errors_on_wal, 0u) << r.Summary();
  EXPECT_GT(r.read_only_refusals, 0u) << r.Summary();
  EXPECT_EQ(r.violations, 0u) << r.Summary() << "\n" << (r.violation_reports.empty() ? "" : r.violation_reports[0]);
}

// Regression (found by a 100,000-point run): two uploads of one key whose
// completions write identical bytes (one empty part each). Upload A was
// completed; B's completion failed before its intent landed. The verifier
// once took A's object for B's and reported "completed without the
// completion intent"; it must judge by the record's upload id.
TEST(VerifierTest, IdenticalCompletionsOfTwoUploadsAreToldApart) {
  const std::string path = TestDir("verifier");
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  Result<std::unique_ptr<DataDir>> opened = DataDir::Open(*Env::Default(), path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  DataDir& dir = **opened;
  catalog::BucketRecord bucket;
  bucket.name = "crash-0";
  bucket.id = "b0";
  bucket.owner = "crash-tenant";
  ASSERT_TRUE(dir.bucket_keys->CreateFor(bucket).ok());
  ASSERT_TRUE(dir.catalog->CreateBucket(bucket).ok());
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const crypto::SecretBytes> key, dir.bucket_keys->Get(bucket, kms::Justification::kTenantRequest));

  auto upload_with_empty_part = [&](const std::string& id) -> catalog::ObjectRecord {
    catalog::UploadRecord up;
    up.upload_id = id;
    up.key = "k";
    EXPECT_TRUE(dir.catalog->CreateUpload(bucket, up).ok());
    auto writer = catalog::SegmentWriter::Create(*dir.blobs, *key, bucket.id, kInlineLimit);
    EXPECT_TRUE(writer.ok());
    Result<catalog::Segment> seg = (*writer)->Finish();
    EXPECT_TRUE(seg.ok());
    catalog::PartRecord part;
    part.part_number = 1;
    part.segment = *seg;
    EXPECT_TRUE(dir.catalog->PutPart(id, part).ok());
    catalog::ObjectRecord rec;
    rec.etag = "same-etag-1";  // a function of the parts' ETags only: equal
    rec.parts_count = 1;
    rec.segments.push_back(*seg);
    rec.op_tag = catalog::NewOpTag();
    rec.upload_id = id;
    return rec;
  };
  const catalog::ObjectRecord a = upload_with_empty_part("ua");
  const catalog::ObjectRecord b = upload_with_empty_part("ub");
  ASSERT_OK_AND_ASSIGN(catalog::UploadRecord ua, dir.catalog->GetUpload(bucket, "k", "ua"));
  ASSERT_TRUE(dir.catalog->CompleteUpload(bucket, ua, a).ok());

  StoreModel model(1, {"k"});
  const Content empty = Bytes("", "same-etag-1");
  model.AcknowledgeObject(0, "k", empty);  // A, acknowledged
  UploadModel ub;
  ub.bucket = 0;
  ASSERT_OK_AND_ASSIGN(ub.record, dir.catalog->GetUpload(bucket, "k", "ub"));
  ub.state = UploadModel::State::kCompleting;  // B's completion failed at its intent
  ub.parts[1].Acknowledge(Content{std::make_shared<const std::string>(""), b.segments[0].etag});
  ub.completion_parts = {1};
  ub.completion_content = empty;
  ub.completion_must_show = true;
  model.uploads()["ub"] = ub;
  model.Object(0, "k").AddUnacknowledged(empty);

  std::vector<std::string> violations;
  VerifyStats stats;
  VerifyAndSettle(dir, {bucket}, model, /*read_everything=*/true, violations, stats);
  EXPECT_TRUE(violations.empty()) << violations.front();
  EXPECT_EQ(model.uploads().at("ub").state, UploadModel::State::kRetryComplete);
  opened->reset();
  std::filesystem::remove_all(path, ec);
}

class MutantTest : public ::testing::TestWithParam<Mutant> {};

TEST_P(MutantTest, SkippedSyncIsCaught) {
  HarnessOptions o = Short(MutantName(GetParam()));
  o.mutant = GetParam();
  o.crash_points = 2000;
  o.crash_points_per_store = 100;
  HarnessReport r = RunAndClean(o);
  EXPECT_EQ(r.harness_error, "");
  EXPECT_GT(r.skipped_syncs, 0u) << r.Summary();
  EXPECT_GE(r.violations, 1u) << "the harness did not notice the missing sync\n" << r.Summary();
  EXPECT_FALSE(r.violation_reports.empty());
}

INSTANTIATE_TEST_SUITE_P(Mutants, MutantTest,
                         ::testing::Values(Mutant::kNoBlobDirSync, Mutant::kNoBlobFileSync, Mutant::kNoWalSync),
                         [](const ::testing::TestParamInfo<Mutant>& info) {
                           std::string n = MutantName(info.param);
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace confiance::crashtest
