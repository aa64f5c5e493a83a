// File: s3/recording_response_writer.h
// Test helpers for ResponseWriter decorators and request handlers:
// RecordingWriter stands for the wire side and keeps what reaches it;
// EmptyBody is a request without a body; RunCoroutine runs one coroutine
// to completion on a private io_context. Unit tests only.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)
#include <vector>

#include "http/http.h"

namespace confiance::s3::testing {

namespace asio = boost::asio;

class RecordingWriter final : public http::ResponseWriter {
 public:
  asio::awaitable<Status> Start(int status, std::span<const http::Header> headers,
                                std::optional<uint64_t> content_length) override {
    status_ = status;
    headers_.assign(headers.begin(), headers.end());
    content_length_ = content_length;
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
  std::optional<uint64_t> content_length_;
  std::string body_;
  bool started_ = false, finished_ = false, closed_ = false;
};

class EmptyBody final : public http::BodyReader {
 public:
  asio::awaitable<Result<size_t>> Read(std::span<std::byte>) override { co_return size_t{0}; }
};

inline void RunCoroutine(const std::function<asio::awaitable<void>()>& body) {
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

}  // namespace confiance::s3::testing
