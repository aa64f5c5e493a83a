// File: s3/segment_pipeline_test.cc
// SegmentPipeline driven as StoreBody drives it, from a coroutine on an
// io_context: inline and pooled bodies read back byte for byte with the
// right MD5, a window's write error surfaces and leaves nothing in flight,
// and Close with a window in flight leaves no blob behind.
#include "s3/segment_pipeline.h"

#include <gtest/gtest.h>

#include <cstring>
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "blob/memory/memory_blob_store.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "s3/recording_response_writer.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

using testutil::SeededBytes;

namespace asio = boost::asio;
using testing::RunCoroutine;  // a coroutine on a fresh io_context, run to its end

constexpr size_t kWindow = 256 * 1024;  // what the pool hashes beside
constexpr size_t kInlineLimit = 64 * 1024 + 64;

// A blob store whose writers fail their Nth Append.
class FailingBlobStore final : public blob::BlobStore {
 public:
  explicit FailingBlobStore(int fail_at) : fail_at_(fail_at) {}
  Result<std::unique_ptr<blob::BlobWriter>> NewBlob() override {
    ASSIGN_OR_RETURN(std::unique_ptr<blob::BlobWriter> w, inner_.NewBlob());
    return std::unique_ptr<blob::BlobWriter>(new Writer(std::move(w), fail_at_));
  }
  Result<std::unique_ptr<blob::BlobReader>> Open(const std::string& id) override { return inner_.Open(id); }
  Status Delete(const std::string& id) override { return inner_.Delete(id); }
  Result<std::vector<blob::BlobInfo>> List(const std::string& start_after, size_t limit) override {
    return inner_.List(start_after, limit);
  }

 private:
  class Writer final : public blob::BlobWriter {
   public:
    Writer(std::unique_ptr<blob::BlobWriter> inner, int fail_at) : inner_(std::move(inner)), left_(fail_at) {}
    const std::string& id() const override { return inner_->id(); }
    uint64_t size() const override { return inner_->size(); }
    Status Append(std::span<const std::byte> data) override {
      if (--left_ == 0) return UnavailableError("injected write error");
      return inner_->Append(data);
    }
    Status Commit() override { return inner_->Commit(); }
    void Abort() override { inner_->Abort(); }

   private:
    std::unique_ptr<blob::BlobWriter> inner_;
    int left_;
  };
  blob::MemoryBlobStore inner_;
  int fail_at_;
};

class SegmentPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = crypto::RandomBytes(32);
    ASSERT_TRUE(k.ok());
    key_ = std::make_shared<const crypto::SecretBytes>(std::move(k).value());
  }

  std::unique_ptr<catalog::SegmentWriter> NewWriter(blob::BlobStore& blobs) {
    auto w = catalog::SegmentWriter::Create(blobs, *key_, "bid", kInlineLimit);
    EXPECT_TRUE(w.ok());
    return std::move(w).value();
  }

  std::string ReadBack(blob::BlobStore& blobs, const catalog::Segment& seg) {
    catalog::ObjectRecord rec;
    rec.size = seg.plain_size;
    rec.segments = {seg};
    catalog::ObjectReader reader(blobs, rec, key_, "bid");
    std::string out(seg.plain_size, '\0');
    EXPECT_OK(reader.Read(0, std::as_writable_bytes(std::span(out.data(), out.size()))));
    return out;
  }

  BlockingPool pool_{4};
  BufferPool buffers_{kWindow, 4};
  std::shared_ptr<const crypto::SecretBytes> key_;
};

