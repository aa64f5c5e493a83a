// File: s3/bucket_name.cc
#include "s3/bucket_name.h"

#include <cctype>

namespace confiance::s3 {
namespace {

bool LooksLikeIpv4(std::string_view s) {
  int dots = 0;
  int digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

}  // namespace

bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) { return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!alnum(c) && c != '.' && c != '-') return false;
    if (i > 0 && c == '.' && (name[i - 1] == '.' || name[i - 1] == '-')) return false;
    if (i > 0 && c == '-' && name[i - 1] == '.') return false;
  }
  if (LooksLikeIpv4(name)) return false;
  if (name.starts_with("xn--") || name.starts_with("sthree-")) return false;
  if (name.ends_with("-s3alias") || name.ends_with("--ol-s3")) return false;
  return true;
}

}  // namespace confiance::s3
