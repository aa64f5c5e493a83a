// File: admin/metrics_endpoint.cc
#include "admin/metrics_endpoint.h"

#include <cctype>
#include <vector>

#include "admin/admin_router.h"
#include "admin/admin_service.h"
#include "admin/process_metrics.h"
#include "blob/rados/rados_blob_store.h"
#include "common/version.h"
#include "crypto/encoding.h"
#include "meta/rados/rados_meta_store.h"

namespace confiance::admin {
namespace {

bool IsPath(std::string_view target, std::string_view path) {
  return target == path || (target.starts_with(path) && target.size() > path.size() && target[path.size()] == '?');
}

void WriteHttpStats(const http::ServerStats& s, metrics::PrometheusText& out) {
  out.Single("confiance_http_connections_accepted_total", "counter", "Connections accepted.",
             s.connections_accepted.value());
  out.Single("confiance_http_accept_failures_total", "counter", "Accepts that failed (e.g. out of file descriptors).",
             s.accept_failures.value());
  out.Single("confiance_http_tls_handshake_failures_total", "counter",
             "TLS handshakes that failed, plain HTTP sent to the TLS port included.", s.tls_handshakes_failed.value());
  out.Single("confiance_http_slow_clients_closed_total", "counter",
             "Connections closed because a header, body or response made no progress within its timeout.",
             s.slow_clients_closed.value());
  out.Single("confiance_http_request_body_bytes_total", "counter", "Request body bytes received.",
             s.body_bytes_received.value());
  out.Single("confiance_http_response_body_bytes_total", "counter", "Response body bytes sent.",
             s.body_bytes_sent.value());
}

// A counter family of two samples, result="ok" and result="failed".
void ResultCounter(metrics::PrometheusText& out, std::string_view name, std::string_view help,
                   const metrics::Counter& ok, const metrics::Counter& failed) {
  out.Family(name, "counter", help);
  out.Sample(name, {{"result", "ok"}}, ok.value());
  out.Sample(name, {{"result", "failed"}}, failed.value());
}

void WriteLogStats(const audit::LogStats& s, metrics::PrometheusText& out) {
  out.Single("confiance_audit_log_entries_total", "counter",
             "Transparency-log entries made durable (one per request and per operator action on each log it "
             "reaches).",
             s.entries.value());
  out.Single("confiance_audit_log_groups_total", "counter",
             "Groups of entries committed, one synced batch each (entries / groups is the group size).",
             s.groups.value());
  out.Single("confiance_audit_log_failed_groups_total", "counter",
             "Groups whose batch failed: their requests were refused with 503 and the log must be reopened.",
             s.failed_groups.value());
  out.Single("confiance_audit_log_conflicts_total", "counter",
             "Groups sent again because another writer of a shared metadata store appended to the log first.",
             s.conflicts.value());
  out.Family("confiance_audit_log_commit_duration_seconds", "histogram",
             "From a group's batch submitted to the store to its completion (mostly the device's sync).");
  out.HistogramSamples("confiance_audit_log_commit_duration_seconds", {}, s.commit_latency);
  out.Single("confiance_audit_checkpoint_failures_total", "counter",
             "Checkpoints that could not be signed and stored (they are retried every second).",
             s.checkpoint_failures.value());
  if (!s.witness_failures.empty()) {
    out.Family("confiance_audit_witness_failures_total", "counter",
               "Attempts to get a checkpoint cosigned that failed, by witness (--witness); the log says why.");
    for (const auto& [witness, failures] : s.witness_failures) {
      out.Sample("confiance_audit_witness_failures_total", {{"witness", witness}}, failures.value());
    }
  }
}

// What a store on a Ceph cluster saw of it: its failed calls by kind and
// the time of its calls by kind, labelled with `pool` unless it is empty.
void WriteRadosErrors(const char* family, std::string_view pool, const blob::RadosStats& s,
                      metrics::PrometheusText& out) {
  for (const auto& [kind, counter] : {std::pair<const char*, const metrics::Counter*>{"timeout", &s.timeouts},
                                      {"full", &s.full},
                                      {"denied", &s.denied},
                                      {"other", &s.other_errors}}) {
    if (pool.empty()) {
      out.Sample(family, {{"kind", kind}}, counter->value());
    } else {
      out.Sample(family, {{"pool", pool}, {"kind", kind}}, counter->value());
    }
  }
}
void WriteRadosDurations(const char* family, std::string_view pool, const blob::RadosStats& s,
                         metrics::PrometheusText& out) {
  for (size_t op = 0; op < blob::kRadosOpCount; ++op) {
    if (pool.empty()) {
      out.HistogramSamples(family, {{"op", blob::kRadosOpNames[op]}}, s.op_duration[op]);
    } else {
      out.HistogramSamples(family, {{"pool", pool}, {"op", blob::kRadosOpNames[op]}}, s.op_duration[op]);
    }
  }
}

// The metadata store on a Ceph cluster (docs/rados.md, "Metadata on RADOS").
void WriteRadosMetadata(const meta::RadosMetaStore& store, metrics::PrometheusText& out) {
  out.Family("confiance_rados_metadata_errors_total", "counter",
             "Calls to the RADOS pool holding the metadata that failed, by kind (timeout, full, denied, other).");
  WriteRadosErrors("confiance_rados_metadata_errors_total", "", store.stats(), out);
  out.Family("confiance_rados_metadata_op_duration_seconds", "histogram",
             "Time of the calls to the RADOS pool holding the metadata, by kind (omap_read: a record read or scan "
             "page; omap_write: a commit; remove: a dropped partition).");
  WriteRadosDurations("confiance_rados_metadata_op_duration_seconds", "", store.stats(), out);
  out.Single("confiance_rados_metadata_lease_held", "gauge",
             "1 while this server holds the lease on the metadata's namespace for sure (writes allowed), else 0.",
             uint64_t{store.HoldsLease() ? 1u : 0u});
  out.Family("confiance_rados_metadata_worker_lease_held", "gauge",
             "Per kind of background work (lifecycle, sweeper, notifications...), 1 while this server holds its worker "
             "lease and does it, 0 while another server sharing the metadata does (docs/rados.md).");
  for (const auto& [work, held] : store.WorkerLeases()) {
    out.Sample("confiance_rados_metadata_worker_lease_held", {{"work", work}}, uint64_t{held ? 1u : 0u});
  }
  const meta::RadosNotices::Stats notices = store.NoticeStats();
  out.Family("confiance_rados_metadata_notices_total", "counter",
             "Change notices this server sent to the others sharing the metadata, by result: acknowledged by every "
             "server; fenced (some server did not answer, and the change waited until it no longer uses its caches); "
             "failed (not sent; the change stands, logged). docs/rados.md, \"Several gateways\".");
  out.Sample("confiance_rados_metadata_notices_total", {{"result", "acknowledged"}}, notices.acknowledged);
  out.Sample("confiance_rados_metadata_notices_total", {{"result", "fenced"}}, notices.fenced);
  out.Sample("confiance_rados_metadata_notices_total", {{"result", "failed"}}, notices.failed);
}

// The pools on a Ceph cluster: what the cluster answered, and its space.
void WriteRadosPools(const std::vector<RadosPoolSource>& pools, metrics::PrometheusText& out) {
  out.Family("confiance_rados_errors_total", "counter",
             "RADOS calls that failed, by pool and kind (timeout, full, denied, other); the server's log says which.");
  for (const RadosPoolSource& p : pools)
    WriteRadosErrors("confiance_rados_errors_total", p.name, p.store->stats(), out);
  out.Family("confiance_rados_op_duration_seconds", "histogram",
             "Time of the calls to each RADOS pool, by kind, from their issue to their completion by librados "
             "(timed-out calls included).");
  for (const RadosPoolSource& p : pools) {
    WriteRadosDurations("confiance_rados_op_duration_seconds", p.name, p.store->stats(), out);
  }
  struct Row {
    const char* name;
    const char* type;
    const char* help;
    uint64_t (*value)(const blob::RadosBlobStore&);
  };
  static constexpr Row kRows[] = {
      {"confiance_rados_written_bytes_total", "counter", "Bytes of the blobs committed to each RADOS pool.",
       [](const blob::RadosBlobStore& b) { return b.stats().bytes_written.value(); }},
      {"confiance_rados_read_bytes_total", "counter",
       "Bytes read from each RADOS pool's stripes (read-ahead included).",
       [](const blob::RadosBlobStore& b) { return b.stats().bytes_read.value(); }},
      {"confiance_rados_refused_full_total", "counter",
       "Writes of new data refused (507) because the cluster was used above rados_full_ratio.",
       [](const blob::RadosBlobStore& b) { return b.stats().refused_full.value(); }},
      {"confiance_rados_gc_collected_total", "counter",
       "Deleted blobs whose stripes the gc removed, rados_gc_delay after their deletion.",
       [](const blob::RadosBlobStore& b) { return b.stats().gc_collected.value(); }},
      {"confiance_rados_lease_held", "gauge",
       "1 while this server holds the lease on the pool's namespace for sure (writes allowed), else 0.",
       [](const blob::RadosBlobStore& b) { return uint64_t{b.HoldsLease() ? 1u : 0u}; }},
      {"confiance_rados_cluster_bytes", "gauge", "Raw size of the Ceph cluster holding each RADOS pool.",
       [](const blob::RadosBlobStore& b) { return b.ClusterBytes().second; }},
      {"confiance_rados_cluster_used_bytes", "gauge",
       "Raw bytes used in that cluster (new data is refused above rados_full_ratio of the size).",
       [](const blob::RadosBlobStore& b) { return b.ClusterBytes().first; }},
  };
  for (const Row& row : kRows) {
    out.Family(row.name, row.type, row.help);
    for (const RadosPoolSource& p : pools) out.Sample(row.name, {{"pool", p.name}}, row.value(*p.store));
  }
}

// `by_kms`: the label of each stats ("root", "tenant"); null stats are skipped.
void WriteKmsStats(std::initializer_list<std::pair<const char*, const kms::KmsCallStats*>> by_kms,
                   metrics::PrometheusText& out) {
  bool any = false;
  for (const auto& [name, stats] : by_kms) any = any || stats != nullptr;
  if (!any) return;
  struct Row {
    const char* name;
    const char* help;
    metrics::Counter kms::KmsCallStats::*counter;
  };
  const Row rows[] = {
      {"confiance_kms_calls_total",
       "KMIP requests sent to the KMS (kms=\"root\": --kms kmip; \"tenant\": "
       "tenants' own KMSs, summed).",
       &kms::KmsCallStats::calls},
      {"confiance_kms_unreachable_total", "KMIP requests that got no answer, after retries.",
       &kms::KmsCallStats::unreachable},
      {"confiance_kms_refusals_total",
       "KMIP requests the KMS answered with an error (a revoked or destroyed key, "
       "a refused justification).",
       &kms::KmsCallStats::refused},
  };
  for (const Row& r : rows) {
    out.Family(r.name, "counter", r.help);
    for (const auto& [name, stats] : by_kms) {
      if (stats != nullptr) out.Sample(r.name, {{"kms", name}}, (stats->*r.counter).value());
    }
  }
  out.Family("confiance_kms_call_duration_seconds", "histogram", "Time of a KMIP request, retries included.");
  for (const auto& [name, stats] : by_kms) {
    if (stats != nullptr) out.HistogramSamples("confiance_kms_call_duration_seconds", {{"kms", name}}, stats->latency);
  }
}

void WriteBackgroundStats(const BackgroundStats& s, metrics::PrometheusText& out) {
  ResultCounter(out, "confiance_lifecycle_ticks_total",
                "Ticks of the lifecycle worker (--lifecycle-interval), by result; a failed tick is retried.",
                s.lifecycle_ticks, s.lifecycle_failed_ticks);
  out.Single("confiance_lifecycle_expired_total", "counter",
             "Objects the lifecycle rules deleted or gave a delete marker, and versions they removed.",
             s.lifecycle_expired.value());
  out.Single("confiance_lifecycle_uploads_aborted_total", "counter",
             "Incomplete multipart uploads the lifecycle rules aborted.", s.lifecycle_aborted.value());
  out.Single("confiance_lifecycle_transitions_total", "counter",
             "Object versions the lifecycle rules moved to another storage class.", s.lifecycle_transitioned.value());
  ResultCounter(out, "confiance_sweeper_passes_total",
                "Passes of the orphan sweeper (--sweep-interval), by result; a failed pass deletes nothing.",
                s.sweeps, s.failed_sweeps);
  out.Single("confiance_sweeper_orphans_deleted_total", "counter",
             "Blobs no record pointed to (left by crashes or failed requests), deleted after --sweep-grace.",
             s.orphans_deleted.value());
  ResultCounter(out, "confiance_backups_total", "Online backups (confiance admin backup start), by result.",
                s.backups, s.failed_backups);
  out.Single("confiance_backup_last_success_timestamp_seconds", "gauge",
             "When the last online backup of this process completed (Unix seconds); 0 before the first.",
             s.last_backup_success_s.load(std::memory_order_relaxed));
  ResultCounter(out, "confiance_scrubs_total",
                "Online scrubs (confiance admin scrub start, --scrub-interval), by result; a stopped one failed.",
                s.scrubs, s.failed_scrubs);
  out.Single("confiance_scrub_verified_bytes_total", "counter",
             "Object bytes the online scrubs read back, decrypted and authenticated.", s.scrub_bytes_verified.value());
  out.Single("confiance_scrub_last_success_timestamp_seconds", "gauge",
             "When the last online scrub completed (Unix seconds, kept across restarts); 0 before the first.",
             s.last_scrub_success_s.load(std::memory_order_relaxed));
  out.Single("confiance_scrub_damaged_objects", "gauge",
             "Damaged objects the last completed online scrub found (alert on > 0).",
             s.last_scrub_damaged_objects.load(std::memory_order_relaxed));
  ResultCounter(out, "confiance_notifications_total",
                "Bucket event notifications sent to webhooks, by result: ok (answered 2xx) or failed (an attempt "
                "that will be retried).",
                s.notifications, s.failed_notifications);
  const char* kReplications = "confiance_replications_total";
  out.Family(kReplications, "counter",
             "Bucket replication to declared destinations, by result: ok (an object version or delete marker the "
             "destination took), failed (an attempt that will be retried), abandoned (refused for good or not "
             "replicable; the server's log names it).");
  out.Sample(kReplications, {{"result", "ok"}}, s.replications.value());
  out.Sample(kReplications, {{"result", "failed"}}, s.failed_replications.value());
  out.Sample(kReplications, {{"result", "abandoned"}}, s.abandoned_replications.value());
  out.Single("confiance_replicated_bytes_total", "counter", "Object bytes replicated to declared destinations.",
             s.replicated_bytes.value());
  const char* kAccessLogRecords = "confiance_access_log_records_total";
  out.Family(kAccessLogRecords, "counter",
             "Server access log records for buckets with logging on, by result: delivered (written into the target "
             "bucket) or dropped (the target refused them; the server's log names it).");
  out.Sample(kAccessLogRecords, {{"result", "delivered"}}, s.access_log_records.value());
  out.Sample(kAccessLogRecords, {{"result", "dropped"}}, s.access_log_dropped_records.value());
  ResultCounter(out, "confiance_access_log_objects_total",
                "Server access log objects written into target buckets, by result: ok, or failed (the server "
                "answered 5xx; the pass is tried again).",
                s.access_log_objects, s.failed_access_log_deliveries);
  ResultCounter(out, "confiance_inventory_reports_total",
                "S3 Inventory reports written into destination buckets, by result: ok (its manifest written), or "
                "failed (tried again an hour later; the server's log says why).",
                s.inventory_reports, s.failed_inventory_reports);
}

// Per target of the workers reading the tenants' logs: how many entries
// behind it is and whether it is retrying.
void WriteLags(const MetricsSources& sources, metrics::PrometheusText& out) {
  struct Worker {
    const std::function<std::vector<DispatchLag>()>& lags;
    std::string_view prefix;  // of the two families' names
    std::string_view label;   // of the target's ARN
    std::string_view behind_help;
    std::string_view retrying_help;
  };
  const Worker workers[] = {
      {sources.replication_lags, "confiance_replication", "destination",
       "Entries of the tenant's transparency log that replication to this destination has not looked at yet (most "
       "ask for no copy; alert when it keeps growing).",
       "1 while a copy to this destination failed and waits to be tried again (the later ones wait behind it), else "
       "0."},
      {sources.notification_lags, "confiance_notification", "target",
       "Entries of the tenant's transparency log that notifications to this webhook have not looked at yet (most ask "
       "for no message; alert when it keeps growing).",
       "1 while a message to this webhook failed and waits to be tried again (the later ones wait behind it), else "
       "0."},
  };
  for (const Worker& w : workers) {
    if (!w.lags) continue;
    const std::vector<DispatchLag> lags = w.lags();
    const std::string behind = std::string(w.prefix) + "_log_entries_behind";
    const std::string retrying = std::string(w.prefix) + "_retrying";
    out.Family(behind, "gauge", w.behind_help);
    for (const DispatchLag& l : lags) out.Sample(behind, {{w.label, l.target}}, l.log_entries_behind);
    out.Family(retrying, "gauge", w.retrying_help);
    for (const DispatchLag& l : lags) out.Sample(retrying, {{w.label, l.target}}, uint64_t{l.retrying ? 1u : 0u});
  }
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(MetricsSources sources, std::optional<crypto::SecretBytes> bearer_token)
    : sources_(std::move(sources)), token_(std::move(bearer_token)) {}

bool MetricsEndpoint::IsTarget(std::string_view target, std::string_view host, std::string_view vhost_domain) {
  return (IsPath(target, kMetricsTarget) || IsPath(target, kReadyTarget)) && !IsVirtualHostBucket(host, vhost_domain);
}

void MetricsEndpoint::SetCertificateExpiry(std::chrono::system_clock::time_point not_after) {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(not_after.time_since_epoch()).count();
  cert_not_after_.store(s, std::memory_order_relaxed);
}

bool MetricsEndpoint::Authorized(const http::Request& request) const {
  if (!token_) return false;
  std::optional<std::string_view> auth = request.FindHeader("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!auth || auth->size() < kBearer.size()) return false;
  // The scheme is case-insensitive (RFC 9110 11.1); the token is not.
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>((*auth)[i])) != std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return false;
    }
  }
  std::string_view presented = auth->substr(kBearer.size());
  std::string_view expected(reinterpret_cast<const char*>(token_->data()), token_->size());
  return crypto::ConstantTimeEqual(presented, expected);
}

std::string MetricsEndpoint::NotReadyReasons() const {
  std::string reasons;
  if (sources_.meta != nullptr) {
    if (Status writable = sources_.meta->Writable(); !writable.ok()) reasons += writable.message() + "\n";
  }
  for (const RadosPoolSource& pool : sources_.rados_pools) {
    if (pool.store->LeaseTakenByAnother()) {
      reasons += "RADOS pool " + pool.name + ": another server took the lease on its namespace; restart required\n";
    }
  }
  return reasons;
}

std::string MetricsEndpoint::Render() const {
  metrics::PrometheusText out;
  // The Prometheus convention for what is running: a constant 1 whose labels
  // say which release, so that a dashboard can tell versions apart.
  out.Family("confiance_build_info", "gauge", "Always 1; the label names this binary's release.");
  out.Sample("confiance_build_info", {{"version", kConfianceVersion}}, uint64_t{1});
  if (sources_.requests != nullptr) sources_.requests->Write(out);
  if (sources_.rate_limiter != nullptr) sources_.rate_limiter->WriteMetrics(out);
  if (sources_.admin_requests != nullptr) {
    sources_.admin_requests->Write(out, "confiance_admin", "Admin API requests", AdminService::MetricSlotName);
  }
  if (sources_.load != nullptr) {
    out.Family("confiance_http_connections_open", "gauge", "Connections open now.");
    out.Sample("confiance_http_connections_open", {},
               static_cast<uint64_t>(sources_.load->open_connections.load(std::memory_order_relaxed)));
  }
  if (sources_.http != nullptr) WriteHttpStats(*sources_.http, out);
  if (sources_.log != nullptr) WriteLogStats(*sources_.log, out);
  WriteKmsStats({{"root", sources_.root_kms}, {"tenant", sources_.tenant_kms}}, out);
  if (sources_.background != nullptr) WriteBackgroundStats(*sources_.background, out);
  WriteLags(sources_, out);
  if (sources_.meta != nullptr) {
    out.Single("confiance_store_writable", "gauge",
               "1 while the metadata store accepts writes; 0 once a write or sync error turned it read-only "
               "until a restart.",
               uint64_t{sources_.meta->Writable().ok() ? 1u : 0u});
  }
  if (sources_.env != nullptr && !sources_.pools.empty()) {
    std::vector<std::pair<const PoolDisk*, DiskSpace>> disks;
    for (const PoolDisk& pool : sources_.pools) {
      if (Result<DiskSpace> space = sources_.env->GetDiskSpace(pool.directory); space.ok()) {
        disks.emplace_back(&pool, *space);
      }
    }
    out.Family("confiance_pool_disk_bytes", "gauge", "Size of the file system holding each storage pool.");
    for (const auto& [pool, space] : disks)
      out.Sample("confiance_pool_disk_bytes", {{"pool", pool->name}}, space.total);
    out.Family("confiance_pool_disk_available_bytes", "gauge",
               "Bytes still available to the server on each storage pool's file system.");
    for (const auto& [pool, space] : disks) {
      out.Sample("confiance_pool_disk_available_bytes", {{"pool", pool->name}}, space.available);
    }
    out.Family("confiance_pool_space_reserve_bytes", "gauge",
               "Space kept free on each pool (--space-reserve): new data is refused with 507 below it.");
    for (const PoolDisk& pool : sources_.pools) {
      out.Sample("confiance_pool_space_reserve_bytes", {{"pool", pool.name}}, pool.reserve);
    }
  }
  if (!sources_.rados_pools.empty()) WriteRadosPools(sources_.rados_pools, out);
  if (sources_.rados_meta != nullptr) WriteRadosMetadata(*sources_.rados_meta, out);
  if (const int64_t not_after = cert_not_after_.load(std::memory_order_relaxed); not_after > 0) {
    out.Single("confiance_tls_certificate_expiry_timestamp_seconds", "gauge",
               "End of validity of the TLS certificate the listener serves (seconds since the epoch).",
               static_cast<uint64_t>(not_after));
  }
  WriteProcessMetrics(out);
  return out.Take();
}

asio::awaitable<void> MetricsEndpoint::Handle(http::Request& request, http::BodyReader& body,
                                              http::ResponseWriter& response) {
  (void)body;  // neither endpoint takes a body; the HTTP layer drains or closes
  std::vector<http::Header> headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"Cache-Control", "no-store"}};
  if (request.method != "GET" && request.method != "HEAD") {
    headers.push_back({"Allow", "GET, HEAD"});
    (void)co_await response.Send(405, headers, "only GET and HEAD\n");
    co_return;
  }
  if (IsPath(request.target, kReadyTarget)) {
    const std::string reasons = NotReadyReasons();
    if (reasons.empty()) {
      (void)co_await response.Send(200, headers, "ready\n");
    } else {
      (void)co_await response.Send(503, headers, "not ready: " + reasons);
    }
    co_return;
  }
  if (!token_) {
    (void)co_await response.Send(404, headers, "metrics are off: start the server with --metrics-token-file\n");
    co_return;
  }
  if (!Authorized(request)) {
    headers.push_back({"WWW-Authenticate", "Bearer realm=\"confiance-metrics\""});
    (void)co_await response.Send(401, headers, "metrics need the bearer token of --metrics-token-file\n");
    co_return;
  }
  const std::string text = Render();
  headers[0].value = std::string(metrics::PrometheusText::kContentType);
  (void)co_await response.Send(200, headers, text);
}

}  // namespace confiance::admin
