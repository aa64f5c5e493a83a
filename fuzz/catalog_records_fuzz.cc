// File: fuzz/catalog_records_fuzz.cc
// libFuzzer target: the catalog's record decoders (catalog/records.h), the
// hand-rolled binary object record (versions 1 to 13, with bucket-key
// versions per segment), the CBOR bucket and part records (with
// bucket-key versions) and the upload record (a completion's mark): any
// input is decoded or refused without crashing,
// and whatever decodes survives encode -> decode with the fields the
// bucket-key rotation relies on unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c = confiance::catalog;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  if (auto o = c::DecodeObject(in); o.ok()) {
    auto again = c::DecodeObject(c::EncodeObject(*o));
    if (!again.ok() || again->segments.size() != o->segments.size() || again->kms != o->kms ||
        again->sse_c_salt != o->sse_c_salt || again->size != o->size ||
        again->replica_source_version != o->replica_source_version || again->storage_class != o->storage_class) {
      std::abort();
    }
    for (size_t i = 0; i < o->segments.size(); ++i) {
      const c::Segment& a = o->segments[i];
      const c::Segment& b = again->segments[i];
      if (a.key_version != b.key_version || a.wrapped_key != b.wrapped_key || a.blob_id != b.blob_id ||
          a.inline_data != b.inline_data || a.key_version == 0) {
        std::abort();
      }
    }
  }
  if (auto b = c::DecodeBucket(in); b.ok()) {
    auto again = c::DecodeBucket(c::EncodeBucket(*b));
    if (!again.ok() || again->key_version != b->key_version || again->wrapped_key != b->wrapped_key ||
        again->previous_keys.size() != b->previous_keys.size()) {
      std::abort();
    }
    for (size_t i = 0; i < b->previous_keys.size(); ++i) {
      const auto& p = b->previous_keys[i];
      const auto& q = again->previous_keys[i];
      if (p.version != q.version || p.key_id != q.key_id || p.wrapped_key != q.wrapped_key ||
          p.version >= b->key_version) {
        std::abort();
      }
    }
  }
  if (auto u = c::DecodeUpload(in); u.ok()) {
    auto again = c::DecodeUpload(c::EncodeUpload(*u));
    if (!again.ok() || again->upload_id != u->upload_id || again->completing_tag != u->completing_tag ||
        again->completing_by != u->completing_by ||
        (!u->completing_by.empty() && again->completing_ms != u->completing_ms)) {
      std::abort();
    }
  }
  if (auto p = c::DecodePart(in); p.ok()) {
    auto again = c::DecodePart(c::EncodePart(*p));
    if (!again.ok() || again->segment.key_version != p->segment.key_version ||
        again->segment.wrapped_key != p->segment.wrapped_key) {
      std::abort();
    }
  }
  return 0;
}
