// File: s3/inventory.cc
#include "s3/inventory.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "catalog/object_lock.h"
#include "catalog/version_id.h"
#include "common/iso8601.h"
#include "crypto/encoding.h"
#include "iam/acl/acl_format.h"
#include "iam/acl/canned_acl.h"
#include "s3/sigv4/canonical.h"

namespace confiance::s3 {
namespace {

using json = nlohmann::json;

bool AllVersions(const xml::InventoryConfiguration& config) { return config.included_versions == "All"; }

std::string EncryptionStatus(const catalog::ObjectRecord& r) {
  if (r.sse_c()) return "SSE-C";
  if (!r.kms.key_id.empty()) return "SSE-KMS";
  return "SSE-S3";  // every object is encrypted at rest (docs/encryption.md)
}

std::string FieldValue(std::string_view field, const catalog::ObjectRecord& r, const iam::acl::CanonicalUser& owner) {
  const bool marker = r.delete_marker;
  if (field == "Size") return marker ? "" : std::to_string(r.size);
  if (field == "LastModifiedDate") return FormatUtcMs(static_cast<int64_t>(r.modified_ms));
  if (field == "ETag") return marker ? "" : r.etag;
  if (field == "StorageClass") return marker ? "" : std::string(catalog::StorageClassOf(r));
  if (field == "IsMultipartUploaded") return marker ? "" : (r.parts_count > 0 ? "true" : "false");
  if (field == "ReplicationStatus") return std::string(catalog::ReplicationStatusName(r.replication_status));
  if (field == "EncryptionStatus") return marker ? "" : EncryptionStatus(r);
  if (field == "ObjectLockRetainUntilDate") {
    return r.lock_mode == catalog::LockMode::kNone ? "" : FormatUtcMs(static_cast<int64_t>(r.lock_until_ms));
  }
  if (field == "ObjectLockMode") return std::string(catalog::LockModeName(r.lock_mode));
  if (field == "ObjectLockLegalHoldStatus") return marker ? "" : (r.legal_hold ? "ON" : "OFF");
  if (field == "BucketKeyStatus") {
    return r.kms.empty() ? "" : (r.kms.bucket_key_enabled ? "ENABLED" : "DISABLED");
  }
  if (field == "ChecksumAlgorithm") return r.checksum_algorithm;
  if (field == "ObjectOwner") return owner.id.empty() ? "UNAVAILABLE" : owner.id;
  if (field == "ObjectAccessControlList") return marker ? "" : crypto::Base64Encode(InventoryAclField(r, owner));
  return "";  // IntelligentTieringAccessTier
}

// A CSV field: quoted, inner quotes doubled.
void AppendField(std::string& line, std::string_view value) {
  if (!line.empty()) line.push_back(',');
  line.push_back('"');
  for (char c : value) {
    if (c == '"') line.push_back('"');
    line.push_back(c);
  }
  line.push_back('"');
}

json ConfigJson(const xml::InventoryConfiguration& c) {
  json j = {{"id", c.id},
            {"on", c.enabled},
            {"b", c.destination_bucket},
            {"f", c.format},
            {"v", c.included_versions},
            {"s", c.frequency},
            {"o", c.optional_fields}};
  if (!c.destination_account.empty()) j["a"] = c.destination_account;
  if (!c.destination_prefix.empty()) j["p"] = c.destination_prefix;
  if (!c.encryption.empty()) j["e"] = c.encryption;
  if (!c.kms_key_id.empty()) j["k"] = c.kms_key_id;
  if (c.filter_prefix) j["fp"] = *c.filter_prefix;
  return j;
}

}  // namespace

std::string EncodeInventory(const std::vector<xml::InventoryConfiguration>& configs) {
  if (configs.empty()) return "";
  json all = json::array();
  for (const xml::InventoryConfiguration& c : configs) all.push_back(ConfigJson(c));
  return all.dump();
}

Result<std::vector<xml::InventoryConfiguration>> DecodeInventory(std::string_view encoded) {
  std::vector<xml::InventoryConfiguration> out;
  if (encoded.empty()) return out;
  json all = json::parse(encoded, nullptr, /*allow_exceptions=*/false);
  if (!all.is_array()) return DataLossError("inventory configurations: not a JSON array");
  for (const json& j : all) {
    if (!j.is_object()) return DataLossError("inventory configuration: not a JSON object");
    xml::InventoryConfiguration c;
    c.id = j.value("id", "");
    c.enabled = j.value("on", false);
    c.destination_bucket = j.value("b", "");
    c.destination_account = j.value("a", "");
    c.destination_prefix = j.value("p", "");
    c.format = j.value("f", "CSV");
    c.encryption = j.value("e", "");
    c.kms_key_id = j.value("k", "");
    if (j.contains("fp") && j["fp"].is_string()) c.filter_prefix = j["fp"].get<std::string>();
    c.included_versions = j.value("v", "Current");
    c.frequency = j.value("s", "Daily");
    if (j.contains("o") && j["o"].is_array()) {
      for (const json& f : j["o"]) {
        if (f.is_string()) c.optional_fields.push_back(f.get<std::string>());
      }
    }
    if (c.id.empty() || c.destination_bucket.empty()) {
      return DataLossError("inventory configuration: no id or destination");
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> InventorySchema(const xml::InventoryConfiguration& config) {
  std::vector<std::string> fields = {"Bucket", "Key"};
  if (AllVersions(config)) {
    fields.insert(fields.end(), {"VersionId", "IsLatest", "IsDeleteMarker"});
  }
  for (std::string_view f : xml::kInventoryOptionalFields) {  // S3's column order
    if (std::find(config.optional_fields.begin(), config.optional_fields.end(), f) != config.optional_fields.end()) {
      fields.emplace_back(f);
    }
  }
  return fields;
}

std::string InventoryAclField(const catalog::ObjectRecord& record, const iam::acl::CanonicalUser& owner) {
  // (In S3's order of keys.)
  nlohmann::ordered_json field = {{"version", "2022-11-10"}, {"status", "UNAVAILABLE"}};
  if (owner.id.empty()) return field.dump();
  Result<iam::acl::Acl> acl =
      record.acl.empty() ? Result<iam::acl::Acl>(iam::acl::CannedObjectAcl(iam::acl::CannedAcl::kPrivate, owner, owner))
                         : iam::acl::DecodeAcl(record.acl);
  if (!acl.ok()) return field.dump();
  nlohmann::ordered_json grants = nlohmann::ordered_json::array();
  for (const iam::acl::Grant& g : acl->grants) {
    const std::string permission(iam::acl::PermissionName(g.permission));
    if (g.grantee.type == iam::acl::Grantee::Type::kGroup) {
      grants.push_back(nlohmann::ordered_json{
          {"uri", iam::acl::GroupUri(g.grantee.group)}, {"type", "Group"}, {"permission", permission}});
    } else if (g.grantee.type == iam::acl::Grantee::Type::kCanonicalUser) {
      grants.push_back(nlohmann::ordered_json{
          {"canonicalId", g.grantee.user.id}, {"type", "CanonicalUser"}, {"permission", permission}});
    }  // (e-mail grantees are never stored: iam/acl/acl.h)
  }
  field["status"] = "AVAILABLE";
  field["grants"] = std::move(grants);
  return field.dump();
}

std::string InventoryCsvLine(const xml::InventoryConfiguration& config, std::string_view bucket, std::string_view key,
                             const catalog::ObjectRecord& record, bool is_latest,
                             const iam::acl::CanonicalUser& owner) {
  std::string line;
  for (const std::string& field : InventorySchema(config)) {
    if (field == "Bucket") {
      AppendField(line, bucket);
    } else if (field == "Key") {
      AppendField(line, sigv4::UriEncode(key, /*keep_slash=*/true));
    } else if (field == "VersionId") {
      AppendField(line, record.is_null_version() ? "" : catalog::ExternalVersionId(record));
    } else if (field == "IsLatest") {
      AppendField(line, is_latest ? "true" : "false");
    } else if (field == "IsDeleteMarker") {
      AppendField(line, record.delete_marker ? "true" : "false");
    } else {
      AppendField(line, FieldValue(field, record, owner));
    }
  }
  line.push_back('\n');
  return line;
}

std::string InventoryBase(const xml::InventoryConfiguration& config, std::string_view source_bucket) {
  std::string base = config.destination_prefix;
  if (!base.empty() && base.back() != '/') base.push_back('/');
  base.append(source_bucket).append("/").append(config.id).append("/");
  return base;
}

std::string InventoryStamp(uint64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H-%MZ", &tm);
  return buf;
}

std::string InventoryHiveKey(const xml::InventoryConfiguration& config, std::string_view source_bucket, uint64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d-%H-%M", &tm);
  return InventoryBase(config, source_bucket) + "hive/dt=" + buf + "/symlink.txt";
}

std::string InventorySymlink(const xml::InventoryConfiguration& config, const std::vector<InventoryFile>& files) {
  std::string out;
  for (const InventoryFile& f : files) {
    out.append("s3://").append(config.destination_bucket).append("/").append(f.key) += '\n';
  }
  return out;
}

std::string InventoryManifest(const xml::InventoryConfiguration& config, std::string_view source_bucket,
                              uint64_t created_ms, const std::vector<InventoryFile>& files) {
  std::string schema;
  for (const std::string& f : InventorySchema(config)) schema.append(schema.empty() ? "" : ", ").append(f);
  json list = json::array();
  for (const InventoryFile& f : files) {
    list.push_back({{"key", f.key}, {"size", f.size}, {"MD5checksum", f.md5_hex}});
  }
  json manifest = {{"sourceBucket", source_bucket},
                   {"destinationBucket", "arn:aws:s3:::" + config.destination_bucket},
                   {"version", "2016-11-30"},
                   {"creationTimestamp", std::to_string(created_ms)},
                   {"fileFormat", "CSV"},
                   {"fileSchema", schema},
                   {"files", list}};
  return manifest.dump(2);
}

}  // namespace confiance::s3
