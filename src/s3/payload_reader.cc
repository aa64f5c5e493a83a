// File: s3/payload_reader.cc
#include "s3/payload_reader.h"

#include <charconv>
#include <cstring>

#include "crypto/encoding.h"
#include "s3/auth.h"

namespace confiance::s3 {
namespace {

constexpr size_t kRawBufferSize = 64 * 1024;

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<PayloadReader> PayloadReader::Create(http::BodyReader& body,
                                                   const http::Request& request,
                                                   const sigv4::AuthContext& auth, S3Error* error) {
  PayloadReader r(body);
  r.mode_ = auth.payload_mode;
  r.expected_length_ = request.content_length;
  switch (auth.payload_mode) {
    case sigv4::PayloadMode::kUnsigned:
      break;
    case sigv4::PayloadMode::kSha256:
      r.sha_.emplace();
      r.expected_sha_ = auth.payload_sha256;
      break;
    case sigv4::PayloadMode::kStreamingSigned:
    case sigv4::PayloadMode::kStreamingUnsignedTrailer:
    case sigv4::PayloadMode::kStreamingSignedTrailer: {
      sigv4::ChunkedDecoderOptions opt;
      std::optional<std::string_view> decoded = request.FindHeader("x-amz-decoded-content-length");
      if (decoded) {
        opt.decoded_content_length = ParseU64(*decoded);
        if (!opt.decoded_content_length) {
          *error = MakeError(S3ErrorCode::kInvalidArgument, "x-amz-decoded-content-length is not a number");
          return std::nullopt;
        }
      } else if (auth.payload_mode == sigv4::PayloadMode::kStreamingSigned) {
        *error = MakeError(S3ErrorCode::kMissingContentLength,
                           "You must provide the x-amz-decoded-content-length header.");
        return std::nullopt;
      }
      r.expected_length_ = opt.decoded_content_length;
      Result<sigv4::ChunkedDecoder> dec = sigv4::ChunkedDecoder::Create(auth, opt);
      if (!dec.ok()) {
        *error = SigV4Error(dec.status());
        return std::nullopt;
      }
      r.chunked_.emplace(std::move(dec).value());
      r.raw_.resize(kRawBufferSize);
      break;
    }
  }
  return r;
}

std::optional<std::string_view> PayloadReader::FindTrailer(std::string_view name) const {
  if (!chunked_ || !chunked_->done()) return std::nullopt;
  for (const sigv4::Trailer& t : chunked_->trailers()) {
    if (t.name == name) return t.value;
  }
  return std::nullopt;
}

Status PayloadReader::Fail(S3Error e) {
  error_ = std::move(e);
  return InvalidArgumentError(std::string(error_.CodeString()));
}

Status PayloadReader::CheckEnd() {
  finished_ = true;
  if (sha_) {
    std::string got = crypto::DigestHex(sha_->Finish());
    if (!crypto::ConstantTimeEqual(got, expected_sha_)) {
      return Fail(MakeError(S3ErrorCode::kXAmzContentSHA256Mismatch));
    }
  }
  if (chunked_) {
    Status s = chunked_->Finish();
    if (!s.ok()) return Fail(SigV4Error(s));
  }
  return OkStatus();
}

boost::asio::awaitable<Result<size_t>> PayloadReader::Read(std::span<std::byte> out) {
  if (finished_ || out.empty()) co_return size_t{0};
  if (chunked_) co_return co_await ReadChunked(out);
  Result<size_t> n = co_await body_->Read(out);
  if (!n.ok()) {
    co_return Fail(n.status().code() == StatusCode::kDeadlineExceeded
                       ? MakeError(S3ErrorCode::kRequestTimeout)
                       : MakeError(S3ErrorCode::kIncompleteBody));
  }
  if (*n == 0) {
    CO_RETURN_IF_ERROR(CheckEnd());
    co_return size_t{0};
  }
  produced_ += *n;
  if (sha_) sha_->Update(out.first(*n));
  co_return *n;
}

boost::asio::awaitable<Result<size_t>> PayloadReader::ReadChunked(std::span<std::byte> out) {
  std::span<char> dst(reinterpret_cast<char*>(out.data()), out.size());
  for (;;) {
    if (raw_begin_ < raw_end_) {
      Result<sigv4::ChunkedDecoder::Progress> p = chunked_->Feed(
          std::string_view(raw_.data() + raw_begin_, raw_end_ - raw_begin_), dst);
      if (!p.ok()) co_return Fail(SigV4Error(p.status()));
      raw_begin_ += p->consumed;
      if (p->produced > 0) {
        produced_ += p->produced;
        co_return p->produced;
      }
      if (raw_begin_ < raw_end_) continue;  // consumed framing only
    }
    if (body_done_) {
      CO_RETURN_IF_ERROR(CheckEnd());
      co_return size_t{0};
    }
    Result<size_t> n = co_await body_->Read(std::as_writable_bytes(std::span(raw_)));
    if (!n.ok()) {
      co_return Fail(n.status().code() == StatusCode::kDeadlineExceeded
                         ? MakeError(S3ErrorCode::kRequestTimeout)
                         : MakeError(S3ErrorCode::kIncompleteBody));
    }
    raw_begin_ = 0;
    raw_end_ = *n;
    if (*n == 0) body_done_ = true;
  }
}

}  // namespace confiance::s3
