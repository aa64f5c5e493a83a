// File: main/credentials_file_test.cc
// WriteCredentialsFile: four fresh keys in an environment file of mode
// 0600, never over an existing file.
#include "main/credentials_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <regex>

#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

std::map<std::string, std::string> ReadEnvFile(const std::string& path) {
  std::map<std::string, std::string> vars;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << line;
    if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return vars;
}

TEST(CredentialsFileTest, WritesFourFreshKeysReadableByItsOwnerOnly) {
  testutil::TempDir dir;
  const std::string path = dir.Sub("credentials.env");
  ASSERT_OK(WriteCredentialsFile(*Env::Default(), path));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::map<std::string, std::string> vars = ReadEnvFile(path);
  ASSERT_EQ(vars.size(), 4u);
  const std::regex id("CF[A-Z2-7]{18}"), secret("[A-Za-z0-9]{40}");
  for (const char* name : {"CONFIANCE_ROOT_ACCESS_KEY", "CONFIANCE_OPERATOR_ACCESS_KEY"}) {
    EXPECT_TRUE(std::regex_match(vars[name], id)) << name << "=" << vars[name];
  }
  for (const char* name : {"CONFIANCE_ROOT_SECRET_KEY", "CONFIANCE_OPERATOR_SECRET_KEY"}) {
    EXPECT_TRUE(std::regex_match(vars[name], secret)) << name;
  }
  EXPECT_NE(vars["CONFIANCE_ROOT_ACCESS_KEY"], vars["CONFIANCE_OPERATOR_ACCESS_KEY"]);
  EXPECT_NE(vars["CONFIANCE_ROOT_SECRET_KEY"], vars["CONFIANCE_OPERATOR_SECRET_KEY"]);

  // A second file holds other keys.
  const std::string other = dir.Sub("other.env");
  ASSERT_OK(WriteCredentialsFile(*Env::Default(), other));
  EXPECT_NE(ReadEnvFile(other)["CONFIANCE_ROOT_SECRET_KEY"], vars["CONFIANCE_ROOT_SECRET_KEY"]);
}

TEST(CredentialsFileTest, NeverReplacesAFile) {
  testutil::TempDir dir;
  const std::string path = dir.Sub("credentials.env");
  std::ofstream(path) << "CONFIANCE_ROOT_ACCESS_KEY=INUSE\n";
  Status s = WriteCredentialsFile(*Env::Default(), path);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.message();
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "CONFIANCE_ROOT_ACCESS_KEY=INUSE");
}

TEST(CredentialsFileTest, ADirectoryThatDoesNotExistIsAnError) {
  testutil::TempDir dir;
  Status s = WriteCredentialsFile(*Env::Default(), dir.Sub("absent/credentials.env"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("absent/credentials.env"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace confiance
