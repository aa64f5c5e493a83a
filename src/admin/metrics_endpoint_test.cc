// File: admin/metrics_endpoint_test.cc
// The monitoring endpoints against in-memory sources: the bearer token,
// readiness, and an exposition that holds what the sources hold.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "admin/metrics_endpoint.h"
#include "admin/admin_service.h"

#include <gtest/gtest.h>

#include "common/version.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "s3/recording_response_writer.h"

namespace confiance::admin {
namespace {

using s3::testing::EmptyBody;
using s3::testing::RecordingWriter;
using s3::testing::RunCoroutine;

// A store whose writability the test sets.
class SwitchableStore final : public meta::ForwardingMetaStore {
 public:
  SwitchableStore() : ForwardingMetaStore(base_) {}
  Status Writable() const override {
    return read_only ? UnavailableError("meta: store is read-only after a write error; restart required") : OkStatus();
  }
  bool read_only = false;

 private:
  meta::MemoryMetaStore base_;
};

// Reports a fixed file system for every path.
class FixedDiskEnv final : public EnvWrapper {
 public:
  FixedDiskEnv() : EnvWrapper(*Env::Default()) {}
  Result<DiskSpace> GetDiskSpace(const std::string&) override { return DiskSpace{1000000, 250000}; }
};

crypto::SecretBytes Token(std::string_view t) { return crypto::SecretBytes(std::as_bytes(std::span(t))); }

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string www_authenticate;
};

Reply Get(MetricsEndpoint& endpoint, std::string target, std::optional<std::string> authorization = {},
          std::string method = "GET") {
  http::Request request;
  request.method = method;
  request.target = target;
  if (authorization) request.headers.push_back({"Authorization", *authorization});
  EmptyBody body;
  RecordingWriter writer;
  RunCoroutine([&]() -> asio::awaitable<void> { co_await endpoint.Handle(request, body, writer); });
  Reply r{writer.status_, writer.body_, "", ""};
  for (const http::Header& h : writer.headers_) {
    if (h.name == "Content-Type") r.content_type = h.value;
    if (h.name == "WWW-Authenticate") r.www_authenticate = h.value;
  }
  return r;
}

TEST(MetricsEndpointTest, RecognisesItsTargetsOnly) {
  EXPECT_TRUE(MetricsEndpoint::IsTarget("/_confiance/metrics"));
  EXPECT_TRUE(MetricsEndpoint::IsTarget("/_confiance/metrics?x=1"));
  EXPECT_TRUE(MetricsEndpoint::IsTarget("/_confiance/ready"));
  EXPECT_FALSE(MetricsEndpoint::IsTarget("/_confiance/metricsx"));
  EXPECT_FALSE(MetricsEndpoint::IsTarget("/_confiance/health"));
  EXPECT_FALSE(MetricsEndpoint::IsTarget("/bucket/_confiance/metrics"));
  // With virtual-host addressing the path is an object key of the bucket.
  EXPECT_FALSE(MetricsEndpoint::IsTarget("/_confiance/metrics", "b.s3.example.eu", "s3.example.eu"));
  EXPECT_TRUE(MetricsEndpoint::IsTarget("/_confiance/metrics", "s3.example.eu:9000", "s3.example.eu"));
}

TEST(MetricsEndpointTest, MetricsNeedTheBearerToken) {
  MetricsEndpoint endpoint(MetricsSources{}, Token("s3cret-token-0123456789"));
  EXPECT_EQ(Get(endpoint, "/_confiance/metrics").status, 401);
  Reply wrong = Get(endpoint, "/_confiance/metrics", "Bearer s3cret-token-0123456780");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.www_authenticate.find("Bearer"), std::string::npos);
  EXPECT_EQ(wrong.body.find("s3cret"), std::string::npos);
  EXPECT_EQ(Get(endpoint, "/_confiance/metrics", "Bearer s3cret-token-012345678").status, 401);  // a prefix
  EXPECT_EQ(Get(endpoint, "/_confiance/metrics", "Basic s3cret-token-0123456789").status, 401);
  Reply ok = Get(endpoint, "/_confiance/metrics", "bearer s3cret-token-0123456789");  // scheme in any case
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(ok.body.find("process_resident_memory_bytes "), std::string::npos) << ok.body;
  EXPECT_EQ(Get(endpoint, "/_confiance/metrics", "Bearer s3cret-token-0123456789", "PUT").status, 405);
}

TEST(MetricsEndpointTest, MetricsAreOffWithoutAToken) {
  MetricsEndpoint endpoint(MetricsSources{}, std::nullopt);
  Reply r = Get(endpoint, "/_confiance/metrics", "Bearer anything");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("--metrics-token-file"), std::string::npos);
}

TEST(MetricsEndpointTest, ReadyUntilTheStoreTurnsReadOnly) {
  SwitchableStore store;
  MetricsSources sources;
  sources.meta = &store;
  MetricsEndpoint endpoint(std::move(sources), std::nullopt);  // readiness needs no token
  Reply r = Get(endpoint, "/_confiance/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");
  store.read_only = true;
  r = Get(endpoint, "/_confiance/ready?verbose");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("read-only"), std::string::npos) << r.body;
}

