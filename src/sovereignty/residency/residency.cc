// File: sovereignty/residency/residency.cc
#include "sovereignty/residency/residency.h"

#include <algorithm>
#include <set>

#include "catalog/version_id.h"
#include "common/logging.h"
#include "crypto/hash.h"

namespace confiance::sovereignty {
namespace {

using json = nlohmann::json;

constexpr std::string_view kPartition = "residency";
constexpr size_t kPageSize = 1000;

std::string TenantKey(std::string_view tenant) { return "t/" + std::string(tenant); }
std::string BucketKey(const catalog::BucketRecord& b) { return "b/" + b.id; }

std::string EncodeRule(const ResidencyRule& r) {
  return json{{"v", 1}, {"j", r.jurisdictions}, {"ca", r.ciphertext_abroad}}.dump();
}

Result<ResidencyRule> DecodeRule(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("v") || j["v"] != 1 || !j.contains("j") || !j["j"].is_array() ||
      !j.contains("ca") || !j["ca"].is_boolean()) {
    return DataLossError("malformed residency rule record");
  }
  ResidencyRule r;
  for (const json& c : j["j"]) {
    if (!c.is_string()) return DataLossError("malformed residency rule record");
    r.jurisdictions.push_back(c.get<std::string>());
  }
  r.ciphertext_abroad = j["ca"].get<bool>();
  return r;
}

}  // namespace

Result<ResidencyRule> RuleFromJson(const json& j) {
  if (!j.is_object()) return InvalidArgumentError("a residency rule is a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (k != "jurisdictions" && k != "ciphertext_abroad") {
      return InvalidArgumentError("unknown field '" + k + "' (jurisdictions, ciphertext_abroad)");
    }
  }
  auto list = j.find("jurisdictions");
  if (list == j.end() || !list->is_array()) {
    return InvalidArgumentError(R"(expected {"jurisdictions": ["FR", "EU", ...], "ciphertext_abroad": false})");
  }
  ResidencyRule r;
  std::set<std::string> seen;
  for (const json& c : *list) {
    if (!c.is_string()) return InvalidArgumentError("jurisdictions must be strings");
    if (seen.insert(c.get<std::string>()).second) r.jurisdictions.push_back(c.get<std::string>());
  }
  if (auto ca = j.find("ciphertext_abroad"); ca != j.end()) {
    if (!ca->is_boolean()) return InvalidArgumentError("ciphertext_abroad must be true or false");
    r.ciphertext_abroad = ca->get<bool>();
  }
  RETURN_IF_ERROR(ValidateRule(r));
  return r;
}

json RuleToJson(const std::optional<ResidencyRule>& rule) {
  if (!rule) return nullptr;
  return json{{"jurisdictions", rule->jurisdictions}, {"ciphertext_abroad", rule->ciphertext_abroad}};
}

Residency::Residency(std::vector<PoolSpec> pools, blob::PoolRouter& router, meta::MetaStore& store,
                     catalog::Catalog& catalog)
    : pools_(std::move(pools)), router_(router), store_(store), catalog_(catalog), cache_(store, kResidencyNotices) {}

const PoolSpec* Residency::FindPool(std::string_view name) const {
  for (const PoolSpec& p : pools_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Result<std::optional<ResidencyRule>> Residency::ReadRule(const std::string& key) {
  return cache_.FindOrLoad(key, [&]() -> Result<std::optional<ResidencyRule>> {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kPartition, key));
    if (!v) return std::optional<ResidencyRule>();
    ASSIGN_OR_RETURN(ResidencyRule r, DecodeRule(*v));
    return std::optional<ResidencyRule>(std::move(r));
  });
}

Status Residency::WriteRule(const std::string& key, const std::optional<ResidencyRule>& rule) {
  meta::Batch b;
  b.op_tag = "residency-rule";
  if (rule) {
    b.Put(key, EncodeRule(*rule));
  } else {
    b.Delete(key);
  }
  Status s = store_.Apply(kPartition, b);
  // Dropped whatever the result (a failed write may still land), and the
  // other processes told; the next read caches what is stored.
  cache_.Changed(key);
  return s;
}

Result<std::optional<ResidencyRule>> Residency::TenantRule(std::string_view tenant) {
  return ReadRule(TenantKey(tenant));
}

