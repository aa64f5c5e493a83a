// File: kms/kmip/kmip_client.cc
#include "kms/kmip/kmip_client.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <span>
#include <thread>
#include <utility>

namespace confiance::kms::kmip {
namespace {

Item Uid(const std::string& uid) { return TextString(tag::kUniqueIdentifier, uid); }

Item Attribute(const std::string& name, Item value) {
  value.tag = tag::kAttributeValue;
  return Structure(tag::kAttribute, {TextString(tag::kAttributeName, name), std::move(value)});
}

Item NameStruct(uint32_t t, const std::string& name) {
  return Structure(t, {TextString(tag::kNameValue, name), Enumeration(tag::kNameType, kNameTypeText)});
}

// AES-CBC-PKCS5: the one symmetric mode every KMIP 1.2 server decrypts
// (PyKMIP 0.10 parses requests as KMIP 1.2, which has no field for a GCM
// tag, so its GCM decrypt cannot work). Integrity comes from the caller
// (KmipKeyProvider seals under a one-time key with AES-GCM).
Item CbcParameters() {
  return Structure(tag::kCryptographicParameters,
                   {Enumeration(tag::kBlockCipherMode, kModeCbc), Enumeration(tag::kPaddingMethod, kPaddingPkcs5),
                    Enumeration(tag::kCryptographicAlgorithm, kAlgorithmAes)});
}

std::string_view AsView(const crypto::SecretBytes& s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

void Cleanse(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

}  // namespace

Result<std::unique_ptr<KmipClient>> KmipClient::Create(const KmipClientOptions& options) {
  if (options.tls.host.empty()) return InvalidArgumentError("KMIP endpoint host is empty");
  ASSIGN_OR_RETURN(std::unique_ptr<TlsContext> tls, TlsContext::Create(options.tls));
  return std::unique_ptr<KmipClient>(new KmipClient(options, std::move(tls)));
}

KmipClient::~KmipClient() = default;

Result<std::unique_ptr<TlsConnection>> KmipClient::Checkout() {
  for (;;) {
    std::unique_ptr<TlsConnection> c;
    {
      std::lock_guard lock(mu_);
      if (idle_.empty()) break;
      c = std::move(idle_.back());
      idle_.pop_back();
    }
    if (!c->StaleWhileIdle()) return c;
  }
  Result<std::unique_ptr<TlsConnection>> c =
      TlsConnection::Connect(*tls_, Clock::now() + options_.connect_timeout);
  if (c.ok()) connections_opened_.fetch_add(1);
  return c;
}

void KmipClient::Return(std::unique_ptr<TlsConnection> c) {
  std::lock_guard lock(mu_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(c));
}

Result<Response> KmipClient::CallOnce(uint32_t operation, const std::string& request, bool& retryable) {
  Result<std::unique_ptr<TlsConnection>> conn = Checkout();
  if (!conn.ok()) {
    retryable = true;  // nothing was sent
    return conn.status();
  }
  TlsConnection& c = **conn;
  const Clock::time_point deadline = Clock::now() + options_.request_timeout;
  requests_sent_.fetch_add(1);
  Status s = c.WriteAll(request, deadline);
  char header[kTtlvHeaderSize];
  if (s.ok()) s = c.ReadExact(header, sizeof(header), deadline);
  if (!s.ok()) {
    retryable = true;
    return s;
  }
  const size_t size = MessageSize(std::string_view(header, sizeof(header)));
  if (size > static_cast<size_t>(options_.max_response_size) + kTtlvHeaderSize) {
    return DataLossError("KMIP reply of " + std::to_string(size) + " bytes is larger than allowed");
  }
  std::string message(header, sizeof(header));
  message.resize(size);
  s = c.ReadExact(message.data() + kTtlvHeaderSize, size - kTtlvHeaderSize, deadline);
  if (!s.ok()) {
    retryable = true;
    return s;
  }
  Result<Response> r = DecodeResponse(message);
  Cleanse(message);
  if (!r.ok()) return r.status();
  if (r->operation != 0 && r->operation != operation) {
    return DataLossError("KMIP reply is for another operation");
  }
  Return(std::move(conn).value());
  return r;
}

Result<Response> KmipClient::Call(uint32_t operation, Item payload, bool idempotent, const Item* extension) {
  std::string request = EncodeRequest(operation, std::move(payload), options_.max_response_size, extension);
  const int attempts = idempotent ? std::max(1, options_.max_attempts) : 1;
  Result<Response> r = UnavailableError("KMS not called");
  for (int a = 0; a < attempts; ++a) {
    if (a > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20 * a));
    bool retryable = false;
    r = CallOnce(operation, request, retryable);
    if (r.ok() || !retryable) break;
  }
  Cleanse(request);
  return r;
}

Result<Item> KmipClient::Run(uint32_t operation, Item payload, bool idempotent, std::string_view what,
                             const Item* extension) {
  KmsCallStats* stats = options_.stats;
  const auto started = std::chrono::steady_clock::now();
  Result<Response> r = Call(operation, std::move(payload), idempotent, extension);
  if (stats != nullptr) {
    stats->calls.Add();
    stats->latency.Observe(std::chrono::steady_clock::now() - started);
    if (!r.ok()) stats->unreachable.Add();
  }
  if (!r.ok()) return r.status();
  Status s = ResultStatusToStatus(*r, what);
  if (!s.ok()) {
    if (stats != nullptr) stats->refused.Add();
    return s;
  }
  return std::move(r->payload);
}

Result<std::string> KmipClient::CreateAes256Key(const std::string& name) {
  std::vector<Item> attrs;
  attrs.push_back(Attribute("Cryptographic Algorithm", Enumeration(0, kAlgorithmAes)));
  attrs.push_back(Attribute("Cryptographic Length", Integer(0, 256)));
  attrs.push_back(Attribute("Cryptographic Usage Mask", Integer(0, kUsageEncrypt | kUsageDecrypt)));
  if (!name.empty()) attrs.push_back(Attribute("Name", NameStruct(0, name)));
  Item payload = Structure(tag::kRequestPayload, {Enumeration(tag::kObjectType, kObjectTypeSymmetricKey),
                                                  Structure(tag::kTemplateAttribute, std::move(attrs))});
  ASSIGN_OR_RETURN(Item p, Run(op::kCreate, std::move(payload), false, "KMIP Create"));
  std::optional<std::string> uid = p.FindBytes(tag::kUniqueIdentifier, ItemType::kTextString);
  if (!uid || uid->empty()) return DataLossError("KMIP Create reply without a unique identifier");
  return *uid;
}

Status KmipClient::Activate(const std::string& uid) {
  return Run(op::kActivate, Structure(tag::kRequestPayload, {Uid(uid)}), false, "KMIP Activate").status();
}

Result<Ciphertext> KmipClient::Encrypt(const std::string& uid, const crypto::SecretBytes& plaintext,
                                       const Item* extension) {
  Item payload = Structure(tag::kRequestPayload,
                           {Uid(uid), CbcParameters(), ByteString(tag::kData, std::string(AsView(plaintext)))});
  ASSIGN_OR_RETURN(Item p, Run(op::kEncrypt, std::move(payload), true, "KMIP Encrypt", extension));
  Ciphertext out;
  std::optional<std::string> data = p.FindBytes(tag::kData, ItemType::kByteString);
  std::optional<std::string> iv = p.FindBytes(tag::kIvCounterNonce, ItemType::kByteString);
  if (!data || data->empty()) return DataLossError("KMIP Encrypt reply without data");
  if (!iv || iv->empty()) return DataLossError("KMIP Encrypt reply without the IV it chose");
  out.data = std::move(*data);
  out.iv = std::move(*iv);
  return out;
}

Result<crypto::SecretBytes> KmipClient::Decrypt(const std::string& uid, std::string_view data, std::string_view iv,
                                                const Item* extension) {
  Item payload = Structure(tag::kRequestPayload, {Uid(uid), CbcParameters(), ByteString(tag::kData, std::string(data)),
                                                  ByteString(tag::kIvCounterNonce, std::string(iv))});
  ASSIGN_OR_RETURN(Item p, Run(op::kDecrypt, std::move(payload), true, "KMIP Decrypt", extension));
  const Item* d = p.Find(tag::kData);
  if (d == nullptr || d->type != ItemType::kByteString) return DataLossError("KMIP Decrypt reply without data");
  crypto::SecretBytes out(std::as_bytes(std::span(d->bytes.data(), d->bytes.size())));
  Wipe(p);
  return out;
}

Status KmipClient::Revoke(const std::string& uid, uint32_t reason_code, const std::string& message) {
  std::vector<Item> reason;
  reason.push_back(Enumeration(tag::kRevocationReasonCode, reason_code));
  if (!message.empty()) reason.push_back(TextString(tag::kRevocationMessage, message));
  Item payload = Structure(tag::kRequestPayload, {Uid(uid), Structure(tag::kRevocationReason, std::move(reason))});
  return Run(op::kRevoke, std::move(payload), false, "KMIP Revoke").status();
}

Status KmipClient::Destroy(const std::string& uid) {
  return Run(op::kDestroy, Structure(tag::kRequestPayload, {Uid(uid)}), false, "KMIP Destroy").status();
}

Result<std::vector<std::string>> KmipClient::Locate(const std::string& name) {
  Item payload = Structure(tag::kRequestPayload, {Attribute("Name", NameStruct(0, name))});
  ASSIGN_OR_RETURN(Item p, Run(op::kLocate, std::move(payload), true, "KMIP Locate"));
  std::vector<std::string> out;
  for (const Item* u : p.FindAll(tag::kUniqueIdentifier)) {
    if (u->type != ItemType::kTextString) return DataLossError("KMIP Locate reply with a malformed identifier");
    out.push_back(u->bytes);
  }
  return out;
}

Result<KeyAttributes> KmipClient::GetAttributes(const std::string& uid) {
  Item payload = Structure(tag::kRequestPayload,
                           {Uid(uid), TextString(tag::kAttributeName, "State"),
                            TextString(tag::kAttributeName, "Cryptographic Algorithm"),
                            TextString(tag::kAttributeName, "Cryptographic Length"),
                            TextString(tag::kAttributeName, "Name")});
  ASSIGN_OR_RETURN(Item p, Run(op::kGetAttributes, std::move(payload), true, "KMIP Get Attributes"));
  KeyAttributes a;
  bool have_state = false;
  for (const Item* attr : p.FindAll(tag::kAttribute)) {
    std::optional<std::string> name = attr->FindBytes(tag::kAttributeName, ItemType::kTextString);
    const Item* v = attr->Find(tag::kAttributeValue);
    if (!name || v == nullptr) return DataLossError("KMIP attribute without name or value");
    if (*name == "State" && v->type == ItemType::kEnumeration) {
      a.state = static_cast<KeyState>(v->number);
      have_state = true;
    } else if (*name == "Cryptographic Algorithm" && v->type == ItemType::kEnumeration) {
      a.algorithm = static_cast<uint32_t>(v->number);
    } else if (*name == "Cryptographic Length" && v->type == ItemType::kInteger) {
      a.length = static_cast<int32_t>(v->number);
    } else if (*name == "Name" && a.name.empty()) {
      a.name = v->FindBytes(tag::kNameValue, ItemType::kTextString).value_or("");
    }
  }
  if (!have_state) return DataLossError("KMIP Get Attributes reply without the key state");
  return a;
}

}  // namespace confiance::kms::kmip
