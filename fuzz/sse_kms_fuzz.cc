// File: fuzz/sse_kms_fuzz.cc
// libFuzzer target: the SSE-KMS key id and encryption context parsers
// (s3/kms_key_id.h) never crash; a key id naming a tenant names a valid
// tenant id, whose ARN form names the same tenant; a context accepted is
// at most 4 KiB. Input: key id, '\n', context.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "s3/kms_key_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace confiance::s3;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  std::string_view key_id = in.substr(0, nl);
  std::string_view context = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  if (std::optional<std::string> tenant = TenantOfKmsKeyId(key_id)) {
    if (tenant->size() < 2 || tenant->size() > 63 || tenant->front() == '-') std::abort();
    for (char c : *tenant) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) std::abort();
    }
    if (TenantOfKmsKeyId(TenantKeyArn(*tenant)) != tenant) std::abort();
  }
  if (ValidKmsContext(context) && context.size() > 4096) std::abort();
  return 0;
}
