// File: tests/testutil/fault_injection_env.cc
// FaultInjectionEnv: the journal of non-durable operations, its undo on
// simulated power loss, and error injection. The model is in the header.
#include "tests/testutil/fault_injection_env.h"

#include <algorithm>
#include <cerrno>
#include <utility>

namespace confiance::testutil {
namespace {

// Paths are compared as strings: strip trailing slashes so that "d/" and "d"
// name the same directory.
std::string Normalize(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

Status WriteWhole(Env& env, const std::string& path, const std::string& data) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env.NewWritableFile(path));
  Status s = file->Append(data);
  Status c = file->Close();
  return s.ok() ? c : s;
}

void Keep(Status& first, Status s) {
  if (first.ok() && !s.ok()) first = std::move(s);
}

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv& env, std::unique_ptr<WritableFile> base,
                    std::shared_ptr<FaultInjectionEnv::FileState> state, uint64_t pos, std::string path)
      : env_(env), base_(std::move(base)), state_(std::move(state)), pos_(pos), path_(std::move(path)) {}

  Status Append(std::span<const std::byte> data) override {
    RETURN_IF_ERROR(env_.MaybeFail(kFaultAppend, path_));
    RETURN_IF_ERROR(base_->Append(data));
    pos_ += data.size();
    return OkStatus();
  }
  Status Flush() override {
    RETURN_IF_ERROR(env_.MaybeFail(kFaultFlush, path_));
    return base_->Flush();
  }
  Status Sync() override {
    RETURN_IF_ERROR(env_.MaybeFail(kFaultSync, path_));
    RETURN_IF_ERROR(base_->Sync());
    env_.RecordSync(*state_, pos_);
    return OkStatus();
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultInjectionEnv& env_;
  std::unique_ptr<WritableFile> base_;
  std::shared_ptr<FaultInjectionEnv::FileState> state_;
  uint64_t pos_;  // bytes appended, including those before opening
  const std::string path_;  // as opened (for fault reports)
};

}  // namespace

FaultInjectionEnv::FaultInjectionEnv(Env& base) : base_(base) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

// ---- Error injection ----

void FaultInjectionEnv::FailAfter(int n, int err, uint32_t ops) {
  std::lock_guard<std::mutex> l(mu_);
  fail_countdown_ = std::max(n, 0);
  fail_errno_ = err;
  fail_ops_ = ops;
}

void FaultInjectionEnv::ClearFailure() { FailAfter(0); }

void FaultInjectionEnv::SetFilesystemActive(bool active) {
  std::lock_guard<std::mutex> l(mu_);
  active_ = active;
}

bool FaultInjectionEnv::filesystem_active() const {
  std::lock_guard<std::mutex> l(mu_);
  return active_;
}

void FaultInjectionEnv::CrashAfter(uint64_t n, std::optional<std::thread::id> counted_thread) {
  std::lock_guard<std::mutex> l(mu_);
  crash_countdown_ = n;
  crash_thread_ = counted_thread;
}

uint64_t FaultInjectionEnv::mutating_calls() const {
  std::lock_guard<std::mutex> l(mu_);
  return mutating_calls_;
}

int FaultInjectionEnv::injected_failures() const {
  std::lock_guard<std::mutex> l(mu_);
  return injected_;
}

size_t FaultInjectionEnv::TEST_PendingDirOps() const {
  std::lock_guard<std::mutex> l(mu_);
  return pending_.size();
}

Status FaultInjectionEnv::MaybeFail(FaultOp op, const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  ++mutating_calls_;
  if (crash_countdown_ > 0 && (!crash_thread_ || *crash_thread_ == std::this_thread::get_id()) &&
      --crash_countdown_ == 0) {
    active_ = false;  // the crash point
  }
  if (!active_) {
    ++injected_;
    last_fault_ = InjectedFault{op, Normalize(path), EIO};
    return ErrnoError(EIO, "fault injection: filesystem inactive");
  }
  if (fail_countdown_ > 0 && (fail_ops_ & op) != 0 && --fail_countdown_ == 0) {
    ++injected_;
    last_fault_ = InjectedFault{op, Normalize(path), fail_errno_};
    return ErrnoError(fail_errno_, "fault injection: injected failure");
  }
  return OkStatus();
}

std::optional<FaultInjectionEnv::InjectedFault> FaultInjectionEnv::last_injected_fault() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_fault_;
}

