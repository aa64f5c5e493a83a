// File: blob/rados/rados_blob_store.cc
#include "blob/rados/rados_blob_store.h"

#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>

#include "blob/blob_id.h"
#include "blob/rados/rados_blob_reader.h"
#include "common/wall_clock.h"

namespace confiance::blob {

namespace {

constexpr char kOwnerOid[] = "confiance.owner";
constexpr char kBootsOid[] = "confiance.boots";
constexpr char kGcRegistryOid[] = "confiance.gc";
constexpr uint64_t kGcBucketSeconds = 60;
// A bucket is collected one bucket period after it is ripe, so that a
// Delete that chose it just before its minute ended has long finished
// writing into it (a Delete takes milliseconds; its ops time out in 30 s).
constexpr uint64_t kGcMarginSeconds = 60;
constexpr size_t kRadosPage = 1000;

std::string IndexOid(std::string_view id) { return "confiance.index." + std::string(id.substr(0, 2)); }
std::string IntentsOid(const std::string& boot) { return "confiance.intents." + boot; }
// A shared namespace's per-boot lock: held by its boot while it runs, then
// by a recovery for good.
std::string BootLockOid(const std::string& boot) { return "confiance.boot." + boot; }
std::string GcBucketOid(const std::string& bucket) { return "confiance.gc." + bucket; }
// Zero-padded so that the registry's key order is time order.
std::string GcBucketName(uint64_t now) {
  char buf[24];
  snprintf(buf, sizeof(buf), "%012llu", static_cast<unsigned long long>(now / kGcBucketSeconds));
  return buf;
}

uint64_t StripesOf(uint64_t size, uint64_t stripe_size) { return size == 0 ? 0 : (size - 1) / stripe_size + 1; }

// An index (and gc) entry: "1 <size> <stripe size> <mtime>".
struct IndexEntry {
  uint64_t size = 0;
  uint64_t stripe_size = 0;
  uint64_t mtime = 0;
};

std::string EncodeEntry(const IndexEntry& e) {
  return "1 " + std::to_string(e.size) + " " + std::to_string(e.stripe_size) + " " + std::to_string(e.mtime);
}

Result<IndexEntry> DecodeEntry(const std::string& id, std::string_view v) {
  IndexEntry e;
  uint64_t* fields[] = {nullptr, &e.size, &e.stripe_size, &e.mtime};
  const char* p = v.data();
  const char* end = v.data() + v.size();
  for (size_t i = 0; i < 4; ++i) {
    uint64_t x = 0;
    auto [next, ec] = std::from_chars(p, end, x);
    if (ec != std::errc() || (i == 0 && x != 1) || (i < 3 && (next == end || *next != ' '))) {
      return DataLossError("RADOS index entry of blob " + id + " is malformed");
    }
    if (fields[i] != nullptr) *fields[i] = x;
    p = i < 3 ? next + 1 : next;
  }
  if (p != end || e.stripe_size == 0) return DataLossError("RADOS index entry of blob " + id + " is malformed");
  return e;
}

// What a recovery leaves at the index entry of a blob it took for
// abandoned (its writer dead, or stalled past its lease): "0 <time>". A
// late Commit of that blob, which sets the entry only if absent, then fails
// instead of making visible a blob whose stripes are gone. The gc removes
// the tombstone after the gc delay, and any stripe that writer wrote after
// the recovery with it.
std::string Tombstone(uint64_t now) { return "0 " + std::to_string(now); }
bool IsTombstone(std::string_view entry) { return entry.starts_with("0 "); }

}  // namespace

// ---------------------------------------------------------------------------

class RadosBlobStore::Writer final : public BlobWriter {
 public:
  Writer(RadosBlobStore& store, std::string id) : store_(store), id_(std::move(id)) { buffer_.reserve(kWriteUnit); }
  ~Writer() override { Abort(); }

  const std::string& id() const override { return id_; }
  uint64_t size() const override { return size_; }

