// File: admin/admin_json.cc
#include "admin/admin_json.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <set>
#include <utility>

#include "common/iso8601.h"
#include "iam/acl/bucket_controls.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

// Typed, exception-free access to the fields of one JSON object, which
// remembers the fields read so that Finish() can reject the others.
class Fields {
 public:
  // `what` names the object in messages ("request body", "quotas").
  Fields(json object, std::string what) : object_(std::move(object)), what_(std::move(what)) {}

  // An empty body counts as {} when `empty_is_object`.
  static Result<Fields> Parse(std::string_view body, bool empty_is_object) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos && empty_is_object) {
      return Fields(json::object(), "request body");
    }
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return InvalidArgumentError("the request body is not valid JSON");
    if (!doc.is_object()) return InvalidArgumentError("the request body must be a JSON object");
    return Fields(std::move(doc), "request body");
  }

  Result<std::optional<std::string>> String(const std::string& name) {
    const json* v = Find(name);
    if (!v) return std::optional<std::string>();
    if (!v->is_string()) return InvalidArgumentError(Describe(name) + " must be a string");
    return std::optional<std::string>(v->get<std::string>());
  }

  Result<std::optional<uint64_t>> Unsigned(const std::string& name) {
    const json* v = Find(name);
    if (!v) return std::optional<uint64_t>();
    if (!v->is_number_unsigned()) return InvalidArgumentError(Describe(name) + " must be an integer >= 0");
    return std::optional<uint64_t>(v->get<uint64_t>());
  }

  Result<std::optional<bool>> Bool(const std::string& name) {
    const json* v = Find(name);
    if (!v) return std::optional<bool>();
    if (!v->is_boolean()) return InvalidArgumentError(Describe(name) + " must be true or false");
    return std::optional<bool>(v->get<bool>());
  }

  // The named member as Fields, if present and an object.
  Result<std::optional<Fields>> Object(const std::string& name) {
    const json* v = Find(name);
    if (!v) return std::optional<Fields>();
    if (!v->is_object()) return InvalidArgumentError(Describe(name) + " must be a JSON object");
    return std::optional<Fields>(Fields(*v, name));
  }

  // InvalidArgument naming the first field that was never read.
  Status Finish() const {
    for (const auto& [name, value] : object_.items()) {
      if (!read_.contains(name)) return InvalidArgumentError("unknown field \"" + name + "\" in " + what_);
    }
    return OkStatus();
  }

 private:
  const json* Find(const std::string& name) {
    read_.insert(name);
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string Describe(const std::string& name) const { return "\"" + name + "\" in " + what_; }

  json object_;
  std::string what_;
  std::set<std::string> read_;
};

Result<std::string> Required(Result<std::optional<std::string>> field, std::string_view name) {
  if (!field.ok()) return field.status();
  if (!*field || (*field)->empty()) return InvalidArgumentError("\"" + std::string(name) + "\" is required");
  return **field;
}

// access_key and secret_key: both or neither.
Result<std::optional<iam::NewAccessKey>> GivenKey(Fields& f) {
  ASSIGN_OR_RETURN(std::optional<std::string> ak, f.String("access_key"));
  ASSIGN_OR_RETURN(std::optional<std::string> sk, f.String("secret_key"));
  if (ak.has_value() != sk.has_value()) {
    return InvalidArgumentError("give both \"access_key\" and \"secret_key\", or neither");
  }
  if (!ak) return std::optional<iam::NewAccessKey>();
  return std::optional<iam::NewAccessKey>(iam::NewAccessKey{*ak, *sk});
}

Result<QuotaPatch> ParseQuotas(Fields& f) {
  QuotaPatch q;
  ASSIGN_OR_RETURN(std::optional<Fields> sub, f.Object("quotas"));
  if (!sub) return q;
  ASSIGN_OR_RETURN(q.max_bytes, sub->Unsigned("max_bytes"));
  ASSIGN_OR_RETURN(q.max_objects, sub->Unsigned("max_objects"));
  ASSIGN_OR_RETURN(q.max_buckets, sub->Unsigned("max_buckets"));
  RETURN_IF_ERROR(sub->Finish());
  return q;
}

Result<RateLimitPatch> ParseRateLimits(Fields& f) {
  RateLimitPatch r;
  ASSIGN_OR_RETURN(std::optional<Fields> sub, f.Object("rate_limits"));
  if (!sub) return r;
  ASSIGN_OR_RETURN(r.read_ops, sub->Unsigned("read_ops_per_second"));
  ASSIGN_OR_RETURN(r.write_ops, sub->Unsigned("write_ops_per_second"));
  ASSIGN_OR_RETURN(r.read_bytes, sub->Unsigned("read_bytes_per_second"));
  ASSIGN_OR_RETURN(r.write_bytes, sub->Unsigned("write_bytes_per_second"));
  RETURN_IF_ERROR(sub->Finish());
  return r;
}

