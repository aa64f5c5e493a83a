// File: kms/fake_key_provider.h
// FakeKeyProvider: an in-memory, deterministic KeyProvider for unit tests of
// the layers above (catalog, s3). Each key's material is derived from its id
// (SHA-256 of a fixed label and the id), and wraps use a nonce derived from
// the inputs, so the same (key id, key, context) always gives the same
// blob: tests can compare wrapped bytes. NOT for production: its keys are
// public knowledge.
//
// Besides the KeyProvider contract it can add and destroy keys (crypto-
// shredding tests) and inject an error into every call (KMS outage tests).
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kms/key_provider.h"
#include "kms/wrap_matching.h"

namespace confiance::kms {

class FakeKeyProvider final : public KeyProvider, public WrapMatching {
 public:
  explicit FakeKeyProvider(std::string default_key_id = "fake-root");

  std::string DefaultKeyId() const override { return default_key_id_; }
  // NotFound for an unknown (or destroyed) key; the injected error if any.
  Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                           std::string_view context) override;
  // As EmbeddedKeyProvider::Unwrap; the injected error if any.
  Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped,
                                     std::string_view context) override;

  // WrapMatching: the known keys (in id order), matchers as Unwrap.
  std::vector<std::string> MatchableKeyIds() const override;
  Result<std::unique_ptr<crypto::EnvelopeMatcher>> NewWrapMatcher(std::string_view key_id,
                                                                  const std::vector<std::string>& contexts,
                                                                  size_t key_size) const override;

  // Makes `key_id` known (its material is derived from the id).
  void AddKey(const std::string& key_id);
  // Forgets `key_id`: later Wrap/Unwrap on it return NotFound.
  void DestroyKey(const std::string& key_id);
  // Every later call returns `error` until ClearError().
  void InjectError(Status error);
  void ClearError();
  int wrap_calls() const;
  int unwrap_calls() const;

 private:
  Status Precheck(std::string_view key_id, int& counter);

  const std::string default_key_id_;
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> keys_;  // GUARDED_BY(mu_)
  std::optional<Status> error_;              // GUARDED_BY(mu_)
  int wrap_calls_ = 0;                       // GUARDED_BY(mu_)
  int unwrap_calls_ = 0;                     // GUARDED_BY(mu_)
};

}  // namespace confiance::kms
