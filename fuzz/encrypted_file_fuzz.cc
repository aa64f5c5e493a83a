// File: fuzz/encrypted_file_fuzz.cc
// libFuzzer target: the encrypted metadata files (crypto/encrypted_env.h,
// docs/blob_format.md "Encrypted metadata files"), read from disk as RocksDB
// reads them. Each input is a file's stored bytes; the target checks
// EncryptedEnv against a second reading of the format written here from its
// documentation with OpenSSL alone:
// - a file shorter than the header reads as empty, through every reader;
// - a header that is not exactly right (magic, version, reserved bytes, the
//   key check) opens through no reader, and appending to it is refused;
// - otherwise every read (random access at any offset, sequential with
//   skips, an append then a read) returns the AES-256-CTR decryption of the
//   bytes stored, and sizes exclude the header.
// The files live in a temporary directory of their own (real files through
// the POSIX Env, as in production).
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "crypto/encrypted_env.h"
#include "crypto/secret_bytes.h"

namespace {

using confiance::Env;
using confiance::crypto::EncryptedEnv;
using confiance::crypto::SecretBytes;

// The metadata key of every seed in fuzz/corpus/encrypted_file_fuzz: bytes
// 1, 2, ..., 32.
constexpr size_t kHeader = 64;

std::array<uint8_t, 32> Key() {
  std::array<uint8_t, 32> k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i + 1);
  return k;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

std::array<uint8_t, 32> Hmac(std::span<const uint8_t> key, std::string_view msg) {
  std::array<uint8_t, 32> out{};
  unsigned int n = 0;
  Check(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const uint8_t*>(msg.data()),
             msg.size(), out.data(), &n) != nullptr &&
        n == out.size());
  return out;
}

// The model: the file's content if its header opens under Key(), or
// nothing (false) if it must be refused.
bool ModelOpen(std::string_view stored, std::string& content) {
  content.clear();
  if (stored.size() < kHeader) return true;
  if (stored.substr(0, 8) != "CONF-ENC" || stored[8] != 1) return false;
  if (stored.substr(9, 7) != std::string_view("\0\0\0\0\0\0\0", 7)) return false;
  const std::array<uint8_t, 32> key = Key();
  const std::string label = std::string("confiance/encrypted-file/v1/key") + std::string(stored.substr(16, 32));
  const std::array<uint8_t, 32> file_key = Hmac(key, label);
  const std::array<uint8_t, 32> check = Hmac(file_key, "confiance/encrypted-file/v1/check");
  if (std::memcmp(check.data(), stored.data() + 48, 16) != 0) return false;
  const std::string_view body = stored.substr(kHeader);
  content.resize(body.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const uint8_t zero_iv[16] = {};
  int n = 0;
  Check(ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr, file_key.data(), zero_iv) == 1);
  Check(body.empty() ||
        EVP_EncryptUpdate(ctx, reinterpret_cast<uint8_t*>(content.data()), &n,
                          reinterpret_cast<const uint8_t*>(body.data()), static_cast<int>(body.size())) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return true;
}

struct Fixture {
  std::string dir;
  std::string path;
  std::unique_ptr<EncryptedEnv> env;

  Fixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "encrypted-file-fuzz-XXXXXX").string();
    Check(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    path = dir + "/000001.sst";
    const std::array<uint8_t, 32> k = Key();
    SecretBytes key(k.size());
    std::memcpy(key.mutable_data(), k.data(), k.size());
    auto created = EncryptedEnv::Create(*Env::Default(), key);
    Check(created.ok());
    env = std::move(created).value();
  }
  ~Fixture() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

Fixture& TheFixture() {
  static Fixture fixture;
  return fixture;
}

void Store(const std::string& path, std::string_view bytes) {
  auto file = Env::Default()->NewWritableFile(path);
  Check(file.ok());
  Check((*file)->Append(std::as_bytes(std::span(bytes.data(), bytes.size()))).ok());
  Check((*file)->Close().ok());
}

std::span<std::byte> WritableBytesOf(std::string& s) { return std::as_writable_bytes(std::span(s.data(), s.size())); }

void CheckRandomAccess(EncryptedEnv& env, const std::string& path, const std::string& content) {
  auto file = env.NewRandomAccessFile(path);
  Check(file.ok());
  const size_t n = content.size();
  for (size_t offset : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, n / 2, n > 0 ? n - 1 : 0, n}) {
    if (offset > n) continue;
    std::string got(std::min<size_t>(n - offset + 5, 100), '\0');
    auto read = (*file)->Read(offset, WritableBytesOf(got));
    Check(read.ok() && *read == std::min(got.size(), n - offset));
    got.resize(*read);
    Check(got == content.substr(offset, got.size()));
  }
}

void CheckSequential(EncryptedEnv& env, const std::string& path, const std::string& content) {
  auto file = env.NewSequentialFile(path);
  Check(file.ok());
  // Reads of 13 bytes (across block boundaries), a skip of 7 after each
  // third read.
  std::string expected;
  std::string got;
  for (size_t position = 0, reads = 0; position < content.size(); ++reads) {
    if (reads % 3 == 2) {
      Check((*file)->Skip(7).ok());
      position += 7;
      continue;
    }
    std::string chunk(13, '\0');
    auto read = (*file)->Read(WritableBytesOf(chunk));
    Check(read.ok() && *read == std::min<size_t>(13, content.size() - position));
    got.append(chunk, 0, *read);
    expected.append(content, position, *read);
    position += *read;
  }
  std::string tail(1, '\0');
  auto end = (*file)->Read(WritableBytesOf(tail));
  Check(end.ok() && *end == 0);
  Check(got == expected);
}

void CheckAppend(EncryptedEnv& env, const std::string& path, const std::string& content) {
  constexpr std::string_view kMore = "appended after a restart";
  auto file = env.NewAppendableFile(path);
  Check(file.ok());
  Check((*file)->Append(std::as_bytes(std::span(kMore.data(), kMore.size()))).ok());
  Check((*file)->Close().ok());
  const std::string whole = content + std::string(kMore);
  auto size = env.GetFileSize(path);
  Check(size.ok() && *size == whole.size());
  CheckRandomAccess(env, path, whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = TheFixture();
  const std::string_view stored(reinterpret_cast<const char*>(data), size);
  Store(f.path, stored);

  auto file_size = f.env->GetFileSize(f.path);
  Check(file_size.ok() && *file_size == (size < kHeader ? 0 : size - kHeader));

  std::string content;
  if (!ModelOpen(stored, content)) {
    Check(!f.env->NewRandomAccessFile(f.path).ok());
    Check(!f.env->NewSequentialFile(f.path).ok());
    Check(!f.env->NewAppendableFile(f.path).ok());
    return 0;
  }
  CheckRandomAccess(*f.env, f.path, content);
  CheckSequential(*f.env, f.path, content);
  // A file with no header yet starts over when appended to: its content is
  // then only what was appended.
  CheckAppend(*f.env, f.path, content);
  return 0;
}
