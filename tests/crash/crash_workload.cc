// File: tests/crash/crash_workload.cc
// Each operation mirrors its S3 handler step for step: store the body as a
// segment, commit the record, acknowledge, then release what it replaced.
#include "tests/crash/crash_workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <map>
#include <set>

#include "catalog/bucket_key_rotation.h"
#include "catalog/catalog.h"
#include "catalog/object_data.h"
#include "catalog/sweeper.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "tests/crash/crash_verifier.h"

namespace confiance::crashtest {
namespace {

using Verdict = OpOutcome::Verdict;

constexpr size_t kMaxOpenUploads = 4;
constexpr int kMaxPartNumber = 4;

uint64_t NowMs() { return Env::Default()->NowMicros() / 1000; }

OpOutcome Outcome(OpKind kind, Verdict verdict, std::string detail, Status status = OkStatus()) {
  OpOutcome o;
  o.kind = kind;
  o.verdict = verdict;
  o.detail = std::move(detail);
  o.status = std::move(status);
  return o;
}

// Releasing is best effort after the acknowledgement, as in the handlers:
// a failure leaves an orphan for the sweeper.
void Release(DataDir& dir, const std::vector<catalog::Segment>& segments) {
  catalog::ReleaseSegments(*dir.blobs, segments).IgnoreError();
}

// What a commit replaced or deleted at `key`, as S3Service::ReleaseReplaced.
void ReleaseReplaced(DataDir& dir, const catalog::BucketRecord& bucket, const std::string& key,
                     const catalog::ObjectRecord& replaced) {
  Result<std::vector<catalog::Segment>> free = dir.catalog->ReleasableSegments(bucket, key, replaced);
  if (free.ok()) Release(dir, *free);
}

// splitmix64: a fast, seeded filler; every operation gets its own stream,
// so no two writes share content and a mixed or torn object cannot match.
std::string Fill(uint64_t seed, size_t size) {
  std::string out(size, '\0');
  uint64_t x = seed;
  for (size_t i = 0; i < size; i += 8) {
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::memcpy(out.data() + i, &z, std::min<size_t>(8, size - i));
  }
  return out;
}

}  // namespace

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kPut: return "put";
    case OpKind::kPutIfAbsent: return "put-if-absent";
    case OpKind::kPutIfMatch: return "put-if-match";
    case OpKind::kDelete: return "delete";
    case OpKind::kGet: return "get";
    case OpKind::kCreateUpload: return "create-upload";
    case OpKind::kUploadPart: return "upload-part";
    case OpKind::kComplete: return "complete-upload";
    case OpKind::kAbort: return "abort-upload";
    case OpKind::kSweep: return "sweep";
    case OpKind::kRotateKey: return "rotate-key";
    case OpKind::kDeleteBucket: return "delete-bucket";
    case OpKind::kCount: break;
  }
  return "?";
}

uint64_t Workload::Uniform(uint64_t lo, uint64_t hi) {
  return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
}

const std::string& Workload::PickKey() { return model_.keys()[Uniform(0, model_.keys().size() - 1)]; }

std::shared_ptr<const std::string> Workload::NewPlaintext() {
  const uint64_t r = Uniform(0, 99);
  size_t size;
  if (r < 8) {
    size = 0;
  } else if (r < 35) {
    size = Uniform(1, 4096);
  } else if (r < 50) {
    size = Uniform(60000, 65552);  // inline, up to the limit (65552 B seal to 65600)
  } else if (r < 65) {
    size = Uniform(65553, 66000);  // just over the limit: a two-package blob
  } else {
    size = Uniform(2, 5) * 65536 + Uniform(0, 2) - 1;  // several packages, around a boundary
  }
  return std::make_shared<const std::string>(Fill(rng_(), size));
}

