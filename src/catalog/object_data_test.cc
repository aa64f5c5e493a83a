// File: catalog/object_data_test.cc
// SegmentWriter/ObjectReader: inline and spilled segments, multi-segment
// reads at every boundary, and tamper detection.
#include "catalog/object_data.h"

#include <gtest/gtest.h>

#include "blob/memory/memory_blob_store.h"
#include "crypto/random.h"
#include "tests/testutil/bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

using testutil::AsBytes;
using testutil::SeededBytes;

class ObjectDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = crypto::RandomBytes(32);
    ASSERT_TRUE(k.ok());
    key_ = std::make_shared<const crypto::SecretBytes>(std::move(k).value());
  }
  Segment Write(const std::string& data, size_t inline_limit) {
    auto w = SegmentWriter::Create(blobs_, *key_, "bid", inline_limit);
    EXPECT_TRUE(w.ok());
    // Feed in uneven pieces.
    size_t at = 0, step = 1000;
    while (at < data.size()) {
      size_t n = std::min(step, data.size() - at);
      EXPECT_OK((*w)->Write(AsBytes(data).subspan(at, n)));
      at += n;
      step = step * 3 + 7;
    }
    auto seg = (*w)->Finish();
    EXPECT_TRUE(seg.ok()) << seg.status().ToString();
    return seg.ok() ? *seg : Segment{};
  }
  blob::MemoryBlobStore blobs_;
  std::shared_ptr<const crypto::SecretBytes> key_;
};

TEST_F(ObjectDataTest, InlineAndSpilledRoundTrip) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{4096}, size_t{70000}, size_t{300000}}) {
    std::string data = SeededBytes(size, static_cast<uint32_t>(size));
    Segment seg = Write(data, 64 * 1024 + 64);
    EXPECT_EQ(seg.blob_id.empty(), size <= 64 * 1024) << size;
    EXPECT_EQ(seg.plain_size, size);
    ObjectRecord rec;
    rec.size = size;
    rec.segments = {seg};
    ObjectReader reader(blobs_, rec, key_, "bid");
    std::string out(size, '\0');
    ASSERT_OK(reader.Read(0, std::as_writable_bytes(std::span(out.data(), out.size()))));
    EXPECT_EQ(out, data);
  }
}

TEST_F(ObjectDataTest, MultiSegmentRangesAcrossBoundaries) {
  std::string a = SeededBytes(100000, 1), b = SeededBytes(70000, 2), c = SeededBytes(5, 3);
  ObjectRecord rec;
  rec.segments = {Write(a, 0), Write(b, 1 << 20), Write(c, 0)};
  rec.size = a.size() + b.size() + c.size();
  std::string all = a + b + c;
  ObjectReader reader(blobs_, rec, key_, "bid");
  for (uint64_t off : {0ul, 65535ul, 65536ul, 99999ul, 100000ul, 131071ul, 169999ul, 170000ul}) {
    for (uint64_t len : {1ul, 2ul, 65536ul, 70001ul}) {
      if (off + len > rec.size) continue;
      std::string out(len, '\0');
      ASSERT_OK(reader.Read(off, std::as_writable_bytes(std::span(out.data(), out.size()))));
      EXPECT_EQ(out, all.substr(off, len)) << off << "+" << len;
    }
  }
  std::string one(1, '\0');
  EXPECT_STATUS_CODE(reader.Read(rec.size, std::as_writable_bytes(std::span(one.data(), 1))), kOutOfRange);
}

TEST_F(ObjectDataTest, TamperedInlineDataIsNeverServed) {
  std::string data = SeededBytes(5000, 9);
  Segment seg = Write(data, 1 << 20);
  ASSERT_TRUE(seg.blob_id.empty());
  for (size_t i = 0; i < seg.inline_data.size(); i += 97) {
    ObjectRecord rec;
    rec.size = data.size();
    rec.segments = {seg};
    rec.segments[0].inline_data[i] ^= 0x01;
    ObjectReader reader(blobs_, rec, key_, "bid");
    std::string out(data.size(), '\0');
    EXPECT_STATUS_CODE(reader.Read(0, std::as_writable_bytes(std::span(out.data(), out.size()))), kDataLoss)
        << "flip at " << i;
  }
}

TEST_F(ObjectDataTest, WrongBucketContextFails) {
  Segment seg = Write(SeededBytes(10, 4), 1 << 20);
  ObjectRecord rec;
  rec.size = 10;
  rec.segments = {seg};
  ObjectReader reader(blobs_, rec, key_, "another-bucket");
  std::string out(10, '\0');
  EXPECT_FALSE(reader.Read(0, std::as_writable_bytes(std::span(out.data(), out.size()))).ok());
}

}  // namespace
}  // namespace confiance::catalog
