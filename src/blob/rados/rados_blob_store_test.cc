// File: blob/rados/rados_blob_store_test.cc
// RadosBlobStore against a real Ceph cluster (one monitor, one BlueStore
// OSD, cephx), started by tests/ceph/run_with_ceph.py, which passes it in
// CONFIANCE_CEPH_{CONF,USER,KEYRING,POOL}. Each store gets a namespace of
// its own, so every test starts from an empty store. The BlobStore contract
// suite runs over it, then what only RADOS has: stripes, the gc delay,
// recovery of an earlier run's unfinished writes, the one-server lease.
#include "blob/rados/rados_blob_store.h"

#include <gtest/gtest.h>
#include <sys/time.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "blob/blob_id.h"
#include "blob/blob_store_contract_test.h"
#include "blob/rados/rados_lease.h"
#include "blob/rados/rados_test_connection.h"
#include "common/wall_clock.h"

namespace confiance::blob {
namespace {

using contract::AsBytes;
using contract::Pattern;

// The cluster from the environment, on a fresh namespace; nullopt (and the
// test skipped) when run without run_with_ceph.py.
std::optional<RadosOptions> TestOptions() {
  Result<std::string> ns = NewBlobId();
  Result<RadosConnection> connection = TestConnection("test-" + (ns.ok() ? *ns : std::string("x")));
  if (!connection.ok()) return std::nullopt;
  RadosOptions o;
  o.connection = std::move(connection).value();
  o.lease_seconds = 3;
  return o;
}

struct RadosHarness : contract::Harness {
  RadosHarness() {
    std::optional<RadosOptions> o = TestOptions();
    if (!o) return;
    auto s = RadosBlobStore::Open(*o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) store_ = std::move(s).value();
  }
  BlobStore& store() override { return *store_; }
  std::unique_ptr<RadosBlobStore> store_;
};

}  // namespace
}  // namespace confiance::blob

namespace confiance::blob::contract {
namespace {

INSTANTIATE_TEST_SUITE_P(Rados, BlobStoreContractTest,
                         ::testing::Values(contract::Impl{"Rados",
                                                          [] {
                                                            if (!TestOptions()) {
                                                              ADD_FAILURE()
                                                                  << "run through tests/ceph/run_with_ceph.py";
                                                            }
                                                            return std::unique_ptr<contract::Harness>(new RadosHarness);
                                                          }}),
                         [](const ::testing::TestParamInfo<contract::Impl>& info) { return info.param.name; });

}  // namespace
}  // namespace confiance::blob::contract

namespace confiance::blob {
namespace {

class RadosBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<RadosOptions> o = TestOptions();
    ASSERT_TRUE(o) << "run through tests/ceph/run_with_ceph.py";
    options_ = *o;
    ASSERT_OK_AND_ASSIGN(io_, RadosIo::Connect(options_.connection));
  }

  std::string Put(RadosBlobStore& store, const std::string& data, size_t piece = 100000) {
    auto w = store.NewBlob();
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return "";
    for (size_t at = 0; at < data.size(); at += piece) EXPECT_OK((*w)->Append(AsBytes(data.substr(at, piece))));
    EXPECT_OK((*w)->Commit());
    return (*w)->id();
  }

  bool ObjectExists(const std::string& oid) { return io_->Stat(oid).ok(); }

  RadosOptions options_;
  std::unique_ptr<RadosIo> io_;  // the same namespace, to look behind the store
};

TEST_F(RadosBlobStoreTest, BlobsAreStripedAndReadAcrossStripes) {
  options_.stripe_size = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  const std::string data = Pattern((5 << 20) + 12345, 7);
  const std::string id = Put(*store, data, 77777);
  EXPECT_EQ(store->stats().bytes_written.value(), data.size());
  EXPECT_EQ(store->stats().bytes_read.value(), 0u);
  EXPECT_TRUE(store->HoldsLease());
  EXPECT_GT(store->ClusterBytes().second, 0u);  // refreshed at Open
  EXPECT_LE(store->ClusterBytes().first, store->ClusterBytes().second);
  for (int n = 0; n < 6; ++n) EXPECT_TRUE(ObjectExists(id + "." + std::to_string(n))) << n;
  EXPECT_FALSE(ObjectExists(id + ".6"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store->Open(id));
  ASSERT_EQ(r->size(), data.size());
  for (uint64_t offset : {uint64_t{0}, uint64_t{(1 << 20) - 10}, uint64_t{3 << 20}, uint64_t{data.size() - 5000}}) {
    std::string buf(std::min<size_t>(3 << 20, data.size() - offset), '\0');
    ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(offset, std::as_writable_bytes(std::span(buf))));
    ASSERT_EQ(n, buf.size()) << offset;
    EXPECT_EQ(buf, data.substr(offset, n)) << offset;
  }
  // The reads cover every byte; overlaps may come from the reader's window.
  EXPECT_GE(store->stats().bytes_read.value(), data.size());
  EXPECT_EQ(store->stats().timeouts.value() + store->stats().other_errors.value(), 0u);
}

