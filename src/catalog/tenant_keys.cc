// File: catalog/tenant_keys.cc
#include "catalog/tenant_keys.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "common/cbor.h"
#include "common/wall_clock.h"
#include "crypto/object_format.h"
#include "crypto/random.h"

namespace confiance::catalog {

// Version 1 keeps the context it always had; later versions bind their number.
std::string TenantKeyContext(std::string_view tenant, uint32_t version) {
  std::string c = "confiance/tenant-key/v1/" + std::string(tenant);
  if (version > 1) c += "/" + std::to_string(version);
  return c;
}

namespace {

using json = nlohmann::json;
constexpr int kTenantKeyRecordVersion = 1;
constexpr int kMaxUpdateAttempts = 16;

std::string Context(std::string_view tenant, uint32_t version = 1) { return TenantKeyContext(tenant, version); }

Status Denied(std::string why) { return PermissionDeniedError(std::string(kKeyAccessDenied) + std::move(why)); }

// How messages name the key of record id `id`: "tenant acme", or "KMS key
// payroll of tenant acme" for a named key.
std::string KeyOwnerText(std::string_view id) {
  if (std::optional<KmsKeyRef> named = NamedKeyOfRecordId(id)) {
    return "KMS key " + named->name + " of tenant " + named->tenant;
  }
  return "tenant " + std::string(id);
}

Status NoSuchNamedKey(const KmsKeyRef& ref) {
  return NotFoundError("tenant " + ref.tenant + " has no KMS key named " + ref.name);
}

// Hold your own key: {"e": endpoint, "ca": CA PEM, "j": true if the KMS is
// told the justification (absent: not)} (the key id is "pk").
json ExternalJson(const kms::ExternalKey& x) {
  json j{{"e", x.endpoint}, {"ca", x.ca_pem}};
  if (x.send_justification) j["j"] = true;
  return j;
}
kms::ExternalKey ExternalFromJson(const json& j, std::string key_id) {
  return kms::ExternalKey{j.at("e").get<std::string>(), j.at("ca").get<std::string>(), std::move(key_id),
                          j.value("j", false)};
}

}  // namespace

std::string EncodeTenantKey(const TenantKeyInfo& info, std::string_view wrapped,
                            const std::map<uint32_t, std::string>& previous,
                            const PreviousWrappers& previous_wrappers) {
  json j = {{"v", kTenantKeyRecordVersion},
            {"pk", info.provider_key_id},
            {"wk", json::binary(std::vector<std::uint8_t>(wrapped.begin(), wrapped.end()))},
            {"c", info.created_ms},
            {"al", info.allowed.bits()}};
  // Rotation fields, absent for a key never rotated (older records decode).
  if (info.version > 1) j["kv"] = info.version;
  if (info.rotated_ms != 0) j["rm"] = info.rotated_ms;
  if (!previous.empty()) {
    json prev = json::array();
    for (const auto& [n, w] : previous) {
      prev.push_back(json::array({n, json::binary(std::vector<std::uint8_t>(w.begin(), w.end()))}));
    }
    j["pv"] = std::move(prev);
  }
  // Hold your own key, absent for a key wrapped by the server's provider.
  if (info.external) j["x"] = ExternalJson(*info.external);
  if (!info.description.empty()) j["ds"] = info.description;
  if (info.rotation_period_days != 0) j["rp"] = info.rotation_period_days;  // a named key's schedule
  if (!previous_wrappers.empty()) {
    json pw = json::array();
    for (const auto& [n, w] : previous_wrappers) {
      pw.push_back(json::array({n, w.first, w.second ? ExternalJson(*w.second) : json()}));
    }
    j["pw"] = std::move(pw);
  }
  if (info.destroyed) {
    j["d"] = true;
    j["dm"] = info.destroyed_ms;
  }
  std::vector<std::uint8_t> v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Result<std::pair<TenantKeyInfo, std::string>> DecodeTenantKey(std::string_view bytes,
                                                             std::map<uint32_t, std::string>* previous,
                                                             PreviousWrappers* previous_wrappers) {
  json j = ParseCborRecord(bytes);
  if (j.is_discarded() || !j.is_object()) return DataLossError("undecodable tenant key record");
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_unsigned() || v->get<uint64_t>() != kTenantKeyRecordVersion) {
    return DataLossError("tenant key record of unknown version");
  }
  TenantKeyInfo info;
  std::string wrapped;
  try {
    info.provider_key_id = j.at("pk").get<std::string>();
    const auto& wk = j.at("wk").get_binary();
    wrapped.assign(wk.begin(), wk.end());
    info.created_ms = j.at("c").get<uint64_t>();
    info.allowed = kms::JustificationSet::FromBits(j.at("al").get<uint32_t>());
    info.destroyed = j.value("d", false);
    info.destroyed_ms = j.value("dm", uint64_t{0});
    info.version = j.value("kv", uint32_t{1});
    info.rotated_ms = j.value("rm", uint64_t{0});
    info.description = j.value("ds", std::string());
    info.rotation_period_days = j.value("rp", uint32_t{0});
    if (auto pv = j.find("pv"); pv != j.end()) {
      for (const json& e : pv->get_ref<const json::array_t&>()) {
        const auto n = e.at(0).get<uint32_t>();
        const auto& w = e.at(1).get_binary();
        if (n == 0 || n >= info.version) return DataLossError("tenant key record: bad previous version");
        info.previous_versions.push_back(n);
        if (previous != nullptr) (*previous)[n] = std::string(w.begin(), w.end());
      }
    }
    if (auto x = j.find("x"); x != j.end()) info.external = ExternalFromJson(*x, info.provider_key_id);
    if (auto pw = j.find("pw"); pw != j.end()) {
      for (const json& e : pw->get_ref<const json::array_t&>()) {
        const auto n = e.at(0).get<uint32_t>();
        std::string pk = e.at(1).get<std::string>();
        std::optional<kms::ExternalKey> x;
        if (!e.at(2).is_null()) x = ExternalFromJson(e.at(2), pk);
        if (previous_wrappers != nullptr) (*previous_wrappers)[n] = std::make_pair(std::move(pk), std::move(x));
      }
    }
  } catch (const json::exception&) {
    return DataLossError("malformed tenant key record");
  }
  if (info.destroyed != wrapped.empty()) return DataLossError("tenant key record: destroyed flag and key disagree");
  return std::make_pair(std::move(info), std::move(wrapped));
}

// Whether version `version` (0: current) of the key is held in a tenant's
// KMS that is told the justification: that KMS decides per reason, so a key
// it unwrapped for one reason is not reused for another (docs/kmip.md).
bool TenantKeys::TellsReason(const Record& r, uint32_t version) {
  if (version == 0 || version == r.info.version) return r.info.external && r.info.external->send_justification;
  auto w = r.previous_wrappers.find(version);
  return w != r.previous_wrappers.end() && w->second.second && w->second.second->send_justification;
}

bool TenantKeys::GrantedFromCache(const Cached& c, uint32_t version, const kms::KeyUse& use) {
  auto g = c.granted.find(version);
  if (g == c.granted.end() || !g->second.Contains(use.why)) return false;
  if (use.why != kms::Justification::kOperatorApproved || use.approval_id.empty()) return true;
  auto a = c.approvals.find(version);
  return a != c.approvals.end() && a->second.contains(use.approval_id);
}

TenantKeys::TenantKeys(meta::MetaStore& store, kms::KeyProvider& provider, std::chrono::milliseconds cache_lifetime)
    : store_(store), provider_(provider), lifetime_(cache_lifetime) {}

Result<std::pair<TenantKeys::Record, std::string>> TenantKeys::ReadOrCreate(const std::string& tenant) {
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kTenantKeyPartition, tenant));
    if (bytes) {
      std::map<uint32_t, std::string> previous;
      PreviousWrappers wrappers;
      ASSIGN_OR_RETURN(auto decoded, DecodeTenantKey(*bytes, &previous, &wrappers));
      return std::make_pair(
          Record{std::move(decoded.first), std::move(decoded.second), std::move(previous), std::move(wrappers)},
          std::move(*bytes));
    }
    // A named key exists only once its tenant created it.
    if (std::optional<KmsKeyRef> named = NamedKeyOfRecordId(tenant)) return NoSuchNamedKey(*named);
    ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
    Record fresh;
    fresh.info.provider_key_id = provider_.DefaultKeyId();
    fresh.info.created_ms = UnixMillisNow();
    ASSIGN_OR_RETURN(fresh.wrapped, provider_.Wrap(fresh.info.provider_key_id, key, Context(tenant)));
    std::string encoded = EncodeTenantKey(fresh.info, fresh.wrapped);
    meta::Batch batch;
    batch.op_tag = "tenant-key-create:" + tenant;
    batch.Expect(tenant, std::nullopt);
    batch.Put(tenant, encoded);
    Status st = store_.Apply(kTenantKeyPartition, batch);
    if (st.ok()) return std::make_pair(std::move(fresh), std::move(encoded));
    if (st.code() != StatusCode::kFailedPrecondition) return st;
    // Another request created it first: use that one.
  }
  return AbortedError("tenant key of " + tenant + ": too many concurrent changes");
}

