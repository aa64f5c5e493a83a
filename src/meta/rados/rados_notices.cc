// File: meta/rados/rados_notices.cc
#include "meta/rados/rados_notices.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/logging.h"

namespace confiance::meta {
namespace {

// Little-endian fields of a librados-encoded buffer, read in order; every
// read past the end fails.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool U32(uint32_t& v) { return Int(v); }
  bool U64(uint64_t& v) { return Int(v); }
  bool Skip(size_t n) {
    if (in_.size() < n) return false;
    in_.remove_prefix(n);
    return true;
  }

 private:
  template <typename T>
  bool Int(T& v) {
    if (in_.size() < sizeof(T)) return false;
    v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(sizeof(T));
    return true;
  }
  std::string_view in_;
};

}  // namespace

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

Result<std::unique_ptr<RadosNotices>> RadosNotices::Open(blob::RadosIo& io, std::string instance_id, Timing timing) {
  std::unique_ptr<RadosNotices> n(new RadosNotices(io, std::move(instance_id), timing));
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
  {
    std::lock_guard lock(watch_mu_);
    if (!broken_ && handle_ != 0 && rados_watch_check(io_.ioctx(), handle_) >= 0) return OkStatus();
    if (handle_ != 0) rados_unwatch2(io_.ioctx(), handle_);
    handle_ = 0;
  }
  {
    std::lock_guard lock(trust_mu_);
    trust_.Distrust();
  }
  // Whatever came meanwhile is unknown. (Dropped again once the new watch
  // is confirmed: see Current.)
  Dispatch("", "");
  return WatchOnce();
}

bool RadosNotices::Current() {
  if (trust_.TrustedAt(blob::SteadyMillis())) return true;
  std::lock_guard trust_lock(trust_mu_);
  const int64_t now = blob::SteadyMillis();
  if (trust_.TrustedAt(now)) return true;  // (another thread asked meanwhile)
  std::optional<int64_t> age_ms;
  {
    std::lock_guard lock(watch_mu_);
    if (!broken_ && handle_ != 0) {
      const int rc = rados_watch_check(io_.ioctx(), handle_);
      if (rc >= 0) {
        age_ms = rc;
      } else {
        broken_ = true;  // (Check makes it again)
      }
    }
  }
  const NoticeTrust::Seen seen = trust_.SeeWatch(now, age_ms);
  if (!seen.trusted) return false;
  if (seen.drop_first) Dispatch("", "");
  trust_.Trust(seen.until_ms);
  return true;
}

Status RadosNotices::Announce(std::string_view topic, std::string_view subject) {
  std::string payload = instance_id_;
  payload.append("\n").append(topic).append("\n").append(subject);
  int rc = 0;
  // A notice is idempotent (it drops cache entries): one that could not be
  // sent is sent again once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    char* reply = nullptr;
    size_t reply_len = 0;
    rc = rados_notify2(io_.ioctx(), kOid, payload.data(), static_cast<int>(payload.size()), timing_.notify_timeout_ms,
                       &reply, &reply_len);
    const int64_t returned_ms = blob::SteadyMillis();
    std::vector<uint64_t> silent;
    if (reply != nullptr) {
      silent = SilentWatchers(std::string_view(reply, reply_len));
      rados_buffer_free(reply);
    }
    if (rc >= 0) {
      acknowledged_.fetch_add(1, std::memory_order_relaxed);
      return OkStatus();
    }
    if (rc != -ETIMEDOUT) continue;
    fenced_.fetch_add(1, std::memory_order_relaxed);
    // The OSD sent the notice at least notify_timeout_ms before it gave up,
    // and a watcher that did not answer was last confirmed before it got
    // there: from then plus the fence on, it no longer uses its caches
    // (NoticeTrust).
    std::string who;
    for (uint64_t id : silent) who += (who.empty() ? "client." : ", client.") + std::to_string(id);
    const int64_t sent_by_ms = returned_ms - static_cast<int64_t>(timing_.notify_timeout_ms);
    const int64_t wait_ms = sent_by_ms + timing_.fence_ms + timing_.fence_margin_ms - blob::SteadyMillis();
    spdlog::warn(
        "RADOS metadata change notice ({}) not acknowledged within {} ms by {}: waiting {} ms until they can no "
        "longer use their caches",
        topic, timing_.notify_timeout_ms, who.empty() ? "some watcher" : who, std::max<int64_t>(wait_ms, 0));
    if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    return OkStatus();
  }
  failed_.fetch_add(1, std::memory_order_relaxed);
  Status st = io_.Check(rc, "rados_notify2", kOid);
  return UnavailableError("a change notice (" + std::string(topic) + ") could not be sent: " + st.message());
}

std::vector<uint64_t> RadosNotices::SilentWatchers(std::string_view reply) {
  // map<pair<gid, cookie>, bufferlist> acks; set<pair<gid, cookie>> timeouts.
  Decoder in(reply);
  uint32_t acks = 0;
  if (!in.U32(acks)) return {};
  for (uint32_t i = 0; i < acks; ++i) {
    uint64_t gid = 0, cookie = 0;
    uint32_t len = 0;
    if (!in.U64(gid) || !in.U64(cookie) || !in.U32(len) || !in.Skip(len)) return {};
  }
  uint32_t timeouts = 0;
  if (!in.U32(timeouts)) return {};
  std::vector<uint64_t> silent;
  for (uint32_t i = 0; i < timeouts; ++i) {
    uint64_t gid = 0, cookie = 0;
    if (!in.U64(gid) || !in.U64(cookie)) return {};
    silent.push_back(gid);
  }
  return silent;
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
  {
    std::lock_guard lock(self->trust_mu_);
    self->trust_.Distrust();
  }
  self->Dispatch("", "");
}

}  // namespace confiance::meta
