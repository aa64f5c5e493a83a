// File: s3/router.h
// Route: from method, target and Host to (operation, bucket, key). Path-style
// ("/bucket/key") always; virtual-host style ("bucket.<domain>") when a
// domain is configured. Pure: no I/O.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "s3/operation.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

struct Route {
  Operation op = Operation::kNotImplemented;
  std::string bucket;  // decoded; empty for service-level operations
  std::string key;     // decoded; empty for bucket-level operations
  // Decoded names and values; transparent, so that looking a name up
  // (several per request) builds no std::string.
  std::multimap<std::string, std::string, std::less<>> query;
  std::string raw_path;   // as received (percent-encoded)
  std::string raw_query;  // as received, without '?'
  bool virtual_host = false;  // the bucket came from the Host header

  bool HasQuery(std::string_view name) const { return query.find(name) != query.end(); }
  // The first value of `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;
};

struct RouterOptions {
  std::string domain;  // e.g. "s3.example.com"; empty = path-style only
};

// The bucket a virtual-host-style Host header ("bucket.<domain>[:port]",
// any case) names; nullopt if `host` is not under `domain` (or domain is
// empty).
std::optional<std::string> VirtualHostBucket(std::string_view host, std::string_view domain);

// Errors: InvalidURI-like targets -> InvalidArgument; methods S3 does not
// use on the resource -> MethodNotAllowed (as an S3Error).
Result<Route> RouteRequest(std::string_view method, std::string_view target,
                           std::string_view host, bool has_copy_source,
                           const RouterOptions& options, S3Error* error);

}  // namespace confiance::s3
