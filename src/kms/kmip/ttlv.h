// File: kms/kmip/ttlv.h
// KMIP's Tag-Type-Length-Value encoding (KMIP 1.2 spec, section 9.1): every
// item is a 3-byte tag, a 1-byte type, a 4-byte big-endian value length and
// the value padded with zeros to a multiple of 8 bytes. A Structure's value
// is the concatenation of its children's encodings.
//
// Item is a small tree: the encoder writes it, the decoder builds it from
// bytes a KMS sent (untrusted: bounded depth and item count, every length
// checked; fuzzed by fuzz/kmip_ttlv_fuzz.cc).
//
// Thread-safety: pure functions and value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::kms::kmip {

enum class ItemType : uint8_t {
  kStructure = 0x01,
  kInteger = 0x02,      // 32-bit signed, padded to 8
  kLongInteger = 0x03,  // 64-bit signed
  kBigInteger = 0x04,   // two's complement, length a multiple of 8
  kEnumeration = 0x05,  // 32-bit unsigned, padded to 8
  kBoolean = 0x06,      // 64-bit, 0 or 1
  kTextString = 0x07,   // UTF-8, padded
  kByteString = 0x08,   // padded
  kDateTime = 0x09,     // 64-bit POSIX seconds
  kInterval = 0x0A,     // 32-bit unsigned seconds, padded to 8
};

inline constexpr size_t kTtlvHeaderSize = 8;
// Decoder bounds: KMIP responses Confiance reads are a few hundred bytes
// and five levels deep.
inline constexpr int kMaxTtlvDepth = 16;
inline constexpr size_t kMaxTtlvItems = 4096;

struct Item {
  uint32_t tag = 0;  // 24 bits
  ItemType type = ItemType::kStructure;
  int64_t number = 0;              // Integer, LongInteger, Enumeration, Boolean, DateTime, Interval
  std::string bytes;               // TextString, ByteString, BigInteger
  std::vector<Item> children;      // Structure

  // The first direct child with `tag`, or nullptr. The pointer lives as long
  // as this item is not modified.
  const Item* Find(uint32_t tag) const;
  // Every direct child with `tag`, in order.
  std::vector<const Item*> FindAll(uint32_t tag) const;
  // The first direct child with `tag` and `type`'s value, or nullopt.
  std::optional<int64_t> FindNumber(uint32_t tag, ItemType type) const;
  std::optional<std::string> FindBytes(uint32_t tag, ItemType type) const;
};

// Builders.
Item Structure(uint32_t tag, std::vector<Item> children);
Item Integer(uint32_t tag, int32_t v);
Item LongInteger(uint32_t tag, int64_t v);
Item Enumeration(uint32_t tag, uint32_t v);
Item Boolean(uint32_t tag, bool v);
Item TextString(uint32_t tag, std::string v);
Item ByteString(uint32_t tag, std::string v);
Item DateTime(uint32_t tag, int64_t posix_seconds);
Item Interval(uint32_t tag, uint32_t seconds);

// The TTLV encoding of `item` (and its children).
// REQUIRES: tag < 2^24; a BigInteger's bytes a multiple of 8 in size.
std::string Encode(const Item& item);

// Decodes exactly one item that spans all of `data`. DataLoss on any
// malformation: truncation, trailing bytes, a length that does not fit its
// type or its parent, non-zero padding, an unknown type, a Boolean other
// than 0/1, more than kMaxTtlvDepth levels or kMaxTtlvItems items.
Result<Item> Decode(std::string_view data);

// From the first kTtlvHeaderSize bytes of a message, the size of the whole
// message (header included). REQUIRES: header.size() >= kTtlvHeaderSize.
size_t MessageSize(std::string_view header);

// Overwrites every byte string in `item` (recursively) with zeros, for
// messages that carried key material.
void Wipe(Item& item);

}  // namespace confiance::kms::kmip
