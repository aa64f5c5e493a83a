// File: crypto/record_sealer.h
// RecordSealer: the ValueSealer (meta/value_sealer.h) of a metadata store
// whose records leave the machine (RADOS, docs/rados.md "Metadata on
// RADOS"). Deterministic authenticated encryption, in the SIV manner
// (RFC 5297's construction, with HMAC-SHA256 as the PRF and AES-256-GCM):
//
//   enc_key = HKDF-SHA256(metadata key, info "confiance/meta-record/v1/enc")
//   mac_key = HKDF-SHA256(metadata key, info "confiance/meta-record/v1/siv")
//   record  = u32be(len partition) | partition | u32be(len key) | key
//   nonce   = HMAC-SHA256(mac_key, record | value)[0:12]
//   sealed  = the envelope of crypto/envelope.h (0x01 | nonce |
//             AES-256-GCM(enc_key, nonce, value) | tag) under the context
//             "confiance/meta-record/v1" | record
//
// The same record and value always seal to the same bytes (a condition's
// expected value is compared inside the OSD); two different values share a
// nonce only if their HMACs collide in 96 bits. The nonce binds the value,
// the context binds the record: a value moved to another key, or any
// changed byte, fails to open (DataLoss). Equal values of one record are
// recognisable as equal: that is all determinism gives away.
//
// Opening checks the GCM tag only: it authenticates the nonce, the value
// and the record, so recomputing the nonce (as RFC 5297 must, having no
// other authenticator) would add an HMAC over every value read and no
// check.
//
// Thread-safety: Seal and Open are safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/envelope.h"
#include "crypto/secret_bytes.h"
#include "meta/value_sealer.h"

namespace confiance::crypto {

class RecordSealer final : public meta::ValueSealer {
 public:
  static constexpr size_t kOverhead = kWrapOverhead;  // version, nonce, tag

  // Derives the two keys from `metadata_key` (any length of at least 32
  // bytes). InvalidArgument if shorter.
  static Result<std::unique_ptr<RecordSealer>> Create(const SecretBytes& metadata_key);

  std::string Seal(std::string_view partition, std::string_view key, std::string_view value) const override;
  Result<std::string> Open(std::string_view partition, std::string_view key, std::string_view sealed) const override;

 private:
  RecordSealer(SecretBytes enc_key, SecretBytes mac_key) : enc_key_(std::move(enc_key)), mac_key_(std::move(mac_key)) {}

  const SecretBytes enc_key_;
  const SecretBytes mac_key_;
};

}  // namespace confiance::crypto