Result<std::shared_ptr<TenantKeys::Cached>> TenantKeys::Load(const std::string& tenant, bool create) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(tenant);
    if (it != cache_.end() && now - it->second->loaded < LifetimeOf(it->second->record)) return it->second;
  }
  auto entry = std::make_shared<Cached>();
  if (create) {
    ASSIGN_OR_RETURN(auto read, ReadOrCreate(tenant));
    entry->record = std::move(read.first);
  } else {
    ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kTenantKeyPartition, tenant));
    if (!bytes) return std::shared_ptr<Cached>();
    std::map<uint32_t, std::string> previous;
    PreviousWrappers wrappers;
    ASSIGN_OR_RETURN(auto decoded, DecodeTenantKey(*bytes, &previous, &wrappers));
    entry->record =
        Record{std::move(decoded.first), std::move(decoded.second), std::move(previous), std::move(wrappers)};
  }
  entry->loaded = now;
  std::lock_guard lock(mu_);
  cache_[tenant] = entry;
  return entry;
}

Status TenantKeys::Allowed(const std::string& tenant, const Record& r, kms::Justification why) {
  if (r.info.destroyed) {
    if (NamedKeyOfRecordId(tenant)) {
      return Denied("the " + KeyOwnerText(tenant) +
                    " was destroyed (crypto-shredded); the data under it can no longer be decrypted.");
    }
    return Denied("the key of tenant " + tenant + " was destroyed (crypto-shredded); its data can no longer be decrypted.");
  }
  if (!r.info.allowed.Contains(why)) {
    return Denied("the key-access justification " + std::string(kms::JustificationName(why)) +
                  " is not allowed by the key policy of " + KeyOwnerText(tenant) + ".");
  }
  return OkStatus();
}

