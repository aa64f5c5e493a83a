// File: crypto/encrypted_env.cc
#include "crypto/encrypted_env.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/hash.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace confiance::crypto {
namespace {

constexpr std::string_view kMagic = "CONF-ENC";
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kVersionOffset = 8;
constexpr size_t kReservedOffset = 9;
constexpr size_t kNonceOffset = 16;
constexpr size_t kNonceSize = 32;
constexpr size_t kCheckOffset = 48;
constexpr size_t kCheckSize = 16;
static_assert(kCheckOffset + kCheckSize == EncryptedEnv::kHeaderSize);
constexpr std::string_view kKeyLabel = "confiance/encrypted-file/v1/key";
constexpr std::string_view kCheckLabel = "confiance/encrypted-file/v1/check";
// Appends are encrypted through a scratch buffer of at most this many bytes.
constexpr size_t kScratchLimit = 256 * 1024;

using Header = std::array<std::byte, EncryptedEnv::kHeaderSize>;

// One file's keystream: AES-256-CTR under the file's own key.
class FileCipher {
 public:
  FileCipher(const SecretBytes& env_key, std::span<const std::byte> nonce) : key_(EncryptedEnv::kKeySize) {
    std::string label(kKeyLabel);
    label.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    std::array<uint8_t, 32> derived = HmacSha256(env_key.span(), label);
    std::memcpy(key_.mutable_data(), derived.data(), derived.size());
    OPENSSL_cleanse(derived.data(), derived.size());
  }

  std::array<uint8_t, 32> Check() const { return HmacSha256(key_.span(), kCheckLabel); }

  // XORs the keystream at content offset `offset` into `data`: encrypts
  // plaintext, decrypts ciphertext.
  Status Apply(uint64_t offset, std::span<std::byte> data) const {
    if (data.empty()) return OkStatus();
    internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (ctx == nullptr) return internal::OpenSslError("encrypted file: EVP_CIPHER_CTX_new");
    unsigned char counter[16] = {};
    uint64_t block = offset / 16;
    for (int i = 15; i >= 8; --i, block >>= 8) counter[i] = static_cast<unsigned char>(block & 0xff);
    if (EVP_EncryptInit_ex(ctx.get(), internal::Aes256Ctr(), nullptr, key_.data(), counter) != 1) {
      return internal::OpenSslError("encrypted file: AES-256-CTR init");
    }
    int n = 0;
    if (const int skip = static_cast<int>(offset % 16); skip > 0) {
      unsigned char discard[16] = {};
      if (EVP_EncryptUpdate(ctx.get(), discard, &n, discard, skip) != 1) {
        return internal::OpenSslError("encrypted file: AES-256-CTR");
      }
    }
    auto* p = reinterpret_cast<unsigned char*>(data.data());
    for (size_t left = data.size(); left > 0;) {
      const int chunk = static_cast<int>(std::min<size_t>(left, INT_MAX / 2));
      if (EVP_EncryptUpdate(ctx.get(), p, &n, p, chunk) != 1) {
        return internal::OpenSslError("encrypted file: AES-256-CTR");
      }
      p += chunk;
      left -= static_cast<size_t>(chunk);
    }
    return OkStatus();
  }

