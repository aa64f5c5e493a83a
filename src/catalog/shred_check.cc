// File: catalog/shred_check.cc
#include "catalog/shred_check.h"

#include <algorithm>
#include <cstddef>
#include <span>

#include "crypto/object_format.h"
#include "kms/justification.h"
#include "kms/wrap_matching.h"

namespace confiance::catalog {
namespace {

constexpr kms::Justification kWhy = kms::Justification::kSystemMaintenance;
// Bytes read per block; the last wrapped_size()-1 bytes of a block are kept
// in front of the next, so that every offset is tried once.
constexpr size_t kBlockSize = size_t{1} << 20;

std::string Version(uint32_t v) { return "v" + std::to_string(v); }

// The provider's keys, each as a matcher for `contexts`.
void AddProviderKeys(kms::KeyProvider& provider, const std::vector<std::string>& contexts, ShredCheckKeys& out) {
  auto* matching = dynamic_cast<kms::WrapMatching*>(&provider);
  if (matching == nullptr) {
    // A KMS: a round trip per byte offset is not an option, and the KMS
    // alone knows which of its keys remain.
    ++out.remaining;
    out.not_tried.push_back("provider key " + provider.DefaultKeyId() +
                            ": held in a KMS, which cannot be asked about every byte offset");
    return;
  }
  for (const std::string& id : matching->MatchableKeyIds()) {
    ++out.remaining;
    if (contexts.empty()) continue;
    Result<std::unique_ptr<crypto::EnvelopeMatcher>> m = matching->NewWrapMatcher(id, contexts, crypto::kDataKeySize);
    if (!m.ok()) {
      out.not_tried.push_back("provider key " + id + ": " + m.status().message());
      continue;
    }
    out.wrappers.push_back(RemainingKey{"provider key " + id, contexts, std::move(m).value()});
  }
}

// Every live version of every tenant's key (counted); as matchers for
// `contexts` when it is not empty. Returns the store's errors only.
Status AddTenantKeys(TenantKeys& tenant_keys, const std::vector<std::string>& contexts, ShredCheckKeys& out) {
  ASSIGN_OR_RETURN(std::vector<std::string> tenants, tenant_keys.ListTenantsWithKeys());
  for (const std::string& tenant : tenants) {
    ASSIGN_OR_RETURN(TenantKeyInfo info, tenant_keys.Info(tenant));
    if (info.destroyed) continue;  // nothing of it remains to try
    std::vector<uint32_t> versions = info.previous_versions;
    versions.push_back(info.version);
    for (uint32_t v : versions) {
      const std::string name = "tenant key " + tenant + " " + Version(v);
      ++out.remaining;
      Result<std::shared_ptr<const crypto::SecretBytes>> key = tenant_keys.GetVersion(tenant, kWhy, v);
      if (!key.ok()) {
        out.not_tried.push_back(name + ": " + key.status().message());
        continue;
      }
      if (contexts.empty()) continue;
      ASSIGN_OR_RETURN(std::unique_ptr<crypto::EnvelopeMatcher> m,
                       crypto::EnvelopeMatcher::Create(**key, contexts, crypto::kDataKeySize));
      out.wrappers.push_back(RemainingKey{name, contexts, std::move(m)});
    }
  }
  return OkStatus();
}

// Counts the bucket keys that remain (none of them wraps a tenant or a
// bucket key: they are counted, not tried). A bucket whose key or tenant
// key was destroyed has none left; one that cannot be unwrapped (a policy
// refusing SYSTEM_MAINTENANCE, a tenant's KMS) is not tried.
Status CountBucketKeys(const std::vector<BucketRecord>& buckets, BucketKeys& bucket_keys, ShredCheckKeys& out) {
  for (const BucketRecord& b : buckets) {
    if (Status gone = bucket_keys.CheckNotShredded(b); !gone.ok()) {
      if (gone.code() == StatusCode::kPermissionDenied) continue;
      return gone;
    }
    std::vector<uint32_t> versions{b.key_version};
    for (const BucketRecord::PreviousKey& k : b.previous_keys) versions.push_back(k.version);
    for (uint32_t v : versions) {
      ++out.remaining;
      Result<std::shared_ptr<const crypto::SecretBytes>> key = bucket_keys.Get(b, kWhy, v);
      if (!key.ok()) out.not_tried.push_back("bucket key " + b.name + " " + Version(v) + ": " + key.status().message());
    }
  }
  return OkStatus();
}

// The versions to try: at least `min_versions`, and every version the
// store still records of the destroyed key.
Result<uint32_t> VersionBound(const ShredScope& scope, TenantKeys& tenant_keys,
                              const std::vector<BucketRecord>& buckets, uint32_t min_versions) {
  uint32_t bound = std::max<uint32_t>(min_versions, 1);
  if (!scope.is_bucket()) {
    Result<TenantKeyInfo> info = tenant_keys.Info(scope.tenant);
    if (info.ok()) {
      bound = std::max(bound, info->version);
    } else if (info.status().code() != StatusCode::kNotFound) {
      return info.status();
    }
    return bound;
  }
  for (const BucketRecord& b : buckets) {
    if (b.id != scope.bucket_id) continue;
    bound = std::max(bound, b.key_version);
    for (const BucketRecord::PreviousKey& k : b.previous_keys) bound = std::max(bound, k.version);
  }
  return bound;
}

// Tries every offset of `data` (the first `tried` bytes of it are offsets;
// `data` extends wrapped_size()-1 bytes past them) against every key.
Status TryOffsets(std::string_view data, size_t tried, uint64_t base, const std::string& file,
                  std::vector<RemainingKey>& keys, size_t wrapped_size, ShredScan& out) {
  // The version byte is the cheap filter: random bytes pass it once in 256.
  const char version = static_cast<char>(crypto::kWrapVersion);
  for (size_t i = data.find(version); i < tried; i = data.find(version, i + 1)) {
    const std::string_view candidate = data.substr(i, wrapped_size);
    if (candidate.size() < wrapped_size) break;
    for (RemainingKey& k : keys) {
      ASSIGN_OR_RETURN(std::optional<size_t> hit, k.matcher->Match(candidate));
      if (hit) out.hits.push_back(ShredHit{file, base + i, k.name, k.contexts[*hit]});
    }
  }
  return OkStatus();
}

Status ScanFile(Env& env, const std::string& path, std::vector<RemainingKey>& keys, size_t wrapped_size,
                ShredScan& out) {
  ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, env.NewSequentialFile(path));
  ++out.files;
  const size_t keep = wrapped_size - 1;
  std::string buf;  // carried bytes, then the new block
  std::string block(kBlockSize, '\0');
  uint64_t base = 0;  // file offset of buf[0]
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, file->Read(std::as_writable_bytes(std::span(block.data(), block.size()))));
    if (n == 0) break;
    out.bytes += n;
    buf.append(block.data(), n);
    if (buf.size() > keep) {
      const size_t tried = buf.size() - keep;
      RETURN_IF_ERROR(TryOffsets(buf, tried, base, path, keys, wrapped_size, out));
      buf.erase(0, tried);
      base += tried;
    }
  }
  // The tail holds no whole envelope (fewer than wrapped_size bytes).
  return OkStatus();
}

