// File: main/offline_audit.h
// Operator actions on a stopped server's data directory (the offline
// commands `admin create-access-key`, `encrypt-metadata` and
// `move-metadata`) go into the operator's transparency log, and into the
// log of the tenant they touch, as the admin API logs its actions online
// (issue 7: every administrative action is an entry): an operator with a
// shell on the gateway cannot make a tenant an access key, re-key the
// metadata or move it elsewhere unseen by the tenant and the auditors. The
// entry is durable, and a checkpoint signed, before the command reports
// success.
#pragma once

#include <string>
#include <string_view>

#include "audit/event.h"
#include "common/status.h"
#include "main/data_dir.h"

namespace confiance {

// The event of an offline action: a control event at the current time, by
// the principal {type "operator", user "offline"}, from source "offline",
// status 200, with the local account that ran the command as detail
// "unix_user".
audit::Event OfflineActionEvent(std::string action, std::string target);

// Appends `event` to the operator log of `dir` (opened by the caller) and,
// if `tenant_id` is not empty, to that tenant's log; waits until it is
// durable, then signs a checkpoint of the logs. The error if it could not
// be made durable.
Status LogOfflineAction(DataDir& dir, std::string_view tenant_id, const audit::Event& event);

// The same for a command that changed the directory at `path` and has
// released it: opens it as a server does (DataDir::Open), then logs.
Status LogOfflineAction(Env& env, const std::string& path, const KmsOptions& kms, std::string_view tenant_id,
                        const audit::Event& event);

}  // namespace confiance
