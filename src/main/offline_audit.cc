// File: main/offline_audit.cc
#include "main/offline_audit.h"

#include <pwd.h>
#include <unistd.h>

#include <memory>
#include <utility>

#include "common/wall_clock.h"
#include "main/transparency.h"

namespace confiance {

audit::Event OfflineActionEvent(std::string action, std::string target) {
  audit::Event e;
  e.kind = audit::EventKind::kControl;
  e.time_ms = UnixMillisNow();
  e.source = "offline";
  e.principal.type = "operator";
  e.principal.user = "offline";
  e.status = 200;
  e.action = std::move(action);
  e.target = std::move(target);
  const passwd* account = getpwuid(geteuid());
  e.details["unix_user"] = account != nullptr ? account->pw_name : std::to_string(geteuid());
  return e;
}

Status LogOfflineAction(DataDir& dir, std::string_view tenant_id, const audit::Event& event) {
  // The stored log name (the server's); the destructor signs a checkpoint.
  ASSIGN_OR_RETURN(std::unique_ptr<Transparency> transparency, Transparency::Start(dir, /*name=*/""));
  Result<uint64_t> index = transparency->log().AppendOperatorActionAndWait(tenant_id, event);
  if (!index.ok()) {
    return Status(index.status().code(), "the transparency log did not take the entry: " + index.status().message());
  }
  return OkStatus();
}

Status LogOfflineAction(Env& env, const std::string& path, const KmsOptions& kms, std::string_view tenant_id,
                        const audit::Event& event) {
  ASSIGN_OR_RETURN(std::unique_ptr<DataDir> dir, DataDir::Open(env, path, kms));
  return LogOfflineAction(*dir, tenant_id, event);
}

}  // namespace confiance
