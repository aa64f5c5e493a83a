// File: s3/extra_headers_writer_test.cc
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "s3/extra_headers_writer.h"

#include <gtest/gtest.h>

#include "s3/recording_response_writer.h"

namespace confiance::s3 {
namespace {

namespace asio = boost::asio;

using testing::RecordingWriter;
using testing::RunCoroutine;

TEST(ExtraHeadersWriterTest, AppendsItsHeadersToWhateverResponseStarts) {
  RecordingWriter inner;
  ExtraHeadersWriter writer(inner);
  std::vector<http::Header> cors = {{"Access-Control-Allow-Origin", "https://app.example"}, {"Vary", "Origin"}};
  writer.Add(cors);
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::vector<http::Header> own = {{"Content-Type", "application/xml"}};
    Status st = co_await writer.Send(404, own, "<Error/>");
    EXPECT_TRUE(st.ok());
  });
  EXPECT_EQ(inner.status_, 404);
  ASSERT_EQ(inner.headers_.size(), 3u);
  EXPECT_EQ(inner.headers_[0].name, "Content-Type");
  EXPECT_EQ(inner.headers_[1].value, "https://app.example");
  EXPECT_EQ(inner.headers_[2].name, "Vary");
  EXPECT_EQ(inner.body_, "<Error/>");
  EXPECT_TRUE(inner.finished_);
  EXPECT_TRUE(writer.started());
  writer.CloseAfterResponse();
  EXPECT_TRUE(inner.closed_);
}

TEST(ExtraHeadersWriterTest, WithoutExtrasPassesHeadersThrough) {
  RecordingWriter inner;
  ExtraHeadersWriter writer(inner);
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::vector<http::Header> own = {{"ETag", "\"x\""}};
    (void)co_await writer.Start(200, own, 0);
    (void)co_await writer.Finish();
  });
  ASSERT_EQ(inner.headers_.size(), 1u);
  EXPECT_EQ(inner.headers_[0].name, "ETag");
}

}  // namespace
}  // namespace confiance::s3
