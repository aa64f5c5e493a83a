// File: main/confiance.cc
// The confiance binary: parses the command line (CLI11), builds the object
// graph, runs. The only place that knows every layer.
//   confiance server --data DIR --listen HOST:PORT [--domain D] [--region R]
//                    [--idle-timeout S --header-timeout S --body-timeout S --write-timeout S]
//                    [--space-reserve BYTES] [--metrics-token-file F]  (main/monitoring.h)
//                    [--kms kmip --kmip-endpoint H:P --kmip-ca F --kmip-cert F --kmip-key F
//                     [--kmip-root-key-id ID | --kmip-root-key-name N] [--kmip-cache-lifetime S]]
//                    (main/kms_flags.h; the offline commands below that take --data accept them too)
//                    [--break-glass-quorum M --break-glass-max-duration S
//                     --webhook-url URL --webhook-secret-file F]  (main/lockbox_flags.h)
//   confiance admin tenant|user|key|policy|operator|whoami ...  (the admin API; admin/cli.h)
//   confiance admin create-access-key --data DIR [--tenant T] [--user U]  (server stopped)
//   confiance admin list-access-keys --data DIR                           (server stopped)
//   confiance admin scrub --data DIR                                      (server stopped)
//   confiance admin scrub start [--rate MIB] [--wait] | status | stop      (a running server; main/scrub_job.h)
//   confiance admin shred-check --data DIR --receipt R [BLOB...]          (server stopped; main/shred_check_command.h)
//   confiance log verify --key K --checkpoint1 F --checkpoint2 F --dir D   (offline; main/log_command.h)
//   confiance log verify-receipt --key K RECEIPT                           (offline; main/receipt_command.h)
//   confiance log export --data DIR (--tenant T | --operator) [--checkpoint-out F] (server stopped)
//   confiance log list --data DIR                                           (server stopped)
//   confiance log tail --key K [--endpoint URL] [--from N] [--once]        (main/log_tail_command.h)
//   confiance witness --listen H:P --key-file F --state D --log VKEY...    (main/witness_command.h)
// Exit codes: 0 ok, 2 usage error; the rest per command.
#include <fmt/ranges.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "admin/admin_api.h"
#include "admin/admin_router.h"
#include "admin/admin_service.h"
#include "admin/cli.h"
#include "admin/console_endpoint.h"
#include "catalog/catalog.h"
#include "catalog/reclaim.h"
#include "catalog/sweeper.h"
#include "common/blocking_pool.h"
#include "common/iso8601.h"
#include "common/logging.h"
#include "common/periodic_thread.h"
#include "common/version.h"
#include "common/wall_clock.h"
#include "crypto/openssl_process.h"
#include "crypto/random.h"
#include "http/server.h"
#include "main/access_log_delivery.h"
#include "main/backup_job.h"
#include "main/backup_verify_command.h"
#include "main/config_file.h"
#include "main/credentials_file.h"
#include "main/data_dir.h"
#include "main/encrypt_metadata_command.h"
#include "main/inventory_delivery.h"
#include "main/kms_flags.h"
#include "main/lifecycle_runner.h"
#include "main/lockbox_flags.h"
#include "main/log_command.h"
#include "main/log_export_command.h"
#include "main/log_tail_command.h"
#include "main/malloc_tuning.h"
#include "main/monitoring.h"
#include "main/move_metadata_command.h"
#include "main/notification_dispatcher.h"
#include "main/offline_audit.h"
#include "main/receipt_command.h"
#include "main/replication_dispatcher.h"
#include "main/scrub_command.h"
#include "main/scrub_job.h"
#include "main/secret_file.h"
#include "main/service_notify.h"
#include "main/service_put.h"
#include "main/shred_check_command.h"
#include "main/transparency.h"
#include "main/webhook_post.h"
#include "main/witness_command.h"
#include "meta/worker_lease.h"
#include "s3/s3_service.h"

namespace confiance {
namespace {

constexpr const char* kDefaultTenant = "default";
constexpr const char* kDefaultOperator = "operator";
// Network threads per core when the metadata is on RADOS (bench/rados_metadata.sh:
// at 16 connections on one core, 8 threads gave PUT 2x and GET 1.6x of 1).
constexpr unsigned kNetworkThreadsPerCoreWithRadosMetadata = 8;

struct ServerFlags {
  std::string data = "./data";
  std::string listen = "127.0.0.1:9000";
  std::string domain;
  std::string website_domain;
  std::string region = "us-east-1";
  std::string log_level = "info";
  int threads = 0;  // 0: one per core (kNetworkThreadsPerCoreWithRadosMetadata with metadata on RADOS)
  int blocking_threads = 64;
  uint64_t sweep_interval_s = 600;
  uint64_t sweep_grace_s = 3600;
  uint64_t max_object_size = 5ull << 30;  // S3's; lowered only by tests
  // HTTP timeouts (seconds); defaults as http::ServerOptions.
  uint64_t idle_timeout_s = 60;
  uint64_t header_timeout_s = 30;
  uint64_t body_timeout_s = 60;
  uint64_t write_timeout_s = 60;
  // Bytes of disk kept free for metadata and deletions; -1: automatic.
  int64_t space_reserve = -1;
  bool sse_c_allow_http = false;
  bool no_sts = false;
  iam::RateLimits default_rate_limits;  // --default-read-ops and friends
  uint64_t max_session_seconds = 129600;
  http::TlsFiles tls;               // --tls-cert / --tls-key: HTTPS instead of HTTP
  std::string outbound_ca;          // --ca-bundle: CAs for the witness and webhook over https
  std::string metrics_token_file;   // --metrics-token-file: turns /_confiance/metrics on
  bool no_console = false;          // --no-console: /_confiance/console/ answers 404
  uint64_t console_idle_timeout_s = 1800;  // the console signs out after this long idle (0: never)
  LifecycleRunnerOptions lifecycle;  // the lifecycle worker (main/lifecycle_runner.h)
  uint64_t access_log_interval_s = 60;  // between server access log deliveries (main/access_log_delivery.h)
  uint64_t inventory_interval_s = 300;  // between passes of the inventory reports (main/inventory_delivery.h)
  // The online scrub (main/scrub_job.h): its default rate (MiB/s verified,
  // 0: unlimited) and schedule (hours between scrubs, 0: none; weekly by
  // default, as Ceph's deep scrub).
  uint64_t scrub_rate_mib = 64;
  uint64_t scrub_interval_h = 168;
  // Bucket event notifications (main/notification_dispatcher.h): the
  // webhooks, TENANT:NAME=URL, and the key that signs what they get.
  std::vector<std::string> notify_webhooks;
  std::string notify_secret_file;
  std::string replication_targets_file;  // bucket replication destinations ("" = none)
  uint64_t replication_part_size = 64ull << 20;
  std::string log_name;             // transparency-log name; "": stored or host name
  bool no_transparency_log = false; // benchmarks only (the logging-off baseline)
  int64_t log_linger_us = audit::AuditLog::kDefaultMaxLinger.count();
  std::vector<std::string> witness_urls;  // --witness (repeatable): external tlog-witnesses
  std::vector<std::string> witness_keys;  // --witness-key: their verifier keys, in the same order
  KmsFlags kms;                     // the key provider (main/kms_flags.h)
  LockboxFlags lockbox;             // operator access approvals (main/lockbox_flags.h)
  // Data residency: the storage pools file ("" = the default pool alone)
  // and the jurisdiction of the implicit default pool.
  std::string pools_file;
  std::string jurisdiction{sovereignty::kDefaultJurisdiction};
};

// Automatic space reserve: 5 % of the data file system, capped at 256 MiB
// (enough for RocksDB's WAL, a memtable flush and the deletions that free
// space; small disks keep a proportionate share).
uint64_t AutoSpaceReserve(Env& env, const std::string& path) {
  Result<DiskSpace> space = env.GetDiskSpace(path);
  if (!space.ok()) return 0;
  return std::min<uint64_t>(space->total / 20, uint64_t{256} << 20);
}

// Each connection is a file descriptor: take the whole hard limit, as
// nginx's worker_rlimit_nofile or Go's runtime do, so that the soft
// default (often 1024) does not cap the connection count.
void RaiseFileLimit() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rlim_t was = rl.rlim_cur;
  rl.rlim_cur = rl.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &rl) == 0) {
    spdlog::info("open-file limit raised from {} to {}", was, rl.rlim_cur);
  }
}

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& s) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("--listen must be HOST:PORT");
  std::string host = s.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = std::atoi(s.c_str() + colon + 1);
  if (port < 0 || port > 65535) return InvalidArgumentError("bad port in --listen");
  return std::make_pair(host, static_cast<uint16_t>(port));
}


