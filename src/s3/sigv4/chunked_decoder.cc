// File: s3/sigv4/chunked_decoder.cc
#include "s3/sigv4/chunked_decoder.h"

#include <algorithm>
#include <cstring>

#include "common/ascii.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/errors.h"

namespace confiance::sigv4 {
namespace {

constexpr std::string_view kSignatureExt = ";chunk-signature=";
constexpr std::string_view kTrailerSignatureName = "x-amz-trailer-signature";
constexpr size_t kMaxSizeDigits = 16;

Status Malformed(std::string_view detail) { return MakeError(ErrorKind::kMalformedChunk, detail); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint64_t> ParseHexSize(std::string_view s) {
  if (s.empty() || s.size() > kMaxSizeDigits) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d = HexDigit(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

void CopyLowerHex(std::string_view hex, std::array<char, 64>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    char c = hex[i];
    out[i] = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
}

std::string_view View(const std::array<char, 64>& a) { return {a.data(), a.size()}; }

bool IsStreaming(PayloadMode mode) {
  return mode == PayloadMode::kStreamingSigned || mode == PayloadMode::kStreamingSignedTrailer ||
         mode == PayloadMode::kStreamingUnsignedTrailer;
}

std::string Prefix(std::string_view algorithm, const AuthContext& auth) {
  std::string out(algorithm);
  out.push_back('\n');
  out += auth.amz_date;
  out.push_back('\n');
  out += auth.scope.ToString();
  out.push_back('\n');
  return out;
}

}  // namespace

Result<ChunkedDecoder> ChunkedDecoder::Create(const AuthContext& auth,
                                              const ChunkedDecoderOptions& options) {
  if (!IsStreaming(auth.payload_mode)) {
    return MakeError(ErrorKind::kInvalidContentSha256, "payload mode is not aws-chunked");
  }
  if (auth.payload_mode != PayloadMode::kStreamingUnsignedTrailer &&
      !IsSha256Hex(auth.seed_signature)) {
    return MakeError(ErrorKind::kInternal, "seed signature is not 64 hex digits");
  }
  return ChunkedDecoder(auth, options);
}

ChunkedDecoder::ChunkedDecoder(const AuthContext& auth, const ChunkedDecoderOptions& options)
    : mode_(auth.payload_mode),
      options_(options),
      chunk_prefix_(Prefix("AWS4-HMAC-SHA256-PAYLOAD", auth)),
      trailer_prefix_(Prefix("AWS4-HMAC-SHA256-TRAILER", auth)),
      hmac_(auth.signing_key.bytes()) {
  if (mode_ != PayloadMode::kStreamingUnsignedTrailer) {
    CopyLowerHex(auth.seed_signature, previous_signature_);
  }
  trailer_bytes_.reserve(kMaxTrailerBytes);
}

Status ChunkedDecoder::Fail(Status status) {
  state_ = State::kFailed;
  failure_ = status;
  return status;
}

Result<ChunkedDecoder::Progress> ChunkedDecoder::Feed(std::string_view input,
                                                      std::span<char> output) {
  if (state_ == State::kFailed) return failure_;
  Progress p;
  while (p.consumed < input.size()) {
    std::string_view in = input.substr(p.consumed);
    switch (state_) {
      case State::kHeader:
      case State::kTrailer: {
        size_t nl = in.find('\n');
        size_t take = nl == std::string_view::npos ? in.size() : nl + 1;
        if (line_length_ + take > line_.size()) return Fail(Malformed("line too long"));
        std::memcpy(line_.data() + line_length_, in.data(), take);
        line_length_ += take;
        p.consumed += take;
        if (nl == std::string_view::npos) break;
        std::string_view line(line_.data(), line_length_);
        line_length_ = 0;
        if (line.size() < 2 || line[line.size() - 2] != '\r') {
          return Fail(Malformed("line not terminated by CRLF"));
        }
        Status st = OnLine(line.substr(0, line.size() - 2));
        if (!st.ok()) return Fail(std::move(st));
        break;
      }
      case State::kData: {
        size_t n = std::min<uint64_t>({in.size(), output.size() - p.produced, remaining_});
        if (n == 0) return p;  // output is full
        std::memcpy(output.data() + p.produced, in.data(), n);
        sha_.Update(in.substr(0, n));
        p.consumed += n;
        p.produced += n;
        remaining_ -= n;
        decoded_ += n;
        if (remaining_ == 0) {
          Status st = VerifyChunk(sha_.Finish());
          if (!st.ok()) return Fail(std::move(st));
          state_ = State::kDataEnd;
          crlf_seen_ = 0;
        }
        break;
      }
      case State::kDataEnd: {
        if (in[0] != (crlf_seen_ == 0 ? '\r' : '\n')) {
          return Fail(Malformed("chunk data not followed by CRLF"));
        }
        ++p.consumed;
        if (++crlf_seen_ == 2) state_ = State::kHeader;
        break;
      }
      case State::kDone:
        return Fail(Malformed("bytes after the final chunk"));
      case State::kFailed:
        return failure_;
    }
  }
  return p;
}

Status ChunkedDecoder::Finish() const {
  if (state_ == State::kDone) return OkStatus();
  if (state_ == State::kFailed) return failure_;
  return MakeError(ErrorKind::kIncompleteBody,
                   "You did not provide the number of bytes specified by the Content-Length "
                   "HTTP header");
}

Status ChunkedDecoder::OnLine(std::string_view line) {
  return state_ == State::kHeader ? OnChunkHeader(line) : OnTrailerLine(line);
}

Status ChunkedDecoder::OnChunkHeader(std::string_view line) {
  size_t semi = line.find(';');
  std::optional<uint64_t> size = ParseHexSize(line.substr(0, semi));
  if (!size) return Malformed("invalid chunk size");
  if (*size > options_.max_chunk_size) return Malformed("chunk too large");
  if (options_.decoded_content_length && *size > *options_.decoded_content_length - decoded_) {
    return Malformed("more data than x-amz-decoded-content-length");
  }
  if (mode_ == PayloadMode::kStreamingUnsignedTrailer) {
    if (semi != std::string_view::npos) return Malformed("unexpected chunk extension");
  } else {
    std::string_view ext = semi == std::string_view::npos ? "" : line.substr(semi);
    if (!ext.starts_with(kSignatureExt) || !IsSha256Hex(ext.substr(kSignatureExt.size()))) {
      return Malformed("missing or invalid chunk-signature");
    }
    CopyLowerHex(ext.substr(kSignatureExt.size()), claimed_signature_);
  }
  if (*size > 0) {
    remaining_ = *size;
    state_ = State::kData;
    return OkStatus();
  }
  // Final chunk: sign the empty data, then read trailers (maybe none).
  RETURN_IF_ERROR(VerifyChunk(sha_.Finish()));
  if (options_.decoded_content_length && decoded_ != *options_.decoded_content_length) {
    return MakeError(ErrorKind::kIncompleteBody, "less data than x-amz-decoded-content-length");
  }
  state_ = State::kTrailer;
  return OkStatus();
}

Status ChunkedDecoder::VerifyChunk(const Digest& data_hash) {
  if (mode_ == PayloadMode::kStreamingUnsignedTrailer) return OkStatus();
  std::array<char, 64> hex;
  HexInto(data_hash, hex);
  hmac_.Update(chunk_prefix_);
  hmac_.Update(View(previous_signature_));
  hmac_.Update("\n");
  hmac_.Update(kEmptySha256Hex);
  hmac_.Update("\n");
  hmac_.Update(View(hex));
  std::array<char, 64> expected;
  HexInto(hmac_.Final(), expected);
  if (!ConstantTimeEqual(View(expected), View(claimed_signature_))) {
    return MakeError(ErrorKind::kSignatureDoesNotMatch, "chunk signature does not match");
  }
  previous_signature_ = claimed_signature_;
  return OkStatus();
}

Status ChunkedDecoder::OnTrailerLine(std::string_view line) {
  if (line.empty()) return OnTrailersEnd();
  if (mode_ == PayloadMode::kStreamingSigned) return Malformed("trailer without a trailer mode");
  if (have_trailer_signature_) return Malformed("trailer after x-amz-trailer-signature");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Malformed("trailer without ':'");
  std::string_view name = TrimSpaceAndTab(line.substr(0, colon));
  std::string_view value = TrimSpaceAndTab(line.substr(colon + 1));
  if (name.empty()) return Malformed("empty trailer name");
  if (EqualsIgnoreCase(name, kTrailerSignatureName)) {
    if (mode_ != PayloadMode::kStreamingSignedTrailer || !IsSha256Hex(value)) {
      return Malformed("unexpected or invalid x-amz-trailer-signature");
    }
    CopyLowerHex(value, claimed_signature_);
    have_trailer_signature_ = true;
    return OkStatus();
  }
  if (trailer_count_ == kMaxTrailers) return Malformed("too many trailers");
  size_t need = name.size() + 1 + value.size() + 1;
  if (trailer_bytes_.size() + need > kMaxTrailerBytes) return Malformed("trailers too large");
  // Stored as the canonical "name:value\n" form, which is also what the
  // trailer signature hashes.
  size_t name_at = trailer_bytes_.size();
  for (char c : name) trailer_bytes_.push_back((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  trailer_bytes_.push_back(':');
  size_t value_at = trailer_bytes_.size();
  trailer_bytes_.append(value);
  trailer_bytes_.push_back('\n');
  trailers_[trailer_count_++] = Trailer{std::string_view(trailer_bytes_).substr(name_at, name.size()),
                                        std::string_view(trailer_bytes_).substr(value_at, value.size())};
  return OkStatus();
}

Status ChunkedDecoder::OnTrailersEnd() {
  if (mode_ == PayloadMode::kStreamingSignedTrailer) {
    if (!have_trailer_signature_) return Malformed("missing x-amz-trailer-signature");
    sha_.Update(trailer_bytes_);
    std::array<char, 64> hex;
    HexInto(sha_.Finish(), hex);
    hmac_.Update(trailer_prefix_);
    hmac_.Update(View(previous_signature_));
    hmac_.Update("\n");
    hmac_.Update(View(hex));
    std::array<char, 64> expected;
    HexInto(hmac_.Final(), expected);
    if (!ConstantTimeEqual(View(expected), View(claimed_signature_))) {
      return MakeError(ErrorKind::kSignatureDoesNotMatch, "trailer signature does not match");
    }
  }
  state_ = State::kDone;
  return OkStatus();
}

}  // namespace confiance::sigv4