Result<std::optional<ResidencyRule>> Residency::BucketRule(const catalog::BucketRecord& bucket) {
  return ReadRule(BucketKey(bucket));
}

Result<std::optional<ResidencyRule>> Residency::EffectiveRule(const catalog::BucketRecord& bucket) {
  ASSIGN_OR_RETURN(std::optional<ResidencyRule> t, TenantRule(bucket.owner));
  ASSIGN_OR_RETURN(std::optional<ResidencyRule> b, BucketRule(bucket));
  return Effective(t, b);
}

Status Residency::SetTenantRule(std::string_view tenant, const std::optional<ResidencyRule>& rule) {
  if (rule) RETURN_IF_ERROR(ValidateRule(*rule));
  return WriteRule(TenantKey(tenant), rule);
}

Status Residency::SetBucketRule(const catalog::BucketRecord& bucket, const std::optional<ResidencyRule>& rule) {
  if (rule) RETURN_IF_ERROR(ValidateRule(*rule));
  ASSIGN_OR_RETURN(std::optional<ResidencyRule> tenant, TenantRule(bucket.owner));
  RETURN_IF_ERROR(Narrows(tenant, rule));
  RETURN_IF_ERROR(ChoosePool(pools_, Effective(tenant, rule), bucket.location).status());
  return WriteRule(BucketKey(bucket), rule);
}

Status Residency::CheckNewBucket(std::string_view tenant, std::string_view location) {
  ASSIGN_OR_RETURN(std::optional<ResidencyRule> t, TenantRule(tenant));
  return ChoosePool(pools_, Effective(t, std::nullopt), location).status();
}

Result<Residency::Placement> Residency::ForWrite(const catalog::BucketRecord& bucket, std::string_view storage_class) {
  ASSIGN_OR_RETURN(std::optional<ResidencyRule> rule, EffectiveRule(bucket));
  ASSIGN_OR_RETURN(const PoolSpec* pool, ChoosePool(pools_, rule, bucket.location, storage_class));
  Placement p;
  p.pool = pool;
  p.store = &router_.Pool(pool->name);
  p.inline_allowed = pool->name == router_.default_pool();
  return p;
}

Result<BucketReport> Residency::Report(const catalog::BucketRecord& bucket) {
  BucketReport report;
  report.tenant = bucket.owner;
  report.bucket = bucket.name;
  ASSIGN_OR_RETURN(report.rule, EffectiveRule(bucket));
  for (const PoolSpec& p : pools_) report.by_pool[p.name];
  catalog::ListVersionsOptions o;
  o.max_keys = kPageSize;
  for (;;) {
    ASSIGN_OR_RETURN(catalog::VersionsPage page, catalog_.ListObjectVersions(bucket, o));
    for (const catalog::ListedVersion& v : page.versions) {
      if (v.record.delete_marker) continue;
      ObjectPlacement op;
      op.key = v.key;
      op.version_id = catalog::ExternalVersionId(v.record);
      op.latest = v.is_latest;
      op.size = v.record.size;
      std::set<std::string> pools;
      std::set<std::string> jurisdictions;
      for (const catalog::Segment& seg : v.record.segments) {
        const std::string pool = seg.blob_id.empty() ? router_.default_pool() : router_.PoolOf(seg.blob_id);
        PoolTotals& t = report.by_pool[pool];
        if (seg.blob_id.empty()) {
          ++t.inline_segments;
        } else {
          ++t.blobs;
        }
        t.bytes += seg.plain_size;
        pools.insert(pool);
        const PoolSpec* spec = FindPool(pool);
        jurisdictions.insert(spec ? spec->jurisdiction : "unknown");
        if (spec == nullptr || !Allowed(report.rule, *spec)) op.misplaced = true;
      }
      for (const std::string& p : pools) ++report.by_pool[p].objects;
      op.pools.assign(pools.begin(), pools.end());
      op.jurisdictions.assign(jurisdictions.begin(), jurisdictions.end());
      if (op.misplaced) ++report.misplaced;
      report.objects.push_back(std::move(op));
    }
    if (!page.truncated) break;
    o.key_marker = page.next_key_marker;
    o.version_id_marker = page.next_version_id_marker;
  }
  return report;
}

