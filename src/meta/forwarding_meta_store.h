// File: meta/forwarding_meta_store.h
// ForwardingMetaStore: a MetaStore that passes every call on to another one
// (as LevelDB's EnvWrapper or RocksDB's StackableDB), so that a decorator
// overrides only the calls it changes or watches: test stores that record,
// hold or race what passes through them.
//
// Thread-safety: as the store it forwards to.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meta/meta_store.h"

namespace confiance::meta {

class ForwardingMetaStore : public MetaStore {
 public:
  // `base` is borrowed and must outlive this store; it may be a member of
  // the derived class (it is only stored here, not used).
  explicit ForwardingMetaStore(MetaStore& base) : base_(base) {}

  Result<std::optional<std::string>> Get(std::string_view partition, std::string_view key) override {
    return base_.Get(partition, key);
  }
  Status Apply(std::string_view partition, const Batch& batch) override { return base_.Apply(partition, batch); }
  Status Writable() const override { return base_.Writable(); }
  void ApplyAsync(std::string_view partition, Batch batch, std::function<void(Status)> done) override {
    base_.ApplyAsync(partition, std::move(batch), std::move(done));
  }
  void ApplyHere(std::string_view partition, Batch batch, std::function<void(Status)> done) override {
    base_.ApplyHere(partition, std::move(batch), std::move(done));
  }
  Result<std::vector<Record>> Scan(std::string_view partition, const ScanOptions& options) override {
    return base_.Scan(partition, options);
  }
  Status ScanEach(std::string_view partition, const ScanOptions& options, const ScanVisitor& visit) override {
    return base_.ScanEach(partition, options, visit);
  }
  Result<std::vector<std::string>> ListPartitions(std::string_view prefix, std::string_view start_after,
                                                  size_t limit) override {
    return base_.ListPartitions(prefix, start_after, limit);
  }
  Status DropPartition(std::string_view partition) override { return base_.DropPartition(partition); }
  Status Purge(std::string_view partition) override { return base_.Purge(partition); }
  Status Checkpoint(const std::string& dir) override { return base_.Checkpoint(dir); }
  Result<std::unique_ptr<MetaStore>> Snapshot() override { return base_.Snapshot(); }
  Status VerifyChecksums() override { return base_.VerifyChecksums(); }
  Status Announce(std::string_view topic, std::string_view subject) override { return base_.Announce(topic, subject); }
  std::unique_ptr<NoticeWatch> Watch(std::string_view topic, NoticeHandler changed) override {
    return base_.Watch(topic, std::move(changed));
  }
  bool NoticesCurrent() override { return base_.NoticesCurrent(); }
  Result<bool> HoldLease(std::string_view name, std::chrono::seconds period) override {
    return base_.HoldLease(name, period);
  }
  void ReleaseLease(std::string_view name) override { base_.ReleaseLease(name); }
  bool SharedWithOtherProcesses() const override { return base_.SharedWithOtherProcesses(); }

 private:
  MetaStore& base_;
};

}  // namespace confiance::meta
