// File: fuzz/post_policy_fuzz.cc
// libFuzzer target: the POST object policy parser and checker never crash,
// and the length bounds are the intersection of the content-length-range
// conditions: one more condition, [3, 7], narrows them to exactly
// [max(min, 3), min(max, 7)]. (The bounds need not be ordered: ranges that
// do not overlap leave an empty intersection, min > max, which admits no
// size; libFuzzer found that the target's earlier min <= max was wrong.)
#include <nlohmann/json.hpp>

#include <algorithm>
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
  if (p->min_length.has_value() != p->max_length.has_value()) std::abort();
  confiance::s3::PostFields fields = {{"bucket", "b"}, {"key", "k"}, {"acl", "private"}, {"policy", "x"}};
  (void)confiance::s3::CheckPostPolicy(*p, fields, std::chrono::system_clock::now());

  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return 0;
  auto conditions = doc.find("conditions");
  if (conditions == doc.end() || !conditions->is_array()) return 0;
  conditions->push_back(nlohmann::json::array({"content-length-range", 3, 7}));
  confiance::Result<confiance::s3::PostPolicy> q = confiance::s3::ParsePostPolicy(doc.dump());
  if (!q.ok()) return 0;  // e.g. past a limit on the number of conditions
  if (q->min_length != std::max<uint64_t>(p->min_length.value_or(0), 3)) std::abort();
  if (q->max_length != std::min<uint64_t>(p->max_length.value_or(7), 7)) std::abort();
  return 0;
}
