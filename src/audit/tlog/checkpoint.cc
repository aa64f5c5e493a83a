// File: audit/tlog/checkpoint.cc
#include "audit/tlog/checkpoint.h"

#include <algorithm>
#include <utility>

#include "crypto/encoding.h"

namespace confiance::audit::tlog {
namespace {

// Decimal without sign or leading zero (the spec's canonical form), so that
// one tree size has exactly one text.
bool ParseSize(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace

std::string Checkpoint::Format() const {
  std::string out = origin + "\n" + std::to_string(size) + "\n" +
                    crypto::Base64Encode(std::as_bytes(std::span(root))) + "\n";
  for (const auto& e : extensions) out += e + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') return InvalidArgumentError("checkpoint: must end in a newline");
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) return InvalidArgumentError("checkpoint: needs origin, size and root lines");
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  if (cp.origin.empty()) return InvalidArgumentError("checkpoint: empty origin line");
  if (!ParseSize(lines[1], cp.size)) return InvalidArgumentError("checkpoint: malformed tree size line");
  auto root = crypto::Base64Decode(lines[2]);
  if (!root.ok() || root->size() != kHashSize) return InvalidArgumentError("checkpoint: malformed root hash line");
  std::copy(root->begin(), root->end(), reinterpret_cast<char*>(cp.root.data()));
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return InvalidArgumentError("checkpoint: empty extension line");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

}  // namespace confiance::audit::tlog
