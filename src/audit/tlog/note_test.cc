// File: audit/tlog/note_test.cc
// Signed notes against the reference example of golang.org/x/mod/sumdb/note
// (note_test.go and its package documentation: the PeterNeumann key pair,
// text and signature, which C2SP signed-note implementations share);
// checkpoints and tile paths against the examples of c2sp.org/tlog-tiles.
#include "audit/tlog/note.h"

#include <gtest/gtest.h>

#include <string>

#include "audit/tlog/checkpoint.h"
#include "audit/tlog/tiles.h"
#include "crypto/encoding.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::audit::tlog {
namespace {

constexpr std::string_view kVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
// The key part of "PRIVATE+KEY+PeterNeumann+c74f20a3+<this>": 0x01 || seed.
constexpr std::string_view kSkeyBlob = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kSigLine =
    "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

NoteSigner PeterNeumann() {
  std::string blob = *crypto::Base64Decode(kSkeyBlob);
  std::string seed = blob.substr(1);
  auto key = crypto::Ed25519PrivateKey::FromSeed(std::as_bytes(std::span(seed.data(), seed.size())));
  EXPECT_TRUE(key.ok());
  return std::move(NoteSigner::Create("PeterNeumann", std::move(*key))).value();
}

std::string ReferenceNote() { return std::string(kText) + "\n" + std::string(kSigLine); }

TEST(NoteTest, SignsTheReferenceNoteByteForByte) {
  NoteSigner signer = PeterNeumann();
  EXPECT_EQ(signer.VerifierKey(), kVkey);
  EXPECT_EQ(signer.key_hash(), 0xc74f20a3u);
  ASSERT_OK_AND_ASSIGN(std::string note, signer.Sign(kText));
  EXPECT_EQ(note, ReferenceNote());
}

TEST(NoteTest, PrivateKeyStringRoundTrips) {
  const std::string skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+" + std::string(kSkeyBlob);
  ASSERT_OK_AND_ASSIGN(NoteSigner signer, NoteSigner::FromPrivateKey(skey));
  EXPECT_EQ(signer.VerifierKey(), kVkey);
  crypto::SecretBytes back = signer.PrivateKey();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(back.data()), back.size()), skey);
  EXPECT_STATUS_CODE(NoteSigner::FromPrivateKey("PRIVATE+KEY+PeterNeumann+c74f20a4+" + std::string(kSkeyBlob)),
                     kInvalidArgument);
  EXPECT_STATUS_CODE(NoteSigner::FromPrivateKey(kVkey), kInvalidArgument);
}

TEST(NoteTest, OpensTheReferenceNote) {
  ASSERT_OK_AND_ASSIGN(NoteVerifier v, NoteVerifier::FromKey(kVkey));
  EXPECT_EQ(v.name(), "PeterNeumann");
  ASSERT_OK_AND_ASSIGN(std::string text, v.Open(ReferenceNote()));
  EXPECT_EQ(text, kText);
}

TEST(NoteTest, RejectsAlteredText) {
  ASSERT_OK_AND_ASSIGN(NoteVerifier v, NoteVerifier::FromKey(kVkey));
  std::string note = ReferenceNote();
  note[10] ^= 0x20;
  EXPECT_STATUS_CODE(v.Open(note), kUnauthenticated);
}

TEST(NoteTest, RejectsNoteFromAnotherKeyAndKeepsUnknownSignatures) {
  ASSERT_OK_AND_ASSIGN(auto other_key, crypto::Ed25519PrivateKey::Generate());
  ASSERT_OK_AND_ASSIGN(NoteSigner other, NoteSigner::Create("other.example/log", std::move(other_key)));
  ASSERT_OK_AND_ASSIGN(std::string other_note, other.Sign(kText));
  ASSERT_OK_AND_ASSIGN(NoteVerifier v, NoteVerifier::FromKey(kVkey));
  EXPECT_STATUS_CODE(v.Open(other_note), kUnauthenticated);
  // A note cosigned by both opens for either pinned key.
  std::string both = ReferenceNote() + other_note.substr(kText.size() + 1);
  EXPECT_OK(v.Open(both));
  ASSERT_OK_AND_ASSIGN(NoteVerifier ov, NoteVerifier::FromKey(other.VerifierKey()));
  EXPECT_OK(ov.Open(both));
  // Same name and key hash but a forged signature: refused.
  std::string forged = ReferenceNote();
  forged[forged.size() - 10] = forged[forged.size() - 10] == 'A' ? 'B' : 'A';
  EXPECT_STATUS_CODE(v.Open(forged), kUnauthenticated);
}

