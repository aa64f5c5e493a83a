// File: admin/metrics_endpoint.h
// MetricsEndpoint: the operator's monitoring endpoints on the S3 listener.
//
//   GET /_confiance/metrics  Prometheus text format (common/metrics.h):
//                            requests by operation and status with their
//                            latency, connections, body bytes, the store's
//                            writability, the transparency logs' group
//                            commit, calls to external KMSs, each pool's
//                            disk space, the TLS
//                            certificate's expiry and the process_* metrics.
//                            Needs "Authorization: Bearer <token>" with the
//                            token of --metrics-token-file (compared in
//                            constant time); 404 when no token is set, 401
//                            without the right one.
//   GET /_confiance/ready    readiness for a load balancer or an
//                            orchestrator: 200 "ready" while the server can
//                            take writes, 503 with the reason once the
//                            metadata store has turned read-only after a
//                            write or sync error (it stays so until a
//                            restart: docs/DURABILITY.md). A full disk does
//                            not make it unready: reads and DELETEs, which
//                            free the space, must still reach it (the
//                            metrics report each pool's space).
//                            Unauthenticated, like /_confiance/health
//                            (liveness), and says nothing about any tenant.
//
// Neither is an S3 operation nor recorded in a transparency log: a scrape
// touches no tenant's data, and logging a scrape every few seconds would
// bury the operator's own actions.
//
// Sovereignty: no label names a tenant, bucket or key (see
// s3/request_metrics.h); pools are named as the operator configured them.
//
// Thread-safety: Handle runs on any network thread, concurrently; the
// sources are read with relaxed atomics or statvfs, never with a lock that
// a request holds.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)
#include <vector>

#include "audit/log_stats.h"
#include "common/env.h"
#include "common/metrics.h"
#include "common/server_load.h"
#include "crypto/secret_bytes.h"
#include "http/http.h"
#include "http/server.h"
#include "kms/kms_call_stats.h"
#include "meta/meta_store.h"
#include "meta/rados/rados_meta_store.h"
#include "s3/rate_limiter.h"
#include "s3/request_metrics.h"

namespace confiance::blob {
class RadosBlobStore;
}  // namespace confiance::blob