 private:
  SecretBytes key_;
};

Result<Header> NewHeader(const SecretBytes& env_key, std::shared_ptr<const FileCipher>& cipher) {
  Header h{};
  std::memcpy(h.data(), kMagic.data(), kMagic.size());
  h[kVersionOffset] = std::byte{kFormatVersion};
  const std::span<std::byte> nonce(h.data() + kNonceOffset, kNonceSize);
  RETURN_IF_ERROR(FillRandom(nonce));
  cipher = std::make_shared<const FileCipher>(env_key, nonce);
  const std::array<uint8_t, 32> check = cipher->Check();
  std::memcpy(h.data() + kCheckOffset, check.data(), kCheckSize);
  return h;
}

// The cipher of a file whose header is `h`; DataLoss naming `path` if it is
// not one of ours, of an unknown version or reserved bytes, or of another
// key.
Result<std::shared_ptr<const FileCipher>> OpenHeader(const SecretBytes& env_key, std::span<const std::byte> h,
                                                     const std::string& path) {
  if (std::memcmp(h.data(), kMagic.data(), kMagic.size()) != 0) {
    return DataLossError(path + ": not an encrypted file (written without metadata encryption?)");
  }
  if (h[kVersionOffset] != std::byte{kFormatVersion}) {
    return DataLossError(path + ": unknown encrypted-file format version " +
                         std::to_string(static_cast<int>(h[kVersionOffset])));
  }
  // Zero in version 1: a later version may give them a meaning that a
  // version-1 reader must not ignore.
  if (std::any_of(h.begin() + kReservedOffset, h.begin() + kNonceOffset,
                  [](std::byte b) { return b != std::byte{0}; })) {
    return DataLossError(path + ": encrypted-file header with reserved bytes set");
  }
  auto cipher = std::make_shared<const FileCipher>(env_key, h.subspan(kNonceOffset, kNonceSize));
  const std::array<uint8_t, 32> check = cipher->Check();
  if (CRYPTO_memcmp(check.data(), h.data() + kCheckOffset, kCheckSize) != 0) {
    return DataLossError(path + ": encrypted under another metadata key");
  }
  return cipher;
}

class EncryptedWritableFile final : public WritableFile {
 public:
  EncryptedWritableFile(std::unique_ptr<WritableFile> base, std::shared_ptr<const FileCipher> cipher, uint64_t offset)
      : base_(std::move(base)), cipher_(std::move(cipher)), offset_(offset) {}

  Status Append(std::span<const std::byte> data) override {
    while (!data.empty()) {
      const size_t n = std::min(data.size(), kScratchLimit);
      scratch_.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      RETURN_IF_ERROR(cipher_->Apply(offset_, scratch_));
      RETURN_IF_ERROR(base_->Append(scratch_));
      offset_ += n;
      data = data.subspan(n);
    }
    return OkStatus();
  }
  Status Flush() override { return base_->Flush(); }
  Status Sync() override { return base_->Sync(); }
  Status Close() override { return base_->Close(); }

 private:
  std::unique_ptr<WritableFile> base_;
  std::shared_ptr<const FileCipher> cipher_;
  uint64_t offset_;  // content bytes written
  std::vector<std::byte> scratch_;
};

class EncryptedRandomAccessFile final : public RandomAccessFile {
 public:
  // `cipher` null: the file is shorter than its header and reads as empty.
  EncryptedRandomAccessFile(std::unique_ptr<RandomAccessFile> base, std::shared_ptr<const FileCipher> cipher)
      : base_(std::move(base)), cipher_(std::move(cipher)) {}

  Result<size_t> Read(uint64_t offset, std::span<std::byte> out) const override {
    if (cipher_ == nullptr) return size_t{0};
    ASSIGN_OR_RETURN(size_t n, base_->Read(offset + EncryptedEnv::kHeaderSize, out));
    RETURN_IF_ERROR(cipher_->Apply(offset, out.first(n)));
    return n;
  }
  Result<size_t> ReadUncached(uint64_t offset, std::span<std::byte> out) const override {
    if (cipher_ == nullptr) return size_t{0};
    ASSIGN_OR_RETURN(size_t n, base_->ReadUncached(offset + EncryptedEnv::kHeaderSize, out));
    RETURN_IF_ERROR(cipher_->Apply(offset, out.first(n)));
    return n;
  }

 private:
  std::unique_ptr<RandomAccessFile> base_;
  std::shared_ptr<const FileCipher> cipher_;
};

class EncryptedSequentialFile final : public SequentialFile {
 public:
  EncryptedSequentialFile(std::unique_ptr<SequentialFile> base, std::shared_ptr<const FileCipher> cipher)
      : base_(std::move(base)), cipher_(std::move(cipher)) {}

