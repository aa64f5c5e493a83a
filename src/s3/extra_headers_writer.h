// File: s3/extra_headers_writer.h
// ExtraHeadersWriter: a ResponseWriter decorator that adds headers decided
// before the handler runs (the CORS headers of a request carrying Origin)
// to whatever response the handler or the error path then starts: success,
// error document, 304 or HEAD alike.
//
// Thread model: as the ResponseWriter it wraps (one request, one strand).
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <vector>

#include "http/http.h"

namespace confiance::s3 {

namespace asio = boost::asio;

class ExtraHeadersWriter final : public http::ResponseWriter {
 public:
  // `inner` must outlive this writer.
  explicit ExtraHeadersWriter(http::ResponseWriter& inner) : inner_(inner) {}
  ExtraHeadersWriter(const ExtraHeadersWriter&) = delete;
  ExtraHeadersWriter& operator=(const ExtraHeadersWriter&) = delete;

  // Headers appended after the handler's own at Start(). Has no effect on a
  // response already started.
  void Add(std::vector<http::Header> headers);

  asio::awaitable<Status> Start(int status, std::span<const http::Header> headers,
                                std::optional<uint64_t> content_length) override;
  asio::awaitable<Status> Write(std::span<const std::byte> data) override { return inner_.Write(data); }
  asio::awaitable<Status> Finish() override { return inner_.Finish(); }
  bool started() const override { return inner_.started(); }
  void CloseAfterResponse() override { inner_.CloseAfterResponse(); }

 private:
  http::ResponseWriter& inner_;
  std::vector<http::Header> extra_;
};

}  // namespace confiance::s3
