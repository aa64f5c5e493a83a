// File: meta/notice_bus_testing.h
// For unit tests of what caches records: MetaStore change notices between
// several handles on one store in one test process, as gateways sharing a
// RADOS namespace get them (meta/rados/rados_notices.h does it for real).
// Each BusStore is one "process": its Announce reaches the watchers of
// every other BusStore on the same NoticeBus, synchronously, and not its
// own. Unit tests only.
#pragma once

#include <map>
#include <memory>
#include <mutex>
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
      if (w.process != from && w.topic == topic) w.changed(subject);
    }
  }
  int published() {
    std::lock_guard lock(mu_);
    return published_;
  }

 private:
  std::mutex mu_;
  uint64_t next_ = 1;
  int published_ = 0;
  std::map<uint64_t, Watcher> watchers_;
};

class BusStore final : public ForwardingMetaStore {
 public:
  BusStore(MetaStore& base, NoticeBus& bus) : ForwardingMetaStore(base), bus_(bus) {}
  Status Announce(std::string_view topic, std::string_view subject) override {
    bus_.Publish(this, topic, subject);
    return OkStatus();
  }
  std::unique_ptr<NoticeWatch> Watch(std::string_view topic, NoticeHandler changed) override {
    return std::make_unique<Registration>(bus_, bus_.Subscribe({this, std::string(topic), std::move(changed)}));
  }

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