  Result<size_t> Read(std::span<std::byte> out) override {
    if (cipher_ == nullptr) return size_t{0};
    ASSIGN_OR_RETURN(size_t n, base_->Read(out));
    RETURN_IF_ERROR(cipher_->Apply(position_, out.first(n)));
    position_ += n;
    return n;
  }
  Status Skip(uint64_t n) override {
    if (cipher_ == nullptr) return OkStatus();
    RETURN_IF_ERROR(base_->Skip(n));
    position_ += n;
    return OkStatus();
  }

 private:
  std::unique_ptr<SequentialFile> base_;
  std::shared_ptr<const FileCipher> cipher_;
  uint64_t position_ = 0;
};

// Reads up to a header's worth from the start of `file`: fewer bytes only
// at its end.
Result<size_t> ReadHeader(SequentialFile& file, Header& h) {
  size_t got = 0;
  while (got < h.size()) {
    ASSIGN_OR_RETURN(size_t n, file.Read(std::span(h).subspan(got)));
    if (n == 0) break;
    got += n;
  }
  return got;
}

}  // namespace

Result<std::unique_ptr<EncryptedEnv>> EncryptedEnv::Create(Env& base, const SecretBytes& key, std::string only_under) {
  if (key.size() != kKeySize) return InvalidArgumentError("encrypted env: the key must be 32 bytes");
  return std::unique_ptr<EncryptedEnv>(new EncryptedEnv(base, key.Clone(), std::move(only_under)));
}

EncryptedEnv::EncryptedEnv(Env& base, SecretBytes key, std::string only_under)
    : EnvWrapper(base), key_(std::move(key)), only_under_(std::move(only_under)) {}

EncryptedEnv::~EncryptedEnv() = default;

bool EncryptedEnv::LooksEncrypted(std::string_view content) { return content.starts_with(kMagic); }

Result<std::unique_ptr<EncryptedEnv>> EncryptedEnv::OnlyUnder(std::string only_under) {
  return Create(base(), key_, std::move(only_under));
}

bool EncryptedEnv::Encrypts(const std::string& path) const {
  return only_under_.empty() || path.rfind(only_under_, 0) == 0;
}

Result<std::unique_ptr<WritableFile>> EncryptedEnv::NewEncryptedWritable(const std::string& path, bool log) {
  std::shared_ptr<const FileCipher> cipher;
  ASSIGN_OR_RETURN(Header header, NewHeader(key_, cipher));
  std::unique_ptr<WritableFile> file;
  if (log) {
    // What the base fills ahead with must read back as zeros: the keystream
    // at those offsets. Where the header goes, the fill is the header: the
    // base writes the fill before the bytes it precedes, so a fill of zeros
    // there would show a header of zeros, refused as "not an encrypted
    // file", to a reader between the two writes (RocksDB's checkpoint copies
    // the live log) and after a crash between them (the log then stops the
    // store from opening).
    LogFill fill = [cipher, header](uint64_t offset, std::span<std::byte> out) {
      std::fill(out.begin(), out.end(), std::byte{0});
      if (offset < kHeaderSize) {
        const size_t n = std::min<size_t>(kHeaderSize - static_cast<size_t>(offset), out.size());
        std::memcpy(out.data(), header.data() + offset, n);
      }
      if (offset + out.size() <= kHeaderSize) return;
      const size_t skip = offset < kHeaderSize ? static_cast<size_t>(kHeaderSize - offset) : 0;
      // Cannot fail but by memory exhaustion: a fill that failed would
      // read as garbage, which the WAL reader treats as a torn tail.
      cipher->Apply(offset + skip - kHeaderSize, out.subspan(skip)).IgnoreError();
    };
    ASSIGN_OR_RETURN(file, base().NewLogFile(path, fill));
  } else {
    ASSIGN_OR_RETURN(file, base().NewWritableFile(path));
  }
  RETURN_IF_ERROR(file->Append(header));
  return std::unique_ptr<WritableFile>(new EncryptedWritableFile(std::move(file), std::move(cipher), 0));
}

