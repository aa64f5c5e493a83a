// File: fuzz/sse_kms_fuzz.cc
// libFuzzer target: the SSE-KMS key id and encryption context parsers
// (catalog/kms_key_ref.h, s3/kms_context.h) never crash; a key id naming a
// key names a valid tenant id (the owner's, for an alias) and, for a named
// key, a valid name; the key's ARN form and its record id name the same key
// (for any tenant but the reserved "alias"); a context
// accepted is at most 4 KiB. Input: key id, '\n', context.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "catalog/kms_key_ref.h"
#include "s3/kms_context.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace confiance;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  std::string_view key_id = in.substr(0, nl);
  std::string_view context = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  constexpr std::string_view kOwner = "owner";
  std::optional<catalog::KmsKeyRef> ref = catalog::ParseKmsKeyId(key_id, kOwner);
  // No tenant may be called "alias" (iam/directory.h): "alias/NAME" is the alias form.
  if (ref && ref->tenant != "alias") {
    if (!ValidTenantId(ref->tenant)) std::abort();
    if (ref->named() && !catalog::ValidKmsKeyName(ref->name)) std::abort();
    if (key_id.starts_with(catalog::kKmsKeyAliasPrefix) && (ref->tenant != kOwner || !ref->named())) std::abort();
    if (catalog::ParseKmsKeyId(catalog::KmsKeyArn(*ref), "other") != ref) std::abort();
    if (catalog::ParseKmsKeyId(ref->RecordId(), "other") != ref) std::abort();
  }
  if (s3::ValidKmsContext(context) && context.size() > 4096) std::abort();
  return 0;
}
