// File: blob/blob_id.h
// Blob ids: 128 random bits as 32 lowercase hex digits. Shared by every
// BlobStore implementation so that ids look (and validate) the same.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::blob {

inline constexpr size_t kBlobIdLength = 32;

// A fresh id from the OpenSSL CSPRNG (RAND_bytes); Internal if it fails.
Result<std::string> NewBlobId();
// True iff `id` has the form NewBlobId() returns. Implementations reject
// other ids with InvalidArgument, which also keeps ids from naming paths.
bool IsValidBlobId(std::string_view id);
// OK if IsValidBlobId(id); InvalidArgument naming the id otherwise.
Status CheckBlobId(const std::string& id);

}  // namespace confiance::blob
