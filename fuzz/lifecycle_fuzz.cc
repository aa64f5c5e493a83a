// File: fuzz/lifecycle_fuzz.cc
// libFuzzer target: the LifecycleConfiguration parser and checker
// (s3/lifecycle_config.h) accepts or refuses any input without crashing,
// always names an S3 error when it refuses, and a configuration it accepts
// survives render -> parse unchanged (and still passes every check).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "s3/lifecycle.h"
#include "s3/lifecycle_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace s3 = confiance::s3;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  int n = 0;
  auto new_id = [&n] { return "id" + std::to_string(n++); };
  s3::S3Error error = s3::MakeError(s3::S3ErrorCode::kInternalError);
  auto config = s3::ParseLifecycleConfiguration(body, new_id, &error);
  if (!config.ok()) {
    if (error.code == s3::S3ErrorCode::kInternalError) std::abort();
    return 0;
  }
  if (config->rules.empty() || config->rules.size() > s3::kMaxLifecycleRules) std::abort();
  s3::S3Error again_error = s3::MakeError(s3::S3ErrorCode::kInternalError);
  auto again = s3::ParseLifecycleConfiguration(s3::RenderLifecycleConfiguration(*config), new_id, &again_error);
  if (!again.ok() || !(*again == *config)) std::abort();
  // Evaluation never crashes on an accepted configuration.
  confiance::catalog::TagMap tags = {{"k", "v"}};
  (void)s3::EarliestExpiration(*config, {"key", &tags, 42}, 123456789, s3::kLifecycleDayMs);
  (void)s3::EarliestAbort(*config, "key", 123456789, 10000);
  return 0;
}
