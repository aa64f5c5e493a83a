// File: catalog/object_commit_hook_store.h
// For tests: a MetaStore over an in-memory one that runs
// `before_object_commit` once, before the first commit to an object
// partition ("o/..."): a request that arrives, or a process that dies,
// while a multipart completion is between its mark and its object.
// `shared` is what SharedWithOtherProcesses answers (gateways sharing the
// metadata).
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"

namespace confiance::catalog {

class ObjectCommitHookStore : public meta::ForwardingMetaStore {
 public:
  ObjectCommitHookStore() : ForwardingMetaStore(memory) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    if (p.starts_with("o/") && before_object_commit) std::exchange(before_object_commit, nullptr)();
    return ForwardingMetaStore::Apply(p, b);
  }
  bool SharedWithOtherProcesses() const override { return shared; }

  meta::MemoryMetaStore memory;
  bool shared = false;
  std::function<void()> before_object_commit;
};

}  // namespace confiance::catalog
