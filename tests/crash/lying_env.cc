// File: tests/crash/lying_env.cc
#include "tests/crash/lying_env.h"

namespace confiance::crashtest {
namespace {

class LyingWritableFile final : public WritableFile {
 public:
  LyingWritableFile(LyingEnv& env, std::unique_ptr<WritableFile> base) : env_(env), base_(std::move(base)) {}
  Status Append(std::span<const std::byte> data) override { return base_->Append(data); }
  Status Flush() override { return base_->Flush(); }
  Status Sync() override {
    env_.CountSkip();
    return base_->Flush();  // the bytes reach the OS, never the disk
  }
  Status Close() override { return base_->Close(); }

 private:
  LyingEnv& env_;
  std::unique_ptr<WritableFile> base_;
};

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }
bool EndsWith(const std::string& s, std::string_view tail) { return s.ends_with(tail); }

}  // namespace

const char* MutantName(Mutant m) {
  switch (m) {
    case Mutant::kNone: return "none";
    case Mutant::kNoBlobDirSync: return "blob-dir-sync";
    case Mutant::kNoBlobFileSync: return "blob-file-sync";
    case Mutant::kNoWalSync: return "wal-sync";
  }
  return "?";
}

std::vector<Mutant> AllMutants() {
  return {Mutant::kNone, Mutant::kNoBlobDirSync, Mutant::kNoBlobFileSync, Mutant::kNoWalSync};
}

bool ParseMutant(const std::string& name, Mutant* out) {
  for (Mutant m : AllMutants()) {
    if (name == MutantName(m)) {
      *out = m;
      return true;
    }
  }
  return false;
}

uint64_t LyingEnv::skipped() const { return skipped_.load(); }
void LyingEnv::CountSkip() { skipped_.fetch_add(1); }

bool LyingEnv::SkipsFileSync(const std::string& path) const {
  switch (mutant_) {
    case Mutant::kNoBlobFileSync: return Contains(path, "/blobs/tmp/");
    case Mutant::kNoWalSync: return Contains(path, "/meta/") && EndsWith(path, ".log");
    default: return false;
  }
}

Result<std::unique_ptr<WritableFile>> LyingEnv::Wrap(const std::string& path,
                                                     Result<std::unique_ptr<WritableFile>> file) {
  if (!file.ok() || !SkipsFileSync(path)) return file;
  return std::unique_ptr<WritableFile>(new LyingWritableFile(*this, std::move(file).value()));
}

Result<std::unique_ptr<WritableFile>> LyingEnv::NewWritableFile(const std::string& path) {
  return Wrap(path, base().NewWritableFile(path));
}

Result<std::unique_ptr<WritableFile>> LyingEnv::NewAppendableFile(const std::string& path) {
  return Wrap(path, base().NewAppendableFile(path));
}

Status LyingEnv::SyncDir(const std::string& dir) {
  // A fan-out directory: blobs/<two hex digits>.
  if (mutant_ == Mutant::kNoBlobDirSync && dir.size() > 3 && Contains(dir, "/blobs/") &&
      dir[dir.size() - 3] == '/' && !EndsWith(dir, "/tmp")) {
    CountSkip();
    return OkStatus();
  }
  return base().SyncDir(dir);
}

}  // namespace confiance::crashtest
