// File: fuzz/kmip_ttlv_fuzz.cc
// libFuzzer target: the KMIP client's decoders of what a KMS sends (TTLV
// items, response messages) and of stored KMIP-wrapped key blobs never
// crash, and every TTLV item they accept re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kms/kmip/kmip_messages.h"
#include "kms/kmip/kmip_wrap_format.h"
#include "kms/kmip/ttlv.h"

using namespace confiance::kms::kmip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto item = Decode(in); item.ok() && Encode(*item) != in) std::abort();
  if (auto r = DecodeResponse(in); r.ok()) {
    ResultStatusToStatus(*r, "fuzz").IgnoreError();
    if (Encode(r->payload).empty()) std::abort();
  }
  if (size >= kTtlvHeaderSize && MessageSize(in) < kTtlvHeaderSize) std::abort();
  if (auto w = ParseWrap(in); w.ok()) {
    if (w->header.size() + w->sealed.size() != in.size()) std::abort();
  }
  return 0;
}