// What a GET does (the decryptor's packages, one after the other), mixed
// with jumps (range GETs) and concurrent readers of one reader.
TEST_F(RadosBlobStoreTest, SequentialSmallReadsAreServedAheadAndJumpsStayExact) {
  options_.stripe_size = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  const std::string data = Pattern((3 << 20) + 333333, 11);
  const std::string id = Put(*store, data);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store->Open(id));
  auto read = [&](uint64_t offset, size_t len) {
    std::string buf(len, '\0');
    Result<size_t> n = r->ReadAt(offset, std::as_writable_bytes(std::span(buf)));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    buf.resize(n.ok() ? *n : 0);
    return buf;
  };
  std::string all;
  for (uint64_t at = 0; at < data.size(); at += 65552) all += read(at, 65552);
  EXPECT_EQ(all, data);
  EXPECT_EQ(read(1234567, 10), data.substr(1234567, 10));
  EXPECT_EQ(read(5, 70000), data.substr(5, 70000));
  EXPECT_EQ(read(70005, (1 << 20) + 17), data.substr(70005, (1 << 20) + 17));  // sequential again
  EXPECT_EQ(read(data.size() - 3, 100), data.substr(data.size() - 3));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t at = t * 100000; at + 65536 < data.size(); at += 4 * 65536 + 1) {
        std::string buf(65536, '\0');
        Result<size_t> n = r->ReadAt(at, std::as_writable_bytes(std::span(buf)));
        if (!n.ok() || buf != data.substr(at, 65536)) ++mismatches;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(RadosBlobStoreTest, DeletedStripesStayUntilTheGcDelayThenGo) {
  options_.stripe_size = 1 << 20;
  options_.gc_delay_seconds = 600;
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  const std::string data = Pattern((2 << 20) + 1, 3);
  const std::string id = Put(*store, data);
  const std::string keep = Put(*store, "kept");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store->Open(id));
  ASSERT_OK(store->Delete(id));
  EXPECT_STATUS_CODE(store->Open(id), kNotFound);
  const uint64_t now = UnixMillisNow() / 1000;
  ASSERT_OK_AND_ASSIGN(size_t early, store->CollectGarbage(now));
  EXPECT_EQ(early, 0u);
  std::string buf(data.size(), '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, data.size());
  EXPECT_EQ(buf, data);
  // Past the delay (and the minute the deletion fell in): collected.
  EXPECT_EQ(store->stats().gc_collected.value(), 0u);
  ASSERT_OK_AND_ASSIGN(size_t collected, store->CollectGarbage(now + 600 + 120));
  EXPECT_EQ(collected, 1u);
  EXPECT_EQ(store->stats().gc_collected.value(), 1u);
  for (int s = 0; s < 3; ++s) EXPECT_FALSE(ObjectExists(id + "." + std::to_string(s))) << s;
  EXPECT_STATUS_CODE(r->ReadAt(0, std::as_writable_bytes(std::span(buf))), kDataLoss);
  bool more = false;
  ASSERT_OK_AND_ASSIGN(RadosIo::KeyValues buckets, io_->OmapList("confiance.gc", "", 10, &more));
  EXPECT_TRUE(buckets.empty());
  ASSERT_OK_AND_ASSIGN(collected, store->CollectGarbage(now + 600 + 120));
  EXPECT_EQ(collected, 0u);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> k, store->Open(keep));
  EXPECT_EQ(k->size(), 4u);
}