json Residency::ReportJson(const BucketReport& r) {
  json objects = json::array();
  for (const ObjectPlacement& o : r.objects) {
    objects.push_back({{"key", o.key},
                       {"version_id", o.version_id},
                       {"latest", o.latest},
                       {"size", o.size},
                       {"pools", o.pools},
                       {"jurisdictions", o.jurisdictions},
                       {"misplaced", o.misplaced}});
  }
  json by_pool = json::object();
  json blobs_by_pool = json::object();
  for (const auto& [name, t] : r.by_pool) {
    by_pool[name] = {{"objects", t.objects}, {"blobs", t.blobs}, {"inline_segments", t.inline_segments},
                     {"bytes", t.bytes}};
    blobs_by_pool[name] = t.blobs;
  }
  json doc = {{"tenant", r.tenant},
              {"bucket", r.bucket},
              {"rule", RuleToJson(r.rule)},
              {"objects", objects},
              {"totals", {{"objects", r.objects.size()}, {"misplaced", r.misplaced}, {"by_pool", by_pool}}}};
  // What the transparency log entry records: small whatever the bucket.
  doc["summary"] = {{"objects", r.objects.size()}, {"misplaced", r.misplaced}, {"blobs_by_pool", blobs_by_pool}};
  // nlohmann's dump() sorts object keys: a canonical form anyone can redo.
  doc["summary_sha256"] = crypto::Sha256Hex(doc.dump());
  return doc;
}

Result<std::optional<Residency::MoveCounts>> Residency::MoveSegments(
    const catalog::BucketRecord& bucket, const std::string& key, const std::string& vid,
    const catalog::ObjectRecord& rec, const std::vector<size_t>& which, const Placement& target,
    const std::optional<std::string>& storage_class, std::string_view expected_op_tag) {
  // Segment index -> (old blob id, "" if inline; new blob id).
  std::map<size_t, std::pair<std::string, std::string>> moves;
  MoveCounts counts;
  auto drop_copies = [&] {
    for (const auto& [i, m] : moves) (void)router_.Delete(m.second);
  };
  for (size_t i : which) {
    const catalog::Segment& seg = rec.segments[i];
    if (!seg.blob_id.empty()) {
      Result<std::string> copied = router_.CopyTo(seg.blob_id, target.pool->name);
      if (!copied.ok()) {
        drop_copies();
        return copied.status();
      }
      Result<std::unique_ptr<blob::BlobReader>> r = router_.Open(*copied);
      if (r.ok()) counts.bytes += (*r)->size();
      moves[i] = {seg.blob_id, *copied};
      continue;
    }
    Result<std::unique_ptr<blob::BlobWriter>> w = target.store->NewBlob();
    Status written =
        w.ok() ? (*w)->Append(std::as_bytes(std::span(seg.inline_data.data(), seg.inline_data.size()))) : w.status();
    if (written.ok()) written = (*w)->Commit();
    if (!written.ok()) {
      drop_copies();
      return written;
    }
    moves[i] = {"", (*w)->id()};
    counts.bytes += seg.inline_data.size();
  }
  // Compare-and-set: only if every moved segment still has the data we
  // copied (UpdateObjectVersion re-applies this to a fresher record), and
  // with `expected_op_tag` only if the record is the one the caller judged.
  Result<catalog::ObjectRecord> committed =
      catalog_.UpdateObjectVersion(bucket, key, vid, [&](catalog::ObjectRecord& r) -> Status {
        if (!expected_op_tag.empty() && r.op_tag != expected_op_tag) {
          return FailedPreconditionError("the object changed");
        }
        for (const auto& [i, m] : moves) {
          if (i >= r.segments.size() || r.segments[i].blob_id != m.first ||
              (m.first.empty() && r.segments[i].inline_data != rec.segments[i].inline_data)) {
            return FailedPreconditionError("the object changed during the move");
          }
        }
        for (const auto& [i, m] : moves) {
          r.segments[i].blob_id = m.second;
          r.segments[i].inline_data.clear();
        }
        if (storage_class) r.storage_class = *storage_class;
        return OkStatus();
      });
  if (!committed.ok()) {
    drop_copies();
    const StatusCode c = committed.status().code();
    if (c == StatusCode::kFailedPrecondition || c == StatusCode::kNotFound) return std::optional<MoveCounts>();
    return committed.status();
  }
  // The record now names the copies: the old blobs are unreferenced. A
  // failed delete leaves an orphan for the sweeper.
  for (const auto& [i, m] : moves) {
    if (!m.first.empty()) (void)router_.Delete(m.first);
    ++counts.blobs;
  }
  return std::optional<MoveCounts>(counts);
}

