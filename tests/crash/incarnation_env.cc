// File: tests/crash/incarnation_env.cc
#include "tests/crash/incarnation_env.h"

#include <cerrno>

namespace confiance::crashtest {
namespace {

class NoLock final : public FileLock {};

}  // namespace

// A file opened for writing: every call is serialised with Kill's close.
class IncarnationEnv::File final : public WritableFile {
 public:
  File(IncarnationEnv& env, std::unique_ptr<WritableFile> base) : env_(env), base_(std::move(base)) {}
  ~File() override {
    env_.Forget(this);
    std::lock_guard lock(mu_);
    base_->Close().IgnoreError();
  }

  Status Append(std::span<const std::byte> data) override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(env_.CheckAlive());
    return base_->Append(data);
  }
  Status Flush() override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(env_.CheckAlive());
    return base_->Flush();
  }
  Status Sync() override {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(env_.CheckAlive());
    return base_->Sync();
  }
  Status Close() override {
    std::lock_guard lock(mu_);
    return base_->Close();  // idempotent; after Kill a no-op
  }

 private:
  IncarnationEnv& env_;
  std::mutex mu_;
  std::unique_ptr<WritableFile> base_;
};

void IncarnationEnv::Kill() {
  alive_.store(false);
  std::lock_guard lock(files_mu_);
  for (File* f : open_files_) f->Close().IgnoreError();
}

Result<std::unique_ptr<WritableFile>> IncarnationEnv::Track(Result<std::unique_ptr<WritableFile>> file) {
  if (!file.ok()) return file;
  auto tracked = std::make_unique<File>(*this, std::move(file).value());
  std::lock_guard lock(files_mu_);
  open_files_.insert(tracked.get());
  return std::unique_ptr<WritableFile>(std::move(tracked));
}

void IncarnationEnv::Forget(File* file) {
  std::lock_guard lock(files_mu_);
  open_files_.erase(file);
}

Status IncarnationEnv::CheckAlive() const {
  if (alive()) return OkStatus();
  return ErrnoError(EIO, "crash harness: this incarnation of the store crashed");
}

Result<std::unique_ptr<WritableFile>> IncarnationEnv::NewWritableFile(const std::string& path) {
  RETURN_IF_ERROR(CheckAlive());
  return Track(base().NewWritableFile(path));
}

Result<std::unique_ptr<WritableFile>> IncarnationEnv::NewAppendableFile(const std::string& path) {
  RETURN_IF_ERROR(CheckAlive());
  return Track(base().NewAppendableFile(path));
}

Status IncarnationEnv::RemoveFile(const std::string& path) {
  RETURN_IF_ERROR(CheckAlive());
  return base().RemoveFile(path);
}

Status IncarnationEnv::CreateDir(const std::string& dir) {
  RETURN_IF_ERROR(CheckAlive());
  return base().CreateDir(dir);
}

Status IncarnationEnv::RemoveDir(const std::string& dir) {
  RETURN_IF_ERROR(CheckAlive());
  return base().RemoveDir(dir);
}

Status IncarnationEnv::RenameFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(CheckAlive());
  return base().RenameFile(from, to);
}

Status IncarnationEnv::LinkFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(CheckAlive());
  return base().LinkFile(from, to);
}

Status IncarnationEnv::TruncateFile(const std::string& path, uint64_t size) {
  RETURN_IF_ERROR(CheckAlive());
  return base().TruncateFile(path, size);
}

Status IncarnationEnv::SyncDir(const std::string& dir) {
  RETURN_IF_ERROR(CheckAlive());
  return base().SyncDir(dir);
}

Result<std::unique_ptr<FileLock>> IncarnationEnv::LockFile(const std::string& path) {
  RETURN_IF_ERROR(CheckAlive());
  return std::unique_ptr<FileLock>(new NoLock());
}

}  // namespace confiance::crashtest
