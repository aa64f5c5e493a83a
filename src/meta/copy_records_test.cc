// File: meta/copy_records_test.cc
// CopyAllRecords, ExpectSameRecords and DropAllPartitions over the memory
// store: pages of partitions and of records, batches bounded in records and
// bytes, keys of any bytes, counters that still add after the copy, every
// kind of difference found, errors reported with their partition.
#include "meta/copy_records.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "meta/counters.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::meta {
namespace {

// Remembers the size of every batch applied through it.
class BatchRecordingStore final : public ForwardingMetaStore {
 public:
  BatchRecordingStore() : ForwardingMetaStore(memory) {}
  Status Apply(std::string_view partition, const Batch& batch) override {
    size_t bytes = 0;
    for (const Mutation& m : batch.mutations) bytes += m.key.size() + m.value.value_or("").size();
    batches.push_back({batch.mutations.size(), bytes});
    EXPECT_EQ(batch.durability, Durability::kSynced);
    EXPECT_TRUE(batch.conditions.empty());
    return ForwardingMetaStore::Apply(partition, batch);
  }
  MemoryMetaStore memory;
  std::vector<std::pair<size_t, size_t>> batches;  // records, bytes
};

void Put(MetaStore& store, const std::string& partition, const std::string& key, const std::string& value) {
  Batch b;
  b.op_tag = "put";
  b.Put(key, value);
  ASSERT_OK(store.Apply(partition, b));
}

std::vector<Record> ScanAll(MetaStore& store, const std::string& partition) {
  ScanOptions all;
  all.limit = 1 << 20;
  Result<std::vector<Record>> records = store.Scan(partition, all);
  EXPECT_OK(records.status());
  return records.ok() ? *records : std::vector<Record>{};
}

TEST(CopyRecordsTest, CopiesEveryPartitionAndRecordAcrossPages) {
  MemoryMetaStore from;
  // More partitions than one listing page, and a partition of more records
  // than one scan page.
  for (int i = 0; i < 1003; ++i) Put(from, "p" + std::to_string(i), "k", "v" + std::to_string(i));
  Batch big;
  big.op_tag = "big";
  for (int i = 0; i < 2500; ++i) big.Put("key " + std::to_string(100000 + i), "value " + std::to_string(i));
  ASSERT_OK(from.Apply("big", big));
  // Keys of any bytes, the empty key included; counters.
  Put(from, std::string("bin\0ary", 7), std::string("\0\x01\xff", 3), "binary");
  Put(from, std::string("bin\0ary", 7), "", "empty key");
  Batch add;
  add.op_tag = "add";
  add.Add("usage", {5, -2});
  ASSERT_OK(from.Apply("counters", add));

  BatchRecordingStore to;
  uint64_t reported = 0;
  ASSERT_OK_AND_ASSIGN(CopyStats stats, CopyAllRecords(from, to, [&](const CopyStats& s) {
                         EXPECT_GT(s.partitions, reported);
                         reported = s.partitions;
                       }));
  EXPECT_EQ(stats.partitions, 1003u + 3u);
  EXPECT_EQ(stats.records, 1003u + 2500u + 2u + 1u);
  EXPECT_EQ(reported, stats.partitions);
  ASSERT_OK(ExpectSameRecords(from, to));
  ASSERT_OK(ExpectSameRecords(to, from));
  EXPECT_EQ(ScanAll(to, "big").size(), 2500u);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> binary,
                       to.Get(std::string("bin\0ary", 7), std::string("\0\x01\xff", 3)));
  EXPECT_EQ(binary, "binary");
  // The copied counter adds on.
  ASSERT_OK(to.Apply("counters", add));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> usage, to.Get("counters", "usage"));
  ASSERT_TRUE(usage.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> values, DecodeCounters(*usage));
  EXPECT_EQ(values, (std::vector<int64_t>{10, -4}));
  // "big" went as three batches of at most 1,000 records.
  size_t largest = 0;
  for (const auto& [records, bytes] : to.batches) largest = std::max(largest, records);
  EXPECT_EQ(largest, 1000u);
}

