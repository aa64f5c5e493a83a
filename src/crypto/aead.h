// File: crypto/aead.h
// Sealing and opening of the chunked AES-256-GCM blob format of
// crypto/object_format.h (docs/blob_format.md).
//
//  - PackageSealer / PackageOpener: one package at a time, for callers that
//    place packages themselves (parallel or ranged I/O).
//  - ObjectEncryptor: a stream of arbitrary-sized plaintext spans in, the
//    header and sealed packages out through a sink.
//  - RangeDecryptor: the plaintext of [offset, offset + length) of a blob,
//    reading and decrypting only the packages that range touches.
//
// Each blob gets its own random 256-bit data key (NewDataKey()); a key must
// never seal two blobs, because nonces are package indexes.
//
// Every object owns one EVP_CIPHER_CTX with the key schedule set up once, and
// the streaming classes one package buffer allocated at construction: the
// per-package path allocates nothing.
//
// Thread-safety: an object is used by one thread at a time. Distinct objects
// (even on the same key) are independent.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "crypto/object_format.h"
#include "crypto/openssl_util.h"
#include "crypto/secret_bytes.h"

namespace confiance::crypto {

// A fresh random data key (kDataKeySize bytes) for one blob.
Result<SecretBytes> NewDataKey();

// Encodes the 16-byte v1 header for `layout`.
std::array<std::byte, kHeaderSize> EncodeHeader(PackageLayout layout);
// Parses a header: DataLoss on a wrong magic, reserved bytes or package
// size, Unimplemented on an unknown version or algorithm.
Result<PackageLayout> DecodeHeader(std::span<const std::byte> header);

class PackageSealer {
 public:
  // Copies the key schedule of `key` (the caller may free it afterwards).
  // A key that is not kDataKeySize bytes makes every Seal fail with
  // InvalidArgument. `layout` other than the default is for tests.
  explicit PackageSealer(const SecretBytes& key, PackageLayout layout = kDefaultLayout);
  PackageSealer(const PackageSealer&) = delete;
  PackageSealer& operator=(const PackageSealer&) = delete;

  // The 16 header bytes that start the blob; valid as long as the sealer.
  std::span<const std::byte> header() const { return header_; }
  const PackageLayout& layout() const { return layout_; }

  // Seals package `index`: writes plain.size() + kTagSize bytes to `out`.
  // `final` must be true exactly for the last package of the blob.
  // REQUIRES: plain.size() == package_size for a non-final package,
  // 0 < plain.size() <= package_size for a final one (0 only at index 0);
  // out.size() >= plain.size() + kTagSize; `out` is `plain` itself (in
  // place) or does not overlap it. InvalidArgument if violated, Internal on
  // an OpenSSL failure.
  Status Seal(uint64_t index, std::span<const std::byte> plain, bool final, std::span<std::byte> out);

 private:
  PackageLayout layout_;
  std::array<std::byte, kHeaderSize> header_;
  internal::EvpCipherCtxPtr ctx_;
  Status init_;
};

class PackageOpener {
 public:
  // As PackageSealer's constructor. Open needs CheckHeader first.
  explicit PackageOpener(const SecretBytes& key);
  PackageOpener(const PackageOpener&) = delete;
  PackageOpener& operator=(const PackageOpener&) = delete;

  // Parses and adopts the blob's 16 header bytes (DecodeHeader's errors).
  // The header is authenticated later, by every Open.
  Status CheckHeader(std::span<const std::byte> header16);
  // The layout read by the last successful CheckHeader.
  const PackageLayout& layout() const { return layout_; }

  // Opens sealed package `index` (ciphertext || tag) into `out`, which
  // receives sealed.size() - kTagSize bytes. `final` says whether the
  // caller expects this to be the blob's last package (from the object's
  // recorded size). Returns DataLoss if the package does not authenticate
  // (tampered, truncated, moved, wrong key, wrong final flag, or a size the
  // layout forbids); then `out` is zeroed: unauthenticated plaintext never
  // escapes. FailedPrecondition before a successful CheckHeader;
  // InvalidArgument if `out` is too small. `out` may be `sealed` itself.
  Status Open(uint64_t index, std::span<const std::byte> sealed, bool final, std::span<std::byte> out);
  // The same with the tag apart: `ciphertext` (without its tag) opens into
  // `out` (out.size() >= ciphertext.size(); `out` may be `ciphertext`
  // itself), so that a reader can decrypt straight into its destination.
  Status Open(uint64_t index, std::span<const std::byte> ciphertext,
              std::span<const std::byte, kTagSize> tag, bool final, std::span<std::byte> out);

