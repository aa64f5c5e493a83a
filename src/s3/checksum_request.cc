// File: s3/checksum_request.cc
#include "s3/checksum_request.h"

#include <fmt/format.h>

#include <array>

#include "catalog/records.h"
#include "common/ascii.h"
#include "crypto/encoding.h"

namespace confiance::s3 {
namespace {

using crypto::ChecksumAlgorithm;

constexpr std::array<ChecksumAlgorithm, 5> kAlgorithms = {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c,
                                                          ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256,
                                                          ChecksumAlgorithm::kCrc64Nvme};

S3Error InvalidChecksumRequest(std::string message) {
  return MakeError(S3ErrorCode::kInvalidRequest, std::move(message));
}

S3Error Mismatch(ChecksumAlgorithm algorithm) {
  return MakeError(S3ErrorCode::kBadDigest, fmt::format("The {} you specified did not match the calculated checksum.",
                                                        crypto::ChecksumName(algorithm)));
}

// The raw checksum `b64` encodes, if it is exactly one of `algorithm`.
std::optional<std::string> DecodeValue(ChecksumAlgorithm algorithm, std::string_view b64) {
  Result<std::string> raw = crypto::Base64Decode(b64);
  if (!raw.ok() || raw->size() != crypto::ChecksumSize(algorithm)) return std::nullopt;
  return std::move(raw).value();
}

std::optional<ChecksumAlgorithm> AlgorithmOfHeader(std::string_view name) {
  for (ChecksumAlgorithm a : kAlgorithms) {
    if (EqualsIgnoreCase(name, ChecksumHeaderName(a))) return a;
  }
  return std::nullopt;
}

}  // namespace

std::string ChecksumHeaderName(ChecksumAlgorithm algorithm) {
  return "x-amz-checksum-" + ToLower(crypto::ChecksumName(algorithm));
}

std::string ChecksumElementName(ChecksumAlgorithm algorithm) {
  return "Checksum" + std::string(crypto::ChecksumName(algorithm));
}

std::optional<http::Header> StoredChecksumHeader(std::string_view algorithm, std::string_view value) {
  std::optional<ChecksumAlgorithm> a = crypto::ParseChecksumAlgorithm(algorithm);
  if (!a || value.empty()) return std::nullopt;
  return http::Header{ChecksumHeaderName(*a), std::string(value)};
}

std::vector<http::Header> StoredChecksumHeaders(std::string_view algorithm, std::string_view value) {
  std::optional<http::Header> ck = StoredChecksumHeader(algorithm, value);
  if (!ck) return {};
  return {std::move(*ck), http::Header{"x-amz-checksum-type", std::string(ChecksumTypeOf(value))}};
}

bool ChecksumModeEnabled(const http::Request& request) {
  std::optional<std::string_view> mode = request.FindHeader("x-amz-checksum-mode");
  return mode && EqualsIgnoreCase(*mode, "ENABLED");
}

Result<std::optional<ChecksumRequest>> ParseChecksumRequest(const http::Request& request, bool trailer_mode,
                                                            S3Error* error) {
  std::optional<ChecksumRequest> out;
  auto add = [&](ChecksumRequest r) -> Status {
    if (out) {
      *error =
          InvalidChecksumRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
      return InvalidArgumentError("several checksums");
    }
    out = std::move(r);
    return OkStatus();
  };
  for (ChecksumAlgorithm a : kAlgorithms) {
    std::string name = ChecksumHeaderName(a);
    std::optional<std::string_view> value = request.FindHeader(name);
    if (!value) continue;
    std::optional<std::string> raw = DecodeValue(a, *value);
    if (!raw) {
      // A value that cannot be a checksum of its algorithm cannot match
      // either: BadDigest, as S3 answers (ceph/s3-tests
      // test_object_checksum_sha256 sends "bad").
      *error = Mismatch(a);
      return InvalidArgumentError("bad checksum value");
    }
    RETURN_IF_ERROR(add(ChecksumRequest{a, std::move(*raw), false}));
  }
  if (std::optional<std::string_view> trailer = request.FindHeader("x-amz-trailer")) {
    std::optional<ChecksumAlgorithm> a = AlgorithmOfHeader(*trailer);
    if (!a) {
      *error = InvalidChecksumRequest("The value specified in the x-amz-trailer header is not supported");
      return InvalidArgumentError("bad x-amz-trailer");
    }
    if (!trailer_mode) {
      *error = InvalidChecksumRequest("x-amz-trailer requires a STREAMING-*-TRAILER x-amz-content-sha256.");
      return InvalidArgumentError("trailer without trailer mode");
    }
    RETURN_IF_ERROR(add(ChecksumRequest{*a, {}, true}));
  }
  if (std::optional<std::string_view> sdk = request.FindHeader("x-amz-sdk-checksum-algorithm")) {
    std::optional<ChecksumAlgorithm> a = crypto::ParseChecksumAlgorithm(*sdk);
    if (!a || (out && out->algorithm != *a)) {
      *error = InvalidChecksumRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
      return InvalidArgumentError("bad x-amz-sdk-checksum-algorithm");
    }
    if (!out) out = ChecksumRequest{*a, {}, false};
  }
  return out;
}

Result<std::optional<ChecksumAlgorithm>> ParseChecksumAlgorithmHeader(const http::Request& request,
                                                                      S3Error* error) {
  std::optional<std::string_view> name = request.FindHeader("x-amz-checksum-algorithm");
  if (!name) return std::optional<ChecksumAlgorithm>();
  std::optional<ChecksumAlgorithm> a = crypto::ParseChecksumAlgorithm(*name);
  if (!a) {
    *error = InvalidChecksumRequest(
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
        "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    return InvalidArgumentError("unknown checksum algorithm");
  }
  return a;
}

Result<bool> ParseChecksumType(const http::Request& request, std::optional<ChecksumAlgorithm> algorithm,
                               S3Error* error) {
  std::optional<std::string_view> type = request.FindHeader("x-amz-checksum-type");
  if (!type) return algorithm == ChecksumAlgorithm::kCrc64Nvme;
  if (!algorithm) {
    *error = InvalidChecksumRequest(
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    return InvalidArgumentError("checksum type without algorithm");
  }
  const bool full = EqualsIgnoreCase(*type, "FULL_OBJECT");
  if (!full && !EqualsIgnoreCase(*type, "COMPOSITE")) {
    *error = InvalidChecksumRequest("Value for x-amz-checksum-type header is invalid.");
    return InvalidArgumentError("bad checksum type");
  }
  // Full object: the CRCs only. Composite: anything but CRC64NVME.
  if (full ? !crypto::IsCrc(*algorithm) : *algorithm == ChecksumAlgorithm::kCrc64Nvme) {
    *error = InvalidChecksumRequest(fmt::format("The {} checksum type cannot be used with the {} checksum algorithm.",
                                                ChecksumTypeName(full),
                                                ToLower(crypto::ChecksumName(*algorithm))));
    return InvalidArgumentError("checksum type and algorithm disagree");
  }
  return full;
}

std::string_view ChecksumTypeName(bool full_object) { return full_object ? "FULL_OBJECT" : "COMPOSITE"; }

std::string_view ChecksumTypeOf(std::string_view stored_value) {
  return ChecksumTypeName(catalog::IsFullObjectChecksum(stored_value));
}

std::optional<S3Error> VerifyObjectChecksumHeader(const http::Request& request,
                                                  std::optional<ChecksumAlgorithm> algorithm,
                                                  std::string_view stored) {
  for (ChecksumAlgorithm a : kAlgorithms) {
    std::optional<std::string_view> value = request.FindHeader(ChecksumHeaderName(a));
    if (value && (a != algorithm || *value != stored)) return Mismatch(a);
  }
  return std::nullopt;
}

std::optional<S3Error> VerifyChecksum(const ChecksumRequest& want, std::string_view computed,
                                      std::optional<std::string_view> trailer_value) {
  std::string expected = want.expected;
  if (want.in_trailer) {
    std::string name = ChecksumHeaderName(want.algorithm);
    if (!trailer_value) {
      return MakeError(S3ErrorCode::kMalformedTrailerError,
                       fmt::format("The request body has no {} trailer, which x-amz-trailer announced.", name));
    }
    std::optional<std::string> raw = DecodeValue(want.algorithm, *trailer_value);
    if (!raw) return Mismatch(want.algorithm);  // it cannot match
    expected = std::move(*raw);
  }
  if (expected.empty()) return std::nullopt;  // only the algorithm was named: nothing to compare
  if (!crypto::ConstantTimeEqual(expected, computed)) {
    return Mismatch(want.algorithm);
  }
  return std::nullopt;
}

}  // namespace confiance::s3
