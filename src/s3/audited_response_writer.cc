// File: s3/audited_response_writer.cc
#include "s3/audited_response_writer.h"

#include <vector>

namespace confiance::s3 {
namespace {

Status Refused() { return UnavailableError("the transparency log refused this request's entry"); }

}  // namespace

asio::awaitable<Status> AuditedResponseWriter::Start(int status, std::span<const http::Header> headers,
                                                     std::optional<uint64_t> content_length) {
  if (refused_) co_return Refused();
  // A second Start is the inner writer's FailedPrecondition; informational
  // 1xx heads are not responses of their own.
  if (recorder_ == nullptr || inner_.started() || status < 200) {
    const bool final_head = !inner_.started() && status >= 200;
    Status started = co_await inner_.Start(status, headers, content_length);
    if (started.ok() && final_head) status_ = status;
    co_return started;
  }
  Status recorded = co_await recorder_->Record(status, content_length);
  if (recorded.ok()) {
    recorded_ = true;
    Status started = co_await inner_.Start(status, headers, content_length);
    if (started.ok()) status_ = status;
    co_return started;
  }

  refused_ = true;
  status_ = 503;
  std::string doc = recorder_->RefusalDocument(recorded);
  std::vector<http::Header> refusal = {{"Content-Type", "application/xml"}, {"Retry-After", "1"}};
  Status sent = co_await inner_.Send(503, refusal, doc);
  (void)sent;  // the handler learns of the refusal either way
  co_return Refused();
}

asio::awaitable<Status> AuditedResponseWriter::Write(std::span<const std::byte> data) {
  if (refused_) co_return Refused();
  body_bytes_ += data.size();
  co_return co_await inner_.Write(data);
}

asio::awaitable<Status> AuditedResponseWriter::Finish() {
  if (refused_) co_return Refused();
  co_return co_await inner_.Finish();
}

}  // namespace confiance::s3