  Status Append(std::span<const std::byte> data) override {
    if (done_) return FailedPreconditionError("blob " + id_ + ": append after commit or abort");
    RETURN_IF_ERROR(error_);
    const char* p = reinterpret_cast<const char*>(data.data());
    size_t left = data.size();
    while (left > 0) {
      size_t n = std::min<size_t>(left, kWriteUnit - buffer_.size());
      buffer_.insert(buffer_.end(), p, p + n);
      p += n;
      left -= n;
      size_ += n;
      if (buffer_.size() == kWriteUnit) {
        error_ = Flush();
        RETURN_IF_ERROR(error_);
      }
    }
    return OkStatus();
  }

  Status Commit() override {
    if (done_) return FailedPreconditionError("blob " + id_ + ": commit after commit or abort");
    Status s = error_;
    if (s.ok() && !buffer_.empty()) s = Flush();
    if (s.ok()) s = WaitAll();
    if (s.ok()) s = store_.CheckLeases();
    if (s.ok()) {
      IndexEntry e{size_, store_.options_.stripe_size, UnixSecondsNow()};
      // The commit point: one atomic omap op on the blob's index shard,
      // refused if a recovery put a tombstone there.
      s = store_.io_->OmapSetIfAbsent(IndexOid(id_), id_, EncodeEntry(e));
      if (s.code() == StatusCode::kFailedPrecondition) {
        s = UnavailableError("blob " + id_ +
                             ": a recovery took its write for abandoned (this server stalled past its lease)");
      }
    }
    if (!s.ok()) {
      Abort();
      return s;
    }
    done_ = true;
    store_.io_->stats().bytes_written.Add(size_);
    // Not waited for: a lost removal is found committed by the next recovery.
    store_.DropIntent(id_);
    return OkStatus();
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    WaitAll().IgnoreError();
    Status s = store_.RemoveStripes(id_, StripesOf(flushed_, store_.options_.stripe_size));
    if (s.ok()) s = store_.io_->OmapUpdate(store_.intents_oid_, {}, {id_});
    if (!s.ok()) spdlog::warn("blob {}: abort left data in RADOS for the next start to remove: {}", id_, s.ToString());
  }

 private:
  struct InFlight {
    rados_completion_t completion = nullptr;
    std::vector<char> data;
    uint64_t stripe = 0;
  };

  // Sends the buffer to its stripe (never across one: the stripe size is a
  // multiple of kWriteUnit and the buffer is flushed at every kWriteUnit).
  Status Flush() {
    // (As the BlobStore contract asks: a writer checks the space as it goes.)
    RETURN_IF_ERROR(store_.CheckSpace(buffer_.size()));
    while (in_flight_.size() >= kMaxInFlight) RETURN_IF_ERROR(WaitOldest());
    const uint64_t stripe_size = store_.options_.stripe_size;
    InFlight f;
    f.stripe = flushed_ / stripe_size;
    f.data.swap(buffer_);
    buffer_.reserve(kWriteUnit);
    ASSIGN_OR_RETURN(RadosIo::TimedCompletion timed, store_.io_->NewTimedCompletion(RadosOp::kWrite));
    f.completion = timed.completion;
    const std::string oid = StripeOid(id_, f.stripe);
    const int rc = rados_aio_write(store_.io_->ioctx(), oid.c_str(), f.completion, f.data.data(), f.data.size(),
                                   flushed_ % stripe_size);
    if (rc < 0) {
      RadosIo::DiscardUnsubmitted(timed);
      return store_.io_->Check(rc, "rados_aio_write", oid);
    }
    flushed_ += f.data.size();
    in_flight_.push_back(std::move(f));
    return OkStatus();
  }

  Status WaitOldest() {
    InFlight f = std::move(in_flight_.front());
    in_flight_.pop_front();
    rados_aio_wait_for_complete_and_cb(f.completion);
    int rc = rados_aio_get_return_value(f.completion);
    rados_aio_release(f.completion);
    return store_.io_->Check(rc, "rados_aio_write", StripeOid(id_, f.stripe));
  }

