// File: blob/rados/rados_stats.h
// RadosStats: what one RADOS pool's store saw of the Ceph cluster, for the
// operator's metrics (admin/metrics_endpoint.h, docs/monitoring.md): the
// cluster's errors by kind (every librados call's result passes through
// RadosIo::Check, which counts them), the bytes of the blobs committed and
// read, the writes refused above `rados_full_ratio`, and the deleted blobs
// the gc collected. Gauges (the lease, the cluster's space) are read from
// the store itself (RadosBlobStore::HoldsLease, ClusterBytes).
//
// Thread-safety: relaxed atomics (common/metrics.h).
#pragma once

#include "common/metrics.h"

namespace confiance::blob {

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
};

}  // namespace confiance::blob
