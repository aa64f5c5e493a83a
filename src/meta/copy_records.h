// File: meta/copy_records.h
// Every record of one MetaStore copied into another, whatever their kinds,
// and the two compared afterwards: what moves a data directory's metadata
// between RocksDB and a RADOS pool (main/metadata_move.h). Only through the
// MetaStore contract, so a copy is as good as the two stores' contracts.
#pragma once

#include <cstdint>
#include <functional>

#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::meta {

struct CopyStats {
  uint64_t partitions = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // keys and values
};

// Copies every partition of `from` into `to`, in key order, as synced
// batches of Puts of at most 1,000 records or 4 MiB (within what one RADOS
// op carries). Counter records are copied as the values they hold: a
// store's `Add` must not run on them before it is reopened (a RADOS store
// remembers the counter values it wrote).
// REQUIRES: nothing writes either store meanwhile (offline), and `to`
// holds none of `from`'s partitions (DropAllPartitions empties it).
// `progress` (may be empty) is called after each partition. `stop` (may be
// empty) is asked before each page: once it says so, the copy ends with
// Cancelled (what was copied stays).
Result<CopyStats> CopyAllRecords(MetaStore& from, MetaStore& to,
                                 const std::function<void(const CopyStats&)>& progress = {},
                                 const std::function<bool()>& stop = {});

// OK if `a` and `b` hold exactly the same partitions and records; DataLoss
// naming the first difference otherwise. Reads both whole.
Status ExpectSameRecords(MetaStore& a, MetaStore& b);

// Drops every partition of `store`; returns how many there were.
Result<uint64_t> DropAllPartitions(MetaStore& store);

}  // namespace confiance::meta
