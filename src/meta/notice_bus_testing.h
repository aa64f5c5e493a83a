// File: meta/notice_bus_testing.h
// For unit tests of what caches records or works in the background:
// MetaStore change notices and worker leases between several handles on
// one store in one test process, as gateways sharing a RADOS namespace get
// them (meta/rados/rados_notices.h and rados_worker_leases.h do it for
// real). Each BusStore is one "process": its Announce reaches the watchers
// of every other BusStore on the same NoticeBus, synchronously, and not
// its own; a lease one holds the others do not get until it is released
// or the test lets it lapse (NoticeBus::Lapse: the holder stopped
// renewing). A process can be made deaf (Deafen: as if its watch went
// unconfirmed past the fence, meta/notice_trust.h): it gets no notices
// and its NoticesCurrent is false until Hear, which first tells each of
// its watchers "". Unit tests only.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "meta/forwarding_meta_store.h"

namespace confiance::meta::testing {

class NoticeBus {
 public:
  struct Watcher {
    const void* process;
    std::string topic;
    MetaStore::NoticeHandler changed;
  };
  uint64_t Subscribe(Watcher w) {
    std::lock_guard lock(mu_);
    watchers_.emplace(next_, std::move(w));
    return next_++;
  }
  void Unsubscribe(uint64_t id) {
    std::lock_guard lock(mu_);
    watchers_.erase(id);
  }
  void Publish(const void* from, std::string_view topic, std::string_view subject) {
    std::lock_guard lock(mu_);
    ++published_;
    for (const auto& [id, w] : watchers_) {
      if (w.process != from && w.topic == topic && !deaf_.contains(w.process)) w.changed(subject);
    }
  }
  void Deafen(const void* process) {
    std::lock_guard lock(mu_);
    deaf_.insert(process);
  }
  void Hear(const void* process) {
    std::lock_guard lock(mu_);
    for (const auto& [id, w] : watchers_) {
      if (w.process == process) w.changed("");
    }
    deaf_.erase(process);
  }
  bool Deaf(const void* process) {
    std::lock_guard lock(mu_);
    return deaf_.contains(process);
  }
  int published() {
    std::lock_guard lock(mu_);
    return published_;
  }
  // Leases: no clock; a lease is held until released or lapsed.
  bool HoldLease(const void* process, std::string_view name) {
    std::lock_guard lock(mu_);
    auto [it, taken] = leases_.try_emplace(std::string(name), process);
    return taken || it->second == process;
  }
  void ReleaseLease(const void* process, std::string_view name) {
    std::lock_guard lock(mu_);
    if (auto it = leases_.find(std::string(name)); it != leases_.end() && it->second == process) leases_.erase(it);
  }
  // As if the holder of `name` had not renewed it for its period.
  void Lapse(std::string_view name) {
    std::lock_guard lock(mu_);
    leases_.erase(std::string(name));
  }

 private:
  std::mutex mu_;
  uint64_t next_ = 1;
  int published_ = 0;
  std::map<uint64_t, Watcher> watchers_;
  std::map<std::string, const void*> leases_;  // name -> holder
  std::set<const void*> deaf_;
};

class BusStore : public ForwardingMetaStore {
 public:
  BusStore(MetaStore& base, NoticeBus& bus) : ForwardingMetaStore(base), bus_(bus) {}
  Status Announce(std::string_view topic, std::string_view subject) override {
    bus_.Publish(this, topic, subject);
    return OkStatus();
  }
  std::unique_ptr<NoticeWatch> Watch(std::string_view topic, NoticeHandler changed) override {
    return std::make_unique<Registration>(bus_, bus_.Subscribe({this, std::string(topic), std::move(changed)}));
  }
  Result<bool> HoldLease(std::string_view name, std::chrono::seconds) override { return bus_.HoldLease(this, name); }
  void ReleaseLease(std::string_view name) override { bus_.ReleaseLease(this, name); }
  bool SharedWithOtherProcesses() const override { return true; }
  bool NoticesCurrent() override { return !bus_.Deaf(this); }
  void Deafen() { bus_.Deafen(this); }
  void Hear() { bus_.Hear(this); }

 private:
  class Registration final : public NoticeWatch {
   public:
    Registration(NoticeBus& bus, uint64_t id) : bus_(bus), id_(id) {}
    ~Registration() override { bus_.Unsubscribe(id_); }

   private:
    NoticeBus& bus_;
    const uint64_t id_;
  };
  NoticeBus& bus_;
};

}  // namespace confiance::meta::testing