TEST(MetricsEndpointTest, ExpositionHoldsWhatTheSourcesHold) {
  s3::RequestMetrics requests;
  const s3::Operation get = s3::Operation::kGetObject;
  requests.Record(&get, 200, std::chrono::microseconds(80));
  metrics::RequestCounts admin_requests(AdminService::kMetricSlots);
  admin_requests.Record(static_cast<size_t>(AdminOp::kCreateTenant), 201, std::chrono::milliseconds(2));
  admin_requests.Record(kAdminOpCount, 404, std::chrono::milliseconds(1));
  http::ServerStats http_stats;
  http_stats.connections_accepted.Add(3);
  http_stats.body_bytes_sent.Add(4096);
  ServerLoad load;
  load.open_connections = 2;
  SwitchableStore store;
  store.read_only = true;
  FixedDiskEnv env;
  audit::LogStats log;
  log.entries.Add(48);
  log.groups.Add(3);
  log.commit_latency.Observe(std::chrono::microseconds(150));
  kms::KmsCallStats root_kms;
  root_kms.calls.Add(10);
  root_kms.unreachable.Add(2);
  root_kms.latency.Observe(std::chrono::milliseconds(3));
  BackgroundStats background;
  background.lifecycle_ticks.Add(4);
  background.lifecycle_expired.Add(7);
  background.sweeps.Add(2);
  background.failed_sweeps.Add(1);
  background.backups.Add(1);
  background.last_backup_success_s.store(1764800000);
  background.scrubs.Add(2);
  background.failed_scrubs.Add(1);
  background.scrub_bytes_verified.Add(5ull << 30);
  background.last_scrub_success_s.store(1764800100);
  background.last_scrub_damaged_objects.store(3);
  MetricsSources sources;
  sources.background = &background;
  sources.log = &log;
  sources.root_kms = &root_kms;
  sources.env = &env;
  sources.requests = &requests;
  sources.admin_requests = &admin_requests;
  sources.http = &http_stats;
  sources.load = &load;
  sources.meta = &store;
  sources.pools = {{"local", "/data/blobs", 5000}, {"de-\"1\"", "/srv/de", 0}};
  MetricsEndpoint endpoint(std::move(sources), Token("t0123456789abcdef"));
  endpoint.SetCertificateExpiry(std::chrono::system_clock::time_point(std::chrono::seconds(1900000000)));
  const std::string text = endpoint.Render();
  EXPECT_EQ(text.find("kms=\"tenant\""), std::string::npos);  // no tenants' KMSs configured
  const std::string build_info = "confiance_build_info{version=\"" + std::string(kConfianceVersion) + "\"} 1\n";
  EXPECT_NE(text.find(build_info), std::string::npos) << text;
  for (const char* line : {
           "confiance_s3_requests_total{operation=\"GetObject\",code=\"200\"} 1\n",
           "confiance_admin_requests_total{operation=\"CreateTenant\",code=\"201\"} 1\n",
           "confiance_admin_requests_total{operation=\"Unrouted\",code=\"404\"} 1\n",
           "confiance_admin_request_duration_seconds_count{operation=\"CreateTenant\"} 1\n",
           "confiance_http_connections_open 2\n",
           "confiance_http_connections_accepted_total 3\n",
           "confiance_http_response_body_bytes_total 4096\n",
           "confiance_store_writable 0\n",
           "confiance_lifecycle_ticks_total{result=\"ok\"} 4\n",
           "confiance_lifecycle_expired_total 7\n",
           "confiance_sweeper_passes_total{result=\"ok\"} 2\n",
           "confiance_sweeper_passes_total{result=\"failed\"} 1\n",
           "confiance_backups_total{result=\"ok\"} 1\n",
           "confiance_backups_total{result=\"failed\"} 0\n",
           "confiance_backup_last_success_timestamp_seconds 1764800000\n",
           "confiance_scrubs_total{result=\"ok\"} 2\n",
           "confiance_scrubs_total{result=\"failed\"} 1\n",
           "confiance_scrub_verified_bytes_total 5368709120\n",
           "confiance_scrub_last_success_timestamp_seconds 1764800100\n",
           "confiance_scrub_damaged_objects 3\n",
           "confiance_audit_log_entries_total 48\n",
           "confiance_kms_calls_total{kms=\"root\"} 10\n",
           "confiance_kms_unreachable_total{kms=\"root\"} 2\n",
           "confiance_kms_refusals_total{kms=\"root\"} 0\n",
           "confiance_kms_call_duration_seconds_count{kms=\"root\"} 1\n",
           "confiance_audit_log_groups_total 3\n",
           "confiance_audit_log_failed_groups_total 0\n",
           "confiance_audit_log_commit_duration_seconds_bucket{le=\"0.00025\"} 1\n",
           "confiance_pool_disk_bytes{pool=\"local\"} 1000000\n",
           "confiance_pool_disk_available_bytes{pool=\"de-\\\"1\\\"\"} 250000\n",
           "confiance_pool_space_reserve_bytes{pool=\"local\"} 5000\n",
           "confiance_tls_certificate_expiry_timestamp_seconds 1900000000\n",
           "# TYPE process_cpu_seconds_total counter\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << text;
  }
}

}  // namespace
}  // namespace confiance::admin