  Status WaitAll() {
    Status first;
    while (!in_flight_.empty()) {
      Status s = WaitOldest();
      if (first.ok() && !s.ok()) first = s;
    }
    return first;
  }

  RadosBlobStore& store_;
  const std::string id_;
  std::vector<char> buffer_;
  std::deque<InFlight> in_flight_;
  uint64_t size_ = 0;
  uint64_t flushed_ = 0;
  Status error_;
  bool done_ = false;
};

// ---------------------------------------------------------------------------

Result<std::unique_ptr<RadosBlobStore>> RadosBlobStore::Open(const RadosOptions& options) {
  if (options.stripe_size == 0 || options.stripe_size % kWriteUnit != 0 || options.stripe_size > (64u << 20)) {
    return InvalidArgumentError("RADOS stripe size must be a multiple of 1 MiB, at most 64 MiB");
  }
  if (options.full_ratio < 0 || options.full_ratio > 1) {
    return InvalidArgumentError("RADOS full_ratio must be in [0, 1]");
  }
  if (options.lease_seconds < 3) return InvalidArgumentError("RADOS lease must be at least 3 s");
  std::unique_ptr<RadosBlobStore> s(new RadosBlobStore(options));
  ASSIGN_OR_RETURN(s->io_, RadosIo::Connect(options.connection));
  ASSIGN_OR_RETURN(s->boot_, NewBlobId());
  s->intents_oid_ = IntentsOid(s->boot_);
  const std::string what =
      "RADOS pool " + options.connection.pool + " namespace '" + options.connection.name_space + "'";
  s->lease_ =
      std::make_unique<RadosLease>(*s->io_, kOwnerOid, s->boot_, "Confiance blob store", options.lease_seconds, what,
                                   options.shared ? RadosLease::Kind::kShared : RadosLease::Kind::kExclusive);
  RETURN_IF_ERROR(s->lease_->Take());
  if (options.shared) {
    // Locked before the boot is listed: a recovery that finds it listed
    // finds it locked while it lives.
    s->boot_lease_ = std::make_unique<RadosLease>(*s->io_, BootLockOid(s->boot_), s->boot_, "Confiance blob store boot",
                                                  options.lease_seconds, what + " (this server's boot lock)");
    RETURN_IF_ERROR(s->boot_lease_->Take());
  }
  // Listed before the recovery, which passes over this boot's own writes
  // (a store that fails to open leaves an empty listed boot: the next
  // recovery removes it).
  RETURN_IF_ERROR(s->io_->OmapUpdate(kBootsOid, {{s->boot_, std::to_string(UnixSecondsNow())}}, {}));
  RETURN_IF_ERROR(s->RecoverIntents());
  // (Without usage figures, the space check lets writes through until the
  // lease thread gets them.)
  if (Status st = s->RefreshSpace(); !st.ok()) {
    spdlog::warn("RADOS pool {}: no usage figures yet: {}", options.connection.pool, st.ToString());
  }
  s->lease_thread_ = std::thread([p = s.get()] { p->LeaseLoop(); });
  s->gc_thread_ = std::thread([p = s.get()] { p->GcLoop(); });
  return s;
}

RadosBlobStore::~RadosBlobStore() {
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (lease_thread_.joinable()) lease_thread_.join();
  if (gc_thread_.joinable()) gc_thread_.join();
  if (io_ != nullptr) FlushDroppedIntents();  // (RadosIo's destructor waits for it)
  if (boot_lease_ != nullptr) boot_lease_->Release();
  if (lease_ != nullptr) lease_->Release();
}

Status RadosBlobStore::CheckLeases() const {
  RETURN_IF_ERROR(lease_->Check());
  return boot_lease_ != nullptr ? boot_lease_->Check() : OkStatus();
}

bool RadosBlobStore::LeaseTakenByAnother() const {
  return lease_->lost() || (boot_lease_ != nullptr && boot_lease_->lost());
}

void RadosBlobStore::DropIntent(const std::string& id) {
  {
    std::lock_guard<std::mutex> l(intents_mu_);
    dropped_intents_.push_back(id);
    if (dropped_intents_.size() < kIntentBatch) return;
  }
  FlushDroppedIntents();
}

void RadosBlobStore::FlushDroppedIntents() {
  std::vector<std::string> batch;
  {
    std::lock_guard<std::mutex> l(intents_mu_);
    batch.swap(dropped_intents_);
  }
  if (!batch.empty()) io_->OmapRemoveInBackground(intents_oid_, batch);
}

Status RadosBlobStore::RemoveStripes(const std::string& id, uint64_t stripes) {
  for (uint64_t n = 0; n < stripes; ++n) RETURN_IF_ERROR(io_->Remove(StripeOid(id, n)));
  return OkStatus();
}

// Stripes of a blob whose size nothing recorded: a writer has at most
// kMaxInFlight * kWriteUnit <= 4 MiB in flight, so at most one stripe past
// the last one present can be missing in between: stop at two missing.
Status RadosBlobStore::RemoveUnknownStripes(const std::string& id) {
  int missing = 0;
  for (uint64_t n = 0; missing < 2; ++n) {
    const std::string oid = StripeOid(id, n);
    int rc = io_->Timed(RadosOp::kRemove, [&] { return rados_remove(io_->ioctx(), oid.c_str()); });
    if (rc == -ENOENT) {
      ++missing;
      continue;
    }
    RETURN_IF_ERROR(io_->Check(rc, "rados_remove", oid));
    missing = 0;
  }
  return OkStatus();
}

Status RadosBlobStore::RecoverIntents() {
  size_t kept = 0, removed = 0;
  std::vector<std::string> boots;
  RETURN_IF_ERROR(io_->ForEachOmap(kBootsOid, [&](const std::string& boot, const std::string&) -> Result<bool> {
    boots.push_back(boot);
    return true;
  }));
  for (const std::string& boot : boots) {
    if (boot == boot_) continue;
    if (options_.shared) {
      // Only a dead boot's (its lock lapsed); from here it never renews it.
      Status taken = RadosLease::TakeForGood(*io_, BootLockOid(boot));
      if (taken.code() == StatusCode::kFailedPrecondition) continue;  // alive
      RETURN_IF_ERROR(taken);
    }
    RETURN_IF_ERROR(RecoverBoot(boot, kept, removed));
  }
  if (kept + removed > 0) {
    spdlog::info("RADOS pool {}: recovered writes of earlier runs: {} committed, {} unfinished removed",
                 options_.connection.pool, kept, removed);
  }
  return OkStatus();
}

Status RadosBlobStore::RecoverBoot(const std::string& boot, size_t& kept, size_t& removed) {
  const std::string oid = IntentsOid(boot);
  RETURN_IF_ERROR(io_->ForEachOmap(oid, [&](const std::string& id, const std::string&) -> Result<bool> {
    if (!IsValidBlobId(id)) return true;
    // The tombstone first: from here no late Commit of the blob lands.
    const std::string tombstone = Tombstone(UnixSecondsNow());
    Status marked = io_->OmapSetIfAbsent(IndexOid(id), id, tombstone);
    if (marked.code() == StatusCode::kFailedPrecondition) {
      ASSIGN_OR_RETURN(auto entry, io_->OmapGet(IndexOid(id), {id}));
      if (!entry.empty() && !IsTombstone(entry.begin()->second)) {
        ++kept;  // committed
        return true;
      }
      // An earlier recovery's tombstone (it stopped before the end): go on.
    } else {
      RETURN_IF_ERROR(marked);
    }
    RETURN_IF_ERROR(RemoveUnknownStripes(id));
    RETURN_IF_ERROR(AddToGc(id, tombstone));
    ++removed;
    return true;
  }));
  RETURN_IF_ERROR(io_->Remove(oid));
  return io_->OmapUpdate(kBootsOid, {}, {boot});
}

Status RadosBlobStore::RefreshSpace() {
  ASSIGN_OR_RETURN(auto used_total, io_->UsedAndTotalBytes());
  used_bytes_ = used_total.first;
  total_bytes_ = used_total.second;
  return OkStatus();
}

bool RadosBlobStore::SleepUnlessStopping(std::chrono::seconds how_long) {
  std::unique_lock<std::mutex> l(stop_mu_);
  stop_cv_.wait_for(l, how_long, [this] { return stopping_; });
  return !stopping_;
}

void RadosBlobStore::LeaseLoop() {
  while (SleepUnlessStopping(lease_->renew_interval())) {
    lease_->Renew().IgnoreError();  // (it logs its failures)
    if (boot_lease_ != nullptr) boot_lease_->Renew().IgnoreError();
    FlushDroppedIntents();
    if (Status s = RefreshSpace(); !s.ok()) spdlog::warn("RADOS pool {}: {}", options_.connection.pool, s.ToString());
  }
}

void RadosBlobStore::GcLoop() {
  const auto every = std::chrono::seconds(std::clamp<uint64_t>(options_.gc_delay_seconds / 2, 1, 60));
  while (SleepUnlessStopping(every)) {
    if (!CheckLeases().ok()) continue;
    // Shared: the writes of a boot that died while the others run are
    // recovered within a pass (its lock lapses after a lease period).
    if (options_.shared) {
      if (Status st = RecoverIntents(); !st.ok()) {
        spdlog::warn("RADOS pool {}: recovering dead servers' writes: {}", options_.connection.pool, st.ToString());
      }
    }
    Result<size_t> n = CollectGarbage(UnixSecondsNow());
    if (!n.ok()) spdlog::warn("RADOS pool {}: gc: {}", options_.connection.pool, n.status().ToString());
  }
}

Result<std::unique_ptr<BlobWriter>> RadosBlobStore::NewBlob() {
  RETURN_IF_ERROR(CheckLeases());
  ASSIGN_OR_RETURN(std::string id, NewBlobId());
  // Before any stripe: a crash from here on leaves something recovery finds.
  RETURN_IF_ERROR(io_->OmapUpdate(intents_oid_, {{id, std::to_string(UnixSecondsNow())}}, {}));
  return std::unique_ptr<BlobWriter>(new Writer(*this, std::move(id)));
}

Result<std::unique_ptr<BlobReader>> RadosBlobStore::Open(const std::string& id) {
  RETURN_IF_ERROR(CheckBlobId(id));
  ASSIGN_OR_RETURN(auto found, io_->OmapGet(IndexOid(id), {id}));
  if (found.empty() || IsTombstone(found.begin()->second)) {
    return NotFoundError("blob " + id + " not found in RADOS pool " + options_.connection.pool);
  }
  ASSIGN_OR_RETURN(IndexEntry e, DecodeEntry(id, found.begin()->second));
  return std::unique_ptr<BlobReader>(new RadosBlobReader(*io_, id, e.size, e.stripe_size));
}

Status RadosBlobStore::Delete(const std::string& id) {
  RETURN_IF_ERROR(CheckBlobId(id));
  RETURN_IF_ERROR(CheckLeases());
  ASSIGN_OR_RETURN(auto found, io_->OmapGet(IndexOid(id), {id}));
  if (found.empty() || IsTombstone(found.begin()->second)) return OkStatus();  // (a tombstone's gc is registered)
  RETURN_IF_ERROR(AddToGc(id, found.begin()->second));
  return io_->OmapUpdate(IndexOid(id), {}, {id});
}

Status RadosBlobStore::AddToGc(const std::string& id, const std::string& entry) {
  const std::string bucket = GcBucketName(UnixSecondsNow());
  {
    std::lock_guard<std::mutex> l(registry_mu_);
    if (bucket != last_gc_bucket_) {
      RETURN_IF_ERROR(io_->OmapUpdate(kGcRegistryOid, {{bucket, ""}}, {}));
      last_gc_bucket_ = bucket;
    }
  }
  return io_->OmapUpdate(GcBucketOid(bucket), {{id, entry}}, {});
}

Result<std::vector<BlobInfo>> RadosBlobStore::List(const std::string& start_after, size_t limit) {
  std::vector<BlobInfo> out;
  const std::string after_shard = start_after.substr(0, std::min<size_t>(2, start_after.size()));
  for (int shard = 0; shard < 256 && out.size() < limit; ++shard) {
    char hh[3];
    snprintf(hh, sizeof(hh), "%02x", shard);
    if (std::string_view(hh) < after_shard) continue;
    std::string after = std::string_view(hh) == after_shard ? start_after : std::string();
    bool more = true;
    while (more && out.size() < limit) {
      ASSIGN_OR_RETURN(RadosIo::KeyValues page,
                       io_->OmapList(IndexOid(hh), after, std::min<size_t>(kRadosPage, limit - out.size()), &more));
      for (const auto& [id, value] : page) {
        after = id;
        if (IsTombstone(value)) continue;
        ASSIGN_OR_RETURN(IndexEntry e, DecodeEntry(id, value));
        out.push_back(BlobInfo{id, e.size, e.mtime});
      }
      if (page.empty()) break;
    }
  }
  return out;
}

Status RadosBlobStore::CheckSpace(uint64_t bytes) {
  const uint64_t total = total_bytes_;
  if (options_.full_ratio <= 0 || total == 0) return OkStatus();
  const double used = static_cast<double>(used_bytes_ + bytes);
  if (used > options_.full_ratio * static_cast<double>(total)) {
    io_->stats().refused_full.Add();
    return ResourceExhaustedError("RADOS pool " + options_.connection.pool + ": the Ceph cluster is " +
                                  std::to_string(static_cast<int>(100.0 * used_bytes_ / total)) +
                                  "% full; new data is refused above " +
                                  std::to_string(static_cast<int>(100 * options_.full_ratio)) + "%");
  }
  return OkStatus();
}

Result<size_t> RadosBlobStore::CollectGarbage(uint64_t now_seconds) {
  std::lock_guard<std::mutex> pass(gc_pass_mu_);
  std::vector<std::string> ripe;
  RETURN_IF_ERROR(io_->ForEachOmap(kGcRegistryOid, [&](const std::string& bucket, const std::string&) -> Result<bool> {
    uint64_t minute = 0;
    std::from_chars(bucket.data(), bucket.data() + bucket.size(), minute);
    // In time order: the first one not ripe ends the list.
    if ((minute + 1) * kGcBucketSeconds + kGcMarginSeconds + options_.gc_delay_seconds > now_seconds) return false;
    ripe.push_back(bucket);
    return true;
  }));
  size_t collected = 0;
  for (const std::string& bucket : ripe) {
    const std::string oid = GcBucketOid(bucket);
    RETURN_IF_ERROR(io_->ForEachOmap(oid, [&](const std::string& id, const std::string& value) -> Result<bool> {
      if (IsTombstone(value)) {
        // The tombstone goes, and any stripe its stalled writer wrote
        // after the recovery.
        RETURN_IF_ERROR(io_->OmapUpdate(IndexOid(id), {}, {id}));
        RETURN_IF_ERROR(RemoveUnknownStripes(id));
        ++collected;
        io_->stats().gc_collected.Add();
        return true;
      }
      ASSIGN_OR_RETURN(IndexEntry e, DecodeEntry(id, value));
      // (The index entry too, in case Delete stopped before removing it.)
      RETURN_IF_ERROR(io_->OmapUpdate(IndexOid(id), {}, {id}));
      RETURN_IF_ERROR(RemoveStripes(id, StripesOf(e.size, e.stripe_size)));
      ++collected;
      io_->stats().gc_collected.Add();
      return true;
    }));
    RETURN_IF_ERROR(io_->Remove(oid));
    RETURN_IF_ERROR(io_->OmapUpdate(kGcRegistryOid, {}, {bucket}));
    std::lock_guard<std::mutex> l(registry_mu_);
    if (bucket == last_gc_bucket_) last_gc_bucket_.clear();
  }
  return collected;
}

}  // namespace confiance::blob
