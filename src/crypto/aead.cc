// File: crypto/aead.cc
#include "crypto/aead.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "crypto/random.h"

namespace confiance::crypto {
namespace {

void PutBigEndian64(uint64_t v, unsigned char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

// nonce(i) = 00000000 || BE64(i). Unique per package because one key seals
// exactly one blob (docs/blob_format.md, "Why the nonce is the index").
void MakeNonce(uint64_t index, unsigned char (&nonce)[kNonceSize]) {
  std::memset(nonce, 0, 4);
  PutBigEndian64(index, nonce + 4);
}

void MakeAad(std::span<const std::byte, kHeaderSize> header, uint64_t index, bool final,
             unsigned char (&aad)[kAadSize]) {
  std::memcpy(aad, header.data(), kHeaderSize);
  PutBigEndian64(index, aad + kHeaderSize);
  aad[kHeaderSize + 8] = final ? 1 : 0;
}

const unsigned char* U8(std::span<const std::byte> s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U8(std::span<std::byte> s) { return reinterpret_cast<unsigned char*>(s.data()); }

bool Overlaps(std::span<const std::byte> a, std::span<const std::byte> b) {
  if (a.empty() || b.empty()) return false;
  const std::byte* a0 = a.data();
  const std::byte* b0 = b.data();
  return std::less<const std::byte*>()(a0, b0 + b.size()) && std::less<const std::byte*>()(b0, a0 + a.size());
}

bool ValidLayout(PackageLayout layout) {
  return layout.log2_package_size >= kMinLog2PackageSize && layout.log2_package_size <= kMaxLog2PackageSize;
}

// Sets up `ctx` with the cipher and key once; later calls change only the IV,
// which keeps the AES key schedule.
Status InitCipher(const SecretBytes& key, bool encrypt, internal::EvpCipherCtxPtr& ctx) {
  if (key.size() != kDataKeySize) return InvalidArgumentError("AES-256-GCM needs a 32-byte key");
  ctx.reset(EVP_CIPHER_CTX_new());
  if (!ctx) return internal::OpenSslError("EVP_CIPHER_CTX_new");
  const EVP_CIPHER* cipher = internal::Aes256Gcm();
  if (cipher == nullptr) return internal::OpenSslError("fetch AES-256-GCM");
  int rc = encrypt ? EVP_EncryptInit_ex2(ctx.get(), cipher, key.data(), nullptr, nullptr)
                   : EVP_DecryptInit_ex2(ctx.get(), cipher, key.data(), nullptr, nullptr);
  if (rc != 1) return internal::OpenSslError("AES-256-GCM init");
  return OkStatus();
}

// Checks the plaintext size of package `index` against the layout rules.
bool ValidPackageSize(PackageLayout layout, uint64_t index, size_t plain_size, bool final) {
  if (plain_size > layout.package_size()) return false;
  if (!final) return plain_size == layout.package_size();
  return plain_size > 0 || index == 0;
}

}  // namespace

Result<SecretBytes> NewDataKey() { return RandomBytes(kDataKeySize); }

std::array<std::byte, kHeaderSize> EncodeHeader(PackageLayout layout) {
  std::array<std::byte, kHeaderSize> h{};
  for (size_t i = 0; i < 4; ++i) h[i] = static_cast<std::byte>(kBlobMagic[i]);
  h[kHeaderVersionOffset] = std::byte{kFormatVersion};
  h[kHeaderAlgorithmOffset] = std::byte{kAlgorithmAes256Gcm};
  h[kHeaderLog2PackageOffset] = std::byte{layout.log2_package_size};
  return h;
}

Result<PackageLayout> DecodeHeader(std::span<const std::byte> header) {
  if (header.size() != kHeaderSize) return DataLossError("blob header: wrong size");
  if (std::memcmp(header.data(), kBlobMagic, 4) != 0) return DataLossError("blob header: bad magic");
  if (header[kHeaderVersionOffset] != std::byte{kFormatVersion}) {
    return UnimplementedError("blob header: unknown format version");
  }
  if (header[kHeaderAlgorithmOffset] != std::byte{kAlgorithmAes256Gcm}) {
    return UnimplementedError("blob header: unknown algorithm");
  }
  PackageLayout layout{static_cast<uint8_t>(header[kHeaderLog2PackageOffset])};
  if (!ValidLayout(layout)) return DataLossError("blob header: bad package size");
  for (size_t i = kHeaderLog2PackageOffset + 1; i < kHeaderSize; ++i) {
    if (header[i] != std::byte{0}) return DataLossError("blob header: reserved bytes not zero");
  }
  return layout;
}

// ---- PackageSealer ----

PackageSealer::PackageSealer(const SecretBytes& key, PackageLayout layout)
    : layout_(layout), header_(EncodeHeader(layout)) {
  init_ = ValidLayout(layout) ? InitCipher(key, /*encrypt=*/true, ctx_)
                              : InvalidArgumentError("unsupported package size");
}

Status PackageSealer::Seal(uint64_t index, std::span<const std::byte> plain, bool final,
                           std::span<std::byte> out) {
  RETURN_IF_ERROR(init_);
  if (!ValidPackageSize(layout_, index, plain.size(), final)) {
    return InvalidArgumentError("Seal: package size violates the layout");
  }
  if (out.size() < plain.size() + kTagSize) return InvalidArgumentError("Seal: output too small");
  if (out.data() != plain.data() && Overlaps(plain, out)) return InvalidArgumentError("Seal: partial overlap");

  unsigned char nonce[kNonceSize];
  unsigned char aad[kAadSize];
  MakeNonce(index, nonce);
  MakeAad(header_, index, final, aad);
  EVP_CIPHER_CTX* ctx = ctx_.get();
  int len = 0;
  const int n = static_cast<int>(plain.size());
  if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce, nullptr) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &len, aad, sizeof(aad)) != 1 ||
      (n > 0 && EVP_EncryptUpdate(ctx, U8(out), &len, U8(plain), n) != 1) ||
      EVP_EncryptFinal_ex(ctx, U8(out) + n, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, U8(out) + n) != 1) {
    return internal::OpenSslError("AES-256-GCM seal");
  }
  return OkStatus();
}

