// File: kms/embedded/embedded_key_provider.cc
#include "kms/embedded/embedded_key_provider.h"

#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/envelope.h"
#include "crypto/hash.h"
#include "crypto/owner_only_file.h"
#include "crypto/random.h"
#include "kms/embedded/key_file_format.h"

namespace confiance::kms {
namespace {

// Wipes a std::string that held key material before it is freed.
class StringWiper {
 public:
  explicit StringWiper(std::string& s) : s_(s) {}
  ~StringWiper() {
    if (!s_.empty()) OPENSSL_cleanse(s_.data(), s_.size());
  }
  StringWiper(const StringWiper&) = delete;
  StringWiper& operator=(const StringWiper&) = delete;

 private:
  std::string& s_;
};

// The file must be a regular file (not a symlink), owned by us, and closed
// to group and others.
Status CheckKeyFilePermissions(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return ErrnoError(errno, "lstat " + path);
  if (!S_ISREG(st.st_mode)) return PermissionDeniedError(path + ": root key file is not a regular file");
  if (st.st_uid != ::geteuid()) return PermissionDeniedError(path + ": root key file owned by another user");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return PermissionDeniedError(path + ": root key file has mode " + mode +
                                 "; it must not be accessible to group or others (chmod 600)");
  }
  return OkStatus();
}

Result<internal::DecodedKeyFile> LoadKeyFile(Env& env, const std::string& path) {
  RETURN_IF_ERROR(CheckKeyFilePermissions(path));
  ASSIGN_OR_RETURN(std::string data, ReadSmallFile(env, path));
  StringWiper wipe(data);
  Result<internal::DecodedKeyFile> decoded = internal::DecodeKeyFile(data);
  if (!decoded.ok()) {
    const Status& s = decoded.status();
    return Status(s.code(), path + ": " + s.message());
  }
  return decoded;
}

// Creates the key file without ever replacing one (crypto::CreateOwnerOnlyFile):
// AlreadyExists if a root key appeared meanwhile (another process starting
// on the same directory).
Status CreateKeyFile(Env& env, const std::string& path, std::string_view key_id, const crypto::SecretBytes& key) {
  std::string data = internal::EncodeKeyFile(key_id, key);
  StringWiper wipe(data);
  return crypto::CreateOwnerOnlyFile(env, path, data);
}

void PutBe16(size_t v, std::string& out) {
  out += static_cast<char>((v >> 8) & 0xff);
  out += static_cast<char>(v & 0xff);
}

}  // namespace

