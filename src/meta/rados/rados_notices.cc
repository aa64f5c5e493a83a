// File: meta/rados/rados_notices.cc
#include "meta/rados/rados_notices.h"

#include <cstring>

#include "common/logging.h"

namespace confiance::meta {

class RadosNotices::Registration final : public MetaStore::NoticeWatch {
 public:
  Registration(RadosNotices& notices, uint64_t id) : notices_(notices), id_(id) {}
  ~Registration() override {
    std::lock_guard lock(notices_.handlers_mu_);  // (waits for a call under way)
    std::erase_if(notices_.handlers_, [this](const auto& entry) { return entry.second.registration == id_; });
  }

 private:
  RadosNotices& notices_;
  const uint64_t id_;
};

Result<std::unique_ptr<RadosNotices>> RadosNotices::Open(blob::RadosIo& io, std::string instance_id) {
  std::unique_ptr<RadosNotices> n(new RadosNotices(io, std::move(instance_id)));
  // A watch needs the object to exist; it holds nothing, so writing it
  // empty (again) is harmless.
  const int rc = rados_write_full(io.ioctx(), kOid, "", 0);
  RETURN_IF_ERROR(io.Check(rc, "rados_write_full", kOid));
  RETURN_IF_ERROR(n->WatchOnce());
  return n;
}

RadosNotices::~RadosNotices() {
  uint64_t handle = 0;
  {
    std::lock_guard lock(watch_mu_);
    handle = handle_;
    handle_ = 0;
  }
  if (handle != 0) rados_unwatch2(io_.ioctx(), handle);
  rados_watch_flush(io_.cluster());  // no callback may still run on `this`
}

Status RadosNotices::WatchOnce() {
  uint64_t handle = 0;
  constexpr uint32_t kWatchTimeoutSeconds = 30;  // the OSD drops a watch silent for this long
  const int rc = rados_watch3(io_.ioctx(), kOid, &handle, &RadosNotices::OnNotify, &RadosNotices::OnError,
                              kWatchTimeoutSeconds, this);
  RETURN_IF_ERROR(io_.Check(rc, "rados_watch3", kOid));
  std::lock_guard lock(watch_mu_);
  handle_ = handle;
  broken_ = false;
  return OkStatus();
}

Status RadosNotices::Check() {
  uint64_t handle = 0;
  bool broken = false;
  {
    std::lock_guard lock(watch_mu_);
    handle = handle_;
    broken = broken_;
  }
  if (!broken && handle != 0 && rados_watch_check(io_.ioctx(), handle) >= 0) return OkStatus();
  if (handle != 0) rados_unwatch2(io_.ioctx(), handle);
  {
    std::lock_guard lock(watch_mu_);
    handle_ = 0;
  }
  // Whatever came meanwhile is unknown.
  Dispatch("", "");
  return WatchOnce();
}

Status RadosNotices::Announce(std::string_view topic, std::string_view subject) {
  std::string payload = instance_id_;
  payload.append("\n").append(topic).append("\n").append(subject);
  char* reply = nullptr;
  size_t reply_len = 0;
  const int rc = rados_notify2(io_.ioctx(), kOid, payload.data(), static_cast<int>(payload.size()), kNotifyTimeoutMs,
                               &reply, &reply_len);
  if (reply != nullptr) rados_buffer_free(reply);
  if (rc < 0) {
    Status st = io_.Check(rc, "rados_notify2", kOid);
    return UnavailableError("a change notice (" + std::string(topic) +
                            ") was not acknowledged by every server: " + st.message());
  }
  return OkStatus();
}

std::unique_ptr<MetaStore::NoticeWatch> RadosNotices::Watch(std::string_view topic, MetaStore::NoticeHandler changed) {
  std::lock_guard lock(handlers_mu_);
  const uint64_t id = next_registration_++;
  handlers_.emplace(std::string(topic), Handler{id, std::move(changed)});
  return std::make_unique<Registration>(*this, id);
}

void RadosNotices::Dispatch(std::string_view topic, std::string_view subject) {
  std::lock_guard lock(handlers_mu_);
  for (const auto& [t, handler] : handlers_) {
    if (topic.empty() || t == topic) handler.changed(subject);
  }
}

void RadosNotices::OnNotify(void* arg, uint64_t notify_id, uint64_t handle, uint64_t /*notifier_id*/, void* data,
                            size_t data_len) {
  auto* self = static_cast<RadosNotices*>(arg);
  const std::string_view payload(static_cast<const char*>(data), data_len);
  const size_t first = payload.find('\n');
  const size_t second = first == std::string_view::npos ? first : payload.find('\n', first + 1);
  if (second != std::string_view::npos && payload.substr(0, first) != self->instance_id_) {
    const std::string_view topic = payload.substr(first + 1, second - first - 1);
    const std::string_view subject = payload.substr(second + 1);
    // (An empty topic would reach every handler: a notice without one is
    // dropped; only Announce writes here.)
    if (!topic.empty()) self->Dispatch(topic, subject);
  }
  rados_notify_ack(self->io_.ioctx(), kOid, notify_id, handle, nullptr, 0);
}

void RadosNotices::OnError(void* arg, uint64_t /*handle*/, int err) {
  auto* self = static_cast<RadosNotices*>(arg);
  spdlog::warn("RADOS metadata change notices: the watch broke ({}); caches are dropped and it is made again",
               strerror(-err));
  {
    std::lock_guard lock(self->watch_mu_);
    self->broken_ = true;
  }
  self->Dispatch("", "");
}

}  // namespace confiance::meta
