// File: s3/sigv4/canonical.cc
#include "s3/sigv4/canonical.h"

#include <algorithm>

#include "s3/sigv4/errors.h"

namespace confiance::sigv4 {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }



}  // namespace

std::string UriEncode(std::string_view data, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(data.size() * 3);
  for (char ch : data) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view data, bool plus_is_space) {
  std::string out;
  out.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c == '%') {
      int hi = i + 2 < data.size() ? HexValue(data[i + 1]) : -1;
      int lo = i + 2 < data.size() ? HexValue(data[i + 2]) : -1;
      if (hi < 0 || lo < 0) return MakeError(ErrorKind::kInvalidUri, "bad percent-escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::string> CanonicalUri(std::string_view raw_path) {
  if (raw_path.empty()) return std::string("/");
  std::string out;
  out.reserve(raw_path.size() + 8);
  size_t start = 0;
  while (true) {
    size_t slash = raw_path.find('/', start);
    std::string_view segment = raw_path.substr(start, slash - start);
    ASSIGN_OR_RETURN(std::string decoded, PercentDecode(segment, /*plus_is_space=*/false));
    out += UriEncode(decoded, /*keep_slash=*/false);
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= raw_query.size()) {
    size_t amp = raw_query.find('&', start);
    std::string_view part = raw_query.substr(start, amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string_view name = part.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
      ASSIGN_OR_RETURN(std::string n, PercentDecode(name, /*plus_is_space=*/true));
      ASSIGN_OR_RETURN(std::string v, PercentDecode(value, /*plus_is_space=*/true));
      out.emplace_back(std::move(n), std::move(v));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

Result<std::string> CanonicalQueryString(std::string_view raw_query, bool exclude_signature) {
  ASSIGN_OR_RETURN(auto params, ParseQuery(raw_query));
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [name, value] : params) {
    if (exclude_signature && name == "X-Amz-Signature") continue;
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

namespace {

// Appends TrimAll(value) to `out`.
void AppendTrimmed(std::string_view value, std::string& out) {
  bool any = false;
  bool pending_space = false;
  for (char c : value) {
    if (IsBlank(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    any = true;
    out.push_back(c);
  }
}

}  // namespace

std::string TrimAll(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  AppendTrimmed(value, out);
  return out;
}

std::string CanonicalHeaders(std::span<const Header> headers,
                             std::span<const std::string> signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    out += name;
    out.push_back(':');
    bool first = true;
    for (const Header& h : headers) {
      if (!EqualsIgnoreCase(h.name, name)) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendTrimmed(h.value, out);  // no temporary string per header
    }
    out.push_back('\n');
  }
  return out;
}

Result<std::string> CanonicalRequest(const RequestView& request,
                                     std::span<const std::string> signed_headers,
                                     std::string_view payload_hash, bool presigned) {
  ASSIGN_OR_RETURN(std::string uri, CanonicalUri(request.raw_path));
  ASSIGN_OR_RETURN(std::string query, CanonicalQueryString(request.raw_query, presigned));
  std::string out;
  out.reserve(256 + uri.size() + query.size());
  out += request.method;
  out.push_back('\n');
  out += uri;
  out.push_back('\n');
  out += query;
  out.push_back('\n');
  out += CanonicalHeaders(request.headers, signed_headers);
  out.push_back('\n');
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i > 0) out.push_back(';');
    out += signed_headers[i];
  }
  out.push_back('\n');
  out += payload_hash;
  return out;
}

const Header* FindHeader(std::span<const Header> headers, std::string_view name) {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

}  // namespace confiance::sigv4
