// File: crypto/record_sealer.cc
#include "crypto/record_sealer.h"

#include <cstdint>
#include <memory>
#include <span>

#include "crypto/customer_key.h"
#include "crypto/envelope.h"
#include "crypto/hash.h"
#include "crypto/openssl_util.h"

namespace confiance::crypto {
namespace {

constexpr size_t kSivNonceSize = 12;
constexpr std::string_view kContextLabel = "confiance/meta-record/v1";

void AppendLengthPrefixed(std::string* out, std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  out->append(s);
}

std::string Record(std::string_view partition, std::string_view key) {
  std::string r;
  r.reserve(8 + partition.size() + key.size());
  AppendLengthPrefixed(&r, partition);
  AppendLengthPrefixed(&r, key);
  return r;
}

}  // namespace

Result<std::unique_ptr<RecordSealer>> RecordSealer::Create(const SecretBytes& metadata_key) {
  if (metadata_key.span().size() < 32) return InvalidArgumentError("record sealer: the metadata key is too short");
  ASSIGN_OR_RETURN(SecretBytes enc, HkdfSha256(metadata_key, "", "confiance/meta-record/v1/enc", 32));
  ASSIGN_OR_RETURN(SecretBytes mac, HkdfSha256(metadata_key, "", "confiance/meta-record/v1/siv", 32));
  return std::unique_ptr<RecordSealer>(new RecordSealer(std::move(enc), std::move(mac)));
}

std::string RecordSealer::Seal(std::string_view partition, std::string_view key, std::string_view value) const {
  const std::string record = Record(partition, key);
  std::string input;
  input.reserve(record.size() + value.size());
  input.append(record).append(value);
  const std::array<uint8_t, 32> mac = HmacSha256(mac_key_.span(), input);
  const auto nonce = std::as_bytes(std::span(mac)).first<kSivNonceSize>();
  std::string out(kOverhead + value.size(), '\0');
  // Fails only on an OpenSSL failure (memory exhaustion, with AES-256-GCM
  // and these sizes), which aborts as operator new would.
  Status sealed = SealEnvelope(enc_key_, std::as_bytes(std::span(value)), std::string(kContextLabel) + record, nonce,
                               std::as_writable_bytes(std::span(out)));
  if (!sealed.ok()) internal::OpenSslFatal("sealing a metadata record: " + sealed.ToString());
  return out;
}

Result<std::string> RecordSealer::Open(std::string_view partition, std::string_view key,
                                       std::string_view sealed) const {
  if (sealed.size() < kOverhead) return DataLossError("a metadata record's value is too short to be sealed");
  std::string plain(sealed.size() - kOverhead, '\0');
  Status opened = OpenEnvelope(enc_key_, sealed, std::string(kContextLabel) + Record(partition, key),
                               std::as_writable_bytes(std::span(plain)));
  if (opened.code() == StatusCode::kPermissionDenied) {
    return DataLossError("a metadata record's value fails its authentication (damaged, moved, or another key)");
  }
  if (opened.code() == StatusCode::kDataLoss) {
    return DataLossError("a metadata record's value is not sealed: " + opened.message());
  }
  RETURN_IF_ERROR(opened);
  return plain;
}

}  // namespace confiance::crypto
