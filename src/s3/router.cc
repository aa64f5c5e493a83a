// File: s3/router.cc
#include "s3/router.h"

#include <array>
#include <cctype>

#include "s3/sigv4/canonical.h"

namespace confiance::s3 {
namespace {

// Bucket and object sub-resources of the S3 API that Confiance does not
// implement yet: a request naming one must get NotImplemented, never be
// mistaken for a plain GET/PUT of the bucket or object.
constexpr std::array kUnimplementedSubresources = {
    "accelerate", "analytics", "intelligent-tiering", "logging", "metrics", "requestPayment", "restore",
    "select",     "torrent",
};

// Of those, the bucket settings whose unset state a GET (and for one, a
// DELETE) answers: tools that read every setting of a bucket (Terraform's
// aws_s3_bucket, backup and audit scripts) then work. Setting one stays
// NotImplemented.
struct UnsetSetting {
  const char* subresource;
  Operation get, del;
};
constexpr UnsetSetting kUnsetSettings[] = {
    {"requestPayment", Operation::kGetBucketRequestPayment, Operation::kNotImplemented},
    {"accelerate", Operation::kGetBucketAccelerate, Operation::kNotImplemented},
};

std::optional<Operation> UnsetSettingOp(std::string_view method, const Route& r) {
  for (const UnsetSetting& s : kUnsetSettings) {
    if (!r.HasQuery(s.subresource)) continue;
    if (method == "GET") return s.get;
    if (method == "DELETE") return s.del;
    return Operation::kNotImplemented;
  }
  return std::nullopt;
}

bool HasUnimplementedSubresource(const Route& r) {
  for (const char* name : kUnimplementedSubresources) {
    if (r.HasQuery(name)) return true;
  }
  return false;
}

std::string_view StripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    size_t end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

Operation ServiceOp(std::string_view method) {
  if (method == "GET") return Operation::kListBuckets;
  if (method == "POST") return Operation::kSts;
  return Operation::kNotImplemented;
}

// A bucket's configuration sub-resources (?tagging, ?cors, ?policy, ?acl,
// ...), by method; nullopt if `r` names none of them.
std::optional<Result<Operation>> BucketConfigOp(std::string_view method, const Route& r) {
  struct Family {
    const char* subresource;
    Operation get, put, del;
  };
  static constexpr Family kFamilies[] = {
      {"tagging", Operation::kGetBucketTagging, Operation::kPutBucketTagging, Operation::kDeleteBucketTagging},
      {"cors", Operation::kGetBucketCors, Operation::kPutBucketCors, Operation::kDeleteBucketCors},
      {"policy", Operation::kGetBucketPolicy, Operation::kPutBucketPolicy, Operation::kDeleteBucketPolicy},
      {"policyStatus", Operation::kGetBucketPolicyStatus, Operation::kNotImplemented, Operation::kNotImplemented},
      {"acl", Operation::kGetBucketAcl, Operation::kPutBucketAcl, Operation::kNotImplemented},
      {"publicAccessBlock", Operation::kGetPublicAccessBlock, Operation::kPutPublicAccessBlock,
       Operation::kDeletePublicAccessBlock},
      {"ownershipControls", Operation::kGetBucketOwnershipControls, Operation::kPutBucketOwnershipControls,
       Operation::kDeleteBucketOwnershipControls},
      {"encryption", Operation::kGetBucketEncryption, Operation::kPutBucketEncryption,
       Operation::kDeleteBucketEncryption},
      {"lifecycle", Operation::kGetBucketLifecycle, Operation::kPutBucketLifecycle, Operation::kDeleteBucketLifecycle},
      {"notification", Operation::kGetBucketNotification, Operation::kPutBucketNotification,
       Operation::kNotImplemented},
      {"logging", Operation::kGetBucketLogging, Operation::kPutBucketLogging, Operation::kNotImplemented},
      {"website", Operation::kGetBucketWebsite, Operation::kPutBucketWebsite, Operation::kDeleteBucketWebsite},
      {"replication", Operation::kGetBucketReplication, Operation::kPutBucketReplication,
       Operation::kDeleteBucketReplication},
      {"object-lock", Operation::kGetObjectLockConfiguration, Operation::kPutObjectLockConfiguration,
       Operation::kNotImplemented},
  };
  if (r.HasQuery("inventory")) {
    // One configuration by its id; without one, a GET lists them.
    if (method == "GET") return r.HasQuery("id") ? Operation::kGetBucketInventory : Operation::kListBucketInventory;
    if (method == "PUT") return Operation::kPutBucketInventory;
    if (method == "DELETE") return Operation::kDeleteBucketInventory;
    return Result<Operation>(InvalidArgumentError("method not allowed"));
  }
  for (const Family& f : kFamilies) {
    if (!r.HasQuery(f.subresource)) continue;
    if (method == "GET") return f.get;
    if (method == "PUT") return f.put;
    if (method == "DELETE") return f.del;
    return Result<Operation>(InvalidArgumentError("method not allowed"));
  }
  return std::nullopt;
}

Result<Operation> BucketOp(std::string_view method, const Route& r) {
  if (method == "OPTIONS") return Operation::kPreflightCors;
  if (std::optional<Result<Operation>> config = BucketConfigOp(method, r)) return *config;
  if (std::optional<Operation> unset = UnsetSettingOp(method, r)) return *unset;
  if (method == "GET") {
    if (r.HasQuery("location")) return Operation::kGetBucketLocation;
    if (r.HasQuery("uploads")) return Operation::kListMultipartUploads;
    if (r.HasQuery("versioning")) return Operation::kGetBucketVersioning;
    if (r.HasQuery("versions")) return Operation::kListObjectVersions;
    if (HasUnimplementedSubresource(r) || r.HasQuery("attributes")) return Operation::kNotImplemented;
    if (r.Query("list-type") == std::optional<std::string>("2")) return Operation::kListObjectsV2;
    return Operation::kListObjects;
  }
  if (HasUnimplementedSubresource(r) || r.HasQuery("attributes")) return Operation::kNotImplemented;
  if (r.HasQuery("versioning")) {
    if (method == "PUT") return Operation::kPutBucketVersioning;
    return InvalidArgumentError("method not allowed");
  }
  if (r.HasQuery("versions")) return InvalidArgumentError("method not allowed");
  if (method == "PUT") return Operation::kCreateBucket;
  if (method == "HEAD") return Operation::kHeadBucket;
  if (method == "DELETE") return Operation::kDeleteBucket;
  if (method == "POST" && r.HasQuery("delete")) return Operation::kDeleteObjects;
  if (method == "POST") return Operation::kPostObject;
  return InvalidArgumentError("method not allowed");
}

Result<Operation> ObjectOp(std::string_view method, const Route& r, bool has_copy_source) {
  if (method == "OPTIONS") return Operation::kPreflightCors;
  if (r.HasQuery("tagging")) {
    if (method == "GET") return Operation::kGetObjectTagging;
    if (method == "PUT") return Operation::kPutObjectTagging;
    if (method == "DELETE") return Operation::kDeleteObjectTagging;
    return InvalidArgumentError("method not allowed");
  }
  if (r.HasQuery("acl")) {
    if (method == "GET") return Operation::kGetObjectAcl;
    if (method == "PUT") return Operation::kPutObjectAcl;
    return InvalidArgumentError("method not allowed");
  }
  if (r.HasQuery("attributes")) {
    if (method == "GET") return Operation::kGetObjectAttributes;
    return InvalidArgumentError("method not allowed");
  }
  if (r.HasQuery("retention")) {
    if (method == "GET") return Operation::kGetObjectRetention;
    if (method == "PUT") return Operation::kPutObjectRetention;
    return InvalidArgumentError("method not allowed");
  }
  if (r.HasQuery("legal-hold")) {
    if (method == "GET") return Operation::kGetObjectLegalHold;
    if (method == "PUT") return Operation::kPutObjectLegalHold;
    return InvalidArgumentError("method not allowed");
  }
  // ?cors, ?encryption, ?notification, ?website and ?inventory name a
  // bucket's configuration, not an object's.
  if (HasUnimplementedSubresource(r) || r.HasQuery("cors") || r.HasQuery("encryption") || r.HasQuery("object-lock") ||
      r.HasQuery("notification") || r.HasQuery("website") || r.HasQuery("inventory")) {
    return Operation::kNotImplemented;
  }
  const bool upload = r.HasQuery("uploadId");
  if (method == "PUT") {
    if (upload || r.HasQuery("partNumber")) {
      return has_copy_source ? Operation::kUploadPartCopy : Operation::kUploadPart;
    }
    if (has_copy_source) return Operation::kCopyObject;
    return Operation::kPutObject;
  }
  if (method == "GET") return upload ? Operation::kListParts : Operation::kGetObject;
  if (method == "HEAD") return Operation::kHeadObject;
  if (method == "DELETE") return upload ? Operation::kAbortMultipartUpload : Operation::kDeleteObject;
  if (method == "POST") {
    if (r.HasQuery("uploads")) return Operation::kCreateMultipartUpload;
    if (upload) return Operation::kCompleteMultipartUpload;
    return Operation::kNotImplemented;
  }
  return InvalidArgumentError("method not allowed");
}

}  // namespace

std::optional<std::string> VirtualHostBucket(std::string_view host, std::string_view domain) {
  // Host names are case-insensitive (RFC 3986); bucket names are lowercase.
  std::string h(StripPort(host));
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (domain.empty() || h.size() <= domain.size() + 1 ||
      !sigv4::EqualsIgnoreCase(std::string_view(h).substr(h.size() - domain.size()), domain) ||
      h[h.size() - domain.size() - 1] != '.') {
    return std::nullopt;
  }
  h.resize(h.size() - domain.size() - 1);
  return h;
}

std::optional<std::string> Route::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Result<Route> RouteRequest(std::string_view method, std::string_view target,
                           std::string_view host, bool has_copy_source,
                           const RouterOptions& options, S3Error* error) {
  Route r;
  size_t q = target.find('?');
  r.raw_path = std::string(target.substr(0, q));
  r.raw_query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
  if (r.raw_path.empty() || r.raw_path.front() != '/') {
    *error = MakeError(S3ErrorCode::kInvalidArgument, "Invalid URI");
    return InvalidArgumentError("request target must start with /");
  }
  Result<std::vector<std::pair<std::string, std::string>>> params = sigv4::ParseQuery(r.raw_query);
  Result<std::string> path = sigv4::PercentDecode(r.raw_path, false);
  if (!params.ok() || !path.ok()) {
    *error = MakeError(S3ErrorCode::kInvalidArgument, "Invalid URI encoding");
    return InvalidArgumentError("bad percent-encoding");
  }
  for (auto& [k, v] : *params) r.query.emplace(std::move(k), std::move(v));

  std::string_view rest = std::string_view(*path).substr(1);
  if (std::optional<std::string> bucket = VirtualHostBucket(host, options.domain)) {
    r.bucket = std::move(*bucket);
    r.key = std::string(rest);
    r.virtual_host = true;
  } else {
    size_t slash = rest.find('/');
    r.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) r.key = std::string(rest.substr(slash + 1));
  }