// ---- PackageOpener ----

PackageOpener::PackageOpener(const SecretBytes& key) { init_ = InitCipher(key, /*encrypt=*/false, ctx_); }

Status PackageOpener::CheckHeader(std::span<const std::byte> header16) {
  have_header_ = false;
  ASSIGN_OR_RETURN(layout_, DecodeHeader(header16));
  std::copy(header16.begin(), header16.end(), header_.begin());
  have_header_ = true;
  return OkStatus();
}

Status PackageOpener::Open(uint64_t index, std::span<const std::byte> sealed, bool final,
                           std::span<std::byte> out) {
  if (sealed.size() < kTagSize) return DataLossError("sealed package shorter than its tag");
  const size_t n = sealed.size() - kTagSize;
  std::array<std::byte, kTagSize> tag;
  std::memcpy(tag.data(), sealed.data() + n, kTagSize);  // before an in-place decrypt
  return Open(index, sealed.first(n), tag, final, out);
}

Status PackageOpener::Open(uint64_t index, std::span<const std::byte> ciphertext,
                           std::span<const std::byte, kTagSize> tag_bytes, bool final,
                           std::span<std::byte> out) {
  RETURN_IF_ERROR(init_);
  if (!have_header_) return FailedPreconditionError("Open before CheckHeader");
  const size_t n = ciphertext.size();
  if (!ValidPackageSize(layout_, index, n, final)) return DataLossError("sealed package has a wrong size");
  if (out.size() < n) return InvalidArgumentError("Open: output too small");
  if (out.data() != ciphertext.data() && Overlaps(ciphertext, out)) {
    return InvalidArgumentError("Open: partial overlap");
  }

  unsigned char nonce[kNonceSize];
  unsigned char aad[kAadSize];
  unsigned char tag[kTagSize];
  MakeNonce(index, nonce);
  MakeAad(header_, index, final, aad);
  std::memcpy(tag, tag_bytes.data(), kTagSize);  // OpenSSL wants a mutable pointer
  EVP_CIPHER_CTX* ctx = ctx_.get();
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce, nullptr) != 1 ||
      EVP_DecryptUpdate(ctx, nullptr, &len, aad, sizeof(aad)) != 1 ||
      (n > 0 && EVP_DecryptUpdate(ctx, U8(out), &len, U8(ciphertext), static_cast<int>(n)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, tag) != 1) {
    OPENSSL_cleanse(out.data(), n);
    return internal::OpenSslError("AES-256-GCM open");
  }
  if (EVP_DecryptFinal_ex(ctx, U8(out) + n, &len) != 1) {
    // Authentication failed: the decrypted bytes are attacker-controlled and
    // must not escape.
    OPENSSL_cleanse(out.data(), n);
    return DataLossError("blob package " + std::to_string(index) + " failed authentication");
  }
  return OkStatus();
}