// An access key pair from two environment variables, if both are set.
std::optional<iam::NewAccessKey> KeyFromEnv(const char* access_var, const char* secret_var) {
  const char* ak = std::getenv(access_var);
  const char* sk = std::getenv(secret_var);
  if (ak && *ak && sk && *sk) return iam::NewAccessKey{ak, sk};
  return std::nullopt;
}

// True when standard output is the systemd journal: systemd then sets
// JOURNAL_STREAM to the "device:inode" of the stream it connected
// (systemd.exec(5)), and fd 1 must be that very stream.
bool StdoutIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(STDOUT_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

// First start: creates the `default` tenant (root credentials from
// CONFIANCE_ROOT_ACCESS_KEY / CONFIANCE_ROOT_SECRET_KEY, or generated) and
// the `operator` operator principal (CONFIANCE_OPERATOR_ACCESS_KEY /
// CONFIANCE_OPERATOR_SECRET_KEY, or generated). Later starts only make sure
// that keys given in the environment exist. Generated secrets are printed
// once, to the terminal that started the server; never logged, and never
// printed into the systemd journal (the start fails instead).
// `endpoint` is the URL clients use, scheme included; `console`: whether
// the web console is served (the message then points at it).
Status EnsureBootstrapPrincipals(DataDir& dir, const std::string& endpoint, bool console) {
  std::optional<iam::NewAccessKey> root_given = KeyFromEnv("CONFIANCE_ROOT_ACCESS_KEY", "CONFIANCE_ROOT_SECRET_KEY");
  std::optional<iam::NewAccessKey> op_given =
      KeyFromEnv("CONFIANCE_OPERATOR_ACCESS_KEY", "CONFIANCE_OPERATOR_SECRET_KEY");
  std::optional<iam::NewAccessKey> root_new, op_new;
  const bool root_missing = !dir.directory->GetTenant(kDefaultTenant).ok();
  ASSIGN_OR_RETURN(std::vector<iam::OperatorRecord> ops, dir.directory->ListOperators());
  if (((root_missing && !root_given) || (ops.empty() && !op_given)) && StdoutIsJournal()) {
    // The journal keeps what it is given: a secret printed there is a
    // secret in a log (docs/operations.md, "First start").
    return FailedPreconditionError(
        "first start under systemd: generated credentials would be printed into the journal. Set "
        "CONFIANCE_ROOT_ACCESS_KEY / CONFIANCE_ROOT_SECRET_KEY and CONFIANCE_OPERATOR_ACCESS_KEY / "
        "CONFIANCE_OPERATOR_SECRET_KEY in the unit's EnvironmentFile (mode 0600), then start again");
  }
  if (root_missing) {
    iam::TenantRecord t;
    t.id = kDefaultTenant;
    t.display_name = kDefaultTenant;
    ASSIGN_OR_RETURN(iam::NewAccessKey k, dir.directory->CreateTenant(t, root_given));
    if (!root_given) root_new = k;
  } else if (root_given) {
    RETURN_IF_ERROR(dir.directory->CreateUserKey(kDefaultTenant, iam::kRootUser, root_given).status());
  }
  if (ops.empty() || op_given) {
    ASSIGN_OR_RETURN(iam::NewAccessKey k, dir.directory->CreateOperator(kDefaultOperator, op_given));
    if (!op_given) op_new = k;
  }
  if (root_given) spdlog::info("root credentials of tenant 'default' taken from CONFIANCE_ROOT_ACCESS_KEY / _SECRET_KEY");
  if (op_given) spdlog::info("operator credentials taken from CONFIANCE_OPERATOR_ACCESS_KEY / _SECRET_KEY");
  if (root_new) {
    std::printf(
        "\nConfiance: first start, tenant 'default' created; its root credentials (shown only now):\n"
        "  access key: %s\n  secret key: %s\n\n"
        "Use them with the AWS CLI:\n"
        "  export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=us-east-1\n"
        "  aws --endpoint-url %s s3 mb s3://my-bucket\n",
        root_new->access_key_id.c_str(), root_new->secret.c_str(), root_new->access_key_id.c_str(),
        root_new->secret.c_str(), endpoint.c_str());
    if (console) std::printf("or sign in to the web console with them: %s/_confiance/console/\n", endpoint.c_str());
    std::printf("\n");
  }
  if (op_new) {
    std::printf(
        "Operator credentials (administer tenants; they cannot read tenant data), shown only now:\n"
        "  export CONFIANCE_ENDPOINT=%s CONFIANCE_ACCESS_KEY=%s CONFIANCE_SECRET_KEY=%s\n"
        "  confiance admin tenant list\n\n",
        endpoint.c_str(), op_new->access_key_id.c_str(), op_new->secret.c_str());
  }
  std::fflush(stdout);
  return OkStatus();
}

// Logs the certificate being served and warns when it has expired or
// expires within two weeks (renew, then SIGHUP).
void LogTlsCertificate(const http::CertificateSummary& summary, const std::string& cert_file) {
  const auto left = summary.not_after - std::chrono::system_clock::now();
  const std::string until = FormatUtcMs(
      std::chrono::duration_cast<std::chrono::milliseconds>(summary.not_after.time_since_epoch()).count());
  if (left <= std::chrono::seconds(0)) {
    spdlog::warn("TLS certificate {} ({}) EXPIRED at {}: clients will refuse it", summary.subject, cert_file, until);
  } else if (left < std::chrono::hours(24 * 14)) {
    spdlog::warn("TLS certificate {} ({}) expires at {}: renew it, then send SIGHUP", summary.subject, cert_file,
                 until);
  } else {
    spdlog::info("TLS certificate {} ({}), valid until {}", summary.subject, cert_file, until);
  }
}

// --tls-cert and --tls-key on `command`, into `files`: existing files, and
// each needs the other.
void AddTlsOptions(CLI::App& command, http::TlsFiles& files, const std::string& what) {
  CLI::Option* cert = command.add_option("--tls-cert", files.cert_file, "PEM certificate chain: " + what);
  CLI::Option* key =
      command.add_option("--tls-key", files.key_file, "PEM private key of --tls-cert (unencrypted; keep it mode 0600)");
  cert->check(CLI::ExistingFile)->needs(key);
  key->check(CLI::ExistingFile)->needs(cert);
}

// Resumes the tenant- and bucket-key rotations that no process runs and
// that did not fail here (KeyRotation::ResumeUnfinished): at start-up, and
// after each sweep, for a rotation whose gateway died (several sharing the
// metadata) or that another took over and then dropped.
void ResumeKeyRotations(catalog::KeyRotation& tenant_keys, catalog::BucketKeyRotation& bucket_keys) {
  if (Result<std::vector<std::string>> resumed = tenant_keys.ResumeUnfinished(); !resumed.ok()) {
    spdlog::error("tenant-key rotations: cannot resume: {}", resumed.status().ToString());
  } else if (!resumed->empty()) {
    spdlog::info("tenant-key rotations: resumed {} ({})", resumed->size(), fmt::join(*resumed, ", "));
  }
  if (Result<std::vector<std::string>> resumed = bucket_keys.ResumeUnfinished(); !resumed.ok()) {
    spdlog::error("bucket-key rotations: cannot resume: {}", resumed.status().ToString());
  } else if (!resumed->empty()) {
    spdlog::info("bucket-key rotations: resumed {} ({})", resumed->size(), fmt::join(*resumed, ", "));
  }
}

int RunServer(const ServerFlags& flags) {
  InitLogging(flags.log_level);
  RaiseFileLimit();
  Result<std::pair<std::string, uint16_t>> listen = ParseListen(flags.listen);
  if (!listen.ok()) {
    std::fprintf(stderr, "confiance: %s\n", listen.status().message().c_str());
    return 2;
  }
  // TLS files checked before anything is created or printed (the server
  // loads them again when it starts listening).
  std::optional<http::CertificateSummary> served_certificate;
  if (flags.tls.enabled()) {
    Result<std::shared_ptr<boost::asio::ssl::context>> tls = http::LoadTlsContext(flags.tls);
    Result<http::CertificateSummary> cert = tls.ok() ? http::SummarizeCertificate(**tls) : tls.status();
    if (!cert.ok()) {
      std::fprintf(stderr, "confiance: %s\n", cert.status().message().c_str());
      return 2;
    }
    // As ssh does for its keys: a private key others can read is worth a
    // warning (not a refusal: a group-readable key under a service group is
    // a deliberate setup).
    struct stat key_stat {};
    if (::stat(flags.tls.key_file.c_str(), &key_stat) == 0 && (key_stat.st_mode & 077) != 0) {
      spdlog::warn("TLS key {} is readable by others (mode {:o}); chmod 600 it", flags.tls.key_file,
                   key_stat.st_mode & 0777);
    }
    LogTlsCertificate(*cert, flags.tls.cert_file);
    served_certificate = *cert;
  }
  Result<std::optional<crypto::SecretBytes>> metrics_token = ReadMetricsToken(flags.metrics_token_file);
  if (!metrics_token.ok()) {
    std::fprintf(stderr, "confiance: %s\n", metrics_token.status().message().c_str());
    return 2;
  }
  Result<KmsOptions> kms = flags.kms.ToOptions();
  if (!kms.ok()) {
    std::fprintf(stderr, "confiance: %s\n", kms.status().message().c_str());
    return 2;
  }
  Result<std::vector<sovereignty::PoolSpec>> pools = LoadPools(*Env::Default(), flags.pools_file, flags.jurisdiction);
  if (!pools.ok()) {
    std::fprintf(stderr, "confiance: %s\n", pools.status().message().c_str());
    return 2;
  }
  // Before the data directory, whose key providers count into them.
  kms::KmsCallStats root_kms_stats, tenant_kms_stats;
  if (kms->kmip) kms->kmip_options.client.stats = &root_kms_stats;
  if (kms->hyok) kms->hyok->stats = &tenant_kms_stats;
  Result<std::unique_ptr<DataDir>> dir = DataDir::Open(*Env::Default(), flags.data, *kms, *pools);
  if (!dir.ok()) {
    spdlog::critical("cannot open data directory {}: {}", flags.data, dir.status().ToString());
    return 1;
  }
  const std::string endpoint_url = (flags.tls.enabled() ? "https://" : "http://") + flags.listen;
  if (Status s = EnsureBootstrapPrincipals(**dir, endpoint_url, !flags.no_console); !s.ok()) {
    spdlog::critical("bootstrap credentials: {}", s.ToString());
    return 1;
  }
  if (kms->kmip) {
    spdlog::info("root key {} in the KMIP KMS at {} (unwrapped keys cached {} s)", (*dir)->keys->DefaultKeyId(),
                 flags.kms.kmip_endpoint, flags.kms.kmip_cache_lifetime_s);
  }
  // Kept by the HTTP server, read by the transparency logs; declared first,
  // destroyed last.
  ServerLoad server_load;
  std::unique_ptr<Transparency> transparency;
  if (flags.no_transparency_log) {
    spdlog::warn("transparency log OFF (--no-transparency-log): requests are not recorded; for benchmarks only");
  } else {
    if (flags.witness_urls.size() != flags.witness_keys.size()) {
      spdlog::critical("{} --witness but {} --witness-key: give one key per witness, in the same order",
                       flags.witness_urls.size(), flags.witness_keys.size());
      return 1;
    }
    std::vector<WitnessOptions> witnesses;
    for (size_t i = 0; i < flags.witness_urls.size(); ++i) {
      witnesses.push_back({flags.witness_urls[i], flags.outbound_ca, flags.witness_keys[i]});
    }
    Result<std::unique_ptr<Transparency>> t = Transparency::Start(
        **dir, flags.log_name, witnesses, std::chrono::microseconds(flags.log_linger_us), &server_load);
    if (!t.ok()) {
      spdlog::critical("cannot open the transparency logs: {}", t.status().ToString());
      return 1;
    }
    transparency = std::move(t).value();
    spdlog::info("transparency logs signed by {}", transparency->VerifierKey());
  }
  const uint64_t reserve = flags.space_reserve >= 0 ? static_cast<uint64_t>(flags.space_reserve)
                                                    : AutoSpaceReserve(*Env::Default(), flags.data);
  (*dir)->blobs->set_space_reserve(reserve);
  for (const auto& pool_store : (*dir)->pool_stores) {
    pool_store->set_space_reserve(flags.space_reserve >= 0 ? reserve : AutoSpaceReserve(*Env::Default(), pool_store->root()));
  }
  for (const sovereignty::PoolSpec& p : (*dir)->residency->pools()) {
    spdlog::info("storage pool {}: jurisdiction {}, region '{}', operator '{}'{}{}{}", p.name, p.jurisdiction, p.region,
                 p.operator_name, p.ciphertext_only ? ", ciphertext only" : "", p.is_default ? ", default" : "",
                 p.rados ? ", RADOS pool " + p.rados->connection.pool : std::string());
  }
  BlockingPool pool(static_cast<size_t>(flags.blocking_threads));
  // Listings: two threads per core, at least four (s3/s3_service.h). On
  // `pool`, up to 64 listings at once each took a time slice from the
  // network thread and the log's committer. One core, log on, c=16: 1,991
  // and 2,005 listings/s (p99 14 ms) against 1,842 and 1,856 (p99 18 ms);
  // docs/PERFORMANCE.md, session 13.
  BlockingPool scan_pool(std::max<size_t>(4, 2 * BlockingPool::CoresAvailable()));
  s3::S3Options s3_options;
  s3_options.region = flags.region;
  s3_options.domain = flags.domain;
  s3_options.website_domain = flags.website_domain;
  s3_options.max_object_size = flags.max_object_size;
  s3_options.sse_c_allow_http = flags.sse_c_allow_http;
  s3_options.max_session_seconds = flags.max_session_seconds;
  s3_options.default_rate_limits = flags.default_rate_limits;
  std::vector<NotificationDispatcher::Target> notify_targets;
  crypto::SecretBytes notify_secret;
  if (!flags.notify_webhooks.empty()) {
    Status bad = OkStatus();
    if (!transparency) {
      bad = InvalidArgumentError("--notify-webhook needs the transparency log, which the events come from");
    } else if (flags.notify_secret_file.empty()) {
      bad = InvalidArgumentError("--notify-webhook needs --notify-secret-file");
    }
    if (bad.ok()) {
      Result<crypto::SecretBytes> secret = ReadSecretFile(flags.notify_secret_file, "--notify-secret-file");
      if (secret.ok()) notify_secret = std::move(secret).value();
      bad = secret.status();
    }
    for (const std::string& spec : flags.notify_webhooks) {
      if (!bad.ok()) break;
      Result<s3::NotificationTarget> target = s3::ParseNotificationTargetFlag(spec);
      if (!target.ok()) {
        bad = target.status();
        break;
      }
      Result<WebhookPost> post = MakeWebhookPost(target->url, flags.outbound_ca, "--notify-webhook's URL");
      if (!post.ok()) {
        bad = post.status();
        break;
      }
      s3_options.notification_targets.push_back(*target);
      notify_targets.push_back({*target, std::move(post).value()});
    }
    if (!bad.ok()) {
      std::fprintf(stderr, "confiance: %s\n", bad.message().c_str());
      return 2;
    }
  } else if (!flags.notify_secret_file.empty()) {
    std::fprintf(stderr, "confiance: --notify-secret-file needs --notify-webhook\n");
    return 2;
  }
  std::vector<ReplicationTarget> replication_targets;
  if (!flags.replication_targets_file.empty()) {
    Result<std::vector<ReplicationTarget>> loaded =
        !transparency ? Result<std::vector<ReplicationTarget>>(InvalidArgumentError(
                            "--replication-targets needs the transparency log, which the writes to copy come from"))
                      : LoadReplicationTargets(flags.replication_targets_file, flags.outbound_ca);
    if (!loaded.ok()) {
      std::fprintf(stderr, "confiance: %s\n", loaded.status().message().c_str());
      return 2;
    }
    replication_targets = std::move(loaded).value();
    for (const ReplicationTarget& t : replication_targets) s3_options.replication_destinations.push_back(t.destination);
  }
  LockboxFlags lockbox_flags = flags.lockbox;
  lockbox_flags.webhook_ca = flags.outbound_ca;
  Result<std::unique_ptr<LockboxService>> lockbox =
      LockboxService::Start(lockbox_flags, *(*dir)->meta, transparency ? &transparency->log() : nullptr);
  if (!lockbox.ok()) {
    std::fprintf(stderr, "confiance: %s\n", lockbox.status().message().c_str());
    return 2;
  }
  s3::S3Deps s3_deps{*(*dir)->catalog, *(*dir)->bucket_keys, *(*dir)->router, *(*dir)->credentials,
                     *(*dir)->directory, pool, transparency ? &transparency->log() : nullptr};
  s3_deps.scan_pool = &scan_pool;
  s3_deps.load = &server_load;
  s3_deps.lockbox = &(*lockbox)->lockbox();
  s3_deps.residency = (*dir)->residency.get();
  // --no-sts: no STS calls, and every session token refused.
  s3_deps.sessions = flags.no_sts ? nullptr : (*dir)->sessions.get();
  s3::RequestMetrics request_metrics;
  s3_deps.request_metrics = &request_metrics;
  s3::RateLimiter rate_limiter;
  s3_deps.rate_limiter = &rate_limiter;
  s3::S3Service service(s3_deps, s3_options);
  admin::AdminApi admin_api(*(*dir)->directory, *(*dir)->catalog, *(*dir)->tenant_keys, &(*lockbox)->lockbox());
  admin_api.SetRateLimiter(&rate_limiter);
  admin::TenantServerSettings tenant_settings{.default_rate_limits = flags.default_rate_limits};
  for (const ReplicationTarget& t : replication_targets) {
    tenant_settings.replication_destinations.push_back(
        {t.destination, (t.endpoint.tls ? "https://" : "http://") + t.endpoint.HostHeader(), t.bucket});
  }
  admin_api.SetTenantServerSettings(std::move(tenant_settings));
  if (transparency) admin_api.SetReceiptSigner(&transparency->log().signer());
  admin_api.set_residency((*dir)->residency.get());
  catalog::KeyRotation key_rotation(*(*dir)->meta, *(*dir)->catalog, *(*dir)->tenant_keys, *(*dir)->bucket_keys);
  admin_api.SetKeyRotation(&key_rotation);
  catalog::BucketKeyRotation bucket_key_rotation(*(*dir)->meta, *(*dir)->catalog, *(*dir)->bucket_keys);
  admin_api.SetBucketKeyRotation(&bucket_key_rotation);
  // The embedded root key's rotation (admin/root_key_rotation.h): resumes
  // an unfinished one (the key file still holds an old version).
  admin::RootKeyRotation root_rotation(admin::RootKeyRotation::Deps{
      (*dir)->keys.get(), (*dir)->root_key_versions, (*dir)->meta.get(), (*dir)->catalog.get(),
      (*dir)->tenant_keys.get(), (*dir)->bucket_keys.get(), (*dir)->credentials.get(), (*dir)->sessions.get(),
      Env::Default(), (*dir)->meta_env != nullptr ? (*dir)->path + "/" + kMetadataKeyFile : ""});
  admin_api.SetRootKeyRotation(&root_rotation);
  if (Result<bool> resumed = root_rotation.ResumeIfUnfinished(); !resumed.ok()) {
    spdlog::error("root key rotation: cannot resume: {}", resumed.status().ToString());
  } else if (*resumed) {
    spdlog::info("root key rotation: resuming the unfinished rotation");
  }
  // Tenant- and bucket-key rotations a restart interrupted go on by
  // themselves (their versions are still in the records; docs/keys.md).
  ResumeKeyRotations(key_rotation, bucket_key_rotation);
  // Multipart completions that a crash or a failed request stopped half-way
  // (catalog/catalog.h): settled before the first request, so that none
  // stays hidden and unabortable, holding its parts. And DeleteBucket calls
  // a crash cut short, which left their buckets fenced
  // (catalog/bucket_delete.cc): their marks are cleared.
  const catalog::Catalog::StartRecovery recovered = (*dir)->catalog->RecoverAtStart(UnixMillisNow());
  if (const Result<catalog::Catalog::SettledCompletions>& settled = recovered.completions; !settled.ok()) {
    spdlog::error("interrupted multipart completions: cannot settle them: {}", settled.status().ToString());
  } else if (settled->finished + settled->reopened > 0) {
    spdlog::info("interrupted multipart completions: {} finished (their objects were committed), {} back in progress",
                 settled->finished, settled->reopened);
  }
  if (const Result<uint64_t>& freed = recovered.buckets_freed; !freed.ok()) {
    spdlog::error("interrupted bucket deletes: cannot recover them: {}", freed.status().ToString());
  } else if (*freed > 0) {
    spdlog::info("interrupted bucket deletes: {} buckets open to writes again", *freed);
  }
  // Reclamation after shreds (catalog/reclaim.h): resumes the jobs queued
  // before a restart; stopped before the data directory closes.
  catalog::Reclaimer reclaimer(*(*dir)->meta, *(*dir)->catalog, *(*dir)->tenant_keys, *(*dir)->bucket_keys,
                               *(*dir)->router);
  admin_api.SetReclaimer(&reclaimer);
  reclaimer.Start();
  admin_api.SetExternalKeys((*dir)->external_keys.get());
  metrics::RequestCounts admin_request_metrics(admin::AdminService::kMetricSlots);
  admin::AdminService admin_service(admin::AdminServiceDeps{admin_api, *(*dir)->credentials, pool,
                                                            transparency ? &transparency->log() : nullptr,
                                                            &admin_request_metrics},
                                    flags.region);
  http::ServerOptions http_options;
  http_options.host = listen->first;
  http_options.port = listen->second;
  http_options.threads = flags.threads;
  if (flags.threads == 0 && (*dir)->rados_meta != nullptr) {
    // A request's metadata reads wait on the cluster (a round trip each) on
    // its network thread: more threads than cores keep the cores busy
    // meanwhile (docs/rados.md, "Metadata on RADOS").
    http_options.threads =
        static_cast<int>(kNetworkThreadsPerCoreWithRadosMetadata * std::max(1u, std::thread::hardware_concurrency()));
    spdlog::info("metadata on RADOS: {} network threads", http_options.threads);
  }
  http_options.idle_timeout = std::chrono::seconds(flags.idle_timeout_s);
  http_options.header_timeout = std::chrono::seconds(flags.header_timeout_s);
  http_options.body_stall_timeout = std::chrono::seconds(flags.body_timeout_s);
  http_options.write_stall_timeout = std::chrono::seconds(flags.write_timeout_s);
  http_options.load = &server_load;
  http_options.tls = flags.tls;
  http::ServerStats http_stats;
  http_options.stats = &http_stats;
  admin::BackgroundStats background_stats;  // the sweeper's, lifecycle runner's, backups' and scrubs'
  // Online backups (docs/backup.md), into a directory on this host.
  BackupJob backups(BackupJob::Deps{Env::Default(), (*dir)->path, (*dir)->meta.get(), (*dir)->router.get(),
                                    (*dir)->local_pools, (*dir)->keys.get(), (*dir)->root_key_versions,
                                    &background_stats});
  admin_api.SetBackupService(&backups);
  // Online scrubs (docs/operations.md, "Scrubbing"): on request and on the
  // schedule.
  ScrubJob scrubs(ScrubJob::Deps{(*dir)->catalog.get(), (*dir)->router.get(), (*dir)->bucket_keys.get(),
                                 (*dir)->meta.get(), transparency ? &transparency->log() : nullptr, &background_stats,
                                 flags.scrub_rate_mib << 20, std::chrono::hours(flags.scrub_interval_h)});
  admin_api.SetScrubService(&scrubs);
  // Bucket event notifications, read from the tenants' logs; a lifecycle
  // expiry's waits for its outcome, which the lifecycle worker tells.
  s3::LifecycleOutcomes lifecycle_outcomes;
  NotificationDispatcher notifications(NotificationDispatcher::Deps{
      transparency ? &transparency->log() : nullptr, (*dir)->catalog.get(), (*dir)->meta.get(),
      std::move(notify_targets), std::move(notify_secret), flags.region, std::chrono::milliseconds(200),
      &background_stats, &lifecycle_outcomes});
  notifications.Start();
  for (const s3::NotificationTarget& t : s3_options.notification_targets) {
    spdlog::info("bucket notifications: target {} -> {}", s3::NotificationTargetArn(t.tenant, t.name), t.url);
  }
  // Bucket replication, read from the tenants' logs as notifications are.
  for (const ReplicationTarget& t : replication_targets) {
    spdlog::info("bucket replication: destination {} -> {}/{} ({})",
                 s3::ReplicationTargetArn(t.destination.tenant, t.destination.name), t.endpoint.HostHeader(), t.bucket,
                 t.destination.jurisdiction);
  }
  ReplicationDispatcher replication(ReplicationDispatcher::Deps{
      transparency ? &transparency->log() : nullptr, (*dir)->catalog.get(), (*dir)->bucket_keys.get(),
      (*dir)->router.get(), (*dir)->meta.get(), (*dir)->residency.get(), std::move(replication_targets),
      std::chrono::milliseconds(200), std::chrono::seconds(20), &background_stats, flags.replication_part_size});
  replication.Start();
  admin::MetricsSources metrics_sources;
  metrics_sources.background = &background_stats;
  metrics_sources.replication_lags = [&replication] { return replication.Lags(&s3::ReplicationTargetArn); };
  metrics_sources.notification_lags = [&notifications] { return notifications.Lags(&s3::NotificationTargetArn); };
  metrics_sources.env = Env::Default();
  metrics_sources.requests = &request_metrics;
  metrics_sources.rate_limiter = &rate_limiter;
  metrics_sources.admin_requests = &admin_request_metrics;
  metrics_sources.http = &http_stats;
  metrics_sources.load = &server_load;
  metrics_sources.meta = (*dir)->meta.get();
  if (transparency) metrics_sources.log = &transparency->log().stats();
  if (kms->kmip) metrics_sources.root_kms = &root_kms_stats;
  if (kms->hyok) metrics_sources.tenant_kms = &tenant_kms_stats;
  metrics_sources.pools = PoolDisks(**dir);
  for (const auto& [name, store] : (*dir)->rados_pools) metrics_sources.rados_pools.push_back({name, store.get()});
  metrics_sources.rados_meta = (*dir)->rados_meta;
  admin::MetricsEndpoint monitoring(std::move(metrics_sources), std::move(*metrics_token));
  if (served_certificate) monitoring.SetCertificateExpiry(served_certificate->not_after);
  if (flags.metrics_token_file.empty()) {
    spdlog::info("metrics off (--metrics-token-file not set); readiness at /_confiance/ready");
  } else {
    spdlog::info("Prometheus metrics at /_confiance/metrics (bearer token of {}); readiness at /_confiance/ready",
                 flags.metrics_token_file);
  }
  admin::ConsoleEndpoint console(flags.region, flags.console_idle_timeout_s);
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(
      http_options, [&service, &admin_service, &monitoring, &console, &flags](
                        http::Request& req, http::BodyReader& body, http::ResponseWriter& resp) {
        // The reserved /_confiance/admin/ prefix is the admin API, the
        // metrics and readiness targets the monitoring endpoint, the
        // console's prefix its files; every other target (and
        // /_confiance/health) is S3Service's, which answers 404 for
        // /_confiance/console/ when the console is off.
        const std::string_view host = req.FindHeader("host").value_or("");
        // A bucket's website endpoint serves its pages, and nothing else.
        if (service.IsWebsiteHost(host)) return service.HandleWebsite(req, body, resp);
        if (admin::IsAdminTarget(req.target, host, flags.domain)) {
          return admin_service.Handle(req, body, resp);
        }
        if (admin::MetricsEndpoint::IsTarget(req.target, host, flags.domain)) {
          return monitoring.Handle(req, body, resp);
        }
        if (!flags.no_console && admin::ConsoleEndpoint::IsTarget(req.target, host, flags.domain)) {
          return console.Handle(req, body, resp);
        }
        return service.Handle(req, body, resp);
      });
  if (!server.ok()) {
    spdlog::critical("cannot listen on {}: {}", flags.listen, server.status().ToString());
    return 1;
  }

  // SIGTERM/SIGINT: graceful shutdown (in-flight requests finish).
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down gracefully", sig);
    NotifyStopping();
    (*server)->Shutdown();
  });
  // SIGHUP, with TLS: read the certificate and key files again (renewed
  // certificates take effect without a restart). Without TLS there is
  // nothing to reload, and SIGHUP is only logged: its default action would
  // end the server, and systemd counts that as a clean exit, not one to
  // restart after (`systemctl reload` sends it).
  boost::asio::signal_set reload_signals(signals_io, SIGHUP);
  std::function<void()> await_reload = [&] {
    reload_signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (!(*server)->tls()) {
        spdlog::info("SIGHUP: nothing to reload (no TLS certificate); still serving");
        await_reload();
        return;
      }
      NotifyReloading();
      Result<http::CertificateSummary> cert = (*server)->ReloadTls();
      NotifyReady("serving; TLS certificate " + std::string(cert.ok() ? "reloaded" : "NOT reloaded, see the log"));
      if (cert.ok()) {
        spdlog::info("SIGHUP: TLS certificate reloaded from {}", flags.tls.cert_file);
        LogTlsCertificate(*cert, flags.tls.cert_file);
        monitoring.SetCertificateExpiry(cert->not_after);
      } else {
        spdlog::error("SIGHUP: TLS certificate not reloaded, the previous one stays: {}", cert.status().ToString());
      }
      await_reload();
    });
  };
  await_reload();
  std::thread signal_thread([&] { signals_io.run(); });

  // The orphan sweeper, off the request path; after each pass, the key
  // rotations left to no process (ResumeKeyRotations). Gateways sharing
  // the metadata take turns (meta/worker_lease.h).
  catalog::OrphanSweeper sweeper_work(*(*dir)->catalog, *(*dir)->router, flags.sweep_grace_s);
  const std::chrono::seconds sweep_interval(flags.sweep_interval_s);
  meta::WorkerLease sweeper_lease(*(*dir)->meta, "sweeper", meta::WorkerLease::PeriodFor(sweep_interval));
  PeriodicThread sweeper(sweep_interval, [&] {
    if (!sweeper_lease.Hold()) return;
    Result<catalog::SweepStats> st = sweeper_work.SweepOnce(Env::Default()->NowMicros() / 1000000);
    if (st.ok()) {
      background_stats.sweeps.Add();
      background_stats.orphans_deleted.Add(st->deleted);
    } else {
      background_stats.failed_sweeps.Add();
    }
    if (!st.ok()) {
      spdlog::warn("orphan sweep failed: {}", st.status().ToString());
    } else if (st->deleted > 0 || st->orphan_partitions > 0 || st->interrupted_deletes > 0 ||
               st->interrupted_completions > 0) {
      spdlog::info(
          "orphan sweep: {} blobs seen, {} orphans deleted, {} partitions of deleted buckets dropped, {} buckets "
          "freed from an interrupted delete, {} interrupted multipart completions settled",
          st->blobs_seen, st->deleted, st->orphan_partitions, st->interrupted_deletes, st->interrupted_completions);
    }
    ResumeKeyRotations(key_rotation, bucket_key_rotation);
  });

  // The lifecycle worker, off the request path; stops before the data
  // directory closes.
  std::optional<LifecycleRunner> lifecycle;
  lifecycle.emplace(**dir, transparency ? &transparency->log() : nullptr, flags.lifecycle, &background_stats,
                    &lifecycle_outcomes);

  // Server access logs (docs/bucket-logging.md), derived from the tenants'
  // transparency logs and written through S3 as the logging service;
  // stops before the pools it writes with.
  std::optional<AccessLogDelivery> access_logs;
  if (transparency) {
    AccessLogDelivery::Deps deps;
    deps.log = &transparency->log();
    deps.catalog = (*dir)->catalog.get();
    deps.store = (*dir)->meta.get();
    deps.directory = (*dir)->directory.get();
    deps.put = [&service](const s3::ServicePrincipal& caller, const std::string& bucket, const std::string& key,
                          const std::string& body, std::string* error_code) {
      return PutAsService(service, caller, bucket, key, body, error_code);
    };
    deps.region = flags.region;
    deps.interval = std::chrono::seconds(flags.access_log_interval_s);
    deps.stats = &background_stats;
    access_logs.emplace(std::move(deps));
    access_logs->Start();
  }

  // S3 Inventory reports (docs/inventory.md), written through S3 as the
  // service s3.amazonaws.com; stops before the pools it writes with.
  InventoryDelivery::Deps inventory_deps;
  inventory_deps.catalog = (*dir)->catalog.get();
  inventory_deps.store = (*dir)->meta.get();
  inventory_deps.put = [&service](const s3::ServicePrincipal& caller, const std::string& bucket, const std::string& key,
                                  const std::string& body, std::string* error_code,
                                  const std::vector<http::Header>& headers) {
    return PutAsService(service, caller, bucket, key, body, error_code, headers);
  };
  inventory_deps.owner_of =
      [directory = (*dir)->directory.get()](const std::string& tenant_id) -> Result<iam::acl::CanonicalUser> {
    Result<iam::TenantRecord> t = directory->GetTenant(tenant_id);
    if (t.status().code() == StatusCode::kNotFound) return iam::acl::CanonicalUser{};
    RETURN_IF_ERROR(t.status());
    return iam::acl::CanonicalUser{t->canonical_id, t->display_name};
  };
  inventory_deps.interval = std::chrono::seconds(flags.inventory_interval_s);
  inventory_deps.day = std::chrono::seconds(std::max<uint64_t>(flags.lifecycle.day_seconds, 1));
  inventory_deps.stats = &background_stats;
  std::optional<InventoryDelivery> inventory;
  inventory.emplace(std::move(inventory_deps));
  inventory->Start();

  spdlog::info("Confiance {} serving S3 on {}://{}:{} (data {}, region {}, space reserve {} bytes)",
               kConfianceVersion, (*server)->tls() ? "https" : "http", listen->first, (*server)->port(), flags.data,
               flags.region, reserve);
  if (const meta::RadosMetaStore* rados = (*dir)->rados_meta; rados != nullptr) {
    spdlog::info("metadata in RADOS pool {} namespace '{}' as client.{}, values sealed (docs/rados.md)",
                 rados->connection().pool, rados->connection().name_space, rados->connection().user);
  }
  if (!flags.no_console) {
    spdlog::info("web console at {}://{}:{}/_confiance/console/ (--no-console turns it off)",
                 (*server)->tls() ? "https" : "http", listen->first, (*server)->port());
  }
  NotifyReady(fmt::format("serving S3 on {}://{}:{}", (*server)->tls() ? "https" : "http", listen->first,
                          (*server)->port()));
  (*server)->Run();
  spdlog::info("server stopped");
  sweeper.Stop();
  lifecycle.reset();
  access_logs.reset();
  inventory.reset();
  signals_io.stop();
  signal_thread.join();
  scan_pool.Stop();
  pool.Stop();
  return 0;
}

