// File: admin/root_key_rotation_test.cc
// The embedded root key's rotation over the in-memory MetaStore and a real
// embedded keystore in a temporary directory: every kind of record the
// provider wraps is rewrapped and still opens (after a "restart": a
// reopened key file and fresh caches), the old version leaves the key file,
// an interrupted job resumes, records written during the job are caught,
// and the admin routes (operators only; 501 with a KMS).
#include "admin/root_key_rotation.h"

#include <gtest/gtest.h>

#include <map>
#include <stop_token>

#include "admin/admin_api.h"
#include "audit/log_signing_key.h"
#include "common/wall_clock.h"
#include "crypto/random.h"
#include "kms/embedded/embedded_key_provider.h"
#include "kms/fake_key_provider.h"
#include "kms/wrapped_key_file.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

std::string Hex(const crypto::SecretBytes& k) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::byte b : k.span()) {
    out += d[static_cast<uint8_t>(b) >> 4];
    out += d[static_cast<uint8_t>(b) & 15];
  }
  return out;
}

// Everything over one store and one key directory; Reopen() is a restart.
class RootKeyRotationTest : public ::testing::Test {
 protected:
  RootKeyRotationTest() { Reopen(); }

  void Reopen() {
    rotation_.reset();
    api_.reset();
    directory_.reset();
    sessions_.reset();
    creds_.reset();
    bucket_keys_.reset();
    tenant_keys_.reset();
    catalog_.reset();
    keys_.reset();
    auto p = kms::EmbeddedKeyProvider::Open(*Env::Default(), dir_.Sub("keys"));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    keys_ = std::move(p).value();
    // The metadata key's file, as a data directory with metadata encrypted
    // at rest has from its first start (main/data_dir.cc).
    if (!Env::Default()->FileExists(MetaKeyFile())) {
      ASSERT_OK(
          kms::CreateWrappedKeyFile(*Env::Default(), MetaKeyFile(), *keys_, kms::kMetadataKeyContext, 32).status());
    }
    catalog_ = std::make_unique<catalog::Catalog>(store_);
    tenant_keys_ = std::make_unique<catalog::TenantKeys>(store_, *keys_);
    bucket_keys_ = std::make_unique<catalog::BucketKeys>(*keys_, *tenant_keys_);
    creds_ = std::make_unique<iam::CredentialStore>(store_, *keys_);
    sessions_ = std::make_unique<iam::SessionTokens>(store_, *keys_, *creds_);
    directory_ = std::make_unique<iam::Directory>(store_, *creds_);
    rotation_ = std::make_unique<RootKeyRotation>(
        RootKeyRotation::Deps{keys_.get(), keys_.get(), &store_, catalog_.get(), tenant_keys_.get(), bucket_keys_.get(),
                              creds_.get(), sessions_.get(), Env::Default(), MetaKeyFile()},
        settle_);
    api_ = std::make_unique<AdminApi>(*directory_, *catalog_, *tenant_keys_);
    api_->SetRootKeyRotation(rotation_.get());
  }

  std::string MetaKeyFile() const { return dir_.Sub("meta.key"); }