// An earlier run that stopped mid-write left its intents: the layout of
// rados_blob_store.h, written by hand here as a crash would leave it.
TEST_F(RadosBlobStoreTest, OpenRemovesWhatAnEarlierRunLeftUnfinished) {
  options_.stripe_size = 1 << 20;
  std::string committed;
  {
    ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
    committed = Put(*store, Pattern(3 << 20, 1));
  }
  ASSERT_OK_AND_ASSIGN(std::string dead_boot, NewBlobId());
  ASSERT_OK_AND_ASSIGN(std::string unfinished, NewBlobId());
  const std::string intents = "confiance.intents." + dead_boot;
  ASSERT_OK(io_->OmapUpdate("confiance.boots", {{dead_boot, "1"}}, {}));
  // The committed blob's intent was never dropped (a crash after Commit).
  ASSERT_OK(io_->OmapUpdate(intents, {{unfinished, "1"}, {committed, "1"}}, {}));
  // Stripes 0, 1 and 3 landed, 2 not yet (writes complete out of order).
  const std::string chunk(1 << 20, 'x');
  for (int n : {0, 1, 3}) {
    rados_write_full(io_->ioctx(), (unfinished + "." + std::to_string(n)).c_str(), chunk.data(), chunk.size());
  }
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  for (int n : {0, 1, 3}) EXPECT_FALSE(ObjectExists(unfinished + "." + std::to_string(n))) << n;
  EXPECT_FALSE(ObjectExists(intents));
  ASSERT_OK_AND_ASSIGN(auto boots, io_->OmapGet("confiance.boots", {dead_boot}));
  EXPECT_TRUE(boots.empty());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store->Open(committed));
  EXPECT_EQ(r->size(), uint64_t{3} << 20);
  for (int n = 0; n < 3; ++n) EXPECT_TRUE(ObjectExists(committed + "." + std::to_string(n))) << n;
}

// A writer that outlives its boot's recovery (its server stalled past the
// lease while another recovered the namespace) cannot commit: the
// recovery's tombstone refuses it, so no blob becomes visible without its
// stripes. The tombstone's gc removes the stripes written after it.
TEST_F(RadosBlobStoreTest, AWriterThatOutlivesItsRecoveryCannotCommit) {
  options_.stripe_size = 1 << 20;
  options_.gc_delay_seconds = 600;
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  const std::string committed = Put(*store, Pattern(1 << 20, 2));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> late, store->NewBlob());
  const std::string id = late->id();
  ASSERT_OK(late->Append(AsBytes(Pattern((1 << 20) + 10, 4))));  // stripe 0 sent, 10 bytes buffered
  size_t kept = 0, removed = 0;
  ASSERT_OK(store->RecoverBoot(store->boot(), kept, removed));
  EXPECT_EQ(removed, 1u);
  EXPECT_FALSE(ObjectExists(id + ".0"));
  // The writer goes on: its last stripe lands, and its commit is refused.
  Status commit = late->Commit();
  EXPECT_STATUS_CODE(commit, kUnavailable);
  EXPECT_NE(commit.message().find("a recovery took its write for abandoned"), std::string::npos) << commit.message();
  EXPECT_STATUS_CODE(store->Open(id), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> listed, store->List("", 100));
  for (const BlobInfo& b : listed) EXPECT_NE(b.id, id);
  ASSERT_OK(store->Delete(id));  // nothing there to delete
  // A recovery that stopped after its tombstone is done again safely, and
  // a committed blob's intent stays the blob's.
  ASSERT_OK(io_->OmapUpdate("confiance.intents.again", {{id, "1"}, {committed, "1"}}, {}));
  kept = removed = 0;
  ASSERT_OK(store->RecoverBoot("again", kept, removed));
  EXPECT_EQ(kept, 1u);
  EXPECT_EQ(removed, 1u);
  // A stripe the stalled writer sent after the recovery goes with the
  // tombstone, a gc delay later.
  const std::string chunk(1 << 20, 'z');
  rados_write_full(io_->ioctx(), (id + ".1").c_str(), chunk.data(), chunk.size());
  const uint64_t now = UnixMillisNow() / 1000;
  ASSERT_OK_AND_ASSIGN(size_t collected, store->CollectGarbage(now + 600 + 120));
  EXPECT_GE(collected, 1u);
  EXPECT_FALSE(ObjectExists(id + ".1"));
  ASSERT_OK_AND_ASSIGN(auto entry, io_->OmapGet("confiance.index." + id.substr(0, 2), {id}));
  EXPECT_TRUE(entry.empty());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store->Open(committed));
  EXPECT_EQ(r->size(), uint64_t{1} << 20);
}

