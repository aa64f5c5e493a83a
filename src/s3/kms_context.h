// File: s3/kms_context.h
// The pure parts of SSE-KMS requests (docs/encryption.md "SSE-KMS"): whether
// an encryption context is well formed (which key a key id names:
// catalog/kms_key_ref.h). No HTTP here, so that a fuzz target can build it
// alone.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace confiance::s3 {

// x-amz-server-side-encryption-context: base64 of a JSON object whose values
// are strings (S3's rule), at most 4 KiB of base64.
bool ValidKmsContext(std::string_view b64);

}  // namespace confiance::s3