Status TenantKeys::Check(std::string_view tenant_view, kms::Justification why, uint32_t* current_version) {
  const std::string tenant(tenant_view);
  // Only reads: a tenant without a key yet has the default policy (every
  // reason allowed), and creating the key is Get's job (at bucket creation,
  // off the request path), not a check's.
  ASSIGN_OR_RETURN(std::shared_ptr<Cached> entry, Load(tenant, /*create=*/false));
  if (!entry) {
    if (std::optional<KmsKeyRef> named = NamedKeyOfRecordId(tenant)) return NoSuchNamedKey(*named);
    return OkStatus();
  }
  if (current_version != nullptr) *current_version = entry->record.info.version;
  return Allowed(tenant, entry->record, why);
}

Status TenantKeys::CheckNotDestroyed(std::string_view tenant_view) {
  const std::string tenant(tenant_view);
  ASSIGN_OR_RETURN(std::shared_ptr<Cached> entry, Load(tenant, /*create=*/false));
  if (!entry || !entry->record.info.destroyed) return OkStatus();
  return Allowed(tenant, entry->record, kms::Justification::kTenantRequest);
}

Result<std::shared_ptr<const crypto::SecretBytes>> TenantKeys::Get(std::string_view tenant,
                                                                  kms::Justification why) {
  return GetVersion(tenant, why, 0);
}

