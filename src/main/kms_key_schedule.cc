// File: main/kms_key_schedule.cc
#include "main/kms_key_schedule.h"

#include <string>

#include "common/logging.h"

namespace confiance {

uint64_t RotateScheduledKmsKeys(catalog::TenantKeys& keys, audit::AuditLog* log, uint64_t now_ms, uint64_t day_ms) {
  Result<std::vector<catalog::TenantKeys::ScheduledRotation>> rotated = keys.RotateDueNamedKeys(now_ms, day_ms);
  if (!rotated.ok()) {
    spdlog::warn("KMS key rotation schedules: {} (retried next tick)", rotated.status().ToString());
    return 0;
  }
  for (const catalog::TenantKeys::ScheduledRotation& r : *rotated) {
    spdlog::info("KMS key {} of tenant {} rotated on its schedule (every {} days): version {}", r.key.name,
                 r.key.tenant, r.info.rotation_period_days, r.info.version);
    if (log == nullptr) continue;
    audit::Event e;
    e.kind = audit::EventKind::kControl;
    e.time_ms = now_ms;
    e.principal.type = "system";
    e.principal.user = "kms-key-rotation-schedule";
    e.action = "RotateKmsKey";
    e.target = "tenant/" + r.key.tenant + "/kms-key/" + r.key.name;
    e.status = 200;
    e.details["version"] = std::to_string(r.info.version);
    e.details["period_days"] = std::to_string(r.info.rotation_period_days);
    if (Result<uint64_t> logged = log->AppendAndWait(r.key.tenant, e); !logged.ok()) {
      spdlog::error("KMS key {} of tenant {}: the scheduled rotation could not be logged: {}", r.key.name,
                    r.key.tenant, logged.status().ToString());
    }
  }
  return rotated->size();
}

}  // namespace confiance
