// File: crypto/secret_bytes.h
// SecretBytes: key material that is wiped (OPENSSL_cleanse, which the
// compiler cannot elide) when freed. Move-only; never logged or printed.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace confiance::crypto {

namespace internal {
struct KeySchedule;
}

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size) {}
  SecretBytes(std::span<const std::byte> data) : bytes_(data.begin(), data.end()) {}  // NOLINT
  ~SecretBytes() { Wipe(); }
  SecretBytes(SecretBytes&& other) noexcept
      : bytes_(std::move(other.bytes_)), schedule_(other.schedule_.exchange(nullptr)) {
    other.bytes_.clear();
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      Wipe();
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
      schedule_.store(other.schedule_.exchange(nullptr));
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit copy, so that every duplication of key material is visible.
  SecretBytes Clone() const { return SecretBytes(span()); }

  std::span<const std::byte> span() const { return bytes_; }
  // The mutable views drop the kept cipher context (schedule()): it would
  // no longer match the bytes once they change.
  std::span<std::byte> mutable_span() {
    DropSchedule();
    return bytes_;
  }
  const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(bytes_.data()); }
  unsigned char* mutable_data() {
    DropSchedule();
    return reinterpret_cast<unsigned char*>(bytes_.data());
  }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  // Internal to crypto/ (key_schedule.h): the cipher context this key keeps
  // keyed when it wraps other keys, created on first use (safe from several
  // threads at once) and wiped with the bytes. Clone() does not copy it.
  internal::KeySchedule& schedule() const;

 private:
  void Wipe();
  void DropSchedule() {
    if (schedule_.load(std::memory_order_relaxed) != nullptr) DeleteSchedule();
  }
  void DeleteSchedule();
  std::vector<std::byte> bytes_;
  mutable std::atomic<internal::KeySchedule*> schedule_{nullptr};
};

}  // namespace confiance::crypto
