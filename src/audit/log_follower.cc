// File: audit/log_follower.cc
#include "audit/log_follower.h"

#include <map>
#include <optional>

#include "audit/log_verifier.h"
#include "audit/tlog/checkpoint.h"
#include "audit/tlog/note.h"
#include "audit/tlog/tiles.h"

namespace confiance::audit {

LogFollower::LogFollower(std::string verifier_key, LogFetch fetch, uint64_t from,
                         const std::vector<std::string>& witness_keys, size_t witness_quorum)
    : verifier_key_(std::move(verifier_key)),
      witnesses_(WitnessQuorum::Create(witness_keys, witness_quorum)),
      fetch_(std::move(fetch)),
      next_(from) {}

Result<std::vector<std::pair<uint64_t, std::string>>> LogFollower::Poll() {
  using Entries = std::vector<std::pair<uint64_t, std::string>>;
  if (!failed_.ok()) return failed_;
  Result<std::string> note = fetch_("checkpoint");
  if (!note.ok()) {
    if (note.status().code() == StatusCode::kNotFound) return Entries{};
    return note.status();
  }
  ASSIGN_OR_RETURN(tlog::NoteVerifier verifier, tlog::NoteVerifier::FromKey(verifier_key_));
  Result<std::string> text = verifier.Open(*note);
  if (!text.ok()) {
    failed_ = PermissionDeniedError("the checkpoint is not signed by the pinned key: " + text.status().message());
    return failed_;
  }
  ASSIGN_OR_RETURN(tlog::Checkpoint cp, tlog::ParseCheckpoint(*text));
  RETURN_IF_ERROR(witnesses_.status());
  if (!witnesses_->empty()) {
    Result<CosignatureCount> count = witnesses_->Count(*note);
    if (!count.ok()) {
      if (count.status().code() == StatusCode::kInvalidArgument) return count.status();
      failed_ = PermissionDeniedError("the checkpoint carries " + count.status().message());
      return failed_;
    }
    // Short of the quorum: the server asks its witnesses right after signing.
    if (count->valid.size() < witnesses_->quorum()) return Entries{};
  }
  // The same note: nothing new. Any other (smaller, same size with another
  // root, or larger) goes through VerifyLog against the last one.
  if (*note == checkpoint_) return Entries{};

  // Tiles are read through a per-round cache: a proof reads each tile once.
  std::map<std::string, std::optional<std::string>> tiles;
  Status fetch_error;
  auto read_tile = [&](const std::string& path) -> std::optional<std::string> {
    auto it = tiles.find(path);
    if (it != tiles.end()) return it->second;
    Result<std::string> bytes = fetch_(path);
    std::optional<std::string> value;
    if (bytes.ok()) {
      value = std::move(bytes).value();
    } else if (bytes.status().code() != StatusCode::kNotFound && fetch_error.ok()) {
      fetch_error = bytes.status();
    }
    return tiles.emplace(path, std::move(value)).first->second;
  };

  LogVerifyInput input;
  input.verifier_key = verifier_key_;
  input.checkpoint1 = checkpoint_;
  input.checkpoint2 = *note;
  input.read_tile = read_tile;
  for (uint64_t n = next_ / tlog::kTileWidth; n * tlog::kTileWidth < cp.size; ++n) {
    const uint64_t width = tlog::TileWidth(0, n, cp.size);
    const std::string path = tlog::EntryBundlePath(n, width);
    std::optional<std::string> bytes = read_tile(path);
    if (!bytes) {
      if (!fetch_error.ok()) return fetch_error;
      return InvalidArgumentError("the server has no " + path + " under its own checkpoint of size " +
                                  std::to_string(cp.size));
    }
    Result<std::vector<std::string>> entries = tlog::DecodeEntryBundle(*bytes);
    if (!entries.ok() || entries->size() != width) {
      failed_ = PermissionDeniedError(path + " is malformed");
      return failed_;
    }
    for (uint64_t i = 0; i < width; ++i) {
      uint64_t index = n * tlog::kTileWidth + i;
      if (index >= next_) input.entries[index] = std::move((*entries)[i]);
    }
  }
  Result<LogVerifyReport> report = VerifyLog(input);
  if (!fetch_error.ok()) return fetch_error;  // a transport failure is not a verdict
  if (!report.ok()) {
    failed_ = report.status().code() == StatusCode::kPermissionDenied
                  ? report.status()
                  : PermissionDeniedError(report.status().message());
    return failed_;
  }
  checkpoint_ = *note;
  Entries out;
  for (auto& [index, entry] : input.entries) out.emplace_back(index, std::move(entry));
  if (cp.size > next_) next_ = cp.size;
  return out;
}

}  // namespace confiance::audit
