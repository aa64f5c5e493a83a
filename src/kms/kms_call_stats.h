// File: kms/kms_call_stats.h
// KmsCallStats: the calls a server made to an external KMS over KMIP, for
// the operator's metrics (admin/metrics_endpoint.h): every request sent
// (a call whose connection was cut and then retried counts once), those
// that got no answer (the KMS unreachable or silent, after any retries),
// those the KMS answered with an error (a revoked or destroyed key, a
// refused justification), and how long each took, retries included.
//
// Unwraps served from a provider's cache make no call and are not counted.
//
// Thread-safety: relaxed atomics (common/metrics.h).
#pragma once

#include "common/metrics.h"

namespace confiance::kms {

struct KmsCallStats {
  metrics::Counter calls;
  metrics::Counter unreachable;
  metrics::Counter refused;
  metrics::Histogram latency;
};

}  // namespace confiance::kms
