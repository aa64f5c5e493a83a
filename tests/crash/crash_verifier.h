// File: tests/crash/crash_verifier.h
// Checks a store reopened after a crash against the StoreModel, then
// settles the model on what was found (the next crash point starts from
// it). Checked, per bucket:
//  - every key GETs (record, every blob opened, every package decrypted and
//    authenticated) as exactly one of its candidates, byte for byte: an
//    acknowledged write is there (or a later unacknowledged one), nothing
//    acknowledged as deleted reappears, nothing is torn or half-visible;
//  - the listing (paged, across index shards) names exactly the keys GET
//    finds, each with GET's size and ETag;
//  - every acknowledged upload is listed, every listed upload is one the
//    model knows (nothing completed or aborted comes back), with its parts
//    as acknowledged; an upload whose in-flight Complete left no upload
//    record must have left the completed object;
//  - the bucket records survive.
// Uploads found unfinished after an in-flight Complete become
// kRetryComplete (the client retries, as S3 clients do); upload records
// that may exist although never acknowledged are adopted or dropped.
#pragma once

#include <string>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "main/data_dir.h"
#include "tests/crash/crash_model.h"

namespace confiance::crashtest {

// GETs one object the way the S3 handler does: the record, every blob
// opened, and with `read_data` every byte decrypted (without it, each
// blob's size is checked against its segment instead, and Observed.data is
// left empty). Observed.present is false for NotFound; any other failure (a
// missing or short blob, a package that does not authenticate, an
// undecodable record) is returned as an error.
Result<Observed> ReadObject(DataDir& dir, const catalog::BucketRecord& bucket, const std::string& key,
                            bool read_data = true);

struct VerifyStats {
  uint64_t objects_read = 0;  // present objects read back in full
  uint64_t bytes_read = 0;
  uint64_t keys_checked = 0;  // present or absent
  uint64_t uploads_checked = 0;
  uint64_t completions_resolved = 0;  // in-flight completions found done or undone
};

// Appends one line per violation to `violations`; on return the model holds
// exactly what the store holds (where the check passed). Objects written
// since the last check are read back in full; the others only when
// `read_everything` (their record, blobs and blob sizes are still checked:
// a power loss undoes only what was never made durable, so a lost write
// shows at the first check after it).
void VerifyAndSettle(DataDir& dir, const std::vector<catalog::BucketRecord>& buckets, StoreModel& model,
                     bool read_everything, std::vector<std::string>& violations, VerifyStats& stats);

}  // namespace confiance::crashtest
