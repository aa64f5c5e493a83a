// File: meta/counters.cc
#include "meta/counters.h"

namespace confiance::meta {

std::string EncodeCounters(const std::vector<int64_t>& values) {
  std::string out(values.size() * 8, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint64_t v = static_cast<uint64_t>(values[i]);
    for (int b = 7; b >= 0; --b) {
      out[i * 8 + static_cast<size_t>(b)] = static_cast<char>(v & 0xff);
      v >>= 8;
    }
  }
  return out;
}

Result<std::vector<int64_t>> DecodeCounters(std::string_view raw) {
  if (raw.empty() || raw.size() % 8 != 0) return DataLossError("meta: malformed counter value");
  std::vector<int64_t> out(raw.size() / 8);
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t v = 0;
    for (size_t b = 0; b < 8; ++b) v = (v << 8) | static_cast<unsigned char>(raw[i * 8 + b]);
    out[i] = static_cast<int64_t>(v);
  }
  return out;
}

Result<std::string> AddCounters(const std::optional<std::string>& current, const std::vector<int64_t>& deltas) {
  std::vector<int64_t> values;
  if (current) {
    ASSIGN_OR_RETURN(values, DecodeCounters(*current));
  }
  if (values.size() < deltas.size()) values.resize(deltas.size(), 0);
  for (size_t i = 0; i < deltas.size(); ++i) {
    // Wrap-around arithmetic (defined on unsigned): counters never get near it.
    values[i] = static_cast<int64_t>(static_cast<uint64_t>(values[i]) + static_cast<uint64_t>(deltas[i]));
  }
  return EncodeCounters(values);
}

}  // namespace confiance::meta
