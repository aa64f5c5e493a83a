// File: blob/rados/rados_stats.h
// RadosStats: what one RADOS pool's store saw of the Ceph cluster, for the
// operator's metrics (admin/metrics_endpoint.h, docs/monitoring.md): the
// cluster's errors by kind (every librados call's result passes through
// RadosIo::Check, which counts them), the bytes of the blobs committed and
// read, the writes refused above `rados_full_ratio`, and the deleted blobs
// the gc collected. Gauges (the lease, the cluster's space) are read from
// the store itself (RadosBlobStore::HoldsLease, ClusterBytes). The time of
// each call to the cluster, by kind (RadosOp), tells a slow cluster from a
// slow server.
//
// Thread-safety: relaxed atomics (common/metrics.h).
#pragma once

#include <array>
#include <cstddef>

#include "common/metrics.h"

namespace confiance::blob {

// The kinds of RADOS calls whose time is observed.
enum class RadosOp : size_t {
  kWrite,      // a stripe write (asynchronous, pipelined)
  kRead,       // a stripe read, read-ahead included
  kRemove,     // an object removal (stripes, gc)
  kStat,       // an object's size
  kOmapRead,   // an index, intent or gc lookup or page
  kOmapWrite,  // an index, intent or gc update: a blob's commit is one
};
inline constexpr size_t kRadosOpCount = 6;
// Their names in the metrics (label `op`), in RadosOp's order.
inline constexpr const char* kRadosOpNames[kRadosOpCount] = {"write", "read",      "remove",
                                                             "stat",  "omap_read", "omap_write"};

struct RadosStats {
  // Failed calls, not counting "no such object" (an expected answer).
  metrics::Counter timeouts;       // -ETIMEDOUT: slower than rados_op_timeout
  metrics::Counter full;           // -ENOSPC/-EDQUOT: the cluster or a quota is full
  metrics::Counter denied;         // -EACCES/-EPERM: cephx caps refuse the call
  metrics::Counter other_errors;   // any other error code
  metrics::Counter bytes_written;  // of blobs committed
  metrics::Counter bytes_read;     // from stripes, read-ahead included
  metrics::Counter refused_full;   // new data refused above rados_full_ratio (507)
  metrics::Counter gc_collected;   // deleted blobs whose stripes the gc removed
  // From a call's issue to its completion by librados, whatever its
  // outcome (a call that timed out counts its timeout). For an asynchronous
  // call, to librados' completion callback, not to when the caller waited
  // for it (a pipelined writer waits late).
  std::array<metrics::Histogram, kRadosOpCount> op_duration;

  metrics::Histogram& duration(RadosOp op) { return op_duration[static_cast<size_t>(op)]; }
  const metrics::Histogram& duration(RadosOp op) const { return op_duration[static_cast<size_t>(op)]; }
};

}  // namespace confiance::blob
