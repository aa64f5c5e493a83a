// File: crypto/encrypted_env_test.cc
#include "crypto/encrypted_env.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::crypto {
namespace {

std::span<const std::byte> StringBytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

// Printable, not repeating within a few KiB, so that a misplaced byte shows.
std::string TextOfSize(size_t n, int seed = 0) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('!' + (i * 7 + i / 93 + static_cast<size_t>(seed)) % 90);
  return s;
}

class EncryptedEnvTest : public ::testing::Test {
 protected:
  std::unique_ptr<EncryptedEnv> Make(int key_seed = 1, std::string only_under = "") {
    Result<std::unique_ptr<EncryptedEnv>> env =
        EncryptedEnv::Create(*Env::Default(), testutil::SequenceSecret(key_seed, 32), std::move(only_under));
    EXPECT_TRUE(env.ok()) << env.status().ToString();
    return std::move(env).value();
  }
  void Write(Env& env, const std::string& path, std::string_view content) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env.NewWritableFile(path));
    // Uneven appends, so that blocks of the keystream start mid-way.
    for (size_t at = 0; at < content.size();) {
      const size_t n = std::min<size_t>(content.size() - at, 1 + at % 977);
      ASSERT_OK(f->Append(StringBytes(content.substr(at, n))));
      at += n;
    }
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Close());
  }
  std::string Raw(const std::string& path) {
    Result<std::string> raw = ReadSmallFile(*Env::Default(), path);
    EXPECT_TRUE(raw.ok()) << raw.status().ToString();
    return raw.ok() ? *raw : "";
  }

  testutil::TempDir dir_;
};

TEST_F(EncryptedEnvTest, KeyMustBe32Bytes) {
  EXPECT_EQ(EncryptedEnv::Create(*Env::Default(), testutil::SequenceSecret(1, 16)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EncryptedEnvTest, ContentReadsBackAndIsNotOnDisk) {
  std::unique_ptr<EncryptedEnv> env = Make();
  const std::string path = dir_.Sub("000001.sst");
  const std::string content = TextOfSize(300000);
  Write(*env, path, content);

  const std::string raw = Raw(path);
  ASSERT_EQ(raw.size(), content.size() + EncryptedEnv::kHeaderSize);
  EXPECT_EQ(raw.substr(0, 8), "CONF-ENC");
  EXPECT_TRUE(EncryptedEnv::LooksEncrypted(raw));
  EXPECT_FALSE(EncryptedEnv::LooksEncrypted(content));
  EXPECT_EQ(raw.find(content.substr(1000, 16)), std::string::npos);
  ASSERT_OK_AND_ASSIGN(uint64_t size, env->GetFileSize(path));
  EXPECT_EQ(size, content.size());

  ASSERT_OK_AND_ASSIGN(std::string read, ReadSmallFile(*env, path));
  EXPECT_EQ(read, content);
  // Random reads at offsets that are not block-aligned, and past the end.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RandomAccessFile> f, env->NewRandomAccessFile(path));
  for (uint64_t offset : {0ull, 1ull, 15ull, 16ull, 17ull, 4095ull, 65537ull, 299990ull}) {
    std::string out(37, '\0');
    ASSERT_OK_AND_ASSIGN(size_t n, f->Read(offset, std::as_writable_bytes(std::span(out))));
    ASSERT_EQ(n, std::min<uint64_t>(37, content.size() - offset)) << offset;
    EXPECT_EQ(out.substr(0, n), content.substr(offset, n)) << offset;
    ASSERT_OK_AND_ASSIGN(n, f->ReadUncached(offset, std::as_writable_bytes(std::span(out))));
    EXPECT_EQ(out.substr(0, n), content.substr(offset, n)) << offset;
  }
  // A sequential reader that skips.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SequentialFile> s, env->NewSequentialFile(path));
  ASSERT_OK(s->Skip(12345));
  std::string out(100, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, s->Read(std::as_writable_bytes(std::span(out))));
  ASSERT_EQ(n, 100u);
  EXPECT_EQ(out, content.substr(12345, 100));
}

// Every file gets its own nonce, so the same content under the same name
// is never the same ciphertext (no keystream reuse).
TEST_F(EncryptedEnvTest, RewritingAFileChangesEveryByte) {
  std::unique_ptr<EncryptedEnv> env = Make();
  const std::string path = dir_.Sub("CURRENT");
  const std::string content = TextOfSize(4096);
  Write(*env, path, content);
  const std::string first = Raw(path);
  Write(*env, path, content);
  const std::string second = Raw(path);
  ASSERT_EQ(first.size(), second.size());
  size_t same = 0;
  for (size_t i = EncryptedEnv::kHeaderSize; i < first.size(); ++i) same += first[i] == second[i];
  EXPECT_LT(same, 64u);  // about 16 of 4096 by chance
}

TEST_F(EncryptedEnvTest, AnotherKeyOrAPlainFileIsDataLoss) {
  const std::string path = dir_.Sub("MANIFEST-000005");
  Write(*Make(1), path, TextOfSize(1000));
  std::unique_ptr<EncryptedEnv> other = Make(2);
  Result<std::unique_ptr<SequentialFile>> s = other->NewSequentialFile(path);
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find("another metadata key"), std::string::npos) << s.status().ToString();
  EXPECT_EQ(other->NewRandomAccessFile(path).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(other->NewAppendableFile(path).status().code(), StatusCode::kDataLoss);

  const std::string plain = dir_.Sub("OPTIONS-000007");
  Write(*Env::Default(), plain, TextOfSize(1000));
  Result<std::unique_ptr<RandomAccessFile>> r = Make(1)->NewRandomAccessFile(plain);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("not an encrypted file"), std::string::npos) << r.status().ToString();
}

// Bytes 9-15 of a version-1 header are zero; a file with any other is
// refused, not read as version 1 (a later version may use them).
TEST_F(EncryptedEnvTest, ReservedHeaderBytesSetIsDataLoss) {
  const std::string path = dir_.Sub("000009.sst");
  std::unique_ptr<EncryptedEnv> env = Make(1);
  Write(*env, path, TextOfSize(100));
  std::string raw = Raw(path);
  raw[12] = '\x01';
  ASSERT_OK(WriteFileDurably(*Env::Default(), path, raw));
  Result<std::unique_ptr<RandomAccessFile>> r = env->NewRandomAccessFile(path);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("reserved bytes"), std::string::npos) << r.status().ToString();
  raw[12] = '\0';
  ASSERT_OK(WriteFileDurably(*Env::Default(), path, raw));
  EXPECT_OK(env->NewRandomAccessFile(path).status());
}

