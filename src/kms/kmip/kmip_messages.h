// File: kms/kmip/kmip_messages.h
// KMIP 1.2 request and response messages with one batch item each
// (KMIP 1.2 spec, section 7): building a request around an operation's
// payload, decoding a response (untrusted bytes from the KMS), and mapping
// a KMIP result to a Status.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kms/kmip/ttlv.h"

namespace confiance::kms::kmip {

inline constexpr int kProtocolMajor = 1;
inline constexpr int kProtocolMinor = 2;

// A RequestMessage (protocol 1.2, batch count 1, the given Maximum Response
// Size) carrying `payload` (tag RequestPayload) for `operation`, and
// `extension` (tag MessageExtension) after the payload if not null.
std::string EncodeRequest(uint32_t operation, Item payload, int32_t max_response_size,
                          const Item* extension = nullptr);

inline constexpr std::string_view kVendorIdentification = "confiance";

// The key-access justification as a non-critical KMIP Message Extension
// (KMIP 1.2 section 6.16; wire format in docs/kmip.md): Vendor
// Identification "confiance", Criticality Indicator false, and a Vendor
// Extension structure holding the justification's name (tag 0x540001) and,
// if not empty, the approval id (tag 0x540002), both Text Strings.
Item JustificationExtension(std::string_view justification, std::string_view approval_id);

struct Response {
  uint32_t operation = 0;  // 0 if the KMS did not echo it (error responses may not)
  int64_t result_status = 0;
  int64_t result_reason = 0;  // 0: none given
  std::string result_message;
  Item payload;  // ResponsePayload; an empty structure if absent
};

// Decodes a ResponseMessage with exactly one batch item. DataLoss if the
// bytes are not one, or lack a Result Status.
Result<Response> DecodeResponse(std::string_view message);

// OK on Success, else the Status for the KMIP result reason, its message
// prefixed with `what`:
//   Item Not Found                               -> NotFound
//   Permission Denied, Authentication Not
//   Successful, Wrong Key Lifecycle State         -> PermissionDenied
//   Cryptographic Failure                         -> PermissionDenied (does not authenticate)
//   Operation/Feature Not Supported               -> Unimplemented
//   Invalid Field/Message, Missing Data, Illegal  -> InvalidArgument
//   Response Too Large                            -> ResourceExhausted
//   anything else (General Failure, pending)      -> Internal
Status ResultStatusToStatus(const Response& r, std::string_view what);

}  // namespace confiance::kms::kmip
