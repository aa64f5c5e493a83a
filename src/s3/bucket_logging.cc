// File: s3/bucket_logging.cc
#include "s3/bucket_logging.h"

#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/iso8601.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "iam/directory.h"
#include "s3/sigv4/canonical.h"

namespace confiance::s3 {
namespace {

using json = nlohmann::json;

// S3's names of the operations Confiance logs under their API names.
constexpr std::pair<std::string_view, std::string_view> kOperations[] = {
    {"ListBuckets", "REST.GET.SERVICE"},
    {"CreateBucket", "REST.PUT.BUCKET"},
    {"HeadBucket", "REST.HEAD.BUCKET"},
    {"DeleteBucket", "REST.DELETE.BUCKET"},
    {"GetBucketLocation", "REST.GET.LOCATION"},
    {"ListObjects", "REST.GET.BUCKET"},
    {"ListObjectsV2", "REST.GET.BUCKET"},
    {"ListMultipartUploads", "REST.GET.UPLOADS"},
    {"GetBucketVersioning", "REST.GET.VERSIONING"},
    {"PutBucketVersioning", "REST.PUT.VERSIONING"},
    {"ListObjectVersions", "REST.GET.BUCKETVERSIONS"},
    {"DeleteObjects", "REST.POST.MULTI_OBJECT_DELETE"},
    {"PostObject", "REST.POST.OBJECT"},
    {"PutObject", "REST.PUT.OBJECT"},
    {"CopyObject", "REST.COPY.OBJECT"},
    {"GetObject", "REST.GET.OBJECT"},
    {"HeadObject", "REST.HEAD.OBJECT"},
    {"DeleteObject", "REST.DELETE.OBJECT"},
    {"CreateMultipartUpload", "REST.POST.UPLOADS"},
    {"UploadPart", "REST.PUT.PART"},
    {"UploadPartCopy", "REST.COPY.PART"},
    {"CompleteMultipartUpload", "REST.POST.UPLOAD"},
    {"AbortMultipartUpload", "REST.DELETE.UPLOAD"},
    {"ListParts", "REST.GET.UPLOAD"},
    {"GetObjectTagging", "REST.GET.OBJECT_TAGGING"},
    {"PutObjectTagging", "REST.PUT.OBJECT_TAGGING"},
    {"DeleteObjectTagging", "REST.DELETE.OBJECT_TAGGING"},
    {"GetBucketTagging", "REST.GET.TAGGING"},
    {"PutBucketTagging", "REST.PUT.TAGGING"},
    {"DeleteBucketTagging", "REST.DELETE.TAGGING"},
    {"GetBucketCors", "REST.GET.CORS"},
    {"PutBucketCors", "REST.PUT.CORS"},
    {"DeleteBucketCors", "REST.DELETE.CORS"},
    {"PreflightCors", "REST.OPTIONS.PREFLIGHT"},
    {"GetBucketPolicy", "REST.GET.BUCKETPOLICY"},
    {"PutBucketPolicy", "REST.PUT.BUCKETPOLICY"},
    {"DeleteBucketPolicy", "REST.DELETE.BUCKETPOLICY"},
    {"GetBucketPolicyStatus", "REST.GET.POLICY_STATUS"},
    {"GetBucketAcl", "REST.GET.ACL"},
    {"PutBucketAcl", "REST.PUT.ACL"},
    {"GetObjectAcl", "REST.GET.ACL"},
    {"PutObjectAcl", "REST.PUT.ACL"},
    {"GetObjectAttributes", "REST.GET.OBJECT_ATTRIBUTES"},
    {"GetPublicAccessBlock", "REST.GET.PUBLIC_ACCESS_BLOCK"},
    {"PutPublicAccessBlock", "REST.PUT.PUBLIC_ACCESS_BLOCK"},
    {"DeletePublicAccessBlock", "REST.DELETE.PUBLIC_ACCESS_BLOCK"},
    {"GetBucketOwnershipControls", "REST.GET.OWNERSHIP_CONTROLS"},
    {"PutBucketOwnershipControls", "REST.PUT.OWNERSHIP_CONTROLS"},
    {"DeleteBucketOwnershipControls", "REST.DELETE.OWNERSHIP_CONTROLS"},
    {"GetBucketEncryption", "REST.GET.ENCRYPTION"},
    {"PutBucketEncryption", "REST.PUT.ENCRYPTION"},
    {"DeleteBucketEncryption", "REST.DELETE.ENCRYPTION"},
    {"GetBucketNotificationConfiguration", "REST.GET.NOTIFICATION"},
    {"PutBucketNotificationConfiguration", "REST.PUT.NOTIFICATION"},
    {"GetBucketLifecycleConfiguration", "REST.GET.LIFECYCLE"},
    {"PutBucketLifecycleConfiguration", "REST.PUT.LIFECYCLE"},
    {"DeleteBucketLifecycle", "REST.DELETE.LIFECYCLE"},
    {"GetObjectLockConfiguration", "REST.GET.OBJECT_LOCK_CONFIGURATION"},
    {"PutObjectLockConfiguration", "REST.PUT.OBJECT_LOCK_CONFIGURATION"},
    {"GetObjectRetention", "REST.GET.RETENTION"},
    {"PutObjectRetention", "REST.PUT.RETENTION"},
    {"GetObjectLegalHold", "REST.GET.LEGAL_HOLD"},
    {"PutObjectLegalHold", "REST.PUT.LEGAL_HOLD"},
    {"GetBucketLogging", "REST.GET.LOGGING_STATUS"},
    {"PutBucketLogging", "REST.PUT.LOGGING_STATUS"},
    {"GetBucketReplication", "REST.GET.REPLICATION"},
    {"PutBucketReplication", "REST.PUT.REPLICATION"},
    {"DeleteBucketReplication", "REST.DELETE.REPLICATION"},
    {"LifecycleExpiration", "S3.EXPIRE.OBJECT"},
    {"LifecycleTransition", "S3.TRANSITION.OBJECT"},
};

// Operations whose `bytes` are a body received (the object's size), not
// sent.
bool ReceivesBody(std::string_view op) { return op == "PutObject" || op == "UploadPart" || op == "PostObject"; }

// A field's text, or "-" for an empty one, as S3 writes what it does not
// have. (No field Confiance fills holds a space or a quote: keys are
// URL-encoded, the rest are names, numbers and codes.)
std::string_view Dash(std::string_view v) { return v.empty() ? std::string_view("-") : v; }

// Who asked, as S3 names it: an IAM ARN for a tenant's principal; the
// operator's and the server's own principals by kind and name.
std::string RequesterField(const audit::Principal& p) {
  if (p.type == "user") return iam::UserArn(p.tenant, p.user);
  if (p.type == "service") return p.user;
  if ((p.type == "operator" || p.type == "system") && !p.user.empty()) return p.type + ":" + p.user;
  return "-";
}

// "[06/Feb/2019:00:00:38 +0000]" from milliseconds since the epoch.
std::string BracketTime(uint64_t ms) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string iso = FormatUtcMs(static_cast<int64_t>(ms));  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (iso.size() != 24) return "[" + iso + "]";  // a year outside 0-9999: never logged
  const int month = (iso[5] - '0') * 10 + (iso[6] - '0');
  std::string out = "[";
  out.append(iso, 8, 2).append("/").append(kMonths[month - 1]).append("/").append(iso, 0, 4);
  out.append(":").append(iso, 11, 8).append(" +0000]");
  return out;
}

}  // namespace

