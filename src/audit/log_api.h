// File: audit/log_api.h
// The read API of a transparency log, /_confiance/log/v1/<resource>
// (docs/audit-log.md, "Reading a log over HTTP"): what a request asks for
// and the bytes that answer it, with no HTTP and no authentication (the s3
// folder's log_api_handler does both and picks the caller's log).
//
//   checkpoint                          the latest signed checkpoint note
//   key                                 the verifier key to pin, one line
//   tile/<L>/<N>[.p/<W>]                hash tile (C2SP tlog-tiles)
//   tile/entries/<N>[.p/<W>]            entry bundle (C2SP tlog-tiles)
//   proof/inclusion?index=I&size=S      RFC 9162 PATH, one base64 hash a line
//   proof/consistency?old=A&new=B       RFC 9162 PROOF, one base64 hash a line
//
// Pure parsing; Serve only reads the log. Safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "audit/tlog/tiles.h"
#include "audit/transparency_log.h"
#include "common/status.h"

namespace confiance::audit {

inline constexpr std::string_view kLogApiPrefix = "/_confiance/log/v1/";

// True if the request target (path and query, not decoded) is under
// "/_confiance/log/" (any version: an unknown one is the API's to refuse).
bool IsLogApiTarget(std::string_view target);

struct LogApiRequest {
  enum class Kind { kCheckpoint, kKey, kTile, kInclusionProof, kConsistencyProof };
  Kind kind = Kind::kCheckpoint;
  tlog::TilePath tile;  // kTile
  uint64_t first = 0;   // kInclusionProof: index; kConsistencyProof: old size
  uint64_t second = 0;  // kInclusionProof: tree size; kConsistencyProof: new size

  bool operator==(const LogApiRequest&) const = default;
};

// Parses the path (percent-encoded as received, without the query) and the
// raw query. Query parameters the resource does not use (the X-Amz-* of a
// presigned URL) are ignored; a used one must appear once, as a decimal
// number. NotFound for a path that names no resource (another version,
// an unknown name); InvalidArgument for a malformed tile path or query.
Result<LogApiRequest> ParseLogApiRequest(std::string_view path, std::string_view raw_query);

struct LogApiReply {
  std::string content_type;
  std::string cache_control;
  std::string body;
};

// Answers `request` from `log`, whose verifier key is `verifier_key`.
// Errors: NotFound (no checkpoint published yet; a tile or proof beyond the
// durable tree), InvalidArgument (a proof whose arguments are inconsistent,
// e.g. index >= size), and the store's errors. Reads the store: call it off
// the network threads.
Result<LogApiReply> ServeLogApi(TransparencyLog& log, std::string_view verifier_key, const LogApiRequest& request);

}  // namespace confiance::audit