namespace internal {

std::string WrapAad(std::string_view key_id, std::string_view context) {
  std::string aad;
  aad.reserve(2 + key_id.size() + context.size());
  PutBe16(key_id.size(), aad);
  aad += key_id;
  aad += context;
  return aad;
}

std::string EncodeKeyFile(std::string_view key_id, const crypto::SecretBytes& key) {
  std::string out(kKeyFileMagic, sizeof(kKeyFileMagic));
  out += static_cast<char>(kKeyFileVersion);
  out += static_cast<char>(key.size());
  out += static_cast<char>(key_id.size());
  out += '\0';
  out += key_id;
  out.append(reinterpret_cast<const char*>(key.data()), key.size());
  auto sum = crypto::Sha256Digest(out);
  out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return out;
}

std::string EncodeKeyFileVersions(const std::vector<DecodedKeyVersion>& versions) {
  if (versions.size() == 1) return EncodeKeyFile(versions[0].key_id, versions[0].key);
  std::string out(kKeyFileMagic, sizeof(kKeyFileMagic));
  out += static_cast<char>(kKeyFileVersionMulti);
  out += static_cast<char>(versions.size());
  out += '\0';
  out += '\0';
  for (const DecodedKeyVersion& v : versions) {
    out += static_cast<char>(v.key_id.size());
    out += static_cast<char>(v.key.size());
    out += v.key_id;
    out.append(reinterpret_cast<const char*>(v.key.data()), v.key.size());
  }
  auto sum = crypto::Sha256Digest(out);
  out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return out;
}

namespace {

bool ChecksumMatches(std::string_view data) {
  const size_t body = data.size() - kKeyFileChecksumSize;
  auto sum = crypto::Sha256Digest(data.substr(0, body));
  return crypto::ConstantTimeEqual(data.substr(body),
                                   std::string_view(reinterpret_cast<const char*>(sum.data()), sum.size()));
}

Result<DecodedKeyFile> DecodeVersion1(std::string_view data) {
  const size_t key_len = static_cast<uint8_t>(data[5]);
  const size_t id_len = static_cast<uint8_t>(data[6]);
  if (key_len != kRootKeySize || id_len == 0 || id_len > kMaxKeyIdSize || data[7] != '\0' ||
      data.size() != kKeyFileFixedHeader + id_len + key_len + kKeyFileChecksumSize) {
    return DataLossError("root key file has a wrong size or header");
  }
  if (!ChecksumMatches(data)) return DataLossError("root key file checksum mismatch (corrupted)");
  DecodedKeyFile out;
  out.key_id = std::string(data.substr(kKeyFileFixedHeader, id_len));
  out.key = crypto::SecretBytes(
      std::as_bytes(std::span(data.data() + kKeyFileFixedHeader + id_len, key_len)));
  return out;
}

Result<DecodedKeyFile> DecodeVersion2(std::string_view data) {
  const size_t count = static_cast<uint8_t>(data[5]);
  if (count == 0 || count > kMaxKeyVersions || data[6] != '\0' || data[7] != '\0') {
    return DataLossError("root key file has a wrong header");
  }
  // Sizes first (a truncated file is DataLoss, not an out-of-range read).
  std::vector<std::pair<size_t, size_t>> entries;  // (id offset, id length)
  size_t pos = kKeyFileFixedHeader;
  const size_t body = data.size() - kKeyFileChecksumSize;
  for (size_t i = 0; i < count; ++i) {
    if (pos + 2 > body) return DataLossError("root key file has a wrong size");
    const size_t id_len = static_cast<uint8_t>(data[pos]);
    const size_t key_len = static_cast<uint8_t>(data[pos + 1]);
    if (key_len != kRootKeySize || id_len == 0 || id_len > kMaxKeyIdSize) {
      return DataLossError("root key file has a wrong entry header");
    }
    if (pos + 2 + id_len + key_len > body) return DataLossError("root key file has a wrong size");
    entries.emplace_back(pos + 2, id_len);
    pos += 2 + id_len + key_len;
  }
  if (pos != body) return DataLossError("root key file has a wrong size");
  if (!ChecksumMatches(data)) return DataLossError("root key file checksum mismatch (corrupted)");
  DecodedKeyFile out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto [off, id_len] = entries[i];
    DecodedKeyVersion v;
    v.key_id = std::string(data.substr(off, id_len));
    v.key = crypto::SecretBytes(std::as_bytes(std::span(data.data() + off + id_len, kRootKeySize)));
    for (const DecodedKeyVersion& seen : out.older) {
      if (seen.key_id == v.key_id) return DataLossError("root key file holds key id " + v.key_id + " twice");
    }
    if (i == 0) {
      out.key_id = std::move(v.key_id);
      out.key = std::move(v.key);
    } else {
      if (v.key_id == out.key_id) return DataLossError("root key file holds key id " + v.key_id + " twice");
      out.older.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace

Result<DecodedKeyFile> DecodeKeyFile(std::string_view data) {
  if (data.size() < kKeyFileFixedHeader + kKeyFileChecksumSize) return DataLossError("root key file too short");
  if (std::memcmp(data.data(), kKeyFileMagic, sizeof(kKeyFileMagic)) != 0) {
    return DataLossError("not a root key file (bad magic)");
  }
  const auto version = static_cast<uint8_t>(data[4]);
  if (version == kKeyFileVersion) return DecodeVersion1(data);
  if (version == kKeyFileVersionMulti) return DecodeVersion2(data);
  return UnimplementedError("unknown root key file version");
}

}  // namespace internal

Result<std::unique_ptr<EmbeddedKeyProvider>> EmbeddedKeyProvider::Open(Env& env, const std::string& key_dir) {
  RETURN_IF_ERROR(CreateDirsDurably(env, key_dir));
  const std::string path = key_dir + "/" + kRootKeyFileName;
  auto one = [](std::string id, crypto::SecretBytes key) {
    std::vector<Version> v;
    v.push_back(Version{std::move(id), std::make_shared<const crypto::SecretBytes>(std::move(key))});
    return v;
  };
  if (!env.FileExists(path)) {
    ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(kRootKeySize));
    ASSIGN_OR_RETURN(std::string id_hex, crypto::RandomHex(4));
    const std::string key_id = kRootKeyIdPrefix + id_hex;
    Status created = CreateKeyFile(env, path, key_id, key);
    // AlreadyExists: another process won the race; use its key.
    if (created.code() != StatusCode::kAlreadyExists) {
      RETURN_IF_ERROR(created);
      RETURN_IF_ERROR(CheckKeyFilePermissions(path));
      return std::unique_ptr<EmbeddedKeyProvider>(new EmbeddedKeyProvider(env, key_dir, one(key_id, std::move(key))));
    }
  }
  ASSIGN_OR_RETURN(internal::DecodedKeyFile file, LoadKeyFile(env, path));
  std::vector<Version> versions = one(file.key_id, std::move(file.key));
  for (internal::DecodedKeyVersion& v : file.older) {
    versions.push_back(Version{std::move(v.key_id), std::make_shared<const crypto::SecretBytes>(std::move(v.key))});
  }
  return std::unique_ptr<EmbeddedKeyProvider>(new EmbeddedKeyProvider(env, key_dir, std::move(versions)));
}

std::string EmbeddedKeyProvider::DefaultKeyId() const {
  std::shared_lock lock(mu_);
  return versions_.front().id;
}

Result<std::pair<std::shared_ptr<const crypto::SecretBytes>, bool>> EmbeddedKeyProvider::Find(
    std::string_view key_id) const {
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < versions_.size(); ++i) {
    if (versions_[i].id == key_id) return std::make_pair(versions_[i].key, i == 0);
  }
  return NotFoundError("unknown key id: " + std::string(key_id));
}

Result<std::string> EmbeddedKeyProvider::Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                                              std::string_view context) {
  ASSIGN_OR_RETURN(auto found, Find(key_id));
  if (!found.second) {
    return FailedPreconditionError("root key version " + std::string(key_id) +
                                   " is being retired by a rotation; wrap under " + DefaultKeyId());
  }
  return crypto::WrapKey(*found.first, plaintext_key, internal::WrapAad(key_id, context));
}

