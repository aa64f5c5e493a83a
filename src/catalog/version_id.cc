// File: catalog/version_id.cc
#include "catalog/version_id.h"

#include <atomic>
#include <chrono>

#include "catalog/catalog.h"  // NewOpTag
#include "common/wall_clock.h"
#include "crypto/random.h"

namespace confiance::catalog {
namespace {

constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";  // base32hex, ascending
constexpr size_t kExternalChars = 26;                               // ceil(128 / 5)

std::atomic<uint64_t> last_us{0};

void PutBigEndian(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t MicrosNow() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// The microseconds an internal id starts with.
uint64_t IdMicros(std::string_view internal) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < internal.size(); ++i) v = (v << 8) | static_cast<unsigned char>(internal[i]);
  return v;
}

}  // namespace

std::string NewVersionId() {
  const uint64_t now = MicrosNow();
  uint64_t prev = last_us.load();
  uint64_t next;
  do {
    next = std::max(now, prev + 1);
  } while (!last_us.compare_exchange_weak(prev, next));
  std::string id;
  id.reserve(kVersionIdBytes);
  PutBigEndian(id, next);
  std::byte rnd[8] = {};
  // Cannot fail once seeded (and leaves zeros if it does); the time part
  // alone is still unique here.
  (void)crypto::FillRandom(rnd);
  id.append(reinterpret_cast<const char*>(rnd), sizeof rnd);
  return id;
}

uint64_t VersionIdMicros(std::string_view internal) { return IdMicros(internal); }

std::string LegacyVersionId(uint64_t modified_ms) {
  std::string id;
  PutBigEndian(id, modified_ms * 1000);
  id.append(8, '\0');
  return id;
}

std::string EncodeVersionId(std::string_view internal) {
  std::string out;
  out.reserve(kExternalChars);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : internal) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(acc >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> DecodeVersionId(std::string_view external) {
  if (external.size() != kExternalChars) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : external) {
    int v;
    if (ch >= '0' && ch <= '9') {
      v = ch - '0';
    } else if (ch >= 'a' && ch <= 'v') {
      v = ch - 'a' + 10;
    } else {
      return std::nullopt;
    }
    acc = (acc << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((acc >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  // 130 bits carry 128: the two left over must be zero (one spelling per id).
  if ((acc & ((1u << bits) - 1)) != 0 || out.size() != kVersionIdBytes) return std::nullopt;
  return out;
}

std::string ExternalVersionId(const ObjectRecord& r) {
  return r.is_null_version() ? std::string(kNullVersionId) : EncodeVersionId(r.version_id);
}

void StampVersion(const BucketRecord& bucket, ObjectRecord& r) {
  if (!bucket.versioned()) return;
  r.version_id = NewVersionId();
  r.null_version = bucket.versioning == BucketVersioning::kSuspended;
  r.noncurrent_null_id.clear();
}

bool AdoptVersionId(const BucketRecord& bucket, std::string_view source, ObjectRecord& r) {
  if (bucket.versioning != BucketVersioning::kEnabled) return false;
  std::optional<std::string> id = DecodeVersionId(source);
  if (!id) return false;
  const uint64_t at = IdMicros(*id);
  const auto max_skew = std::chrono::duration_cast<std::chrono::microseconds>(kMaxAdoptedVersionSkew).count();
  if (at > MicrosNow() + static_cast<uint64_t>(max_skew)) return false;
  uint64_t prev = last_us.load();
  while (prev < at && !last_us.compare_exchange_weak(prev, at)) {
  }
  r.version_id = std::move(*id);
  r.null_version = false;
  r.noncurrent_null_id.clear();
  return true;
}

ObjectRecord NewDeleteMarker(const BucketRecord& bucket) {
  ObjectRecord marker;
  marker.delete_marker = true;
  marker.modified_ms = UnixMillisNow();
  marker.op_tag = NewOpTag();
  StampVersion(bucket, marker);
  return marker;
}

std::string VersionPrefix(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 2);
  out.push_back('\0');
  out.append(key);
  out.push_back('\0');
  return out;
}

std::string VersionKey(std::string_view key, std::string_view internal_id) {
  std::string out = VersionPrefix(key);
  for (char c : internal_id) out.push_back(static_cast<char>(~static_cast<unsigned char>(c)));
  return out;
}

std::optional<ParsedVersionKey> ParseVersionKey(std::string_view vkey) {
  if (vkey.size() < 2 + kVersionIdBytes || vkey[0] != '\0') return std::nullopt;
  std::string_view rest = vkey.substr(1);
  size_t sep = rest.size() - kVersionIdBytes - 1;
  if (rest[sep] != '\0') return std::nullopt;
  ParsedVersionKey out;
  out.key = std::string(rest.substr(0, sep));
  for (char c : rest.substr(sep + 1)) out.id.push_back(static_cast<char>(~static_cast<unsigned char>(c)));
  return out;
}

}  // namespace confiance::catalog
