// File: crypto/encoding.h
// Hex and Base64 codecs and constant-time comparison. Pure functions on
// views; safe for concurrent use.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::crypto {

// Lowercase hex, two characters per byte.
std::string HexEncode(std::span<const std::byte> data);
std::string HexEncode(std::string_view data);

// Decodes hex (either case). InvalidArgument on an odd length or a
// non-hex character.
Result<std::string> HexDecode(std::string_view hex);

// Standard Base64 (RFC 4648 section 4: "+/" alphabet, "=" padding).
std::string Base64Encode(std::span<const std::byte> data);
std::string Base64Encode(std::string_view data);

// Strict inverse of Base64Encode: InvalidArgument unless `text` is exactly
// what Base64Encode would produce for some input (length a multiple of 4,
// alphabet characters only, no whitespace, at most two "=" and only at the
// end, zero unused trailing bits).
Result<std::string> Base64Decode(std::string_view text);

// True if a and b are equal. The time taken depends on the lengths only,
// never on the contents (CRYPTO_memcmp): use it for every comparison of a
// MAC, signature or secret.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace confiance::crypto
