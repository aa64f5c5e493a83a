// File: audit/transparency_log.cc
// Key layout inside the log's partition (docs/audit-log.md):
//   "s"                         tree size, 8 bytes big-endian
//   "e" <index BE64>            0x01 || entry
//   "h" <level u8> <index BE64> 32-byte hash of complete node (level, index)
//   "c"                         latest signed checkpoint note
#include "audit/transparency_log.h"

#include <algorithm>
#include <utility>

#include "audit/tlog/checkpoint.h"
#include "audit/tlog/tiles.h"
#include "common/await_callback.h"

namespace confiance::audit {
namespace {

// In linger_target_ while not lingering: the last linger ended by the timer,
// so the estimate overshot (clients came back later than one sync, as PUTs
// do after their object commit); the next group goes out without waiting.
constexpr size_t kSkipNextLinger = SIZE_MAX;

constexpr char kEntryFormat = 0x01;  // version byte of a stored entry value
constexpr std::string_view kSizeKey = "s";
constexpr std::string_view kCheckpointKey = "c";

std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (56 - 8 * i));
  return out;
}

Result<uint64_t> DecodeBigEndian64(std::string_view s) {
  if (s.size() != 8) return DataLossError("tlog: malformed tree size record");
  uint64_t v = 0;
  for (char c : s) v = v << 8 | static_cast<uint8_t>(c);
  return v;
}

std::string EntryKey(uint64_t index) { return "e" + BigEndian64(index); }
std::string NodeKey(int level, uint64_t index) {
  return std::string("h") + static_cast<char>(level) + BigEndian64(index);
}

Result<tlog::Hash> DecodeHash(const std::string& v) {
  if (v.size() != tlog::kHashSize) return DataLossError("tlog: malformed node hash record");
  tlog::Hash h;
  std::copy(v.begin(), v.end(), reinterpret_cast<char*>(h.data()));
  return h;
}

Result<std::string> DecodeEntry(const std::string& v) {
  if (v.empty() || v[0] != kEntryFormat) return DataLossError("tlog: unknown entry record format");
  return v.substr(1);
}

}  // namespace

std::string TransparencyLog::PartitionName(std::string_view origin) { return "tlog/" + std::string(origin); }

TransparencyLog::TransparencyLog(meta::MetaStore& store, std::string origin, const tlog::NoteSigner& signer,
                                 GroupOptions group_options)
    : store_(store),
      origin_(std::move(origin)),
      partition_(PartitionName(origin_)),
      signer_(signer),
      group_options_(group_options) {}

TransparencyLog::~TransparencyLog() {
  // No new linger from here on; then no timer callback may still reach us.
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  if (group_options_.timer != nullptr) group_options_.timer->Cancel(this);
  // A lingering group goes out now.
  std::shared_ptr<Group> group;
  meta::Batch batch;
  {
    std::lock_guard lock(mu_);
    if (lingering_) {
      lingering_ = false;
      if (!queue_.empty()) {
        group = TakeGroupLocked(batch);
      } else {
        in_flight_ = false;
      }
    }
  }
  if (group) Submit(std::move(group), std::move(batch));
  // Completions reference `this`: wait for the batch in flight.
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return !in_flight_; });
}

Result<std::unique_ptr<TransparencyLog>> TransparencyLog::Open(meta::MetaStore& store, std::string origin,
                                                               const tlog::NoteSigner& signer,
                                                               GroupOptions group_options) {
  if (origin.empty() || origin.find('\n') != std::string::npos) {
    return InvalidArgumentError("tlog: origin must be one non-empty line");
  }
  std::unique_ptr<TransparencyLog> log(new TransparencyLog(store, std::move(origin), signer, group_options));
  RETURN_IF_ERROR(log->Recover());
  return log;
}

tlog::NodeSource TransparencyLog::Nodes() {
  return [this](int level, uint64_t index) -> Result<tlog::Hash> {
    ASSIGN_OR_RETURN(auto v, store_.Get(partition_, NodeKey(level, index)));
    if (!v) return DataLossError("tlog: missing node hash");
    return DecodeHash(*v);
  };
}

