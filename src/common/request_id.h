// File: common/request_id.h
// Request ids: the x-amz-request-id of every answer (S3, admin API, log
// API) and the request_id of its transparency-log entry, so that a client
// quoting the id finds the entry. Unique within one process run (a random
// per-process prefix and a counter), cheap, and not a secret.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <string>

namespace confiance {

// 16 upper-case hex characters.
std::string NewRequestId();

}  // namespace confiance