  // A bucket of `owner` under its tenant key.
  void MakeBucket(const std::string& name, const std::string& owner) {
    catalog::BucketRecord b;
    b.name = name;
    b.owner = owner;
    ASSERT_OK_AND_ASSIGN(b.id, crypto::RandomHex(8));
    ASSERT_OK(bucket_keys_->CreateFor(b));
    ASSERT_OK(catalog_->CreateBucket(b));
  }
  // A bucket from before tenant keys: its key wrapped by the provider
  // directly (docs/keys.md, context confiance/bucket-key/v1/<id>).
  void MakeOldBucket(const std::string& name, const std::string& owner) {
    catalog::BucketRecord b;
    b.name = name;
    b.owner = owner;
    ASSERT_OK_AND_ASSIGN(b.id, crypto::RandomHex(8));
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes key, crypto::RandomBytes(32));
    b.key_id = keys_->DefaultKeyId();
    ASSERT_OK_AND_ASSIGN(b.wrapped_key, keys_->Wrap(b.key_id, key, "confiance/bucket-key/v1/" + b.id));
    ASSERT_OK(catalog_->CreateBucket(b));
  }

  void Populate() {
    ASSERT_OK(tenant_keys_->Get("acme", kms::Justification::kTenantRequest).status());
    ASSERT_OK(tenant_keys_->Get("globex", kms::Justification::kTenantRequest).status());
    ASSERT_OK(tenant_keys_->Get("initech", kms::Justification::kTenantRequest).status());
    MakeBucket("acme-photos", "acme");
    MakeBucket("globex-docs", "globex");
    MakeOldBucket("acme-legacy", "acme");
    // globex is mid-way through a tenant key rotation: version 1 is still
    // held (under the root key too).
    ASSERT_OK(tenant_keys_->Rotate("globex").status());
    MakeBucket("globex-new", "globex");
    // initech's key is destroyed: nothing to rewrap.
    ASSERT_OK(tenant_keys_->Destroy("initech").status());
    ASSERT_OK_AND_ASSIGN(iam::NewAccessKey a, creds_->CreateAccessKey("acme", "root"));
    ASSERT_OK_AND_ASSIGN(iam::NewAccessKey b, creds_->CreateAccessKey("globex", "root"));
    ASSERT_OK_AND_ASSIGN(iam::NewAccessKey o, creds_->CreateAccessKey("", "ops", std::nullopt,
                                                                      iam::PrincipalKind::kOperator));
    secrets_ = {{a.access_key_id, a.secret}, {b.access_key_id, b.secret}, {o.access_key_id, o.secret}};
    // A temporary credential: its token opens only while the session token
    // key does, which the root key wraps.
    ASSERT_OK_AND_ASSIGN(iam::Credential acme_root, creds_->Lookup(a.access_key_id));
    iam::SessionRequest session_request;
    session_request.action = "GetSessionToken";
    session_request.duration_seconds = 3600;
    ASSERT_OK_AND_ASSIGN(session_, sessions_->Issue(acme_root.principal, session_request, UnixMillisNow()));
    ASSERT_OK_AND_ASSIGN(audit::tlog::NoteSigner signer, audit::LoadOrCreateLogSigner(store_, *keys_, "srv", "srv"));
    verifier_ = signer.VerifierKey();
    Snapshot(&before_);
  }

  // Every key the provider's wraps protect, unwrapped through fresh caches.
  void Snapshot(std::map<std::string, std::string>* out) {
    out->clear();
    for (const char* t : {"acme", "globex"}) {
      ASSERT_OK_AND_ASSIGN(catalog::TenantKeyInfo info, tenant_keys_->Info(t));
      for (uint32_t v = 1; v <= info.version; ++v) {
        auto k = tenant_keys_->GetVersion(t, kms::Justification::kSystemMaintenance, v);
        if (k.ok()) (*out)[std::string("tkey/") + t + "/" + std::to_string(v)] = Hex(**k);
      }
    }
    ASSERT_OK_AND_ASSIGN(std::vector<catalog::BucketRecord> buckets, catalog_->ListBuckets());
    for (const catalog::BucketRecord& b : buckets) {
      ASSERT_OK_AND_ASSIGN(auto k, bucket_keys_->Get(b, kms::Justification::kSystemMaintenance));
      (*out)["bucket/" + b.name] = Hex(*k);
    }
    for (const auto& [id, secret] : secrets_) {
      ASSERT_OK_AND_ASSIGN(iam::Credential c, creds_->Lookup(id));
      (*out)["ak/" + id] = std::string(reinterpret_cast<const char*>(c.secret->data()), c.secret->size());
      EXPECT_EQ((*out)["ak/" + id], secret);
    }
    ASSERT_OK_AND_ASSIGN(audit::tlog::NoteSigner signer, audit::LoadLogSigner(store_, *keys_));
    (*out)["signer"] = signer.VerifierKey();
    ASSERT_OK_AND_ASSIGN(iam::Credential session,
                         sessions_->Lookup(session_.key.access_key_id, session_.token, UnixMillisNow()));
    (*out)["session"] = std::string(reinterpret_cast<const char*>(session.secret->data()), session.secret->size());
    EXPECT_EQ((*out)["session"], session_.key.secret);
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes meta_key,
                         kms::LoadWrappedKeyFile(*Env::Default(), MetaKeyFile(), *keys_, kms::kMetadataKeyContext));
    (*out)["metadata key"] = Hex(meta_key);
  }

  // Number of stored records (in the partitions that hold provider wraps)
  // that still name `key_id`, the destroyed tenant key's aside.
  int RecordsNaming(const std::string& key_id) {
    int n = 0;
    for (std::string_view partition : {"tkeys", "buckets", "iam", "audit"}) {
      meta::ScanOptions opt;
      opt.limit = 100000;
      auto recs = store_.Scan(partition, opt);
      EXPECT_TRUE(recs.ok());
      if (!recs.ok()) continue;
      for (const meta::Record& r : *recs) {
        // A destroyed tenant key's record keeps the id of the key it was
        // wrapped under (deletion receipts name it) but no wrapped bytes.
        if (partition == std::string_view("tkeys") && r.key == "initech") continue;
        n += r.value.find(key_id) != std::string::npos ? 1 : 0;
      }
    }
    return n;
  }

  testutil::TempDir dir_;
  meta::MemoryMetaStore store_;
  std::chrono::milliseconds settle_{0};
  std::unique_ptr<kms::EmbeddedKeyProvider> keys_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<catalog::TenantKeys> tenant_keys_;
  std::unique_ptr<catalog::BucketKeys> bucket_keys_;
  std::unique_ptr<iam::CredentialStore> creds_;
  std::unique_ptr<iam::SessionTokens> sessions_;
  std::unique_ptr<iam::Directory> directory_;
  std::unique_ptr<RootKeyRotation> rotation_;
  std::unique_ptr<AdminApi> api_;
  std::map<std::string, std::string> secrets_;
  iam::IssuedSession session_;
  std::string verifier_;
  std::map<std::string, std::string> before_;
};