// ---- ObjectEncryptor ----

ObjectEncryptor::ObjectEncryptor(const SecretBytes& key, Sink sink, PackageLayout layout)
    : sealer_(key, layout), sink_(std::move(sink)) {
  // buf_ grows on demand up to one sealed package (EnsureBuffer): a 4 KiB
  // object never pays for a 64 KiB allocation.
  if (!ValidLayout(layout)) {
    error_ = InvalidArgumentError("unsupported package size");
  }
}

void ObjectEncryptor::EnsureBuffer(size_t plain_bytes) {
  size_t need = plain_bytes + kTagSize;
  if (buf_.size() < need) {
    size_t grown = std::max(need, std::min<size_t>(2 * buf_.size(), sealer_.layout().sealed_package_size()));
    buf_.resize(grown);
  }
}

Status ObjectEncryptor::Emit(std::span<const std::byte> bytes) {
  Status s = sink_(bytes);
  if (!s.ok()) return error_ = s;
  sealed_size_ += bytes.size();
  return OkStatus();
}

Status ObjectEncryptor::SealBuffered(bool final) {
  std::span<std::byte> pkg(buf_.data(), buffered_ + kTagSize);
  Status s = sealer_.Seal(next_index_, pkg.first(buffered_), final, pkg);
  if (!s.ok()) return error_ = s;
  ++next_index_;
  buffered_ = 0;
  return Emit(pkg);
}

Status ObjectEncryptor::Write(std::span<const std::byte> plain) {
  if (finished_) return FailedPreconditionError("ObjectEncryptor::Write after Finish");
  RETURN_IF_ERROR(error_);
  if (!header_sent_) {
    RETURN_IF_ERROR(Emit(sealer_.header()));
    header_sent_ = true;
  }
  const size_t p = sealer_.layout().package_size();
  plain_size_ += plain.size();
  while (!plain.empty()) {
    if (buffered_ == p) RETURN_IF_ERROR(SealBuffered(/*final=*/false));
    if (buffered_ == 0 && plain.size() > p) {
      // A whole package followed by more input: it is not the last, seal it
      // straight from the caller's span without copying it.
      EnsureBuffer(p);
      Status s = sealer_.Seal(next_index_, plain.first(p), /*final=*/false, buf_);
      if (!s.ok()) return error_ = s;
      ++next_index_;
      RETURN_IF_ERROR(Emit(std::span<const std::byte>(buf_.data(), p + kTagSize)));
      plain = plain.subspan(p);
      continue;
    }
    size_t take = std::min(p - buffered_, plain.size());
    EnsureBuffer(buffered_ + take);
    std::memcpy(buf_.data() + buffered_, plain.data(), take);
    buffered_ += take;
    plain = plain.subspan(take);
  }
  return OkStatus();
}

Status ObjectEncryptor::Finish() {
  if (finished_) return FailedPreconditionError("ObjectEncryptor::Finish called twice");
  RETURN_IF_ERROR(error_);
  if (!header_sent_) {
    RETURN_IF_ERROR(Emit(sealer_.header()));
    header_sent_ = true;
  }
  EnsureBuffer(buffered_);
  RETURN_IF_ERROR(SealBuffered(/*final=*/true));
  finished_ = true;
  return OkStatus();
}

// ---- RangeDecryptor ----

RangeDecryptor::RangeDecryptor(const SecretBytes& key, uint64_t plain_size, Reader reader)
    : opener_(key), plain_size_(plain_size), reader_(std::move(reader)) {}