void FaultInjectionEnv::RecordSync(FileState& state, uint64_t size) {
  std::lock_guard<std::mutex> l(mu_);
  state.synced_size = size;
}

// ---- Files ----

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::OpenWritable(const std::string& path,
                                                                      bool append) {
  const std::string p = Normalize(path);
  RETURN_IF_ERROR(MaybeFail(kFaultNewFile, p));
  std::lock_guard<std::mutex> l(mu_);
  const bool existed = base_.FileExists(p);
  uint64_t size = 0;
  if (append && existed) {
    Result<uint64_t> s = base_.GetFileSize(p);
    if (s.ok()) size = *s;
  }
  Result<std::unique_ptr<WritableFile>> base =
      append ? base_.NewAppendableFile(p) : base_.NewWritableFile(p);
  if (!base.ok()) return base.status();
  std::shared_ptr<FileState>& state = files_[p];
  if (!append || !existed) {
    state = std::make_shared<FileState>();  // truncated or new: nothing durable
  } else if (state == nullptr) {
    state = std::make_shared<FileState>(FileState{size});  // untracked: durable
  }
  if (!existed) {
    pending_.push_back(PendingOp{.kind = PendingOp::kCreateFile, .path = p,
                                 .sync_dir = DirName(p)});
  }
  return std::unique_ptr<WritableFile>(
      new FaultWritableFile(*this, std::move(base).value(), state, size, p));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(
    const std::string& path) {
  return OpenWritable(path, /*append=*/false);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  return OpenWritable(path, /*append=*/true);
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& path) {
  return base_.NewRandomAccessFile(path);
}

Result<std::unique_ptr<SequentialFile>> FaultInjectionEnv::NewSequentialFile(
    const std::string& path) {
  return base_.NewSequentialFile(path);
}

bool FaultInjectionEnv::FileExists(const std::string& path) { return base_.FileExists(path); }

Result<std::vector<std::string>> FaultInjectionEnv::GetChildren(const std::string& dir) {
  return base_.GetChildren(dir);
}

Result<uint64_t> FaultInjectionEnv::GetFileSize(const std::string& path) {
  return base_.GetFileSize(path);
}

Result<uint64_t> FaultInjectionEnv::GetFileModificationTime(const std::string& path) {
  return base_.GetFileModificationTime(path);
}

Result<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path) {
  return base_.LockFile(path);
}

uint64_t FaultInjectionEnv::NowMicros() { return base_.NowMicros(); }

std::optional<std::string> FaultInjectionEnv::DurableContentLocked(const std::string& path) {
  Result<uint64_t> size = base_.GetFileSize(path);
  if (!size.ok()) return std::nullopt;
  uint64_t durable = *size;
  auto it = files_.find(path);
  if (it != files_.end()) durable = std::min(durable, it->second->synced_size);
  if (durable > kMaxUndoBytes) return std::nullopt;
  Result<std::unique_ptr<RandomAccessFile>> file = base_.NewRandomAccessFile(path);
  if (!file.ok()) return std::nullopt;
  std::string out(durable, '\0');
  Result<size_t> n = (*file)->Read(0, std::as_writable_bytes(std::span(out)));
  if (!n.ok()) return std::nullopt;
  out.resize(*n);
  return out;
}

// ---- Directory entries ----

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  RETURN_IF_ERROR(MaybeFail(kFaultRemove, path));
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> l(mu_);
  std::optional<std::string> saved = DurableContentLocked(p);
  RETURN_IF_ERROR(base_.RemoveFile(p));
  files_.erase(p);
  pending_.push_back(PendingOp{.kind = PendingOp::kRemoveFile, .path = p,
                               .sync_dir = DirName(p), .saved = std::move(saved)});
  return OkStatus();
}

Status FaultInjectionEnv::CreateDir(const std::string& dir) {
  RETURN_IF_ERROR(MaybeFail(kFaultCreateDir, dir));
  const std::string d = Normalize(dir);
  std::lock_guard<std::mutex> l(mu_);
  const bool existed = base_.FileExists(d);
  RETURN_IF_ERROR(base_.CreateDir(d));
  if (!existed) {
    pending_.push_back(PendingOp{.kind = PendingOp::kCreateDir, .path = d,
                                 .sync_dir = DirName(d)});
  }
  return OkStatus();
}

