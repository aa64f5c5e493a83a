// File: blob/blob_store_contract_test.cc
// The BlobStore contract (blob_store.h), one parameterised suite run over
// every implementation (blob_store_contract_test.h says where each is
// instantiated).
#include "blob/blob_store_contract_test.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "blob/blob_id.h"

namespace confiance::blob::contract {
namespace {

TEST_P(BlobStoreContractTest, CommitMakesBlobVisible) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store().NewBlob());
  // A pool router prefixes its pool ("pool:<id>", pools/pool_router.h).
  EXPECT_TRUE(IsValidBlobId(w->id().substr(w->id().rfind(':') + 1))) << w->id();
  const std::string data = Pattern(100000, 1);
  ASSERT_OK(w->Append(AsBytes(data.substr(0, 40000))));
  ASSERT_OK(w->Append(AsBytes(data.substr(40000))));
  EXPECT_EQ(w->size(), data.size());
  EXPECT_STATUS_CODE(store().Open(w->id()), kNotFound);  // not before Commit
  ASSERT_OK(w->Commit());
  ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(w->id()));
  EXPECT_EQ(got, data);
}

TEST_P(BlobStoreContractTest, EmptyBlob) {
  std::string id = Put("");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store().Open(id));
  EXPECT_EQ(r->size(), 0u);
  std::string buf(8, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 0u);
}

TEST_P(BlobStoreContractTest, WriterIsClosedAfterCommit) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store().NewBlob());
  ASSERT_OK(w->Append(AsBytes("abc")));
  ASSERT_OK(w->Commit());
  EXPECT_STATUS_CODE(w->Append(AsBytes("d")), kFailedPrecondition);
  EXPECT_STATUS_CODE(w->Commit(), kFailedPrecondition);
  w->Abort();  // no-op after Commit
  ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(w->id()));
  EXPECT_EQ(got, "abc");
}

TEST_P(BlobStoreContractTest, AbortLeavesNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store().NewBlob());
  ASSERT_OK(w->Append(AsBytes("doomed")));
  const std::string id = w->id();
  w->Abort();
  w->Abort();  // idempotent
  EXPECT_STATUS_CODE(w->Commit(), kFailedPrecondition);
  EXPECT_STATUS_CODE(store().Open(id), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> all, store().List("", 100));
  EXPECT_TRUE(all.empty());
}

TEST_P(BlobStoreContractTest, DestroyingWriterAborts) {
  std::string id;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobWriter> w, store().NewBlob());
    ASSERT_OK(w->Append(AsBytes("doomed")));
    id = w->id();
  }
  EXPECT_STATUS_CODE(store().Open(id), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> all, store().List("", 100));
  EXPECT_TRUE(all.empty());
}

TEST_P(BlobStoreContractTest, ReadRanges) {
  const std::string data = Pattern(200 * 1024 + 7, 2);
  const std::string id = Put(data);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store().Open(id));
  EXPECT_EQ(r->size(), data.size());
  struct Case {
    uint64_t offset;
    size_t len;
  };
  for (Case c : {Case{0, 1}, Case{1, 100}, Case{65535, 2}, Case{65536, 65536}, Case{100000, 50000},
                 Case{data.size() - 10, 10}}) {
    std::string buf(c.len, '\0');
    ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(c.offset, std::as_writable_bytes(std::span(buf))));
    EXPECT_EQ(n, c.len) << c.offset;
    EXPECT_EQ(buf, data.substr(c.offset, c.len)) << c.offset;
  }
  // Short read at the end, zero past it.
  std::string buf(100, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(data.size() - 30, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 30u);
  EXPECT_EQ(buf.substr(0, 30), data.substr(data.size() - 30));
  ASSERT_OK_AND_ASSIGN(n, r->ReadAt(data.size(), std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 0u);
  ASSERT_OK_AND_ASSIGN(n, r->ReadAt(data.size() + 1000, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(n, 0u);
}

TEST_P(BlobStoreContractTest, DeleteIsIdempotent) {
  const std::string id = Put("to delete");
  const std::string keep = Put("to keep");
  ASSERT_OK(store().Delete(id));
  EXPECT_STATUS_CODE(store().Open(id), kNotFound);
  ASSERT_OK(store().Delete(id));
  ASSERT_OK_AND_ASSIGN(std::string never, NewBlobId());
  ASSERT_OK(store().Delete(never));
  ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(keep));
  EXPECT_EQ(got, "to keep");
}

TEST_P(BlobStoreContractTest, ReaderOutlivesDelete) {
  const std::string id = Put("still readable");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> r, store().Open(id));
  ASSERT_OK(store().Delete(id));
  std::string buf(r->size(), '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->ReadAt(0, std::as_writable_bytes(std::span(buf))));
  EXPECT_EQ(buf.substr(0, n), "still readable");
}

TEST_P(BlobStoreContractTest, MalformedIdsAreRejected) {
  for (std::string bad : {"", "../etc/passwd", "ABCDEF0123456789ABCDEF0123456789", "0123456789abcdef0123456789abcde",
                          "tmp", "0123456789abcdef0123456789abcdeg"}) {
    EXPECT_STATUS_CODE(store().Open(bad), kInvalidArgument) << bad;
    EXPECT_STATUS_CODE(store().Delete(bad), kInvalidArgument) << bad;
  }
}

TEST_P(BlobStoreContractTest, ListIsOrderedAndPaginates) {
  std::map<std::string, uint64_t> expected;
  for (int i = 0; i < 40; ++i) {
    std::string data = Pattern(static_cast<size_t>(i * 10), i);
    expected[Put(data)] = data.size();
  }
  std::vector<BlobInfo> seen;
  std::string after;
  for (int pages = 0; pages < 100; ++pages) {
    ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> page, store().List(after, 7));
    ASSERT_LE(page.size(), 7u);
    if (page.empty()) break;
    for (BlobInfo& b : page) seen.push_back(b);
    after = page.back().id;
  }
  ASSERT_EQ(seen.size(), expected.size());
  auto it = expected.begin();
  for (size_t i = 0; i < seen.size(); ++i, ++it) {
    EXPECT_EQ(seen[i].id, it->first);
    EXPECT_EQ(seen[i].size, it->second);
    EXPECT_GT(seen[i].mtime_seconds, 0u);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> none, store().List("", 0));
  EXPECT_TRUE(none.empty());
  // Strictly after start_after.
  const std::string mid = std::next(expected.begin(), 20)->first;
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> from_mid, store().List(mid, 1000));
  EXPECT_EQ(from_mid.size(), 19u);
}

TEST_P(BlobStoreContractTest, ConcurrentWriters) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<std::pair<std::string, std::string>>> done(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string data = Pattern(static_cast<size_t>(1000 + i * 97), t * 1000 + i);
        auto w = store().NewBlob();
        if (!w.ok()) continue;
        bool ok = (*w)->Append(AsBytes(data)).ok() && (*w)->Commit().ok();
        if (ok) done[t].emplace_back((*w)->id(), std::move(data));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<std::string> ids;
  for (const auto& per_thread : done) {
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kPerThread));
    for (const auto& [id, data] : per_thread) {
      ids.insert(id);
      ASSERT_OK_AND_ASSIGN(std::string got, ReadAll(id));
      EXPECT_EQ(got, data);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  ASSERT_OK_AND_ASSIGN(std::vector<BlobInfo> all, store().List("", 1000));
  EXPECT_EQ(all.size(), ids.size());
}

}  // namespace
}  // namespace confiance::blob::contract