  Result<Operation> op = r.bucket.empty() ? Result<Operation>(ServiceOp(method))
                         : r.key.empty()  ? BucketOp(method, r)
                                          : ObjectOp(method, r, has_copy_source);
  if (!op.ok()) {
    *error = MakeError(S3ErrorCode::kMethodNotAllowed);
    return op.status();
  }
  r.op = *op;
  return r;
}

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kListBuckets: return "ListBuckets";
    case Operation::kCreateBucket: return "CreateBucket";
    case Operation::kHeadBucket: return "HeadBucket";
    case Operation::kDeleteBucket: return "DeleteBucket";
    case Operation::kGetBucketLocation: return "GetBucketLocation";
    case Operation::kListObjects: return "ListObjects";
    case Operation::kListObjectsV2: return "ListObjectsV2";
    case Operation::kListMultipartUploads: return "ListMultipartUploads";
    case Operation::kGetBucketVersioning: return "GetBucketVersioning";
    case Operation::kListObjectVersions: return "ListObjectVersions";
    case Operation::kPutBucketVersioning: return "PutBucketVersioning";
    case Operation::kDeleteObjects: return "DeleteObjects";
    case Operation::kPostObject: return "PostObject";
    case Operation::kPutObject: return "PutObject";
    case Operation::kCopyObject: return "CopyObject";
    case Operation::kGetObject: return "GetObject";
    case Operation::kHeadObject: return "HeadObject";
    case Operation::kDeleteObject: return "DeleteObject";
    case Operation::kCreateMultipartUpload: return "CreateMultipartUpload";
    case Operation::kUploadPart: return "UploadPart";
    case Operation::kUploadPartCopy: return "UploadPartCopy";
    case Operation::kCompleteMultipartUpload: return "CompleteMultipartUpload";
    case Operation::kAbortMultipartUpload: return "AbortMultipartUpload";
    case Operation::kListParts: return "ListParts";
    case Operation::kGetObjectTagging: return "GetObjectTagging";
    case Operation::kPutObjectTagging: return "PutObjectTagging";
    case Operation::kDeleteObjectTagging: return "DeleteObjectTagging";
    case Operation::kGetBucketTagging: return "GetBucketTagging";
    case Operation::kPutBucketTagging: return "PutBucketTagging";
    case Operation::kDeleteBucketTagging: return "DeleteBucketTagging";
    case Operation::kGetBucketCors: return "GetBucketCors";
    case Operation::kPutBucketCors: return "PutBucketCors";
    case Operation::kDeleteBucketCors: return "DeleteBucketCors";
    case Operation::kPreflightCors: return "PreflightCors";
    case Operation::kGetBucketPolicy: return "GetBucketPolicy";
    case Operation::kPutBucketPolicy: return "PutBucketPolicy";
    case Operation::kDeleteBucketPolicy: return "DeleteBucketPolicy";
    case Operation::kGetBucketPolicyStatus: return "GetBucketPolicyStatus";
    case Operation::kGetBucketAcl: return "GetBucketAcl";
    case Operation::kPutBucketAcl: return "PutBucketAcl";
    case Operation::kGetObjectAcl: return "GetObjectAcl";
    case Operation::kPutObjectAcl: return "PutObjectAcl";
    case Operation::kGetObjectAttributes: return "GetObjectAttributes";
    case Operation::kGetPublicAccessBlock: return "GetPublicAccessBlock";
    case Operation::kPutPublicAccessBlock: return "PutPublicAccessBlock";
    case Operation::kDeletePublicAccessBlock: return "DeletePublicAccessBlock";
    case Operation::kGetBucketOwnershipControls: return "GetBucketOwnershipControls";
    case Operation::kPutBucketOwnershipControls: return "PutBucketOwnershipControls";
    case Operation::kDeleteBucketOwnershipControls: return "DeleteBucketOwnershipControls";
    case Operation::kGetBucketEncryption: return "GetBucketEncryption";
    case Operation::kPutBucketEncryption: return "PutBucketEncryption";
    case Operation::kDeleteBucketEncryption: return "DeleteBucketEncryption";
    case Operation::kGetBucketNotification: return "GetBucketNotificationConfiguration";
    case Operation::kPutBucketNotification: return "PutBucketNotificationConfiguration";
    case Operation::kGetBucketLifecycle: return "GetBucketLifecycleConfiguration";
    case Operation::kPutBucketLifecycle: return "PutBucketLifecycleConfiguration";
    case Operation::kDeleteBucketLifecycle: return "DeleteBucketLifecycle";
    case Operation::kGetObjectLockConfiguration: return "GetObjectLockConfiguration";
    case Operation::kPutObjectLockConfiguration: return "PutObjectLockConfiguration";
    case Operation::kGetObjectRetention: return "GetObjectRetention";
    case Operation::kPutObjectRetention: return "PutObjectRetention";
    case Operation::kGetObjectLegalHold: return "GetObjectLegalHold";
    case Operation::kPutObjectLegalHold: return "PutObjectLegalHold";
    case Operation::kGetBucketInventory:
      return "GetBucketInventoryConfiguration";
    case Operation::kPutBucketInventory:
      return "PutBucketInventoryConfiguration";
    case Operation::kDeleteBucketInventory:
      return "DeleteBucketInventoryConfiguration";
    case Operation::kListBucketInventory:
      return "ListBucketInventoryConfigurations";
    case Operation::kGetBucketWebsite: return "GetBucketWebsite";
    case Operation::kPutBucketWebsite:
      return "PutBucketWebsite";
    case Operation::kDeleteBucketWebsite: return "DeleteBucketWebsite";
    case Operation::kGetBucketLogging: return "GetBucketLogging";
    case Operation::kPutBucketLogging: return "PutBucketLogging";
    case Operation::kGetBucketReplication: return "GetBucketReplication";
    case Operation::kDeleteBucketReplication: return "DeleteBucketReplication";
    case Operation::kPutBucketReplication:
      return "PutBucketReplication";
    case Operation::kGetBucketRequestPayment: return "GetBucketRequestPayment";
    case Operation::kGetBucketAccelerate: return "GetBucketAccelerateConfiguration";
    case Operation::kSts: return "STS";
    case Operation::kNotImplemented: return "NotImplemented";
  }
  return "Unknown";
}

