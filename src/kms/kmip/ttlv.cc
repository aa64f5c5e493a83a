// File: kms/kmip/ttlv.cc
#include "kms/kmip/ttlv.h"

#include <openssl/crypto.h>

#include <utility>

namespace confiance::kms::kmip {
namespace {

size_t Padded(size_t n) { return (n + 7) & ~size_t{7}; }

void PutBe(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBe(std::string_view in, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// The fixed value length of a type, 0 for variable-length ones.
size_t FixedLength(ItemType t) {
  switch (t) {
    case ItemType::kInteger:
    case ItemType::kEnumeration:
    case ItemType::kInterval:
      return 4;
    case ItemType::kLongInteger:
    case ItemType::kBoolean:
    case ItemType::kDateTime:
      return 8;
    default:
      return 0;
  }
}

bool KnownType(uint8_t t) { return t >= 0x01 && t <= 0x0A; }

void EncodeInto(const Item& item, std::string& out) {
  PutBe(out, item.tag, 3);
  out.push_back(static_cast<char>(item.type));
  const size_t len_at = out.size();
  PutBe(out, 0, 4);
  size_t len = 0;
  switch (item.type) {
    case ItemType::kStructure: {
      const size_t start = out.size();
      for (const Item& c : item.children) EncodeInto(c, out);
      len = out.size() - start;
      break;
    }
    case ItemType::kInteger:
    case ItemType::kEnumeration:
    case ItemType::kInterval:
      len = 4;
      PutBe(out, static_cast<uint32_t>(item.number), 4);
      PutBe(out, 0, 4);
      break;
    case ItemType::kLongInteger:
    case ItemType::kBoolean:
    case ItemType::kDateTime:
      len = 8;
      PutBe(out, static_cast<uint64_t>(item.number), 8);
      break;
    case ItemType::kBigInteger:
    case ItemType::kTextString:
    case ItemType::kByteString:
      len = item.bytes.size();
      out.append(item.bytes);
      out.append(Padded(len) - len, '\0');
      break;
  }
  for (int i = 0; i < 4; ++i) out[len_at + i] = static_cast<char>((len >> (8 * (3 - i))) & 0xff);
}

class Decoder {
 public:
  Result<Item> DecodeOne(std::string_view& in, int depth) {
    if (depth > kMaxTtlvDepth) return DataLossError("KMIP message nested too deeply");
    if (++items_ > kMaxTtlvItems) return DataLossError("KMIP message has too many items");
    if (in.size() < kTtlvHeaderSize) return DataLossError("truncated KMIP item header");
    Item item;
    item.tag = static_cast<uint32_t>(GetBe(in, 3));
    const uint8_t type = static_cast<uint8_t>(in[3]);
    if (!KnownType(type)) return DataLossError("unknown KMIP item type");
    item.type = static_cast<ItemType>(type);
    const size_t len = GetBe(in.substr(4), 4);
    in.remove_prefix(kTtlvHeaderSize);
    const size_t fixed = FixedLength(item.type);
    if (fixed != 0 && len != fixed) return DataLossError("KMIP item length does not fit its type");
    if (item.type == ItemType::kBigInteger && len % 8 != 0) return DataLossError("KMIP big integer length");
    const size_t padded = Padded(len);
    if (padded < len || in.size() < padded) return DataLossError("KMIP item overruns its message");
    std::string_view value = in.substr(0, len);
    for (char c : in.substr(len, padded - len)) {
      if (c != '\0') return DataLossError("non-zero KMIP padding");
    }
    in.remove_prefix(padded);
    switch (item.type) {
      case ItemType::kStructure:
        while (!value.empty()) {
          Result<Item> child = DecodeOne(value, depth + 1);
          if (!child.ok()) return child.status();
          item.children.push_back(std::move(child).value());
        }
        break;
      case ItemType::kInteger:
        item.number = static_cast<int32_t>(GetBe(value, 4));
        break;
      case ItemType::kEnumeration:
      case ItemType::kInterval:
        item.number = static_cast<int64_t>(GetBe(value, 4));
        break;
      case ItemType::kBoolean:
        item.number = static_cast<int64_t>(GetBe(value, 8));
        if (item.number != 0 && item.number != 1) return DataLossError("KMIP boolean not 0 or 1");
        break;
      case ItemType::kLongInteger:
      case ItemType::kDateTime:
        item.number = static_cast<int64_t>(GetBe(value, 8));
        break;
      case ItemType::kBigInteger:
      case ItemType::kTextString:
      case ItemType::kByteString:
        item.bytes.assign(value);
        break;
    }
    return item;
  }

 private:
  size_t items_ = 0;
};

Item Number(uint32_t tag, ItemType type, int64_t v) {
  Item i;
  i.tag = tag;
  i.type = type;
  i.number = v;
  return i;
}

Item Bytes(uint32_t tag, ItemType type, std::string v) {
  Item i;
  i.tag = tag;
  i.type = type;
  i.bytes = std::move(v);
  return i;
}

}  // namespace

const Item* Item::Find(uint32_t t) const {
  for (const Item& c : children) {
    if (c.tag == t) return &c;
  }
  return nullptr;
}

std::vector<const Item*> Item::FindAll(uint32_t t) const {
  std::vector<const Item*> out;
  for (const Item& c : children) {
    if (c.tag == t) out.push_back(&c);
  }
  return out;
}

std::optional<int64_t> Item::FindNumber(uint32_t t, ItemType ty) const {
  const Item* c = Find(t);
  if (c == nullptr || c->type != ty) return std::nullopt;
  return c->number;
}

std::optional<std::string> Item::FindBytes(uint32_t t, ItemType ty) const {
  const Item* c = Find(t);
  if (c == nullptr || c->type != ty) return std::nullopt;
  return c->bytes;
}

Item Structure(uint32_t tag, std::vector<Item> children) {
  Item i;
  i.tag = tag;
  i.type = ItemType::kStructure;
  i.children = std::move(children);
  return i;
}
Item Integer(uint32_t tag, int32_t v) { return Number(tag, ItemType::kInteger, v); }
Item LongInteger(uint32_t tag, int64_t v) { return Number(tag, ItemType::kLongInteger, v); }
Item Enumeration(uint32_t tag, uint32_t v) { return Number(tag, ItemType::kEnumeration, v); }
Item Boolean(uint32_t tag, bool v) { return Number(tag, ItemType::kBoolean, v ? 1 : 0); }
Item TextString(uint32_t tag, std::string v) { return Bytes(tag, ItemType::kTextString, std::move(v)); }
Item ByteString(uint32_t tag, std::string v) { return Bytes(tag, ItemType::kByteString, std::move(v)); }
Item DateTime(uint32_t tag, int64_t s) { return Number(tag, ItemType::kDateTime, s); }
Item Interval(uint32_t tag, uint32_t s) { return Number(tag, ItemType::kInterval, s); }

std::string Encode(const Item& item) {
  std::string out;
  EncodeInto(item, out);
  return out;
}

Result<Item> Decode(std::string_view data) {
  Decoder d;
  Result<Item> item = d.DecodeOne(data, 0);
  if (!item.ok()) return item;
  if (!data.empty()) return DataLossError("trailing bytes after KMIP message");
  return item;
}

size_t MessageSize(std::string_view header) { return kTtlvHeaderSize + GetBe(header.substr(4), 4); }

void Wipe(Item& item) {
  if (!item.bytes.empty()) OPENSSL_cleanse(item.bytes.data(), item.bytes.size());
  for (Item& c : item.children) Wipe(c);
}

}  // namespace confiance::kms::kmip