// The key provider of an offline command; exits 2 on bad flags.
std::optional<KmsOptions> OfflineKms(const KmsFlags& flags) {
  Result<KmsOptions> kms = flags.ToOptions();
  if (!kms.ok()) {
    std::fprintf(stderr, "confiance: %s\n", kms.status().message().c_str());
    return std::nullopt;
  }
  return *kms;
}

int CreateAccessKey(const std::string& data, const std::string& tenant, const std::string& user,
                    const KmsOptions& kms) {
  Result<std::unique_ptr<DataDir>> dir = DataDir::Open(*Env::Default(), data, kms);
  if (!dir.ok()) {
    std::fprintf(stderr, "confiance: %s\n", dir.status().ToString().c_str());
    return 1;
  }
  Result<iam::NewAccessKey> k = (*dir)->directory->CreateUserKey(tenant, user);
  if (!k.ok()) {
    std::fprintf(stderr, "confiance: %s\n", k.status().ToString().c_str());
    return 1;
  }
  // Logged as the admin API logs it, in the operator's log and the
  // tenant's; a key that cannot be logged is not given out.
  audit::Event event =
      OfflineActionEvent("CreateAccessKey", "tenant/" + tenant + "/user/" + user + "/key/" + k->access_key_id);
  if (Status logged = LogOfflineAction(**dir, audit::ValidLogTenantId(tenant) ? tenant : "", event); !logged.ok()) {
    Status deleted = (*dir)->credentials->DeleteAccessKey(k->access_key_id);
    std::fprintf(stderr, "confiance: the access key could not be logged (%s); %s\n", logged.ToString().c_str(),
                 deleted.ok() ? "it is deleted again" : ("deleting it failed too: " + deleted.ToString()).c_str());
    return 1;
  }
  std::printf("access_key=%s\nsecret_key=%s\n", k->access_key_id.c_str(), k->secret.c_str());
  return 0;
}