// Several instances sharing a namespace (gateways over one metadata
// store): each one's recovery leaves the others' writes under way alone,
// each reads what the others committed, and an unshared instance is
// refused beside them.
TEST_F(RadosBlobStoreTest, SharedInstancesLeaveEachOthersLiveWritesAlone) {
  options_.stripe_size = 1 << 20;
  options_.lease_seconds = 3;
  options_.shared = true;
  ASSERT_OK_AND_ASSIGN(auto a, RadosBlobStore::Open(options_));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, a->NewBlob());
  const std::string data = Pattern((2 << 20) + 5, 6);
  ASSERT_OK(w->Append(AsBytes(data)));
  ASSERT_OK_AND_ASSIGN(auto b, RadosBlobStore::Open(options_));  // its recovery runs
  ASSERT_OK(w->Commit());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, b->Open(w->id()));
  std::string buf(data.size(), '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, data.size());
  EXPECT_EQ(buf, data);
  const std::string from_b = Put(*b, "written through b");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> rb, a->Open(from_b));
  EXPECT_EQ(rb->size(), 17u);
  // An unshared instance would take every boot's writes for a dead one's.
  RadosOptions alone = options_;
  alone.shared = false;
  Result<std::unique_ptr<RadosBlobStore>> refused = RadosBlobStore::Open(alone);
  EXPECT_STATUS_CODE(refused, kFailedPrecondition);
  EXPECT_TRUE(a->HoldsLease());
  EXPECT_TRUE(b->HoldsLease());
}

// A boot that died (its lock lapsed, or never renewed) is recovered by the
// others, and its lock is then a recovery's for good: the same boot could
// never renew it (a stalled one stops writing instead).
TEST_F(RadosBlobStoreTest, ADeadSharedBootIsRecoveredAndAStalledOneStopsWriting) {
  options_.stripe_size = 1 << 20;
  options_.lease_seconds = 3;
  options_.shared = true;
  ASSERT_OK_AND_ASSIGN(std::string dead_boot, NewBlobId());
  ASSERT_OK_AND_ASSIGN(std::string unfinished, NewBlobId());
  ASSERT_OK(io_->OmapUpdate("confiance.boots", {{dead_boot, "1"}}, {}));
  ASSERT_OK(io_->OmapUpdate("confiance.intents." + dead_boot, {{unfinished, "1"}}, {}));
  const std::string chunk(1 << 20, 'x');
  rados_write_full(io_->ioctx(), (unfinished + ".0").c_str(), chunk.data(), chunk.size());
  ASSERT_OK_AND_ASSIGN(auto live, RadosBlobStore::Open(options_));
  EXPECT_FALSE(ObjectExists(unfinished + ".0"));
  ASSERT_OK_AND_ASSIGN(auto boots, io_->OmapGet("confiance.boots", {dead_boot, live->boot()}));
  EXPECT_EQ(boots.count(dead_boot), 0u);
  EXPECT_EQ(boots.count(live->boot()), 1u);
  timeval tv{30, 0};
  EXPECT_EQ(rados_lock_exclusive(io_->ioctx(), ("confiance.boot." + dead_boot).c_str(), "confiance", dead_boot.c_str(),
                                 "", &tv, LIBRADOS_LOCK_FLAG_MAY_RENEW),
            -EBUSY);
  EXPECT_OK(RadosLease::TakeForGood(*io_, "confiance.boot." + dead_boot));  // (a recovery's, through another client)
  // A live boot's lock is its own.
  const std::string live_lock = "confiance.boot." + live->boot();
  EXPECT_STATUS_CODE(RadosLease::TakeForGood(*io_, live_lock), kFailedPrecondition);
  // Stalled past its lease: its lock lapsed and a recovery took it (the
  // lapse made here by breaking it). The store stops writing.
  char clients[1024] = {0}, cookies[1024] = {0}, addrs[1024] = {0}, tag[64] = {0};
  size_t clients_len = sizeof(clients), cookies_len = sizeof(cookies), addrs_len = sizeof(addrs), tag_len = sizeof(tag);
  int exclusive = 0;
  ASSERT_EQ(rados_list_lockers(io_->ioctx(), live_lock.c_str(), "confiance", &exclusive, tag, &tag_len, clients,
                               &clients_len, cookies, &cookies_len, addrs, &addrs_len),
            1);
  ASSERT_EQ(rados_break_lock(io_->ioctx(), live_lock.c_str(), "confiance", clients, cookies), 0);
  ASSERT_OK(RadosLease::TakeForGood(*io_, live_lock));
  for (int i = 0; i < 100 && !live->LeaseTakenByAnother(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(live->LeaseTakenByAnother());
  EXPECT_STATUS_CODE(live->NewBlob(), kUnavailable);
}

TEST_F(RadosBlobStoreTest, AbortRemovesStripesAndIntent) {
  options_.stripe_size = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  std::string id;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store->NewBlob());
    id = w->id();
    ASSERT_OK(w->Append(AsBytes(Pattern((2 << 20) + 5, 9))));
    ASSERT_OK_AND_ASSIGN(auto intent, io_->OmapGet("confiance.intents." + store->boot(), {id}));
    EXPECT_EQ(intent.size(), 1u);
  }
  for (int n = 0; n < 3; ++n) EXPECT_FALSE(ObjectExists(id + "." + std::to_string(n))) << n;
  ASSERT_OK_AND_ASSIGN(auto intent, io_->OmapGet("confiance.intents." + store->boot(), {id}));
  EXPECT_TRUE(intent.empty());
  // A committed blob's intent goes too, without Commit waiting for it.
  const std::string kept = Put(*store, "kept");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    ASSERT_OK_AND_ASSIGN(intent, io_->OmapGet("confiance.intents." + store->boot(), {kept}));
    if (intent.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(intent.empty());
}

TEST_F(RadosBlobStoreTest, ASecondServerOnTheNamespaceIsRefused) {
  ASSERT_OK_AND_ASSIGN(auto first, RadosBlobStore::Open(options_));
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<RadosBlobStore>> second = RadosBlobStore::Open(options_);
  EXPECT_STATUS_CODE(second, kFailedPrecondition);
  if (!second.ok()) {
    EXPECT_NE(second.status().message().find("in use by another"), std::string::npos);
  }
  // It waited out one lease (the holder renews it meanwhile).
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(options_.lease_seconds));
  // Still the first one's, and usable.
  EXPECT_FALSE(Put(*first, "mine").empty());
  first.reset();  // releases the lease
  ASSERT_OK_AND_ASSIGN(auto third, RadosBlobStore::Open(options_));
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> all, third->List("", 10));
  EXPECT_EQ(all.size(), 1u);
}

