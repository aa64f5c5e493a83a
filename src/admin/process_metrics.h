// File: admin/process_metrics.h
// The process_* metrics every Prometheus client library exports on Linux
// (CPU time, memory, file descriptors, start time), under the same names,
// so that existing dashboards and alerts work unchanged. Read from /proc at
// each scrape.
#pragma once

#include "common/metrics.h"

namespace confiance::admin {

// Appends process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds; a value that cannot be read is left out.
void WriteProcessMetrics(metrics::PrometheusText& out);

}  // namespace confiance::admin
