// File: catalog/records.cc
// CBOR (via nlohmann-json, exceptions off) keeps the encodings compact and
// self-describing; byte strings hold sealed data and wrapped keys.
#include "catalog/records.h"

#include <nlohmann/json.hpp>

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

std::string Encode(const json& j) {
  std::vector<std::uint8_t> v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Result<json> Parse(std::string_view bytes, const char* what) {
  json j = json::from_cbor(bytes.begin(), bytes.end(), true, false);
  if (j.is_discarded() || !j.is_object()) {
    return DataLossError(std::string("undecodable ") + what + " record");
  }
  uint64_t v = U64(j, "v");
  if (v < 1 || v > kRecordVersion) {
    return DataLossError(std::string(what) + " record has unknown version " + std::to_string(v));
  }
  return j;
}

json SegmentJson(const Segment& s) {
  json j = {{"ps", s.plain_size}, {"wk", Bin(s.wrapped_key)}, {"e", s.etag}};
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
  return s;
}

}  // namespace

std::string EncodeBucket(const BucketRecord& r) {
  return Encode({{"v", kRecordVersion}, {"name", r.name}, {"id", r.id}, {"owner", r.owner},
                 {"created", r.created_ms}, {"loc", r.location}, {"kid", r.key_id},
                 {"wk", Bin(r.wrapped_key)}, {"shards", r.index_shards}});
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
  if (r.index_shards == 0) return DataLossError("bucket record without index shards");
  return r;
}

std::string EncodeObject(const ObjectRecord& r) {
  json segs = json::array();
  for (const Segment& s : r.segments) segs.push_back(SegmentJson(s));
  json j = {{"v", kRecordVersion}, {"size", r.size}, {"etag", r.etag}, {"mtime", r.modified_ms},
            {"ct", r.content_type}, {"hdr", r.headers}, {"meta", r.user_meta}, {"segs", segs},
            {"parts", r.parts_count}, {"tag", r.op_tag}};
  if (!r.upload_id.empty()) j["up"] = r.upload_id;
  return Encode(j);
}

Result<ObjectRecord> DecodeObject(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, Parse(bytes, "object"));
  ObjectRecord r;
  r.size = U64(j, "size");
  r.etag = Str(j, "etag");
  r.modified_ms = U64(j, "mtime");
  r.content_type = Str(j, "ct");
  r.headers = Map(j, "hdr");
  r.user_meta = Map(j, "meta");
  if (auto it = j.find("segs"); it != j.end() && it->is_array()) {
    for (const json& s : *it) r.segments.push_back(SegmentFrom(s));
  }
  r.parts_count = static_cast<uint32_t>(U64(j, "parts"));
  r.op_tag = Str(j, "tag");
  r.upload_id = Str(j, "up");
  return r;
}

std::string EncodeUpload(const UploadRecord& r) {
  return Encode({{"v", kRecordVersion}, {"id", r.upload_id}, {"key", r.key},
                 {"init", r.initiated_ms}, {"owner", r.owner}, {"ct", r.content_type},
                 {"hdr", r.headers}, {"meta", r.user_meta}, {"completing", r.completing_tag}});
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
  return r;
}

std::string EncodePart(const PartRecord& r) {
  return Encode({{"v", kRecordVersion}, {"n", r.part_number}, {"seg", SegmentJson(r.segment)},
                 {"mtime", r.modified_ms}});
}

Result<PartRecord> DecodePart(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, Parse(bytes, "part"));
  PartRecord r;
  r.part_number = static_cast<int>(U64(j, "n"));
  if (auto it = j.find("seg"); it != j.end()) r.segment = SegmentFrom(*it);
  r.modified_ms = U64(j, "mtime");
  return r;
}

}  // namespace confiance::catalog