// A crash right after a file's creation can leave it shorter than its
// header: it reads as empty, and appending starts it over.
TEST_F(EncryptedEnvTest, FileShorterThanItsHeaderIsEmpty) {
  std::unique_ptr<EncryptedEnv> env = Make();
  const std::string path = dir_.Sub("000010.log");
  Write(*Env::Default(), path, std::string(20, 'x'));
  ASSERT_OK_AND_ASSIGN(uint64_t size, env->GetFileSize(path));
  EXPECT_EQ(size, 0u);
  ASSERT_OK_AND_ASSIGN(std::string read, ReadSmallFile(*env, path));
  EXPECT_EQ(read, "");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RandomAccessFile> r, env->NewRandomAccessFile(path));
  std::string out(10, '\0');
  ASSERT_OK_AND_ASSIGN(size_t n, r->Read(0, std::as_writable_bytes(std::span(out))));
  EXPECT_EQ(n, 0u);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env->NewAppendableFile(path));
  ASSERT_OK(f->Append(StringBytes("abc")));
  ASSERT_OK(f->Close());
  ASSERT_OK_AND_ASSIGN(read, ReadSmallFile(*env, path));
  EXPECT_EQ(read, "abc");
}

TEST_F(EncryptedEnvTest, AppendingContinuesTheKeystream) {
  std::unique_ptr<EncryptedEnv> env = Make();
  const std::string path = dir_.Sub("LOG");
  const std::string content = TextOfSize(5000);
  Write(*env, path, content.substr(0, 1234));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env->NewAppendableFile(path));
  ASSERT_OK(f->Append(StringBytes(std::string_view(content).substr(1234))));
  ASSERT_OK(f->Close());
  ASSERT_OK_AND_ASSIGN(std::string read, ReadSmallFile(*env, path));
  EXPECT_EQ(read, content);

  ASSERT_OK(env->TruncateFile(path, 100));
  ASSERT_OK_AND_ASSIGN(read, ReadSmallFile(*env, path));
  EXPECT_EQ(read, content.substr(0, 100));
}