Result<catalog::Segment> Workload::StoreSegment(Ctx& ctx, int bucket, const std::string& plain) {
  const catalog::BucketRecord& b = ctx.buckets[bucket];
  // Under the version the record names, as the handlers do: an older one
  // when the record predates a rotation.
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> key, ctx.dir.bucket_keys->Get(b, kms::Justification::kTenantRequest));
  ASSIGN_OR_RETURN(std::unique_ptr<catalog::SegmentWriter> writer,
                   catalog::SegmentWriter::Create(*ctx.dir.blobs, *key, b.id, kInlineLimit, b.key_version));
  static constexpr size_t kChunks[] = {16 << 10, 64 << 10, 1 << 20};
  const size_t chunk = kChunks[Uniform(0, 2)];
  for (size_t at = 0; at < plain.size(); at += chunk) {
    const size_t n = std::min(chunk, plain.size() - at);
    RETURN_IF_ERROR(writer->Write(std::as_bytes(std::span(plain.data() + at, n))));
  }
  return writer->Finish();
}

OpOutcome Workload::RunOne(DataDir& dir, std::vector<catalog::BucketRecord>& buckets,
                           std::vector<std::string>& violations) {
  Ctx ctx{dir, buckets, violations};
  // A completion found unfinished after a crash is retried, as S3 clients
  // do, but not at once: other writes to its key may come first (an
  // overwrite must not free the parts the retry will reference).
  std::vector<std::string> retries = model_.UploadsInState(UploadModel::State::kRetryComplete);
  if (!retries.empty() && Uniform(0, 2) == 0) return Complete(ctx, retries.front(), /*retry=*/true);
  const uint64_t r = Uniform(0, 99);
  if (r < 30) return Put(ctx, OpKind::kPut);
  if (r < 36) return Put(ctx, OpKind::kPutIfAbsent);
  if (r < 42) return Put(ctx, OpKind::kPutIfMatch);
  if (r < 54) return Delete(ctx);
  if (r < 60) return Get(ctx);
  if (r < 67) return CreateUpload(ctx);
  if (r < 82) return UploadPart(ctx);
  if (r < 90) {
    std::vector<std::string> open = model_.OpenUploads();
    if (open.empty()) return CreateUpload(ctx);
    return Complete(ctx, open[Uniform(0, open.size() - 1)], /*retry=*/false);
  }
  if (r < 96) return Abort(ctx);
  if (r < 98) return Sweep(ctx);
  if (r < 99 || !rotations_) return DeleteBucket(ctx);
  return RotateKey(ctx);
}

bool Workload::RefusedForStaleKey(Ctx& ctx, int b, const Status& status) {
  // Operations run one at a time: no other writer or completion can make
  // a commit Aborted; a retired key's fence can, and so could a delete
  // fence that the start-up failed to lift (a violation, so told apart).
  if (status.code() != StatusCode::kAborted || status.message() != catalog::kRetiredKeyVersion) return false;
  if (Result<catalog::BucketRecord> fresh = ctx.dir.catalog->GetBucket(ctx.buckets[b].name); fresh.ok()) {
    ctx.buckets[b] = std::move(fresh).value();
  }
  return true;
}