Status TransparencyLog::Recover() {
  ASSIGN_OR_RETURN(auto size_rec, store_.Get(partition_, kSizeKey));
  uint64_t size = 0;
  if (size_rec) {
    ASSIGN_OR_RETURN(size, DecodeBigEndian64(*size_rec));
  }
  // The right edge: one perfect subtree per set bit of size, largest first.
  std::vector<tlog::Hash> edge;
  uint64_t begin = 0;
  for (int level : tlog::CompactRange::EdgeLevels(size)) {
    ASSIGN_OR_RETURN(tlog::Hash h, Nodes()(level, begin >> level));
    edge.push_back(h);
    begin += uint64_t{1} << level;
  }
  ASSIGN_OR_RETURN(range_, tlog::CompactRange::FromHashes(size, std::move(edge)));
  // The tail: the last entry must hash to its stored leaf, and nothing may
  // lie beyond the recorded size.
  if (size > 0) {
    ASSIGN_OR_RETURN(auto last, store_.Get(partition_, EntryKey(size - 1)));
    if (!last) return DataLossError("tlog " + origin_ + ": last entry missing");
    ASSIGN_OR_RETURN(std::string entry, DecodeEntry(*last));
    ASSIGN_OR_RETURN(tlog::Hash leaf, Nodes()(0, size - 1));
    if (tlog::HashLeaf(entry) != leaf) return DataLossError("tlog " + origin_ + ": last entry does not match its hash");
  }
  ASSIGN_OR_RETURN(auto beyond, store_.Get(partition_, EntryKey(size)));
  if (beyond) return DataLossError("tlog " + origin_ + ": entry beyond the recorded tree size");
  // The stored checkpoint must describe a prefix of this tree.
  ASSIGN_OR_RETURN(auto note, store_.Get(partition_, kCheckpointKey));
  if (note) {
    ASSIGN_OR_RETURN(tlog::Note n, tlog::ParseNote(*note));
    ASSIGN_OR_RETURN(tlog::Checkpoint cp, tlog::ParseCheckpoint(n.text));
    if (cp.origin != origin_) return DataLossError("tlog " + origin_ + ": stored checkpoint names another origin");
    if (cp.size > size) return DataLossError("tlog " + origin_ + ": stored checkpoint is ahead of the tree");
    ASSIGN_OR_RETURN(tlog::Hash root, tlog::RootHash(cp.size, Nodes()));
    if (root != cp.root) return DataLossError("tlog " + origin_ + ": stored checkpoint disagrees with the tree");
  }
  return OkStatus();
}

void TransparencyLog::Append(std::string entry, AppendCallback done) {
  if (entry.size() > tlog::kMaxEntrySize) {
    done(InvalidArgumentError("tlog: entry longer than 65535 bytes"));
    return;
  }
  std::shared_ptr<Group> group;
  meta::Batch batch;
  Status refused;
  {
    std::lock_guard lock(mu_);
    if (!failed_.ok()) {
      refused = failed_;
    } else {
      queue_.push_back({std::move(entry), std::move(done)});
      if (!in_flight_) {
        group = TakeGroupLocked(batch);
      } else if (lingering_ && queue_.size() >= linger_target_) {
        // This append fills the group the log was waiting for: send it
        // from here, without waking another thread.
        lingering_ = false;
        group = TakeGroupLocked(batch);
      }
    }
  }
  // Callbacks run without the lock: they may append again.
  if (!refused.ok()) done(refused);
  if (group) Submit(std::move(group), std::move(batch));
}

