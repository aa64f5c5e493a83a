// File: fuzz/tlog_fuzz.cc
// libFuzzer target: the transparency log's parsers of untrusted input
// (signed notes, checkpoints, entry bundles, hash tiles, events) never
// crash, and what they accept re-encodes to the same bytes (events: by the
// fast encoder and by the JSON library alike).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/event.h"
#include "audit/tlog/checkpoint.h"
#include "audit/tlog/note.h"
#include "audit/tlog/tiles.h"

using namespace confiance::audit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto note = tlog::ParseNote(in); note.ok()) {
    if (auto cp = tlog::ParseCheckpoint(note->text); cp.ok() && cp->Format() != note->text) std::abort();
  }
  if (auto cp = tlog::ParseCheckpoint(in); cp.ok() && cp->Format() != in) std::abort();
  if (auto bundle = tlog::DecodeEntryBundle(in); bundle.ok()) {
    auto again = tlog::EncodeEntryBundle(*bundle);
    if (!again.ok() || *again != in) std::abort();
  }
  if (auto tile = tlog::DecodeHashTile(in); tile.ok() && tlog::EncodeHashTile(*tile) != in) std::abort();
  if (auto event = DecodeEvent(in); event.ok()) {
    auto again = EncodeEvent(*event);
    if (!again.ok() || *again != in) std::abort();
    // The fast encoder and the library agree on every event.
    auto reference = EncodeEventWithLibrary(*event);
    if (!reference.ok() || *reference != *again) std::abort();
  }
  (void)tlog::NoteVerifier::FromKey(in);
  return 0;
}