OpOutcome Workload::Put(Ctx& ctx, OpKind kind) {
  using Kind = catalog::Catalog::PutCondition::Kind;
  const int b = PickBucket();
  const std::string key = PickKey();
  Candidates& cand = model_.Object(b, key);
  catalog::Catalog::PutCondition condition;
  // The outcome a certain model predicts: OK, or the refusal's code.
  std::optional<StatusCode> expected;
  if (kind == OpKind::kPutIfAbsent) {
    condition.kind = Kind::kMustNotExist;
    if (cand.certain()) expected = cand.only().present() ? StatusCode::kFailedPrecondition : StatusCode::kOk;
  } else if (kind == OpKind::kPutIfMatch) {
    condition.kind = Kind::kMustHaveEtag;
    const bool wrong = Uniform(0, 3) == 0;
    condition.etag = cand.certain() && cand.only().present() && !wrong ? cand.only().etag
                                                                       : "00000000000000000000000000000000";
    if (cand.certain()) {
      expected = !cand.only().present()               ? StatusCode::kNotFound
                 : cand.only().etag == condition.etag ? StatusCode::kOk
                                                      : StatusCode::kFailedPrecondition;
    }
  }
  std::shared_ptr<const std::string> plain = NewPlaintext();
  std::string detail = fmt::format("{} b{}/{} {} B", OpKindName(kind), b, key, plain->size());

  Result<catalog::Segment> seg = StoreSegment(ctx, b, *plain);
  if (!seg.ok()) return Outcome(kind, Verdict::kFailed, detail, seg.status());
  catalog::ObjectRecord rec;
  rec.size = seg->plain_size;
  rec.etag = seg->etag;
  rec.modified_ms = NowMs();
  rec.content_type = "application/octet-stream";
  rec.segments.push_back(std::move(seg).value());
  rec.op_tag = catalog::NewOpTag();
  // The server's path: the commit joins the store's next group commit.
  using PutResult = Result<std::optional<catalog::ObjectRecord>>;
  std::promise<PutResult> promise;
  const meta::Durability durability = PickDurability();
  ctx.dir.catalog->PutObjectIfAsync(
      ctx.buckets[b], key, rec, condition, [&promise](PutResult r) { promise.set_value(std::move(r)); }, durability);
  PutResult replaced = promise.get_future().get();
  if (replaced.ok()) {
    if (Status logged = LogEntryFor(ctx, durability); !logged.ok()) {
      // As the handler whose log entry is refused: not acknowledged, the
      // commit may or may not survive, and no blob is freed.
      cand.AddUnacknowledged(Content{plain, rec.etag});
      return Outcome(kind, Verdict::kFailed, detail + " (log entry)", logged);
    }
  }
  const StatusCode code = replaced.ok() ? StatusCode::kOk : replaced.status().code();
  if (expected && code != *expected &&
      (code == StatusCode::kOk || code == StatusCode::kFailedPrecondition || code == StatusCode::kNotFound)) {
    ctx.violations.push_back(fmt::format("{}: the store answered {} but the model {} expects {}", detail,
                                         StatusCodeName(code), cand.Describe(), StatusCodeName(*expected)));
  }
  if (replaced.ok()) {
    Acknowledged();
    model_.AcknowledgeObject(b, key, Content{plain, rec.etag});
    if (*replaced) ReleaseReplaced(ctx.dir, ctx.buckets[b], key, **replaced);
    return Outcome(kind, Verdict::kAcknowledged, detail);
  }
  // As the handler: only a definite refusal frees the new blob; after any
  // other failure the record may still land, and the sweeper decides.
  if (catalog::CommitRefused(replaced.status())) Release(ctx.dir, rec.segments);
  if (condition.kind != Kind::kNone && (code == StatusCode::kFailedPrecondition || code == StatusCode::kNotFound)) {
    return Outcome(kind, Verdict::kRefused, detail, replaced.status());
  }
  if (RefusedForStaleKey(ctx, b, replaced.status())) return Outcome(kind, Verdict::kRefused, detail, replaced.status());
  cand.AddUnacknowledged(Content{plain, rec.etag});
  return Outcome(kind, Verdict::kFailed, detail, replaced.status());
}

Status Workload::LogEntryFor(Ctx& ctx, meta::Durability durability) {
  if (durability == meta::Durability::kSynced) return OkStatus();
  meta::Batch entry;
  entry.op_tag = catalog::NewOpTag();
  entry.Put(fmt::format("{:016x}", ++log_entries_), "entry");
  return ctx.dir.meta->Apply(kLogStandInPartition, entry);
}