TEST_F(SegmentPipelineTest, BodiesOfEverySizeReadBackWithTheirMd5) {
  for (size_t size : {size_t{0}, size_t{1000}, kInlineLimit - 100, kInlineLimit + 1, kWindow, 5 * kWindow + 17}) {
    SCOPED_TRACE(size);
    blob::MemoryBlobStore blobs;
    const std::string data = SeededBytes(size, static_cast<uint32_t>(size));
    RunCoroutine([&]() -> asio::awaitable<void> {
      SegmentPipeline pipe(pool_, buffers_, NewWriter(blobs), kInlineLimit);
      // Uneven fills, as socket reads give them.
      size_t at = 0;
      while (at < data.size()) {
        std::span<std::byte> buf = pipe.buffer();
        size_t n = std::min({buf.size(), data.size() - at, at % 3 == 0 ? buf.size() : buf.size() / 2 + 1});
        std::memcpy(buf.data(), data.data() + at, n);
        at += n;
        Status st = co_await pipe.Submit(n);
        EXPECT_OK(st);
      }
      Result<catalog::Segment> seg = co_await pipe.Finish();
      EXPECT_TRUE(seg.ok()) << seg.status().ToString();
      if (!seg.ok()) co_return;
      EXPECT_EQ(seg->blob_id.empty(), size + 64 <= kInlineLimit);
      EXPECT_EQ(pipe.writer().md5_hex(), crypto::DigestHex(crypto::Md5Digest(data)));
      EXPECT_EQ(ReadBack(blobs, *seg), data);
    });
  }
}

// Whether `blobs` holds no committed blob.
bool NoBlob(blob::BlobStore& blobs) {
  Result<std::vector<blob::BlobInfo>> left = blobs.List("", 100);
  return left.ok() && left->empty();
}

// Submits `data` in whole windows; the last may still be in flight after.
asio::awaitable<void> SubmitWindows(SegmentPipeline& pipe, const std::string& data) {
  for (size_t at = 0; at < data.size(); at += kWindow) {
    std::memcpy(pipe.buffer().data(), data.data() + at, kWindow);
    EXPECT_OK(co_await pipe.Submit(kWindow));
  }
}

TEST_F(SegmentPipelineTest, AWindowsWriteErrorSurfacesAndNothingRemains) {
  FailingBlobStore blobs(/*fail_at=*/3);
  const std::string data = SeededBytes(8 * kWindow, 7);
  RunCoroutine([&]() -> asio::awaitable<void> {
    SegmentPipeline pipe(pool_, buffers_, NewWriter(blobs), kInlineLimit);
    Status first_error;
    for (size_t at = 0; at < data.size() && first_error.ok(); at += kWindow) {
      std::memcpy(pipe.buffer().data(), data.data() + at, kWindow);
      first_error = co_await pipe.Submit(kWindow);
    }
    if (first_error.ok()) {
      Result<catalog::Segment> seg = co_await pipe.Finish();
      first_error = seg.status();
    }
    EXPECT_EQ(first_error.code(), StatusCode::kUnavailable) << first_error.ToString();
    // Later calls keep failing; none writes.
    EXPECT_EQ((co_await pipe.Submit(1)).code(), StatusCode::kUnavailable);
    co_await pipe.Close();
  });
  EXPECT_TRUE(NoBlob(blobs));
}

TEST_F(SegmentPipelineTest, CloseWithAWindowInFlightLeavesNoBlob) {
  blob::MemoryBlobStore blobs;
  const std::string data = SeededBytes(3 * kWindow, 9);
  RunCoroutine([&]() -> asio::awaitable<void> {
    SegmentPipeline pipe(pool_, buffers_, NewWriter(blobs), kInlineLimit);
    co_await SubmitWindows(pipe, data);
    co_await pipe.Close();
  });
  EXPECT_TRUE(NoBlob(blobs));
}

TEST_F(SegmentPipelineTest, DroppedWithAWindowInFlightTheWindowStillFinishesSafely) {
  blob::MemoryBlobStore blobs;
  const std::string data = SeededBytes(2 * kWindow, 11);
  RunCoroutine([&]() -> asio::awaitable<void> {
    auto pipe = std::make_unique<SegmentPipeline>(pool_, buffers_, NewWriter(blobs), kInlineLimit);
    co_await SubmitWindows(*pipe, data);
    pipe.reset();  // the pool thread finishing the window releases the writer
  });
  pool_.pool().join();  // every posted window has run
  EXPECT_TRUE(NoBlob(blobs));  // uncommitted blobs are never listed
}

}  // namespace
}  // namespace confiance::s3