TEST(CopyRecordsTest, BatchesStayUnderFourMebibytes) {
  MemoryMetaStore from;
  const std::string mib(1 << 20, 'x');
  Batch b;
  b.op_tag = "large";
  for (int i = 0; i < 10; ++i) b.Put("k" + std::to_string(i), mib);
  ASSERT_OK(from.Apply("large", b));
  BatchRecordingStore to;
  ASSERT_OK_AND_ASSIGN(CopyStats stats, CopyAllRecords(from, to));
  EXPECT_EQ(stats.records, 10u);
  EXPECT_GE(stats.bytes, 10u << 20);
  ASSERT_GE(to.batches.size(), 3u);
  for (const auto& [records, bytes] : to.batches) EXPECT_LE(bytes, size_t{4} << 20);
  ASSERT_OK(ExpectSameRecords(from, to));
}

TEST(CopyRecordsTest, AFailedBatchStopsTheCopyAndNamesItsPartition) {
  MemoryMetaStore from, to;
  Put(from, "first", "k", "v");
  Put(from, "second", "k", "v");
  to.FailNextApply(UnavailableError("cluster away"));
  Result<CopyStats> copied = CopyAllRecords(from, to);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(copied.status().message().find("partition first"), std::string::npos) << copied.status().ToString();
  EXPECT_NE(copied.status().message().find("cluster away"), std::string::npos);
}

TEST(CopyRecordsTest, AStoppedCopyEndsCancelled) {
  MemoryMetaStore from, to;
  for (int i = 0; i < 10; ++i) Put(from, "p" + std::to_string(i), "k", "v");
  int asked = 0;
  Result<CopyStats> copied = CopyAllRecords(from, to, {}, [&] { return ++asked > 3; });
  EXPECT_EQ(copied.status().code(), StatusCode::kCancelled) << copied.status().ToString();
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> there, to.ListPartitions("", "", 100));
  EXPECT_EQ(there.size(), 3u);  // the pages before the stop
}

TEST(CopyRecordsTest, EveryKindOfDifferenceIsFound) {
  MemoryMetaStore a, b;
  for (MetaStore* s : {static_cast<MetaStore*>(&a), static_cast<MetaStore*>(&b)}) {
    Put(*s, "one", "k1", "v1");
    Put(*s, "one", "k2", "v2");
    Put(*s, "two", "k", "v");
  }
  ASSERT_OK(ExpectSameRecords(a, b));
  auto expect_loss = [&](const std::string& says) {
    Status s = ExpectSameRecords(a, b);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
    EXPECT_NE(s.message().find(says), std::string::npos) << s.ToString();
    s = ExpectSameRecords(b, a);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  };
  Put(b, "one", "k2", "changed");
  expect_loss("record of partition 'one' differ");
  Put(b, "one", "k2", "v2");
  Put(b, "one", "k3", "extra");
  expect_loss("partition 'one' hold different keys");
  Batch drop;
  drop.op_tag = "drop";
  drop.Delete("k3");
  ASSERT_OK(b.Apply("one", drop));
  ASSERT_OK(ExpectSameRecords(a, b));
  Put(b, "three", "k", "v");
  expect_loss("partition 'three'");
  ASSERT_OK(b.DropPartition("three"));
  ASSERT_OK(b.DropPartition("two"));
  expect_loss("partition 'two'");
}

TEST(CopyRecordsTest, DropAllPartitionsEmptiesTheStore) {
  MemoryMetaStore store;
  for (int i = 0; i < 1002; ++i) Put(store, "p" + std::to_string(i), "k", "v");
  ASSERT_OK_AND_ASSIGN(uint64_t dropped, DropAllPartitions(store));
  EXPECT_EQ(dropped, 1002u);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> left, store.ListPartitions("", "", 10));
  EXPECT_TRUE(left.empty());
  ASSERT_OK_AND_ASSIGN(dropped, DropAllPartitions(store));
  EXPECT_EQ(dropped, 0u);
}

}  // namespace
}  // namespace confiance::meta
