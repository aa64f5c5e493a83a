// File: catalog/sweeper.cc
#include "catalog/sweeper.h"

#include <algorithm>
#include <string>
#include <vector>

namespace confiance::catalog {

Result<SweepStats> OrphanSweeper::SweepOnce(uint64_t now_seconds) {
  SweepStats stats;
  // First, so that the blobs only their records referenced become orphans
  // too (swept once past the grace period, as every orphan).
  const uint64_t now_ms = now_seconds * 1000;
  ASSIGN_OR_RETURN(stats.interrupted_deletes, catalog_.RecoverInterruptedDeletes(now_ms));
  // Completions past their takeover age are a crashed or failed request's
  // (of this process since its start, or of another sharing the store):
  // settled, so that none stays hidden from listings and unabortable.
  ASSIGN_OR_RETURN(Catalog::SettledCompletions settled,
                   catalog_.SettleInterruptedCompletions(Catalog::CompletionTakeoverCutoff(now_ms)));
  stats.interrupted_completions = settled.finished + settled.reopened;
  ASSIGN_OR_RETURN(stats.orphan_partitions, catalog_.DropOrphanPartitions());
  std::vector<std::string> candidates;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<blob::BlobInfo> page, blobs_.List(after, 1000));
    for (const blob::BlobInfo& b : page) {
      ++stats.blobs_seen;
      if (b.mtime_seconds + grace_seconds_ <= now_seconds) candidates.push_back(b.id);
    }
    if (page.size() < 1000) break;
    after = page.back().id;
  }
  stats.candidates = candidates.size();
  if (candidates.empty()) return stats;
  std::sort(candidates.begin(), candidates.end());
  std::vector<bool> referenced(candidates.size(), false);
  RETURN_IF_ERROR(catalog_.MarkReferencedBlobs([&](const std::string& id) {
    auto it = std::lower_bound(candidates.begin(), candidates.end(), id);
    if (it != candidates.end() && *it == id) referenced[it - candidates.begin()] = true;
  }));
  // A store that failed a write may still hold it, unseen, in its log: no
  // blob is unreferenced for sure until it has been reopened.
  RETURN_IF_ERROR(catalog_.CheckWritable());
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (referenced[i]) continue;
    RETURN_IF_ERROR(blobs_.Delete(candidates[i]));
    ++stats.deleted;
  }
  return stats;
}

}  // namespace confiance::catalog