std::shared_ptr<TransparencyLog::Group> TransparencyLog::TakeGroupLocked(meta::Batch& batch) {
  auto group = std::make_shared<Group>();
  group->first_index = range_.size();
  group->range_after = range_;
  uint64_t old_size = range_.size();
  batch.op_tag = "tlog:" + origin_ + ":" + std::to_string(old_size);
  batch.Expect(std::string(kSizeKey), old_size == 0 ? std::nullopt : std::optional(BigEndian64(old_size)));
  // The batch lists its keys in order (entries, then node hashes by level
  // and index, then the size): RocksDB's memtable inserts a key next to the
  // previous one cheaply, and a jump to another part of the key space costs
  // a search from the top (interleaving them cost ~25k instructions per
  // entry, issue 7).
  std::vector<std::pair<std::string, std::string>> nodes;
  while (!queue_.empty() && group->appends.size() < kMaxGroup) {
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    batch.Put(EntryKey(group->range_after.size()), kEntryFormat + p.entry);
    group->range_after.Append(tlog::HashLeaf(p.entry), [&nodes](int level, uint64_t index, const tlog::Hash& h) {
      nodes.emplace_back(NodeKey(level, index), std::string(reinterpret_cast<const char*>(h.data()), h.size()));
    });
    group->appends.push_back(std::move(p));
  }
  std::sort(nodes.begin(), nodes.end());
  for (auto& [key, hash] : nodes) batch.Put(std::move(key), std::move(hash));
  batch.Put(std::string(kSizeKey), BigEndian64(group->range_after.size()));
  in_flight_ = true;
  return group;
}

void TransparencyLog::Submit(std::shared_ptr<Group> group, meta::Batch batch) {
  store_.ApplyAsync(partition_, std::move(batch), [this, group](Status st) { Completed(group, st); });
}

void TransparencyLog::Completed(const std::shared_ptr<Group>& group, const Status& status) {
  std::shared_ptr<Group> next;
  meta::Batch next_batch;
  std::deque<Pending> refused;
  Status fail;
  {
    std::lock_guard lock(mu_);
    if (status.ok()) {
      range_ = group->range_after;
    } else if (failed_.ok()) {
      failed_ = UnavailableError("tlog " + origin_ + ": an append failed (" + status.message() +
                                 "); the log must be reopened");
    }
    if (!failed_.ok()) {
      refused.swap(queue_);
      fail = failed_;
    }
    // The appends outstanding now: this group's (their requests are about
    // to be answered and, under load, come back) and those queued behind.
    const size_t outstanding = group->appends.size() + queue_.size();
    const bool skip = linger_target_ == kSkipNextLinger;
    if (skip) linger_target_ = 0;
    if (failed_.ok() && group_options_.timer != nullptr && !closing_ && !skip && outstanding > 1 &&
        outstanding <= kMaxGroup) {
      lingering_ = true;
      linger_target_ = outstanding;
      const uint64_t generation = ++linger_generation_;
      // Under mu_, so that the destructor's Cancel (after it set closing_)
      // cannot miss it.
      group_options_.timer->Schedule(this, LingerTimer::Clock::now() + group_options_.max_linger,
                                     [this, generation] { LingerExpired(generation); });
    } else if (!queue_.empty()) {
      next = TakeGroupLocked(next_batch);
    } else {
      in_flight_ = false;
      idle_cv_.notify_all();
    }
  }
  // One wake-up per waiting executor for the whole group (a store that
  // completes several groups at once holds an outer batch).
  ResumeBatch resume_once;
  for (size_t i = 0; i < group->appends.size(); ++i) {
    if (status.ok()) {
      group->appends[i].done(group->first_index + i);
    } else {
      group->appends[i].done(status);
    }
  }
  for (Pending& p : refused) p.done(fail);
  if (next) Submit(std::move(next), std::move(next_batch));
}

void TransparencyLog::LingerExpired(uint64_t generation) {
  std::shared_ptr<Group> group;
  meta::Batch batch;
  {
    std::lock_guard lock(mu_);
    if (!lingering_ || generation != linger_generation_) return;  // sent meanwhile
    lingering_ = false;
    linger_target_ = kSkipNextLinger;
    if (queue_.empty()) {
      in_flight_ = false;
      idle_cv_.notify_all();
    } else {
      group = TakeGroupLocked(batch);
    }
  }
  if (group) Submit(std::move(group), std::move(batch));
}

uint64_t TransparencyLog::size() const {
  std::lock_guard lock(mu_);
  return range_.size();
}

tlog::Hash TransparencyLog::root() const {
  std::lock_guard lock(mu_);
  return range_.Root();
}