Status ScanTree(Env& env, const std::string& path, std::vector<RemainingKey>& keys, size_t wrapped_size,
                ShredScan& out) {
  Result<std::vector<std::string>> children = env.GetChildren(path);
  if (!children.ok()) return ScanFile(env, path, keys, wrapped_size, out);  // not a directory
  std::sort(children->begin(), children->end());
  for (const std::string& c : *children) RETURN_IF_ERROR(ScanTree(env, path + "/" + c, keys, wrapped_size, out));
  return OkStatus();
}

}  // namespace

Result<ShredScope> ParseShredScope(std::string_view tenant, std::string_view scope) {
  if (tenant.empty()) return InvalidArgumentError("the receipt names no tenant");
  ShredScope s;
  s.tenant = std::string(tenant);
  if (scope == "tenant") return s;
  // "bucket <name> <id>": bucket names and ids hold no spaces.
  constexpr std::string_view kBucket = "bucket ";
  if (scope.starts_with(kBucket)) {
    std::string_view rest = scope.substr(kBucket.size());
    const size_t sp = rest.find(' ');
    if (sp != std::string_view::npos && sp > 0 && sp + 1 < rest.size() &&
        rest.find(' ', sp + 1) == std::string_view::npos) {
      s.bucket_name = std::string(rest.substr(0, sp));
      s.bucket_id = std::string(rest.substr(sp + 1));
      return s;
    }
  }
  return InvalidArgumentError("unknown receipt scope \"" + std::string(scope) +
                              "\" (expected \"tenant\" or \"bucket <name> <id>\")");
}

std::vector<std::string> DestroyedKeyContexts(const ShredScope& scope, bool by_tenant_key, uint32_t max_version) {
  std::vector<std::string> out;
  if (!scope.is_bucket() && by_tenant_key) return out;
  for (uint32_t v = 1; v <= max_version; ++v) {
    out.push_back(scope.is_bucket() ? BucketKeyContext(scope.bucket_id, scope.tenant, by_tenant_key, v)
                                    : TenantKeyContext(scope.tenant, v));
  }
  return out;
}

Result<ShredCheckKeys> GatherShredCheckKeys(const ShredScope& scope, kms::KeyProvider& provider,
                                            TenantKeys& tenant_keys, BucketKeys& bucket_keys, Catalog& catalog,
                                            uint32_t min_versions) {
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, catalog.ListBuckets());
  ShredCheckKeys out;
  ASSIGN_OR_RETURN(out.max_version, VersionBound(scope, tenant_keys, buckets, min_versions));
  AddProviderKeys(provider, DestroyedKeyContexts(scope, /*by_tenant_key=*/false, out.max_version), out);
  RETURN_IF_ERROR(AddTenantKeys(tenant_keys, DestroyedKeyContexts(scope, /*by_tenant_key=*/true, out.max_version), out));
  RETURN_IF_ERROR(CountBucketKeys(buckets, bucket_keys, out));
  return out;
}

Result<ShredScan> ScanForDestroyedKey(Env& env, const std::vector<std::string>& roots,
                                      std::vector<RemainingKey>& keys) {
  ShredScan out;
  const size_t wrapped_size = crypto::kWrapOverhead + crypto::kDataKeySize;
  for (const RemainingKey& k : keys) {
    if (k.matcher->wrapped_size() != wrapped_size) return InvalidArgumentError("shred check: a matcher of another key size");
  }
  for (const std::string& root : roots) RETURN_IF_ERROR(ScanTree(env, root, keys, wrapped_size, out));
  return out;
}

}  // namespace confiance::catalog
