// File: s3/operator_access.h
// Which lockbox operation class (sovereignty/access_request.h) an S3 IAM
// action belongs to, for requests signed with an operator key. Pure.
#pragma once

#include <optional>
#include <string_view>

#include "sovereignty/access_request.h"

namespace confiance::s3 {

// read: object reads (data, tags, attributes, ACL); list: bucket listings,
// uploads, parts, HeadBucket; write: object writes (PUT, copy destination,
// multipart, tags); delete: object deletions, upload aborts, tag removal.
// nullopt for everything else (bucket configuration: policies, ACLs, CORS,
// lifecycle, versioning, encryption, bucket creation and deletion), which
// no approval covers.
std::optional<sovereignty::AccessOp> OperatorAccessOp(std::string_view action);

}  // namespace confiance::s3
