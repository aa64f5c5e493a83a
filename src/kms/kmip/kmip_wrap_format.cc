// File: kms/kmip/kmip_wrap_format.cc
#include "kms/kmip/kmip_wrap_format.h"

#include <cstring>

namespace confiance::kms::kmip {

std::string EncodeWrapHeader(std::string_view iv, std::string_view kms_ciphertext) {
  std::string h(kWrapMagic, sizeof(kWrapMagic));
  h.push_back(static_cast<char>(kKmipWrapVersion));
  h.push_back(static_cast<char>(iv.size()));
  h.push_back(static_cast<char>((kms_ciphertext.size() >> 8) & 0xff));
  h.push_back(static_cast<char>(kms_ciphertext.size() & 0xff));
  h.append(iv);
  h.append(kms_ciphertext);
  return h;
}

Result<ParsedWrap> ParseWrap(std::string_view blob) {
  if (blob.size() < kWrapFixedHeader || std::memcmp(blob.data(), kWrapMagic, sizeof(kWrapMagic)) != 0) {
    return DataLossError("not a KMIP-wrapped key");
  }
  if (static_cast<uint8_t>(blob[4]) != kKmipWrapVersion) {
    return UnimplementedError("unknown KMIP-wrapped key version " + std::to_string(static_cast<uint8_t>(blob[4])));
  }
  const size_t iv_len = static_cast<uint8_t>(blob[5]);
  const size_t kms_len = (size_t{static_cast<uint8_t>(blob[6])} << 8) | static_cast<uint8_t>(blob[7]);
  if (iv_len == 0 || iv_len > kMaxIvSize || kms_len == 0 || kms_len > kMaxKmsCiphertext) {
    return DataLossError("KMIP-wrapped key with bad sizes");
  }
  const size_t header_len = kWrapFixedHeader + iv_len + kms_len;
  if (blob.size() <= header_len) return DataLossError("truncated KMIP-wrapped key");
  ParsedWrap p;
  p.header = blob.substr(0, header_len);
  p.iv = blob.substr(kWrapFixedHeader, iv_len);
  p.kms_ciphertext = blob.substr(kWrapFixedHeader + iv_len, kms_len);
  p.sealed = blob.substr(header_len);
  return p;
}

std::string SealAad(std::string_view key_id, std::string_view header, std::string_view context) {
  std::string a;
  a.reserve(6 + key_id.size() + header.size() + context.size());
  a.push_back(static_cast<char>((key_id.size() >> 8) & 0xff));
  a.push_back(static_cast<char>(key_id.size() & 0xff));
  a.append(key_id);
  for (int i = 3; i >= 0; --i) a.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  a.append(header);
  a.append(context);
  return a;
}

}  // namespace confiance::kms::kmip