Result<std::shared_ptr<const crypto::SecretBytes>> TenantKeys::GetVersion(std::string_view tenant_view,
                                                                         const kms::KeyUse& use,
                                                                         uint32_t version) {
  const std::string tenant(tenant_view);
  const kms::Justification why = use.why;
  ASSIGN_OR_RETURN(std::shared_ptr<Cached> entry, Load(tenant, /*create=*/true));
  if (version > entry->record.info.version) {
    // Rotated since this entry was read (by another process sharing the
    // store): read the record again.
    {
      std::lock_guard lock(mu_);
      if (auto it = cache_.find(tenant); it != cache_.end() && it->second == entry) cache_.erase(it);
    }
    ASSIGN_OR_RETURN(entry, Load(tenant, /*create=*/true));
  }
  RETURN_IF_ERROR(Allowed(tenant, entry->record, why));
  const bool current = version == 0 || version == entry->record.info.version;
  if (current) version = entry->record.info.version;
  const std::string* wrapped = &entry->record.wrapped;
  std::string provider_key_id = entry->record.info.provider_key_id;
  std::optional<kms::ExternalKey> external = entry->record.info.external;
  const bool per_reason = TellsReason(entry->record, version);
  {
    std::lock_guard lock(mu_);
    if (!per_reason || GrantedFromCache(*entry, version, use)) {
      if (current && entry->key) return entry->key;
      if (!current) {
        if (auto it = entry->previous_keys.find(version); it != entry->previous_keys.end()) return it->second;
      }
    }
  }
  if (!current) {
    auto it = entry->record.previous.find(version);
    if (it == entry->record.previous.end()) {
      return Denied("version " + std::to_string(version) + " of the key of tenant " + tenant +
                    " was retired after a rotation.");
    }
    wrapped = &it->second;
    if (auto w = entry->record.previous_wrappers.find(version); w != entry->record.previous_wrappers.end()) {
      provider_key_id = w->second.first;
      external = w->second.second;
    }
  }
  Result<kms::KeyProvider*> provider = ProviderFor(external);
  Result<crypto::SecretBytes> key = provider.ok()
                                        ? (*provider)->Unwrap(provider_key_id, *wrapped, Context(tenant, version),
                                                              use)
                                        : Result<crypto::SecretBytes>(provider.status());
  if (!key.ok() && external) {
    // The tenant's own KMS: its refusal (revoked, destroyed or unknown
    // key, certificate not authorised) is the tenant's answer.
    const StatusCode code = key.status().code();
    if (code == StatusCode::kPermissionDenied || code == StatusCode::kNotFound ||
        code == StatusCode::kFailedPrecondition) {
      return Denied("the KMS of tenant " + tenant + " at " + external->endpoint + " refused to unwrap its key (" +
                    key.status().message() + ").");
    }
    // Down or too slow: Unavailable (503, retry later), not a refusal.
    return Status(code == StatusCode::kDeadlineExceeded ? StatusCode::kUnavailable : code,
                  "the KMS of tenant " + tenant + " at " + external->endpoint + " could not unwrap its key (" +
                      key.status().message() + ")");
  }
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kPermissionDenied || key.status().code() == StatusCode::kNotFound) {
      return Denied("the key provider refused to unwrap the key of tenant " + tenant + " (" +
                    key.status().message() + ").");
    }
    // The server's KMS down or too slow: 503 (retry later), as for a
    // tenant's own KMS above; not the client's timeout.
    if (key.status().code() == StatusCode::kDeadlineExceeded) {
      return UnavailableError("the key provider could not unwrap the key of tenant " + tenant + " (" +
                              key.status().message() + ")");
    }
    return key.status();
  }
  auto shared = std::make_shared<const crypto::SecretBytes>(std::move(key).value());
  std::lock_guard lock(mu_);
  if (per_reason) {
    entry->granted[version].Add(why);
    if (why == kms::Justification::kOperatorApproved && !use.approval_id.empty()) {
      auto& approvals = entry->approvals[version];
      if (approvals.size() >= 1024) approvals.clear();  // bounded; a cleared approval is asked again
      approvals.emplace(use.approval_id);
    }
  }
  if (!current) return entry->previous_keys.emplace(version, shared).first->second;
  if (!entry->key) entry->key = shared;
  return entry->key;
}

Result<TenantKeyInfo> TenantKeys::Info(std::string_view tenant) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kTenantKeyPartition, tenant));
  if (!bytes) return NotFoundError("tenant " + std::string(tenant) + " has no key yet");
  ASSIGN_OR_RETURN(auto decoded, DecodeTenantKey(*bytes));
  return std::move(decoded.first);
}

Result<TenantKeyInfo> TenantKeys::CreateNamed(const KmsKeyRef& ref, std::string description) {
  if (!ref.named() || !ValidTenantId(ref.tenant) || !ValidKmsKeyName(ref.name)) {
    return InvalidArgumentError("a KMS key name is 1 to 64 of A-Z, a-z, 0-9, '-' and '_'");
  }
  const std::string id = ref.RecordId();
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
  Record fresh;
  fresh.info.provider_key_id = provider_.DefaultKeyId();
  fresh.info.created_ms = UnixMillisNow();
  fresh.info.description = std::move(description);
  ASSIGN_OR_RETURN(fresh.wrapped, provider_.Wrap(fresh.info.provider_key_id, key, Context(id)));
  meta::Batch batch;
  batch.op_tag = "kms-key-create:" + id;
  batch.Expect(id, std::nullopt);
  batch.Put(id, EncodeTenantKey(fresh.info, fresh.wrapped));
  Status st = store_.Apply(kTenantKeyPartition, batch);
  if (st.code() == StatusCode::kFailedPrecondition) {
    return AlreadyExistsError("tenant " + ref.tenant + " already has a KMS key named " + ref.name +
                              " (names of destroyed keys are not reused)");
  }
  RETURN_IF_ERROR(st);
  std::lock_guard lock(mu_);
  cache_.erase(id);
  return fresh.info;
}