// A write-ahead log is filled ahead (Env::NewLogFile) with what decrypts to
// zeros, as a plain log's reader expects where no record was written.
TEST_F(EncryptedEnvTest, LogFileFillReadsAsZeros) {
  std::unique_ptr<EncryptedEnv> env = Make();
  const std::string path = dir_.Sub("000011.log");
  const std::string records = TextOfSize(1000);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env->NewLogFile(path, {}));
  ASSERT_OK(f->Append(StringBytes(records)));
  ASSERT_OK(f->Sync());
  EXPECT_EQ(Raw(path).size(), 1024u * 1024u);  // filled ahead on disk
  ASSERT_OK_AND_ASSIGN(std::string read, ReadSmallFile(*env, path));
  ASSERT_EQ(read.size(), 1024u * 1024u - EncryptedEnv::kHeaderSize);
  EXPECT_EQ(read.substr(0, records.size()), records);
  EXPECT_EQ(read.find_first_not_of('\0', records.size()), std::string::npos);
  EXPECT_NE(Raw(path).find_first_not_of('\0', EncryptedEnv::kHeaderSize + records.size()), std::string::npos)
      << "the fill on disk is keystream, not zeros";
  ASSERT_OK(f->Close());
  ASSERT_OK_AND_ASSIGN(read, ReadSmallFile(*env, path));
  EXPECT_EQ(read, records);

  EXPECT_EQ(env->NewLogFile(path, [](uint64_t, std::span<std::byte>) {}).status().code(), StatusCode::kUnimplemented);
}

// The base Env writes a log's fill before the bytes it precedes. A log
// whose fill reached the disk but whose first bytes did not (a reader
// between the two writes, or a crash there) must open and read as zeros,
// not be refused for a header of zeros: the fill carries the header.
TEST_F(EncryptedEnvTest, ALogFilledButNotYetWrittenOpensAsZeros) {
  // Keeps the fill the encrypting Env hands to the base.
  class FillKeepingEnv final : public EnvWrapper {
   public:
    using EnvWrapper::EnvWrapper;
    Result<std::unique_ptr<WritableFile>> NewLogFile(const std::string& path, const LogFill& fill) override {
      kept = fill;
      return base().NewLogFile(path, fill);
    }
    LogFill kept;
  };
  FillKeepingEnv base(*Env::Default());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EncryptedEnv> env, EncryptedEnv::Create(base, testutil::SequenceSecret(1, 32)));
  const std::string path = dir_.Sub("000012.log");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<WritableFile> f, env->NewLogFile(path, {}));
  ASSERT_TRUE(base.kept);
  ASSERT_OK(f->Append(StringBytes("a record")));
  ASSERT_OK(f->Close());
  const std::string header = Raw(path).substr(0, EncryptedEnv::kHeaderSize);

  // What the disk holds between the fill and the first write: the fill
  // alone, handed out in pieces that split the header.
  std::string filled(8192, '\0');
  for (size_t at = 0; at < filled.size();) {
    const size_t n = std::min<size_t>(at < 100 ? 7 : 4096, filled.size() - at);
    base.kept(at, std::as_writable_bytes(std::span(filled.data() + at, n)));
    at += n;
  }
  EXPECT_EQ(filled.substr(0, EncryptedEnv::kHeaderSize), header);
  ASSERT_OK(WriteFileDurably(*Env::Default(), path, filled));
  ASSERT_OK_AND_ASSIGN(std::string read, ReadSmallFile(*env, path));
  EXPECT_EQ(read, std::string(filled.size() - EncryptedEnv::kHeaderSize, '\0'));
}

TEST_F(EncryptedEnvTest, OnlyUnderADirectory) {
  ASSERT_OK(Env::Default()->CreateDir(dir_.Sub("meta")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<EncryptedEnv> env, Make(1)->OnlyUnder(dir_.Sub("meta/")));
  Write(*env, dir_.Sub("meta/000001.sst"), "secret name");
  Write(*env, dir_.Sub("blob"), "stays as is");
  EXPECT_EQ(Raw(dir_.Sub("meta/000001.sst")).find("secret name"), std::string::npos);
  EXPECT_EQ(Raw(dir_.Sub("blob")), "stays as is");
  ASSERT_OK_AND_ASSIGN(std::string read, ReadSmallFile(*env, dir_.Sub("meta/000001.sst")));
  EXPECT_EQ(read, "secret name");
  ASSERT_OK_AND_ASSIGN(uint64_t size, env->GetFileSize(dir_.Sub("blob")));
  EXPECT_EQ(size, 11u);
}

}  // namespace
}  // namespace confiance::crypto
