// File: s3/sigv4/chunked_decoder.h
// ChunkedDecoder: an incremental decoder for aws-chunked request bodies
// (Content-Encoding: aws-chunked) in the three streaming payload modes:
//
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          <hex>;chunk-signature=<sig>\r\n<data>\r\n ...
//                                               0;chunk-signature=<sig>\r\n\r\n
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  ... 0;chunk-signature=<sig>\r\n
//                                               x-amz-checksum-crc32c:<b64>\r\n
//                                               x-amz-trailer-signature:<sig>\r\n\r\n
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER          <hex>\r\n<data>\r\n ... 0\r\n
//                                               x-amz-checksum-crc32:<b64>\r\n\r\n
//
// Each chunk signature chains from the previous one, starting at the request
// (seed) signature; the trailer signature chains from the final chunk's.
//
// Input may be split anywhere (even inside a chunk header); chunk data is
// hashed as it streams through. After Create() the decoder allocates nothing
// except to build an error Status.
//
// Trust: payload bytes are written to the caller's buffer before the
// signature of the chunk that holds them has been checked (a chunk may be
// megabytes). They are trustworthy only once Finish() returns OK; on any
// error the caller must discard everything produced so far.
//
// Thread model: one decoder per request body, used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "s3/sigv4/digest.h"
#include "s3/sigv4/verify.h"

namespace confiance::sigv4 {

struct ChunkedDecoderOptions {
  // Largest chunk accepted (chunk-size field); larger is kMalformedChunk.
  uint64_t max_chunk_size = 16u << 20;
  // x-amz-decoded-content-length, when the caller has it: more payload is
  // kMalformedChunk, less at the final chunk is kIncompleteBody.
  std::optional<uint64_t> decoded_content_length;
};

// A trailing header (lowercase name, trimmed value), e.g.
// {"x-amz-checksum-crc32c", "sOO8/Q=="}. Views into the decoder.
struct Trailer {
  std::string_view name;
  std::string_view value;
};

class ChunkedDecoder {
 public:
  static constexpr size_t kMaxLineLength = 4096;  // chunk header or trailer line, with CRLF
  static constexpr size_t kMaxTrailers = 8;
  static constexpr size_t kMaxTrailerBytes = 4096;

  // `auth.payload_mode` must be one of the three streaming modes, else
  // kInvalidContentSha256. Copies what it needs from `auth`.
  static Result<ChunkedDecoder> Create(const AuthContext& auth,
                                       const ChunkedDecoderOptions& options = {});

  ChunkedDecoder(ChunkedDecoder&&) = default;
  ChunkedDecoder& operator=(ChunkedDecoder&&) = default;
  ChunkedDecoder(const ChunkedDecoder&) = delete;
  ChunkedDecoder& operator=(const ChunkedDecoder&) = delete;

  struct Progress {
    size_t consumed = 0;  // bytes of `input` used
    size_t produced = 0;  // payload bytes written to the front of `output`
  };

  // Decodes from `input` into `output`. Stops when `input` is used up or
  // `output` is full (then consumed < input.size(): call again with the
  // rest). Errors (sticky: every later call returns the same error):
  // kMalformedChunk (bad framing, over-long line, chunk too large, bytes
  // after the end, bad trailer), kSignatureDoesNotMatch (chunk or trailer
  // signature), kIncompleteBody (final chunk reached with fewer bytes than
  // decoded_content_length).
  Result<Progress> Feed(std::string_view input, std::span<char> output);

  // Call at end of body. OK iff the final chunk and trailers were decoded and
  // verified; kIncompleteBody if the body stopped early; the sticky error if
  // Feed() failed.
  Status Finish() const;

  bool done() const { return state_ == State::kDone; }
  uint64_t decoded_bytes() const { return decoded_; }
  // Trailing headers other than x-amz-trailer-signature (verified when the
  // mode is signed). Valid once done(), for the decoder's lifetime.
  std::span<const Trailer> trailers() const { return {trailers_.data(), trailer_count_}; }

 private:
  enum class State { kHeader, kData, kDataEnd, kTrailer, kDone, kFailed };

  ChunkedDecoder(const AuthContext& auth, const ChunkedDecoderOptions& options);

  Status Fail(Status status);
  Status OnLine(std::string_view line);
  Status OnChunkHeader(std::string_view line);
  Status OnTrailerLine(std::string_view line);
  Status OnTrailersEnd();
  Status VerifyChunk(const Digest& data_hash);

  PayloadMode mode_;
  ChunkedDecoderOptions options_;
  std::string chunk_prefix_;    // "AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n"
  std::string trailer_prefix_;  // "AWS4-HMAC-SHA256-TRAILER\n<date>\n<scope>\n"
  HmacSha256 hmac_;
  Sha256 sha_;
  std::array<char, 64> previous_signature_{};
  std::array<char, 64> claimed_signature_{};
  bool have_trailer_signature_ = false;

  State state_ = State::kHeader;
  Status failure_;
  uint64_t remaining_ = 0;  // data bytes left in the current chunk
  uint64_t decoded_ = 0;
  int crlf_seen_ = 0;
  size_t line_length_ = 0;
  std::array<char, kMaxLineLength> line_{};

  std::string trailer_bytes_;  // capacity kMaxTrailerBytes, never reallocated
  std::array<Trailer, kMaxTrailers> trailers_{};
  size_t trailer_count_ = 0;
};

}  // namespace confiance::sigv4