Result<std::vector<std::string>> TenantKeys::ListNamed(std::string_view tenant) {
  const std::string prefix = std::string(tenant) + "/";
  std::vector<std::string> out;
  meta::ScanOptions opt;
  opt.start = prefix;
  opt.end = std::string(tenant) + static_cast<char>('/' + 1);  // the first key past the prefix
  opt.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(kTenantKeyPartition, opt));
    for (meta::Record& r : recs) out.push_back(r.key.substr(prefix.size()));
    if (recs.size() < opt.limit) return out;
    opt.start = recs.back().key;
    opt.start_exclusive = true;
  }
}

Result<TenantKeyInfo> TenantKeys::Update(std::string_view tenant_view, const std::function<Status(Record&)>& edit) {
  const std::string tenant(tenant_view);
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    ASSIGN_OR_RETURN(auto read, ReadOrCreate(tenant));
    Record next = read.first;
    RETURN_IF_ERROR(edit(next));
    meta::Batch batch;
    batch.op_tag = "tenant-key-update:" + tenant + ":" + std::to_string(UnixMillisNow());
    batch.Expect(tenant, read.second);
    next.info.previous_versions.clear();
    for (const auto& [n, w] : next.previous) next.info.previous_versions.push_back(n);
    for (auto w = next.previous_wrappers.begin(); w != next.previous_wrappers.end();) {
      w = next.previous.contains(w->first) ? std::next(w) : next.previous_wrappers.erase(w);
    }
    batch.Put(tenant, EncodeTenantKey(next.info, next.wrapped, next.previous, next.previous_wrappers));
    Status st = store_.Apply(kTenantKeyPartition, batch);
    if (st.code() == StatusCode::kFailedPrecondition) continue;  // changed meanwhile: edit the newer record
    {
      // Whatever the outcome, the cached entry may be stale now.
      std::lock_guard lock(mu_);
      cache_.erase(tenant);
    }
    RETURN_IF_ERROR(st);
    return next.info;
  }
  return AbortedError("tenant key of " + tenant + ": too many concurrent changes");
}

Result<TenantKeyInfo> TenantKeys::SetAllowed(std::string_view tenant, kms::JustificationSet allowed) {
  return Update(tenant, [&](Record& r) -> Status {
    if (r.info.destroyed) return FailedPreconditionError("the tenant's key was destroyed");
    r.info.allowed = allowed;
    return OkStatus();
  });
}

Result<TenantKeyInfo> TenantKeys::Destroy(std::string_view tenant) {
  ASSIGN_OR_RETURN(TenantKeyInfo info, Update(tenant, [](Record& r) -> Status {
    if (r.info.destroyed) return OkStatus();
    r.info.destroyed = true;
    r.info.destroyed_ms = UnixMillisNow();
    r.wrapped.clear();
    r.previous.clear();
    return OkStatus();
  }));
  // The old record (with the wrapped key) must not survive in the store's
  // files either. Destroy is idempotent, so a failed purge is retried by
  // destroying again.
  if (Status purged = store_.Purge(kTenantKeyPartition); !purged.ok()) {
    return UnavailableError("the key of tenant " + std::string(tenant) +
                            " is destroyed, but its old copy could not be purged from the metadata files (" +
                            purged.message() + "); destroy it again to retry");
  }
  return info;
}

// A new key version (rotation, or a move to another KMS) needs a live key
// and no version still being retired.
Status TenantKeys::CheckCanAddVersion(const Record& r, const std::string& tenant) {
  if (NamedKeyOfRecordId(tenant)) {
    // Its versions are never retired (RotateNamed), nor held in a tenant's KMS.
    return FailedPreconditionError("the " + KeyOwnerText(tenant) + " is a named key: rotate it as one");
  }
  if (r.info.destroyed) return FailedPreconditionError("the tenant's key was destroyed");
  if (!r.previous.empty()) {
    return FailedPreconditionError("a rotation of the key of tenant " + tenant + " is not finished: version " +
                                   std::to_string(r.previous.begin()->first) + " is still in use");
  }
  return OkStatus();
}

Result<TenantKeyInfo> TenantKeys::Rotate(std::string_view tenant_view) {
  const std::string tenant(tenant_view);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kTenantKeyPartition, tenant));
  if (!bytes) return NotFoundError("tenant " + tenant + " has no key yet");
  return Update(tenant, [&](Record& r) -> Status {
    RETURN_IF_ERROR(CheckCanAddVersion(r, tenant));
    return AddVersion(r, tenant);
  });
}

