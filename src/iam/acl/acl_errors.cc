// File: iam/acl/acl_errors.cc
#include "iam/acl/acl_errors.h"

#include <array>
#include <string>
#include <utility>

namespace confiance::iam::acl {
namespace {

constexpr std::array<std::pair<ErrorKind, std::string_view>, 7> kKindNames = {{
    {ErrorKind::kInvalidCannedAcl, "InvalidCannedAcl"},
    {ErrorKind::kMalformedGrantHeader, "MalformedGrantHeader"},
    {ErrorKind::kInvalidGroupUri, "InvalidGroupUri"},
    {ErrorKind::kEmailGrantee, "EmailGrantee"},
    {ErrorKind::kCannedWithGrantHeaders, "CannedWithGrantHeaders"},
    {ErrorKind::kMalformedAcl, "MalformedAcl"},
    {ErrorKind::kMalformedXml, "MalformedXml"},
}};

constexpr std::string_view kTagPrefix = "[acl:";

}  // namespace

std::string_view ErrorKindName(ErrorKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "";
}

Status MakeError(ErrorKind kind, std::string_view detail) {
  std::string message(kTagPrefix);
  message += ErrorKindName(kind);
  message += "] ";
  message += detail;
  return InvalidArgumentError(std::move(message));
}

std::optional<ErrorKind> ErrorKindOf(const Status& status) {
  if (status.code() != StatusCode::kInvalidArgument) return std::nullopt;
  std::string_view msg = status.message();
  if (!msg.starts_with(kTagPrefix)) return std::nullopt;
  msg.remove_prefix(kTagPrefix.size());
  size_t end = msg.find(']');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view name = msg.substr(0, end);
  for (const auto& [k, n] : kKindNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace confiance::iam::acl
