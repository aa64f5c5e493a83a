// File: crypto/owner_only_file.cc
#include "crypto/owner_only_file.h"

#include <sys/stat.h>

#include <filesystem>
#include <mutex>

#include "crypto/random.h"

namespace confiance::crypto {
namespace {

// umask(077) for one scope, so that a file is created 0600 (the Env opens
// files 0644 & ~umask) and is never readable by others, not even between
// its creation and a chmod. umask is per process: the mutex only
// serialises users of this guard.
class ScopedOwnerOnlyUmask {
 public:
  ScopedOwnerOnlyUmask() : lock_(Mu()), old_(::umask(077)) {}
  ~ScopedOwnerOnlyUmask() { ::umask(old_); }
  ScopedOwnerOnlyUmask(const ScopedOwnerOnlyUmask&) = delete;
  ScopedOwnerOnlyUmask& operator=(const ScopedOwnerOnlyUmask&) = delete;

 private:
  static std::mutex& Mu() {
    static std::mutex mu;
    return mu;
  }
  std::lock_guard<std::mutex> lock_;
  mode_t old_;
};

}  // namespace

Status CreateOwnerOnlyFile(Env& env, const std::string& path, std::string_view data) {
  ASSIGN_OR_RETURN(std::string suffix, RandomHex(8));
  const std::string staged = path + ".new-" + suffix;
  {
    ScopedOwnerOnlyUmask umask_guard;
    RETURN_IF_ERROR(WriteFileDurably(env, staged, data));
  }
  Status linked = env.LinkFile(staged, path);
  Status removed = env.RemoveFile(staged);
  RETURN_IF_ERROR(linked);
  RETURN_IF_ERROR(removed);
  std::string dir = std::filesystem::path(path).parent_path().string();
  return env.SyncDir(dir.empty() ? "." : dir);
}

Status ReplaceOwnerOnlyFile(Env& env, const std::string& path, std::string_view data) {
  ScopedOwnerOnlyUmask umask_guard;
  return WriteFileDurably(env, path, data);
}

}  // namespace confiance::crypto