ServicePrincipal LogDeliveryFor(const catalog::BucketRecord& source) {
  return {std::string(kLogDeliveryService), "arn:aws:s3:::" + source.name, source.owner};
}

std::string EncodeBucketLogging(const BucketLogging& logging) {
  json j;
  j["b"] = logging.target.target_bucket;
  j["p"] = logging.target.target_prefix;
  if (logging.target.partitioned) j["d"] = logging.target.partition_date_source;
  j["since"] = logging.since_index;
  if (logging.until_index) j["until"] = *logging.until_index;
  return j.dump();
}

Result<BucketLogging> DecodeBucketLogging(std::string_view encoded) {
  json j = json::parse(encoded, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("b") || !j["b"].is_string() || !j.contains("p") || !j["p"].is_string() ||
      !j.contains("since") || !j["since"].is_number_unsigned() || (j.contains("d") && !j["d"].is_string()) ||
      (j.contains("until") && !j["until"].is_number_unsigned())) {
    return DataLossError("unreadable bucket logging configuration");
  }
  BucketLogging out;
  out.target.target_bucket = j["b"].get<std::string>();
  out.target.target_prefix = j["p"].get<std::string>();
  if (j.contains("d")) {
    out.target.partitioned = true;
    out.target.partition_date_source = j["d"].get<std::string>();
  }
  out.since_index = j["since"].get<uint64_t>();
  if (j.contains("until")) out.until_index = j["until"].get<uint64_t>();
  return out;
}

