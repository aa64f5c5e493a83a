// File: common/server_load.h
// ServerLoad: what the HTTP server is serving right now, kept current by the
// server (http/server.h, ServerOptions::load) for the layers below it that
// must not know about connections but decide whether they may block a
// network thread. The transparency log commits a group on the thread that
// filled it only when the group holds at least one request per open
// connection: every client is then waiting on that group, so the thread has
// nothing else to do during the sync (audit/transparency_log.h). For the
// same reason a listing's scan runs on the network thread while only one
// connection is open (s3/s3_service.h, S3Service::Scan).
//
// Thread-safety: atomics; readers get a recent value, not a snapshot
// consistent with anything else.
#pragma once

#include <atomic>
#include <cstddef>

namespace confiance {

struct ServerLoad {
  std::atomic<size_t> open_connections{0};
};

}  // namespace confiance