OpOutcome Workload::Delete(Ctx& ctx) {
  const int b = PickBucket();
  const std::string key = PickKey();
  std::string detail = fmt::format("delete b{}/{}", b, key);
  const meta::Durability durability = PickDurability();
  Result<std::optional<catalog::ObjectRecord>> deleted =
      ctx.dir.catalog->DeleteObject(ctx.buckets[b], key, durability);
  if (deleted.ok()) {
    if (Status logged = LogEntryFor(ctx, durability); !logged.ok()) deleted = logged;
  }
  if (!deleted.ok()) {
    model_.Object(b, key).AddUnacknowledged(Content::Absent());
    return Outcome(OpKind::kDelete, Verdict::kFailed, detail, deleted.status());
  }
  Acknowledged();
  model_.AcknowledgeObject(b, key, Content::Absent());
  if (*deleted) ReleaseReplaced(ctx.dir, ctx.buckets[b], key, **deleted);
  return Outcome(OpKind::kDelete, Verdict::kAcknowledged, detail);
}

OpOutcome Workload::Get(Ctx& ctx) {
  const int b = PickBucket();
  const std::string key = PickKey();
  std::string detail = fmt::format("get b{}/{}", b, key);
  Result<Observed> got = ReadObject(ctx.dir, ctx.buckets[b], key);
  if (!got.ok()) {
    ctx.violations.push_back(fmt::format("{}: read failed before any crash: {}", detail, got.status().ToString()));
    return Outcome(OpKind::kGet, Verdict::kFailed, detail, got.status());
  }
  const Candidates& cand = model_.Object(b, key);
  if (!cand.Match(*got)) {
    ctx.violations.push_back(
        fmt::format("{}: read {} but the model allows {}", detail, got->Describe(), cand.Describe()));
  }
  return Outcome(OpKind::kGet, Verdict::kAcknowledged, detail);
}

OpOutcome Workload::CreateUpload(Ctx& ctx) {
  if (model_.OpenUploads().size() >= kMaxOpenUploads) return UploadPart(ctx);
  const int b = PickBucket();
  UploadModel up;
  up.bucket = b;
  Result<std::string> id = crypto::RandomHex(16);
  if (!id.ok()) return Outcome(OpKind::kCreateUpload, Verdict::kFailed, "create-upload", id.status());
  up.record.upload_id = *id;
  up.record.key = PickKey();
  up.record.initiated_ms = NowMs();
  up.record.owner = "crash-tenant";
  up.record.content_type = "application/octet-stream";
  std::string detail = fmt::format("create-upload b{}/{} {}", b, up.record.key, up.record.upload_id);
  Status s = ctx.dir.catalog->CreateUpload(ctx.buckets[b], up.record);
  if (s.ok()) Acknowledged();
  up.state = s.ok() ? UploadModel::State::kOpen : UploadModel::State::kMaybeCreated;
  model_.uploads()[up.record.upload_id] = std::move(up);
  return Outcome(OpKind::kCreateUpload, s.ok() ? Verdict::kAcknowledged : Verdict::kFailed, detail, s);
}

