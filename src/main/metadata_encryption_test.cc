// File: main/metadata_encryption_test.cc
// The metadata key of a data directory (OpenMetadataEnv) and the
// conversion of a store written in the clear (EncryptMetadata), stopped
// after each of its durable steps as a crash would stop it.
#include "main/metadata_encryption.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "kms/embedded/embedded_key_provider.h"
#include "kms/wrapped_key_file.h"
#include "meta/rocksdb/rocksdb_meta_store.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

constexpr int kRecords = 300;
constexpr char kMarker[] = "clear-name-4d1c";

meta::RocksMetaStore::Options Over(const std::string& path, Env* env) {
  meta::RocksMetaStore::Options o;
  o.path = path;
  o.env = env;
  o.block_cache_bytes = 1 << 20;
  return o;
}

class MetadataEncryptionTest : public ::testing::Test {
 protected:
  MetadataEncryptionTest() {
    auto keys = kms::EmbeddedKeyProvider::Open(*Env::Default(), dir_.Sub("keys"));
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::move(keys).value();
  }

  // A store as a release before metadata encryption wrote it.
  void WriteClearStore() {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                         meta::RocksMetaStore::Open(Over(dir_.Sub("meta"), Env::Default())));
    // One batch (one sync): the test is about the files, not the commits.
    meta::Batch b;
    b.op_tag = "put";
    for (int i = 0; i < kRecords; ++i) b.Put(kMarker + std::to_string(i), "value " + std::to_string(i));
    ASSERT_OK(store->Apply("objects", b));
  }

  // Opens the directory as DataDir does and checks every record, encrypted.
  void ExpectEncryptedWithEveryRecord() {
    ExpectEveryRecordUnderItsKey();
    // Nothing of the replaced store is left: no leftover name, no marker.
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"keys", "meta", "meta.key"}));
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.Sub("meta"))) {
      ASSERT_OK_AND_ASSIGN(std::string raw, ReadSmallFile(*Env::Default(), e.path().string()));
      EXPECT_EQ(raw.find(kMarker), std::string::npos) << e.path();
    }
  }

  // Opens DIR/meta as DataDir does (through the key of DIR/meta.key) and
  // reads every record.
  void ExpectEveryRecordUnderItsKey() {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<crypto::EncryptedEnv> env,
                         OpenMetadataEnv(*Env::Default(), dir_.path(), *keys_, /*create=*/true));
    ASSERT_NE(env, nullptr);
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                           meta::RocksMetaStore::Open(Over(dir_.Sub("meta"), env.get())));
      for (int i = 0; i < kRecords; ++i) {
        ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("objects", kMarker + std::to_string(i)));
        ASSERT_TRUE(v.has_value()) << i;
        EXPECT_EQ(*v, "value " + std::to_string(i));
      }
    }
  }

  // The directory's metadata key, unwrapped.
  crypto::SecretBytes CurrentKey() {
    Result<crypto::SecretBytes> key =
        kms::LoadWrappedKeyFile(*Env::Default(), dir_.Sub("meta.key"), *keys_, kms::kMetadataKeyContext);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return key.ok() ? std::move(key).value() : crypto::SecretBytes();
  }

  // Whether any file under DIR/meta opens under `key` (files of another key
  // are DataLoss when opened).
  bool AnyMetaFileOpensUnder(const crypto::SecretBytes& key) {
    Result<std::unique_ptr<crypto::EncryptedEnv>> env = crypto::EncryptedEnv::Create(*Env::Default(), key);
    EXPECT_TRUE(env.ok()) << env.status().ToString();
    bool any = false;
    for (const auto& e : std::filesystem::directory_iterator(dir_.Sub("meta"))) {
      if (e.path().filename() == "LOCK") continue;  // empty: opens under any key
      Result<std::unique_ptr<SequentialFile>> f = (*env)->NewSequentialFile(e.path().string());
      if (f.ok()) {
        any = true;
      } else {
        EXPECT_EQ(f.status().code(), StatusCode::kDataLoss) << f.status().ToString();
      }
    }
    return any;
  }

  testutil::TempDir dir_;
  std::unique_ptr<kms::EmbeddedKeyProvider> keys_;
};

