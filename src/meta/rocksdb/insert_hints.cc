// File: meta/rocksdb/insert_hints.cc
#include "meta/rocksdb/insert_hints.h"

#include <string_view>
#include <utility>

#include "meta/rocksdb/key_format.h"

namespace confiance::meta {
namespace {

constexpr size_t kKeyBytesInPrefix = 2;

class PartitionKeyPrefix final : public rocksdb::SliceTransform {
 public:
  explicit PartitionKeyPrefix(std::vector<std::string> escaped) : escaped_(std::move(escaped)) {}

  const char* Name() const override { return "confiance.PartitionKeyPrefix"; }

  bool InDomain(const rocksdb::Slice& key) const override { return PrefixLength(key) != 0; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), PrefixLength(key));
  }

 private:
  // The length of the hint prefix of physical key `key`; 0 if it is not in
  // a named partition. A partition name ends at the first 0x00 0x01 (a 0x00
  // inside a name is escaped as 0x00 0xFF: key_format.h).
  size_t PrefixLength(const rocksdb::Slice& key) const {
    std::string_view k(key.data(), key.size());
    bool named = false;
    for (const std::string& p : escaped_) named = named || k.starts_with(p);
    if (!named) return 0;
    const size_t end = k.find(std::string_view("\x00\x01", 2));
    if (end == std::string_view::npos) return 0;
    return std::min(k.size(), end + 2 + kKeyBytesInPrefix);
  }

  const std::vector<std::string> escaped_;  // escaped partition-name prefixes
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> NewInsertHintPrefixes(std::vector<std::string> partition_prefixes) {
  if (partition_prefixes.empty()) return nullptr;
  std::vector<std::string> escaped;
  for (const std::string& p : partition_prefixes) escaped.push_back(EscapePartitionName(p));
  return std::make_shared<PartitionKeyPrefix>(std::move(escaped));
}

}  // namespace confiance::meta