OpOutcome Workload::UploadPart(Ctx& ctx) {
  std::vector<std::string> open = model_.OpenUploads();
  if (open.empty()) return CreateUpload(ctx);
  UploadModel& up = model_.uploads().at(open[Uniform(0, open.size() - 1)]);
  const catalog::BucketRecord& bucket = ctx.buckets[up.bucket];
  const int number = static_cast<int>(Uniform(1, kMaxPartNumber));
  std::shared_ptr<const std::string> plain = NewPlaintext();
  std::string detail = fmt::format("upload-part b{}/{} {} #{} {} B", up.bucket, up.record.key,
                                   up.record.upload_id, number, plain->size());
  // The handler first checks that the upload exists.
  Result<catalog::UploadRecord> found = ctx.dir.catalog->GetUpload(bucket, up.record.key, up.record.upload_id);
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) {
      ctx.violations.push_back(detail + ": the acknowledged upload is gone");
    }
    return Outcome(OpKind::kUploadPart, Verdict::kFailed, detail, found.status());
  }
  Result<catalog::Segment> seg = StoreSegment(ctx, up.bucket, *plain);
  if (!seg.ok()) return Outcome(OpKind::kUploadPart, Verdict::kFailed, detail, seg.status());
  catalog::PartRecord part;
  part.part_number = number;
  part.segment = std::move(seg).value();
  part.modified_ms = NowMs();
  Result<std::optional<catalog::PartRecord>> replaced = ctx.dir.catalog->PutPart(up.record.upload_id, part);
  if (!replaced.ok()) {
    if (catalog::CommitRefused(replaced.status())) Release(ctx.dir, {part.segment});
    if (RefusedForStaleKey(ctx, up.bucket, replaced.status())) {
      return Outcome(OpKind::kUploadPart, Verdict::kRefused, detail, replaced.status());
    }
    up.parts[number].AddUnacknowledged(Content{plain, part.segment.etag});
    return Outcome(OpKind::kUploadPart, Verdict::kFailed, detail, replaced.status());
  }
  Acknowledged();
  up.parts[number].Acknowledge(Content{plain, part.segment.etag});
  if (*replaced) Release(ctx.dir, {(*replaced)->segment});
  return Outcome(OpKind::kUploadPart, Verdict::kAcknowledged, detail);
}

OpOutcome Workload::Complete(Ctx& ctx, const std::string& upload_id, bool retry) {
  UploadModel& up = model_.uploads().at(upload_id);
  const catalog::BucketRecord& bucket = ctx.buckets[up.bucket];
  std::string detail = fmt::format("{}complete-upload b{}/{} {}", retry ? "retried " : "", up.bucket,
                                   up.record.key, upload_id);
  // The parts the client names: those it uploaded (all, or a subset), or
  // on a retry the same list as the first attempt.
  std::vector<int> chosen;
  if (retry) {
    chosen = up.completion_parts;
  } else {
    for (const auto& [number, cand] : up.parts) {
      if (cand.certain() && cand.only().present()) chosen.push_back(number);
    }
    if (chosen.empty()) return UploadPart(ctx);
    if (chosen.size() > 1 && Uniform(0, 4) == 0) chosen.erase(chosen.begin() + Uniform(0, chosen.size() - 1));
  }
  detail += fmt::format(" parts {}", fmt::join(chosen, ","));
  Result<catalog::UploadRecord> current = ctx.dir.catalog->GetUpload(bucket, up.record.key, upload_id);
  if (!current.ok()) {
    if (current.status().code() == StatusCode::kNotFound) {
      ctx.violations.push_back(detail + ": the upload is gone before its completion");
    }
    return Outcome(OpKind::kComplete, Verdict::kFailed, detail, current.status());
  }
  Result<std::vector<catalog::PartRecord>> listed = ctx.dir.catalog->ListParts(upload_id, 0, 1000);
  if (!listed.ok()) return Outcome(OpKind::kComplete, Verdict::kFailed, detail, listed.status());
  std::map<int, catalog::PartRecord> have;
  for (catalog::PartRecord& p : *listed) have.emplace(p.part_number, std::move(p));

  // As CompleteMultipartUpload builds the record.
  catalog::ObjectRecord rec;
  crypto::Md5 etag_md5;
  std::string content;
  for (int number : chosen) {
    const Content& want = up.parts.at(number).only();
    auto it = have.find(number);
    if (it == have.end() || it->second.segment.etag != want.etag) {
      ctx.violations.push_back(fmt::format("{}: acknowledged part {} ({}) is {}", detail, number, want.Describe(),
                                           it == have.end() ? "missing" : "etag " + it->second.segment.etag));
      return Outcome(OpKind::kComplete, Verdict::kRefused, detail, InvalidArgumentError("InvalidPart"));
    }
    Result<std::string> raw = crypto::HexDecode(want.etag);
    if (!raw.ok()) return Outcome(OpKind::kComplete, Verdict::kFailed, detail, raw.status());
    etag_md5.Update(*raw);
    rec.size += it->second.segment.plain_size;
    rec.segments.push_back(it->second.segment);
    content += *want.data;
  }
  rec.etag = fmt::format("{}-{}", crypto::DigestHex(etag_md5.Finish()), chosen.size());
  rec.parts_count = static_cast<uint32_t>(chosen.size());
  rec.modified_ms = NowMs();
  rec.content_type = current->content_type;
  rec.op_tag = catalog::NewOpTag();
  rec.upload_id = upload_id;
  Content completed{std::make_shared<const std::string>(std::move(content)), rec.etag};

  Result<catalog::Catalog::Completion> done = ctx.dir.catalog->CompleteUpload(bucket, *current, rec);
  if (!done.ok()) {
    if (done.status().code() == StatusCode::kNotFound) {
      ctx.violations.push_back(detail + ": the upload vanished during its completion");
    }
    model_.Object(up.bucket, up.record.key).AddUnacknowledged(completed);
    up.state = UploadModel::State::kCompleting;
    up.completion_parts = chosen;
    up.completion_content = completed;
    up.completion_must_show = true;
    // Parts still under a fenced key version (a rotation interrupted
    // between its fences and its retirement): the completion committed
    // nothing and settled itself; the model keeps it as in flight, which
    // the next verification resolves (reopened, or an earlier attempt's
    // object finished).
    if (RefusedForStaleKey(ctx, up.bucket, done.status())) {
      return Outcome(OpKind::kComplete, Verdict::kRefused, detail, done.status());
    }
    return Outcome(OpKind::kComplete, Verdict::kFailed, detail, done.status());
  }
  Acknowledged();
  const int b = up.bucket;
  const std::string key = up.record.key;
  model_.uploads().erase(upload_id);  // `up` is gone from here on
  model_.AcknowledgeObject(b, key, completed);
  if (done->replaced) ReleaseReplaced(ctx.dir, bucket, key, *done->replaced);
  std::vector<catalog::Segment> release;
  for (catalog::PartRecord& p : done->unused_parts) release.push_back(std::move(p.segment));
  Release(ctx.dir, release);
  return Outcome(OpKind::kComplete, Verdict::kAcknowledged, detail);
}