Result<TenantKeyInfo> TenantKeys::UpdateLiveNamed(const KmsKeyRef& ref, const std::function<Status(Record&)>& edit) {
  // (Update's read answers NotFound for a named key never created; an id
  // that names no named key would be a tenant's, which Update creates.)
  if (!ref.named()) return NoSuchNamedKey(ref);
  const std::string id = ref.RecordId();
  return Update(id, [&](Record& r) -> Status {
    if (r.info.destroyed) return FailedPreconditionError("the " + KeyOwnerText(id) + " was destroyed");
    return edit(r);
  });
}

Result<TenantKeyInfo> TenantKeys::RotateNamed(const KmsKeyRef& ref) {
  return UpdateLiveNamed(ref, [&](Record& r) { return AddVersion(r, ref.RecordId()); });
}

Result<TenantKeyInfo> TenantKeys::SetRotationPeriod(const KmsKeyRef& ref, uint32_t days) {
  return UpdateLiveNamed(ref, [&](Record& r) {
    r.info.rotation_period_days = days;
    return OkStatus();
  });
}

namespace {

// Whether a named key's schedule calls for a rotation at `now_ms`.
bool RotationDue(const TenantKeyInfo& info, uint64_t now_ms, uint64_t day_ms) {
  if (info.destroyed || info.rotation_period_days == 0) return false;
  const uint64_t since = info.rotated_ms != 0 ? info.rotated_ms : info.created_ms;
  return now_ms >= since + uint64_t{info.rotation_period_days} * day_ms;
}

}  // namespace

Result<std::vector<TenantKeys::ScheduledRotation>> TenantKeys::RotateDueNamedKeys(uint64_t now_ms, uint64_t day_ms) {
  std::vector<ScheduledRotation> out;
  RETURN_IF_ERROR(ForEachKeyRecord([&](meta::Record& rec) -> Status {
    const std::string& id = rec.key;
    std::optional<KmsKeyRef> ref = NamedKeyOfRecordId(id);
    if (!ref) return OkStatus();
    // (An undecodable record holds up no other key's schedule; every use
    // of that key reports it.)
    Result<std::pair<TenantKeyInfo, std::string>> decoded = DecodeTenantKey(rec.value, nullptr, nullptr);
    if (!decoded.ok() || !RotationDue(decoded->first, now_ms, day_ms)) return OkStatus();
    // Due as read; checked again on the record the rotation edits, so that
    // two processes (or the tenant) rotating at once make one version.
    bool rotated = false;
    Result<TenantKeyInfo> info = Update(id, [&](Record& r) -> Status {
      rotated = RotationDue(r.info, now_ms, day_ms);
      if (!rotated) return AbortedError("no longer due");
      RETURN_IF_ERROR(AddVersion(r, id));
      r.info.rotated_ms = now_ms;  // the schedule's clock: the next one is due a period after this
      return OkStatus();
    });
    if (!rotated) return OkStatus();
    if (!info.ok()) return info.status();
    out.push_back(ScheduledRotation{*ref, *std::move(info)});
    return OkStatus();
  }));
  return out;
}

Status TenantKeys::AddVersion(Record& r, const std::string& tenant) {
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
  const uint32_t next = r.info.version + 1;
  ASSIGN_OR_RETURN(kms::KeyProvider * provider, ProviderFor(r.info.external));
  if (!r.info.external && r.info.provider_key_id != provider_.DefaultKeyId()) {
    // The server's root key was rotated and this record not rewrapped
    // yet: the new version goes under the current root key, the old one
    // keeps its wrapper until the root rotation rewraps it.
    r.previous_wrappers[r.info.version] = std::make_pair(r.info.provider_key_id, std::nullopt);
    r.info.provider_key_id = provider_.DefaultKeyId();
  }
  ASSIGN_OR_RETURN(std::string wrapped, provider->Wrap(r.info.provider_key_id, key, Context(tenant, next),
                                                       kms::KeyUse{kms::Justification::kSystemMaintenance, {}}));
  r.previous[r.info.version] = std::move(r.wrapped);
  r.wrapped = std::move(wrapped);
  r.info.version = next;
  r.info.rotated_ms = UnixMillisNow();
  return OkStatus();
}

