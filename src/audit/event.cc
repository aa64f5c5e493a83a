// File: audit/event.cc
#include "audit/event.h"

#include <charconv>
#include <ctime>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "audit/tlog/tiles.h"
#include "common/iso8601.h"

namespace confiance::audit {
namespace {

using json = nlohmann::json;

// Detail names that must never reach a log: a caller that passes one has a
// bug, and an append failing loudly beats a secret in an append-only log.
constexpr std::string_view kSecretWords[] = {"secret", "password", "private", "sse_c", "sse-c", "token",
                                             "credential", "signature"};

bool LooksSecret(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view w : kSecretWords) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

void PutIf(json& j, const char* name, const std::string& v) {
  if (!v.empty()) j[name] = v;
}

Result<uint64_t> ParseEventTime(const std::string& s) {
  // Exactly the form FormatEventTime writes.
  int y, mo, d, h, mi, sec, ms;
  char z;
  if (s.size() != 24 || std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &sec, &ms,
                                    &z) != 8 || z != 'Z') {
    return InvalidArgumentError("event: malformed time");
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  if (t < 0) return InvalidArgumentError("event: time before 1970");
  return static_cast<uint64_t>(t) * 1000 + static_cast<uint64_t>(ms);
}

json ToJson(const Event& e) {
  json j = json::object();
  j["v"] = kEventVersion;
  j["kind"] = e.kind == EventKind::kData ? "data" : "control";
  j["time"] = FormatEventTime(e.time_ms);
  PutIf(j, "request_id", e.request_id);
  PutIf(j, "source", e.source);
  json p = json::object();
  PutIf(p, "type", e.principal.type);
  PutIf(p, "tenant", e.principal.tenant);
  PutIf(p, "user", e.principal.user);
  PutIf(p, "access_key_id", e.principal.access_key_id);
  if (!p.empty()) j["principal"] = p;
  if (e.status != 0) j["status"] = e.status;
  PutIf(j, "error", e.error);
  PutIf(j, "justification", e.justification);
  PutIf(j, "approval_id", e.approval_id);
  PutIf(j, "operation", e.operation);
  PutIf(j, "bucket", e.bucket);
  PutIf(j, "key", e.key);
  PutIf(j, "version_id", e.version_id);
  if (e.bytes) j["bytes"] = *e.bytes;
  PutIf(j, "action", e.action);
  PutIf(j, "target", e.target);
  if (!e.details.empty()) j["details"] = e.details;
  return j;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Times from here on have more than four digits of year: FormatEventTime
// writes them with snprintf.
constexpr uint64_t kYear10000Ms = 253402300800000;

// The direct encoder below handles strings of printable ASCII only, where
// the JSON library escapes exactly '"' and '\\'; anything else (control
// characters, UTF-8, invalid bytes and their U+FFFD replacement) goes
// through the library.
bool Printable(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

bool DirectEncodable(const Event& e) {
  for (const std::string* s : {&e.request_id, &e.source, &e.principal.type, &e.principal.tenant, &e.principal.user,
                               &e.principal.access_key_id, &e.error, &e.justification, &e.approval_id, &e.operation,
                               &e.bucket, &e.key, &e.version_id, &e.action, &e.target}) {
    if (!Printable(*s)) return false;
  }
  for (const auto& [name, value] : e.details) {
    if (!Printable(name) || !Printable(value)) return false;
  }
  return true;
}

// The next '"' or '\\' at or after `from`, or npos. A plain loop:
// find_first_of calls memchr on its two-character set once per character of
// `s` (about 1,500 instructions per event, callgrind, session 20).
size_t FindQuoteOrBackslash(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '"' || s[i] == '\\') return i;
  }
  return std::string_view::npos;
}

void AppendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t run = 0;
  for (size_t i = FindQuoteOrBackslash(s, 0); i != std::string_view::npos; i = FindQuoteOrBackslash(s, i + 1)) {
    out.append(s.substr(run, i - run));
    out.push_back('\\');
    out.push_back(s[i]);
    run = i + 1;
  }
  out.append(s.substr(run));
  out.push_back('"');
}

// Writes `,"name":"value"` (no comma before the first member) if non-empty.
// Member names given to Name are this file's constants (no character to
// escape); detail names, which come from callers, go through AppendQuoted.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  void Name(std::string_view name) {
    out_.append(first_ ? "\"" : ",\"", first_ ? 1 : 2);
    first_ = false;
    out_.append(name);
    out_.append("\":", 2);
  }
  void QuotedName(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    AppendQuoted(out_, name);
    out_.push_back(':');
  }
  void String(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    Name(name);
    AppendQuoted(out_, value);
  }
  void Number(std::string_view name, int64_t value) {
    Name(name);
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof(buf), value).ptr);
  }
  void Unsigned(std::string_view name, uint64_t value) {
    Name(name);
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof(buf), value).ptr);
  }
  bool empty() const { return first_; }
  void Close() { out_.push_back('}'); }

 private:
  std::string& out_;
  bool first_ = true;
};

