// File: meta/rocksdb/key_format.cc
// Encoding and decoding of RocksMetaStore physical keys (docs/meta_keys.md).
#include "meta/rocksdb/key_format.h"

namespace confiance::meta {
namespace {

void AppendEscaped(std::string& out, std::string_view name) {
  for (char c : name) {
    out.push_back(c);
    if (c == kKeyEscape) out.push_back(kKeyEscapedZero);
  }
}

std::string WithSuffix(std::string_view partition, char suffix, size_t extra) {
  std::string out;
  out.reserve(partition.size() + 2 + extra);
  AppendEscaped(out, partition);
  out.push_back(kKeyEscape);
  out.push_back(suffix);
  return out;
}

}  // namespace

std::string EscapePartitionName(std::string_view name_prefix) {
  std::string out;
  out.reserve(name_prefix.size());
  AppendEscaped(out, name_prefix);
  return out;
}

std::string PartitionBegin(std::string_view partition) {
  return WithSuffix(partition, kKeyTerminator, 0);
}

std::string PartitionEnd(std::string_view partition) {
  return WithSuffix(partition, kKeyPartitionEnd, 0);
}

std::string EncodeKey(std::string_view partition, std::string_view key) {
  std::string out = WithSuffix(partition, kKeyTerminator, key.size());
  out.append(key);
  return out;
}

std::optional<DecodedKey> DecodeKey(std::string_view physical) {
  DecodedKey decoded;
  for (size_t i = 0; i < physical.size(); ++i) {
    if (physical[i] != kKeyEscape) {
      decoded.partition.push_back(physical[i]);
      continue;
    }
    if (i + 1 >= physical.size()) return std::nullopt;
    if (physical[i + 1] == kKeyEscapedZero) {
      decoded.partition.push_back(kKeyEscape);
      ++i;
    } else if (physical[i + 1] == kKeyTerminator) {
      decoded.key = physical.substr(i + 2);
      return decoded;
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace confiance::meta
