// File: audit/log_stats.h
// LogStats: how the transparency logs' group commit is doing, summed over
// every log of an AuditLog, for the operator's metrics
// (admin/metrics_endpoint.h): entries made durable, the groups (one synced
// batch each) they went in, groups that failed (their requests were
// refused with 503), and how long a group took from its batch's submission
// to its completion (mostly the device's sync); checkpoints that could not
// be published, and each witness's failed attempts to cosign one
// (main/transparency.h counts those).
//
// Thread-safety: relaxed atomics (common/metrics.h); `witness_failures`
// gains its keys before any thread counts or reads (main/transparency.h),
// and only its counters change afterwards.
#pragma once

#include <map>
#include <string>

#include "common/metrics.h"

namespace confiance::audit {

struct LogStats {
  metrics::Counter entries;
  metrics::Counter groups;
  metrics::Counter failed_groups;
  // Groups sent again because another writer of the store appended first.
  metrics::Counter conflicts;
  metrics::Histogram commit_latency;
  metrics::Counter checkpoint_failures;
  std::map<std::string, metrics::Counter> witness_failures;  // by witness name
};

}  // namespace confiance::audit