Status FaultInjectionEnv::RemoveDir(const std::string& dir) {
  RETURN_IF_ERROR(MaybeFail(kFaultRemove, dir));
  const std::string d = Normalize(dir);
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(base_.RemoveDir(d));
  pending_.push_back(PendingOp{.kind = PendingOp::kRemoveDir, .path = d,
                               .sync_dir = DirName(d)});
  return OkStatus();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(MaybeFail(kFaultRename, to));
  const std::string f = Normalize(from);
  const std::string t = Normalize(to);
  std::lock_guard<std::mutex> l(mu_);
  const bool replaced = base_.FileExists(t);
  std::optional<std::string> saved;
  if (replaced) saved = DurableContentLocked(t);
  RETURN_IF_ERROR(base_.RenameFile(f, t));
  // The durable-size record follows the inode to its new name.
  auto it = files_.find(f);
  if (it != files_.end()) {
    files_[t] = std::move(it->second);
    files_.erase(f);
  } else {
    files_.erase(t);
  }
  pending_.push_back(PendingOp{.kind = PendingOp::kRename, .path = t, .from = f,
                               .sync_dir = DirName(t), .replaced = replaced,
                               .saved = std::move(saved)});
  return OkStatus();
}

Status FaultInjectionEnv::LinkFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(MaybeFail(kFaultLink, to));
  const std::string f = Normalize(from);
  const std::string t = Normalize(to);
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(base_.LinkFile(f, t));
  auto it = files_.find(f);
  if (it != files_.end()) files_[t] = it->second;  // same inode, same state
  pending_.push_back(PendingOp{.kind = PendingOp::kCreateFile, .path = t,
                               .sync_dir = DirName(t)});
  return OkStatus();
}

Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  RETURN_IF_ERROR(MaybeFail(kFaultTruncate, path));
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(base_.TruncateFile(p, size));
  auto it = files_.find(p);
  if (it != files_.end()) it->second->synced_size = std::min(it->second->synced_size, size);
  return OkStatus();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  RETURN_IF_ERROR(MaybeFail(kFaultSyncDir, dir));
  const std::string d = Normalize(dir);
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(base_.SyncDir(d));
  std::erase_if(pending_, [&](const PendingOp& op) { return op.sync_dir == d; });
  return OkStatus();
}

// ---- Power loss ----

Status FaultInjectionEnv::RemoveTreeLocked(const std::string& path) {
  Result<std::vector<std::string>> children = base_.GetChildren(path);
  if (!children.ok()) return base_.RemoveFile(path);  // not a directory
  Status first;
  for (const std::string& name : *children) Keep(first, RemoveTreeLocked(path + "/" + name));
  Keep(first, base_.RemoveDir(path));
  return first;
}

Status FaultInjectionEnv::UndoLocked(const PendingOp& op) {
  switch (op.kind) {
    case PendingOp::kCreateFile:
      if (!base_.FileExists(op.path)) return OkStatus();  // moved or removed since
      return base_.RemoveFile(op.path);
    case PendingOp::kCreateDir:
      if (!base_.FileExists(op.path)) return OkStatus();
      return RemoveTreeLocked(op.path);
    case PendingOp::kRename: {
      if (!base_.FileExists(op.path)) return OkStatus();
      RETURN_IF_ERROR(base_.RenameFile(op.path, op.from));
      // A replaced target too large to save stays lost (header comment).
      if (op.replaced && op.saved) return WriteWhole(base_, op.path, *op.saved);
      return OkStatus();
    }
    case PendingOp::kRemoveFile:
      if (!op.saved) return OkStatus();
      return WriteWhole(base_, op.path, *op.saved);
    case PendingOp::kRemoveDir:
      return base_.CreateDir(op.path);
  }
  return OkStatus();
}

Status FaultInjectionEnv::SimulatePowerLoss() {
  std::lock_guard<std::mutex> l(mu_);
  Status first;
  // 1. Data: drop every unsynced tail (the state follows renames, so this
  //    truncates inodes, whatever name they have now).
  for (const auto& [path, state] : files_) {
    Result<uint64_t> size = base_.GetFileSize(path);
    if (size.ok() && *size > state->synced_size) {
      Keep(first, base_.TruncateFile(path, state->synced_size));
    }
  }
  // 2. Names: undo the directory operations no SyncDir made durable.
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    Keep(first, UndoLocked(*it));
  }
  pending_.clear();
  files_.clear();  // everything left is durable as it stands
  return first;
}

}  // namespace confiance::testutil