OpOutcome Workload::Abort(Ctx& ctx) {
  std::vector<std::string> open = model_.OpenUploads();
  if (open.empty()) return CreateUpload(ctx);
  const std::string upload_id = open[Uniform(0, open.size() - 1)];
  UploadModel& up = model_.uploads().at(upload_id);
  std::string detail = fmt::format("abort-upload b{}/{} {}", up.bucket, up.record.key, upload_id);
  const catalog::BucketRecord& bucket = ctx.buckets[up.bucket];
  Result<catalog::UploadRecord> current = ctx.dir.catalog->GetUpload(bucket, up.record.key, upload_id);
  if (!current.ok()) {
    if (current.status().code() == StatusCode::kNotFound) {
      ctx.violations.push_back(detail + ": the acknowledged upload is gone");
    }
    return Outcome(OpKind::kAbort, Verdict::kFailed, detail, current.status());
  }
  Result<std::vector<catalog::PartRecord>> parts = ctx.dir.catalog->AbortUpload(bucket, *current);
  if (!parts.ok()) {
    if (parts.status().code() == StatusCode::kFailedPrecondition || parts.status().code() == StatusCode::kNotFound) {
      ctx.violations.push_back(detail + ": refused: " + parts.status().ToString());
    }
    up.state = UploadModel::State::kMaybeAborted;
    return Outcome(OpKind::kAbort, Verdict::kFailed, detail, parts.status());
  }
  Acknowledged();
  model_.uploads().erase(upload_id);
  std::vector<catalog::Segment> release;
  for (catalog::PartRecord& p : *parts) release.push_back(std::move(p.segment));
  Release(ctx.dir, release);
  return Outcome(OpKind::kAbort, Verdict::kAcknowledged, detail);
}