// Another instance holding the lease (here: the lock object removed, then
// locked under another cookie, as after an expiry) stops this one's writes.
TEST_F(RadosBlobStoreTest, AStoreWhoseLeaseWasTakenRefusesWrites) {
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  const std::string before = Put(*store, "before");
  ASSERT_OK(io_->Remove("confiance.owner"));
  timeval tv{60, 0};
  ASSERT_EQ(rados_lock_exclusive(io_->ioctx(), "confiance.owner", "confiance", "intruder", "test", &tv, 0), 0);
  Status refused;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    refused = store->NewBlob().status();
    if (!refused.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_NE(refused.message().find("another server"), std::string::npos) << refused.ToString();
  EXPECT_FALSE(store->HoldsLease());
  EXPECT_TRUE(store->LeaseTakenByAnother());
  EXPECT_STATUS_CODE(store->Delete(before), kUnavailable);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store->Open(before));  // reads still work
  EXPECT_EQ(r->size(), 6u);
  rados_unlock(io_->ioctx(), "confiance.owner", "confiance", "intruder");
}

TEST_F(RadosBlobStoreTest, ANearlyFullClusterRefusesNewData) {
  options_.full_ratio = 1e-9;
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  Status s = store->CheckSpace(4096);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("full"), std::string::npos);
  // A writer checks as it goes: its first 1 MiB write is refused.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store->NewBlob());
  EXPECT_STATUS_CODE(w->Append(AsBytes(Pattern(2 << 20, 1))), kResourceExhausted);
  EXPECT_EQ(store->stats().refused_full.value(), 2u);
  EXPECT_EQ(store->stats().full.value(), 0u);  // refused by Confiance, not by the OSDs
  options_.full_ratio = 0.9;
  options_.connection.name_space += "-b";
  ASSERT_OK_AND_ASSIGN(auto roomy, RadosBlobStore::Open(options_));
  EXPECT_OK(roomy->CheckSpace(4096));
}