std::string KeyStatus(bool active) { return active ? "Active" : "Inactive"; }

}  // namespace

Result<CreateTenantRequest> ParseCreateTenant(std::string_view body) {
  ASSIGN_OR_RETURN(Fields f, Fields::Parse(body, false));
  CreateTenantRequest r;
  ASSIGN_OR_RETURN(r.id, Required(f.String("id"), "id"));
  ASSIGN_OR_RETURN(std::optional<std::string> name, f.String("display_name"));
  r.display_name = name.value_or("");
  ASSIGN_OR_RETURN(r.quotas, ParseQuotas(f));
  ASSIGN_OR_RETURN(r.rate_limits, ParseRateLimits(f));
  ASSIGN_OR_RETURN(r.root_key, GivenKey(f));
  RETURN_IF_ERROR(f.Finish());
  return r;
}

Result<UpdateTenantRequest> ParseUpdateTenant(std::string_view body) {
  ASSIGN_OR_RETURN(Fields f, Fields::Parse(body, false));
  UpdateTenantRequest r;
  ASSIGN_OR_RETURN(r.display_name, f.String("display_name"));
  if (r.display_name && r.display_name->empty()) return InvalidArgumentError("\"display_name\" cannot be empty");
  ASSIGN_OR_RETURN(std::optional<std::string> status, f.String("status"));
  if (status) {
    if (*status != "active" && *status != "suspended") {
      return InvalidArgumentError("\"status\" must be \"active\" or \"suspended\"");
    }
    r.active = *status == "active";
  }
  ASSIGN_OR_RETURN(r.quotas, ParseQuotas(f));
  ASSIGN_OR_RETURN(r.rate_limits, ParseRateLimits(f));
  // Tenant-wide Block Public Access: the four S3 settings (absent = false).
  ASSIGN_OR_RETURN(std::optional<Fields> pab, f.Object("public_access_block"));
  if (pab) {
    iam::acl::PublicAccessBlock block;
    for (auto [name, field] : {std::pair{"block_public_acls", &block.block_public_acls},
                               std::pair{"ignore_public_acls", &block.ignore_public_acls},
                               std::pair{"block_public_policy", &block.block_public_policy},
                               std::pair{"restrict_public_buckets", &block.restrict_public_buckets}}) {
      ASSIGN_OR_RETURN(std::optional<bool> on, pab->Bool(name));
      *field = on.value_or(false);
    }
    RETURN_IF_ERROR(pab->Finish());
    r.public_access_block = iam::acl::EncodePublicAccessBlock(block);
  }
  RETURN_IF_ERROR(f.Finish());
  return r;
}

Result<CreateUserRequest> ParseCreateUser(std::string_view body) {
  ASSIGN_OR_RETURN(Fields f, Fields::Parse(body, false));
  CreateUserRequest r;
  ASSIGN_OR_RETURN(r.name, Required(f.String("name"), "name"));
  ASSIGN_OR_RETURN(r.key, GivenKey(f));
  RETURN_IF_ERROR(f.Finish());
  return r;
}

Result<CreateKeyRequest> ParseCreateKey(std::string_view body) {
  ASSIGN_OR_RETURN(Fields f, Fields::Parse(body, true));
  CreateKeyRequest r;
  ASSIGN_OR_RETURN(r.key, GivenKey(f));
  RETURN_IF_ERROR(f.Finish());
  return r;
}

Result<UpdateKeyRequest> ParseUpdateKey(std::string_view body) {
  ASSIGN_OR_RETURN(Fields f, Fields::Parse(body, false));
  ASSIGN_OR_RETURN(std::string status, Required(f.String("status"), "status"));
  if (status != "Active" && status != "Inactive") {
    return InvalidArgumentError("\"status\" must be \"Active\" or \"Inactive\"");
  }
  RETURN_IF_ERROR(f.Finish());
  return UpdateKeyRequest{status == "Active"};
}

Result<QuotaPatch> ParseBucketQuotaPatch(std::string_view body) {
  ASSIGN_OR_RETURN(Fields f, Fields::Parse(body, false));
  QuotaPatch q;
  ASSIGN_OR_RETURN(q.max_bytes, f.Unsigned("max_bytes"));
  ASSIGN_OR_RETURN(q.max_objects, f.Unsigned("max_objects"));
  RETURN_IF_ERROR(f.Finish());
  if (!q.max_bytes && !q.max_objects) return InvalidArgumentError("give \"max_bytes\", \"max_objects\" or both");
  return q;
}

void ApplyQuotaPatch(const QuotaPatch& patch, iam::Quotas* quotas) {
  if (patch.max_bytes) quotas->max_bytes = *patch.max_bytes;
  if (patch.max_objects) quotas->max_objects = *patch.max_objects;
  if (patch.max_buckets) quotas->max_buckets = *patch.max_buckets;
}