OpOutcome Workload::Sweep(Ctx& ctx) {
  // No grace period: operations run one at a time, so no blob is between
  // its commit and its metadata commit when the sweep lists candidates.
  catalog::OrphanSweeper sweeper(*ctx.dir.catalog, *ctx.dir.blobs, /*grace_seconds=*/0);
  Result<catalog::SweepStats> swept = sweeper.SweepOnce(Env::Default()->NowMicros() / 1000000);
  if (!swept.ok()) return Outcome(OpKind::kSweep, Verdict::kFailed, "sweep", swept.status());
  Acknowledged();
  return Outcome(OpKind::kSweep, Verdict::kAcknowledged,
                 fmt::format("sweep: {} blobs, {} deleted", swept->blobs_seen, swept->deleted));
}

OpOutcome Workload::RotateKey(Ctx& ctx) {
  const int b = PickBucket();
  const catalog::BucketRecord held = ctx.buckets[b];
  std::string detail = fmt::format("rotate-key b{} (held record: version {})", b, held.key_version);
  rotated_ = true;
  // Start's first step (BucketKeyRotation::Start) in this thread: a new
  // version, unless an interrupted rotation left one to retire.
  Result<catalog::BucketRecord> rotating =
      ctx.dir.catalog->UpdateBucket(held.name, [&](catalog::BucketRecord& r) -> Status {
        if (!r.previous_keys.empty()) return OkStatus();
        return ctx.dir.bucket_keys->AddVersion(r, kms::Justification::kSystemMaintenance);
      });
  if (!rotating.ok()) return Outcome(OpKind::kRotateKey, Verdict::kFailed, detail, rotating.status());
  detail += fmt::format(" {} -> {}", rotating->previous_keys.front().version, rotating->key_version);
  catalog::BucketKeyRotation rotation(*ctx.dir.meta, *ctx.dir.catalog, *ctx.dir.bucket_keys);
  if (Status s = rotation.RunJob(held.owner, held.name, std::stop_token()); !s.ok()) {
    return Outcome(OpKind::kRotateKey, Verdict::kFailed, detail, s);
  }
  Acknowledged();
  // Half the time the workload goes on with the record it held, as a
  // request that read it before the rotation: its next write is refused.
  if (Uniform(0, 1) == 0) {
    if (Result<catalog::BucketRecord> fresh = ctx.dir.catalog->GetBucket(held.name); fresh.ok()) {
      ctx.buckets[b] = std::move(fresh).value();
    }
  }
  return Outcome(OpKind::kRotateKey, Verdict::kAcknowledged, detail);
}

OpOutcome Workload::DeleteBucket(Ctx& ctx) {
  const int b = PickBucket();
  bool holds_object = false;
  for (const std::string& key : model_.keys()) {
    const Candidates& c = model_.Object(b, key);
    holds_object = holds_object || (c.certain() && c.only().present());
  }
  // An empty bucket would go, and the harness keeps its buckets.
  if (!holds_object) return Get(ctx);
  std::string detail = fmt::format("delete-bucket b{} (holds an object)", b);
  Status s = ctx.dir.catalog->DeleteBucket(ctx.buckets[b]);
  if (s.ok()) {
    ctx.violations.push_back(detail + ": deleted");
    return Outcome(OpKind::kDeleteBucket, Verdict::kAcknowledged, detail);
  }
  if (s.code() == StatusCode::kFailedPrecondition) return Outcome(OpKind::kDeleteBucket, Verdict::kRefused, detail, s);
  return Outcome(OpKind::kDeleteBucket, Verdict::kFailed, detail, s);
}

}  // namespace confiance::crashtest