int ListAccessKeys(const std::string& data, const KmsOptions& kms) {
  Result<std::unique_ptr<DataDir>> dir = DataDir::Open(*Env::Default(), data, kms);
  if (!dir.ok()) {
    std::fprintf(stderr, "confiance: %s\n", dir.status().ToString().c_str());
    return 1;
  }
  Result<std::vector<iam::Principal>> keys = (*dir)->credentials->ListAccessKeys();
  if (!keys.ok()) {
    std::fprintf(stderr, "confiance: %s\n", keys.status().ToString().c_str());
    return 1;
  }
  for (const iam::Principal& p : *keys) {
    if (p.kind == iam::PrincipalKind::kOperator) {
      std::printf("%s operator=%s%s\n", p.access_key_id.c_str(), p.user.c_str(), p.active ? "" : " (disabled)");
    } else {
      std::printf("%s tenant=%s user=%s%s\n", p.access_key_id.c_str(), p.tenant_id.c_str(), p.user.c_str(),
                  p.active ? "" : " (disabled)");
    }
  }
  return 0;
}

}  // namespace
}  // namespace confiance

int main(int argc, char** argv) {
  using namespace confiance;
  TuneMalloc();  // before any thread starts
  if (Status s = crypto::InitOpenSslForProcess(); !s.ok()) {
    std::fprintf(stderr, "confiance: %s\n", s.ToString().c_str());
    return 1;
  }
  CLI::App app{"Confiance: sovereign, S3-compatible object storage"};
  app.set_version_flag("--version", "confiance " + std::string(kConfianceVersion));
  app.require_subcommand(1);

  ServerFlags flags;
  CLI::App* server = app.add_subcommand("server", "Serve the S3 API from a data directory");
  // Read by ExpandConfigFile before CLI11 parses (main/config_file.h);
  // registered so that --help lists it and the parser accepts it.
  std::string config_file;
  server->add_option("--config", config_file,
                     "TOML file of server options, keyed by their long names without -- (e.g. listen = "
                     "\"0.0.0.0:9000\"); options on the command line override it (docs/operations.md)");
  server->add_option("--data", flags.data, "Data directory")->capture_default_str();
  server->add_option("--listen", flags.listen, "HOST:PORT to listen on")->capture_default_str();
  server->add_option("--domain", flags.domain, "Base domain for virtual-host-style requests");
  server->add_option("--website-domain", flags.website_domain,
                     "Base domain of static website endpoints: <bucket>.<domain> serves the bucket's website "
                     "(docs/website.md); unset: no website endpoint");
  server->add_option("--region", flags.region, "The region this server serves")->capture_default_str();
  AddTlsOptions(*server, flags.tls, "serve HTTPS instead of HTTP (with --tls-key; SIGHUP reloads both)");
  server->add_flag("--sse-c-allow-http", flags.sse_c_allow_http,
                   "Accept SSE-C customer keys over plain HTTP from non-loopback peers (only behind a TLS "
                   "terminator on a trusted network; loopback peers are always accepted)");
  server->add_option("--log-name", flags.log_name,
                     "Name of the transparency logs (origins NAME/tenant/ID), fixed at first start (default: host name)");
  server->add_flag("--no-transparency-log", flags.no_transparency_log,
                   "Do not record requests in the transparency logs (benchmark baseline only)");
  server->add_option("--log-linger-us", flags.log_linger_us,
                     "Longest wait (µs) of a transparency-log group for the appends it expects (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  server->add_option("--witness", flags.witness_urls,
                     "C2SP tlog-witness (http[s]://HOST:PORT) that cosigns every new checkpoint (repeatable)");
  server->add_option("--witness-key", flags.witness_keys,
                     "That witness's cosignature/v1 verifier key (one per --witness, in the same order)");
  server->add_option("--metrics-token-file", flags.metrics_token_file,
                     "File holding the bearer token that Prometheus sends to read /_confiance/metrics (at least 32 "
                     "characters, e.g. openssl rand -hex 32); unset: metrics off")
      ->check(CLI::ExistingFile);
  server->add_option("--default-read-ops", flags.default_rate_limits.read_ops,
                     "GET and HEAD requests per second of every tenant whose own limit is unset (0: none)")
      ->capture_default_str();
  server->add_option("--default-write-ops", flags.default_rate_limits.write_ops,
                     "Other requests per second of every tenant whose own limit is unset (0: none)")
      ->capture_default_str();
  server->add_option("--default-read-bytes", flags.default_rate_limits.read_bytes,
                     "Bytes read per second, e.g. 100MiB, of every tenant whose own limit is unset (0: none)")
      ->transform(CLI::AsSizeValue(/*kb_is_1000=*/true));
  server->add_option("--default-write-bytes", flags.default_rate_limits.write_bytes,
                     "Bytes written per second, e.g. 50MB, of every tenant whose own limit is unset (0: none)")
      ->transform(CLI::AsSizeValue(/*kb_is_1000=*/true));
  server->add_flag("--no-sts", flags.no_sts,
                   "Do not issue temporary credentials (the STS calls answer 501) and refuse every session token");
  server->add_option("--max-session-duration", flags.max_session_seconds,
                     "Longest temporary credentials the STS calls issue, in seconds (AWS's limit: 129600)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{900}, uint64_t{129600}));
  server->add_flag("--no-console", flags.no_console,
                   "Do not serve the web console (/_confiance/console/); the S3 and admin APIs it uses stay");
  server->add_option("--console-idle-timeout", flags.console_idle_timeout_s,
                     "Seconds without activity after which the web console signs out and forgets the secret key "
                     "(0: never)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, uint64_t{7} * 24 * 3600));
  server->add_option("--ca-bundle", flags.outbound_ca,
                     "PEM file of the CAs to trust when the server calls out over https:// (--witness, "
                     "--webhook-url); default: the system's")
      ->check(CLI::ExistingFile);
  server->add_option("--log-level", flags.log_level, "trace|debug|info|warn|error")->capture_default_str();
  server->add_option("--threads", flags.threads,
                     "Network threads (0: one per core; eight per core with the metadata on RADOS)");
  server->add_option("--blocking-threads", flags.blocking_threads, "Threads for fsync and commits")->capture_default_str();
  server->add_option("--sweep-interval", flags.sweep_interval_s, "Seconds between orphan sweeps")->capture_default_str();
  server->add_option("--sweep-grace", flags.sweep_grace_s, "Minimum age (s) of a blob the sweeper may delete")->capture_default_str();
  server->add_option("--lifecycle-interval", flags.lifecycle.interval_s, "Seconds between lifecycle worker ticks")
      ->capture_default_str();
  server->add_option("--access-log-interval", flags.access_log_interval_s,
                     "Seconds between deliveries of server access logs to their target buckets")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{24} * 3600));
  server
      ->add_option("--inventory-interval", flags.inventory_interval_s,
                   "Seconds between looks for due S3 Inventory reports (their days are the lifecycle's)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{24} * 3600));
  server->add_option("--lifecycle-day-seconds", flags.lifecycle.day_seconds,
                     "Length of a lifecycle day in seconds (debug setting: tests shorten it)")
      ->capture_default_str();
  server->add_option("--lifecycle-objects-per-tick", flags.lifecycle.objects_per_tick,
                     "Objects and uploads the lifecycle worker examines per tick")
      ->capture_default_str();
  server->add_option("--scrub-rate", flags.scrub_rate_mib,
                     "MiB of object data an online scrub verifies per second at most, unless the request names a "
                     "rate (0: unlimited)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 30));
  server->add_option("--notify-webhook", flags.notify_webhooks,
                     "A webhook for bucket event notifications, TENANT:NAME=URL (repeatable): the tenant's buckets "
                     "may send events to arn:confiance:sqs::TENANT:NAME");
  server->add_option("--notify-secret-file", flags.notify_secret_file,
                     "File holding the HMAC-SHA256 key of the notifications' X-Confiance-Signature header");
  server->add_option("--replication-targets", flags.replication_targets_file,
                     "TOML file of the destinations bucket replication may copy to, per tenant (docs/replication.md)");
  server
      ->add_option("--replication-part-size", flags.replication_part_size,
                   "Bytes: a version larger than this is replicated as a multipart upload of parts this large")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{5} << 20, uint64_t{5} << 30));
  server->add_option("--scrub-interval-hours", flags.scrub_interval_h,
                     "Hours between scheduled online scrubs, from the end of the last, across restarts (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, uint64_t{24} * 365 * 10));
  server->add_option("--max-object-size", flags.max_object_size,
                     "Largest single PUT, part and copy source in bytes (S3: 5 GiB; lower it only to test the limit)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{5} << 30));
  server->add_option("--idle-timeout", flags.idle_timeout_s, "Seconds a keep-alive connection may wait for its next request")
      ->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{86400}));
  server->add_option("--header-timeout", flags.header_timeout_s, "Seconds to receive a whole request header block")
      ->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{86400}));
  server->add_option("--body-timeout", flags.body_timeout_s, "Seconds a request body may make no progress")
      ->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{86400}));
  server->add_option("--write-timeout", flags.write_timeout_s, "Seconds a client may stop reading a response")
      ->capture_default_str()->check(CLI::Range(uint64_t{1}, uint64_t{86400}));
  server->add_option("--space-reserve", flags.space_reserve,
                     "Bytes of disk kept free for metadata and deletions; new data is refused (507) below it "
                     "(-1: 5% of the disk, at most 256 MiB; 0: no reserve)")
      ->capture_default_str();
  flags.kms.Register(*server);
  flags.lockbox.Register(*server);
  server->add_option("--pools", flags.pools_file, "Storage pools file (TOML; docs/SOVEREIGNTY.md, Data residency)");
  server->add_option("--jurisdiction", flags.jurisdiction,
                     "Jurisdiction (ISO 3166 code or EU) of the default pool, the data directory's own blobs")
      ->capture_default_str();

  CLI::App* admin = app.add_subcommand(
      "admin", "Administer the service: tenants, users, keys, policies (admin API); a stopped server's data directory");
  admin->require_subcommand(1);
  admin::AdminCli admin_cli(*admin);
  std::string admin_data = "./data", tenant = "default", user = "root";
  CLI::App* create_key =
      admin->add_subcommand("create-access-key", "Create an access key (offline: server stopped)");
  create_key->add_option("--data", admin_data, "Data directory")->capture_default_str();
  create_key->add_option("--tenant", tenant, "Tenant id")->capture_default_str();
  create_key->add_option("--user", user, "User name")->capture_default_str();
  KmsFlags offline_kms;  // one offline subcommand runs at a time
  offline_kms.Register(*create_key);
  CLI::App* list_keys = admin->add_subcommand("list-access-keys", "List access keys (offline: server stopped)");
  list_keys->add_option("--data", admin_data, "Data directory")->capture_default_str();
  offline_kms.Register(*list_keys);
  // The online scrub's group (admin/cli.cc); without a subcommand, offline.
  CLI::App* scrub = admin->get_subcommand("scrub");
  scrub->add_option("--data", admin_data, "Data directory (offline: server stopped)")->capture_default_str();
  std::string scrub_pools;
  scrub->add_option("--pools", scrub_pools, "The server's storage pools file (to find blobs in every pool)");
  offline_kms.Register(*scrub);
  std::string verify_path;
  CLI::App* verify_backup = admin->add_subcommand(
      "verify-backup",
      "Check that a backup holds every blob its metadata names, at its size (decrypts no object; encrypted "
      "metadata needs the backup's root key: PATH/keys/root.key, --keys-of DIR or --kms kmip)");
  verify_backup->add_option("PATH", verify_path, "The backup directory (docs/backup.md)")->required();
  std::string verify_keys_of;
  verify_backup->add_option("--keys-of", verify_keys_of,
                            "A data directory whose root key opens the backup (the server's, for a backup taken "
                            "without --include-root-key)");
  offline_kms.Register(*verify_backup);
  std::string encrypt_data = "./data";
  CLI::App* encrypt_metadata = admin->add_subcommand(
      "encrypt-metadata",
      "Encrypt at rest the metadata of a data directory written before metadata encryption existed, or with "
      "--new-key re-encrypt it under a new metadata key (offline: server stopped; docs/encryption.md)");
  encrypt_metadata->add_option("--data", encrypt_data, "Data directory")->capture_default_str();
  bool encrypt_new_key = false;
  encrypt_metadata->add_flag("--new-key", encrypt_new_key,
                             "Metadata already encrypted: copy it under a new metadata key and remove the files "
                             "under the old one (a suspected leak of the key)");
  offline_kms.Register(*encrypt_metadata);
  std::string move_data = "./data", move_to_rados;
  bool move_to_local = false;
  CLI::App* move_metadata = admin->add_subcommand(
      "move-metadata",
      "Move a data directory's metadata from its local store onto a RADOS pool, from one pool to another, or back; "
      "the objects' data stays where it is (offline: server stopped; docs/rados.md)");
  move_metadata->add_option("--data", move_data, "Data directory")->capture_default_str();
  CLI::Option* to_rados_option = move_metadata->add_option(
      "--to-rados", move_to_rados,
      "A metadata.toml naming the pool and an empty namespace (it becomes DIR's; the namespace left, if any, is "
      "emptied)");
  CLI::Option* to_local_option = move_metadata->add_flag(
      "--to-local", move_to_local, "From the pool DIR/metadata.toml names into DIR/meta (the namespace is emptied)");
  to_rados_option->excludes(to_local_option);
  bool move_new_key = false;
  move_metadata
      ->add_flag("--new-key", move_new_key,
                 "From one pool to another: seal the target under a new metadata key, which replaces meta.key")
      ->needs(to_rados_option);
  offline_kms.Register(*move_metadata);
  std::string credentials_path;
  CLI::App* generate_credentials = admin->add_subcommand(
      "generate-credentials",
      "Write fresh root and operator keys into a new environment file (mode 0600) for the service's first start");
  generate_credentials
      ->add_option("FILE", credentials_path, "The file to create, e.g. /etc/confiance/credentials.env (never replaced)")
      ->required();
  ShredCheckFlags shred_check_flags;
  CLI::App* shred_check = admin->add_subcommand(
      "shred-check", "After a shred, try every byte of the data directory as a copy of the destroyed key under every "
                     "key that remains (offline: server stopped)");
  shred_check->add_option("--data", shred_check_flags.data, "Data directory")->capture_default_str();
  shred_check->add_option("--receipt", shred_check_flags.receipt, "File holding the shred's signed deletion receipt")
      ->required();
  shred_check->add_option("--pools", shred_check_flags.pools_file,
                          "The server's storage pools file (their directories are scanned too)");
  shred_check->add_option("--versions", shred_check_flags.versions,
                          "Key versions tried at least (more if the store records more)")
      ->capture_default_str()
      ->check(CLI::Range(uint32_t{1}, uint32_t{1000}));
  shred_check->add_option("BLOB", shred_check_flags.blobs,
                          "Blob files kept aside from before the shred: each is tried with every data key the "
                          "store still holds");
  offline_kms.Register(*shred_check);

  CLI::App* log = app.add_subcommand("log", "Transparency log tools");
  log->require_subcommand(1);
  LogVerifyFlags verify_flags;
  CLI::App* verify = log->add_subcommand(
      "verify", "Verify downloaded log entries against two checkpoints and a pinned key (offline)");
  verify->add_option("--key", verify_flags.key, "Pinned verifier key NAME+HASH+KEY");
  verify->add_option("--key-file", verify_flags.key_file, "File holding the pinned verifier key");
  verify->add_option("--checkpoint1", verify_flags.checkpoint1, "Earlier signed checkpoint (optional)");
  verify->add_option("--checkpoint2", verify_flags.checkpoint2, "Later signed checkpoint")->required();
  verify->add_option("--dir", verify_flags.dir, "Directory in tlog-tiles layout (tile/entries/..., tile/<L>/...)");
  verify->add_option("--entries", verify_flags.entries, "Entries as JSON lines instead of entry bundles");
  verify->add_option("--first", verify_flags.first, "Index of the first JSON line")->capture_default_str();
  verify->add_option("--witness-key", verify_flags.witness_keys,
                     "Pinned witness cosignature/v1 verifier key (repeatable): checkpoint 2 must be cosigned");
  verify->add_option("--witness-quorum", verify_flags.witness_quorum,
                     "How many pinned witnesses must have cosigned checkpoint 2 (default: all)");

  ReceiptVerifyFlags receipt_flags;
  CLI::App* verify_receipt = log->add_subcommand(
      "verify-receipt", "Verify a deletion receipt against the server's pinned log key (offline)");
  verify_receipt->add_option("--key", receipt_flags.key, "Pinned verifier key NAME+HASH+KEY");
  verify_receipt->add_option("--key-file", receipt_flags.key_file, "File holding the pinned verifier key");
  verify_receipt->add_option("RECEIPT", receipt_flags.receipt, "File holding the signed receipt")->required();

  LogExportFlags export_flags;
  CLI::App* log_export = log->add_subcommand(
      "export", "Print a log of a data directory as JSON lines (offline: server stopped)");
  log_export->add_option("--data", export_flags.data, "Data directory")->capture_default_str();
  log_export->add_option("--tenant", export_flags.tenant, "The tenant whose log to print");
  log_export->add_flag("--operator", export_flags.operator_log, "Print the operator log");
  log_export->add_option("--from", export_flags.from, "First entry index")->capture_default_str();
  log_export->add_option("--checkpoint-out", export_flags.checkpoint_out, "Write the latest signed checkpoint here");
  log_export->add_option("--key-out", export_flags.key_out, "Write the verifier key here");
  offline_kms.Register(*log_export);

  std::string list_data = "./data";
  CLI::App* log_list = log->add_subcommand("list", "List the logs of a data directory (offline: server stopped)");
  log_list->add_option("--data", list_data, "Data directory")->capture_default_str();
  offline_kms.Register(*log_list);

  LogTailFlags tail_flags;
  CLI::App* tail = log->add_subcommand(
      "tail", "Follow your log over the API, verifying each checkpoint; print each new entry as a JSON line");
  tail->add_option("--endpoint", tail_flags.endpoint, "Server endpoint URL")
      ->envname("CONFIANCE_ENDPOINT")
      ->capture_default_str();
  tail->add_option("--ca-bundle", tail_flags.ca_bundle, "PEM file of the CAs to trust for an https:// endpoint (default: the system's)")
      ->envname("CONFIANCE_CA_BUNDLE");
  tail->add_option("--access-key", tail_flags.access_key, "Your access key id")->envname("CONFIANCE_ACCESS_KEY");
  tail->add_option("--secret-key", tail_flags.secret_key, "Your secret key")->envname("CONFIANCE_SECRET_KEY");
  tail->add_option("--region", tail_flags.region, "Region the server serves (signature scope)")->capture_default_str();
  tail->add_option("--key", tail_flags.key, "Pinned verifier key NAME+HASH+KEY");
  tail->add_option("--key-file", tail_flags.key_file, "File holding the pinned verifier key");
  tail->add_option("--from", tail_flags.from, "Index of the first entry to print")->capture_default_str();
  tail->add_flag("--once", tail_flags.once, "Print what the latest checkpoint covers and exit (export as JSON lines)");
  tail->add_option("--interval", tail_flags.interval_s, "Seconds between polls")
      ->capture_default_str()->check(CLI::Range(0.05, 3600.0));
  tail->add_option("--checkpoint-out", tail_flags.checkpoint_out, "Write each verified checkpoint to this file");
  tail->add_option("--witness-key", tail_flags.witness_keys,
                   "Require a valid cosignature by this witness (cosignature/v1 verifier key) on every checkpoint "
                   "(repeatable)");
  tail->add_option("--witness-quorum", tail_flags.witness_quorum,
                   "How many of the pinned witnesses must have cosigned each checkpoint (default: all)");

  WitnessFlags witness_flags;
  CLI::App* witness = app.add_subcommand("witness", "Run a minimal C2SP tlog-witness (POST /add-checkpoint)");
  witness->add_option("--listen", witness_flags.listen, "HOST:PORT to listen on")->capture_default_str();
  witness->add_option("--key-file", witness_flags.key_file, "The witness's private key (made if missing)")->required();
  witness->add_option("--name", witness_flags.name, "Name of a new witness key, e.g. witness.example/w1");
  witness->add_option("--state", witness_flags.state, "Directory of the latest cosigned size per log")->required();
  witness->add_option("--log", witness_flags.logs, "Verifier key of a log server (repeatable)")->required();
  AddTlsOptions(*witness, witness_flags.tls, "serve HTTPS instead of HTTP (with --tls-key)");

  // `server --config FILE`: the file's options become arguments first.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "server") {
    Result<std::vector<std::string>> expanded =
        ExpandConfigFile(std::vector<std::string>(args.begin() + 1, args.end()), [&](std::string_view name) {
          return server->get_option_no_throw("--" + std::string(name)) != nullptr;
        });
    if (!expanded.ok()) {
      std::cerr << "confiance server: " << expanded.status().message() << "\n";
      return 2;
    }
    args.resize(1);
    args.insert(args.end(), expanded->begin(), expanded->end());
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last argument first
  app.name(argc > 0 ? argv[0] : "confiance");  // for the usage lines, as parse(argc, argv) would
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse error is a usage
    // error (2), whatever CLI11's own code for it.
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (server->parsed()) return RunServer(flags);
  if (admin_cli.parsed()) return admin_cli.Run();
  if (generate_credentials->parsed()) {
    if (Status s = WriteCredentialsFile(*Env::Default(), credentials_path); !s.ok()) {
      std::fprintf(stderr, "generate-credentials: %s\n", s.message().c_str());
      return 1;
    }
    std::printf("wrote %s (mode 0600): root credentials of tenant 'default' and of operator 'operator'; the server "
                "takes them from its environment (docs/operations.md)\n",
                credentials_path.c_str());
    return 0;
  }
  if (create_key->parsed() || list_keys->parsed() || scrub->parsed() || shred_check->parsed() || log_export->parsed() ||
      log_list->parsed() || verify_backup->parsed() || encrypt_metadata->parsed() || move_metadata->parsed()) {
    std::optional<KmsOptions> kms = OfflineKms(offline_kms);
    if (!kms) return 2;
    if (move_metadata->parsed()) {
      if (move_to_rados.empty() == !move_to_local) {
        std::fprintf(stderr, "move-metadata: give --to-rados FILE or --to-local\n");
        return 2;
      }
      return RunMoveMetadata(move_data, move_to_rados, move_new_key, *kms);
    }
    if (encrypt_metadata->parsed()) return RunEncryptMetadata(encrypt_data, encrypt_new_key, *kms);
    if (verify_backup->parsed()) return RunBackupVerify(verify_path, *kms, verify_keys_of);
    if (create_key->parsed()) return CreateAccessKey(admin_data, tenant, user, *kms);
    if (list_keys->parsed()) return ListAccessKeys(admin_data, *kms);
    if (scrub->parsed()) return RunScrub(admin_data, *kms, scrub_pools);
    if (shred_check->parsed()) return RunShredCheck(shred_check_flags, *kms);
    if (log_export->parsed()) return RunLogExport(export_flags, *kms);
    return RunLogList(list_data, *kms);
  }
  if (verify->parsed()) return RunLogVerify(verify_flags);
  if (verify_receipt->parsed()) return RunReceiptVerify(receipt_flags);
  if (tail->parsed()) return RunLogTail(tail_flags);
  if (witness->parsed()) return RunWitness(witness_flags);
  return 2;
}
