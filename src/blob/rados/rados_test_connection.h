// File: blob/rados/rados_test_connection.h
// For tests against the real Ceph cluster that tests/ceph/run_with_ceph.py
// starts: the connection its environment describes, on namespace
// `name_space` (one per test, so that tests do not see each other's
// objects). Unavailable when run without it. Tests only.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>

#include "blob/rados/rados_options.h"
#include "common/status.h"

namespace confiance::blob {

inline Result<RadosConnection> TestConnection(std::string name_space) {
  const char* conf = std::getenv("CONFIANCE_CEPH_CONF");
  if (conf == nullptr) return UnavailableError("no Ceph cluster: run under tests/ceph/run_with_ceph.py");
  RadosConnection c;
  c.ceph_conf = conf;
  c.user = std::getenv("CONFIANCE_CEPH_USER");
  c.keyring = std::getenv("CONFIANCE_CEPH_KEYRING");
  c.pool = std::getenv("CONFIANCE_CEPH_POOL");
  c.name_space = std::move(name_space);
  return c;
}

}  // namespace confiance::blob
