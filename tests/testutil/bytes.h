// File: tests/testutil/bytes.h
// Byte helpers for tests: a string as the byte span the stores and the
// crypto functions take, and reproducible pseudo-random contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>

namespace confiance::testutil {

// The span refers to the string: keep the string alive.
inline std::span<const std::byte> AsBytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

// `n` pseudo-random bytes (std::mt19937 from `seed`): the same for the same
// seed, different enough between seeds to tell objects apart.
inline std::string SeededBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

}  // namespace confiance::testutil
