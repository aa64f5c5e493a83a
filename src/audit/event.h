// File: audit/event.h
// Event: one entry of a transparency log, and its canonical, versioned
// encoding (docs/audit-log.md): one JSON object on one line, keys sorted,
// no insignificant whitespace, empty fields omitted, version in "v". The
// same event always encodes to the same bytes, so a leaf hash identifies an
// event. The encoding has no field for a secret (keys, SSE-C material,
// signatures, passwords), and Encode refuses detail names that look like one.
//
// Thread-safety: plain values; the functions are safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::audit {

inline constexpr int kEventVersion = 1;

enum class EventKind {
  kData,     // an S3 request on tenant data
  kControl,  // an administrative action (tenants, users, keys, policies, operator actions)
};

struct Principal {
  std::string type;           // "user", "operator", "anonymous"
  std::string tenant;         // the principal's tenant (may differ from the log's, e.g. operator)
  std::string user;
  std::string access_key_id;  // the public id only, never the secret

  friend bool operator==(const Principal&, const Principal&) = default;
};

struct Event {
  EventKind kind = EventKind::kData;
  uint64_t time_ms = 0;  // milliseconds since the Unix epoch, UTC
  std::string request_id;
  std::string source;  // client address, "ip:port"
  Principal principal;
  int status = 0;      // HTTP status of the response
  std::string error;   // S3 / admin error code; empty on success
  std::string justification;  // key-access justification named by the request
  std::string approval_id;    // the operator-access approval used, if any

  // Data plane.
  std::string operation;  // S3 operation name, e.g. "GetObject"
  std::string bucket;
  std::string key;
  std::string version_id;
  std::optional<uint64_t> bytes;  // body bytes received or sent

  // Control plane.
  std::string action;  // e.g. "CreateTenant", "RotateTenantKey", "ShredTenantKey"
  std::string target;  // what was acted on, e.g. "tenant/acme", "user/acme/alice"
  std::map<std::string, std::string> details;  // non-secret parameters

  friend bool operator==(const Event&, const Event&) = default;
};

// The canonical encoding (no trailing newline). InvalidArgument if a detail
// name looks like a secret, or the encoding would exceed a log entry's
// 65535 bytes. Strings that are not valid UTF-8 have each bad byte replaced
// by U+FFFD (S3 keys are UTF-8; this keeps a hostile name from failing the
// request's audit record).
Result<std::string> EncodeEvent(const Event& event);
// The same encoding, always written by the general JSON library: the
// reference that EncodeEvent's fast path for plain-ASCII events must match
// byte for byte (event_test, fuzz/event_fuzz.cc).
Result<std::string> EncodeEventWithLibrary(const Event& event);

// Parses an encoded event. InvalidArgument if it is not JSON, names an
// unknown version, has a field of the wrong type or an unknown field, or is
// not in canonical form (re-encoding must give the same bytes).
Result<Event> DecodeEvent(std::string_view encoded);

// RFC 3339 UTC with milliseconds: "2026-11-30T12:00:00.123Z".
std::string FormatEventTime(uint64_t time_ms);

}  // namespace confiance::audit
