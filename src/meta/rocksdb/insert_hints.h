// File: meta/rocksdb/insert_hints.h
// Memtable insert hints for append-mostly partitions (RocksDB's
// memtable_insert_with_hint_prefix_extractor): for every physical key of a
// partition whose name starts with one of the given prefixes, the hint
// prefix is the partition plus the first two bytes of its key, and RocksDB
// starts each insert where the last insert with that prefix went instead of
// searching the skip list from the top.
//
// Meant for keys that grow within their hint prefix, as a transparency log's
// entries ("e" index), node hashes ("h" level index) and size ("s") do: there
// the search cost more than the rest of the write (issue 7,
// docs/PERFORMANCE.md). Keys of other partitions are outside the domain and
// inserted as before; RocksDB keeps about 250 bytes per hint prefix until
// the memtable is flushed, so the partitions named must have few prefixes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/slice_transform.h>

namespace confiance::meta {

// Null if `partition_prefixes` is empty.
std::shared_ptr<const rocksdb::SliceTransform> NewInsertHintPrefixes(std::vector<std::string> partition_prefixes);

}  // namespace confiance::meta
