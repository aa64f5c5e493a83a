// File: main/kms_key_schedule.h
// The rotation schedules of tenants' named KMS keys (docs/keys.md
// "Rotating a named key"): each key whose period has passed is rotated
// (catalog::TenantKeys::RotateDueNamedKeys), and each rotation is a control
// event in its tenant's transparency log, by the system. The lifecycle
// runner calls this every tick, with its "day" (a debug setting shortens
// both).
#pragma once

#include <cstdint>

#include "audit/audit_log.h"
#include "catalog/tenant_keys.h"

namespace confiance {

// Returns how many keys were rotated; errors are logged (the next tick
// retries). `log` may be null (rotations not recorded: tools, tests).
uint64_t RotateScheduledKmsKeys(catalog::TenantKeys& keys, audit::AuditLog* log, uint64_t now_ms, uint64_t day_ms);

}  // namespace confiance