void ApplyRateLimitPatch(const RateLimitPatch& patch, iam::RateLimits* limits) {
  if (patch.read_ops) limits->read_ops = *patch.read_ops;
  if (patch.write_ops) limits->write_ops = *patch.write_ops;
  if (patch.read_bytes) limits->read_bytes = *patch.read_bytes;
  if (patch.write_bytes) limits->write_bytes = *patch.write_bytes;
}

std::string IsoTime(uint64_t ms) { return FormatUtcMs(static_cast<int64_t>(ms)); }

json BucketQuotaJson(const catalog::BucketQuota& quota) {
  return {{"max_bytes", quota.max_bytes}, {"max_objects", quota.max_objects}};
}

namespace {

json RateLimitsJson(const iam::RateLimits& r) {
  return {{"read_ops_per_second", r.read_ops},
          {"write_ops_per_second", r.write_ops},
          {"read_bytes_per_second", r.read_bytes},
          {"write_bytes_per_second", r.write_bytes}};
}

}  // namespace

json TenantJson(const iam::TenantRecord& t, const TenantServerSettings& server) {
  const iam::acl::PublicAccessBlock block = iam::acl::DecodePublicAccessBlock(t.public_access_block);
  json doc = {{"id", t.id},
              {"display_name", t.display_name},
              {"canonical_id", t.canonical_id},
              {"status", t.active ? "active" : "suspended"},
              {"quotas",
               {{"max_bytes", t.quotas.max_bytes},
                {"max_objects", t.quotas.max_objects},
                {"max_buckets", t.quotas.max_buckets}}},
              {"rate_limits", RateLimitsJson(t.rate_limits)},
              {"public_access_block",
               {{"block_public_acls", block.block_public_acls},
                {"ignore_public_acls", block.ignore_public_acls},
                {"block_public_policy", block.block_public_policy},
                {"restrict_public_buckets", block.restrict_public_buckets}}},
              {"created", IsoTime(t.created_ms)}};
  // With server defaults (confiance server --default-read-ops ...): what
  // the tenant is held to, its own limits with the defaults where it has none.
  if (server.default_rate_limits.any()) {
    doc["rate_limits_in_effect"] = RateLimitsJson(t.rate_limits.OrDefaults(server.default_rate_limits));
  }
  json destinations = json::array();
  for (const ReplicationDestinationInfo& d : server.replication_destinations) {
    if (d.destination.tenant != t.id) continue;
    destinations.push_back({{"arn", s3::ReplicationTargetArn(d.destination.tenant, d.destination.name)},
                            {"jurisdiction", d.destination.jurisdiction},
                            {"endpoint", d.endpoint},
                            {"bucket", d.bucket}});
  }
  if (!destinations.empty()) doc["replication_destinations"] = std::move(destinations);
  return doc;
}

json AccessKeyJson(const iam::Principal& key) {
  return {{"access_key", key.access_key_id},
          {"tenant", key.tenant_id},
          {"user", key.user},
          {"status", KeyStatus(key.active)}};
}

json UserJson(const iam::UserRecord& user, const std::vector<iam::Principal>& keys) {
  json policies = json::array();
  for (const auto& [name, doc] : user.policies) policies.push_back(name);
  json key_docs = json::array();
  for (const iam::Principal& k : keys) key_docs.push_back(AccessKeyJson(k));
  return {{"tenant", user.tenant_id},
          {"name", user.name},
          {"arn", iam::UserArn(user.tenant_id, user.name)},
          {"created", IsoTime(user.created_ms)},
          {"policies", policies},
          {"access_keys", key_docs}};
}

json NewAccessKeyJson(std::string_view tenant, std::string_view user, const iam::NewAccessKey& key) {
  return {{"access_key", key.access_key_id},
          {"secret_key", key.secret},
          {"tenant", tenant},
          {"user", user},
          {"status", KeyStatus(true)}};
}

json WhoAmIJson(const iam::Principal& caller) {
  if (caller.kind == iam::PrincipalKind::kOperator) {
    return {{"kind", "operator"}, {"name", caller.user}, {"access_key", caller.access_key_id}};
  }
  return {{"kind", "tenant"},
          {"tenant", caller.tenant_id},
          {"user", caller.user},
          {"arn", iam::UserArn(caller.tenant_id, caller.user)},
          {"access_key", caller.access_key_id}};
}

json OperatorJson(const iam::OperatorRecord& op) {
  return {{"name", op.name}, {"created", IsoTime(op.created_ms)}};
}

void AddSignedReceipt(nlohmann::json& reply, const DeletionReceipt& receipt,
                      const audit::tlog::NoteSigner& signer) {
  Result<std::string> signed_receipt = SignDeletionReceipt(receipt, signer);
  if (signed_receipt.ok()) {
    reply["receipt"] = *signed_receipt;
  } else {
    reply["receipt_error"] = signed_receipt.status().ToString();
  }
}

}  // namespace confiance::admin
