// File: meta/rados/rados_meta_store.cc
#include "meta/rados/rados_meta_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>

#include "blob/blob_id.h"
#include "meta/batch_checks.h"
#include "meta/counters.h"

namespace confiance::meta {
namespace {

using blob::RadosOp;

constexpr char kOwnerOid[] = "confiance.meta.owner";
constexpr char kPartitionPrefix[] = "m.";
constexpr char kOmapKeyPrefix = 'k';
// The OSDs cap an omap page at 1,024 entries (osd_max_omap_entries_per_request,
// its default): a listing's 1,001 records (1,000 and one to learn whether
// there are more) are one page.
constexpr uint64_t kPage = 1024;
// A batch whose counters another add changed meanwhile is tried again; this
// many times at most, with a short random pause between.
constexpr int kMaxAddAttempts = 100;
constexpr int kMaxScanAttempts = 20;
// Counter values a stripe remembers (RadosMetaStore::CounterStripe) before
// it forgets them all.
constexpr size_t kMaxKnownCounters = 4096;
// Batches with adds committed as one, at most.
constexpr size_t kMaxGroup = 64;

using blob::ForEachOmapEntry;
using OmapIter = blob::OmapIterator;

using blob::CStrings;

// Frees librados ops and completions when they go out of scope.
struct WriteOp {
  rados_write_op_t op = rados_create_write_op();
  ~WriteOp() { rados_release_write_op(op); }
};
struct ReadOp {
  rados_read_op_t op = rados_create_read_op();
  ~ReadOp() { rados_release_read_op(op); }
};

// Runs `op` on `oid` and waits; returns librados' code and, through
// `version`, the object's version it read (per call, unlike
// rados_get_last_version, which is per I/O context).
int OperateRead(rados_ioctx_t io, rados_read_op_t op, const std::string& oid, uint64_t* version) {
  rados_completion_t c = nullptr;
  int rc = rados_aio_create_completion2(nullptr, nullptr, &c);
  if (rc < 0) return rc;
  rc = rados_aio_read_op_operate(op, io, c, oid.c_str(), 0);
  if (rc >= 0) {
    rados_aio_wait_for_complete(c);
    rc = rados_aio_get_return_value(c);
    if (version != nullptr) *version = rados_aio_get_version(c);
  }
  rados_aio_release(c);
  return rc;
}

bool Printable(unsigned char c) { return c > 0x20 && c < 0x7f && c != '%'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string RadosMetaStore::ObjectName(std::string_view partition) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = kPartitionPrefix;
  for (unsigned char c : partition) {
    if (Printable(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> RadosMetaStore::PartitionOf(std::string_view name) {
  if (!name.starts_with(kPartitionPrefix)) return std::nullopt;
  name.remove_prefix(sizeof(kPartitionPrefix) - 1);
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') {
      out += name[i];
      continue;
    }
    if (i + 2 >= name.size()) return std::nullopt;
    const int hi = HexValue(name[i + 1]), lo = HexValue(name[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string RadosMetaStore::OmapKey(std::string_view key) {
  std::string out(1, kOmapKeyPrefix);
  out.reserve(key.size() + 1);
  for (char c : key) {
    if (c == '\x00') {
      out += "\x01\x01";
    } else if (c == '\x01') {
      out += "\x01\x02";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> RadosMetaStore::RecordKey(std::string_view omap_key) {
  if (omap_key.empty() || omap_key[0] != kOmapKeyPrefix) return std::nullopt;
  std::string out;
  for (size_t i = 1; i < omap_key.size(); ++i) {
    if (omap_key[i] != '\x01') {
      out += omap_key[i];
      continue;
    }
    if (i + 1 >= omap_key.size()) return std::nullopt;
    const char next = omap_key[++i];
    if (next == '\x01') {
      out += '\x00';
    } else if (next == '\x02') {
      out += '\x01';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// A write to a partition, counted while it is under way; it waits while
// writes are held.
class RadosMetaStore::WriteGate {
 public:
  explicit WriteGate(RadosMetaStore& store) : store_(store) { store_.EnterWrite(); }
  ~WriteGate() { store_.ExitWrite(); }
  WriteGate(const WriteGate&) = delete;
  WriteGate& operator=(const WriteGate&) = delete;

 private:
  RadosMetaStore& store_;
};

// Holds writes: waits until no other holder is left and every write under
// way has ended; new writes wait until it is destroyed.
class RadosMetaStore::HeldWrites {
 public:
  explicit HeldWrites(RadosMetaStore& store) : store_(store) {
    std::unique_lock<std::mutex> l(store_.gate_mu_);
    store_.gate_cv_.wait(l, [this] { return !store_.writes_held_; });
    store_.writes_held_ = true;
    store_.gate_cv_.wait(l, [this] { return store_.writes_in_flight_ == 0; });
  }
  ~HeldWrites() {
    {
      std::lock_guard<std::mutex> l(store_.gate_mu_);
      store_.writes_held_ = false;
    }
    store_.gate_cv_.notify_all();
  }
  HeldWrites(const HeldWrites&) = delete;
  HeldWrites& operator=(const HeldWrites&) = delete;

 private:
  RadosMetaStore& store_;
};

Result<std::unique_ptr<RadosMetaStore>> RadosMetaStore::Open(const Options& options) {
  if (options.lease_seconds < 3) return InvalidArgumentError("RADOS lease must be at least 3 s");
  std::unique_ptr<RadosMetaStore> s(new RadosMetaStore(options));
  ASSIGN_OR_RETURN(s->io_, blob::RadosIo::Connect(options.connection));
  ASSIGN_OR_RETURN(std::string cookie, blob::NewBlobId());
  s->lease_ = std::make_unique<blob::RadosLease>(
      *s->io_, kOwnerOid, cookie, "Confiance metadata store", options.lease_seconds,
      "RADOS metadata pool " + options.connection.pool + " namespace '" + options.connection.name_space + "'");
  RETURN_IF_ERROR(s->lease_->Take());
  RETURN_IF_ERROR(s->CheckSealer());
  ASSIGN_OR_RETURN(s->notices_, RadosNotices::Open(*s->io_, cookie));
  s->worker_leases_ = std::make_unique<RadosWorkerLeases>(*s->io_, cookie);
  s->lease_thread_ = std::thread([p = s.get()] { p->LeaseLoop(); });
  for (size_t i = 0; i < std::max<size_t>(1, options.apply_threads); ++i) {
    s->apply_threads_.emplace_back([p = s.get()] { p->ApplyLoop(); });
  }
  return s;
}

RadosMetaStore::~RadosMetaStore() {
  if (snapshot_of_ != nullptr) snapshot_of_->ReleaseSnapshot(snap_id_);
  {
    std::lock_guard<std::mutex> l(apply_mu_);
    apply_stopping_ = true;
  }
  apply_cv_.notify_all();
  for (std::thread& t : apply_threads_) t.join();  // (each finishes what is queued)
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (lease_thread_.joinable()) lease_thread_.join();
  worker_leases_.reset();  // (releases the workers' leases)
  if (lease_ != nullptr) lease_->Release();
}

Status RadosMetaStore::Announce(std::string_view topic, std::string_view subject) {
  if (notices_ == nullptr) return OkStatus();
  return notices_->Announce(topic, subject);
}

std::unique_ptr<MetaStore::NoticeWatch> RadosMetaStore::Watch(std::string_view topic, NoticeHandler changed) {
  if (notices_ == nullptr) return nullptr;
  return notices_->Watch(topic, std::move(changed));
}

bool RadosMetaStore::NoticesCurrent() { return notices_ == nullptr || notices_->Current(); }

Result<bool> RadosMetaStore::HoldLease(std::string_view name, std::chrono::seconds period) {
  if (worker_leases_ == nullptr) return true;
  RETURN_IF_ERROR(lease_->Check());
  return worker_leases_->Hold(name, period);
}

void RadosMetaStore::ReleaseLease(std::string_view name) {
  if (worker_leases_ != nullptr) worker_leases_->Release(name);
}

void RadosMetaStore::LeaseLoop() {
  std::unique_lock<std::mutex> l(stop_mu_);
  while (!stop_cv_.wait_for(l, lease_->renew_interval(), [this] { return stopping_; })) {
    l.unlock();
    lease_->Renew().IgnoreError();  // (it logs its failures)
    if (Status watching = notices_->Check(); !watching.ok()) {
      spdlog::warn("RADOS metadata change notices: cannot watch: {}", watching.ToString());
    }
    l.lock();
  }
}

Status RadosMetaStore::CheckSealer() {
  if (options_.sealer == nullptr) return OkStatus();
  constexpr char kCheckKey[] = "sealer-check";
  constexpr char kCheckValue[] = "confiance metadata";
  ASSIGN_OR_RETURN(auto found, io_->OmapGet(kOwnerOid, {kCheckKey}));
  if (auto f = found.find(kCheckKey); f != found.end()) {
    if (Unseal("", kCheckKey, f->second).ok()) return OkStatus();
    return FailedPreconditionError("the metadata in RADOS pool " + options_.connection.pool + " namespace '" +
                                   options_.connection.name_space +
                                   "' was sealed under another metadata key: start with the data directory (its "
                                   "meta.key and root key) that wrote it");
  }
  return io_->OmapUpdate(kOwnerOid, {{kCheckKey, Seal("", kCheckKey, kCheckValue)}}, {});
}

void RadosMetaStore::ApplyAsync(std::string_view partition, Batch batch, std::function<void(Status)> done) {
  if (snapshot_of_ != nullptr) return done(CheckWritable());  // (a view has no apply threads)
  {
    std::lock_guard<std::mutex> l(apply_mu_);
    pending_.push_back({std::string(partition), std::move(batch), std::move(done)});
  }
  apply_cv_.notify_one();
}

void RadosMetaStore::ApplyLoop() {
  std::unique_lock<std::mutex> l(apply_mu_);
  for (;;) {
    apply_cv_.wait(l, [this] { return apply_stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and nothing left
    PendingApply p = std::move(pending_.front());
    pending_.pop_front();
    l.unlock();
    p.done(Apply(p.partition, p.batch));
    l.lock();
  }
}

std::string RadosMetaStore::Seal(std::string_view partition, std::string_view key, std::string_view value) const {
  if (options_.sealer == nullptr) return std::string(value);
  return options_.sealer->Seal(partition, key, value);
}

Result<std::string> RadosMetaStore::Unseal(std::string_view partition, std::string_view key,
                                           std::string_view stored) const {
  if (options_.sealer == nullptr) return std::string(stored);
  return options_.sealer->Open(partition, key, stored);
}

Result<std::optional<std::string>> RadosMetaStore::Get(std::string_view partition, std::string_view key) {
  RETURN_IF_ERROR(CheckPartition(partition));
  const std::string oid = ObjectName(partition);
  const std::string omap_key = OmapKey(key);
  ASSIGN_OR_RETURN(auto found, io_->OmapGet(oid, {omap_key}));
  auto f = found.find(omap_key);
  if (f == found.end()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string value, Unseal(partition, key, f->second));
  return std::optional<std::string>(std::move(value));
}

Status RadosMetaStore::Apply(std::string_view partition, const Batch& batch) {
  RETURN_IF_ERROR(CheckBatch(partition, batch));
  RETURN_IF_ERROR(CheckWritable());
  const std::string oid = ObjectName(partition);
  const bool adds =
      std::any_of(batch.mutations.begin(), batch.mutations.end(), [](const Mutation& m) { return !m.add.empty(); });
  if (!adds) return ApplyWithRetries(oid, partition, batch, nullptr);

  // Batches with adds to one stripe's partitions take turns: whoever finds
  // no commit under way commits the batch at the head of the queue, with
  // the batches behind it that may join it, then hands over.
  CounterStripe& stripe = counter_stripes_[std::hash<std::string>{}(oid) % counter_stripes_.size()];
  QueuedBatch me{&oid, partition, &batch};
  std::unique_lock<std::mutex> l(stripe.mu);
  stripe.queue.push_back(&me);
  while (!me.done) {
    if (stripe.committing) {
      stripe.cv.wait(l);
      continue;
    }
    stripe.committing = true;
    std::vector<QueuedBatch*> group = TakeGroup(stripe);
    l.unlock();
    CommitGroup(group, stripe);
    l.lock();
    for (QueuedBatch* q : group) q->done = true;
    stripe.committing = false;
    stripe.cv.notify_all();
  }
  return me.result;
}

std::vector<RadosMetaStore::QueuedBatch*> RadosMetaStore::TakeGroup(CounterStripe& stripe) {
  std::vector<QueuedBatch*> group = {stripe.queue.front()};
  stripe.queue.pop_front();
  // The record keys the group writes: a batch whose conditions read one of
  // them cannot join (its conditions are compared before the group's
  // writes, not after those of the batches before it).
  std::set<std::string_view> written;
  auto note_writes = [&written](const Batch& b) {
    for (const Mutation& m : b.mutations) written.insert(m.key);
  };
  note_writes(*group[0]->batch);
  for (auto it = stripe.queue.begin(); it != stripe.queue.end() && group.size() < kMaxGroup;) {
    QueuedBatch* q = *it;
    const bool joins =
        *q->oid == *group[0]->oid && std::none_of(q->batch->conditions.begin(), q->batch->conditions.end(),
                                                  [&written](const Condition& c) { return written.contains(c.key); });
    if (!joins) {
      ++it;
      continue;
    }
    note_writes(*q->batch);
    group.push_back(q);
    it = stripe.queue.erase(it);
  }
  return group;
}

void RadosMetaStore::CommitGroup(const std::vector<QueuedBatch*>& group, CounterStripe& stripe) {
  const QueuedBatch& first = *group[0];
  if (group.size() == 1) {
    group[0]->result = ApplyWithRetries(*first.oid, first.partition, *first.batch, &stripe);
    return;
  }
  // One commit for all: their conditions, then their mutations in order
  // (so counters add up, and a later write of a key wins).
  Batch all;
  all.op_tag = first.batch->op_tag + "+" + std::to_string(group.size() - 1);
  for (const QueuedBatch* q : group) {
    all.conditions.insert(all.conditions.end(), q->batch->conditions.begin(), q->batch->conditions.end());
    all.mutations.insert(all.mutations.end(), q->batch->mutations.begin(), q->batch->mutations.end());
  }
  Status s = ApplyWithRetries(*first.oid, first.partition, all, &stripe);
  if (s.code() != StatusCode::kFailedPrecondition && s.code() != StatusCode::kDataLoss) {
    // Applied for all, or failed for all (a commit that failed otherwise
    // may still land: each batch gets that error, as alone it would).
    for (QueuedBatch* q : group) q->result = s;
    return;
  }
  // A condition of one of them did not hold, or a counter one adds to is
  // malformed (found before anything was sent): nothing was applied. Each
  // on its own, in order, so that each gets its own answer.
  for (QueuedBatch* q : group) q->result = ApplyWithRetries(*q->oid, q->partition, *q->batch, &stripe);
}

Status RadosMetaStore::ApplyWithRetries(const std::string& oid, std::string_view partition, const Batch& batch,
                                        CounterStripe* stripe) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    Status s = ApplyOnce(oid, partition, batch, stripe);
    if (s.code() != StatusCode::kAborted) return s;
    if (attempt == kMaxAddAttempts) {
      spdlog::warn("RADOS metadata: the counters of batch '{}' kept changing under it ({} attempts)", batch.op_tag,
                   attempt);
      return UnavailableError("meta: counters of batch '" + batch.op_tag + "' kept changing under it (" +
                              std::to_string(attempt) + " attempts)");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (200 * std::min(attempt, 10))));
  }
}

Status RadosMetaStore::ApplyOnce(const std::string& oid, std::string_view partition, const Batch& batch,
                                 CounterStripe* stripe) {
  // The counters' current values (stored bytes, by omap key): as this
  // process last wrote or read them, or read now.
  std::set<std::string> add_keys;
  for (const Mutation& m : batch.mutations) {
    if (!m.add.empty()) add_keys.insert(OmapKey(m.key));
  }
  auto cache_key = [&oid](const std::string& omap_key) { return oid + '\0' + omap_key; };
  std::map<std::string, std::string> counters;
  if (!add_keys.empty()) {
    std::vector<std::string> unknown;
    for (const std::string& k : add_keys) {
      auto f = stripe->known.find(cache_key(k));
      if (f == stripe->known.end()) {
        unknown.push_back(k);
      } else if (f->second) {
        counters.emplace(k, *f->second);
      }
    }
    if (!unknown.empty()) {
      ASSIGN_OR_RETURN(auto read, io_->OmapGet(oid, unknown));
      if (stripe->known.size() > kMaxKnownCounters) stripe->known.clear();
      for (const std::string& k : unknown) {
        auto r = read.find(k);
        stripe->known[cache_key(k)] = r == read.end() ? std::nullopt : std::optional<std::string>(r->second);
        if (r != read.end()) counters.emplace(k, r->second);
      }
    }
  }
  // Whatever the outcome below, the cache holds what the cluster holds
  // after it, or forgets it.
  std::map<std::string, std::optional<std::string>> stored_after;  // by omap key
  auto update_cache = [&](bool landed) {
    if (stripe == nullptr) return;
    if (!landed) {
      for (const std::string& k : add_keys) stripe->known.erase(cache_key(k));
      return;
    }
    for (const auto& [k, v] : stored_after) {
      auto f = stripe->known.find(cache_key(k));
      if (f != stripe->known.end()) f->second = v;
    }
  };
  // The batch's final state, by record key (nullopt: deleted).
  std::map<std::string, std::optional<std::string>> final_state;
  for (const Mutation& m : batch.mutations) {
    if (m.add.empty()) {
      final_state[m.key] = m.value;
      continue;
    }
    std::optional<std::string> current;
    if (auto f = final_state.find(m.key); f != final_state.end()) {
      current = f->second;
    } else if (auto c = counters.find(OmapKey(m.key)); c != counters.end()) {
      ASSIGN_OR_RETURN(current, Unseal(partition, m.key, c->second));
    }
    ASSIGN_OR_RETURN(std::string added, AddCounters(current, m.add));
    final_state[m.key] = std::move(added);
  }

  // Comparisons: the batch's conditions, then the counters as read.
  CStrings cmp_keys, cmp_values;
  for (const Condition& c : batch.conditions) {
    cmp_keys.Add(OmapKey(c.key));
    cmp_values.Add(c.expected ? Seal(partition, c.key, *c.expected) : std::string());
  }
  const size_t user_conditions = cmp_keys.ptrs.size();
  for (const std::string& k : add_keys) {
    cmp_keys.Add(k);
    auto c = counters.find(k);
    cmp_values.Add(c == counters.end() ? std::string() : c->second);
  }
  std::vector<int> cmp_rvals(cmp_keys.ptrs.size(), 0);

  int rc = 0;
  if (batch.mutations.empty()) {
    // Conditions only: a read, which creates nothing.
    if (cmp_keys.ptrs.empty()) return OkStatus();
    ReadOp read;
    for (size_t i = 0; i < cmp_keys.ptrs.size(); ++i) {
      rados_read_op_omap_cmp2(read.op, cmp_keys.ptrs[i], LIBRADOS_CMPXATTR_OP_EQ, cmp_values.ptrs[i], cmp_keys.lens[i],
                              cmp_values.lens[i], &cmp_rvals[i]);
    }
    rc = io_->Timed(RadosOp::kOmapRead, [&] { return OperateRead(io_->ioctx(), read.op, oid, nullptr); });
    if (rc == -ENOENT) {
      // No object: every key is absent.
      for (const Condition& c : batch.conditions) {
        if (c.expected) return FailedPreconditionError("meta: condition on key failed in batch '" + batch.op_tag + "'");
      }
      return OkStatus();
    }
  } else {
    CStrings set_keys, set_values, rm_keys;
    for (const auto& [key, value] : final_state) {
      if (value) {
        const std::string& k = set_keys.Add(OmapKey(key));
        stored_after[k] = set_values.Add(Seal(partition, key, *value));
      } else {
        stored_after[rm_keys.Add(OmapKey(key))] = std::nullopt;
      }
    }
    WriteOp write;
    // So that the comparisons and removals find an object (a failed
    // comparison undoes the creation with the rest).
    rados_write_op_create(write.op, LIBRADOS_CREATE_IDEMPOTENT, nullptr);
    for (size_t i = 0; i < cmp_keys.ptrs.size(); ++i) {
      rados_write_op_omap_cmp2(write.op, cmp_keys.ptrs[i], LIBRADOS_CMPXATTR_OP_EQ, cmp_values.ptrs[i],
                               cmp_keys.lens[i], cmp_values.lens[i], &cmp_rvals[i]);
    }
    if (!set_keys.ptrs.empty()) {
      rados_write_op_omap_set2(write.op, set_keys.ptrs.data(), set_values.ptrs.data(), set_keys.lens.data(),
                               set_values.lens.data(), set_keys.ptrs.size());
    }
    if (!rm_keys.ptrs.empty()) {
      rados_write_op_omap_rm_keys2(write.op, rm_keys.ptrs.data(), rm_keys.lens.data(), rm_keys.ptrs.size());
    }
    WriteGate gate(*this);
    rc = io_->Timed(RadosOp::kOmapWrite,
                    [&] { return rados_write_op_operate2(write.op, io_->ioctx(), oid.c_str(), nullptr, 0); });
  }
  if (rc != -ECANCELED) {
    update_cache(/*landed=*/rc >= 0);  // (a failed commit may still land: forget)
    return io_->Check(rc, batch.mutations.empty() ? "omap compare" : "omap commit", oid);
  }
  update_cache(/*landed=*/false);

  // A comparison failed. If the batch has no counters, it was one of its
  // conditions. Otherwise, see whether its conditions hold now: if they do,
  // a counter moved under it; try again.
  if (add_keys.empty()) {
    return FailedPreconditionError("meta: condition on key failed in batch '" + batch.op_tag + "'");
  }
  if (user_conditions > 0) {
    std::vector<std::string> keys(cmp_keys.owned.begin(), cmp_keys.owned.begin() + user_conditions);
    ASSIGN_OR_RETURN(auto now, io_->OmapGet(oid, keys));
    for (size_t i = 0; i < user_conditions; ++i) {
      auto f = now.find(keys[i]);
      const std::string_view stored = f == now.end() ? std::string_view() : std::string_view(f->second);
      if (stored != cmp_values.owned[i]) {
        return FailedPreconditionError("meta: condition on key failed in batch '" + batch.op_tag + "'");
      }
    }
  }
  return AbortedError("meta: a counter changed under batch '" + batch.op_tag + "'");
}

Result<std::vector<Record>> RadosMetaStore::Scan(std::string_view partition, const ScanOptions& options) {
  RETURN_IF_ERROR(CheckPartition(partition));
  const std::string oid = ObjectName(partition);
  std::vector<Record> out;
  for (int attempt = 1;; ++attempt) {
    out.clear();
    Status s = ScanOnce(oid, partition, options, &out);
    if (s.code() != StatusCode::kAborted) {
      RETURN_IF_ERROR(s);
      return out;
    }
    if (attempt == kMaxScanAttempts) {
      return UnavailableError("meta: partition kept changing during a scan of " + std::to_string(options.limit) +
                              " records (" + std::to_string(attempt) + " attempts)");
    }
    // A burst of writes passes.
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt));
  }
}

Status RadosMetaStore::ScanOnce(const std::string& oid, std::string_view partition, const ScanOptions& options,
                                std::vector<Record>* out) {
  if (options.limit == 0) return OkStatus();
  const std::string start = OmapKey(options.start);
  const std::optional<std::string> end =
      options.end.empty() ? std::nullopt : std::optional<std::string>(OmapKey(options.end));
  std::string after = start;
  uint64_t version = 0;
  for (bool first = true;; first = false) {
    ReadOp read;
    if (!first) rados_read_op_assert_version(read.op, version);
    // The start itself, when it is included: in the same op, so in the
    // same snapshot.
    OmapIter start_it;
    int start_rval = 0;
    const char* start_ptr = start.data();
    const size_t start_len = start.size();
    const bool with_start = first && !options.start_exclusive;
    if (with_start) {
      rados_read_op_omap_get_vals_by_keys2(read.op, &start_ptr, 1, &start_len, &start_it.it, &start_rval);
    }
    OmapIter it;
    unsigned char more = 0;
    int rval = 0;
    const uint64_t want = std::min<uint64_t>(kPage, options.limit - out->size());
    rados_read_op_omap_get_vals2(read.op, after.c_str(), "", want, &it.it, &more, &rval);
    uint64_t read_version = 0;
    const int rc =
        io_->Timed(RadosOp::kOmapRead, [&] { return OperateRead(io_->ioctx(), read.op, oid, &read_version); });
    if (rc == -ENOENT) {
      if (first) return OkStatus();  // no partition: empty
      return AbortedError("meta: partition removed during a scan");
    }
    if (rc == -ERANGE || rc == -EOVERFLOW) return AbortedError("meta: partition changed during a scan");
    RETURN_IF_ERROR(io_->Check(rc, "omap scan", oid));
    RETURN_IF_ERROR(io_->Check(rval, "omap scan", oid));
    if (first) version = read_version;
    bool done = false;
    auto take = [&](std::string_view k, std::string_view v) -> Status {
      if (done) return OkStatus();
      if ((end && k >= *end) || out->size() >= options.limit) {
        done = true;
        return OkStatus();
      }
      std::optional<std::string> key = RecordKey(k);
      if (!key) {  // past the records (no other key is written today)
        done = true;
        return OkStatus();
      }
      ASSIGN_OR_RETURN(std::string value, Unseal(partition, *key, v));
      out->push_back({std::move(*key), std::move(value)});
      return OkStatus();
    };
    if (with_start) {
      RETURN_IF_ERROR(io_->Check(start_rval, "omap scan", oid));
      RETURN_IF_ERROR(ForEachOmapEntry(start_it.it, take));
    }
    std::string last;
    size_t page_entries = 0;
    RETURN_IF_ERROR(ForEachOmapEntry(it.it, [&](std::string_view k, std::string_view v) {
      last.assign(k);
      ++page_entries;
      return take(k, v);
    }));
    if (done || !more || page_entries == 0 || out->size() >= options.limit) return OkStatus();
    after = std::move(last);
  }
}

Result<bool> RadosMetaStore::HasRecords(const std::string& oid) {
  bool more = false;
  ASSIGN_OR_RETURN(blob::RadosIo::KeyValues first, io_->OmapList(oid, "", 1, &more));
  return !first.empty() && RecordKey(first.front().first).has_value();
}

Result<std::vector<std::string>> RadosMetaStore::ListPartitionObjects(std::string_view prefix,
                                                                      std::string_view start_after) {
  // RADOS lists a namespace in hash order: every partition's name is read,
  // then sorted. For sweepers and admin tools, not request paths.
  std::vector<std::string> names;
  rados_list_ctx_t ctx = nullptr;
  RETURN_IF_ERROR(io_->Check(rados_nobjects_list_open(io_->ioctx(), &ctx), "listing the namespace", ""));
  Status listed = OkStatus();
  for (;;) {
    const char* entry = nullptr;
    const char* locator = nullptr;
    const char* nspace = nullptr;
    size_t entry_size = 0, locator_size = 0, nspace_size = 0;
    const int rc = rados_nobjects_list_next2(ctx, &entry, &locator, &nspace, &entry_size, &locator_size, &nspace_size);
    if (rc == -ENOENT) break;
    if (rc < 0) {
      listed = io_->Check(rc, "listing the namespace", "");
      break;
    }
    std::optional<std::string> name = PartitionOf(std::string_view(entry, entry_size));
    if (name && name->starts_with(prefix) && *name > start_after) names.push_back(std::move(*name));
  }
  rados_nobjects_list_close(ctx);
  RETURN_IF_ERROR(listed);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<std::string>> RadosMetaStore::ListPartitions(std::string_view prefix, std::string_view start_after,
                                                                size_t limit) {
  std::vector<std::string> names;
  if (snapshot_of_ == nullptr) {
    ASSIGN_OR_RETURN(names, ListPartitionObjects(prefix, start_after));
  } else {
    // A view lists what there was at its snapshot (a listing of the
    // namespace is always of its head).
    for (const std::string& name : snapshot_objects_) {
      if (name.starts_with(prefix) && name > start_after) names.push_back(name);
    }
  }
  std::vector<std::string> out;
  for (std::string& name : names) {
    if (out.size() >= limit) break;
    // An object whose records were all deleted is no partition.
    ASSIGN_OR_RETURN(bool has_records, HasRecords(ObjectName(name)));
    if (has_records) out.push_back(std::move(name));
  }
  return out;
}

Status RadosMetaStore::Checkpoint(const std::string& dir) {
  (void)dir;
  return UnimplementedError("the metadata is in RADOS pool " + options_.connection.pool +
                            ": it has no files to checkpoint; copy a Snapshot()");
}

Status RadosMetaStore::DropPartition(std::string_view partition) {
  RETURN_IF_ERROR(CheckPartition(partition));
  RETURN_IF_ERROR(CheckWritable());
  WriteGate gate(*this);
  return io_->Remove(ObjectName(partition));
}

Status RadosMetaStore::Writable() const { return CheckWritable(); }

Status RadosMetaStore::CheckWritable() const {
  if (snapshot_of_ != nullptr) return FailedPreconditionError("meta: a snapshot of the metadata is read-only");
  return lease_->Check();
}

void RadosMetaStore::EnterWrite() {
  std::unique_lock<std::mutex> l(gate_mu_);
  gate_cv_.wait(l, [this] { return !writes_held_; });
  ++writes_in_flight_;
}

void RadosMetaStore::ExitWrite() {
  {
    std::lock_guard<std::mutex> l(gate_mu_);
    --writes_in_flight_;
  }
  gate_cv_.notify_all();
}

Status RadosMetaStore::SetSnapWriteContext() {
  std::vector<rados_snap_t> snaps(snaps_.begin(), snaps_.end());  // newest first, as librados wants
  return io_->Check(
      rados_ioctx_selfmanaged_snap_set_write_ctx(io_->ioctx(), snap_seq_, snaps.data(), static_cast<int>(snaps.size())),
      "setting the snapshot write context", "");
}

Result<std::unique_ptr<MetaStore>> RadosMetaStore::Snapshot() {
  RETURN_IF_ERROR(CheckWritable());
  std::unique_ptr<RadosMetaStore> view(new RadosMetaStore(options_));
  // Its own connection (a monitor round trip) before writes are held: its
  // reads are at the snapshot, the store's at the head.
  ASSIGN_OR_RETURN(view->io_, blob::RadosIo::Connect(options_.connection));
  // The snapshot's id first (a round of the monitors', which can take a
  // good part of a second): a self-managed snapshot is the point at which
  // writes begin to carry it in their write context, not its creation.
  rados_snap_t snap = 0;
  const int rc = rados_ioctx_selfmanaged_snap_create(io_->ioctx(), &snap);
  if (rc == -EINVAL) {
    return FailedPreconditionError("the RADOS pool " + options_.connection.pool +
                                   " of the metadata cannot take a self-managed snapshot: it has pool snapshots "
                                   "(ceph osd pool mksnap), which exclude them");
  }
  RETURN_IF_ERROR(io_->Check(rc, "taking a snapshot of the namespace", ""));
  view->snap_id_ = snap;
  const auto hold_start = std::chrono::steady_clock::now();
  {
    // The point: every write acknowledged before it is in the snapshot,
    // every write after it carries the snapshot (the OSD clones the object
    // first), and the partitions are those there are at it.
    HeldWrites held(*this);
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(view->snapshot_objects_, ListPartitionObjects("", ""));
      snaps_.push_back(snap);
      std::sort(snaps_.begin(), snaps_.end(), std::greater<>());
      snap_seq_ = std::max<uint64_t>(snap_seq_, snap);
      Status set = SetSnapWriteContext();
      if (!set.ok()) snaps_.erase(std::find(snaps_.begin(), snaps_.end(), snap));
      return set;
    }();
    if (!s.ok()) {
      rados_ioctx_selfmanaged_snap_remove(io_->ioctx(), snap);
      return s;
    }
  }
  spdlog::info("metadata snapshot {} taken: {} partition objects, writes held {:.1f} ms", view->snap_id_,
               view->snapshot_objects_.size(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - hold_start).count());
  rados_ioctx_snap_set_read(view->io_->ioctx(), view->snap_id_);
  view->snapshot_of_ = this;
  return std::unique_ptr<MetaStore>(std::move(view));
}

void RadosMetaStore::ReleaseSnapshot(uint64_t snap) {
  {
    HeldWrites held(*this);
    snaps_.erase(std::remove(snaps_.begin(), snaps_.end(), snap), snaps_.end());
    if (Status s = SetSnapWriteContext(); !s.ok()) spdlog::warn("metadata snapshot {}: {}", snap, s.ToString());
  }
  // (The OSDs trim its clones in the background.)
  if (const int rc = rados_ioctx_selfmanaged_snap_remove(io_->ioctx(), snap); rc < 0) {
    spdlog::warn("metadata snapshot {}: not removed: {}", snap, std::strerror(-rc));
  }
}

}  // namespace confiance::meta