// The canonical encoding written directly, for events whose strings are all
// printable ASCII (DirectEncodable): byte for byte what the library writes
// (members in byte order of their names; event_test compares the two on
// random events), at a fraction of its cost on every request's path
// (docs/PERFORMANCE.md, issue 7).
std::string EncodeDirect(const Event& e) {
  std::string out;
  out.reserve(256 + e.key.size());
  ObjectWriter w(out);
  w.String("action", e.action);
  w.String("approval_id", e.approval_id);
  w.String("bucket", e.bucket);
  if (e.bytes) w.Unsigned("bytes", *e.bytes);
  if (!e.details.empty()) {
    w.Name("details");
    ObjectWriter d(out);
    for (const auto& [name, value] : e.details) {  // a std::map: byte order
      d.QuotedName(name);
      AppendQuoted(out, value);
    }
    d.Close();
  }
  w.String("error", e.error);
  w.String("justification", e.justification);
  w.String("key", e.key);
  w.String("kind", e.kind == EventKind::kData ? "data" : "control");
  w.String("operation", e.operation);
  const Principal& p = e.principal;
  if (!p.type.empty() || !p.tenant.empty() || !p.user.empty() || !p.access_key_id.empty()) {
    w.Name("principal");
    ObjectWriter pw(out);
    pw.String("access_key_id", p.access_key_id);
    pw.String("tenant", p.tenant);
    pw.String("type", p.type);
    pw.String("user", p.user);
    pw.Close();
  }
  w.String("request_id", e.request_id);
  w.String("source", e.source);
  if (e.status != 0) w.Number("status", e.status);
  w.String("target", e.target);
  w.Name("time");
  out.push_back('"');
  if (e.time_ms < kYear10000Ms) {
    AppendUtcMs(out, static_cast<int64_t>(e.time_ms));  // FormatEventTime's fast path, without a string
  } else {
    out.append(FormatEventTime(e.time_ms));
  }
  out.push_back('"');
  w.Number("v", kEventVersion);
  w.String("version_id", e.version_id);
  w.Close();
  return out;
}

bool GetString(const json& j, const char* name, std::string& out) {
  auto it = j.find(name);
  if (it == j.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

std::string FormatEventTime(uint64_t time_ms) {
  if (time_ms < kYear10000Ms) return FormatUtcMs(static_cast<int64_t>(time_ms));  // the fast path
  time_t secs = static_cast<time_t>(time_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // sized for any int fields, to satisfy -Wformat-truncation
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(time_ms % 1000));
  return buf;
}

namespace {

enum class Encoder { kFastest, kLibrary };

Result<std::string> Encode(const Event& event, Encoder encoder) {
  for (const auto& [name, value] : event.details) {
    if (LooksSecret(name)) return InvalidArgumentError("event: detail '" + name + "' looks like a secret");
  }
  // nlohmann::json objects are std::maps: keys come out sorted by bytes.
  std::string out =
      encoder == Encoder::kFastest && DirectEncodable(event) ? EncodeDirect(event) : Dump(ToJson(event));
  if (out.size() > tlog::kMaxEntrySize) return InvalidArgumentError("event: encoding exceeds 65535 bytes");
  return out;
}

}  // namespace

Result<std::string> EncodeEvent(const Event& event) { return Encode(event, Encoder::kFastest); }

Result<std::string> EncodeEventWithLibrary(const Event& event) { return Encode(event, Encoder::kLibrary); }

Result<Event> DecodeEvent(std::string_view encoded) {
  json j = json::parse(encoded, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("event: not a JSON object");
  static const char* const kKnown[] = {"v", "kind", "time", "request_id", "source", "principal", "status",
                                       "error", "justification", "approval_id", "operation", "bucket", "key",
                                       "version_id", "bytes", "action", "target", "details"};
  for (const auto& [name, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || name == k;
    if (!known) return InvalidArgumentError("event: unknown field '" + name + "'");
  }
  if (!j.contains("v") || !j["v"].is_number_integer() || j["v"].get<int64_t>() != kEventVersion) {
    return InvalidArgumentError("event: unknown version");
  }
  Event e;
  std::string kind, time;
  if (!GetString(j, "kind", kind) || (kind != "data" && kind != "control")) {
    return InvalidArgumentError("event: kind must be data or control");
  }
  e.kind = kind == "data" ? EventKind::kData : EventKind::kControl;
  if (!GetString(j, "time", time)) return InvalidArgumentError("event: time must be a string");
  ASSIGN_OR_RETURN(e.time_ms, ParseEventTime(time));
  bool ok = GetString(j, "request_id", e.request_id) && GetString(j, "source", e.source) &&
            GetString(j, "error", e.error) && GetString(j, "justification", e.justification) &&
            GetString(j, "approval_id", e.approval_id) && GetString(j, "operation", e.operation) &&
            GetString(j, "bucket", e.bucket) && GetString(j, "key", e.key) &&
            GetString(j, "version_id", e.version_id) && GetString(j, "action", e.action) &&
            GetString(j, "target", e.target);
  if (auto p = j.find("principal"); p != j.end()) {
    ok = ok && p->is_object() && GetString(*p, "type", e.principal.type) &&
         GetString(*p, "tenant", e.principal.tenant) && GetString(*p, "user", e.principal.user) &&
         GetString(*p, "access_key_id", e.principal.access_key_id);
  }
  if (auto s = j.find("status"); s != j.end()) {
    ok = ok && s->is_number_integer();
    if (ok) e.status = s->get<int>();
  }
  if (auto b = j.find("bytes"); b != j.end()) {
    ok = ok && b->is_number_unsigned();
    if (ok) e.bytes = b->get<uint64_t>();
  }
  if (auto d = j.find("details"); d != j.end()) {
    ok = ok && d->is_object();
    for (auto it = d->begin(); ok && it != d->end(); ++it) {
      ok = it->is_string();
      if (ok) e.details[it.key()] = it->get<std::string>();
    }
  }
  if (!ok) return InvalidArgumentError("event: a field has the wrong type");
  auto again = EncodeEvent(e);
  if (!again.ok() || *again != encoded) return InvalidArgumentError("event: not in canonical form");
  return e;
}

}  // namespace confiance::audit
