// File: kms/fake_key_provider.cc
#include "kms/fake_key_provider.h"

#include <array>
#include <cstring>

#include "crypto/envelope.h"
#include "crypto/hash.h"
#include "kms/embedded/embedded_key_provider.h"

namespace confiance::kms {
namespace {

crypto::SecretBytes DeriveKek(std::string_view key_id) {
  std::string label = "confiance fake kek";
  label += '\0';
  label += key_id;
  auto d = crypto::Sha256Digest(label);
  return crypto::SecretBytes(std::as_bytes(std::span(d)));
}

}  // namespace

FakeKeyProvider::FakeKeyProvider(std::string default_key_id) : default_key_id_(std::move(default_key_id)) {
  keys_.insert(default_key_id_);
}

Status FakeKeyProvider::Precheck(std::string_view key_id, int& counter) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counter;
  if (error_) return *error_;
  if (keys_.find(key_id) == keys_.end()) return NotFoundError("unknown key id: " + std::string(key_id));
  return OkStatus();
}

Result<std::string> FakeKeyProvider::Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                                          std::string_view context) {
  RETURN_IF_ERROR(Precheck(key_id, wrap_calls_));
  const crypto::SecretBytes kek = DeriveKek(key_id);
  const std::string aad = internal::WrapAad(key_id, context);
  // A synthetic nonce (as in AES-SIV): equal inputs give equal blobs, and
  // different inputs practically never share a nonce.
  crypto::Sha256 h;
  h.Update(aad);
  h.Update(plaintext_key.span());
  auto digest = h.Finish();
  std::array<std::byte, 12> nonce;
  std::memcpy(nonce.data(), digest.data(), nonce.size());
  return crypto::TEST_WrapKeyWithNonce(kek, plaintext_key, aad, nonce);
}

Result<crypto::SecretBytes> FakeKeyProvider::Unwrap(std::string_view key_id, std::string_view wrapped,
                                                    std::string_view context) {
  RETURN_IF_ERROR(Precheck(key_id, unwrap_calls_));
  return crypto::UnwrapKey(DeriveKek(key_id), wrapped, internal::WrapAad(key_id, context));
}

std::vector<std::string> FakeKeyProvider::MatchableKeyIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<std::string>(keys_.begin(), keys_.end());
}

Result<std::unique_ptr<crypto::EnvelopeMatcher>> FakeKeyProvider::NewWrapMatcher(
    std::string_view key_id, const std::vector<std::string>& contexts, size_t key_size) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (keys_.find(key_id) == keys_.end()) return NotFoundError("unknown key id: " + std::string(key_id));
  }
  std::vector<std::string> aads;
  for (const std::string& c : contexts) aads.push_back(internal::WrapAad(key_id, c));
  return crypto::EnvelopeMatcher::Create(DeriveKek(key_id), std::move(aads), key_size);
}

void FakeKeyProvider::AddKey(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.insert(key_id);
}

void FakeKeyProvider::DestroyKey(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.erase(key_id);
}

void FakeKeyProvider::InjectError(Status error) {
  std::lock_guard<std::mutex> lock(mu_);
  error_ = std::move(error);
}

void FakeKeyProvider::ClearError() {
  std::lock_guard<std::mutex> lock(mu_);
  error_.reset();
}

int FakeKeyProvider::wrap_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wrap_calls_;
}

int FakeKeyProvider::unwrap_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unwrap_calls_;
}

}  // namespace confiance::kms
