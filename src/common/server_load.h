// File: common/server_load.h
// ServerLoad: what the HTTP server is serving right now, kept current by the
// server (http/server.h, ServerOptions::load) for the layers below it that
// must not know about connections but decide whether they may block a
// network thread (EveryClientWaitsOn). The transparency log commits a group
// on the thread that filled it only when the group holds at least one
// request per open connection: every client is then waiting on that group,
// so the thread has nothing else to do during the sync
// (audit/transparency_log.h). For the same reason a listing's scan runs on
// the network thread while only one connection is open (s3/s3_service.h,
// S3Service::Scan).
//
// Thread-safety: atomics; readers get a recent value, not a snapshot
// consistent with anything else.
#pragma once

#include <atomic>
#include <cstddef>

namespace confiance {

struct ServerLoad {
  std::atomic<size_t> open_connections{0};

  // True if `waiting` requests, all waiting on the caller's work, make at
  // least one per open connection. A connection has at most one request in
  // flight, so no other request can then be ready for the caller's thread:
  // it may block on that work instead of handing it to another thread.
  bool EveryClientWaitsOn(size_t waiting) const {
    return waiting >= open_connections.load(std::memory_order_relaxed);
  }
};

}  // namespace confiance
