// File: tests/testutil/temp_dir.h
// TempDir: a fresh directory under $TMPDIR, removed with its content on
// destruction.
#pragma once

#include <string>

namespace confiance::testutil {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace confiance::testutil
