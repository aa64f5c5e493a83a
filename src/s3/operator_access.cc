// File: s3/operator_access.cc
// S3Service::AuthorizeOperator: the lockbox's one check on the data path.
#include "s3/operator_access.h"

#include <fmt/format.h>

#include "s3/operation.h"
#include "s3/s3_context.h"
#include "s3/s3_service.h"

namespace confiance::s3 {

std::optional<sovereignty::AccessOp> OperatorAccessOp(std::string_view action) {
  using sovereignty::AccessOp;
  struct Entry {
    std::string_view action;
    AccessOp op;
  };
  static constexpr Entry kTable[] = {
      {"s3:GetObject", AccessOp::kRead},
      {"s3:GetObjectVersion", AccessOp::kRead},
      {"s3:GetObjectTagging", AccessOp::kRead},
      {"s3:GetObjectVersionTagging", AccessOp::kRead},
      {"s3:GetObjectAttributes", AccessOp::kRead},
      {"s3:GetObjectVersionAttributes", AccessOp::kRead},
      {"s3:GetObjectAcl", AccessOp::kRead},
      {"s3:GetObjectVersionAcl", AccessOp::kRead},
      {"s3:ListBucket", AccessOp::kList},
      {"s3:ListBucketVersions", AccessOp::kList},
      {"s3:ListBucketMultipartUploads", AccessOp::kList},
      {"s3:ListMultipartUploadParts", AccessOp::kList},
      {"s3:PutObject", AccessOp::kWrite},
      {"s3:PutObjectTagging", AccessOp::kWrite},
      {"s3:PutObjectVersionTagging", AccessOp::kWrite},
      {"s3:DeleteObject", AccessOp::kDelete},
      {"s3:DeleteObjectVersion", AccessOp::kDelete},
      {"s3:DeleteObjectTagging", AccessOp::kDelete},
      {"s3:DeleteObjectVersionTagging", AccessOp::kDelete},
      {"s3:AbortMultipartUpload", AccessOp::kDelete},
  };
  for (const Entry& e : kTable) {
    if (e.action == action) return e.op;
  }
  return std::nullopt;
}

std::optional<S3Error> S3Service::AuthorizeOperator(Ctx& ctx, std::string_view action,
                                                    const catalog::BucketRecord& bucket, std::string_view key,
                                                    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::optional<sovereignty::AccessOp> op = OperatorAccessOp(action);
  if (!op) {
    return MakeError(S3ErrorCode::kAccessDenied,
                     fmt::format("Access Denied: operator access covers object data (read, list, write, delete), "
                                 "never {}",
                                 action));
  }
  // A listing is checked on the prefix it lists: the s3:prefix of a
  // missing-key check, the request's ?prefix= (or, for parts, the key).
  std::string scope_key(key);
  if (*op == sovereignty::AccessOp::kList && action != "s3:ListMultipartUploadParts") {
    scope_key.clear();
    bool found = false;
    for (const auto& [name, value] : extra) {
      if (name == "s3:prefix") {
        scope_key = value;
        found = true;
      }
    }
    if (!found) scope_key = ctx.route.Query("prefix").value_or("");
  }
  sovereignty::AccessAttempt attempt{ctx.auth.principal.user, bucket.owner, bucket.name, scope_key, *op};
  Result<std::string> approval = deps_.lockbox->Authorize(attempt);
  if (!approval.ok()) {
    if (approval.status().code() != StatusCode::kPermissionDenied) return ErrorFromStatus(approval.status());
    return MakeError(S3ErrorCode::kAccessDenied, "Access Denied: " + approval.status().message());
  }
  ctx.approval_id = std::move(approval).value();
  // The tenant's key policy has the last word on every approved access,
  // also those that decrypt nothing (listings, deletions): the key-access
  // justification OPERATOR_APPROVED must be allowed. The bucket key is
  // cached, so this is a policy check, not a KMS call, on the hot path;
  // a tenant's KMS told the justification is asked once per approval.
  Result<std::shared_ptr<const crypto::SecretBytes>> usable =
      deps_.bucket_keys.Get(bucket, ctx.key_use(), bucket.key_version);
  if (!usable.ok()) return ErrorFromStatus(usable.status());
  return std::nullopt;
}

asio::awaitable<void> S3Service::WarmOperatorKey(Ctx& ctx) {
  if (ctx.route.bucket.empty()) co_return;
  auto warm = [this, &ctx] {
    Result<catalog::BucketRecord> bucket = deps_.catalog.GetBucket(ctx.route.bucket);
    if (!bucket.ok()) return false;
    const std::string_view key = IsObjectOperation(ctx.route.op) ? std::string_view(ctx.route.key) : std::string_view();
    (void)AuthorizeOperator(ctx, IamAction(ctx.route.op, ctx.route.HasQuery("versionId")), *bucket, key, {});
    ctx.approval_id.clear();  // the handler's own check sets it
    return true;
  };
  co_await deps_.pool.Run(warm);  // (the pool runs functions with a result)
}

}  // namespace confiance::s3
