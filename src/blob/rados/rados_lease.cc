// File: blob/rados/rados_lease.cc
#include "blob/rados/rados_lease.h"

#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>
#include <utility>

namespace confiance::blob {
namespace {

constexpr char kLockName[] = "confiance";
// The tag every shared holder gives (cls_lock's shared lockers must agree).
constexpr char kSharedTag[] = "confiance.shared";

}  // namespace

RadosLease::RadosLease(RadosIo& io, std::string oid, std::string cookie, std::string description, uint32_t seconds,
                       std::string what, Kind kind)
    : io_(io),
      oid_(std::move(oid)),
      cookie_(std::move(cookie)),
      description_(std::move(description)),
      seconds_(seconds),
      what_(std::move(what)),
      kind_(kind) {}

Status RadosLease::TakeForGood(RadosIo& io, const std::string& oid) {
  // No duration: it never expires (cls_lock drops expired holders first).
  // EEXIST: "recovered" holds it already.
  const int rc =
      rados_lock_exclusive(io.ioctx(), oid.c_str(), kLockName, "recovered", "taken over by a recovery", nullptr, 0);
  if (rc == -EEXIST) return OkStatus();
  if (rc != -EBUSY) return io.Check(rc, "rados_lock_exclusive", oid);
  // Held: by an earlier recovery (through another connection), or live.
  std::string tag(256, '\0'), clients(4096, '\0'), cookies(4096, '\0'), addrs(4096, '\0');
  for (int attempt = 0; attempt < 3; ++attempt) {
    int exclusive = 0;
    size_t tag_len = tag.size(), clients_len = clients.size(), cookies_len = cookies.size(), addrs_len = addrs.size();
    const ssize_t n =
        rados_list_lockers(io.ioctx(), oid.c_str(), kLockName, &exclusive, tag.data(), &tag_len, clients.data(),
                           &clients_len, cookies.data(), &cookies_len, addrs.data(), &addrs_len);
    if (n == -ERANGE) {
      tag.resize(tag_len);
      clients.resize(clients_len);
      cookies.resize(cookies_len);
      addrs.resize(addrs_len);
      continue;
    }
    if (n < 0) return io.Check(static_cast<int>(n), "rados_list_lockers", oid);
    // `cookies`: n NUL-terminated strings.
    const char* c = cookies.data();
    for (ssize_t i = 0; i < n; ++i, c += std::strlen(c) + 1) {
      if (std::string_view(c) == "recovered") return OkStatus();
    }
    return FailedPreconditionError("the lock on " + oid + " is held");
  }
  return UnavailableError("the lockers of " + oid + " kept changing");
}

int RadosLease::LockOnce() {
  timeval tv{static_cast<time_t>(seconds_), 0};
  const int64_t asked = SteadyMillis();
  const int rc = kind_ == Kind::kShared
                     ? rados_lock_shared(io_.ioctx(), oid_.c_str(), kLockName, cookie_.c_str(), kSharedTag,
                                         description_.c_str(), &tv, LIBRADOS_LOCK_FLAG_MAY_RENEW)
                     : rados_lock_exclusive(io_.ioctx(), oid_.c_str(), kLockName, cookie_.c_str(), description_.c_str(),
                                            &tv, LIBRADOS_LOCK_FLAG_MAY_RENEW);
  if (rc >= 0) valid_until_ms_ = asked + int64_t{seconds_} * 1000;
  return rc;
}

Status RadosLease::Take() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds_ + 2);
  for (;;) {
    const int rc = LockOnce();
    if (rc >= 0) return OkStatus();
    if (rc != -EBUSY) return io_.Check(rc, "rados_lock_exclusive", oid_);
    if (std::chrono::steady_clock::now() >= deadline) {
      return FailedPreconditionError(what_ + " is in use by another Confiance server (its lease on " + oid_ +
                                     " is held): one server per namespace, unless each of them shares it");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

Status RadosLease::Renew() {
  const bool was_lost = lost_;
  const int rc = LockOnce();
  if (rc == -EBUSY) lost_ = true;  // another instance took it after it expired
  Status s = io_.Check(rc, "renewing the lease", oid_);
  if (!s.ok() && lost_ && !was_lost) {
    spdlog::error("{}: another server holds the lease on the namespace; refusing writes until restart", what_);
  } else if (!s.ok() && !lost_) {
    spdlog::warn("{}: renewing the lease: {}", what_, s.ToString());
  }
  return s;
}

Status RadosLease::Check() const {
  if (lost_) return UnavailableError(what_ + ": another server took this server's lease on the namespace; restart it");
  if (SteadyMillis() >= valid_until_ms_) {
    return UnavailableError(what_ +
                            ": the lease on the namespace could not be renewed in time (is the cluster reachable?)");
  }
  return OkStatus();
}

void RadosLease::Release() {
  if (!lost_) rados_unlock(io_.ioctx(), oid_.c_str(), kLockName, cookie_.c_str());
}

}  // namespace confiance::blob