bool HasAccessLogRecord(const audit::Event& e, std::string_view bucket) {
  if (e.kind != audit::EventKind::kData || e.bucket != bucket) return false;
  return !(e.principal.type == "service" && e.principal.user == kLogDeliveryService);
}

std::string AccessLogOperation(const audit::Event& e) {
  // A DeleteObjects request's per-key entries (docs/audit-log.md).
  if (e.operation == "DeleteObjects" && !e.key.empty()) return "BATCH.DELETE.OBJECT";
  if (e.operation == "LifecycleAbortMultipartUpload") return "S3.DELETE.UPLOAD";
  for (const auto& [name, s3_name] : kOperations) {
    if (name == e.operation) return std::string(s3_name);
  }
  std::string out = "CONFIANCE.";
  for (char c : e.operation) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string AccessLogRecord(const audit::Event& e, std::string_view owner_id) {
  const bool received = ReceivesBody(e.operation);
  const std::string bytes = e.bytes ? std::to_string(*e.bytes) : std::string("-");
  std::string line;
  line.reserve(256 + e.key.size() * 3);
  auto field = [&line](std::string_view v) {
    if (!line.empty()) line += ' ';
    line += Dash(v);
  };
  field(owner_id);
  field(e.bucket);
  field(BracketTime(e.time_ms));
  field(e.source);
  field(RequesterField(e.principal));
  field(e.request_id);
  field(AccessLogOperation(e));
  field(e.key.empty() ? std::string() : sigv4::UriEncode(e.key, /*keep_slash=*/true));
  field("\"-\"");  // Request-URI: not recorded
  field(std::to_string(e.status));
  field(e.error);
  field(received ? "-" : bytes);  // Bytes Sent
  field(received ? bytes : "-");  // Object Size
  field("-");                     // Total Time
  field("-");                     // Turn-Around Time
  field("\"-\"");                 // Referer
  field("\"-\"");                 // User-Agent
  field(e.version_id);
  // Host Id, Signature Version, Cipher Suite, Authentication Type, Host
  // Header, TLS version, Access Point ARN, aclRequired: not recorded.
  for (int i = 0; i < 8; ++i) field("-");
  return line;
}

std::string AccessLogObjectKey(const xml::LoggingEnabled& target, std::string_view source_owner,
                               std::string_view source_region, std::string_view source_bucket, uint64_t first_ms,
                               std::string_view unique_seed) {
  const std::string iso = FormatUtcMs(static_cast<int64_t>(first_ms));  // YYYY-MM-DDTHH:MM:SS.mmmZ
  std::string stamp = iso.substr(0, 10) + "-" + iso.substr(11, 2) + "-" + iso.substr(14, 2) + "-" + iso.substr(17, 2);
  crypto::Sha256 h;
  h.Update(unique_seed);
  const auto digest = h.Finish();
  std::string unique = crypto::HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), 8));
  for (char& c : unique) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string key = target.target_prefix;
  if (target.partitioned) {
    key.append(source_owner).append("/").append(source_region).append("/").append(source_bucket).append("/");
    key.append(iso, 0, 4).append("/").append(iso, 5, 2).append("/").append(iso, 8, 2).append("/");
  }
  return key + stamp + "-" + unique;
}

}  // namespace confiance::s3