TEST(NoteTest, RejectsMalformedNotesAndKeys) {
  ASSERT_OK_AND_ASSIGN(NoteVerifier v, NoteVerifier::FromKey(kVkey));
  EXPECT_STATUS_CODE(v.Open(kText), kInvalidArgument);                                // no signatures
  EXPECT_STATUS_CODE(v.Open(std::string(kText) + "\n"), kInvalidArgument);            // empty block
  EXPECT_STATUS_CODE(v.Open(std::string(kText) + "\n- PeterNeumann AAAA\n"), kInvalidArgument);
  EXPECT_STATUS_CODE(NoteVerifier::FromKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                     kInvalidArgument);  // wrong hash
  EXPECT_STATUS_CODE(NoteVerifier::FromKey("PeterNeumann+c74f20a3"), kInvalidArgument);
  EXPECT_STATUS_CODE(NoteVerifier::FromKey("PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                     kInvalidArgument);
  NoteSigner signer = PeterNeumann();
  EXPECT_STATUS_CODE(signer.Sign("no newline"), kInvalidArgument);
  EXPECT_STATUS_CODE(signer.Sign("a\n\nb\n"), kInvalidArgument);
}

TEST(CheckpointTest, FormatsAndParses) {
  Checkpoint cp;
  cp.origin = "s3.example.eu/tenant/acme";
  cp.size = 1234;
  cp.root = HashLeaf("x");
  std::string text = cp.Format();
  EXPECT_EQ(text.substr(0, 31), "s3.example.eu/tenant/acme\n1234\n");
  ASSERT_OK_AND_ASSIGN(Checkpoint back, ParseCheckpoint(text));
  EXPECT_EQ(back.origin, cp.origin);
  EXPECT_EQ(back.size, cp.size);
  EXPECT_EQ(back.root, cp.root);
  cp.extensions = {"witness hint"};
  ASSERT_OK_AND_ASSIGN(back, ParseCheckpoint(cp.Format()));
  EXPECT_EQ(back.extensions, cp.extensions);
}

TEST(CheckpointTest, RejectsMalformedLines) {
  std::string root = crypto::Base64Encode(std::string(32, 'a'));
  EXPECT_OK(ParseCheckpoint("o\n0\n" + root + "\n"));
  EXPECT_STATUS_CODE(ParseCheckpoint("o\n01\n" + root + "\n"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCheckpoint("o\n-1\n" + root + "\n"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCheckpoint("o\n99999999999999999999\n" + root + "\n"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCheckpoint("o\n1\n" + root), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCheckpoint("o\n1\nAAAA\n"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCheckpoint("\n1\n" + root + "\n"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCheckpoint("o\n1\n"), kInvalidArgument);
}

TEST(TilesTest, PathsFollowTheSpecExamples) {
  // c2sp.org/tlog-tiles: "1234067" is encoded as "x001/x234/067".
  EXPECT_EQ(EncodeTileIndex(1234067), "x001/x234/067");
  EXPECT_EQ(EncodeTileIndex(0), "000");
  EXPECT_EQ(EncodeTileIndex(999), "999");
  EXPECT_EQ(EncodeTileIndex(1000), "x001/000");
  EXPECT_EQ(HashTilePath(0, 1234067, 256), "tile/0/x001/x234/067");
  EXPECT_EQ(HashTilePath(1, 5, 10), "tile/1/005.p/10");
  EXPECT_EQ(EntryBundlePath(1234067, 256), "tile/entries/x001/x234/067");
  EXPECT_EQ(EntryBundlePath(2, 255), "tile/entries/002.p/255");
}

TEST(TilesTest, WidthOfEachTile) {
  EXPECT_EQ(TileWidth(0, 0, 0), 0u);
  EXPECT_EQ(TileWidth(0, 0, 5), 5u);
  EXPECT_EQ(TileWidth(0, 0, 256), 256u);
  EXPECT_EQ(TileWidth(0, 1, 256), 0u);
  EXPECT_EQ(TileWidth(0, 1, 300), 44u);
  EXPECT_EQ(TileWidth(1, 0, 300), 1u);  // one complete node at level 8
  EXPECT_EQ(TileWidth(1, 0, 255), 0u);
}

TEST(TilesTest, EntryBundlesRoundTripAndRejectTruncation) {
  std::vector<std::string> entries = {"", "a", std::string(300, 'z')};
  ASSERT_OK_AND_ASSIGN(std::string bundle, EncodeEntryBundle(entries));
  EXPECT_EQ(bundle.substr(0, 5), std::string("\x00\x00\x00\x01" "a", 5));
  ASSERT_OK_AND_ASSIGN(auto back, DecodeEntryBundle(bundle));
  EXPECT_EQ(back, entries);
  EXPECT_STATUS_CODE(DecodeEntryBundle(bundle.substr(0, bundle.size() - 1)), kInvalidArgument);
  EXPECT_STATUS_CODE(DecodeEntryBundle(std::string(1, '\0')), kInvalidArgument);
  std::vector<std::string> big = {std::string(65536, 'x')};
  EXPECT_STATUS_CODE(EncodeEntryBundle(big), kInvalidArgument);
}

TEST(TilesTest, HashTilesRoundTrip) {
  std::vector<Hash> hashes = {HashLeaf("a"), HashLeaf("b")};
  std::string tile = EncodeHashTile(hashes);
  EXPECT_EQ(tile.size(), 64u);
  ASSERT_OK_AND_ASSIGN(auto back, DecodeHashTile(tile));
  EXPECT_EQ(back, hashes);
  EXPECT_STATUS_CODE(DecodeHashTile(tile.substr(1)), kInvalidArgument);
  EXPECT_STATUS_CODE(DecodeHashTile(""), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::audit::tlog