Result<TenantKeyInfo> TenantKeys::Retire(std::string_view tenant, uint32_t version) {
  bool changed = false;
  ASSIGN_OR_RETURN(TenantKeyInfo info, Update(tenant, [&](Record& r) -> Status {
    changed = r.previous.erase(version) > 0;
    return OkStatus();
  }));
  if (!changed) return info;
  // As Destroy: the retired wrapped key must not survive in the files.
  if (Status purged = store_.Purge(kTenantKeyPartition); !purged.ok()) {
    return UnavailableError("version " + std::to_string(version) + " of the key of tenant " + std::string(tenant) +
                            " is retired, but its old copy could not be purged (" + purged.message() + ")");
  }
  return info;
}

Result<int> TenantKeys::RewrapUnderDefaultProviderKey(std::string_view tenant_view) {
  const std::string tenant(tenant_view);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kTenantKeyPartition, tenant));
  if (!bytes) return NotFoundError("tenant " + tenant + " has no key");
  int rewrapped = 0;
  RETURN_IF_ERROR(Update(tenant, [&](Record& r) -> Status {
    rewrapped = 0;  // an edit retried after a concurrent change starts over
    const std::string target = provider_.DefaultKeyId();
    // Rewraps one version wrapped by the server's provider under `from`.
    auto rewrap = [&](std::string& wrapped, const std::string& from, uint32_t version) -> Status {
      ASSIGN_OR_RETURN(crypto::SecretBytes key, provider_.Unwrap(from, wrapped, Context(tenant, version),
                                                                  kms::KeyUse{kms::Justification::kSystemMaintenance, {}}));
      ASSIGN_OR_RETURN(wrapped, provider_.Wrap(target, key, Context(tenant, version),
                                               kms::KeyUse{kms::Justification::kSystemMaintenance, {}}));
      ++rewrapped;
      return OkStatus();
    };
    // The older versions first: those without a wrapper of their own share
    // the current version's, which may change below.
    for (auto& [n, wrapped] : r.previous) {
      auto w = r.previous_wrappers.find(n);
      const bool own = w != r.previous_wrappers.end();
      const std::string from = own ? w->second.first : r.info.provider_key_id;
      const bool external = own ? w->second.second.has_value() : r.info.external.has_value();
      if (external || from == target) continue;
      RETURN_IF_ERROR(rewrap(wrapped, from, n));
      // Under the server's current key from now on, whatever the current
      // version's wrapper is.
      r.previous_wrappers[n] = std::make_pair(target, std::nullopt);
    }
    if (!r.info.external && !r.info.destroyed && r.info.provider_key_id != target) {
      RETURN_IF_ERROR(rewrap(r.wrapped, r.info.provider_key_id, r.info.version));
      r.info.provider_key_id = target;
    }
    // Drop wrapper entries that now equal the current version's (the
    // record then reads exactly as one never rotated across providers).
    for (auto w = r.previous_wrappers.begin(); w != r.previous_wrappers.end();) {
      const bool same = !w->second.second && !r.info.external && w->second.first == r.info.provider_key_id;
      w = same ? r.previous_wrappers.erase(w) : std::next(w);
    }
    return OkStatus();
  }).status());
  return rewrapped;
}

Status TenantKeys::ForEachKeyRecord(const std::function<Status(meta::Record&)>& f) {
  meta::ScanOptions opt;
  opt.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(kTenantKeyPartition, opt));
    if (recs.empty()) return OkStatus();
    opt.start = recs.back().key;
    opt.start_exclusive = true;
    for (meta::Record& r : recs) RETURN_IF_ERROR(f(r));
    if (recs.size() < opt.limit) return OkStatus();
  }
}

Result<std::vector<std::string>> TenantKeys::ListTenantsWithKeys() {
  std::vector<std::string> out;
  RETURN_IF_ERROR(ForEachKeyRecord([&](meta::Record& r) {
    out.push_back(std::move(r.key));
    return OkStatus();
  }));
  return out;
}

void TenantKeys::SetExternalKeys(kms::ExternalKeys* external) { external_ = external; }

Result<kms::KeyProvider*> TenantKeys::ProviderFor(const std::optional<kms::ExternalKey>& external) {
  if (!external) return &provider_;
  if (external_ == nullptr) {
    return FailedPreconditionError("this server is not set up for tenants' own KMSs (--hyok-client-cert)");
  }
  return external_->For(*external);
}

std::chrono::milliseconds TenantKeys::LifetimeOf(const Record& r) const {
  const bool external = r.info.external.has_value() || !r.previous_wrappers.empty();
  if (!external || external_ == nullptr) return lifetime_;
  // Half of the bound here, half in the external provider's cache.
  return std::min(lifetime_, external_->CacheLifetime() / 2);
}