std::string_view IamAction(Operation op) {
  switch (op) {
    case Operation::kListBuckets: return "s3:ListAllMyBuckets";
    case Operation::kCreateBucket: return "s3:CreateBucket";
    case Operation::kHeadBucket: return "s3:ListBucket";
    case Operation::kDeleteBucket: return "s3:DeleteBucket";
    case Operation::kGetBucketLocation: return "s3:GetBucketLocation";
    case Operation::kListObjects: return "s3:ListBucket";
    case Operation::kListObjectsV2: return "s3:ListBucket";
    case Operation::kListMultipartUploads: return "s3:ListBucketMultipartUploads";
    case Operation::kGetBucketVersioning: return "s3:GetBucketVersioning";
    case Operation::kListObjectVersions: return "s3:ListBucketVersions";
    case Operation::kPutBucketVersioning: return "s3:PutBucketVersioning";
    case Operation::kDeleteObjects: return "s3:DeleteObject";  // checked per key
    case Operation::kPostObject: return "s3:PutObject";        // checked on the form's key
    case Operation::kPutObject: return "s3:PutObject";
    case Operation::kCopyObject: return "s3:PutObject";
    case Operation::kGetObject: return "s3:GetObject";
    case Operation::kHeadObject: return "s3:GetObject";
    case Operation::kDeleteObject: return "s3:DeleteObject";
    case Operation::kCreateMultipartUpload: return "s3:PutObject";
    case Operation::kUploadPart: return "s3:PutObject";
    case Operation::kUploadPartCopy: return "s3:PutObject";  // and s3:GetObject on the source
    case Operation::kCompleteMultipartUpload: return "s3:PutObject";
    case Operation::kAbortMultipartUpload: return "s3:AbortMultipartUpload";
    case Operation::kListParts: return "s3:ListMultipartUploadParts";
    case Operation::kGetBucketPolicy: return "s3:GetBucketPolicy";
    case Operation::kPutBucketPolicy: return "s3:PutBucketPolicy";
    case Operation::kDeleteBucketPolicy: return "s3:DeleteBucketPolicy";
    case Operation::kGetBucketPolicyStatus: return "s3:GetBucketPolicyStatus";
    case Operation::kGetBucketAcl: return "s3:GetBucketAcl";
    case Operation::kPutBucketAcl: return "s3:PutBucketAcl";
    case Operation::kGetObjectAcl: return "s3:GetObjectAcl";
    case Operation::kPutObjectAcl: return "s3:PutObjectAcl";
    // S3 also requires s3:GetObject: the handler checks it.
    case Operation::kGetObjectAttributes: return "s3:GetObjectAttributes";
    case Operation::kGetPublicAccessBlock: return "s3:GetBucketPublicAccessBlock";
    case Operation::kPutPublicAccessBlock: return "s3:PutBucketPublicAccessBlock";
    case Operation::kDeletePublicAccessBlock: return "s3:PutBucketPublicAccessBlock";
    case Operation::kGetBucketOwnershipControls: return "s3:GetBucketOwnershipControls";
    case Operation::kPutBucketOwnershipControls: return "s3:PutBucketOwnershipControls";
    case Operation::kDeleteBucketOwnershipControls: return "s3:PutBucketOwnershipControls";
    // S3 has no separate delete action: DeleteBucketEncryption needs the put.
    case Operation::kGetBucketEncryption: return "s3:GetEncryptionConfiguration";
    case Operation::kPutBucketEncryption: return "s3:PutEncryptionConfiguration";
    case Operation::kDeleteBucketEncryption: return "s3:PutEncryptionConfiguration";
    case Operation::kGetBucketNotification: return "s3:GetBucketNotification";
    case Operation::kPutBucketNotification: return "s3:PutBucketNotification";
    case Operation::kGetBucketLifecycle: return "s3:GetLifecycleConfiguration";
    case Operation::kPutBucketLifecycle: return "s3:PutLifecycleConfiguration";
    case Operation::kDeleteBucketLifecycle: return "s3:PutLifecycleConfiguration";
    case Operation::kGetObjectTagging: return "s3:GetObjectTagging";
    case Operation::kPutObjectTagging: return "s3:PutObjectTagging";
    case Operation::kDeleteObjectTagging: return "s3:DeleteObjectTagging";
    case Operation::kGetBucketTagging: return "s3:GetBucketTagging";
    case Operation::kPutBucketTagging: return "s3:PutBucketTagging";
    case Operation::kDeleteBucketTagging: return "s3:PutBucketTagging";
    case Operation::kGetBucketCors: return "s3:GetBucketCORS";
    case Operation::kPutBucketCors: return "s3:PutBucketCORS";
    case Operation::kDeleteBucketCors: return "s3:PutBucketCORS";
    case Operation::kGetObjectLockConfiguration: return "s3:GetBucketObjectLockConfiguration";
    case Operation::kPutObjectLockConfiguration: return "s3:PutBucketObjectLockConfiguration";
    case Operation::kGetObjectRetention: return "s3:GetObjectRetention";
    case Operation::kPutObjectRetention: return "s3:PutObjectRetention";
    case Operation::kGetObjectLegalHold: return "s3:GetObjectLegalHold";
    case Operation::kPutObjectLegalHold: return "s3:PutObjectLegalHold";
    // As on S3: reading and listing need the get, deleting the put.
    case Operation::kGetBucketInventory:
    case Operation::kListBucketInventory:
      return "s3:GetInventoryConfiguration";
    case Operation::kPutBucketInventory:
    case Operation::kDeleteBucketInventory:
      return "s3:PutInventoryConfiguration";
    case Operation::kGetBucketWebsite: return "s3:GetBucketWebsite";
    case Operation::kPutBucketWebsite:
      return "s3:PutBucketWebsite";
    case Operation::kDeleteBucketWebsite: return "s3:DeleteBucketWebsite";
    case Operation::kGetBucketLogging: return "s3:GetBucketLogging";
    case Operation::kPutBucketLogging: return "s3:PutBucketLogging";
    case Operation::kGetBucketReplication: return "s3:GetReplicationConfiguration";
    // As for encryption and lifecycle, the delete needs the put.
    case Operation::kDeleteBucketReplication: return "s3:PutReplicationConfiguration";
    case Operation::kPutBucketReplication:
      return "s3:PutReplicationConfiguration";
    case Operation::kGetBucketRequestPayment: return "s3:GetBucketRequestPayment";
    case Operation::kGetBucketAccelerate: return "s3:GetAccelerateConfiguration";
    case Operation::kSts: return "";  // checked by the STS handler itself (docs/sts.md)
    case Operation::kPreflightCors: return "";
    case Operation::kNotImplemented: return "";
  }
  return "";
}