Result<bool> Residency::MoveToStorageClass(const catalog::BucketRecord& bucket, const std::string& key,
                                           const std::string& version_id, std::string_view expected_op_tag,
                                           std::string_view storage_class, const std::function<Status()>& before_move) {
  Result<catalog::ObjectRecord> rec = catalog_.GetObjectVersion(bucket, key, version_id, /*with_inline_data=*/true);
  if (!rec.ok()) {
    if (rec.status().code() == StatusCode::kNotFound) return false;
    return rec.status();
  }
  const std::string stored = catalog::StoredStorageClass(storage_class);
  if (rec->delete_marker || rec->op_tag != expected_op_tag || rec->storage_class == stored) return false;
  ASSIGN_OR_RETURN(Placement target, ForWrite(bucket, storage_class));
  if (before_move) RETURN_IF_ERROR(before_move());
  std::vector<size_t> all(rec->segments.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  ASSIGN_OR_RETURN(std::optional<MoveCounts> moved,
                   MoveSegments(bucket, key, version_id, *rec, all, target, stored, expected_op_tag));
  return moved.has_value();
}

Result<MigrateStats> Residency::Migrate(const catalog::BucketRecord& bucket) {
  MigrateStats stats;
  ASSIGN_OR_RETURN(std::optional<ResidencyRule> rule, EffectiveRule(bucket));
  std::map<std::string, Result<Placement>> targets;  // by storage class
  catalog::ListVersionsOptions o;
  o.max_keys = kPageSize;
  for (;;) {
    ASSIGN_OR_RETURN(catalog::VersionsPage page, catalog_.ListObjectVersions(bucket, o));
    for (const catalog::ListedVersion& v : page.versions) {
      if (v.record.delete_marker) continue;
      ++stats.objects_examined;
      // By its id when it has one, so that a version overwritten since the
      // listing is still the one moved.
      const std::string vid = v.record.version_id.empty() ? "" : catalog::ExternalVersionId(v.record);
      Result<catalog::ObjectRecord> rec = catalog_.GetObjectVersion(bucket, v.key, vid, /*with_inline_data=*/true);
      if (!rec.ok()) {
        if (rec.status().code() == StatusCode::kNotFound) {
          ++stats.skipped_changed;
        } else {
          ++stats.failed;
        }
        continue;
      }
      std::vector<size_t> misplaced;
      for (size_t i = 0; i < rec->segments.size(); ++i) {
        const catalog::Segment& seg = rec->segments[i];
        const PoolSpec* spec = FindPool(seg.blob_id.empty() ? router_.default_pool() : router_.PoolOf(seg.blob_id));
        if (spec == nullptr || !Allowed(rule, *spec)) misplaced.push_back(i);
      }
      if (misplaced.empty()) continue;
      // Where its storage class may go now: nowhere is the bucket's error,
      // as for any write.
      const std::string storage_class(catalog::StorageClassOf(*rec));
      auto found = targets.find(storage_class);
      if (found == targets.end()) found = targets.emplace(storage_class, ForWrite(bucket, storage_class)).first;
      if (!found->second.ok()) return found->second.status();
      Result<std::optional<MoveCounts>> moved =
          MoveSegments(bucket, v.key, vid, *rec, misplaced, *found->second, std::nullopt, "");
      if (!moved.ok()) {
        ++stats.failed;
      } else if (!*moved) {
        ++stats.skipped_changed;
      } else {
        stats.blobs_moved += (*moved)->blobs;
        stats.bytes_moved += (*moved)->bytes;
        ++stats.objects_moved;
      }
    }
    if (!page.truncated) break;
    o.key_marker = page.next_key_marker;
    o.version_id_marker = page.next_version_id_marker;
  }
  return stats;
}

}  // namespace confiance::sovereignty