TEST_F(RootKeyRotationTest, RewrapsEveryProviderWrapAndRetiresTheOldVersion) {
  Populate();
  const std::string old_id = keys_->DefaultKeyId();
  ASSERT_GT(RecordsNaming(old_id), 5);
  ASSERT_OK_AND_ASSIGN(RootRotationProgress started, rotation_->Start());
  EXPECT_EQ(started.state, "running");
  EXPECT_EQ(started.from_key_ids, std::vector<std::string>{old_id});
  const std::string new_id = started.to_key_id;
  EXPECT_NE(new_id, old_id);
  rotation_->Join();
  RootRotationProgress p = rotation_->Progress();
  EXPECT_EQ(p.state, "done") << p.error;
  EXPECT_TRUE(p.from_key_ids.empty());
  // 3 tenant records (acme; globex with 2 versions; initech destroyed: 0),
  // 1 legacy bucket, 3 access keys, the signing key, the session token key,
  // the metadata key.
  EXPECT_EQ(p.records_rewrapped, 3u + 1 + 3 + 1 + 1 + 1);
  EXPECT_EQ(p.records_total, p.records_done);
  EXPECT_EQ(keys_->KeyVersionIds(), std::vector<std::string>{new_id});
  EXPECT_EQ(RecordsNaming(old_id), 0);
  ASSERT_OK_AND_ASSIGN(std::string meta_key_file, ReadSmallFile(*Env::Default(), MetaKeyFile()));
  EXPECT_NE(meta_key_file.find("key-id " + new_id + "\n"), std::string::npos) << meta_key_file;

  // A restart: the key file holds the new version alone, and every key
  // (through fresh caches) is the same as before.
  Reopen();
  EXPECT_EQ(keys_->KeyVersionIds(), std::vector<std::string>{new_id});
  std::map<std::string, std::string> after;
  Snapshot(&after);
  EXPECT_EQ(after, before_);
  EXPECT_EQ(after["signer"], verifier_);
  // Tenant key versions 1 and 2 of globex and the buckets under them.
  EXPECT_TRUE(after.contains("tkey/globex/1"));
  EXPECT_TRUE(after.contains("bucket/acme-legacy"));
  // The next rotation may start at once.
  EXPECT_OK(rotation_->Start().status());
  rotation_->Join();
  EXPECT_EQ(rotation_->Progress().state, "done");
  Reopen();
  Snapshot(&after);
  EXPECT_EQ(after, before_);
}

