// File: audit/witness.cc
#include "audit/witness.h"

#include <utility>

#include "audit/tlog/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace confiance::audit {
namespace {

constexpr size_t kMaxProofLines = 63;  // the spec's limit

WitnessReply Answer(int status, std::string body) {
  WitnessReply r;
  r.status = status;
  r.body = std::move(body);
  if (!r.body.empty() && r.body.back() != '\n') r.body += '\n';
  return r;
}

std::string HashBase64(const tlog::Hash& h) {
  return crypto::Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

Result<tlog::Hash> HashFromBase64(std::string_view text) {
  Result<std::string> raw = crypto::Base64Decode(text);
  if (!raw.ok() || raw->size() != tlog::kHashSize) return InvalidArgumentError("not a base64 SHA-256 hash");
  tlog::Hash h{};
  std::copy_n(raw->data(), tlog::kHashSize, reinterpret_cast<char*>(h.data()));
  return h;
}

// A decimal size without leading zeros ("0" allowed).
Result<uint64_t> ParseSize(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return InvalidArgumentError("bad size");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return InvalidArgumentError("bad size");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return InvalidArgumentError("bad size");
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string FormatAddCheckpoint(uint64_t old_size, const std::vector<tlog::Hash>& proof, std::string_view note) {
  std::string out = "old " + std::to_string(old_size) + "\n";
  for (const tlog::Hash& h : proof) out += HashBase64(h) + "\n";
  out += "\n";
  out += note;
  return out;
}

Witness::Witness(Env& env, std::string state_dir, std::vector<tlog::NoteVerifier> logs,
                 const tlog::CosignatureSigner& signer, std::function<uint64_t()> now)
    : env_(env), state_dir_(std::move(state_dir)), logs_(std::move(logs)), signer_(signer), now_(std::move(now)) {}

std::string Witness::StatePath(const std::string& origin) const {
  return state_dir_ + "/" + crypto::Sha256Hex(origin);
}

Result<Witness::Head> Witness::LoadHead(const std::string& origin) {
  if (auto it = heads_.find(origin); it != heads_.end()) return it->second;
  Head head;
  const std::string path = StatePath(origin);
  if (env_.FileExists(path)) {
    // "<origin>\n<size>\n<root base64>\n"
    ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env_, path));
    size_t a = text.find('\n');
    size_t b = a == std::string::npos ? a : text.find('\n', a + 1);
    size_t c = b == std::string::npos ? b : text.find('\n', b + 1);
    if (c == std::string::npos || text.substr(0, a) != origin) return DataLossError("witness state " + path + " is corrupt");
    Result<uint64_t> size = ParseSize(std::string_view(text).substr(a + 1, b - a - 1));
    Result<tlog::Hash> root = HashFromBase64(std::string_view(text).substr(b + 1, c - b - 1));
    if (!size.ok() || !root.ok()) return DataLossError("witness state " + path + " is corrupt");
    head.size = *size;
    head.root = *root;
  }
  heads_[origin] = head;
  return head;
}

Status Witness::StoreHead(const std::string& origin, const Head& head) {
  RETURN_IF_ERROR(WriteFileDurably(env_, StatePath(origin),
                                   origin + "\n" + std::to_string(head.size) + "\n" + HashBase64(head.root) + "\n"));
  heads_[origin] = head;
  return OkStatus();
}

WitnessReply Witness::AddCheckpoint(std::string_view body) {
  // "old N\n" [proof lines] "\n" checkpoint
  size_t nl = body.find('\n');
  if (nl == std::string_view::npos || !body.starts_with("old ")) return Answer(400, "missing old size line");
  Result<uint64_t> old_size = ParseSize(body.substr(4, nl - 4));
  if (!old_size.ok()) return Answer(400, "malformed old size line");
  body.remove_prefix(nl + 1);
  std::vector<tlog::Hash> proof;
  for (;;) {
    nl = body.find('\n');
    if (nl == std::string_view::npos) return Answer(400, "no empty line before the checkpoint");
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl + 1);
    if (line.empty()) break;
    if (proof.size() == kMaxProofLines) return Answer(400, "more than 63 consistency proof lines");
    Result<tlog::Hash> h = HashFromBase64(line);
    if (!h.ok()) return Answer(400, "malformed consistency proof line");
    proof.push_back(*h);
  }
  const std::string_view note = body;
  Result<tlog::Note> parsed = tlog::ParseNote(note);
  if (!parsed.ok()) return Answer(400, "malformed checkpoint note: " + parsed.status().message());
  Result<tlog::Checkpoint> cp = tlog::ParseCheckpoint(parsed->text);
  if (!cp.ok()) return Answer(400, "malformed checkpoint: " + cp.status().message());

  const tlog::NoteVerifier* key = nullptr;
  for (const tlog::NoteVerifier& v : logs_) {
    if (cp->origin == v.name() || cp->origin.starts_with(v.name() + "/")) key = &v;
  }
  if (key == nullptr) return Answer(404, "unknown log origin");
  if (!key->Open(note).ok()) return Answer(403, "no valid signature by the log's key");
  if (*old_size > cp->size) return Answer(400, "old size above the checkpoint size");
  if (*old_size == 0 && !proof.empty()) return Answer(400, "a consistency proof from size 0 must be empty");

  std::lock_guard lock(mu_);
  Result<Head> head = LoadHead(cp->origin);
  if (!head.ok()) return Answer(500, "witness state unavailable");
  if (*old_size != head->size) {
    WitnessReply r = Answer(409, std::to_string(head->size));
    r.content_type = "text/x.tlog.size";
    return r;
  }
  if (*old_size == cp->size) {
    if (cp->size > 0 && cp->root != head->root) return Answer(409, "same size, another root: a split view");
  } else if (*old_size > 0) {
    if (!tlog::VerifyConsistency(*old_size, cp->size, head->root, cp->root, proof).ok()) {
      return Answer(422, "the consistency proof does not verify");
    }
  }
  if (Status s = StoreHead(cp->origin, Head{cp->size, cp->root}); !s.ok()) {
    return Answer(500, "cannot persist the witness state");
  }
  Result<std::string> line = signer_.Cosign(parsed->text, now_());
  if (!line.ok()) return Answer(500, "cannot cosign");
  return Answer(200, *line);
}

}  // namespace confiance::audit
