// File: main/secret_file_test.cc
// ReadSecretFile: the file's bytes less trailing line ends, and a clear
// error for a missing or empty file.
#include "main/secret_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string_view>

#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

std::string_view View(const crypto::SecretBytes& s) {
  return std::string_view(reinterpret_cast<const char*>(s.data()), s.size());
}

std::string Write(const testutil::TempDir& dir, const std::string& name, std::string_view content) {
  const std::string path = dir.Sub(name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(SecretFileTest, DropsTrailingLineEndsOnly) {
  testutil::TempDir dir;
  Result<crypto::SecretBytes> s = ReadSecretFile(Write(dir, "a", " tok\r\nen \r\n\n"), "--x");
  ASSERT_OK(s.status());
  EXPECT_EQ(View(*s), " tok\r\nen ");
}

TEST(SecretFileTest, KeepsBinaryBytes) {
  testutil::TempDir dir;
  const std::string_view raw("\x00\xff\x01", 3);
  Result<crypto::SecretBytes> s = ReadSecretFile(Write(dir, "b", raw), "--x");
  ASSERT_OK(s.status());
  EXPECT_EQ(View(*s), raw);
}

TEST(SecretFileTest, EmptyOrMissingFileNamesTheFlag) {
  testutil::TempDir dir;
  Result<crypto::SecretBytes> empty = ReadSecretFile(Write(dir, "c", "\n"), "--notify-secret-file");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("--notify-secret-file"), std::string::npos) << empty.status().message();
  Result<crypto::SecretBytes> missing = ReadSecretFile(dir.Sub("absent"), "--webhook-secret-file");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--webhook-secret-file"), std::string::npos)
      << missing.status().message();
}

}  // namespace
}  // namespace confiance
