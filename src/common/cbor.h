// File: common/cbor.h
// Decoding a stored CBOR record without exceptions escaping. nlohmann's
// from_cbor with allow_exceptions=false still throws out_of_range (408) for
// a map or array announcing an excessive size, so a corrupted record would
// terminate the server; every record decoder goes through this instead.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace confiance {

// The decoded value, or a discarded value (is_discarded()) if `bytes` is
// not one well-formed CBOR item.
inline nlohmann::json ParseCborRecord(std::string_view bytes) {
  try {
    return nlohmann::json::from_cbor(bytes.begin(), bytes.end(), /*strict=*/true, /*allow_exceptions=*/false);
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

}  // namespace confiance