std::string_view IamAction(Operation op, bool names_version) {
  if (names_version) {
    switch (op) {
      case Operation::kGetObject:
      case Operation::kHeadObject: return "s3:GetObjectVersion";
      case Operation::kDeleteObject: return "s3:DeleteObjectVersion";
      case Operation::kGetObjectTagging: return "s3:GetObjectVersionTagging";
      case Operation::kPutObjectTagging: return "s3:PutObjectVersionTagging";
      case Operation::kDeleteObjectTagging: return "s3:DeleteObjectVersionTagging";
      case Operation::kGetObjectAcl: return "s3:GetObjectVersionAcl";
      case Operation::kPutObjectAcl: return "s3:PutObjectVersionAcl";
      case Operation::kGetObjectAttributes: return "s3:GetObjectVersionAttributes";
      default: break;
    }
  }
  return IamAction(op);
}

bool IsObjectOperation(Operation op) {
  switch (op) {
    case Operation::kPutObject:
    case Operation::kCopyObject:
    case Operation::kGetObject:
    case Operation::kHeadObject:
    case Operation::kDeleteObject:
    case Operation::kCreateMultipartUpload:
    case Operation::kUploadPart:
    case Operation::kUploadPartCopy:
    case Operation::kCompleteMultipartUpload:
    case Operation::kAbortMultipartUpload:
    case Operation::kListParts:
    case Operation::kGetObjectAcl:
    case Operation::kPutObjectAcl:
    case Operation::kGetObjectTagging:
    case Operation::kPutObjectTagging:
    case Operation::kDeleteObjectTagging:
    case Operation::kGetObjectAttributes:
    case Operation::kGetObjectRetention:
    case Operation::kPutObjectRetention:
    case Operation::kGetObjectLegalHold:
    case Operation::kPutObjectLegalHold:
      return true;
    default:
      return false;
  }
}

}  // namespace confiance::s3