Result<crypto::SecretBytes> EmbeddedKeyProvider::Unwrap(std::string_view key_id, std::string_view wrapped,
                                                        std::string_view context) {
  ASSIGN_OR_RETURN(auto found, Find(key_id));
  return crypto::UnwrapKey(*found.first, wrapped, internal::WrapAad(key_id, context));
}

Result<std::unique_ptr<crypto::EnvelopeMatcher>> EmbeddedKeyProvider::NewWrapMatcher(
    std::string_view key_id, const std::vector<std::string>& contexts, size_t key_size) const {
  ASSIGN_OR_RETURN(auto found, Find(key_id));
  std::vector<std::string> aads;
  aads.reserve(contexts.size());
  for (const std::string& c : contexts) aads.push_back(internal::WrapAad(key_id, c));
  return crypto::EnvelopeMatcher::Create(*found.first, std::move(aads), key_size);
}

std::vector<std::string> EmbeddedKeyProvider::KeyVersionIds() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const Version& v : versions_) out.push_back(v.id);
  return out;
}

Status EmbeddedKeyProvider::WriteVersions(const std::vector<Version>& versions) {
  std::vector<internal::DecodedKeyVersion> entries;
  for (const Version& v : versions) entries.push_back(internal::DecodedKeyVersion{v.id, v.key->Clone()});
  std::string data = internal::EncodeKeyFileVersions(entries);
  StringWiper wipe(data);
  const std::string path = key_dir_ + "/" + kRootKeyFileName;
  // Refuse to replace a file someone loosened meanwhile: the new one would
  // silently get 0600 and hide it.
  RETURN_IF_ERROR(CheckKeyFilePermissions(path));
  RETURN_IF_ERROR(crypto::ReplaceOwnerOnlyFile(env_, path, data));
  return CheckKeyFilePermissions(path);
}

Result<std::string> EmbeddedKeyProvider::AddKeyVersion() {
  std::lock_guard write_lock(write_mu_);
  std::vector<Version> next;
  {
    std::shared_lock lock(mu_);
    if (versions_.size() > 1) {
      return FailedPreconditionError("a root key rotation is not finished: version " + versions_[1].id +
                                     " is still held");
    }
    next = versions_;
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(kRootKeySize));
  std::string id;
  do {
    ASSIGN_OR_RETURN(std::string id_hex, crypto::RandomHex(4));
    id = kRootKeyIdPrefix + id_hex;
  } while (id == next.front().id);
  next.insert(next.begin(), Version{id, std::make_shared<const crypto::SecretBytes>(std::move(key))});
  RETURN_IF_ERROR(WriteVersions(next));
  std::unique_lock lock(mu_);
  versions_ = std::move(next);
  return id;
}

Status EmbeddedKeyProvider::RetireKeyVersion(std::string_view key_id) {
  std::lock_guard write_lock(write_mu_);
  std::vector<Version> next;
  {
    std::shared_lock lock(mu_);
    if (versions_.front().id == key_id) {
      return FailedPreconditionError("root key version " + std::string(key_id) + " is the current one");
    }
    for (const Version& v : versions_) {
      if (v.id != key_id) next.push_back(v);
    }
    if (next.size() == versions_.size()) return OkStatus();
  }
  RETURN_IF_ERROR(WriteVersions(next));
  std::unique_lock lock(mu_);
  versions_ = std::move(next);
  return OkStatus();
}

}  // namespace confiance::kms