TEST_F(RootKeyRotationTest, InterruptedJobResumesAfterRestart) {
  Populate();
  const std::string old_id = keys_->DefaultKeyId();
  ASSERT_OK_AND_ASSIGN(std::string new_id, keys_->AddKeyVersion());
  // The job stops after 3 records, as a restart would stop it.
  std::stop_source stop;
  int seen = 0;
  rotation_->set_after_record_hook([&] {
    if (++seen == 3) stop.request_stop();
  });
  EXPECT_FALSE(rotation_->RunJob(stop.get_token()).ok());
  EXPECT_GT(RecordsNaming(old_id), 0);
  EXPECT_GT(RecordsNaming(new_id), 0);

  Reopen();  // both versions come back from the key file
  EXPECT_EQ(keys_->KeyVersionIds(), (std::vector<std::string>{new_id, old_id}));
  std::map<std::string, std::string> mid;
  Snapshot(&mid);  // half-rotated: everything still opens
  EXPECT_EQ(mid, before_);
  EXPECT_EQ(rotation_->Progress().from_key_ids, std::vector<std::string>{old_id});
  ASSERT_OK_AND_ASSIGN(bool resumed, rotation_->ResumeIfUnfinished());
  EXPECT_TRUE(resumed);
  rotation_->Join();
  EXPECT_EQ(rotation_->Progress().state, "done") << rotation_->Progress().error;
  EXPECT_EQ(keys_->KeyVersionIds(), std::vector<std::string>{new_id});
  EXPECT_EQ(RecordsNaming(old_id), 0);
  Reopen();
  std::map<std::string, std::string> after;
  Snapshot(&after);
  EXPECT_EQ(after, before_);
  // Nothing left to resume.
  ASSERT_OK_AND_ASSIGN(resumed, rotation_->ResumeIfUnfinished());
  EXPECT_FALSE(resumed);
}

TEST_F(RootKeyRotationTest, RecordsWrittenDuringTheJobAreRewrappedBeforeRetirement) {
  settle_ = std::chrono::milliseconds(300);
  Reopen();
  Populate();
  const std::string old_id = keys_->DefaultKeyId();
  // A tenant key record wrapped under the old version just before the
  // rotation and committed late (after the job's first pass read the
  // tenant keys): the job must see it before retiring the old version.
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes late_key, crypto::RandomBytes(32));
  catalog::TenantKeyInfo late;
  late.provider_key_id = old_id;
  late.created_ms = 1;
  ASSERT_OK_AND_ASSIGN(std::string late_wrapped,
                       keys_->Wrap(old_id, late_key, "confiance/tenant-key/v1/umbrella"));
  // A tenant listed after the first record: its tenant key is rotated
  // before the job reaches it (its version 1 still under the old version).
  ASSERT_OK(tenant_keys_->Get("soylent", kms::Justification::kTenantRequest).status());
  ASSERT_OK_AND_ASSIGN(auto soylent_v1, tenant_keys_->Get("soylent", kms::Justification::kTenantRequest));
  const std::string soylent_v1_hex = Hex(*soylent_v1);
  bool fired = false;
  rotation_->set_after_record_hook([&] {
    if (fired) return;
    fired = true;
    meta::Batch b;
    b.Put("umbrella", catalog::EncodeTenantKey(late, late_wrapped));
    ASSERT_OK(store_.Apply(catalog::kTenantKeyPartition, b));
    // Written through the API meanwhile: under the new version at once.
    ASSERT_OK(tenant_keys_->Get("hooli", kms::Justification::kTenantRequest).status());
    ASSERT_OK_AND_ASSIGN(iam::NewAccessKey k, creds_->CreateAccessKey("hooli", "root"));
    secrets_[k.access_key_id] = k.secret;
    // A tenant key rotation of a record not rewrapped yet.
    ASSERT_OK(tenant_keys_->Rotate("soylent").status());
  });
  ASSERT_OK(rotation_->Start().status());
  rotation_->Join();
  RootRotationProgress p = rotation_->Progress();
  ASSERT_EQ(p.state, "done") << p.error;
  EXPECT_TRUE(fired);
  EXPECT_GE(p.passes, 2u);
  EXPECT_EQ(RecordsNaming(old_id), 0);
  Reopen();
  ASSERT_OK_AND_ASSIGN(auto k, tenant_keys_->Get("umbrella", kms::Justification::kSystemMaintenance));
  EXPECT_EQ(Hex(*k), Hex(late_key));
  ASSERT_OK(tenant_keys_->Get("hooli", kms::Justification::kTenantRequest).status());
  std::map<std::string, std::string> after;
  Snapshot(&after);
  ASSERT_OK_AND_ASSIGN(auto s1, tenant_keys_->GetVersion("soylent", kms::Justification::kSystemMaintenance, 1));
  EXPECT_EQ(Hex(*s1), soylent_v1_hex);
  ASSERT_OK(tenant_keys_->GetVersion("soylent", kms::Justification::kSystemMaintenance, 2).status());
  for (const auto& [id, secret] : secrets_) EXPECT_OK(creds_->Lookup(id).status());
  for (const auto& [name, value] : before_) EXPECT_EQ(after[name], value) << name;
}

