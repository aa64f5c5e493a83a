// File: s3/copy_source.cc
#include "s3/copy_source.h"

#include "catalog/version_id.h"

#include <fmt/format.h>

#include <charconv>

#include "s3/sigv4/canonical.h"

namespace confiance::s3 {
namespace {

// A non-empty run of decimal digits that fits in 64 bits.
std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

S3Error RangeArgumentError(std::string message, std::string_view header) {
  S3Error e = MakeError(S3ErrorCode::kInvalidArgument, std::move(message));
  e.details.emplace_back("ArgumentName", "x-amz-copy-source-range");
  e.details.emplace_back("ArgumentValue", std::string(header));
  return e;
}

}  // namespace

Result<CopySource> ParseCopySource(std::string_view header, S3Error* error) {
  size_t q = header.find('?');
  std::string_view path = header.substr(0, q);
  std::optional<std::string> version_id;
  if (q != std::string_view::npos) {
    std::string_view query = header.substr(q + 1);
    if (query.starts_with("versionId=")) {
      std::string_view v = query.substr(10);
      if (v != catalog::kNullVersionId && !catalog::DecodeVersionId(v)) {
        *error = MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
        return InvalidArgumentError("version id");
      }
      version_id = std::string(v);
    }
  }
  Result<std::string> decoded = sigv4::PercentDecode(path, false);
  std::string_view rest;
  if (decoded.ok()) rest = *decoded;
  if (rest.starts_with('/')) rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (!decoded.ok() || slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
    *error = MakeError(S3ErrorCode::kInvalidArgument,
                       "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    return InvalidArgumentError("copy source");
  }
  return CopySource{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)), std::move(version_id)};
}

Result<ByteRange> ParseCopySourceRange(std::string_view header, S3Error* error) {
  constexpr std::string_view kPrefix = "bytes=";
  std::optional<uint64_t> first;
  std::optional<uint64_t> last;
  if (header.starts_with(kPrefix)) {
    std::string_view spec = header.substr(kPrefix.size());
    size_t dash = spec.find('-');
    if (dash != std::string_view::npos) {
      first = ParseDecimal(spec.substr(0, dash));
      last = ParseDecimal(spec.substr(dash + 1));
    }
  }
  if (!first || !last) {
    *error = RangeArgumentError(
        "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the "
        "zero-based offsets of the first and last bytes to copy",
        header);
    return InvalidArgumentError("copy source range syntax");
  }
  return ByteRange{*first, *last};
}

std::optional<S3Error> CheckCopySourceRange(const ByteRange& range, uint64_t size) {
  if (range.first <= range.last && range.last < size) return std::nullopt;
  return MakeError(S3ErrorCode::kInvalidArgument,
                   fmt::format("Range specified is not valid for source object of size: {}", size));
}

std::optional<S3Error> CheckCopyLength(uint64_t length, uint64_t limit) {
  if (length <= limit) return std::nullopt;
  return MakeError(S3ErrorCode::kInvalidRequest,
                   fmt::format("The specified copy source is larger than the maximum allowable size for a copy "
                               "source: {}",
                               limit));
}

}  // namespace confiance::s3