// What the operator's metrics count (blob/rados/rados_stats.h): a call the
// key's cephx caps refuse is PermissionDenied and counted as denied; a
// missing object is an answer, not an error.
TEST_F(RadosBlobStoreTest, RefusedCallsAreCountedByKind) {
  const char* forbidden = std::getenv("CONFIANCE_CEPH_FORBIDDEN_POOL");
  ASSERT_NE(forbidden, nullptr) << "run through tests/ceph/run_with_ceph.py";
  RadosConnection c = options_.connection;
  c.pool = forbidden;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RadosIo> io, RadosIo::Connect(c));
  Status refused = io->Stat("confiance-probe").status();
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied) << refused.ToString();
  EXPECT_EQ(io->stats().denied.value(), 1u);
  EXPECT_STATUS_CODE(io_->Stat("no-such-object"), kNotFound);
  EXPECT_EQ(io_->stats().denied.value() + io_->stats().other_errors.value() + io_->stats().timeouts.value() +
                io_->stats().full.value(),
            0u);
}

// Every call to the cluster is timed by kind (the operator's
// confiance_rados_op_duration_seconds); asynchronous ones at librados'
// completion callback, which has run once the writer or reader waited for
// the call.
TEST_F(RadosBlobStoreTest, CallsAreTimedByKind) {
  options_.stripe_size = 1 << 20;
  options_.gc_delay_seconds = 60;
  ASSERT_OK_AND_ASSIGN(auto store, RadosBlobStore::Open(options_));
  const RadosStats& stats = store->stats();
  auto count = [&](RadosOp op) { return stats.duration(op).count(); };
  const uint64_t omap_writes_at_open = count(RadosOp::kOmapWrite);  // the boot record, at least
  EXPECT_GE(omap_writes_at_open, 1u);
  EXPECT_EQ(count(RadosOp::kWrite), 0u);

  // Three stripes, one write unit each (kWriteUnit = the stripe size here);
  // an intent, then the index entry at the commit.
  const std::string data = Pattern((2 << 20) + 7, 5);
  const std::string id = Put(*store, data);
  EXPECT_EQ(count(RadosOp::kWrite), 3u);
  EXPECT_GE(count(RadosOp::kOmapWrite), omap_writes_at_open + 2);

  const uint64_t omap_reads = count(RadosOp::kOmapRead);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store->Open(id));
  EXPECT_GT(count(RadosOp::kOmapRead), omap_reads);  // the index lookup
  std::string buf(data.size(), '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(buf))));
  ASSERT_EQ(n, data.size());
  r.reset();                             // (waits for its read-ahead, if any)
  EXPECT_GE(count(RadosOp::kRead), 3u);  // one per stripe at least

  ASSERT_OK(store->Delete(id));
  ASSERT_OK_AND_ASSIGN(size_t collected, store->CollectGarbage(UnixMillisNow() / 1000 + 60 + 120));
  EXPECT_EQ(collected, 1u);
  EXPECT_GE(count(RadosOp::kRemove), 3u);  // its stripes

  EXPECT_EQ(io_->stats().duration(RadosOp::kStat).count(), 0u);
  EXPECT_STATUS_CODE(io_->Stat("no-such-object"), kNotFound);
  EXPECT_EQ(io_->stats().duration(RadosOp::kStat).count(), 1u);  // answered calls count, errors too

  // A network round trip each: no call observed as taking no time.
  for (size_t op = 0; op < kRadosOpCount; ++op) {
    const metrics::Histogram& h = stats.op_duration[op];
    if (h.count() > 0) {
      EXPECT_GT(h.sum_seconds(), 0.0) << kRadosOpNames[op];
    }
  }
}

TEST_F(RadosBlobStoreTest, BadConnectionsAreClearErrors) {
  RadosConnection c = options_.connection;
  c.pool = "no-such-pool";
  Result<std::unique_ptr<RadosIo>> missing = RadosIo::Connect(c);
  EXPECT_STATUS_CODE(missing, kNotFound);
  RadosOptions bad_stripe = options_;
  bad_stripe.stripe_size = (1 << 20) + 1;
  EXPECT_STATUS_CODE(RadosBlobStore::Open(bad_stripe), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::blob
