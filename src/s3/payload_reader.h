// File: s3/payload_reader.h
// PayloadReader: the request body as the S3 layer sees it — aws-chunked
// framing removed and every chunk signature checked, or the whole body
// hashed and compared with the signed x-amz-content-sha256. Bytes are
// trustworthy only once Read() has returned 0 (end of body) without error:
// handlers commit nothing before that.
#pragma once

#include <utility>

#include <optional>
#include <span>
#include <vector>

#include "http/http.h"
#include "s3/s3_error.h"
#include "s3/sigv4/chunked_decoder.h"
#include "crypto/hash.h"
#include "s3/sigv4/verify.h"

namespace confiance::s3 {

class PayloadReader {
 public:
  // Errors (as *error): InvalidArgument for a bad x-amz-decoded-content-length.
  static std::optional<PayloadReader> Create(http::BodyReader& body, const http::Request& request,
                                             const sigv4::AuthContext& auth, S3Error* error);
  PayloadReader(PayloadReader&&) = default;

  // Reads decoded payload bytes; 0 at the end, after every check passed.
  // On failure returns an error Status and error() says which S3 error.
  boost::asio::awaitable<Result<size_t>> Read(std::span<std::byte> out);
  const S3Error& error() const { return error_; }
  // The payload length when known in advance (Content-Length, or
  // x-amz-decoded-content-length for aws-chunked).
  std::optional<uint64_t> expected_length() const { return expected_length_; }
  // Whether the body is aws-chunked with trailing headers.
  bool trailer_mode() const {
    return mode_ == sigv4::PayloadMode::kStreamingUnsignedTrailer ||
           mode_ == sigv4::PayloadMode::kStreamingSignedTrailer;
  }
  // The value of trailing header `name` (lowercase), once Read() has
  // returned 0; its signature was checked in the signed trailer mode. Valid
  // for the reader's lifetime.
  std::optional<std::string_view> FindTrailer(std::string_view name) const;

 private:
  explicit PayloadReader(http::BodyReader& body) : body_(&body) {}
  Status Fail(S3Error e);
  boost::asio::awaitable<Result<size_t>> ReadChunked(std::span<std::byte> out);
  Status CheckEnd();

  http::BodyReader* body_;
  sigv4::PayloadMode mode_ = sigv4::PayloadMode::kUnsigned;
  std::optional<sigv4::ChunkedDecoder> chunked_;
  std::optional<crypto::Sha256> sha_;
  std::string expected_sha_;
  std::optional<uint64_t> expected_length_;
  uint64_t produced_ = 0;
  std::vector<char> raw_;  // aws-chunked input not yet decoded
  size_t raw_begin_ = 0, raw_end_ = 0;
  bool body_done_ = false;
  bool finished_ = false;
  S3Error error_{S3ErrorCode::kInternalError, {}, {}};
};

}  // namespace confiance::s3
