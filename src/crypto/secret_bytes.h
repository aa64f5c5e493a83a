// File: crypto/secret_bytes.h
// SecretBytes: key material that is wiped (OPENSSL_cleanse, which the
// compiler cannot elide) when freed. Move-only; never logged or printed.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace confiance::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size) {}
  SecretBytes(std::span<const std::byte> data) : bytes_(data.begin(), data.end()) {}  // NOLINT
  ~SecretBytes() { Wipe(); }
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      Wipe();
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit copy, so that every duplication of key material is visible.
  SecretBytes Clone() const { return SecretBytes(span()); }

  std::span<const std::byte> span() const { return bytes_; }
  std::span<std::byte> mutable_span() { return bytes_; }
  const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(bytes_.data()); }
  unsigned char* mutable_data() { return reinterpret_cast<unsigned char*>(bytes_.data()); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

 private:
  void Wipe();
  std::vector<std::byte> bytes_;
};

}  // namespace confiance::crypto