std::chrono::milliseconds TenantKeys::BucketKeyLifetime(std::string_view tenant) {
  Result<std::shared_ptr<Cached>> entry = Load(std::string(tenant), /*create=*/false);
  if (!entry.ok() || !*entry) return std::chrono::milliseconds::max();
  const Record& r = (*entry)->record;
  if (!r.info.external && r.previous_wrappers.empty()) return std::chrono::milliseconds::max();
  // Bucket keys of a tenant on its own KMS are not cached: reopening one
  // under the cached tenant key is one local AES-GCM open, and the
  // revocation bound is then the two caches above.
  return std::chrono::milliseconds(0);
}

Result<TenantKeyInfo> TenantKeys::RotateTo(std::string_view tenant_view,
                                           const std::optional<kms::ExternalKey>& target) {
  const std::string tenant(tenant_view);
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, store_.Get(kTenantKeyPartition, tenant));
  if (!bytes) return NotFoundError("tenant " + tenant + " has no key yet");
  // Wrapped before the record is edited: the tenant's KMS is slow or may
  // refuse, and a retried edit must not ask it again.
  ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomBytes(crypto::kDataKeySize));
  ASSIGN_OR_RETURN(kms::KeyProvider * provider, ProviderFor(target));
  const std::string key_id = target ? target->key_id : provider_.DefaultKeyId();
  std::optional<uint32_t> wrapped_for;
  std::string wrapped;
  return Update(tenant, [&](Record& r) -> Status {
    RETURN_IF_ERROR(CheckCanAddVersion(r, tenant));
    const uint32_t next = r.info.version + 1;
    if (wrapped_for != next) {
      Result<std::string> w = provider->Wrap(key_id, key, Context(tenant, next),
                                             kms::KeyUse{kms::Justification::kSystemMaintenance, {}});
      if (!w.ok() && target) {
        return Status(w.status().code() == StatusCode::kUnavailable || w.status().code() == StatusCode::kDeadlineExceeded
                          ? w.status().code()
                          : StatusCode::kPermissionDenied,
                      std::string(kKeyAccessDenied) + "the KMS at " + target->endpoint + " refused to wrap the key of tenant " +
                          tenant + " (" + w.status().message() + ").");
      }
      RETURN_IF_ERROR(w.status());
      wrapped = std::move(w).value();
      wrapped_for = next;
    }
    r.previous[r.info.version] = std::move(r.wrapped);
    r.previous_wrappers[r.info.version] = std::make_pair(r.info.provider_key_id, r.info.external);
    r.wrapped = wrapped;
    r.info.version = next;
    r.info.provider_key_id = key_id;
    r.info.external = target;
    r.info.rotated_ms = UnixMillisNow();
    return OkStatus();
  });
}

std::optional<Status> TenantKeys::CheckCached(std::string_view tenant_view, kms::Justification why,
                                              std::chrono::milliseconds* bucket_key_lifetime,
                                              uint32_t* current_version) {
  const std::string tenant(tenant_view);
  std::lock_guard lock(mu_);
  auto it = cache_.find(tenant);
  if (it == cache_.end() || std::chrono::steady_clock::now() - it->second->loaded >= LifetimeOf(it->second->record)) {
    return std::nullopt;
  }
  const Record& r = it->second->record;
  *bucket_key_lifetime = (r.info.external || !r.previous_wrappers.empty()) ? std::chrono::milliseconds(0)
                                                                          : std::chrono::milliseconds::max();
  if (current_version != nullptr) *current_version = r.info.version;
  return Allowed(tenant, r, why);
}

std::shared_ptr<const crypto::SecretBytes> TenantKeys::GetCachedKey(std::string_view tenant_view,
                                                                    const kms::KeyUse& use, uint32_t version) {
  const std::string tenant(tenant_view);
  const kms::Justification why = use.why;
  std::lock_guard lock(mu_);
  auto it = cache_.find(tenant);
  if (it == cache_.end() || std::chrono::steady_clock::now() - it->second->loaded >= LifetimeOf(it->second->record)) {
    return nullptr;
  }
  const Cached& c = *it->second;
  if (!Allowed(tenant, c.record, why).ok()) return nullptr;
  if (TellsReason(c.record, version) && !GrantedFromCache(c, version == 0 ? c.record.info.version : version, use)) {
    return nullptr;  // ask the KMS (GetVersion)
  }
  if (version == 0 || version == c.record.info.version) return c.key;
  auto k = c.previous_keys.find(version);
  return k == c.previous_keys.end() ? nullptr : k->second;
}

}  // namespace confiance::catalog
