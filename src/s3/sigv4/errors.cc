// File: s3/sigv4/errors.cc
#include "s3/sigv4/errors.h"

#include <array>

namespace confiance::sigv4 {
namespace {

struct KindInfo {
  ErrorKind kind;
  std::string_view name;
  StatusCode code;
};

constexpr std::array<KindInfo, 18> kKinds = {{
    {ErrorKind::kMissingAuth, "MissingAuth", StatusCode::kUnauthenticated},
    {ErrorKind::kUnsupportedAuth, "UnsupportedAuth", StatusCode::kInvalidArgument},
    {ErrorKind::kAmbiguousAuth, "AmbiguousAuth", StatusCode::kInvalidArgument},
    {ErrorKind::kAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed",
     StatusCode::kInvalidArgument},
    {ErrorKind::kAuthorizationQueryMalformed, "AuthorizationQueryMalformed",
     StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidUri, "InvalidUri", StatusCode::kInvalidArgument},
    {ErrorKind::kMissingDate, "MissingDate", StatusCode::kPermissionDenied},
    {ErrorKind::kInvalidAccessKeyId, "InvalidAccessKeyId", StatusCode::kUnauthenticated},
    {ErrorKind::kSignatureDoesNotMatch, "SignatureDoesNotMatch", StatusCode::kUnauthenticated},
    {ErrorKind::kRequestTimeTooSkewed, "RequestTimeTooSkewed", StatusCode::kPermissionDenied},
    {ErrorKind::kRequestExpired, "RequestExpired", StatusCode::kPermissionDenied},
    {ErrorKind::kRequestNotYetValid, "RequestNotYetValid", StatusCode::kPermissionDenied},
    {ErrorKind::kHeadersNotSigned, "HeadersNotSigned", StatusCode::kPermissionDenied},
    {ErrorKind::kMissingContentSha256, "MissingContentSha256", StatusCode::kInvalidArgument},
    {ErrorKind::kInvalidContentSha256, "InvalidContentSha256", StatusCode::kInvalidArgument},
    {ErrorKind::kIncompleteBody, "IncompleteBody", StatusCode::kOutOfRange},
    {ErrorKind::kMalformedChunk, "MalformedChunk", StatusCode::kInvalidArgument},
    {ErrorKind::kInternal, "Internal", StatusCode::kInternal},
}};

constexpr std::string_view kTagPrefix = "[sigv4:";

const KindInfo& Info(ErrorKind kind) {
  for (const KindInfo& info : kKinds) {
    if (info.kind == kind) return info;
  }
  return kKinds.back();
}

}  // namespace

std::string_view ErrorKindName(ErrorKind kind) { return Info(kind).name; }

StatusCode ErrorKindCode(ErrorKind kind) { return Info(kind).code; }

Status MakeError(ErrorKind kind, std::string_view detail) {
  std::string message(kTagPrefix);
  message += Info(kind).name;
  message += "] ";
  message += detail;
  return Status(Info(kind).code, std::move(message));
}

std::optional<ErrorKind> ErrorKindOf(const Status& status) {
  if (status.ok()) return std::nullopt;
  std::string_view msg = status.message();
  if (!msg.starts_with(kTagPrefix)) return std::nullopt;
  msg.remove_prefix(kTagPrefix.size());
  size_t end = msg.find(']');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view name = msg.substr(0, end);
  for (const KindInfo& info : kKinds) {
    if (info.name == name && info.code == status.code()) return info.kind;
  }
  return std::nullopt;
}

}  // namespace confiance::sigv4
