// File: fuzz/object_lock_fuzz.cc
// libFuzzer target: the Object Lock documents (s3/xml/object_lock_xml.h):
// ObjectLockConfiguration, Retention and LegalHold are accepted or refused
// without crashing; a refusal names MalformedXML or InvalidRetentionPeriod;
// whatever is accepted is valid (one positive period, a known mode) and
// survives render -> parse unchanged. The date parser round-trips too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3/xml/object_lock_xml.h"

namespace {

void CheckRefusal(const confiance::Status& s) {
  if (!s.message().starts_with("MalformedXML") && !s.message().starts_with("InvalidRetentionPeriod")) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace xml = confiance::s3::xml;
  using confiance::catalog::LockMode;
  std::string_view body(reinterpret_cast<const char*>(data), size);

  auto config = xml::ParseObjectLockConfiguration(body);
  if (!config.ok()) {
    CheckRefusal(config.status());
  } else {
    if (*config) {
      const auto& rule = **config;
      if ((rule.days == 0) == (rule.years == 0) || rule.mode == LockMode::kNone) std::abort();
    }
    auto again = xml::ParseObjectLockConfiguration(xml::RenderObjectLockConfiguration(*config));
    if (!again.ok() || *again != *config) std::abort();
  }

  auto retention = xml::ParseRetention(body);
  if (!retention.ok()) {
    CheckRefusal(retention.status());
  } else {
    // (No retention renders as the empty document, which reads back as none.)
    auto again = xml::ParseRetention(xml::RenderRetention(retention->mode, retention->retain_until_ms));
    if (!again.ok() || again->mode != retention->mode || again->retain_until_ms != retention->retain_until_ms) {
      std::abort();
    }
  }

  auto hold = xml::ParseLegalHold(body);
  if (!hold.ok()) {
    CheckRefusal(hold.status());
  } else if (xml::ParseLegalHold(xml::RenderLegalHold(*hold)).value() != *hold) {
    std::abort();
  }

  if (std::optional<uint64_t> ms = xml::ParseLockDate(body)) {
    if (xml::ParseLockDate(xml::RenderLockDate(*ms)) != ms) std::abort();
  }
  return 0;
}
