// File: audit/log_api.cc
#include "audit/log_api.h"

#include <map>
#include <optional>

#include "crypto/encoding.h"

namespace confiance::audit {
namespace {

constexpr std::string_view kText = "text/plain; charset=utf-8";
constexpr std::string_view kBinary = "application/octet-stream";
// A full tile never changes; a partial one or a checkpoint is superseded.
constexpr std::string_view kImmutable = "private, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";

// The used parameters of `raw_query` ('&'-separated name=value; names and
// values here are plain decimal, so no percent-decoding is needed).
Result<std::map<std::string, uint64_t>> ParseNumbers(std::string_view raw_query,
                                                     std::initializer_list<std::string_view> wanted) {
  std::map<std::string, uint64_t> out;
  size_t start = 0;
  while (start <= raw_query.size() && !raw_query.empty()) {
    size_t amp = raw_query.find('&', start);
    std::string_view part = raw_query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    start = amp == std::string_view::npos ? raw_query.size() + 1 : amp + 1;
    size_t eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    bool used = false;
    for (std::string_view w : wanted) used = used || w == name;
    if (!used) continue;
    std::string_view value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    if (value.empty() || value.size() > 20 || (value.size() > 1 && value[0] == '0')) {
      return InvalidArgumentError("query parameter " + std::string(name) + " is not a decimal number");
    }
    uint64_t v = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return InvalidArgumentError("query parameter " + std::string(name) + " is not a decimal number");
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (v > (UINT64_MAX - d) / 10) return InvalidArgumentError("query parameter " + std::string(name) + " is too large");
      v = v * 10 + d;
    }
    if (!out.emplace(std::string(name), v).second) {
      return InvalidArgumentError("query parameter " + std::string(name) + " given twice");
    }
  }
  for (std::string_view w : wanted) {
    if (!out.contains(std::string(w))) return InvalidArgumentError("query parameter " + std::string(w) + " is missing");
  }
  return out;
}

std::string ProofText(const std::vector<tlog::Hash>& proof) {
  std::string out;
  for (const tlog::Hash& h : proof) {
    out += crypto::Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
    out += '\n';
  }
  return out;
}

// OutOfRange (beyond the durable tree) reads as "no such resource yet".
Status NotYet(const Status& s) {
  if (s.code() == StatusCode::kOutOfRange) return NotFoundError(s.message());
  return s;
}

}  // namespace

bool IsLogApiTarget(std::string_view target) {
  return target.starts_with("/_confiance/log/") || target == "/_confiance/log";
}

Result<LogApiRequest> ParseLogApiRequest(std::string_view path, std::string_view raw_query) {
  if (!path.starts_with(kLogApiPrefix)) return NotFoundError("no such log API resource (the API is /_confiance/log/v1/)");
  path.remove_prefix(kLogApiPrefix.size());
  LogApiRequest r;
  if (path == "checkpoint") {
    r.kind = LogApiRequest::Kind::kCheckpoint;
  } else if (path == "key") {
    r.kind = LogApiRequest::Kind::kKey;
  } else if (path.starts_with("tile/")) {
    r.kind = LogApiRequest::Kind::kTile;
    ASSIGN_OR_RETURN(r.tile, tlog::ParseTilePath(path));
  } else if (path == "proof/inclusion") {
    r.kind = LogApiRequest::Kind::kInclusionProof;
    ASSIGN_OR_RETURN(auto q, ParseNumbers(raw_query, {"index", "size"}));
    r.first = q["index"];
    r.second = q["size"];
  } else if (path == "proof/consistency") {
    r.kind = LogApiRequest::Kind::kConsistencyProof;
    ASSIGN_OR_RETURN(auto q, ParseNumbers(raw_query, {"old", "new"}));
    r.first = q["old"];
    r.second = q["new"];
  } else {
    return NotFoundError("no such log API resource: " + std::string(path));
  }
  return r;
}

Result<LogApiReply> ServeLogApi(TransparencyLog& log, std::string_view verifier_key, const LogApiRequest& request) {
  LogApiReply reply;
  reply.content_type = kText;
  reply.cache_control = kNoCache;
  switch (request.kind) {
    case LogApiRequest::Kind::kCheckpoint: {
      ASSIGN_OR_RETURN(reply.body, log.LatestCheckpoint());
      return reply;
    }
    case LogApiRequest::Kind::kKey:
      reply.body = std::string(verifier_key) + "\n";
      return reply;
    case LogApiRequest::Kind::kTile: {
      const tlog::TilePath& t = request.tile;
      Result<std::string> body = t.entries ? log.EntryBundle(t.index, t.width) : log.HashTile(t.level, t.index, t.width);
      if (!body.ok()) return NotYet(body.status());
      reply.body = std::move(body).value();
      reply.content_type = kBinary;
      if (t.width == tlog::kTileWidth) reply.cache_control = kImmutable;
      return reply;
    }
    case LogApiRequest::Kind::kInclusionProof: {
      if (request.first >= request.second) return InvalidArgumentError("inclusion proof: index must be below size");
      Result<std::vector<tlog::Hash>> proof = log.InclusionProof(request.first, request.second);
      if (!proof.ok()) return NotYet(proof.status());
      reply.body = ProofText(*proof);
      return reply;
    }
    case LogApiRequest::Kind::kConsistencyProof: {
      if (request.first > request.second) return InvalidArgumentError("consistency proof: old must not exceed new");
      Result<std::vector<tlog::Hash>> proof = log.ConsistencyProof(request.first, request.second);
      if (!proof.ok()) return NotYet(proof.status());
      reply.body = ProofText(*proof);
      return reply;
    }
  }
  return InternalError("log API: unknown request kind");
}

}  // namespace confiance::audit
