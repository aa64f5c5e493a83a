// File: kms/embedded/embedded_key_provider_test.cc
#include "kms/embedded/embedded_key_provider.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/env.h"
#include "crypto/envelope.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "kms/embedded/key_file_format.h"
#include "kms/key_provider_contract_test.h"
#include "tests/testutil/fault_injection_env.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::kms {
namespace {

INSTANTIATE_TEST_SUITE_P(Embedded, KeyProviderContractTest,
                         ::testing::Values(ContractImpl{"Embedded",
                                                        [](const std::string& dir) -> std::unique_ptr<KeyProvider> {
                                                          auto r = EmbeddedKeyProvider::Open(*Env::Default(), dir);
                                                          EXPECT_TRUE(r.ok()) << r.status().ToString();
                                                          return r.ok() ? std::move(r).value() : nullptr;
                                                        }}),
                         ContractImplName);

class EmbeddedKeyProviderTest : public ::testing::Test {
 protected:
  std::string KeyDir() const { return dir_.Sub("data/keys"); }
  std::string KeyPath() const { return KeyDir() + "/root.key"; }
  Result<std::unique_ptr<EmbeddedKeyProvider>> OpenIt() { return EmbeddedKeyProvider::Open(env_, KeyDir()); }
  mode_t Mode() const {
    struct stat st;
    EXPECT_EQ(::stat(KeyPath().c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  std::string ReadKeyFile() {
    auto r = ReadSmallFile(env_, KeyPath());
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::string();
  }
  void WriteKeyFile(const std::string& data) {
    ASSERT_OK(WriteFileDurably(env_, KeyPath(), data));
    ASSERT_EQ(::chmod(KeyPath().c_str(), 0600), 0);
  }

  testutil::TempDir dir_;
  Env& env_ = *Env::Default();
};

TEST_F(EmbeddedKeyProviderTest, FirstStartCreatesOwnerOnlyFile) {
  ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
  EXPECT_EQ(Mode(), 0600u);
  const std::string id = p->DefaultKeyId();
  ASSERT_EQ(id.size(), 13u);
  EXPECT_EQ(id.rfind("root-", 0), 0u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 5), std::string::npos);
  std::string file = ReadKeyFile();
  EXPECT_EQ(file.size(), kKeyFileFixedHeader + id.size() + kRootKeySize + kKeyFileChecksumSize);
  EXPECT_EQ(file.substr(0, 4), "CNFK");
  // No staging file is left behind.
  ASSERT_OK_AND_ASSIGN(auto children, env_.GetChildren(KeyDir()));
  EXPECT_EQ(children, std::vector<std::string>{"root.key"});
}

TEST_F(EmbeddedKeyProviderTest, ReopenKeepsTheKey) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes dek, crypto::RandomBytes(32));
  std::string id, wrapped;
  {
    ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
    id = p->DefaultKeyId();
    ASSERT_OK_AND_ASSIGN(wrapped, p->Wrap(id, dek, "bucket=b"));
  }
  const std::string before = ReadKeyFile();
  ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
  EXPECT_EQ(p->DefaultKeyId(), id);
  EXPECT_EQ(ReadKeyFile(), before);  // never rewritten
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes back, p->Unwrap(id, wrapped, "bucket=b"));
  EXPECT_TRUE(std::equal(back.span().begin(), back.span().end(), dek.span().begin()));
  EXPECT_STATUS_CODE(p->Unwrap(id, wrapped, "bucket=c"), kPermissionDenied);
}

TEST_F(EmbeddedKeyProviderTest, DifferentDirectoriesHaveDifferentKeys) {
  ASSERT_OK_AND_ASSIGN(auto a, OpenIt());
  ASSERT_OK_AND_ASSIGN(auto b, EmbeddedKeyProvider::Open(env_, dir_.Sub("other")));
  crypto::SecretBytes dek(32);
  ASSERT_OK_AND_ASSIGN(std::string w, a->Wrap(a->DefaultKeyId(), dek, "c"));
  // Even under the same id, b's key does not open a's blob.
  EXPECT_FALSE(b->Unwrap(a->DefaultKeyId(), w, "c").ok());
}

TEST_F(EmbeddedKeyProviderTest, CorruptedFileIsRefused) {
  { ASSERT_OK_AND_ASSIGN(auto p, OpenIt()); }
  const std::string good = ReadKeyFile();
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    WriteKeyFile(bad);
    auto r = OpenIt();
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_TRUE(r.status().code() == StatusCode::kDataLoss || r.status().code() == StatusCode::kUnimplemented)
        << r.status().ToString();
  }
  for (const std::string& bad : {good.substr(0, good.size() - 1), good + "x", std::string(), good.substr(0, 8)}) {
    WriteKeyFile(bad);
    EXPECT_STATUS_CODE(OpenIt(), kDataLoss);
  }
  WriteKeyFile(good);
  EXPECT_OK(OpenIt());
}

