// File: admin/admin_json.h
// The admin API's JSON documents: request bodies parsed into typed
// requests, and IAM records rendered as responses. Pure: no I/O. Parsing
// never throws (nlohmann-json with allow_exceptions=false and checked
// types); unknown fields are rejected, so that a typo ("max_byte") is an
// error instead of a silent no-op. docs/admin-api.md shows every document.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/deletion_receipt.h"
#include "catalog/records.h"
#include "common/status.h"
#include "iam/credentials.h"
#include "iam/directory.h"
#include "s3/replication_config.h"

namespace confiance::admin {

// A quota change: each field present replaces that quota (0 = unlimited).
struct QuotaPatch {
  std::optional<uint64_t> max_bytes;
  std::optional<uint64_t> max_objects;
  std::optional<uint64_t> max_buckets;
};

// A rate-limit change (JSON "rate_limits": {"read_ops_per_second", ...}):
// each field present replaces that limit (0 = unlimited).
struct RateLimitPatch {
  std::optional<uint64_t> read_ops;
  std::optional<uint64_t> write_ops;
  std::optional<uint64_t> read_bytes;
  std::optional<uint64_t> write_bytes;
};

// POST /tenants {id, display_name?, quotas?, rate_limits?, access_key?, secret_key?}
struct CreateTenantRequest {
  std::string id;
  std::string display_name;
  QuotaPatch quotas;
  RateLimitPatch rate_limits;
  std::optional<iam::NewAccessKey> root_key;  // both or neither given
};

// PATCH /tenants/{id} {display_name?, status?, quotas?, rate_limits?, public_access_block?}
struct UpdateTenantRequest {
  std::optional<std::string> display_name;
  std::optional<bool> active;  // "active" | "suspended"
  QuotaPatch quotas;
  RateLimitPatch rate_limits;
  // Tenant-wide Block Public Access bit mask (as BucketRecord's), if given.
  std::optional<int32_t> public_access_block;
};

// POST /tenants/{id}/users {name, access_key?, secret_key?}
struct CreateUserRequest {
  std::string name;
  std::optional<iam::NewAccessKey> key;
};

// POST .../keys {access_key?, secret_key?} (an empty body is {}).
struct CreateKeyRequest {
  std::optional<iam::NewAccessKey> key;
};

// PATCH .../keys/{ak} {status: "Active" | "Inactive"}
struct UpdateKeyRequest {
  bool active = true;
};

// Each parser: InvalidArgument with a message for the client when the body
// is not a JSON object, a field has the wrong type or value, a required
// field is missing, a field is unknown, or only one of access_key and
// secret_key is given.
Result<CreateTenantRequest> ParseCreateTenant(std::string_view body);
Result<UpdateTenantRequest> ParseUpdateTenant(std::string_view body);
Result<CreateUserRequest> ParseCreateUser(std::string_view body);
Result<CreateKeyRequest> ParseCreateKey(std::string_view body);
Result<UpdateKeyRequest> ParseUpdateKey(std::string_view body);
// PATCH /tenants/{id}/buckets/{b}/quota {max_bytes?, max_objects?}: a
// QuotaPatch without max_buckets.
Result<QuotaPatch> ParseBucketQuotaPatch(std::string_view body);

// Applies the fields present in `patch` to `quotas`.
void ApplyQuotaPatch(const QuotaPatch& patch, iam::Quotas* quotas);
// Applies the fields present in `patch` to `limits`.
void ApplyRateLimitPatch(const RateLimitPatch& patch, iam::RateLimits* limits);

// Milliseconds since the epoch as ISO 8601 UTC, "2024-05-01T12:00:00.123Z".
std::string IsoTime(uint64_t ms);

// A bucket replication destination the operator declared for a tenant
// (confiance server --replication-targets, docs/replication.md): what the
// tenant needs to name it and to know where its copies would go.
struct ReplicationDestinationInfo {
  s3::ReplicationDestination destination;  // whose, its name (so its ARN), its jurisdiction
  std::string endpoint;                    // "https://host:port"
  std::string bucket;
};

// What the server's own settings say of every tenant.
struct TenantServerSettings {
  // The server's default rate limits (S3Options); when any is set, a
  // tenant's document also has "rate_limits_in_effect".
  iam::RateLimits default_rate_limits;
  // Each tenant's document lists its own as "replication_destinations".
  std::vector<ReplicationDestinationInfo> replication_destinations;
};

// Response documents (docs/admin-api.md).
nlohmann::json TenantJson(const iam::TenantRecord& tenant, const TenantServerSettings& server = {});
// {"max_bytes", "max_objects"} of a bucket's own quota (0: no limit).
nlohmann::json BucketQuotaJson(const catalog::BucketQuota& quota);
// The user with its policy names and its access keys (never secrets).
nlohmann::json UserJson(const iam::UserRecord& user, const std::vector<iam::Principal>& keys);
nlohmann::json AccessKeyJson(const iam::Principal& key);
// A key just created: the only document that carries a secret.
nlohmann::json NewAccessKeyJson(std::string_view tenant, std::string_view user, const iam::NewAccessKey& key);
nlohmann::json WhoAmIJson(const iam::Principal& caller);
nlohmann::json OperatorJson(const iam::OperatorRecord& op);

// Adds the signed deletion receipt to a shred's reply as "receipt", or,
// if it could not be signed, why as "receipt_error": the key is destroyed
// whatever happens here, so the request does not fail for it.
void AddSignedReceipt(nlohmann::json& reply, const DeletionReceipt& receipt,
                      const audit::tlog::NoteSigner& signer);

}  // namespace confiance::admin
