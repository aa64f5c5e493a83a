// File: s3/extra_headers_writer_test.cc
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "s3/extra_headers_writer.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace confiance::s3 {
namespace {

namespace asio = boost::asio;

// Records what reaches the wire side.
class RecordingWriter final : public http::ResponseWriter {
 public:
  asio::awaitable<Status> Start(int status, std::span<const http::Header> headers,
                                std::optional<uint64_t> content_length) override {
    status_ = status;
    headers_.assign(headers.begin(), headers.end());
    started_ = true;
    co_return OkStatus();
  }
  asio::awaitable<Status> Write(std::span<const std::byte> data) override {
    body_.append(reinterpret_cast<const char*>(data.data()), data.size());
    co_return OkStatus();
  }
  asio::awaitable<Status> Finish() override {
    finished_ = true;
    co_return OkStatus();
  }
  bool started() const override { return started_; }
  void CloseAfterResponse() override { closed_ = true; }

  int status_ = 0;
  std::vector<http::Header> headers_;
  std::string body_;
  bool started_ = false, finished_ = false, closed_ = false;
};

void RunCoroutine(const std::function<asio::awaitable<void>()>& body) {
  asio::io_context ioc;
  bool done = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await body();
        done = true;
      },
      asio::detached);
  ioc.run();
  ASSERT_TRUE(done);
}

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
