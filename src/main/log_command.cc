// File: main/log_command.cc
#include "main/log_command.h"

#include <cstdio>

#include "audit/log_verifier.h"
#include "audit/tlog/checkpoint.h"
#include "audit/tlog/note.h"
#include "common/ascii.h"
#include "common/env.h"

namespace confiance {
namespace {

int VerifyInputError(const std::string& what, const Status& st) {
  std::fprintf(stderr, "confiance log verify: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 2;
}

}  // namespace

int RunLogVerify(const LogVerifyFlags& flags) {
  Env& env = *Env::Default();
  audit::LogVerifyInput in;
  in.verifier_key = flags.key;
  if (!flags.key_file.empty()) {
    auto key = ReadSmallFile(env, flags.key_file);
    if (!key.ok()) return VerifyInputError("reading --key-file", key.status());
    in.verifier_key = TrimTrailingNewlines(std::move(*key));
  }
  if (in.verifier_key.empty()) {
    std::fprintf(stderr, "confiance log verify: a pinned verifier key (--key or --key-file) is required\n");
    return 2;
  }
  in.witness_keys = flags.witness_keys;
  in.witness_quorum = flags.witness_quorum;
  auto cp2 = ReadSmallFile(env, flags.checkpoint2);
  if (!cp2.ok()) return VerifyInputError("reading --checkpoint2", cp2.status());
  in.checkpoint2 = std::move(*cp2);
  if (!flags.checkpoint1.empty()) {
    auto cp1 = ReadSmallFile(env, flags.checkpoint1);
    if (!cp1.ok()) return VerifyInputError("reading --checkpoint1", cp1.status());
    in.checkpoint1 = std::move(*cp1);
  }
  if (!flags.dir.empty()) {
    std::string dir = flags.dir;
    in.read_tile = [dir, &env](const std::string& path) -> std::optional<std::string> {
      std::string full = dir + "/" + path;
      if (!env.FileExists(full)) return std::nullopt;
      auto bytes = ReadSmallFile(env, full);
      if (!bytes.ok()) return std::nullopt;
      return std::move(*bytes);
    };
  }
  if (!flags.entries.empty()) {
    auto text = ReadSmallFile(env, flags.entries);
    if (!text.ok()) return VerifyInputError("reading --entries", text.status());
    in.entries = audit::LoadJsonLines(*text, flags.first);
  } else if (in.read_tile) {
    // The bundles to read depend on checkpoint 2's size; its signature is
    // checked by VerifyLog, this only sizes the download.
    auto note = audit::tlog::ParseNote(in.checkpoint2);
    auto cp = note.ok() ? audit::tlog::ParseCheckpoint(note->text) : Result<audit::tlog::Checkpoint>(note.status());
    if (cp.ok()) {
      auto entries = audit::LoadEntryBundles(in.read_tile, cp->size);
      if (!entries.ok()) {
        std::printf("FAIL: %s\n", entries.status().message().c_str());
        return 1;
      }
      in.entries = std::move(*entries);
    }
  }
  Result<audit::LogVerifyReport> report = audit::VerifyLog(in);
  if (!report.ok()) {
    std::printf("FAIL: %s\n", report.status().message().c_str());
    return 1;
  }
  const audit::LogVerifyReport& r = *report;
  std::printf("OK: log %s: ", r.origin.c_str());
  if (!in.checkpoint1.empty()) {
    std::printf("checkpoint 2 (size %llu) extends checkpoint 1 (size %llu); ",
                static_cast<unsigned long long>(r.size2), static_cast<unsigned long long>(r.size1));
  } else {
    std::printf("checkpoint (size %llu) signed by the pinned key; ", static_cast<unsigned long long>(r.size2));
  }
  if (!r.cosignatures.empty()) {
    std::printf("cosigned by");
    for (size_t i = 0; i < r.cosignatures.size(); ++i) {
      std::printf("%s %s", i == 0 ? "" : ",", r.cosignatures[i].witness.c_str());
    }
    std::printf("; ");
  }
  std::printf("%llu entries proven included", static_cast<unsigned long long>(r.entries_checked));
  if (r.entries_beyond > 0) {
    std::printf(" (%llu entries beyond checkpoint 2 not checked)", static_cast<unsigned long long>(r.entries_beyond));
  }
  std::printf("\n");
  return 0;
}

}  // namespace confiance