TEST_F(MetadataEncryptionTest, NewDirectoryGetsAKeyAndAClearOneStaysClear) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<crypto::EncryptedEnv> env,
                       OpenMetadataEnv(*Env::Default(), dir_.path(), *keys_, /*create=*/false));
  EXPECT_EQ(env, nullptr);  // nothing made without `create`
  EXPECT_FALSE(Env::Default()->FileExists(dir_.Sub("meta.key")));

  WriteClearStore();
  ASSERT_OK_AND_ASSIGN(env, OpenMetadataEnv(*Env::Default(), dir_.path(), *keys_, /*create=*/true));
  EXPECT_EQ(env, nullptr);  // a store from before stays in the clear
  EXPECT_FALSE(Env::Default()->FileExists(dir_.Sub("meta.key")));
}

TEST_F(MetadataEncryptionTest, ConvertsAClearStoreOnceAndOnlyOnce) {
  WriteClearStore();
  ASSERT_OK_AND_ASSIGN(MetadataConversion done, EncryptMetadata(*Env::Default(), dir_.path(), *keys_));
  EXPECT_FALSE(done.already_encrypted);
  EXPECT_FALSE(done.resumed);
  EXPECT_GT(done.records, static_cast<uint64_t>(kRecords));  // and the format marker
  EXPECT_TRUE(done.was_clear);
  ExpectEncryptedWithEveryRecord();

  ASSERT_OK_AND_ASSIGN(done, EncryptMetadata(*Env::Default(), dir_.path(), *keys_));
  EXPECT_TRUE(done.already_encrypted);
  ExpectEncryptedWithEveryRecord();

  // The key file lost: refused, never a new key.
  ASSERT_OK(Env::Default()->RenameFile(dir_.Sub("meta.key"), dir_.Sub("away")));
  Result<std::unique_ptr<crypto::EncryptedEnv>> lost =
      OpenMetadataEnv(*Env::Default(), dir_.path(), *keys_, /*create=*/true);
  EXPECT_EQ(lost.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(lost.status().message().find("key file meta.key is missing"), std::string::npos);
  EXPECT_EQ(EncryptMetadata(*Env::Default(), dir_.path(), *keys_).status().code(), StatusCode::kFailedPrecondition);
}

// Stopped after each durable step (as a crash), the directory either opens
// as it was (clear), or is refused until the conversion is run again, or
// opens encrypted; run again, the conversion always finishes.
TEST_F(MetadataEncryptionTest, InterruptedAfterAnyStepIsFinishedByTheNextRun) {
  constexpr int kSteps = 7;
  for (int stop_after = 1; stop_after <= kSteps; ++stop_after) {
    SCOPED_TRACE("stopped after step " + std::to_string(stop_after));
    std::filesystem::remove_all(dir_.Sub("meta"));
    for (const char* leftover : {"meta.key", "meta.encrypted.key", "meta.encrypted.done"}) {
      std::filesystem::remove(dir_.Sub(leftover));
    }
    std::filesystem::remove_all(dir_.Sub("meta.encrypted"));
    std::filesystem::remove_all(dir_.Sub("meta.plaintext-old"));
    WriteClearStore();

    Result<MetadataConversion> stopped = EncryptMetadata(*Env::Default(), dir_.path(), *keys_, [&](int step) -> Status {
      return step == stop_after ? AbortedError("stopped") : OkStatus();
    });
    ASSERT_EQ(stopped.status().code(), StatusCode::kAborted);

    Result<std::unique_ptr<crypto::EncryptedEnv>> opened =
        OpenMetadataEnv(*Env::Default(), dir_.path(), *keys_, /*create=*/true);
    if (stop_after <= 2) {
      ASSERT_OK(opened.status());
      EXPECT_EQ(*opened, nullptr);  // still the clear store, whole
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<meta::RocksMetaStore> store,
                           meta::RocksMetaStore::Open(Over(dir_.Sub("meta"), Env::Default())));
      ASSERT_OK_AND_ASSIGN(std::optional<std::string> v, store->Get("objects", kMarker + std::string("7")));
      EXPECT_TRUE(v.has_value());
    } else if (stop_after <= 5) {
      // A complete copy waits to take the store's place, or no store is
      // under its name.
      EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
      EXPECT_NE(opened.status().message().find("encrypt-metadata"), std::string::npos);
    } else {
      ASSERT_OK(opened.status());
      EXPECT_NE(*opened, nullptr);
    }

    ASSERT_OK_AND_ASSIGN(MetadataConversion finished, EncryptMetadata(*Env::Default(), dir_.path(), *keys_));
    // Before the copy was complete it starts over; after the last step
    // there is nothing left to do.
    EXPECT_EQ(finished.already_encrypted, stop_after == kSteps);
    EXPECT_EQ(finished.resumed, stop_after >= 3 && stop_after < kSteps);
    ExpectEncryptedWithEveryRecord();
  }
}