TEST_F(EmbeddedKeyProviderTest, LooseModeIsRefused) {
  { ASSERT_OK_AND_ASSIGN(auto p, OpenIt()); }
  for (mode_t m : {0644, 0640, 0604, 0660, 0700 | 0001}) {
    ASSERT_EQ(::chmod(KeyPath().c_str(), m), 0);
    auto r = OpenIt();
    EXPECT_STATUS_CODE(r, kPermissionDenied);
    EXPECT_NE(r.status().message().find("chmod 600"), std::string::npos) << r.status().ToString();
  }
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0400), 0);
  EXPECT_OK(OpenIt());
}

TEST_F(EmbeddedKeyProviderTest, SymlinkIsRefused) {
  { ASSERT_OK_AND_ASSIGN(auto p, OpenIt()); }
  ASSERT_OK(env_.RenameFile(KeyPath(), dir_.Sub("elsewhere.key")));
  ASSERT_EQ(::symlink(dir_.Sub("elsewhere.key").c_str(), KeyPath().c_str()), 0);
  EXPECT_STATUS_CODE(OpenIt(), kPermissionDenied);
}

TEST_F(EmbeddedKeyProviderTest, KeyFileSurvivesPowerLoss) {
  testutil::FaultInjectionEnv fenv(env_);
  std::string id;
  {
    ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
    id = p->DefaultKeyId();
  }
  ASSERT_OK(fenv.SimulatePowerLoss());
  ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
  EXPECT_EQ(p->DefaultKeyId(), id);
}

TEST_F(EmbeddedKeyProviderTest, FailedCreationLeavesNoKeyAndRetryWorks) {
  testutil::FaultInjectionEnv fenv(env_);
  for (int n = 1; n <= 8; ++n) {
    fenv.FailAfter(n);
    auto r = EmbeddedKeyProvider::Open(fenv, KeyDir());
    fenv.ClearFailure();
    if (r.ok()) break;
    // Whatever failed, no half-written or loose-mode root key is accepted.
    if (env_.FileExists(KeyPath())) {
      EXPECT_EQ(Mode(), 0600u);
    }
  }
  ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
  ASSERT_OK_AND_ASSIGN(auto q, EmbeddedKeyProvider::Open(fenv, KeyDir()));
  EXPECT_EQ(p->DefaultKeyId(), q->DefaultKeyId());
}

TEST_F(EmbeddedKeyProviderTest, KeyFileCodec) {
  crypto::SecretBytes key(32);
  std::string enc = internal::EncodeKeyFile("root-0123abcd", key);
  ASSERT_OK_AND_ASSIGN(internal::DecodedKeyFile dec, internal::DecodeKeyFile(enc));
  EXPECT_EQ(dec.key_id, "root-0123abcd");
  EXPECT_EQ(dec.key.size(), 32u);
  std::string v3 = enc;
  v3[4] = 3;
  EXPECT_STATUS_CODE(internal::DecodeKeyFile(v3), kUnimplemented);
  EXPECT_NE(internal::WrapAad("ab", "c"), internal::WrapAad("a", "bc"));
}

// Root key rotation (RootKeyVersions).

