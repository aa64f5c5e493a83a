// File: crypto/encrypted_env.h
// EncryptedEnv: an Env decorator whose files are encrypted at rest, for the
// metadata store (RocksDB's tables, write-ahead logs, manifests) so that
// object names, user metadata, tags and the transparency logs are not
// readable from the disk or a copy of it (docs/encryption.md, "Metadata at
// rest").
//
// File format (version 1), every file under the Env:
//   header, 64 bytes: "CONF-ENC" | version 0x01 | 7 zero bytes |
//                     nonce (32 random bytes) | check (16 bytes)
//   body:             the content, AES-256-CTR
// with file_key = HMAC-SHA256(key, "confiance/encrypted-file/v1/key" | nonce),
// the counter block = the body offset / 16 as a 128-bit big-endian number,
// and check = HMAC-SHA256(file_key, "confiance/encrypted-file/v1/check")[0:16],
// which tells a wrong key (DataLoss naming the file) from a right one before
// any byte is decrypted. A fresh nonce per file gives every file its own
// key, so no keystream is ever reused however often RocksDB rewrites a name.
//
// CTR has no integrity of its own: the content's integrity is the reader's
// (RocksDB checksums every block and WAL record; a flipped ciphertext bit
// flips the same plaintext bit, which those checksums catch). What this
// adds is confidentiality.
//
// A file shorter than its header (a crash right after its creation, before
// any sync) reads as empty, and is rewritten with a new header when opened
// for appending. Write-ahead logs (NewLogFile) are filled ahead with the
// keystream of zeros, so the part no record reached decrypts to zeros as
// in a plain file (docs/DURABILITY.md, "WAL files").
//
// `only_under`: if not empty, only files at paths beginning with it are
// encrypted; the others pass through (a reader of a whole data directory,
// the shred check). Empty: every file, as the metadata store needs (its
// backups' checkpoints are written outside its directory).
//
// Sizes (GetFileSize, TruncateFile) are of the content, header excluded.
// RenameFile and LinkFile move files whole, header included.
//
// Thread-safety: as the base Env; a RandomAccessFile may be read
// concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::crypto {

class EncryptedEnv final : public EnvWrapper {
 public:
  static constexpr size_t kHeaderSize = 64;
  static constexpr size_t kKeySize = 32;

  // InvalidArgument unless `key` has kKeySize bytes. `base` is borrowed.
  static Result<std::unique_ptr<EncryptedEnv>> Create(Env& base, const SecretBytes& key, std::string only_under = "");
  ~EncryptedEnv() override;

  // Whether `content`, a file's first bytes as stored, begins as a file of
  // this format does (its magic). For telling encrypted metadata without
  // its key from metadata in the clear.
  static bool LooksEncrypted(std::string_view content);

  // An EncryptedEnv over the same base and key that encrypts only the files
  // under `only_under` (a reader of a whole data directory).
  Result<std::unique_ptr<EncryptedEnv>> OnlyUnder(std::string only_under);

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewLogFile(const std::string& path, const LogFill& fill) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;

 private:
  EncryptedEnv(Env& base, SecretBytes key, std::string only_under);
  bool Encrypts(const std::string& path) const;
  Result<std::unique_ptr<WritableFile>> NewEncryptedWritable(const std::string& path, bool log);

  SecretBytes key_;
  const std::string only_under_;
};

}  // namespace confiance::crypto
