// File: main/config_file_test.cc
// ExpandConfigFile: a TOML file of server options as command-line
// arguments, the command line's own options winning, every mistake named.
#include "main/config_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance {
namespace {

using Args = std::vector<std::string>;

bool IsServerOption(std::string_view name) {
  static const std::set<std::string, std::less<>> kOptions = {"config",  "listen",     "data",        "no-console",
                                                              "threads", "hyok-allow", "kmip-timeout"};
  return kOptions.count(name) != 0;
}

class ConfigFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = dir_.Sub("confiance.toml");
    std::ofstream(path) << text;
    return path;
  }
  Result<Args> Expand(const Args& args) { return ExpandConfigFile(args, IsServerOption); }
  Status ExpandError(const std::string& text) { return Expand({"--config", Write(text)}).status(); }
  testutil::TempDir dir_;
};

TEST_F(ConfigFileTest, WithoutConfigTheArgumentsStayAsTheyAre) {
  ASSERT_OK_AND_ASSIGN(Args out, Expand({"--listen", "127.0.0.1:1", "--no-console"}));
  EXPECT_EQ(out, (Args{"--listen", "127.0.0.1:1", "--no-console"}));
}

TEST_F(ConfigFileTest, TheFilesOptionsComeFirstAndTheCommandLineOverridesThem) {
  const std::string path = Write(
      "# a comment\n"
      "listen = \"0.0.0.0:9000\"\n"
      "data = \"/var/lib/confiance\"\n"
      "no-console = true\n"
      "threads = 2\n"
      "kmip-timeout = 2.5\n"
      "hyok-allow = [\"kms1.example:5696\", \"kms2.example:5696\"]\n");
  ASSERT_OK_AND_ASSIGN(Args out, Expand({"--config", path, "--listen", "127.0.0.1:9001"}));
  EXPECT_EQ(out, (Args{"--data=/var/lib/confiance", "--hyok-allow=kms1.example:5696", "--hyok-allow=kms2.example:5696",
                       "--kmip-timeout=2.5", "--no-console=true", "--threads=2", "--config", path, "--listen",
                       "127.0.0.1:9001"}));
  ASSERT_OK_AND_ASSIGN(Args eq, Expand({"--config=" + path, "--data=/srv/c", "--threads", "4"}));
  EXPECT_EQ(
      eq, (Args{"--hyok-allow=kms1.example:5696", "--hyok-allow=kms2.example:5696", "--kmip-timeout=2.5",
                "--listen=0.0.0.0:9000", "--no-console=true", "--config=" + path, "--data=/srv/c", "--threads", "4"}));
}

TEST_F(ConfigFileTest, FalseFlagsAreWrittenOutSoThatTheOptionRefusesWhatItMust) {
  ASSERT_OK_AND_ASSIGN(Args out, Expand({"--config", Write("no-console = false\n")}));
  EXPECT_EQ(out.front(), "--no-console=false");
}

TEST_F(ConfigFileTest, EveryMistakeIsRefusedWithTheFileAndTheKey) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c :
       {Case{"lisen = \"x\"\n", "lisen: no such option"},
        Case{"config = \"/etc/other.toml\"\n", "config: a config file cannot name another"},
        Case{"[server]\nlisten = \"x\"\n", "server: no such option"},
        Case{"listen = { host = \"x\" }\n", "listen: must be a string"},
        Case{"hyok-allow = [true]\n", "hyok-allow: an array may hold only"},
        Case{"hyok-allow = [[\"a\"]]\n", "hyok-allow: an array may hold only"}, Case{"listen = \n", "(line 1)"}}) {
    Status s = ExpandError(c.text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(s.message().find(c.says), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(dir_.Sub("confiance.toml")), std::string::npos) << s.message();
  }
  EXPECT_STATUS_CODE(Expand({"--config", dir_.Sub("missing.toml")}), kNotFound);
  EXPECT_STATUS_CODE(Expand({"--config", Write(""), "--config=x"}), kInvalidArgument);
  EXPECT_STATUS_CODE(Expand({"--listen", "x", "--config"}), kInvalidArgument);
}

}  // namespace
}  // namespace confiance