TEST_F(EmbeddedKeyProviderTest, AddedVersionBecomesDefaultAndOldOneOnlyUnwraps) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes dek, crypto::RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
  const std::string old_id = p->DefaultKeyId();
  ASSERT_OK_AND_ASSIGN(std::string old_wrapped, p->Wrap(old_id, dek, "ctx"));
  ASSERT_OK_AND_ASSIGN(std::string new_id, p->AddKeyVersion());
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(new_id.rfind("root-", 0), 0u);
  EXPECT_EQ(p->DefaultKeyId(), new_id);
  EXPECT_EQ(p->KeyVersionIds(), (std::vector<std::string>{new_id, old_id}));
  EXPECT_EQ(Mode(), 0600u);
  // Nothing new is wrapped under the version being retired.
  EXPECT_STATUS_CODE(p->Wrap(old_id, dek, "ctx"), kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes back, p->Unwrap(old_id, old_wrapped, "ctx"));
  EXPECT_TRUE(std::equal(back.span().begin(), back.span().end(), dek.span().begin()));
  ASSERT_OK_AND_ASSIGN(std::string new_wrapped, p->Wrap(new_id, dek, "ctx"));
  // A blob does not open under the other version's id.
  EXPECT_FALSE(p->Unwrap(new_id, old_wrapped, "ctx").ok());
  // One rotation at a time; the current version cannot be retired.
  EXPECT_STATUS_CODE(p->AddKeyVersion(), kFailedPrecondition);
  EXPECT_STATUS_CODE(p->RetireKeyVersion(new_id), kFailedPrecondition);

  // Both versions survive a restart (file version 2, no staging file left).
  EXPECT_EQ(ReadKeyFile()[4], 2);
  ASSERT_OK_AND_ASSIGN(auto children, env_.GetChildren(KeyDir()));
  EXPECT_EQ(children, std::vector<std::string>{"root.key"});
  ASSERT_OK_AND_ASSIGN(auto q, OpenIt());
  EXPECT_EQ(q->KeyVersionIds(), (std::vector<std::string>{new_id, old_id}));
  EXPECT_OK(q->Unwrap(old_id, old_wrapped, "ctx"));
  EXPECT_OK(q->Unwrap(new_id, new_wrapped, "ctx"));
}

TEST_F(EmbeddedKeyProviderTest, WrapMatcherOpensWhatUnwrapOpensUnderEachVersion) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes dek, crypto::RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
  const std::string old_id = p->DefaultKeyId();
  ASSERT_OK_AND_ASSIGN(std::string old_wrapped, p->Wrap(old_id, dek, "ctx/2"));
  ASSERT_OK_AND_ASSIGN(std::string new_id, p->AddKeyVersion());
  ASSERT_OK_AND_ASSIGN(std::string new_wrapped, p->Wrap(new_id, dek, "ctx/1"));
  EXPECT_EQ(p->MatchableKeyIds(), (std::vector<std::string>{new_id, old_id}));
  const std::vector<std::string> contexts{"ctx/1", "ctx/2"};
  ASSERT_OK_AND_ASSIGN(auto old_m, p->NewWrapMatcher(old_id, contexts, 32));
  ASSERT_OK_AND_ASSIGN(auto new_m, p->NewWrapMatcher(new_id, contexts, 32));
  EXPECT_EQ(*old_m->Match(old_wrapped), std::optional<size_t>(1));
  EXPECT_EQ(*old_m->Match(new_wrapped), std::nullopt);
  EXPECT_EQ(*new_m->Match(new_wrapped), std::optional<size_t>(0));
  EXPECT_EQ(*new_m->Match(old_wrapped), std::nullopt);
  EXPECT_STATUS_CODE(p->NewWrapMatcher("root-00000000", contexts, 32), kNotFound);
}

TEST_F(EmbeddedKeyProviderTest, RetiredVersionIsGoneFromMemoryAndFile) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes dek, crypto::RandomBytes(32));
  std::string old_id, new_id, old_wrapped, new_wrapped;
  std::string old_key_bytes;
  {
    ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
    old_id = p->DefaultKeyId();
    const std::string v1 = ReadKeyFile();
    old_key_bytes = v1.substr(kKeyFileFixedHeader + old_id.size(), kRootKeySize);
    ASSERT_OK_AND_ASSIGN(old_wrapped, p->Wrap(old_id, dek, "ctx"));
    ASSERT_OK_AND_ASSIGN(new_id, p->AddKeyVersion());
    ASSERT_OK_AND_ASSIGN(new_wrapped, p->Wrap(new_id, dek, "ctx"));
    ASSERT_NE(ReadKeyFile().find(old_key_bytes), std::string::npos);
    ASSERT_OK(p->RetireKeyVersion(old_id));
    EXPECT_OK(p->RetireKeyVersion(old_id));  // idempotent
    EXPECT_EQ(p->KeyVersionIds(), std::vector<std::string>{new_id});
    EXPECT_STATUS_CODE(p->Unwrap(old_id, old_wrapped, "ctx"), kNotFound);
  }
  // One key again: written as version 1, without the old id or key.
  const std::string file = ReadKeyFile();
  EXPECT_EQ(file[4], 1);
  EXPECT_EQ(file.find(old_key_bytes), std::string::npos);
  EXPECT_EQ(file.find(old_id), std::string::npos);
  EXPECT_EQ(Mode(), 0600u);
  ASSERT_OK_AND_ASSIGN(auto q, OpenIt());
  EXPECT_EQ(q->KeyVersionIds(), std::vector<std::string>{new_id});
  EXPECT_STATUS_CODE(q->Unwrap(old_id, old_wrapped, "ctx"), kNotFound);
  EXPECT_OK(q->Unwrap(new_id, new_wrapped, "ctx"));
  // And the next rotation may start.
  EXPECT_OK(q->AddKeyVersion());
}