// A suspected leak of the metadata key: every record copied under a new
// key, and no file of the store opens under the old one any more.
TEST_F(MetadataEncryptionTest, NewKeyReencryptsEveryRecordAndTheOldKeyOpensNothing) {
  WriteClearStore();
  ASSERT_OK(EncryptMetadata(*Env::Default(), dir_.path(), *keys_).status());
  const crypto::SecretBytes old_key = CurrentKey();
  EXPECT_TRUE(AnyMetaFileOpensUnder(old_key));

  ASSERT_OK_AND_ASSIGN(MetadataConversion done, ReencryptMetadataUnderNewKey(*Env::Default(), dir_.path(), *keys_));
  EXPECT_FALSE(done.already_encrypted);
  EXPECT_FALSE(done.was_clear);
  EXPECT_FALSE(done.resumed);
  EXPECT_GT(done.records, static_cast<uint64_t>(kRecords));
  ExpectEncryptedWithEveryRecord();
  const crypto::SecretBytes new_key = CurrentKey();
  EXPECT_FALSE(std::equal(new_key.span().begin(), new_key.span().end(), old_key.span().begin()));
  EXPECT_FALSE(AnyMetaFileOpensUnder(old_key));
  EXPECT_TRUE(AnyMetaFileOpensUnder(new_key));

  // Without --new-key an encrypted directory is left alone.
  ASSERT_OK_AND_ASSIGN(done, EncryptMetadata(*Env::Default(), dir_.path(), *keys_));
  EXPECT_TRUE(done.already_encrypted);
  EXPECT_TRUE(AnyMetaFileOpensUnder(new_key));
}

// As the conversion: stopped after each durable step, the directory opens
// under the old key (before the copy is complete), is refused (until the
// swap is done), or opens under the new key; run again, it finishes.
TEST_F(MetadataEncryptionTest, InterruptedNewKeyAfterAnyStepIsFinishedByTheNextRun) {
  constexpr int kSteps = 7;
  for (int stop_after = 1; stop_after <= kSteps; ++stop_after) {
    SCOPED_TRACE("stopped after step " + std::to_string(stop_after));
    for (const char* dir : {"meta", "meta.encrypted", "meta.old-key"}) std::filesystem::remove_all(dir_.Sub(dir));
    for (const char* file : {"meta.key", "meta.encrypted.key", "meta.encrypted.done"}) {
      std::filesystem::remove(dir_.Sub(file));
    }
    WriteClearStore();
    ASSERT_OK(EncryptMetadata(*Env::Default(), dir_.path(), *keys_).status());
    const crypto::SecretBytes old_key = CurrentKey();

    Result<MetadataConversion> stopped = ReencryptMetadataUnderNewKey(
        *Env::Default(), dir_.path(), *keys_,
        [&](int step) -> Status { return step == stop_after ? AbortedError("stopped") : OkStatus(); });
    ASSERT_EQ(stopped.status().code(), StatusCode::kAborted);

    Result<std::unique_ptr<crypto::EncryptedEnv>> opened =
        OpenMetadataEnv(*Env::Default(), dir_.path(), *keys_, /*create=*/true);
    if (stop_after <= 2) {
      ASSERT_OK(opened.status());
      EXPECT_TRUE(AnyMetaFileOpensUnder(old_key));  // the old store, under the old key
      ExpectEveryRecordUnderItsKey();
    } else if (stop_after <= 5) {
      EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
      EXPECT_NE(opened.status().message().find("encrypt-metadata"), std::string::npos);
    } else {
      ASSERT_OK(opened.status());
      EXPECT_FALSE(AnyMetaFileOpensUnder(old_key));
    }

    ASSERT_OK_AND_ASSIGN(MetadataConversion finished,
                         ReencryptMetadataUnderNewKey(*Env::Default(), dir_.path(), *keys_));
    // Before the copy was complete it starts over; from then on it finishes
    // the interrupted run; after its last step a new run makes another key.
    EXPECT_EQ(finished.resumed, stop_after >= 3 && stop_after < kSteps);
    EXPECT_EQ(finished.records > 0, stop_after < 3 || stop_after == kSteps);
    ExpectEncryptedWithEveryRecord();
    EXPECT_FALSE(AnyMetaFileOpensUnder(old_key));
  }
}

}  // namespace
}  // namespace confiance
