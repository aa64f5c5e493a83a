// File: main/service_notify.cc
#include "main/service_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <string>

namespace confiance {
namespace {

void Notify(const std::string& state) {
  // unset_environment = 0: a reload or stop sends more after READY=1.
  const int r = sd_notify(0, state.c_str());
  // > 0 sent, 0 not under systemd; < 0 an error worth a warning (the
  // service manager would time the start out).
  if (r < 0) spdlog::warn("sd_notify({}) failed: error {}", state.substr(0, state.find('\n')), -r);
}

}  // namespace

void NotifyReady(std::string_view status) { Notify("READY=1\nSTATUS=" + std::string(status)); }

void NotifyReloading() { Notify("RELOADING=1"); }

void NotifyStopping() { Notify("STOPPING=1\nSTATUS=shutting down: requests in flight finish"); }

}  // namespace confiance
