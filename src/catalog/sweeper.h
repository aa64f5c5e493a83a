// File: catalog/sweeper.h
// OrphanSweeper: removes blobs that no record references (left by a crash
// between a blob commit and its metadata commit, by a failed request, or
// by a cleanup that did not finish). Mark and sweep:
//   0. free the buckets a crashed DeleteBucket left fenced
//      (Catalog::RecoverInterruptedDeletes), settle the multipart
//      completions a crash or a failure stopped more than
//      Catalog::kCompletionTakeoverMs ago (SettleInterruptedCompletions),
//      and drop the partitions of buckets whose record is gone (a DeleteBucket
//      cut short by a crash), so that their blobs are orphans too;
//   1. list the blobs older than the grace period (the candidates);
//   2. mark every blob referenced by the catalog;
//   3. delete the unmarked candidates.
// Listing candidates *before* marking means that any candidate committed by
// a write that went on to commit its metadata is seen by the mark, as long
// as that metadata commit followed its blob commit by less than the grace
// period (seconds in practice; the grace is minutes).
// Nothing is deleted while the metadata store refuses commits: after a
// failed write its durable state is unknown until it is reopened, and the
// failed write -- invisible until then -- may reference a candidate.
#pragma once

#include <cstdint>

#include "blob/blob_store.h"
#include "catalog/catalog.h"
#include "common/status.h"

namespace confiance::catalog {

struct SweepStats {
  uint64_t blobs_seen = 0;
  uint64_t candidates = 0;
  uint64_t deleted = 0;
  uint64_t orphan_partitions = 0;  // of deleted buckets, dropped (Catalog::DropOrphanPartitions)
  uint64_t interrupted_deletes = 0;  // buckets whose delete fences were lifted
  uint64_t interrupted_completions = 0;  // multipart completions settled (finished or reopened)
};

class OrphanSweeper {
 public:
  OrphanSweeper(Catalog& catalog, blob::BlobStore& blobs, uint64_t grace_seconds)
      : catalog_(catalog), blobs_(blobs), grace_seconds_(grace_seconds) {}

  // One full pass. `now_seconds` is the wall clock (blob mtimes compare to
  // it). Fails, deleting nothing, if the metadata store refuses commits.
  Result<SweepStats> SweepOnce(uint64_t now_seconds);

 private:
  Catalog& catalog_;
  blob::BlobStore& blobs_;
  uint64_t grace_seconds_;
};

}  // namespace confiance::catalog
