// File: main/replication_targets.h
// The replication destinations an operator declares (`confiance server
// --replication-targets FILE`, docs/replication.md): for each, the tenant
// whose buckets may replicate to it, the S3 bucket on another server that
// receives the copies, the credentials that write there, and the
// jurisdiction where that server keeps them (checked against the
// tenant's residency rules, s3/replication_config.h).
//
//   [[target]]
//   tenant = "acme"
//   name = "dr-frankfurt"                      # in the ARN: never rename
//   endpoint = "https://s3.dr.example:9000"    # http:// only for loopback tests
//   bucket = "photos-replica"
//   region = "eu-central-1"                    # SigV4's region; default us-east-1
//   access_key = "..."
//   secret_key_file = "/etc/confiance/dr-frankfurt.secret"
//   jurisdiction = "DE"
//
// The secret stays in a file of its own (main/secret_file.h), as every
// other secret the server is given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_client.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "s3/replication_config.h"

namespace confiance {

struct ReplicationTarget {
  s3::ReplicationDestination destination;  // tenant, name, jurisdiction
  admin::Endpoint endpoint;
  std::string bucket;
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key_file;
  crypto::SecretBytes secret_key;  // read by LoadReplicationTargets
};

// Parses the file's text (secrets not read). InvalidArgument naming the
// target and the field: a missing or unknown field, a name outside
// [A-Za-z0-9_-]{1,64}, an endpoint with a path, an unknown jurisdiction,
// a (tenant, name) given twice.
Result<std::vector<ReplicationTarget>> ParseReplicationTargets(std::string_view text);

// Reads and parses `path`, then each target's secret key; https endpoints
// are verified against `ca_file` ("": the system's CAs).
Result<std::vector<ReplicationTarget>> LoadReplicationTargets(const std::string& path, const std::string& ca_file);

}  // namespace confiance
