// File: fuzz/lockbox_fuzz.cc
// libFuzzer target: the lockbox's parsers of untrusted bytes (the admin
// API's access-request body, a stored access-request record) never crash;
// a decoded record re-encodes to a record that decodes to the same value,
// and the scope decision on a parsed draft is total.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sovereignty/access_request.h"
#include "sovereignty/access_request_json.h"

using namespace confiance::sovereignty;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto draft = ParseAccessRequestDraft(in); draft.ok()) {
    (void)ValidateNewRequest(*draft);
    AccessRequest r = *draft;
    r.state = AccessState::kApproved;
    r.approved_until_ms = 2;
    (void)WhyNotCovered(r, AccessAttempt{"", r.tenant, "b", "k", AccessOp::kRead}, 1);
    auto back = DecodeAccessRequest(EncodeAccessRequest(r));
    if (!back.ok() || !(*back == r)) std::abort();
  }
  if (auto rec = DecodeAccessRequest(in); rec.ok()) {
    auto again = DecodeAccessRequest(EncodeAccessRequest(*rec));
    if (!again.ok() || !(*again == *rec)) std::abort();
  }
  return 0;
}