Result<std::unique_ptr<WritableFile>> EncryptedEnv::NewWritableFile(const std::string& path) {
  if (!Encrypts(path)) return base().NewWritableFile(path);
  return NewEncryptedWritable(path, /*log=*/false);
}

Result<std::unique_ptr<WritableFile>> EncryptedEnv::NewLogFile(const std::string& path, const LogFill& fill) {
  if (!Encrypts(path)) return base().NewLogFile(path, fill);
  // A fill of our caller's would have to be encrypted in turn; no caller
  // stacks two such Envs.
  if (fill) return UnimplementedError("encrypted env: a log file with a fill of its own: " + path);
  return NewEncryptedWritable(path, /*log=*/true);
}

Result<std::unique_ptr<WritableFile>> EncryptedEnv::NewAppendableFile(const std::string& path) {
  if (!Encrypts(path)) return base().NewAppendableFile(path);
  const bool exists = base().FileExists(path);
  uint64_t size = 0;
  if (exists) {
    ASSIGN_OR_RETURN(size, base().GetFileSize(path));
  }
  // No header yet (new, or cut short by a crash before any sync): start over.
  if (size < kHeaderSize) return NewEncryptedWritable(path, /*log=*/false);
  ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> reader, base().NewSequentialFile(path));
  Header header;
  ASSIGN_OR_RETURN(size_t got, ReadHeader(*reader, header));
  if (got < kHeaderSize) return DataLossError(path + ": shorter than its size says");
  ASSIGN_OR_RETURN(std::shared_ptr<const FileCipher> cipher, OpenHeader(key_, header, path));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base().NewAppendableFile(path));
  return std::unique_ptr<WritableFile>(
      new EncryptedWritableFile(std::move(file), std::move(cipher), size - kHeaderSize));
}

Result<std::unique_ptr<RandomAccessFile>> EncryptedEnv::NewRandomAccessFile(const std::string& path) {
  if (!Encrypts(path)) return base().NewRandomAccessFile(path);
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, base().NewRandomAccessFile(path));
  Header header;
  ASSIGN_OR_RETURN(size_t got, file->Read(0, header));
  std::shared_ptr<const FileCipher> cipher;
  if (got == kHeaderSize) {
    ASSIGN_OR_RETURN(cipher, OpenHeader(key_, header, path));
  }
  return std::unique_ptr<RandomAccessFile>(new EncryptedRandomAccessFile(std::move(file), std::move(cipher)));
}

Result<std::unique_ptr<SequentialFile>> EncryptedEnv::NewSequentialFile(const std::string& path) {
  if (!Encrypts(path)) return base().NewSequentialFile(path);
  ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, base().NewSequentialFile(path));
  Header header;
  ASSIGN_OR_RETURN(size_t got, ReadHeader(*file, header));
  std::shared_ptr<const FileCipher> cipher;
  if (got == kHeaderSize) {
    ASSIGN_OR_RETURN(cipher, OpenHeader(key_, header, path));
  }
  return std::unique_ptr<SequentialFile>(new EncryptedSequentialFile(std::move(file), std::move(cipher)));
}

Result<uint64_t> EncryptedEnv::GetFileSize(const std::string& path) {
  ASSIGN_OR_RETURN(uint64_t size, base().GetFileSize(path));
  if (!Encrypts(path)) return size;
  return size < kHeaderSize ? 0 : size - kHeaderSize;
}

Status EncryptedEnv::TruncateFile(const std::string& path, uint64_t size) {
  if (!Encrypts(path)) return base().TruncateFile(path, size);
  ASSIGN_OR_RETURN(uint64_t physical, base().GetFileSize(path));
  if (physical < kHeaderSize) {
    if (size == 0) return OkStatus();
    return InvalidArgumentError("encrypted env: extending a file that has no header by truncation: " + path);
  }
  return base().TruncateFile(path, size + kHeaderSize);
}

}  // namespace confiance::crypto
