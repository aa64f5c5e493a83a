// File: s3/cors.cc
#include "s3/cors.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/ascii.h"

namespace confiance::s3 {
namespace {

// An empty `message` keeps the error table's default one.
Status RefuseCors(S3Error* error, S3ErrorCode code, std::string message) {
  *error = MakeError(code, message);
  return InvalidArgumentError(message.empty() ? "invalid CORS configuration" : std::move(message));
}

bool EqualBytes(std::string_view a, std::string_view b, bool ignore_case) {
  return ignore_case ? EqualsIgnoreCase(a, b) : a == b;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// "*" only, or the first origin pattern of `rule` that matches.
std::optional<CorsMatch> OriginMatch(const catalog::CorsRule& rule, std::string_view origin) {
  for (const std::string& pattern : rule.allowed_origins) {
    if (CorsPatternMatches(pattern, origin, false)) return CorsMatch{&rule, pattern == "*"};
  }
  return std::nullopt;
}

bool HeaderAllowed(const catalog::CorsRule& rule, std::string_view header) {
  return std::any_of(rule.allowed_headers.begin(), rule.allowed_headers.end(),
                     [&](const std::string& pattern) { return CorsPatternMatches(pattern, header, true); });
}

}  // namespace

Status ValidateCorsRules(const std::vector<catalog::CorsRule>& rules, S3Error* error) {
  if (rules.empty() || rules.size() > kMaxCorsRules) {
    return RefuseCors(error, S3ErrorCode::kMalformedXML, {});
  }
  for (const catalog::CorsRule& rule : rules) {
    if (rule.allowed_origins.empty() || rule.allowed_methods.empty() || rule.id.size() > kMaxCorsRuleIdLength ||
        (rule.max_age_seconds && *rule.max_age_seconds < 0)) {
      return RefuseCors(error, S3ErrorCode::kMalformedXML, {});
    }
    for (const std::string& method : rule.allowed_methods) {
      if (std::find(kCorsMethods.begin(), kCorsMethods.end(), method) == kCorsMethods.end()) {
        return RefuseCors(error, S3ErrorCode::kInvalidRequest,
                          "Found unsupported HTTP method in CORS config. Unsupported method is " + method);
      }
    }
    for (const std::string& origin : rule.allowed_origins) {
      if (std::count(origin.begin(), origin.end(), '*') > 1) {
        return RefuseCors(error, S3ErrorCode::kInvalidRequest,
                          fmt::format("AllowedOrigin \"{}\" can not have more than one wildcard.", origin));
      }
    }
    for (const std::string& header : rule.allowed_headers) {
      if (std::count(header.begin(), header.end(), '*') > 1) {
        return RefuseCors(error, S3ErrorCode::kInvalidRequest,
                          fmt::format("AllowedHeader \"{}\" can not have more than one wildcard.", header));
      }
    }
    for (const std::string& header : rule.expose_headers) {
      if (header.find('*') != std::string::npos) {
        return RefuseCors(error, S3ErrorCode::kInvalidRequest,
                          fmt::format("ExposeHeader \"{}\" contains wildcard. We currently do not support "
                                      "wildcard for ExposeHeader.",
                                      header));
      }
    }
  }
  return OkStatus();
}

bool CorsPatternMatches(std::string_view pattern, std::string_view value, bool ignore_case) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos || pattern.find('*', star + 1) != std::string_view::npos) {
    return EqualBytes(pattern, value, ignore_case);
  }
  std::string_view prefix = pattern.substr(0, star);
  std::string_view suffix = pattern.substr(star + 1);
  return value.size() >= prefix.size() + suffix.size() &&
         EqualBytes(value.substr(0, prefix.size()), prefix, ignore_case) &&
         EqualBytes(value.substr(value.size() - suffix.size()), suffix, ignore_case);
}

std::vector<std::string> ParseCorsRequestHeaders(std::string_view value) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = TrimSpaceAndTab(value.substr(pos, comma - pos));
    if (!item.empty()) out.push_back(ToLower(item));
    pos = comma + 1;
  }
  return out;
}

std::optional<CorsMatch> MatchCorsRule(std::span<const catalog::CorsRule> rules, std::string_view origin,
                                       std::string_view method,
                                       std::span<const std::string> request_headers) {
  for (const catalog::CorsRule& rule : rules) {
    std::optional<CorsMatch> match = OriginMatch(rule, origin);
    if (!match) continue;
    if (std::find(rule.allowed_methods.begin(), rule.allowed_methods.end(), method) == rule.allowed_methods.end()) {
      continue;
    }
    bool headers_ok = std::all_of(request_headers.begin(), request_headers.end(),
                                  [&](const std::string& h) { return HeaderAllowed(rule, h); });
    if (headers_ok) return match;
  }
  return std::nullopt;
}

std::vector<http::Header> CorsResponseHeaders(const CorsMatch& match, std::string_view origin,
                                              std::span<const std::string> request_headers) {
  const catalog::CorsRule& rule = *match.rule;
  std::vector<http::Header> h;
  h.push_back({"Access-Control-Allow-Origin", match.any_origin ? std::string("*") : std::string(origin)});
  h.push_back({"Access-Control-Allow-Methods", Join(rule.allowed_methods)});
  // Credentials cannot go with "*" (Fetch standard, CORS check).
  if (!match.any_origin) h.push_back({"Access-Control-Allow-Credentials", "true"});
  if (!request_headers.empty()) {
    h.push_back({"Access-Control-Allow-Headers",
                 Join(std::vector<std::string>(request_headers.begin(), request_headers.end()))});
  }
  if (rule.max_age_seconds) h.push_back({"Access-Control-Max-Age", std::to_string(*rule.max_age_seconds)});
  if (!rule.expose_headers.empty()) h.push_back({"Access-Control-Expose-Headers", Join(rule.expose_headers)});
  h.push_back({"Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"});
  return h;
}

}  // namespace confiance::s3