namespace confiance::admin {

namespace asio = boost::asio;

inline constexpr std::string_view kMetricsTarget = "/_confiance/metrics";
inline constexpr std::string_view kReadyTarget = "/_confiance/ready";

// Where one target of a worker reading the tenants' logs stands (a
// replication destination, a notification webhook; main/log_dispatcher.h),
// as of the worker's last pass.
struct DispatchLag {
  std::string target;               // its ARN
  uint64_t log_entries_behind = 0;  // of its tenant's log, not yet looked at
  bool retrying = false;            // an attempt failed and waits to be tried again
};

// A storage pool whose file system's space is reported and checked.
struct PoolDisk {
  std::string name;       // as configured ("local" for the data directory's)
  std::string directory;  // any path on the pool's file system
  uint64_t reserve = 0;   // bytes kept free (LocalBlobStore::space_reserve)
};

// What the server's background jobs did, counted where they run (main/:
// the lifecycle runner and the orphan sweeper's thread).
struct BackgroundStats {
  metrics::Counter lifecycle_ticks;
  metrics::Counter lifecycle_failed_ticks;
  metrics::Counter lifecycle_expired;  // objects deleted or given a delete marker, versions removed
  metrics::Counter lifecycle_aborted;  // multipart uploads aborted
  metrics::Counter lifecycle_transitioned;  // versions moved to another storage class
  metrics::Counter sweeps;
  metrics::Counter failed_sweeps;
  metrics::Counter orphans_deleted;  // blobs no record pointed to
  metrics::Counter backups;          // online backups that completed (main/backup_job.h)
  metrics::Counter failed_backups;
  std::atomic<uint64_t> last_backup_success_s{0};  // Unix seconds; 0: none in this process
  // Online scrubs (main/scrub_job.h): a stopped scrub counts as failed.
  metrics::Counter scrubs;
  metrics::Counter failed_scrubs;
  metrics::Counter scrub_bytes_verified;
  std::atomic<uint64_t> last_scrub_success_s{0};        // Unix seconds; 0: none in this process
  std::atomic<uint64_t> last_scrub_damaged_objects{0};  // found by the last scrub that completed
  // Bucket event notifications (main/notification_dispatcher.h): messages
  // a webhook answered 2xx, and attempts that failed (each is retried).
  metrics::Counter notifications;
  metrics::Counter failed_notifications;
  // Bucket replication (main/replication_dispatcher.h): objects and delete
  // markers a destination took, attempts that failed and will be retried,
  // and versions given up on (refused for good, or not replicable).
  metrics::Counter replications;
  metrics::Counter failed_replications;
  metrics::Counter abandoned_replications;
  metrics::Counter replicated_bytes;
  // Server access logs to buckets (main/access_log_delivery.h): log
  // objects written, records in them, records a target refused (dropped),
  // and deliveries that failed and will be tried again.
  metrics::Counter access_log_objects;
  metrics::Counter access_log_records;
  metrics::Counter access_log_dropped_records;
  metrics::Counter failed_access_log_deliveries;
  // S3 Inventory (main/inventory_delivery.h): reports written (their
  // manifests), and reports that failed and will be tried again.
  metrics::Counter inventory_reports;
  metrics::Counter failed_inventory_reports;
};

// A storage pool on a Ceph cluster (docs/rados.md).
struct RadosPoolSource {
  std::string name;  // as configured in --pools
  const blob::RadosBlobStore* store = nullptr;
};

// Everything borrowed must outlive the endpoint; null: not reported.
struct MetricsSources {
  Env* env = nullptr;  // for the pools' disk space
  const s3::RequestMetrics* requests = nullptr;
  const s3::RateLimiter* rate_limiter = nullptr;  // tenants' rate limits: their refusals
  // The admin API's (AdminService::kMetricSlots slots).
  const metrics::RequestCounts* admin_requests = nullptr;
  const http::ServerStats* http = nullptr;
  const ServerLoad* load = nullptr;
  const meta::MetaStore* meta = nullptr;
  const audit::LogStats* log = nullptr;  // the transparency logs' group commit
  const kms::KmsCallStats* root_kms = nullptr;    // the KMIP KMS of --kms kmip
  const kms::KmsCallStats* tenant_kms = nullptr;  // tenants' own KMSs (--hyok-*), summed
  const BackgroundStats* background = nullptr;
  std::function<std::vector<DispatchLag>()> replication_lags;   // null: no destinations
  std::function<std::vector<DispatchLag>()> notification_lags;  // null: no webhooks
  std::vector<PoolDisk> pools;
  std::vector<RadosPoolSource> rados_pools;
  const meta::RadosMetaStore* rados_meta = nullptr;  // the metadata, when it is on RADOS
};

class MetricsEndpoint {
 public:
  // `bearer_token`: null turns /_confiance/metrics off (404).
  MetricsEndpoint(MetricsSources sources, std::optional<crypto::SecretBytes> bearer_token);

  // Whether `target` (path and query) is one of the two endpoints; not when
  // `host` names a virtual-host bucket of `vhost_domain` (then the path is
  // an object key, as for IsAdminTarget).
  static bool IsTarget(std::string_view target, std::string_view host = {}, std::string_view vhost_domain = {});

  // REQUIRES: IsTarget(request.target).
  asio::awaitable<void> Handle(http::Request& request, http::BodyReader& body, http::ResponseWriter& response);

  // The end of validity of the certificate the listener serves (set at
  // start and after each reload); unset: no TLS, not reported.
  void SetCertificateExpiry(std::chrono::system_clock::time_point not_after);

  // The exposition a scrape gets now.
  std::string Render() const;
  // Empty when ready; else why not, one reason per line.
  std::string NotReadyReasons() const;

 private:
  bool Authorized(const http::Request& request) const;

  MetricsSources sources_;
  std::optional<crypto::SecretBytes> token_;
  std::atomic<int64_t> cert_not_after_{0};  // seconds since the epoch; <= 0: not reported
};

}  // namespace confiance::admin
