// File: kms/wrapped_key_file.cc
#include "kms/wrapped_key_file.h"

#include <utility>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace confiance::kms {
namespace {

constexpr std::string_view kFirstLine = "confiance wrapped key v1";
constexpr std::string_view kKeyIdField = "key-id ";
constexpr std::string_view kWrappedField = "wrapped ";

Result<internal::WrappedKeyFields> Read(Env& env, const std::string& path) {
  if (!env.FileExists(path)) return NotFoundError("no key file " + path);
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, path));
  Result<internal::WrappedKeyFields> f = internal::ParseWrappedKeyFile(text);
  if (!f.ok()) return DataLossError("key file " + path + " is malformed: " + f.status().message());
  return f;
}

Status Write(Env& env, const std::string& path, KeyProvider& keys, const crypto::SecretBytes& key,
             std::string_view context) {
  internal::WrappedKeyFields f;
  f.key_id = keys.DefaultKeyId();
  ASSIGN_OR_RETURN(f.wrapped, keys.Wrap(f.key_id, key, context));
  return WriteFileDurably(env, path, internal::FormatWrappedKeyFile(f));
}

}  // namespace

Result<crypto::SecretBytes> CreateWrappedKeyFile(Env& env, const std::string& path, KeyProvider& keys,
                                                 std::string_view context, size_t size) {
  if (env.FileExists(path)) return AlreadyExistsError("key file " + path + " exists");
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(size));
  RETURN_IF_ERROR(Write(env, path, keys, key, context));
  return key;
}

Result<crypto::SecretBytes> LoadWrappedKeyFile(Env& env, const std::string& path, KeyProvider& keys,
                                               std::string_view context) {
  ASSIGN_OR_RETURN(internal::WrappedKeyFields f, Read(env, path));
  Result<crypto::SecretBytes> key = keys.Unwrap(f.key_id, f.wrapped, context);
  if (!key.ok()) {
    return Status(key.status().code(),
                  "key file " + path + " (wrapped under " + f.key_id + "): " + key.status().message());
  }
  return key;
}

Result<bool> RewrapKeyFileUnderDefaultKey(Env& env, const std::string& path, KeyProvider& keys,
                                          std::string_view context) {
  ASSIGN_OR_RETURN(internal::WrappedKeyFields f, Read(env, path));
  if (f.key_id == keys.DefaultKeyId()) return false;
  ASSIGN_OR_RETURN(crypto::SecretBytes key, LoadWrappedKeyFile(env, path, keys, context));
  RETURN_IF_ERROR(Write(env, path, keys, key, context));
  return true;
}

namespace internal {

Result<WrappedKeyFields> ParseWrappedKeyFile(std::string_view text) {
  std::string_view rest = text;
  auto line = [&rest]() -> std::string_view {
    const size_t nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return l;
  };
  if (line() != kFirstLine) return InvalidArgumentError("not a wrapped key file");
  const std::string_view id = line();
  const std::string_view wrapped = line();
  if (!id.starts_with(kKeyIdField) || !wrapped.starts_with(kWrappedField)) {
    return InvalidArgumentError("missing key-id or wrapped line");
  }
  if (!rest.empty() || !text.ends_with('\n')) return InvalidArgumentError("not three lines");
  WrappedKeyFields f;
  f.key_id = std::string(id.substr(kKeyIdField.size()));
  if (f.key_id.empty()) return InvalidArgumentError("empty key-id");
  ASSIGN_OR_RETURN(f.wrapped, crypto::Base64Decode(wrapped.substr(kWrappedField.size())));
  return f;
}

std::string FormatWrappedKeyFile(const WrappedKeyFields& fields) {
  std::string text(kFirstLine);
  text += "\n";
  text += kKeyIdField;
  text += fields.key_id + "\n";
  text += kWrappedField;
  text += crypto::Base64Encode(fields.wrapped) + "\n";
  return text;
}

}  // namespace internal

}  // namespace confiance::kms
