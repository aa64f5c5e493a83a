// File: s3/audited_response_writer.h
// AuditedResponseWriter: a ResponseWriter decorator that makes a request's
// transparency-log entry durable before the first byte of its response
// leaves (issue 7: "an access is logged before its response completes").
// Start() asks the AccessRecorder to record the response the handler is
// about to send (its status and length); only once that entry is durable is
// the head passed on. If the entry cannot be made durable, the response is
// replaced by the recorder's refusal (503) and the handler's own Start,
// Write and Finish fail with Unavailable: nothing of the unlogged response
// is sent.
//
// A handler that already committed a change (PutObject) and then fails to
// log answers 503 although the change landed; the client retries as for any
// 5xx, and the log never misses an acknowledged request (docs/audit-log.md).
//
// Thread model: as the ResponseWriter it wraps (one request, one strand).
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <optional>
#include <string>

#include "http/http.h"

namespace confiance::s3 {

namespace asio = boost::asio;

class AccessRecorder {
 public:
  virtual ~AccessRecorder() = default;
  // Appends the entry for a response of `status` with `content_length`
  // body bytes (unset when streamed) and returns once it is durable, or the
  // error.
  virtual asio::awaitable<Status> Record(int status, std::optional<uint64_t> content_length) = 0;
  // The complete response sent instead when Record fails: an S3 error
  // document (XML) for status 503.
  virtual std::string RefusalDocument(const Status& error) = 0;
};

class AuditedResponseWriter final : public http::ResponseWriter {
 public:
  // `inner` and `recorder` must outlive this writer. A null recorder turns
  // auditing off (the transparency log disabled for a benchmark).
  AuditedResponseWriter(http::ResponseWriter& inner, AccessRecorder* recorder)
      : inner_(inner), recorder_(recorder) {}
  AuditedResponseWriter(const AuditedResponseWriter&) = delete;
  AuditedResponseWriter& operator=(const AuditedResponseWriter&) = delete;

  asio::awaitable<Status> Start(int status, std::span<const http::Header> headers,
                                std::optional<uint64_t> content_length) override;
  asio::awaitable<Status> Write(std::span<const std::byte> data) override;
  asio::awaitable<Status> Finish() override;
  bool started() const override { return refused_ || inner_.started(); }
  void CloseAfterResponse() override { inner_.CloseAfterResponse(); }

  // True if the log refused this request's entry (the 503 went out instead).
  bool refused() const { return refused_; }
  // True once the recorder made this response's entry durable.
  bool recorded() const { return recorded_; }
  // The status of the response started through this writer (the 503 when
  // refused); 0 before one is.
  int status() const { return status_; }
  // Body bytes the handler passed on to be sent (not the refusal's).
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  http::ResponseWriter& inner_;
  AccessRecorder* recorder_;
  bool refused_ = false;
  bool recorded_ = false;
  int status_ = 0;
  uint64_t body_bytes_ = 0;
};

}  // namespace confiance::s3
