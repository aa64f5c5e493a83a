// File: fuzz/post_policy_fuzz.cc
// libFuzzer target: the POST object policy parser and checker never crash,
// and a parsed policy's length bounds are ordered.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3/post_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  confiance::Result<confiance::s3::PostPolicy> p = confiance::s3::ParsePostPolicy(json);
  if (!p.ok()) return 0;
  if (p->min_length && p->max_length && *p->min_length > *p->max_length) std::abort();
  confiance::s3::PostFields fields = {{"bucket", "b"}, {"key", "k"}, {"acl", "private"}, {"policy", "x"}};
  (void)confiance::s3::CheckPostPolicy(*p, fields, std::chrono::system_clock::now());
  return 0;
}