TEST_F(RootKeyRotationTest, AdminRoutesAreOperatorsOnly) {
  Populate();
  iam::Principal op{"OPKEY", iam::PrincipalKind::kOperator, "", "ops", true};
  iam::Principal root{"AKROOT", iam::PrincipalKind::kTenant, "acme", "root", true};
  auto call = [&](const iam::Principal& who, const std::string& method, const std::string& rest) {
    Result<AdminRoute> route = RouteAdminRequest(method, std::string(kAdminPrefix) + rest);
    EXPECT_TRUE(route.ok());
    return api_->Execute(who, *route, "");
  };
  EXPECT_EQ(call(root, "POST", "/root-key/rotate").status, 403);
  EXPECT_EQ(call(root, "GET", "/root-key/rotation").status, 403);
  EXPECT_FALSE(RouteAdminRequest("GET", std::string(kAdminPrefix) + "/root-key/rotate").ok());
  ApiReply idle = call(op, "GET", "/root-key/rotation");
  ASSERT_EQ(idle.status, 200) << idle.body;
  EXPECT_EQ(json::parse(idle.body)["state"], "idle");
  ApiReply started = call(op, "POST", "/root-key/rotate");
  ASSERT_EQ(started.status, 202) << started.body;
  json s = json::parse(started.body);
  EXPECT_EQ(s["state"], "running");
  EXPECT_EQ(s["from_key_ids"].size(), 1u);
  rotation_->Join();
  json done = json::parse(call(op, "GET", "/root-key/rotation").body);
  EXPECT_EQ(done["state"], "done");
  EXPECT_EQ(done["to_key_id"], keys_->DefaultKeyId());
  EXPECT_EQ(done["records_done"], done["records_total"]);

  // A provider whose keys are in a KMS: a clear refusal, nothing changes.
  kms::FakeKeyProvider kms_keys;
  RootKeyRotation kms_rotation(RootKeyRotation::Deps{&kms_keys, nullptr, &store_, catalog_.get(),
                                                     tenant_keys_.get(), bucket_keys_.get(), creds_.get()});
  EXPECT_EQ(kms_rotation.Start().status().code(), StatusCode::kUnimplemented);
  api_->SetRootKeyRotation(&kms_rotation);
  ApiReply refused = call(op, "POST", "/root-key/rotate");
  EXPECT_EQ(refused.status, 501);
  EXPECT_NE(refused.body.find("which rotates its own keys"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace confiance::admin
