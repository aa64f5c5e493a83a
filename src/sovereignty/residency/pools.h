// File: sovereignty/residency/pools.h
// Storage pools and their labels (docs/SOVEREIGNTY.md "Data residency").
// A pool is a place blobs can live (today a local directory); its labels
// say where that place is and who runs it, and are what residency rules
// are evaluated against (rules.h).
//
// Configuration: a TOML file given with `--pools FILE`:
//
//   [[pool]]
//   name = "fr-paris"              # 1..32 of [a-z0-9-]; stored in blob ids: never rename
//   directory = "/srv/pools/fr"    # absolute; omitted for the default pool
//   jurisdiction = "FR"            # ISO 3166-1 alpha-2, or "EU"
//   region = "eu-west-3"           # what CreateBucket's LocationConstraint names
//   operator = "ACME Cloud SAS"
//   ciphertext_only = false        # true: only ciphertext, keys held elsewhere
//   storage_class = "STANDARD"     # the S3 storage class whose data it holds
//   default = false                # true for at most one pool: DIR/blobs
//
// or, for a pool on a Ceph cluster (blob/rados/rados_blob_store.h;
// docs/rados.md), instead of `directory`:
//
//   rados_pool = "confiance-data"  # the RADOS pool (it must exist)
//   ceph_conf = "/etc/ceph/ceph.conf"
//   ceph_user = "confiance"        # cephx name client.<user>; default admin
//   ceph_keyring = "/etc/ceph/ceph.client.confiance.keyring"  # default: ceph.conf's
//   rados_namespace = ""           # one Confiance server per pool + namespace
//   rados_stripe_mib = 4           # 1..64
//   rados_gc_delay = 7200          # seconds deleted data stays for open readers
//   rados_full_ratio = 0.90        # refuse new data above this cluster usage
//   rados_op_timeout = 30          # seconds before a RADOS op fails (503)
//
// The default pool is the data directory's own blob directory (DIR/blobs):
// the blobs written before pools existed, and the metadata store (which
// holds small objects inline) sit with it. With no file, or a file with no
// `default = true` pool, it is the pool "local" with the jurisdiction of
// `--jurisdiction` (FR by default), added after the configured pools.
//
// Storage classes (docs/storage-classes.md): a write asking for class C
// (x-amz-storage-class) goes to a pool of class C, chosen as any write's
// pool among those; a class no pool has is InvalidStorageClass. The default
// pool holds STANDARD, the class of every write that names none.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "blob/rados/rados_options.h"
#include "catalog/records.h"
#include "common/status.h"

namespace confiance::sovereignty {

struct PoolSpec {
  std::string name;
  std::string directory;     // "" for the default pool
  std::string jurisdiction;  // "FR", "DE", ... or "EU"
  std::string region;
  std::string operator_name;
  bool ciphertext_only = false;
  bool is_default = false;
  std::string storage_class = "STANDARD";
  // Set for a pool on a Ceph cluster (then `directory` is empty).
  std::optional<blob::RadosOptions> rados;
};

using catalog::kStandardStorageClass;
// A storage class name: 1..64 of A-Z 0-9 _ (S3's names, or the operator's
// own, as Ceph RGW allows).
bool IsValidStorageClass(std::string_view name);

inline constexpr std::string_view kDefaultPoolName = "local";
inline constexpr std::string_view kDefaultJurisdiction = "FR";

// The 27 EU member states' ISO codes (Greece is "GR" in ISO 3166, not "EL").
const std::set<std::string>& EuMembers();
// An ISO 3166-1 alpha-2 shape (two upper-case letters) or "EU".
bool IsValidJurisdiction(std::string_view code);
// `codes` with "EU" replaced by the member states.
std::set<std::string> ExpandJurisdictions(const std::vector<std::string>& codes);

// Parses the pools file. InvalidArgument naming the problem (syntax with
// its line, a missing or bad field, duplicate names, two defaults, a
// relative or missing directory). The result is in file order, with the
// default pool added as described above; `default_jurisdiction` labels it.
Result<std::vector<PoolSpec>> ParsePoolsToml(std::string_view text, std::string_view default_jurisdiction);
// A RADOS pool's connection keys alone (rados_pool, required; ceph_conf,
// ceph_user, ceph_keyring, rados_namespace, rados_op_timeout, as in a
// [[pool]] table): the metadata location file (docs/rados.md, "Metadata on
// RADOS"). InvalidArgument naming `what` and the problem.
Result<blob::RadosConnection> ParseRadosConnectionToml(std::string_view text, std::string_view what);
// The pools with no file: the default pool alone.
std::vector<PoolSpec> DefaultPools(std::string_view default_jurisdiction);

}  // namespace confiance::sovereignty
