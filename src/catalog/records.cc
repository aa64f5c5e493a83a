// File: catalog/records.cc
// Record encodings. Buckets, uploads and parts are CBOR maps (nlohmann-json,
// exceptions off): compact, self-describing, rarely on hot paths. Objects
// use a binary record of their own (below), since every GET decodes one.
#include "catalog/records.h"
#include "common/cbor.h"

#include "catalog/lifecycle_record.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

namespace confiance::catalog {
namespace {

using json = nlohmann::json;

json Bin(const std::string& s) {
  return json::binary(std::vector<std::uint8_t>(s.begin(), s.end()));
}

std::string FromBin(const json& j) {
  if (!j.is_binary()) return {};
  const auto& b = j.get_binary();
  return std::string(b.begin(), b.end());
}

std::string Str(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

uint64_t U64(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::map<std::string, std::string> Map(const json& j, const char* k) {
  std::map<std::string, std::string> out;
  auto it = j.find(k);
  if (it == j.end() || !it->is_object()) return out;
  for (auto& [name, v] : it->items()) {
    if (v.is_string()) out[name] = v.get<std::string>();
  }
  return out;
}

std::vector<std::string> StrList(const json& j, const char* k) {
  std::vector<std::string> out;
  auto it = j.find(k);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// A CORS rule inside a bucket record (CBOR). Absent lists are empty.
json CorsRuleJson(const CorsRule& r) {
  json j = {{"ao", r.allowed_origins}, {"am", r.allowed_methods}};
  if (!r.id.empty()) j["id"] = r.id;
  if (!r.allowed_headers.empty()) j["ah"] = r.allowed_headers;
  if (!r.expose_headers.empty()) j["eh"] = r.expose_headers;
  if (r.max_age_seconds) j["max"] = *r.max_age_seconds;
  return j;
}

CorsRule CorsRuleFrom(const json& j) {
  CorsRule r;
  r.id = Str(j, "id");
  r.allowed_origins = StrList(j, "ao");
  r.allowed_methods = StrList(j, "am");
  r.allowed_headers = StrList(j, "ah");
  r.expose_headers = StrList(j, "eh");
  if (auto it = j.find("max"); it != j.end() && it->is_number_integer()) {
    r.max_age_seconds = it->get<int64_t>();
  }
  return r;
}

std::string Encode(const json& j) {
  std::vector<std::uint8_t> v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Result<json> Parse(std::string_view bytes, const char* what) {
  json j = ParseCborRecord(bytes);
  if (j.is_discarded() || !j.is_object()) {
    return DataLossError(std::string("undecodable ") + what + " record");
  }
  uint64_t v = U64(j, "v");
  if (v < 1 || v > kRecordVersion) {
    return DataLossError(std::string(what) + " record has unknown version " + std::to_string(v));
  }
  return j;
}

// A segment inside a part record (CBOR).
json SegmentJson(const Segment& s) {
  json j = {{"ps", s.plain_size}, {"wk", Bin(s.wrapped_key)}, {"e", s.etag}};
  if (!s.checksum.empty()) j["ck"] = s.checksum;  // optional: older parts have none
  if (s.key_version != 1) j["bkv"] = s.key_version;  // optional: absent = bucket-key version 1
  if (s.blob_id.empty()) {
    j["in"] = Bin(s.inline_data);
  } else {
    j["b"] = s.blob_id;
  }
  return j;
}

Segment SegmentFrom(const json& j) {
  Segment s;
  s.blob_id = Str(j, "b");
  if (auto it = j.find("in"); it != j.end()) s.inline_data = FromBin(*it);
  s.plain_size = U64(j, "ps");
  if (auto it = j.find("wk"); it != j.end()) s.wrapped_key = FromBin(*it);
  s.etag = Str(j, "e");
  s.checksum = Str(j, "ck");
  if (auto it = j.find("bkv"); it != j.end() && it->is_number_unsigned()) {
    s.key_version = static_cast<uint32_t>(it->get<uint64_t>());
  }
  return s;
}

}  // namespace

std::string EncodeBucket(const BucketRecord& r) {
  json j = {{"v", kRecordVersion}, {"name", r.name}, {"id", r.id}, {"owner", r.owner},
            {"created", r.created_ms}, {"loc", r.location}, {"kid", r.key_id},
            {"wk", Bin(r.wrapped_key)}, {"shards", r.index_shards}};
  // Optional keys, written only when set: a record without them is the
  // same bytes an older release wrote.
  if (!r.tags.empty()) j["tags"] = r.tags;
  if (!r.cors_rules.empty()) {
    json rules = json::array();
    for (const CorsRule& rule : r.cors_rules) rules.push_back(CorsRuleJson(rule));
    j["cors"] = std::move(rules);
  }
  if (r.lifecycle) j["lc"] = LifecycleJson(*r.lifecycle);
  if (!r.policy.empty()) j["policy"] = r.policy;
  if (!r.acl.empty()) j["acl"] = Bin(r.acl);
  if (!r.ownership.empty()) j["own"] = r.ownership;
  if (!r.notification.empty()) j["notif"] = r.notification;
  if (!r.replication.empty()) j["repl"] = r.replication;
  if (!r.logging.empty()) j["log"] = r.logging;
  if (!r.website.empty()) j["web"] = r.website;
  if (!r.inventory.empty()) j["inv"] = r.inventory;
  if (r.public_access_block >= 0) j["pab"] = r.public_access_block;
  if (r.quota.limited()) j["quota"] = json::array({r.quota.max_bytes, r.quota.max_objects});
  if (r.encryption) {
    json enc = {{"alg", r.encryption->sse_algorithm}};
    if (!r.encryption->kms_key_id.empty()) enc["kid"] = r.encryption->kms_key_id;
    if (r.encryption->bucket_key_enabled) enc["bke"] = true;
    j["enc"] = std::move(enc);
  }
  if (r.versioning != BucketVersioning::kUnversioned) j["ver"] = static_cast<int>(r.versioning);
  if (r.key_version != 1) j["bkv"] = r.key_version;
  if (!r.previous_keys.empty()) {
    json prev = json::array();
    for (const BucketRecord::PreviousKey& k : r.previous_keys) {
      prev.push_back(json::array({k.version, k.key_id, Bin(k.wrapped_key)}));
    }
    j["pbk"] = std::move(prev);
  }
  if (r.object_lock_enabled) {
    json ol = json::object();
    if (r.default_retention) {
      ol["m"] = static_cast<int>(r.default_retention->mode);
      if (r.default_retention->days > 0) ol["d"] = r.default_retention->days;
      if (r.default_retention->years > 0) ol["y"] = r.default_retention->years;
    }
    j["ol"] = std::move(ol);
  }
  if (r.delete_mark) j["dm"] = json::array({r.delete_mark->token, r.delete_mark->since_ms});
  return Encode(j);
}

Result<BucketRecord> DecodeBucket(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, Parse(bytes, "bucket"));
  BucketRecord r;
  r.name = Str(j, "name");
  r.id = Str(j, "id");
  r.owner = Str(j, "owner");
  r.created_ms = U64(j, "created");
  r.location = Str(j, "loc");
  r.key_id = Str(j, "kid");
  if (auto it = j.find("wk"); it != j.end()) r.wrapped_key = FromBin(*it);
  r.index_shards = static_cast<uint32_t>(U64(j, "shards"));
  r.policy = Str(j, "policy");
  if (auto it = j.find("acl"); it != j.end()) r.acl = FromBin(*it);
  r.ownership = Str(j, "own");
  r.notification = Str(j, "notif");
  r.replication = Str(j, "repl");
  r.logging = Str(j, "log");
  r.website = Str(j, "web");
  r.inventory = Str(j, "inv");
  if (auto it = j.find("pab"); it != j.end() && it->is_number_integer()) r.public_access_block = it->get<int32_t>();
  if (r.index_shards == 0) return DataLossError("bucket record without index shards");
  r.tags = Map(j, "tags");
  if (auto it = j.find("cors"); it != j.end() && it->is_array()) {
    for (const json& rule : *it) {
      if (rule.is_object()) r.cors_rules.push_back(CorsRuleFrom(rule));
    }
  }
  if (auto it = j.find("lc"); it != j.end()) {
    ASSIGN_OR_RETURN(LifecycleConfiguration lc, LifecycleFromJson(*it));
    r.lifecycle = std::move(lc);
  }
  if (auto it = j.find("enc"); it != j.end() && it->is_object()) {
    BucketEncryption enc;
    enc.sse_algorithm = Str(*it, "alg");
    enc.kms_key_id = Str(*it, "kid");
    if (auto b = it->find("bke"); b != it->end() && b->is_boolean()) enc.bucket_key_enabled = b->get<bool>();
    if (enc.sse_algorithm.empty()) return DataLossError("bucket encryption without an algorithm");
    r.encryption = std::move(enc);
  }
  if (auto it = j.find("quota"); it != j.end()) {
    if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() || !(*it)[1].is_number_unsigned()) {
      return DataLossError("bucket record has a malformed quota");
    }
    r.quota.max_bytes = (*it)[0].get<uint64_t>();
    r.quota.max_objects = (*it)[1].get<uint64_t>();
  }
  if (auto it = j.find("ver"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() < 1 || it->get<uint64_t>() > 2) {
      return DataLossError("bucket record has an unknown versioning state");
    }
    r.versioning = static_cast<BucketVersioning>(it->get<uint64_t>());
  }
  if (auto it = j.find("bkv"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() < 2 || it->get<uint64_t>() > UINT32_MAX) {
      return DataLossError("bucket record has a malformed bucket-key version");
    }
    r.key_version = static_cast<uint32_t>(it->get<uint64_t>());
  }
  if (auto it = j.find("pbk"); it != j.end()) {
    if (!it->is_array()) return DataLossError("bucket record has malformed previous bucket keys");
    for (const json& k : *it) {
      if (!k.is_array() || k.size() != 3 || !k[0].is_number_unsigned() || !k[1].is_string() || !k[2].is_binary() ||
          k[0].get<uint64_t>() < 1 || k[0].get<uint64_t>() >= r.key_version) {
        return DataLossError("bucket record has a malformed previous bucket key");
      }
      r.previous_keys.push_back({static_cast<uint32_t>(k[0].get<uint64_t>()), k[1].get<std::string>(), FromBin(k[2])});
    }
  }
  if (auto it = j.find("ol"); it != j.end()) {
    if (!it->is_object()) return DataLossError("bucket record has a malformed object lock setting");
    r.object_lock_enabled = true;
    if (it->contains("m")) {
      const uint64_t mode = U64(*it, "m");
      DefaultRetention rule;
      rule.mode = static_cast<LockMode>(mode);
      rule.days = static_cast<uint32_t>(U64(*it, "d"));
      rule.years = static_cast<uint32_t>(U64(*it, "y"));
      if (mode < 1 || mode > 2 || (rule.days == 0) == (rule.years == 0)) {
        return DataLossError("bucket record has a malformed default retention");
      }
      r.default_retention = rule;
    }
  }
  if (auto it = j.find("dm"); it != j.end()) {
    if (!it->is_array() || it->size() != 2 || !(*it)[0].is_string() || !(*it)[1].is_number_unsigned()) {
      return DataLossError("bucket record has a malformed delete mark");
    }
    r.delete_mark = BucketRecord::DeleteMark{(*it)[0].get<std::string>(), (*it)[1].get<uint64_t>()};
  }
  return r;
}

// Object record layout (docs/meta_keys.md), a hand-rolled binary encoding:
// objects are read on every GET/HEAD and listed by the thousand, and a CBOR
// DOM cost 13 % of a small GET's CPU (measured). Integers are LEB128
// varints; strings are a varint length then the bytes.
//   'O' | version (3) | size | etag | mtime | content_type
//   | n, n x (name, value) headers | n, n x (name, value) user metadata
//   | parts_count | op_tag | upload_id
//   | n, n x (key, value) tags                          (version >= 2)
//   | acl (opaque bytes; "" = the default)               (version >= 3)
//   | checksum_algorithm | checksum                       (version >= 4)
//   | sse_c_salt | sse_c_verifier                         (version >= 5)
//   | version_id | flags | noncurrent_null_id            (version >= 6)
//   | lock_mode | retain_until_ms | legal_hold            (version 7)
//   | kms_key_id | kms_context | kms flags (1 bucket key, (version >= 8)
//     2 a named-key version follows) [| named-key version]
//   | replication status | n, n x pending destination     (version >= 10)
//   | n, n x destination holding a copy                 (version >= 11)
//   | storage class                                     (version 12)
//   | n, n x segment: kind (0 inline, 1 blob) | blob id or inline length
//                    | plain_size | wrapped_key | etag
//                    | checksum                           (version >= 4)
//                    | bucket-key version                 (version 9)
//   | inline data of each inline segment, in order
namespace {

constexpr char kObjectMarker = 'O';
// Version 1: no tag set. Version 2 (object tagging) adds the tag map after
// upload_id; version 3 (ACLs) the ACL after it; version 4 (additional
// checksums) the object's checksum after the ACL and each segment's after
// its etag; version 5 (SSE-C) the customer-key salt and verifier after the
// checksum. All decode. Version 5 is written only for SSE-C objects and
// version 4 for every other, so a release that predates SSE-C refuses an
// SSE-C record instead of misreading it.
constexpr uint8_t kObjectVersionNoTags = 1;
constexpr uint8_t kObjectVersionSseC = 5;
// Version 6 (bucket versioning) adds, after the SSE-C pair (then always
// present, "" for SSE-S3): version_id | flags (1 null version, 2 delete
// marker) | noncurrent_null_id. Written only for records of versioned
// buckets, so unversioned buckets keep version 4/5 records.
constexpr uint8_t kObjectVersionVersioned = 6;
// Version 7 (Object Lock) adds, after noncurrent_null_id: lock_mode (0 none,
// 1 GOVERNANCE, 2 COMPLIANCE) | retain-until ms | legal hold (0/1). Written
// only for records with a lock, so that a release without Object Lock
// refuses them instead of dropping the lock.
constexpr uint8_t kObjectVersionLocked = 7;
// Version 8 (SSE-KMS) adds, after the lock fields (then always present,
// zeros without a lock): kms_key_id | kms_context | flags (1 bucket key
// enabled). Written only for SSE-KMS objects, so that a release predating
// SSE-KMS refuses them instead of reading them without their KEK. Flag 2
// (a rotated named key) adds the named key's version after the flags; a
// release predating it refuses flags above 1 instead of deriving the KEK
// from the wrong version.
constexpr uint8_t kObjectVersionKms = 8;
// Version 9 (bucket-key rotation) adds, after each segment's checksum, the
// version of the bucket key that wraps its data key (version 8 and older:
// 1). Written only when a segment is under a version other than 1, so
// that a release predating rotation refuses it instead of unwrapping with
// the wrong bucket key. The SSE-KMS fields are then always present (key id
// "" = not SSE-KMS).
constexpr uint8_t kObjectVersionBucketKey = 9;
// Version 10 (bucket replication) adds, after the SSE-KMS fields: the
// replication status (0 none ... 4 replica, ReplicationStatus) | the
// pending destinations' names. Written only for records with a status, so
// that a release predating replication refuses them instead of dropping
// the status (a replica would then be copied back: a loop).
constexpr uint8_t kObjectVersionReplication = 10;
// Version 11 (replication of existing versions) adds, after the pending
// destinations, the names of those that hold a copy. Written only for
// records with one, so that a release predating it refuses them instead
// of copying the versions again.
constexpr uint8_t kObjectVersionReplicated = 11;
// Version 12 (storage classes) adds, after those names, the storage class
// ("" = STANDARD). Written only for a record of another class, so that a
// release predating classes refuses it instead of calling it STANDARD.
constexpr uint8_t kObjectVersionStorageClass = 12;
// Version 13 (idempotent replication) adds, after the storage class, the
// source version id of a replica. Written only for a replica that has one.
constexpr uint8_t kObjectVersionReplicaSource = 13;
constexpr uint8_t kObjectVersion = 4;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

void PutMap(std::string& out, const std::map<std::string, std::string>& m) {
  PutVarint(out, m.size());
  for (const auto& [k, v] : m) {
    PutString(out, k);
    PutString(out, v);
  }
}

// Bounds-checked reader over an encoded record; every failure is DataLoss.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  std::string_view rest() const { return in_; }
  // Most varints (sizes, counts, lengths) are one byte: that case is
  // inlined, the rest is not (a listing decodes some twenty per key).
  [[gnu::always_inline]] uint64_t Varint() {
    if (ok_ && !in_.empty() && static_cast<unsigned char>(in_.front()) < 0x80) [[likely]] {
      const uint64_t v = static_cast<unsigned char>(in_.front());
      in_.remove_prefix(1);
      return v;
    }
    return LongVarint();
  }
  [[gnu::noinline]] uint64_t LongVarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && ok_; shift += 7) {
      if (in_.empty()) break;
      auto b = static_cast<unsigned char>(in_.front());
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  std::string_view Bytes(uint64_t n) {
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string_view out = in_.substr(0, n);
    in_.remove_prefix(n);
    return out;
  }
  std::string String() { return std::string(Bytes(Varint())); }
  [[gnu::always_inline]] std::string_view StringView() { return Bytes(Varint()); }
  void SkipMap() {
    uint64_t n = Varint();
    for (uint64_t i = 0; i < n && ok_; ++i) {
      Bytes(Varint());
      Bytes(Varint());
    }
  }
  std::map<std::string, std::string> Map() {
    std::map<std::string, std::string> m;
    uint64_t n = Varint();
    for (uint64_t i = 0; i < n && ok_; ++i) {
      std::string k = String();
      m[std::move(k)] = String();
    }
    return m;
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string_view ReplicationStatusName(ReplicationStatus s) {
  switch (s) {
    case ReplicationStatus::kNone:
      return "";
    case ReplicationStatus::kPending:
      return "PENDING";
    case ReplicationStatus::kCompleted:
      return "COMPLETED";
    case ReplicationStatus::kFailed:
      return "FAILED";
    case ReplicationStatus::kReplica:
      return "REPLICA";
  }
  return "";
}

std::string EncodeObject(const ObjectRecord& r) {
  std::string out;
  size_t inline_total = 0;
  for (const Segment& s : r.segments) inline_total += s.blob_id.empty() ? s.inline_data.size() : 0;
  out.reserve(256 + inline_total);
  out.push_back(kObjectMarker);
  const bool locked = r.has_lock() || r.lock_until_ms != 0;
  const bool kms = !r.kms.empty();
  bool rotated = false;
  for (const Segment& s : r.segments) rotated = rotated || s.key_version != 1;
  const bool versioned = !r.version_id.empty() || r.null_version || r.delete_marker || !r.noncurrent_null_id.empty();
  // The lowest version that holds every field set; each version holds
  // every field of the ones below it.
  const bool replication = r.replication_status != ReplicationStatus::kNone || !r.replication_pending.empty();
  const uint8_t format = !r.replica_source_version.empty() ? kObjectVersionReplicaSource
                         : !r.storage_class.empty()        ? kObjectVersionStorageClass
                         : !r.replicated_to.empty()        ? kObjectVersionReplicated
                         : replication                     ? kObjectVersionReplication
                         : rotated                         ? kObjectVersionBucketKey
                         : kms                             ? kObjectVersionKms
                         : locked                          ? kObjectVersionLocked
                         : versioned                       ? kObjectVersionVersioned
                         : r.sse_c()                       ? kObjectVersionSseC
                                                           : kObjectVersion;
  out.push_back(static_cast<char>(format));
  PutVarint(out, r.size);
  PutString(out, r.etag);
  PutVarint(out, r.modified_ms);
  PutString(out, r.content_type);
  PutMap(out, r.headers);
  PutMap(out, r.user_meta);
  PutVarint(out, r.parts_count);
  PutString(out, r.op_tag);
  PutString(out, r.upload_id);
  PutMap(out, r.tags);
  PutString(out, r.acl);
  PutString(out, r.checksum_algorithm);
  PutString(out, r.checksum);
  if (format >= kObjectVersionSseC) {
    PutString(out, r.sse_c_salt);
    PutString(out, r.sse_c_verifier);
  }
  if (format >= kObjectVersionVersioned) {
    PutString(out, r.version_id);
    PutVarint(out, (r.null_version ? 1u : 0u) | (r.delete_marker ? 2u : 0u));
    PutString(out, r.noncurrent_null_id);
  }
  if (format >= kObjectVersionLocked) {
    PutVarint(out, static_cast<uint64_t>(r.lock_mode));
    PutVarint(out, r.lock_until_ms);
    PutVarint(out, r.legal_hold ? 1 : 0);
  }
  if (format >= kObjectVersionKms) {
    PutString(out, r.kms.key_id);
    PutString(out, r.kms.context);
    const bool named_version = r.kms.key_version != 1;
    PutVarint(out, (r.kms.bucket_key_enabled ? 1u : 0u) | (named_version ? 2u : 0u));
    if (named_version) PutVarint(out, r.kms.key_version);
  }
  if (format >= kObjectVersionReplication) {
    PutVarint(out, static_cast<uint64_t>(r.replication_status));
    PutVarint(out, r.replication_pending.size());
    for (const std::string& name : r.replication_pending) PutString(out, name);
  }
  if (format >= kObjectVersionReplicated) {
    PutVarint(out, r.replicated_to.size());
    for (const std::string& name : r.replicated_to) PutString(out, name);
  }
  if (format >= kObjectVersionStorageClass) PutString(out, r.storage_class);
  if (format >= kObjectVersionReplicaSource) PutString(out, r.replica_source_version);
  PutVarint(out, r.segments.size());
  for (const Segment& s : r.segments) {
    if (s.blob_id.empty()) {
      out.push_back(0);
      PutVarint(out, s.inline_data.size());
    } else {
      out.push_back(1);
      PutString(out, s.blob_id);
    }
    PutVarint(out, s.plain_size);
    PutString(out, s.wrapped_key);
    PutString(out, s.etag);
    PutString(out, s.checksum);
    if (format >= kObjectVersionBucketKey) PutVarint(out, s.key_version);
  }
  for (const Segment& s : r.segments) {
    if (s.blob_id.empty()) out += s.inline_data;
  }
  return out;
}

namespace {

// The format version of an encoded object record (its second byte).
Result<uint8_t> ObjectFormatVersion(std::string_view bytes) {
  if (bytes.size() < 2 || bytes[0] != kObjectMarker) return DataLossError("undecodable object record");
  const uint8_t version = static_cast<uint8_t>(bytes[1]);
  if (version < kObjectVersionNoTags || version > kObjectVersionReplicaSource) {
    return DataLossError("object record has unknown version " + std::to_string(version));
  }
  return version;
}

}  // namespace

Result<ObjectSummary> DecodeObjectSummary(std::string_view bytes) {
  ASSIGN_OR_RETURN(const uint8_t version, ObjectFormatVersion(bytes));
  // The fields in DecodeObject's order, skipping what a listing never shows;
  // nothing after the version flags is read.
  Reader in(bytes.substr(2));
  ObjectSummary r;
  r.size = in.Varint();
  r.etag = in.StringView();
  r.modified_ms = in.Varint();
  in.StringView();  // content type
  in.SkipMap();     // headers
  in.SkipMap();     // user metadata
  in.Varint();      // parts count
  in.StringView();  // op tag
  in.StringView();  // upload id
  if (version >= 2) in.SkipMap();     // tags
  if (version >= 3) in.StringView();  // acl
  if (version >= 4) {
    r.checksum_algorithm = in.StringView();
    r.checksum = in.StringView();
  }
  if (version >= 5) {
    in.StringView();  // SSE-C salt
    in.StringView();  // SSE-C verifier
  }
  if (version >= kObjectVersionVersioned) {
    in.StringView();  // version id
    const uint64_t flags = in.Varint();
    if (flags > 3) return DataLossError("object record has unknown version flags");
    r.delete_marker = (flags & 2) != 0;
  }
  if (version >= kObjectVersionStorageClass) {
    // Every field of the versions below, skipped, up to the class.
    in.StringView();                                   // noncurrent null id
    for (int i = 0; i < 3; ++i) in.Varint();           // lock mode, retain until, legal hold
    in.StringView();                                   // SSE-KMS key id
    in.StringView();                                   // SSE-KMS context
    in.Varint();                                       // SSE-KMS flags
    in.Varint();                                       // replication status
    for (int list = 0; list < 2 && in.ok(); ++list) {  // pending, then holding a copy
      const uint64_t names = in.Varint();
      if (!in.ok() || names > bytes.size()) return DataLossError("corrupt object record");
      for (uint64_t i = 0; i < names && in.ok(); ++i) in.StringView();
    }
    r.storage_class = in.StringView();
  }
  if (!in.ok()) return DataLossError("truncated object record");
  return r;
}

Result<ObjectRecord> DecodeObject(std::string_view bytes, bool with_inline_data) {
  ASSIGN_OR_RETURN(const uint8_t version, ObjectFormatVersion(bytes));
  Reader in(bytes.substr(2));
  ObjectRecord r;
  r.size = in.Varint();
  r.etag = in.String();
  r.modified_ms = in.Varint();
  r.content_type = in.String();
  r.headers = in.Map();
  r.user_meta = in.Map();
  r.parts_count = static_cast<uint32_t>(in.Varint());
  r.op_tag = in.String();
  r.upload_id = in.String();
  if (version >= 2) r.tags = in.Map();
  if (version >= 3) r.acl = in.String();
  if (version >= 4) {
    r.checksum_algorithm = in.String();
    r.checksum = in.String();
  }
  if (version >= 5) {
    r.sse_c_salt = in.String();
    r.sse_c_verifier = in.String();
    if (in.ok() && (r.sse_c_salt.empty() != r.sse_c_verifier.empty() ||
                    (version == kObjectVersionSseC && r.sse_c_salt.empty()))) {
      return DataLossError("object record has an incomplete SSE-C key check");
    }
  }
  if (version >= kObjectVersionVersioned) {
    r.version_id = in.String();
    uint64_t flags = in.Varint();
    if (flags > 3) return DataLossError("object record has unknown version flags");
    r.null_version = (flags & 1) != 0;
    r.delete_marker = (flags & 2) != 0;
    r.noncurrent_null_id = in.String();
  }
  if (version >= kObjectVersionLocked) {
    const uint64_t mode = in.Varint();
    r.lock_until_ms = in.Varint();
    const uint64_t hold = in.Varint();
    if (mode > 2 || hold > 1) return DataLossError("object record has an unknown object lock");
    r.lock_mode = static_cast<LockMode>(mode);
    r.legal_hold = hold == 1;
  }
  if (version >= kObjectVersionKms) {
    r.kms.key_id = in.String();
    r.kms.context = in.String();
    uint64_t flags = in.Varint();
    if (flags > 3) return DataLossError("object record has unknown SSE-KMS flags");
    r.kms.bucket_key_enabled = (flags & 1) != 0;
    if ((flags & 2) != 0) {
      const uint64_t v = in.Varint();
      if (v < 2 || v > UINT32_MAX) return DataLossError("object record has a malformed SSE-KMS key version");
      r.kms.key_version = static_cast<uint32_t>(v);
    }
    if (in.ok() && ((version == kObjectVersionKms && r.kms.key_id.empty()) || (!r.kms.key_id.empty() && r.sse_c()) ||
                    (r.kms.key_id.empty() && (!r.kms.context.empty() || flags != 0)))) {
      return DataLossError("object record has a malformed SSE-KMS");
    }
  }
  if (version >= kObjectVersionReplication) {
    const uint64_t status = in.Varint();
    if (status > static_cast<uint64_t>(ReplicationStatus::kReplica)) {
      return DataLossError("object record has an unknown replication status");
    }
    r.replication_status = static_cast<ReplicationStatus>(status);
    const uint64_t pending = in.Varint();
    if (!in.ok() || pending > bytes.size()) return DataLossError("corrupt object record");
    for (uint64_t i = 0; i < pending && in.ok(); ++i) r.replication_pending.push_back(in.String());
  }
  if (version >= kObjectVersionReplicated) {
    const uint64_t copies = in.Varint();
    if (!in.ok() || copies > bytes.size()) return DataLossError("corrupt object record");
    for (uint64_t i = 0; i < copies && in.ok(); ++i) r.replicated_to.push_back(in.String());
  }
  if (version >= kObjectVersionStorageClass) r.storage_class = in.String();
  if (version >= kObjectVersionReplicaSource) r.replica_source_version = in.String();
  uint64_t n = in.Varint();
  if (!in.ok() || n > bytes.size()) return DataLossError("corrupt object record");
  std::vector<uint64_t> inline_sizes(n, 0);
  r.segments.resize(n);
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    Segment& seg = r.segments[i];
    std::string_view kind = in.Bytes(1);
    if (!in.ok()) break;
    if (kind[0] == 0) {
      inline_sizes[i] = in.Varint();
    } else if (kind[0] == 1) {
      seg.blob_id = in.String();
    } else {
      return DataLossError("corrupt object record segment");
    }
    seg.plain_size = in.Varint();
    seg.wrapped_key = in.String();
    seg.etag = in.String();
    if (version >= 4) seg.checksum = in.String();
    if (version >= kObjectVersionBucketKey) {
      const uint64_t kv = in.Varint();
      if (in.ok() && (kv < 1 || kv > UINT32_MAX)) return DataLossError("object record has a bad bucket-key version");
      seg.key_version = static_cast<uint32_t>(kv);
    }
  }
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    std::string_view data = in.Bytes(inline_sizes[i]);
    if (with_inline_data && r.segments[i].blob_id.empty()) r.segments[i].inline_data.assign(data);
  }
  if (!in.ok()) return DataLossError("truncated object record");
  if (!in.rest().empty()) return DataLossError("object record has trailing bytes");
  return r;
}

std::string EncodeUpload(const UploadRecord& r) {
  json j = {{"v", kRecordVersion}, {"id", r.upload_id}, {"key", r.key},
            {"init", r.initiated_ms}, {"owner", r.owner}, {"ct", r.content_type},
            {"hdr", r.headers}, {"meta", r.user_meta}, {"completing", r.completing_tag},
            {"tags", r.tags}};
  if (!r.completing_by.empty()) {  // optional: marked uploads only
    j["completing_by"] = r.completing_by;
    j["completing_ms"] = r.completing_ms;
  }
  if (!r.checksum_algorithm.empty()) j["ca"] = r.checksum_algorithm;  // optional: older uploads have none
  if (r.checksum_full_object) j["cfo"] = true;
  if (r.replica) j["replica"] = true;                       // optional: replication copies only
  if (!r.replica_source_version.empty()) j["replica_of"] = r.replica_source_version;  // optional: as replica
  if (!r.storage_class.empty()) j["sc"] = r.storage_class;  // optional: STANDARD uploads have none
  // Optional (SSE-C uploads only), as the bucket record's optional keys.
  if (r.sse_c()) {
    j["ssec_salt"] = Bin(r.sse_c_salt);
    j["ssec_ver"] = Bin(r.sse_c_verifier);
  }
  // Optional (Object Lock uploads only).
  if (r.lock_mode != LockMode::kNone) {
    j["lm"] = static_cast<int>(r.lock_mode);
    j["lu"] = r.lock_until_ms;
  }
  if (r.legal_hold) j["lh"] = true;
  if (!r.kms.empty()) {  // optional (SSE-KMS uploads only)
    j["kms_id"] = r.kms.key_id;
    j["kms_ctx"] = r.kms.context;
    j["kms_bk"] = r.kms.bucket_key_enabled;
    if (r.kms.key_version != 1) j["kms_v"] = r.kms.key_version;  // optional: a rotated named key
  }
  if (!r.acl.empty()) j["acl"] = Bin(r.acl);  // optional: uploads without an ACL header have none
  return Encode(j);
}

Result<UploadRecord> DecodeUpload(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, Parse(bytes, "upload"));
  UploadRecord r;
  r.upload_id = Str(j, "id");
  r.key = Str(j, "key");
  r.initiated_ms = U64(j, "init");
  r.owner = Str(j, "owner");
  r.content_type = Str(j, "ct");
  r.headers = Map(j, "hdr");
  r.user_meta = Map(j, "meta");
  r.completing_tag = Str(j, "completing");
  r.completing_by = Str(j, "completing_by");
  r.completing_ms = U64(j, "completing_ms");
  r.tags = Map(j, "tags");
  r.checksum_algorithm = Str(j, "ca");
  if (auto it = j.find("cfo"); it != j.end() && it->is_boolean()) r.checksum_full_object = it->get<bool>();
  if (auto it = j.find("replica"); it != j.end() && it->is_boolean()) r.replica = it->get<bool>();
  r.replica_source_version = Str(j, "replica_of");
  r.storage_class = Str(j, "sc");
  if (auto it = j.find("ssec_salt"); it != j.end()) r.sse_c_salt = FromBin(*it);
  if (auto it = j.find("ssec_ver"); it != j.end()) r.sse_c_verifier = FromBin(*it);
  if (r.sse_c_salt.empty() != r.sse_c_verifier.empty()) {
    return DataLossError("upload record has an incomplete SSE-C key check");
  }
  if (auto it = j.find("lm"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() < 1 || it->get<uint64_t>() > 2) {
      return DataLossError("upload record has an unknown object lock mode");
    }
    r.lock_mode = static_cast<LockMode>(it->get<uint64_t>());
    r.lock_until_ms = U64(j, "lu");
  }
  if (auto it = j.find("lh"); it != j.end() && it->is_boolean()) r.legal_hold = it->get<bool>();
  r.kms.key_id = Str(j, "kms_id");
  r.kms.context = Str(j, "kms_ctx");
  if (auto it = j.find("kms_bk"); it != j.end() && it->is_boolean()) r.kms.bucket_key_enabled = it->get<bool>();
  if (auto it = j.find("kms_v"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() < 2 || it->get<uint64_t>() > UINT32_MAX) {
      return DataLossError("upload record has a malformed SSE-KMS key version");
    }
    r.kms.key_version = static_cast<uint32_t>(it->get<uint64_t>());
  }
  if (auto it = j.find("acl"); it != j.end()) r.acl = FromBin(*it);
  return r;
}

std::string EncodePart(const PartRecord& r) {
  json seg = SegmentJson(r.segment);
  return Encode({{"v", kRecordVersion}, {"n", r.part_number}, {"seg", seg}, {"mtime", r.modified_ms}});
}

Result<PartRecord> DecodePart(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, Parse(bytes, "part"));
  PartRecord r;
  r.part_number = static_cast<int>(U64(j, "n"));
  if (auto it = j.find("seg"); it != j.end()) {
    r.segment = SegmentFrom(*it);
  }
  r.modified_ms = U64(j, "mtime");
  return r;
}

std::vector<uint32_t> KeyVersionsOf(const ObjectRecord& record) {
  std::vector<uint32_t> out;
  for (const Segment& s : record.segments) {
    if (std::find(out.begin(), out.end(), s.key_version) == out.end()) out.push_back(s.key_version);
  }
  return out;
}

std::vector<uint32_t> FencedKeyVersions(const BucketRecord& bucket, const ObjectRecord& record) {
  if (record.delete_marker) return {bucket.key_version};
  return KeyVersionsOf(record);
}

bool NeedsNewerBucketRecord(const BucketRecord& bucket, const ObjectRecord& record) {
  return std::any_of(record.segments.begin(), record.segments.end(),
                     [&](const Segment& s) { return s.key_version > bucket.key_version; });
}

}  // namespace confiance::catalog
