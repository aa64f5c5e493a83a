// File: s3/range.cc
#include "s3/range.h"

#include <charconv>

#include "common/ascii.h"

namespace confiance::s3 {
namespace {

std::optional<uint64_t> ParseNumber(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

RangeResult ResolveRange(std::string_view header, uint64_t size) {
  RangeResult whole;
  header = TrimSpaceAndTab(header);
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return whole;
  std::string_view spec = TrimSpaceAndTab(header.substr(kPrefix.size()));
  if (spec.find(',') != std::string_view::npos) return whole;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view a = TrimSpaceAndTab(spec.substr(0, dash));
  std::string_view b = TrimSpaceAndTab(spec.substr(dash + 1));

  RangeResult r;
  r.outcome = RangeOutcome::kPartial;
  if (a.empty()) {  // suffix: the last n bytes
    std::optional<uint64_t> n = ParseNumber(b);
    if (!n) return whole;
    if (*n == 0 || size == 0) return {RangeOutcome::kUnsatisfiable, {}};
    uint64_t len = *n > size ? size : *n;
    r.range = {size - len, size - 1};
    return r;
  }
  std::optional<uint64_t> first = ParseNumber(a);
  if (!first) return whole;
  uint64_t last = UINT64_MAX;
  if (!b.empty()) {
    std::optional<uint64_t> l = ParseNumber(b);
    if (!l) return whole;
    if (*l < *first) return whole;  // invalid syntax per RFC 9110: ignored
    last = *l;
  }
  if (*first >= size) return {RangeOutcome::kUnsatisfiable, {}};
  if (last >= size) last = size - 1;
  r.range = {*first, last};
  return r;
}

std::optional<PartSpan> FindPart(std::span<const uint64_t> part_sizes, uint64_t part_number) {
  if (part_number == 0 || part_number > part_sizes.size()) return std::nullopt;
  PartSpan span;
  for (uint64_t i = 0; i + 1 < part_number; ++i) span.first += part_sizes[i];
  span.length = part_sizes[part_number - 1];
  return span;
}

}  // namespace confiance::s3