TEST_F(EmbeddedKeyProviderTest, Version1FileWrittenByEarlierReleasesOpens) {
  // The exact layout of docs/blob_format.md v1, built by hand.
  std::string key(32, '\0');
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<char>(i * 7 + 1);
  std::string file = std::string("CNFK") + '\x01' + '\x20' + '\x0d' + '\0' + "root-00c0ffee" + key;
  auto sum = crypto::Sha256Digest(file);
  file.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  ASSERT_OK(CreateDirsDurably(env_, KeyDir()));
  WriteKeyFile(file);
  ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
  EXPECT_EQ(p->DefaultKeyId(), "root-00c0ffee");
  EXPECT_EQ(p->KeyVersionIds(), std::vector<std::string>{"root-00c0ffee"});
  crypto::SecretBytes root(std::as_bytes(std::span(key.data(), key.size())));
  crypto::SecretBytes dek(32);
  ASSERT_OK_AND_ASSIGN(std::string w, crypto::WrapKey(root, dek, internal::WrapAad("root-00c0ffee", "c")));
  EXPECT_OK(p->Unwrap("root-00c0ffee", w, "c"));
  EXPECT_EQ(ReadKeyFile(), file);  // opening never rewrites it
}

TEST_F(EmbeddedKeyProviderTest, CorruptedVersion2FileIsRefused) {
  {
    ASSERT_OK_AND_ASSIGN(auto p, OpenIt());
    ASSERT_OK(p->AddKeyVersion());
  }
  const std::string good = ReadKeyFile();
  ASSERT_EQ(good[4], 2);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    WriteKeyFile(bad);
    auto r = OpenIt();
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_TRUE(r.status().code() == StatusCode::kDataLoss || r.status().code() == StatusCode::kUnimplemented)
        << r.status().ToString();
  }
  for (size_t cut = 0; cut < good.size(); cut += 5) {
    WriteKeyFile(good.substr(0, cut));
    EXPECT_FALSE(OpenIt().ok()) << cut;
  }
  WriteKeyFile(good);
  EXPECT_OK(OpenIt());
}

TEST_F(EmbeddedKeyProviderTest, RotationSurvivesPowerLoss) {
  testutil::FaultInjectionEnv fenv(env_);
  std::string old_id, new_id;
  {
    ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
    old_id = p->DefaultKeyId();
    ASSERT_OK_AND_ASSIGN(new_id, p->AddKeyVersion());
  }
  ASSERT_OK(fenv.SimulatePowerLoss());
  {
    ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
    EXPECT_EQ(p->KeyVersionIds(), (std::vector<std::string>{new_id, old_id}));
    ASSERT_OK(p->RetireKeyVersion(old_id));
  }
  ASSERT_OK(fenv.SimulatePowerLoss());
  ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
  EXPECT_EQ(p->KeyVersionIds(), std::vector<std::string>{new_id});
}

TEST_F(EmbeddedKeyProviderTest, FailedRewriteKeepsTheOldFile) {
  testutil::FaultInjectionEnv fenv(env_);
  std::string old_id;
  {
    ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
    old_id = p->DefaultKeyId();
  }
  const std::string before = ReadKeyFile();
  for (int n = 1; n <= 6; ++n) {
    ASSERT_OK_AND_ASSIGN(auto p, EmbeddedKeyProvider::Open(fenv, KeyDir()));
    fenv.FailAfter(n);
    Result<std::string> added = p->AddKeyVersion();
    fenv.ClearFailure();
    if (added.ok()) break;
    // A failed rotation changes nothing in memory; on disk the file is the
    // old one, or (the directory sync failed after the rename) the new one
    // still holding the old version: nothing wrapped is ever lost.
    EXPECT_EQ(p->KeyVersionIds(), std::vector<std::string>{old_id});
    EXPECT_EQ(Mode(), 0600u);
    if (ReadKeyFile() != before) {
      ASSERT_OK_AND_ASSIGN(auto reopened, EmbeddedKeyProvider::Open(env_, KeyDir()));
      std::vector<std::string> ids = reopened->KeyVersionIds();
      ASSERT_EQ(ids.size(), 2u);
      EXPECT_EQ(ids[1], old_id);
      WriteKeyFile(before);
    }
  }
}

}  // namespace
}  // namespace confiance::kms