 private:
  PackageLayout layout_;
  std::array<std::byte, kHeaderSize> header_{};
  bool have_header_ = false;
  internal::EvpCipherCtxPtr ctx_;
  Status init_;
};

// Streams plaintext into the blob format. Usage:
//   ObjectEncryptor enc(key, [&](std::span<const std::byte> b) { return file.Append(b); });
//   RETURN_IF_ERROR(enc.Write(chunk)); ...; RETURN_IF_ERROR(enc.Finish());
// The sink receives the header, then each sealed package, in blob order; the
// span it gets is valid only during the call. A package is sealed when the
// next byte arrives, and the last one in Finish(), because only then is it
// known to be final. The first error (from the sink or OpenSSL) is sticky.
class ObjectEncryptor {
 public:
  using Sink = std::function<Status(std::span<const std::byte>)>;

  ObjectEncryptor(const SecretBytes& key, Sink sink, PackageLayout layout = kDefaultLayout);
  ObjectEncryptor(const ObjectEncryptor&) = delete;
  ObjectEncryptor& operator=(const ObjectEncryptor&) = delete;

  // Appends plaintext. FailedPrecondition after Finish.
  Status Write(std::span<const std::byte> plain);
  // Seals the final package. Call exactly once, after the last Write.
  Status Finish();

  uint64_t plain_size() const { return plain_size_; }
  // Bytes handed to the sink so far (CiphertextSize(plain_size()) after Finish).
  uint64_t sealed_size() const { return sealed_size_; }

 private:
  Status Emit(std::span<const std::byte> bytes);
  Status SealBuffered(bool final);
  // Grows buf_ to hold `plain_bytes` of plaintext plus a tag.
  void EnsureBuffer(size_t plain_bytes);

  PackageSealer sealer_;
  Sink sink_;
  std::vector<std::byte> buf_;  // package_size + kTagSize; sealed in place
  size_t buffered_ = 0;
  uint64_t next_index_ = 0;
  uint64_t plain_size_ = 0;
  uint64_t sealed_size_ = 0;
  bool header_sent_ = false;
  bool finished_ = false;
  Status error_;
};

// Reads plaintext ranges of one blob. The reader fills `out` with the blob's
// bytes at `offset` and returns how many it read (fewer only at the end of
// the blob). `plain_size` is the object's size as recorded in metadata; a
// blob that does not match it fails with DataLoss.
class RangeDecryptor {
 public:
  using Reader = std::function<Result<size_t>(uint64_t offset, std::span<std::byte> out)>;
  // Receives consecutive plaintext pieces; a view valid only during the call.
  using PlainSink = std::function<Status(std::span<const std::byte>)>;

  RangeDecryptor(const SecretBytes& key, uint64_t plain_size, Reader reader);
  RangeDecryptor(const RangeDecryptor&) = delete;
  RangeDecryptor& operator=(const RangeDecryptor&) = delete;

  // Feeds the plaintext of [offset, offset + length) to `sink`, in order,
  // opening each touched package once. OutOfRange if the range exceeds
  // plain_size; DataLoss if a package does not authenticate or the blob is
  // short (nothing of an unauthenticated package reaches the sink); the
  // reader's and sink's errors as they are. length 0 reads the header only.
  Status ReadRange(uint64_t offset, uint64_t length, const PlainSink& sink);
  // The same into a caller buffer: plaintext [offset, offset + out.size()).
  // A package that `out` covers whole is read and opened in `out` itself
  // (no copy, no package buffer); only a partly wanted one goes through
  // buf_. On an error, `out` may hold plaintext of the packages before the
  // failing one, never of an unauthenticated one.
  Status Read(uint64_t offset, std::span<std::byte> out);

 private:
  Status LoadHeader();
  // Sizes buf_ for package 0, the largest (a small object needs no 64 KiB).
  void EnsurePackageBuffer();
  Status ReadFully(uint64_t offset, std::span<std::byte> out);

  PackageOpener opener_;
  uint64_t plain_size_;
  Reader reader_;
  bool header_loaded_ = false;
  std::vector<std::byte> buf_;  // one sealed package, opened in place
};

}  // namespace confiance::crypto
