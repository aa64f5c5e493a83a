// File: tests/crash/crash_workload.h
// The power-loss harness's workload: one random S3 operation at a time
// against the whole store stack (catalog, bucket keys, blob store, metadata
// store), performed the way the S3 handlers do it (s3/object_handlers.cc,
// s3/multipart_handlers.cc, s3/s3_service.cc StoreBody), with every outcome
// recorded in a StoreModel.
//
// Operations: PUT of many sizes (empty, inline, just over the inline limit,
// several 64 KiB packages), conditional PUT (If-None-Match: *, If-Match),
// DELETE, GET (read-your-writes), CreateMultipartUpload, UploadPart (also
// replacing a part), CompleteMultipartUpload (all parts or a subset),
// AbortMultipartUpload, an orphan-sweeper pass and a bucket-key rotation
// run to its end in the workload's thread (catalog/bucket_key_rotation.h:
// every data key rewrapped, the old version fenced, then retired and the
// metadata purged of it). A rotation leaves the bucket record the workload
// holds stale half the time, as a request that read it before the rotation
// would: its writes wrap under the old version, and once that is fenced
// they are refused (Aborted, nothing stored) and the record read again.
// And DeleteBucket of a bucket the model knows holds an object: refused
// (BucketNotEmpty), after marking the record and fencing the shards
// (catalog/bucket_delete.cc), which a crash may leave for the start-up to
// clear.
// Half of the PUTs and
// DELETEs commit as the server does with the transparency log on: without
// a sync of their own, acknowledged once a synced stand-in of their log
// entry has followed (LogEntryFor). Operations run one at a
// time, so at a crash at most one is in flight (plus the few the harness
// issues after the crash point, which must all fail).
//
// Thread-safety: one Workload per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "main/data_dir.h"
#include "meta/meta_store.h"
#include "tests/crash/crash_model.h"

namespace confiance::crashtest {

// Sealed bytes a segment keeps inline in its record: the server's default
// (s3::S3Options::inline_limit; s3/ is not linked into the harness).
inline constexpr size_t kInlineLimit = 64 * 1024 + 64;

// Where the workload writes the stand-ins of the log entries that make
// deferred commits durable (Workload::LogEntryFor): a partition of the
// catalog's store that no bucket uses, as the transparency logs' are.
inline constexpr std::string_view kLogStandInPartition = "harness-log";

enum class OpKind {
  kPut,
  kPutIfAbsent,
  kPutIfMatch,
  kDelete,
  kGet,
  kCreateUpload,
  kUploadPart,
  kComplete,
  kAbort,
  kSweep,
  kRotateKey,
  kDeleteBucket,
  kCount,  // not an operation
};
const char* OpKindName(OpKind kind);

struct OpOutcome {
  enum class Verdict {
    kAcknowledged,  // the store said yes (the S3 handler would send 2xx)
    kRefused,       // a definite "no" with no effect (412, NoSuchUpload...)
    kFailed,        // an error: the operation may or may not have happened
    kSkipped,       // nothing to do (e.g. no upload to complete)
  };
  OpKind kind = OpKind::kPut;
  Verdict verdict = Verdict::kSkipped;
  Status status;       // kFailed / kRefused: why
  std::string detail;  // what was attempted, for reports
};

class Workload {
 public:
  Workload(StoreModel& model, uint64_t seed) : model_(model), rng_(seed) {}

  // Called at the instant an operation is acknowledged, before it releases
  // what it replaced: the harness checks that no injected error hit the
  // operation's path before that point.
  void set_on_acknowledged(std::function<void()> hook) { on_acknowledged_ = std::move(hook); }

  // Runs one random operation (a third of the time, while there is one,
  // the retry of a completion found unfinished after a crash) against `dir`
  // and records its outcome in the model. Read-your-writes violations seen on the way (a GET or a
  // conditional PUT that disagrees with a certain model, an acknowledged
  // part that is missing) are appended to `violations`.
  // `buckets` are the records the workload writes through; a rotation or
  // a write refused for a stale record replaces one with the stored record.
  OpOutcome RunOne(DataDir& dir, std::vector<catalog::BucketRecord>& buckets, std::vector<std::string>& violations);
  // True once if a rotation ran (or was tried) since the last call: every
  // object's bytes are then worth decrypting at the next verification.
  bool TakeRotated() { return std::exchange(rotated_, false); }
  // Whether the mix includes bucket-key rotations (default yes).
  void set_rotations(bool on) { rotations_ = on; }

 private:
  struct Ctx {
    DataDir& dir;
    std::vector<catalog::BucketRecord>& buckets;
    std::vector<std::string>& violations;
  };

  OpOutcome Put(Ctx& ctx, OpKind kind);
  OpOutcome Delete(Ctx& ctx);
  OpOutcome Get(Ctx& ctx);
  OpOutcome CreateUpload(Ctx& ctx);
  OpOutcome UploadPart(Ctx& ctx);
  OpOutcome Complete(Ctx& ctx, const std::string& upload_id, bool retry);
  OpOutcome Abort(Ctx& ctx);
  OpOutcome Sweep(Ctx& ctx);
  OpOutcome RotateKey(Ctx& ctx);
  OpOutcome DeleteBucket(Ctx& ctx);
  // A commit refused because the record of bucket `b` the workload holds
  // predates a rotation that fenced its key version (Aborted): reads the
  // record again, as the client's retry would, and says whether it was so.
  bool RefusedForStaleKey(Ctx& ctx, int b, const Status& status);

  // The server's path with the transparency log on: a PUT or DELETE commits
  // with meta::Durability::kWithNextSync and is acknowledged only once its
  // request's log entry, a synced batch of another partition of the same
  // store, is durable. Half of the PUTs and DELETEs take it.
  meta::Durability PickDurability() {
    return Uniform(0, 1) == 0 ? meta::Durability::kWithNextSync : meta::Durability::kSynced;
  }
  // Appends a log entry's stand-in (a synced batch in partition
  // kLogStandInPartition) after a commit of `durability`; OK at once for a
  // synced commit, which needs none.
  Status LogEntryFor(Ctx& ctx, meta::Durability durability);
  // Encrypts and stores `plain` as one segment (inline or a committed blob).
  Result<catalog::Segment> StoreSegment(Ctx& ctx, int bucket, const std::string& plain);
  // A fresh plaintext of a size drawn from the mix above.
  std::shared_ptr<const std::string> NewPlaintext();
  uint64_t Uniform(uint64_t lo, uint64_t hi);  // inclusive
  int PickBucket() { return static_cast<int>(Uniform(0, model_.buckets() - 1)); }
  const std::string& PickKey();

  void Acknowledged() {
    if (on_acknowledged_) on_acknowledged_();
  }

  StoreModel& model_;
  std::mt19937_64 rng_;
  uint64_t log_entries_ = 0;
  std::function<void()> on_acknowledged_;
  bool rotated_ = false;
  bool rotations_ = true;
};

}  // namespace confiance::crashtest
