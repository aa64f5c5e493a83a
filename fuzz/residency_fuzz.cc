// File: fuzz/residency_fuzz.cc
// libFuzzer target: the storage pools file (TOML) and residency rules in
// JSON. Never crashes; whatever parses is valid (names, jurisdictions,
// exactly one default pool, a RADOS pool's options in range), and a parsed rule evaluates against every
// parsed pool.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "blob/pools/pool_router.h"
#include "sovereignty/residency/residency.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace confiance;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pools = sovereignty::ParsePoolsToml(text, "FR");
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::optional<sovereignty::ResidencyRule> rule;
  if (!j.is_discarded()) {
    auto r = sovereignty::RuleFromJson(j);
    if (r.ok()) rule = *r;
  }
  if (!pools.ok()) return 0;
  int defaults = 0;
  for (const sovereignty::PoolSpec& p : *pools) {
    if (!blob::IsValidPoolName(p.name) || !sovereignty::IsValidJurisdiction(p.jurisdiction)) std::abort();
    defaults += p.is_default ? 1 : 0;
    if (p.rados) {  // a RADOS pool: never the default, no directory, options in range
      const blob::RadosOptions& o = *p.rados;
      if (p.is_default || !p.directory.empty() || o.connection.pool.empty()) std::abort();
      if (o.stripe_size == 0 || o.stripe_size % (1 << 20) != 0 || o.stripe_size > (64u << 20)) std::abort();
      if (!(o.full_ratio >= 0 && o.full_ratio <= 1)) std::abort();
      if (o.connection.op_timeout_seconds < 1 || o.connection.op_timeout_seconds > 600) std::abort();
    }
    (void)sovereignty::Evaluate(rule, p);
  }
  if (defaults != 1) std::abort();
  (void)sovereignty::ChoosePool(*pools, rule, "eu-west-3");
  return 0;
}
