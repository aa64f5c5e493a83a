// File: s3/inventory_handlers.cc
// Get, Put, Delete and ListBucketInventoryConfiguration(s) (s3/inventory.h;
// main/inventory_delivery.h writes the reports).
//
// As on S3, a bucket has at most 1,000 configurations, each named by the
// request's `id`, which the document's Id must repeat. The destination is
// checked when a report is written, not here (S3 does the same): its
// bucket policy must let kInventoryService write. Reports are CSV; ORC and
// Parquet are refused (NotImplemented). An SSE-KMS KeyId must name a KMS
// key of the bucket's owner (400 KMS.NotFoundException otherwise); the
// reports are then written under it.
#include <algorithm>

#include "s3/bucket_name.h"
#include "s3/inventory.h"
#include "s3/s3_context.h"

namespace confiance::s3 {
namespace {

// As the other bucket configurations: a small document.
constexpr size_t kMaxInventoryBody = 64 * 1024;
// ListBucketInventoryConfigurations pages, as on S3.
constexpr size_t kInventoryListPage = 100;

// A refusal of ParseInventoryConfiguration as S3 words it.
S3Error InventoryRefusal(const Status& status) {
  constexpr std::string_view kInvalid = "InvalidArgument: ";
  const std::string& message = status.message();
  if (message.starts_with(kInvalid)) {
    return MakeError(S3ErrorCode::kInvalidArgument, message.substr(kInvalid.size()));
  }
  return MakeError(S3ErrorCode::kMalformedXML);
}

using Configs = std::vector<xml::InventoryConfiguration>;

auto FindConfig(Configs& configs, std::string_view id) {
  return std::find_if(configs.begin(), configs.end(), [&](const auto& c) { return c.id == id; });
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketInventory(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<Configs> configs = DecodeInventory(bucket->inventory);
  if (!configs.ok()) co_return ErrorFromStatus(configs.status());
  auto it = FindConfig(*configs, ctx.route.Query("id").value_or(""));
  if (it == configs->end()) co_return MakeError(S3ErrorCode::kNoSuchConfiguration);
  {
    std::string doc = xml::RenderInventoryConfiguration(*it);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketInventory(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  const std::string id = ctx.route.Query("id").value_or("");
  if (id.empty()) co_return MakeError(S3ErrorCode::kInvalidArgument, "An inventory configuration needs an id.");
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxInventoryBody, &error);
  if (!body.ok()) co_return error;
  Result<xml::InventoryConfiguration> config = xml::ParseInventoryConfiguration(*body);
  if (!config.ok()) co_return InventoryRefusal(config.status());
  if (config->id != id) {
    co_return MakeError(S3ErrorCode::kInvalidArgument,
                        "The ID in the configuration does not match the ID in the request.");
  }
  // (The report's writes name it in their paths.)
  if (!IsValidBucketName(config->destination_bucket)) {
    co_return MakeError(S3ErrorCode::kInvalidArgument, "The destination bucket name is not valid.");
  }
  if (config->format != "CSV") {
    co_return MakeError(S3ErrorCode::kNotImplemented, "Inventory reports are written in the CSV format only.");
  }
  // The reports go into a bucket of the same tenant (s3/authorize.h), so
  // their KMS key is one of the owner's.
  if (config->encryption == "SSE-KMS") {
    if (std::optional<S3Error> refused = co_await CheckOwnersKmsKeyId(*bucket, config->kms_key_id)) {
      co_return *refused;
    }
  }
  Result<Configs> configs = DecodeInventory(bucket->inventory);
  if (!configs.ok()) co_return ErrorFromStatus(configs.status());
  if (FindConfig(*configs, id) == configs->end() && configs->size() >= xml::kMaxInventoryConfigurations) {
    co_return MakeError(S3ErrorCode::kTooManyConfigurations);
  }
  // Applied to the record being committed: a concurrent change of another
  // configuration is kept.
  BucketEdit edit = [config = *std::move(config)](catalog::BucketRecord& b) {
    Result<Configs> now = DecodeInventory(b.inventory);
    Configs next = now.ok() ? *std::move(now) : Configs{};
    if (auto it = FindConfig(next, config.id); it != next.end()) {
      *it = config;
    } else {
      next.push_back(config);
    }
    b.inventory = EncodeInventory(next);
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucketInventory(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  const std::string id = ctx.route.Query("id").value_or("");
  Result<Configs> configs = DecodeInventory(bucket->inventory);
  if (!configs.ok()) co_return ErrorFromStatus(configs.status());
  if (FindConfig(*configs, id) == configs->end()) co_return MakeError(S3ErrorCode::kNoSuchConfiguration);
  BucketEdit edit = [id](catalog::BucketRecord& b) {
    Result<Configs> now = DecodeInventory(b.inventory);
    if (!now.ok()) return;
    std::erase_if(*now, [&](const xml::InventoryConfiguration& c) { return c.id == id; });
    b.inventory = EncodeInventory(*now);
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

asio::awaitable<S3Service::Reply> S3Service::ListBucketInventory(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<Configs> configs = DecodeInventory(bucket->inventory);
  if (!configs.ok()) co_return ErrorFromStatus(configs.status());
  // In id order; the continuation token is the last id of the page before.
  std::sort(configs->begin(), configs->end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  const std::string token = ctx.route.Query("continuation-token").value_or("");
  auto first = configs->begin();
  if (!token.empty()) {
    first = std::upper_bound(configs->begin(), configs->end(), token,
                             [](const std::string& t, const xml::InventoryConfiguration& c) { return t < c.id; });
  }
  const size_t left = static_cast<size_t>(configs->end() - first);
  const size_t n = std::min(left, kInventoryListPage);
  Configs page(first, first + static_cast<std::ptrdiff_t>(n));
  const std::string next = left > n ? page.back().id : "";
  {
    std::string doc = xml::RenderInventoryConfigurationList(page, token, next);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

}  // namespace confiance::s3
