// File: tests/testutil/secret_bytes.h
// Test helpers for key material: comparing two SecretBytes, and keys whose
// bytes are a known sequence (for derivations checked against fixed
// vectors or against each other).
#pragma once

#include <algorithm>
#include <cstddef>

#include "crypto/secret_bytes.h"

namespace confiance::testutil {

// Whether `a` and `b` hold the same bytes. Not constant-time: tests only.
inline bool SameSecret(const crypto::SecretBytes& a, const crypto::SecretBytes& b) {
  return std::equal(a.span().begin(), a.span().end(), b.span().begin(), b.span().end());
}

// `n` bytes first, first + 1, ... (mod 256).
inline crypto::SecretBytes SequenceSecret(int first, size_t n) {
  crypto::SecretBytes k(n);
  for (size_t i = 0; i < n; ++i) k.mutable_data()[i] = static_cast<unsigned char>(first + static_cast<int>(i));
  return k;
}

}  // namespace confiance::testutil
