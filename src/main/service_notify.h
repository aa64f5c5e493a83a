// File: main/service_notify.h
// The server's state for systemd (Type=notify, docs/operations.md): ready
// once it accepts connections, reloading during a SIGHUP, stopping on
// SIGTERM. Through sd_notify(3) of libsystemd; each call is a no-op when
// systemd did not start the process (NOTIFY_SOCKET unset). So `systemctl
// start confiance` returns, and units ordered After= it start, only once
// the server serves: a backup the timer starts right after boot finds it
// ready.
#pragma once

#include <string_view>

namespace confiance {

// READY=1, with `status` as the STATUS= line systemctl shows.
void NotifyReady(std::string_view status);
// RELOADING=1 (send NotifyReady when the reload is done).
void NotifyReloading();
// STOPPING=1: a graceful shutdown began.
void NotifyStopping();

}  // namespace confiance
