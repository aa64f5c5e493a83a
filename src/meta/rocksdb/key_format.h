// File: meta/rocksdb/key_format.h
// The physical key encoding of RocksMetaStore: how (partition, key) pairs of
// the MetaStore contract map onto one flat, memcmp-ordered RocksDB key space.
// The format is described in docs/meta_keys.md; DO NOT CHANGE these values
// without bumping kKeyFormatVersion and keeping a decoder for the old one.
//
//   physical = escape(partition) 0x00 0x01 key
//   escape   : every 0x00 byte becomes 0x00 0xFF, other bytes are copied
//
// Properties (tested in meta_store_contract_test.cc through the store):
//  - partitions sort by name in memcmp order, and every physical key of
//    partition P lies in [PartitionBegin(P), PartitionEnd(P)), a range that
//    holds no key of any other partition;
//  - inside a partition, physical keys sort as the user keys do.
// The encoding of the empty partition name (0x00 0x01 ...) is reserved for
// the store's own records (kFormatMarkerKey): user partitions are non-empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confiance::meta {

inline constexpr char kKeyEscape = '\x00';
inline constexpr char kKeyEscapedZero = '\xFF';  // 0x00 0xFF: a 0x00 byte of the name
inline constexpr char kKeyTerminator = '\x01';   // 0x00 0x01: end of the partition name
inline constexpr char kKeyPartitionEnd = '\x02'; // 0x00 0x02: just past a partition

inline constexpr uint32_t kKeyFormatVersion = 1;
// Reserved physical key holding kKeyFormatVersion in decimal.
#define CONFIANCE_META_FORMAT_MARKER "\x00\x01" "confiance.meta.key_format"
inline constexpr std::string_view kFormatMarkerKey{CONFIANCE_META_FORMAT_MARKER,
                                                   sizeof(CONFIANCE_META_FORMAT_MARKER) - 1};
#undef CONFIANCE_META_FORMAT_MARKER

// escape(name_prefix): every partition whose name starts with name_prefix
// has physical keys starting with these bytes, and no other partition does.
std::string EscapePartitionName(std::string_view name_prefix);
// escape(partition) 0x00 0x01: the smallest physical key of `partition`.
std::string PartitionBegin(std::string_view partition);
// escape(partition) 0x00 0x02: the exclusive end of `partition`'s range.
std::string PartitionEnd(std::string_view partition);
// The physical key of `key` in `partition`.
std::string EncodeKey(std::string_view partition, std::string_view key);

struct DecodedKey {
  std::string partition;
  std::string_view key;  // a view into the physical key passed to DecodeKey
};
// Splits a physical key; std::nullopt if it is not a valid encoding.
std::optional<DecodedKey> DecodeKey(std::string_view physical);

}  // namespace confiance::meta
