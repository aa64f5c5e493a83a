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

// Inline data is not stored inside the CBOR map (decoding a CBOR byte string
// costs per byte); the map records its length ("il") and the bytes follow
// the map, segment after segment (see EncodeObject).
json SegmentJson(const Segment& s) {
  json j = {{"ps", s.plain_size}, {"wk", Bin(s.wrapped_key)}, {"e", s.etag}};
  if (s.blob_id.empty()) {
    j["il"] = s.inline_data.size();
  } else {
    j["b"] = s.blob_id;
  }
  return j;
}

Segment SegmentFrom(const json& j) {
  Segment s;
  s.blob_id = Str(j, "b");
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

// Object record layout (docs/meta_keys.md):
//   'O' | u32 little-endian length of the CBOR map | CBOR map | inline data
// The map holds everything but the inline bytes, so listings and HEAD
// decode a few hundred bytes whatever the object's inline size.
constexpr char kObjectMarker = 'O';

std::string EncodeObject(const ObjectRecord& r) {
  json segs = json::array();
  for (const Segment& s : r.segments) segs.push_back(SegmentJson(s));
  json j = {{"v", kRecordVersion}, {"size", r.size}, {"etag", r.etag}, {"mtime", r.modified_ms},
            {"ct", r.content_type}, {"hdr", r.headers}, {"meta", r.user_meta}, {"segs", segs},
            {"parts", r.parts_count}, {"tag", r.op_tag}};
  if (!r.upload_id.empty()) j["up"] = r.upload_id;
  std::string map = Encode(j);
  std::string out;
  size_t inline_total = 0;
  for (const Segment& s : r.segments) inline_total += s.blob_id.empty() ? s.inline_data.size() : 0;
  out.reserve(5 + map.size() + inline_total);
  out.push_back(kObjectMarker);
  uint32_t n = static_cast<uint32_t>(map.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += map;
  for (const Segment& s : r.segments) {
    if (s.blob_id.empty()) out += s.inline_data;
  }
  return out;
}

Result<ObjectRecord> DecodeObject(std::string_view bytes, bool with_inline_data) {
  if (bytes.size() < 5 || bytes[0] != kObjectMarker) return DataLossError("undecodable object record");
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[1 + i])) << (8 * i);
  if (n > bytes.size() - 5) return DataLossError("truncated object record");
  ASSIGN_OR_RETURN(json j, Parse(bytes.substr(5, n), "object"));
  std::string_view data = bytes.substr(5 + n);
  ObjectRecord r;
  r.size = U64(j, "size");
  r.etag = Str(j, "etag");
  r.modified_ms = U64(j, "mtime");
  r.content_type = Str(j, "ct");
  r.headers = Map(j, "hdr");
  r.user_meta = Map(j, "meta");
  if (auto it = j.find("segs"); it != j.end() && it->is_array()) {
    for (const json& sj : *it) {
      Segment seg = SegmentFrom(sj);
      if (seg.blob_id.empty()) {
        uint64_t len = U64(sj, "il");
        if (len > data.size()) return DataLossError("object record shorter than its inline data");
        if (with_inline_data) seg.inline_data.assign(data.data(), len);
        data.remove_prefix(len);
      }
      r.segments.push_back(std::move(seg));
    }
  }
  if (!data.empty()) return DataLossError("object record has trailing bytes");
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
  // Part records are few and short-lived: their (small) inline data stays
  // inside the map.
  json seg = SegmentJson(r.segment);
  if (r.segment.blob_id.empty()) seg["in"] = Bin(r.segment.inline_data);
  return Encode({{"v", kRecordVersion}, {"n", r.part_number}, {"seg", seg}, {"mtime", r.modified_ms}});
}

Result<PartRecord> DecodePart(std::string_view bytes) {
  ASSIGN_OR_RETURN(json j, Parse(bytes, "part"));
  PartRecord r;
  r.part_number = static_cast<int>(U64(j, "n"));
  if (auto it = j.find("seg"); it != j.end()) {
    r.segment = SegmentFrom(*it);
    if (auto in = it->find("in"); in != it->end()) r.segment.inline_data = FromBin(*in);
  }
  r.modified_ms = U64(j, "mtime");
  return r;
}

}  // namespace confiance::catalog
