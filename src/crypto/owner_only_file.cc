// File: crypto/owner_only_file.cc
#include "crypto/owner_only_file.h"

#include <sys/stat.h>

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
  Status written;
  {
    ScopedOwnerOnlyUmask umask_guard;
    written = WriteFileDurably(env, staged, data);
  }
  // WriteFileDurably may fail after its rename (the directory sync): the
  // staged copy of the secret must not stay behind.
  Status linked = written.ok() ? env.LinkFile(staged, path) : written;
  Status removed = env.RemoveFile(staged);
  RETURN_IF_ERROR(linked);
  RETURN_IF_ERROR(removed);
  return env.SyncDir(DirName(path));
}

Status ReplaceOwnerOnlyFile(Env& env, const std::string& path, std::string_view data) {
  ScopedOwnerOnlyUmask umask_guard;
  return WriteFileDurably(env, path, data);
}

}  // namespace confiance::crypto
