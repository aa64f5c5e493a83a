// File: s3/list_params.cc
#include "s3/list_params.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "s3/sigv4/canonical.h"

namespace confiance::s3 {

std::optional<size_t> ParseListLimit(const Route& route, std::string_view name, S3Error* error) {
  std::optional<std::string> text = route.Query(name);
  if (!text) return 1000;
  int64_t v = -1;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < 0) {
    *error = MakeError(S3ErrorCode::kInvalidArgument,
                       fmt::format("Provided {} not an integer or within integer range", name));
    return std::nullopt;
  }
  return static_cast<size_t>(std::min<int64_t>(v, 1000));
}

std::optional<bool> ParseEncodingType(const Route& route, S3Error* error) {
  std::optional<std::string> encoding = route.Query("encoding-type");
  if (encoding && *encoding != "url") {
    *error = MakeError(S3ErrorCode::kInvalidArgument, "Invalid Encoding Method specified in Request");
    return std::nullopt;
  }
  return encoding.has_value();
}

std::string MaybeEncode(const std::string& s, bool url) { return url ? sigv4::UriEncode(s, true) : s; }

}  // namespace confiance::s3
