// File: blob/rados/rados_options.h
// What a RADOS pool is configured with (the pools file's rados_* keys,
// sovereignty/residency/pools.h; docs/rados.md): the connection to the
// cluster, and the blob store's settings. Plain data, without librados, so
// that the configuration's readers need not include it.
#pragma once

#include <cstdint>
#include <string>

namespace confiance::blob {

struct RadosConnection {
  std::string ceph_conf = "/etc/ceph/ceph.conf";
  std::string user = "admin";  // the cephx name is client.<user>
  std::string keyring;         // "" = what the ceph.conf names
  std::string pool;            // required
  std::string name_space;      // "" = the pool's default namespace
  uint32_t op_timeout_seconds = 30;
};

struct RadosOptions {
  RadosConnection connection;
  uint64_t stripe_size = 4 << 20;  // a multiple of 1 MiB (RadosBlobStore::kWriteUnit), at most 64 MiB
  uint64_t gc_delay_seconds = 7200;
  double full_ratio = 0.90;  // 0 disables the space check
  uint32_t lease_seconds = 15;
  // Whether this instance shares the namespace with other instances (each
  // gateway of several on one Ceph cluster; RadosBlobStore's header). Not a
  // pools-file setting yet: gateways with metadata of their own would
  // sweep each other's blobs as orphans (docs/rados.md, "Several gateways").
  bool shared = false;
};

}  // namespace confiance::blob
