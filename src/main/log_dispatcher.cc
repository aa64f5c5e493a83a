// File: main/log_dispatcher.cc
#include "main/log_dispatcher.h"

#include <algorithm>
#include <charconv>

#include "common/logging.h"

namespace confiance {
namespace {

constexpr std::chrono::milliseconds kFirstPause{1000};
constexpr std::chrono::milliseconds kMaxPause{60000};

std::string CursorKey(const LogDispatcher::TargetName& t) { return "cursor/" + t.tenant + "/" + t.name; }

}  // namespace

LogDispatcher::LogDispatcher(Options options, std::vector<TargetName> targets)
    : options_(std::move(options)),
      targets_(std::move(targets)),
      cursors_(targets_.size()),
      behind_(std::make_unique<std::atomic<uint64_t>[]>(targets_.size())),
      retrying_(std::make_unique<std::atomic<bool>[]>(targets_.size())) {
  if (options_.store != nullptr) {
    // Renewed every lease_recheck (3 s) while the thread polls: 30 s leave
    // room for a slow pass.
    lease_ = std::make_unique<meta::WorkerLease>(*options_.store, options_.what, std::chrono::seconds(30),
                                                 options_.lease_recheck);
  }
}

std::vector<admin::DispatchLag> LogDispatcher::Lags(std::string (*arn)(std::string_view tenant,
                                                                       std::string_view name)) const {
  std::vector<admin::DispatchLag> lags;
  for (size_t i = 0; i < targets_.size(); ++i) {
    lags.push_back({arn(targets_[i].tenant, targets_[i].name), behind_[i].load(std::memory_order_relaxed),
                    retrying_[i].load(std::memory_order_relaxed)});
  }
  return lags;
}

LogDispatcher::~LogDispatcher() { Stop(); }

void LogDispatcher::Start() {
  if (targets_.empty()) return;
  thread_ = std::thread([this] { Run(); });
}

void LogDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogDispatcher::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const bool more = RunOnce();
    lock.lock();
    if (!more) cv_.wait_for(lock, options_.poll, [this] { return stopping_; });
  }
}

bool LogDispatcher::RunOnce(size_t max_entries) {
  if (lease_ != nullptr) {
    if (!lease_->Hold()) return false;  // another gateway dispatches
    if (lease_->taken_now()) {
      for (Cursor& c : cursors_) c.loaded = false;  // the last holder moved them
    }
  }
  const auto now = std::chrono::steady_clock::now();
  bool more = false;
  for (size_t i = 0; i < targets_.size(); ++i) {
    Cursor& c = cursors_[i];
    if (now < c.retry_at) continue;
    bool left = false;
    if (Drain(i, max_entries, &left)) {
      c.pause = std::chrono::milliseconds(0);
      retrying_[i].store(false, std::memory_order_relaxed);
      more |= left;
      continue;
    }
    c.pause = std::min(kMaxPause, c.pause.count() == 0 ? kFirstPause : c.pause * 2);
    c.retry_at = std::chrono::steady_clock::now() + c.pause;
    retrying_[i].store(true, std::memory_order_relaxed);
  }
  return more;
}

Status LogDispatcher::SaveCursor(size_t i, uint64_t next) {
  const TargetName& t = targets_[i];
  Cursor& c = cursors_[i];
  meta::Batch b;
  b.op_tag = options_.partition + "-cursor/" + t.tenant + "/" + t.name;
  // A cursor that a crash sets back only repeats some actions: at least
  // once, without a sync of its own.
  b.durability = meta::Durability::kWithNextSync;
  b.Expect(CursorKey(t), c.saved);
  std::string value = std::to_string(next);
  b.Put(CursorKey(t), value);
  Status s = options_.store->Apply(options_.partition, b);
  if (s.ok()) {
    c.saved = std::move(value);
  } else if (s.code() == StatusCode::kFailedPrecondition) {
    c.loaded = false;
    spdlog::info("{} to {}:{}: another server moved the cursor; read again", options_.what, t.tenant, t.name);
  }
  return s;
}

bool LogDispatcher::Drain(size_t i, size_t max_entries, bool* more) {
  const TargetName& t = targets_[i];
  Cursor& c = cursors_[i];
  Result<audit::TransparencyLog*> log = options_.log->TenantLog(t.tenant);
  if (!log.ok()) {
    spdlog::warn("{} to {}:{}: the tenant's log: {}", options_.what, t.tenant, t.name, log.status().ToString());
    return false;
  }
  const uint64_t size = (*log)->size();
  if (!c.loaded) {
    Result<std::optional<std::string>> saved = options_.store->Get(options_.partition, CursorKey(t));
    if (!saved.ok()) return false;
    uint64_t next = size;  // a new target: from now on
    c.saved = *saved;
    if (*saved) {
      const std::string& v = **saved;
      if (std::from_chars(v.data(), v.data() + v.size(), next).ec != std::errc()) {
        spdlog::error("{} to {}:{}: unreadable cursor '{}', starting at the log's end", options_.what, t.tenant, t.name,
                      v);
        next = size;
      }
    } else if (!SaveCursor(i, next).ok()) {
      return false;
    }
    c.next = std::min(next, size);
    c.loaded = true;
  }
  const uint64_t end = std::min(size, c.next + max_entries);
  *more = end < size;
  bool ok = true;
  const uint64_t start = c.next;
  for (uint64_t index = start; index < end; ++index) {
    Result<std::string> entry = (*log)->Entry(index);
    if (!entry.ok()) {
      spdlog::warn("{} to {}:{}: log entry {}: {}", options_.what, t.tenant, t.name, index, entry.status().ToString());
      ok = false;
      break;
    }
    Result<audit::Event> event = audit::DecodeEvent(*entry);
    if (event.ok()) {  // (an entry that does not decode asks for nothing)
      const Step step = Handle(i, **log, *event, index, size);
      if (step == Step::kWait || step == Step::kProgress) {
        *more = step == Step::kProgress;
        break;
      }
      if (step == Step::kFailed) {
        ok = false;
        break;
      }
    }
    c.next = index + 1;
  }
  if (c.next != start) {
    if (Status s = SaveCursor(i, c.next); !s.ok() && s.code() != StatusCode::kFailedPrecondition) {
      spdlog::warn("{} to {}:{}: saving the cursor: {}", options_.what, t.tenant, t.name, s.ToString());
    }
  }
  behind_[i].store((*log)->size() - c.next, std::memory_order_relaxed);
  return ok;
}

}  // namespace confiance
