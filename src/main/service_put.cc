// File: main/service_put.cc
#include "main/service_put.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstring>
#include <exception>
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "s3/s3_error.h"
#include "s3/sigv4/canonical.h"

namespace confiance {
namespace {

namespace asio = boost::asio;

// The request body, from memory.
class StringBody final : public http::BodyReader {
 public:
  explicit StringBody(std::string_view data) : data_(data) {}
  asio::awaitable<Result<size_t>> Read(std::span<std::byte> out) override {
    if (out.empty()) co_return InvalidArgumentError("empty read buffer");
    const size_t n = std::min(out.size(), data_.size());
    std::memcpy(out.data(), data_.data(), n);
    data_.remove_prefix(n);
    co_return n;
  }

 private:
  std::string_view data_;
};

// The answer: its status, and the body of an error (an S3 error document).
class CapturedResponse final : public http::ResponseWriter {
 public:
  asio::awaitable<Status> Start(int status, std::span<const http::Header>, std::optional<uint64_t>) override {
    if (started_) co_return FailedPreconditionError("response already started");
    status_ = status;
    started_ = true;
    co_return OkStatus();
  }
  asio::awaitable<Status> Write(std::span<const std::byte> data) override {
    if (status_ >= 300 && body_.size() < kMaxKept) {
      body_.append(reinterpret_cast<const char*>(data.data()), std::min(data.size(), kMaxKept - body_.size()));
    }
    co_return OkStatus();
  }
  asio::awaitable<Status> Finish() override { co_return OkStatus(); }
  bool started() const override { return started_; }
  void CloseAfterResponse() override {}

  int status() const { return status_; }
  const std::string& body() const { return body_; }

 private:
  static constexpr size_t kMaxKept = 4096;  // an error document is smaller
  int status_ = 0;
  bool started_ = false;
  std::string body_;
};

}  // namespace

Result<int> PutAsService(s3::S3Service& service, const s3::ServicePrincipal& caller, const std::string& bucket,
                         const std::string& key, const std::string& body, std::string* error_code,
                         const std::vector<http::Header>& headers) {
  http::Request request;
  request.method = "PUT";
  request.target = "/" + bucket + "/" + sigv4::UriEncode(key, /*keep_slash=*/true);
  request.headers = headers;
  if (!request.FindHeader("content-type")) request.headers.push_back({"Content-Type", "text/plain"});
  request.content_length = body.size();
  StringBody reader(body);
  CapturedResponse response;
  asio::io_context ioc;
  std::exception_ptr failure;
  asio::co_spawn(ioc, service.Handle(request, reader, response, &caller),
                 [&failure](std::exception_ptr e) { failure = e; });
  ioc.run();
  if (failure) return InternalError("the request threw");
  if (!response.started()) return InternalError("no answer");
  *error_code = s3::ErrorCodeOfDocument(response.body());
  return response.status();
}

}  // namespace confiance
