// File: tests/audit/tlog_export.cc
// Writes a small transparency log, as a client would download it, for the
// independent verification script (test_independent_verify.py):
//   tlog_export OUT_DIR N SIZE1
// OUT_DIR/verifier_key, checkpoint1 (tree of SIZE1), checkpoint2 (tree of
// N), tile/entries/..., tile/<L>/... for tree N, entries.jsonl, and
// proofs.json: inclusion proofs of a few entries in tree N and the
// consistency proof SIZE1 -> N, as our C++ code generates them.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "audit/event.h"
#include "audit/transparency_log.h"
#include "audit/tlog/tiles.h"
#include "common/env.h"
#include "crypto/encoding.h"
#include "meta/memory/memory_meta_store.h"

using namespace confiance;

namespace {

void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "tlog_export: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(1);
}

void Write(const std::string& root, const std::string& path, const std::string& data) {
  Env& env = *Env::Default();
  std::string full = root + "/" + path;
  Status st = CreateDirsDurably(env, DirName(full));
  if (st.ok()) st = WriteFileDurably(env, full, data);
  if (!st.ok()) Die("writing " + full, st);
}

std::string ProofJson(const std::vector<audit::tlog::Hash>& proof) {
  std::string out = "[";
  for (size_t i = 0; i < proof.size(); ++i) {
    if (i) out += ",";
    out += "\"" + crypto::Base64Encode(std::as_bytes(std::span(proof[i]))) + "\"";
  }
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tlog_export OUT_DIR N SIZE1\n");
    return 2;
  }
  std::string out = argv[1];
  uint64_t n = std::strtoull(argv[2], nullptr, 10), size1 = std::strtoull(argv[3], nullptr, 10);
  if (size1 == 0 || size1 > n) return 2;
  auto key = crypto::Ed25519PrivateKey::Generate();
  if (!key.ok()) Die("key", key.status());
  auto signer = audit::tlog::NoteSigner::Create("s3.export.test", std::move(*key));
  if (!signer.ok()) Die("signer", signer.status());
  meta::MemoryMetaStore store;
  auto log = audit::TransparencyLog::Open(store, "s3.export.test/tenant/acme", *signer);
  if (!log.ok()) Die("open", log.status());
  std::string jsonl, cp1;
  for (uint64_t i = 0; i < n; ++i) {
    if (i == size1) cp1 = *(*log)->PublishCheckpoint();
    audit::Event e;
    e.time_ms = 1796126400000 + i;
    e.operation = "PutObject";
    e.bucket = "bucket";
    e.key = "key-" + std::to_string(i);
    e.status = 200;
    e.bytes = 4096;
    e.principal = {"user", "acme", "alice", "AKIDEXAMPLE"};
    std::string entry = *audit::EncodeEvent(e);
    jsonl += entry + "\n";
    (*log)->Append(entry, [](Result<uint64_t> r) {
      if (!r.ok()) Die("append", r.status());
    });
  }
  auto cp2 = (*log)->PublishCheckpoint();
  if (!cp2.ok()) Die("checkpoint", cp2.status());
  if (size1 == n) cp1 = *cp2;
  Write(out, "verifier_key", signer->VerifierKey() + "\n");
  Write(out, "checkpoint1", cp1);
  Write(out, "checkpoint2", *cp2);
  Write(out, "entries.jsonl", jsonl);
  for (int level = 0; audit::tlog::TileWidth(level, 0, n) > 0; ++level) {
    for (uint64_t t = 0; audit::tlog::TileWidth(level, t, n) > 0; ++t) {
      uint64_t w = audit::tlog::TileWidth(level, t, n);
      auto tile = (*log)->HashTile(level, t, w);
      if (!tile.ok()) Die("tile", tile.status());
      Write(out, audit::tlog::HashTilePath(level, t, w), *tile);
      if (level == 0) Write(out, audit::tlog::EntryBundlePath(t, w), *(*log)->EntryBundle(t, w));
    }
  }
  std::string proofs = "{\"inclusion\":[";
  bool first = true;
  for (uint64_t i : {uint64_t{0}, n / 3, n / 2, n - 1}) {
    auto p = (*log)->InclusionProof(i, n);
    if (!p.ok()) Die("proof", p.status());
    proofs += std::string(first ? "" : ",") + "{\"index\":" + std::to_string(i) + ",\"size\":" + std::to_string(n) +
              ",\"proof\":" + ProofJson(*p) + "}";
    first = false;
  }
  auto c = (*log)->ConsistencyProof(size1, n);
  if (!c.ok()) Die("consistency", c.status());
  proofs += "],\"consistency\":{\"size1\":" + std::to_string(size1) + ",\"size2\":" + std::to_string(n) +
            ",\"proof\":" + ProofJson(*c) + "}}\n";
  Write(out, "proofs.json", proofs);
  return 0;
}