Status RangeDecryptor::ReadFully(uint64_t offset, std::span<std::byte> out) {
  while (!out.empty()) {
    ASSIGN_OR_RETURN(size_t n, reader_(offset, out));
    if (n == 0) return DataLossError("encrypted blob is shorter than its recorded size");
    if (n > out.size()) return InternalError("blob reader returned more than asked");
    offset += n;
    out = out.subspan(n);
  }
  return OkStatus();
}

Status RangeDecryptor::LoadHeader() {
  if (header_loaded_) return OkStatus();
  std::array<std::byte, kHeaderSize> header;
  RETURN_IF_ERROR(ReadFully(0, header));
  RETURN_IF_ERROR(opener_.CheckHeader(header));
  header_loaded_ = true;
  return OkStatus();
}

void RangeDecryptor::EnsurePackageBuffer() {
  // Package 0 is the largest one: a small object needs no 64 KiB buffer.
  if (buf_.empty()) buf_.resize(opener_.layout().PlainPackageSize(0, plain_size_) + kTagSize);
}

Status RangeDecryptor::ReadRange(uint64_t offset, uint64_t length, const PlainSink& sink) {
  if (offset > plain_size_ || length > plain_size_ - offset) {
    return OutOfRangeError("range beyond the end of the object");
  }
  RETURN_IF_ERROR(LoadHeader());
  if (length == 0) return OkStatus();
  const PackageLayout layout = opener_.layout();
  const uint64_t last_index = layout.PackageCount(plain_size_) - 1;
  const PackageRange range = layout.PackagesForRange(offset, length, plain_size_);
  const uint64_t end = offset + length;
  EnsurePackageBuffer();
  for (uint64_t i = range.first; i <= range.last; ++i) {
    const uint64_t psize = layout.PlainPackageSize(i, plain_size_);
    std::span<std::byte> sealed(buf_.data(), psize + kTagSize);
    RETURN_IF_ERROR(ReadFully(layout.SealedPackageOffset(i), sealed));
    RETURN_IF_ERROR(opener_.Open(i, sealed, /*final=*/i == last_index, sealed));
    const uint64_t pstart = layout.PlainPackageOffset(i);
    const uint64_t from = std::max(offset, pstart) - pstart;
    const uint64_t to = std::min(end, pstart + psize) - pstart;
    RETURN_IF_ERROR(sink(std::span<const std::byte>(buf_.data() + from, to - from)));
  }
  return OkStatus();
}

Status RangeDecryptor::Read(uint64_t offset, std::span<std::byte> out) {
  if (offset > plain_size_ || out.size() > plain_size_ - offset) {
    return OutOfRangeError("range beyond the end of the object");
  }
  RETURN_IF_ERROR(LoadHeader());
  if (out.empty()) return OkStatus();
  const PackageLayout layout = opener_.layout();
  const uint64_t last_index = layout.PackageCount(plain_size_) - 1;
  const PackageRange range = layout.PackagesForRange(offset, out.size(), plain_size_);
  const uint64_t end = offset + out.size();
  for (uint64_t i = range.first; i <= range.last; ++i) {
    const uint64_t psize = layout.PlainPackageSize(i, plain_size_);
    const uint64_t pstart = layout.PlainPackageOffset(i);
    const uint64_t from = std::max(offset, pstart) - pstart;
    const uint64_t to = std::min(end, pstart + psize) - pstart;
    std::span<std::byte> dest = out.subspan(pstart + from - offset, to - from);
    const bool final = i == last_index;
    if (from == 0 && to == psize) {
      // Wanted whole: ciphertext straight into `out`, opened in place.
      std::array<std::byte, kTagSize> tag;
      RETURN_IF_ERROR(ReadFully(layout.SealedPackageOffset(i), dest));
      RETURN_IF_ERROR(ReadFully(layout.SealedPackageOffset(i) + psize, tag));
      RETURN_IF_ERROR(opener_.Open(i, dest, tag, final, dest));
      continue;
    }
    EnsurePackageBuffer();
    std::span<std::byte> sealed(buf_.data(), psize + kTagSize);
    RETURN_IF_ERROR(ReadFully(layout.SealedPackageOffset(i), sealed));
    RETURN_IF_ERROR(opener_.Open(i, sealed, final, sealed));
    std::memcpy(dest.data(), buf_.data() + from, dest.size());
  }
  return OkStatus();
}

}  // namespace confiance::crypto
