// File: fuzz/sigv4_fuzz.cc
// libFuzzer target for SigV4 (and SigV2) request parsing: the Authorization
// header, the presigned query, the canonicalisers and Verify() on a request
// built from the input. Nothing may crash, hang or read out of bounds; every failure
// must be a tagged sigv4 error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/errors.h"
#include "s3/sigv4/sigv2.h"
#include "s3/sigv4/verify.h"

namespace {

using namespace confiance::sigv4;  // NOLINT: fuzz driver

// Splits the input on '\n' into: method, path, query, then header lines
// "name:value".
RequestView BuildRequest(std::string_view in, std::vector<Header>& headers,
                         std::vector<std::string_view>& lines) {
  size_t start = 0;
  while (start <= in.size() && lines.size() < 64) {
    size_t nl = in.find('\n', start);
    lines.push_back(in.substr(start, nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  while (lines.size() < 3) lines.push_back("");
  for (size_t i = 3; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    headers.push_back({lines[i].substr(0, colon),
                       colon == std::string_view::npos ? "" : lines[i].substr(colon + 1)});
  }
  return {lines[0], lines[1], lines[2], headers};
}

void CheckTagged(const confiance::Status& s) {
  if (!s.ok() && !ErrorKindOf(s).has_value() &&
      s.code() != confiance::StatusCode::kNotFound) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckTagged(ParseAuthorizationHeader(in).status());
  CheckTagged(ParsePresignQuery(in).status());
  CheckTagged(CanonicalUri(in).status());
  CheckTagged(CanonicalQueryString(in, true).status());
  ParseAmzDate(in).IgnoreError();
  ParseHttpDate(in).IgnoreError();

  std::vector<Header> headers;
  std::vector<std::string_view> lines;
  RequestView req = BuildRequest(in, headers, lines);
  SecretLookup lookup = [](std::string_view ak) -> confiance::Result<std::string> {
    if (ak == "AK") return std::string("secret");
    return confiance::NotFoundError("unknown");
  };
  auto now = ParseAmzDate("20130524T000000Z").value();
  auto ctx = Verify(req, lookup, now);
  CheckTagged(ctx.status());
  // The same request through SigV2, path- and virtual-host style.
  if (confiance::sigv2::IsSigV2(req)) {
    CheckTagged(confiance::sigv2::Verify(req, "", lookup, now).status());
    CheckTagged(confiance::sigv2::Verify(req, "/bucket", lookup, now).status());
  }
  CheckTagged(confiance::sigv2::CanonicalizedResource("", in, in).status());
  return 0;
}
