// File: tests/testutil/temp_dir.cc
#include "tests/testutil/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace confiance::testutil {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/confiance-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace confiance::testutil
