// File: kms/wrapped_key_file_test.cc
#include "kms/wrapped_key_file.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"
#include "kms/fake_key_provider.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::kms {
namespace {

constexpr std::string_view kContext = "confiance/meta-key/v1";

TEST(WrappedKeyFileTest, CreatedOnceLoadedUnderItsContextOnly) {
  testutil::TempDir dir;
  const std::string path = dir.Sub("meta.key");
  FakeKeyProvider keys("root-a");
  EXPECT_EQ(LoadWrappedKeyFile(*Env::Default(), path, keys, kContext).status().code(), StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes key, CreateWrappedKeyFile(*Env::Default(), path, keys, kContext, 32));
  EXPECT_EQ(key.size(), 32u);
  ASSERT_OK_AND_ASSIGN(std::string text, ReadSmallFile(*Env::Default(), path));
  EXPECT_EQ(text.rfind("confiance wrapped key v1\nkey-id root-a\nwrapped ", 0), 0u) << text;
  EXPECT_EQ(text.find(crypto::Base64Encode(key.span())), std::string::npos);

  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes loaded, LoadWrappedKeyFile(*Env::Default(), path, keys, kContext));
  EXPECT_TRUE(testutil::SameSecret(loaded, key));
  EXPECT_FALSE(LoadWrappedKeyFile(*Env::Default(), path, keys, "confiance/other/v1").ok());
  // Never replaced by a new key.
  EXPECT_EQ(CreateWrappedKeyFile(*Env::Default(), path, keys, kContext, 32).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(loaded, LoadWrappedKeyFile(*Env::Default(), path, keys, kContext));
  EXPECT_TRUE(testutil::SameSecret(loaded, key));
}

TEST(WrappedKeyFileTest, MalformedIsDataLoss) {
  testutil::TempDir dir;
  FakeKeyProvider keys("root-a");
  for (const char* text :
       {"", "confiance wrapped key v2\nkey-id a\nwrapped AAAA\n", "confiance wrapped key v1\nkey-id \nwrapped AAAA\n",
        "confiance wrapped key v1\nkey-id a\nwrapped not base64!\n",
        "confiance wrapped key v1\nkey-id a\nwrapped AAAA\nmore\n", "confiance wrapped key v1\nkey-id a\nwrapped AAAA",
        "confiance wrapped key v1\nkey-id a\nwrapped AAB=\n"}) {
    const std::string path = dir.Sub("bad.key");
    ASSERT_OK(WriteFileDurably(*Env::Default(), path, text));
    EXPECT_EQ(LoadWrappedKeyFile(*Env::Default(), path, keys, kContext).status().code(), StatusCode::kDataLoss) << text;
  }
}

// A root key rotation: the same key, wrapped under the new version; the
// old version can then go.
TEST(WrappedKeyFileTest, RewrapKeepsTheKeyUnderTheNewRootVersion) {
  testutil::TempDir dir;
  const std::string path = dir.Sub("meta.key");
  FakeKeyProvider before("root-a");
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes key, CreateWrappedKeyFile(*Env::Default(), path, before, kContext, 32));

  FakeKeyProvider after("root-b");
  after.AddKey("root-a");
  ASSERT_OK_AND_ASSIGN(bool rewrapped, RewrapKeyFileUnderDefaultKey(*Env::Default(), path, after, kContext));
  EXPECT_TRUE(rewrapped);
  ASSERT_OK_AND_ASSIGN(std::string text, ReadSmallFile(*Env::Default(), path));
  EXPECT_NE(text.find("key-id root-b\n"), std::string::npos) << text;
  ASSERT_OK_AND_ASSIGN(rewrapped, RewrapKeyFileUnderDefaultKey(*Env::Default(), path, after, kContext));
  EXPECT_FALSE(rewrapped);

  after.DestroyKey("root-a");
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes loaded, LoadWrappedKeyFile(*Env::Default(), path, after, kContext));
  EXPECT_TRUE(testutil::SameSecret(loaded, key));
  EXPECT_FALSE(LoadWrappedKeyFile(*Env::Default(), path, before, kContext).ok());
}

}  // namespace
}  // namespace confiance::kms
