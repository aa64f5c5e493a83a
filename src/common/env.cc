// File: common/env.cc
// Env helpers written once on top of the seam: the durable-write recipe
// (STYLE.md #10), whole-file reads, durable directory creation, DirName.
#include <array>
#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <utility>

#include "common/env.h"

namespace confiance {
namespace {

// A suffix unique within the process and very likely across processes, so
// that concurrent WriteFileDurably calls on one path never share a temp file.
std::string TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  uint64_t r = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  std::array<char, 40> buf;
  std::snprintf(buf.data(), buf.size(), "%016llx%llx", static_cast<unsigned long long>(r),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  return std::string(buf.data());
}

// Removes a temporary file on scope exit unless released (Garage's
// DeleteOnDrop, STYLE.md #10).
class TempFileGuard {
 public:
  TempFileGuard(Env& env, std::string path) : env_(env), path_(std::move(path)) {}
  ~TempFileGuard() {
    if (armed_) env_.RemoveFile(path_).IgnoreError();
  }
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  void Release() { armed_ = false; }

 private:
  Env& env_;
  std::string path_;
  bool armed_ = true;
};

Status WriteAndSync(Env& env, const std::string& path, std::string_view data) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env.NewWritableFile(path));
  Status s = file->Append(data);
  if (s.ok()) s = file->Sync();
  Status c = file->Close();
  return s.ok() ? c : s;
}

}  // namespace

std::string DirName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.find_last_of('/');
  if (slash == std::string::npos) return ".";
  while (slash > 0 && p[slash - 1] == '/') --slash;  // "a//b" -> "a"
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

Status WriteFileDurably(Env& env, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp." + TempSuffix();
  TempFileGuard guard(env, tmp);
  // Even a failed NewWritableFile may have created the file: the guard is
  // armed before it.
  RETURN_IF_ERROR(WriteAndSync(env, tmp, data));
  RETURN_IF_ERROR(env.RenameFile(tmp, path));
  guard.Release();
  // The rename is visible; it becomes durable with the directory sync. If
  // that fails the new content may or may not survive a crash: report it.
  return env.SyncDir(DirName(path));
}

Result<std::string> ReadSmallFile(Env& env, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, env.NewSequentialFile(path));
  std::string out;
  std::array<std::byte, 16 * 1024> buf;
  while (true) {
    ASSIGN_OR_RETURN(size_t n, file->Read(buf));
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  return out;
}

Status CreateDirsDurably(Env& env, const std::string& dir) {
  if (dir.empty() || env.FileExists(dir)) return OkStatus();
  const std::string parent = DirName(dir);
  if (parent != dir) RETURN_IF_ERROR(CreateDirsDurably(env, parent));
  RETURN_IF_ERROR(env.CreateDir(dir));
  return env.SyncDir(parent);
}

}  // namespace confiance
