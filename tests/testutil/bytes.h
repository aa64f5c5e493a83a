// File: tests/testutil/bytes.h
// AsBytes: a string's characters as the byte span the stores and the crypto
// functions take. The span refers to the string: keep the string alive.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace confiance::testutil {

inline std::span<const std::byte> AsBytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

}  // namespace confiance::testutil