Result<std::string> TransparencyLog::PublishCheckpoint() {
  std::lock_guard publish(publish_mu_);
  tlog::Checkpoint cp;
  cp.origin = origin_;
  {
    std::lock_guard lock(mu_);
    cp.size = range_.size();
    cp.root = range_.Root();
  }
  ASSIGN_OR_RETURN(std::string note, signer_.Sign(cp.Format()));
  meta::Batch batch;
  batch.op_tag = "tlog-checkpoint:" + origin_ + ":" + std::to_string(cp.size);
  batch.Put(std::string(kCheckpointKey), note);
  RETURN_IF_ERROR(store_.Apply(partition_, batch));
  return note;
}

Status TransparencyLog::StoreCosignedCheckpoint(const std::string& note, const std::string& cosigned) {
  std::lock_guard publish(publish_mu_);
  meta::Batch batch;
  batch.op_tag = "tlog-cosigned:" + origin_;
  batch.Expect(std::string(kCheckpointKey), note);
  batch.Put(std::string(kCheckpointKey), cosigned);
  return store_.Apply(partition_, batch);
}

Result<std::string> TransparencyLog::LatestCheckpoint() {
  ASSIGN_OR_RETURN(auto note, store_.Get(partition_, kCheckpointKey));
  if (!note) return NotFoundError("tlog " + origin_ + ": no checkpoint published yet");
  return std::move(*note);
}

Result<std::string> TransparencyLog::Entry(uint64_t index) {
  if (index >= size()) return OutOfRangeError("tlog: entry beyond the tree");
  ASSIGN_OR_RETURN(auto v, store_.Get(partition_, EntryKey(index)));
  if (!v) return DataLossError("tlog " + origin_ + ": entry missing");
  return DecodeEntry(*v);
}

Result<tlog::Hash> TransparencyLog::NodeHash(int level, uint64_t index) {
  if (level < 0 || level >= 64 || index >= (size() >> level)) {
    return OutOfRangeError("tlog: node beyond the tree");
  }
  return Nodes()(level, index);
}

Result<std::string> TransparencyLog::HashTile(int tile_level, uint64_t index, uint64_t width) {
  if (width == 0 || width > tlog::kTileWidth || tile_level < 0 ||
      tlog::TileWidth(tile_level, index, size()) < width) {
    return OutOfRangeError("tlog: tile beyond the tree");
  }
  int level = tile_level * tlog::kTileHeight;
  meta::ScanOptions scan;
  scan.start = NodeKey(level, index * tlog::kTileWidth);
  scan.end = NodeKey(level, index * tlog::kTileWidth + width);
  scan.limit = width;
  ASSIGN_OR_RETURN(auto records, store_.Scan(partition_, scan));
  if (records.size() != width) return DataLossError("tlog " + origin_ + ": node hashes missing");
  std::string out;
  out.reserve(width * tlog::kHashSize);
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(tlog::Hash h, DecodeHash(r.value));
    out.append(reinterpret_cast<const char*>(h.data()), h.size());
  }
  return out;
}

Result<std::string> TransparencyLog::EntryBundle(uint64_t index, uint64_t width) {
  if (width == 0 || width > tlog::kTileWidth || tlog::TileWidth(0, index, size()) < width) {
    return OutOfRangeError("tlog: entry bundle beyond the tree");
  }
  meta::ScanOptions scan;
  scan.start = EntryKey(index * tlog::kTileWidth);
  scan.end = EntryKey(index * tlog::kTileWidth + width);
  scan.limit = width;
  ASSIGN_OR_RETURN(auto records, store_.Scan(partition_, scan));
  if (records.size() != width) return DataLossError("tlog " + origin_ + ": entries missing");
  std::vector<std::string> entries;
  entries.reserve(width);
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(std::string e, DecodeEntry(r.value));
    entries.push_back(std::move(e));
  }
  return tlog::EncodeEntryBundle(entries);
}

Result<std::vector<tlog::Hash>> TransparencyLog::InclusionProof(uint64_t index, uint64_t tree_size) {
  if (tree_size > size()) return OutOfRangeError("tlog: tree size beyond the log");
  return tlog::InclusionProof(index, tree_size, Nodes());
}

Result<std::vector<tlog::Hash>> TransparencyLog::ConsistencyProof(uint64_t size1, uint64_t size2) {
  if (size2 > size()) return OutOfRangeError("tlog: tree size beyond the log");
  return tlog::ConsistencyProof(size1, size2, Nodes());
}

}  // namespace confiance::audit
