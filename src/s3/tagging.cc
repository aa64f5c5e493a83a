// File: s3/tagging.cc
#include "s3/tagging.h"

#include <locale.h>
#include <wctype.h>

#include <optional>
#include <set>

#include "s3/sigv4/canonical.h"

namespace confiance::s3 {
namespace {

constexpr std::string_view kAllowedAsciiSymbols = " _.:/=+-@";
constexpr std::string_view kHeaderError =
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without "
    "tag name duplicates.";

// The next code point of `s` at `*pos` (advanced past it); nullopt for
// bytes that are not UTF-8 (overlong forms and surrogates included).
std::optional<char32_t> NextCodePoint(std::string_view s, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(*pos);
  size_t len = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || *pos + len > s.size()) return std::nullopt;
  char32_t cp = len == 1 ? lead : lead & (0x7f >> len);
  for (size_t i = 1; i < len; ++i) {
    unsigned char b = byte(*pos + i);
    if ((b & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3f);
  }
  static constexpr char32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  *pos += len;
  return cp;
}

locale_t Utf8Locale() {
  // Created once and never freed: classification only reads it.
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return locale;
}

// Unicode letters, digits and separators (\p{L}, \p{N}, \p{Z}) and the
// ASCII symbols S3 allows in tags.
bool AllowedInTag(char32_t cp) {
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kAllowedAsciiSymbols.find(c) != std::string_view::npos;
  }
  if (cp < 0xa0) return false;  // C1 controls
  // No-break spaces are \p{Zs}, but glibc does not count them as spaces.
  if (cp == 0xa0 || cp == 0x2007 || cp == 0x202f) return true;
  locale_t locale = Utf8Locale();
  if (locale == static_cast<locale_t>(nullptr)) return true;
  const auto wc = static_cast<wint_t>(cp);
  return iswalnum_l(wc, locale) || iswspace_l(wc, locale);
}

// The length of `s` in UTF-16 code units, or nullopt if `s` is not UTF-8
// or holds a character tags may not carry.
std::optional<size_t> CheckedUtf16Length(std::string_view s) {
  size_t units = 0;
  for (size_t pos = 0; pos < s.size();) {
    std::optional<char32_t> cp = NextCodePoint(s, &pos);
    if (!cp || !AllowedInTag(*cp)) return std::nullopt;
    units += *cp >= 0x10000 ? 2 : 1;
  }
  return units;
}

Status RefuseTagging(S3Error* error, S3ErrorCode code, std::string_view message) {
  *error = MakeError(code, std::string(message));
  return InvalidArgumentError(std::string(message));
}

}  // namespace

Result<catalog::TagMap> ValidateTags(const TagList& tags, TagScope scope, S3Error* error) {
  catalog::TagMap out;
  for (const auto& [key, value] : tags) {
    std::optional<size_t> key_length = CheckedUtf16Length(key);
    if (!key_length || *key_length == 0 || *key_length > kMaxTagKeyLength) {
      return RefuseTagging(error, S3ErrorCode::kInvalidTag, "The TagKey you have provided is invalid");
    }
    std::optional<size_t> value_length = CheckedUtf16Length(value);
    if (!value_length || *value_length > kMaxTagValueLength) {
      return RefuseTagging(error, S3ErrorCode::kInvalidTag, "The TagValue you have provided is invalid");
    }
    if (key.starts_with("aws:")) {
      return RefuseTagging(error, S3ErrorCode::kInvalidTag, "Your TagKey cannot be prefixed with aws:");
    }
    if (!out.emplace(key, value).second) {
      return RefuseTagging(error, S3ErrorCode::kInvalidTag, "Cannot provide multiple Tags with the same key");
    }
  }
  if (scope == TagScope::kObject && out.size() > kMaxObjectTags) {
    return RefuseTagging(error, S3ErrorCode::kBadRequest, "Object tags cannot be greater than 10");
  }
  if (scope == TagScope::kBucket && out.size() > kMaxBucketTags) {
    return RefuseTagging(error, S3ErrorCode::kBadRequest, "Bucket tag count cannot be greater than 50");
  }
  return out;
}

Result<catalog::TagMap> ParseTaggingHeader(std::string_view header, S3Error* error) {
  TagList tags;
  std::set<std::string> seen;
  for (size_t pos = 0; pos <= header.size();) {
    size_t amp = header.find('&', pos);
    if (amp == std::string_view::npos) amp = header.size();
    std::string_view pair = header.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.find('=', eq + 1) != std::string_view::npos) {
      return RefuseTagging(error, S3ErrorCode::kInvalidArgument, kHeaderError);
    }
    Result<std::string> key = sigv4::PercentDecode(pair.substr(0, eq), true);
    Result<std::string> value = eq == std::string_view::npos
                                    ? Result<std::string>(std::string())
                                    : sigv4::PercentDecode(pair.substr(eq + 1), true);
    if (!key.ok() || !value.ok() || !seen.insert(*key).second) {
      return RefuseTagging(error, S3ErrorCode::kInvalidArgument, kHeaderError);
    }
    tags.emplace_back(std::move(key).value(), std::move(value).value());
  }
  return ValidateTags(tags, TagScope::kObject, error);
}

}  // namespace confiance::s3
