// File: audit/transparency_log.cc
// Key layout inside the log's partition (docs/audit-log.md):
//   "s"                         tree size, 8 bytes big-endian, then the
//                               right edge: one 32-byte hash per set bit of
//                               the size, largest subtree first
//   "e" <index BE64>            0x01 || entry
//   "h" <level u8> <index BE64> 32-byte hash of complete node (level, index),
//                               stored for levels >= kFirstStoredLevel only
//   "c"                         latest signed checkpoint note
// Logs written before the edge joined the size record have an 8-byte "s"
// and a stored hash for every node; both layouts read the same way.
#include "audit/transparency_log.h"

#include <algorithm>
#include <bit>
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

// Nodes below this level are not stored but recomputed, when a tile or a
// proof needs them, from the at most 2^kFirstStoredLevel entries under them
// (hashing 256 entries costs less than a proof's round trip). Storing them
// cost two RocksDB keys per entry on the append path, two thirds of the
// log's memtable inserts (docs/PERFORMANCE.md, issue 7). Level 8 is where
// the tlog-tiles hash tiles of level 1 begin, so only tiles of level 0 are
// computed.
constexpr int kFirstStoredLevel = tlog::kTileHeight;

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

Result<tlog::Hash> DecodeHash(std::string_view v) {
  if (v.size() != tlog::kHashSize) return DataLossError("tlog: malformed node hash record");
  tlog::Hash h;
  std::copy(v.begin(), v.end(), reinterpret_cast<char*>(h.data()));
  return h;
}

void AppendHash(std::string& out, const tlog::Hash& h) {
  out.append(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string SizeRecord(const tlog::CompactRange& range) {
  std::string out = BigEndian64(range.size());
  out.reserve(8 + range.hashes().size() * tlog::kHashSize);
  for (const tlog::Hash& h : range.hashes()) AppendHash(out, h);
  return out;
}

struct DecodedSizeRecord {
  uint64_t size = 0;
  std::optional<std::vector<tlog::Hash>> edge;  // absent in the older 8-byte record
};

Result<DecodedSizeRecord> DecodeSizeRecord(std::string_view v) {
  if (v.size() < 8) return DataLossError("tlog: malformed tree size record");
  DecodedSizeRecord out;
  ASSIGN_OR_RETURN(out.size, DecodeBigEndian64(v.substr(0, 8)));
  if (v.size() == 8) return out;
  const auto count = static_cast<size_t>(std::popcount(out.size));
  if (v.size() != 8 + count * tlog::kHashSize) return DataLossError("tlog: malformed tree size record");
  out.edge.emplace();
  for (size_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(tlog::Hash h, DecodeHash(v.substr(8 + i * tlog::kHashSize, tlog::kHashSize)));
    out.edge->push_back(h);
  }
  return out;
}

// The nodes (level, index) of the right edge of a tree of `size` leaves:
// one perfect subtree per set bit of size, largest first.
std::vector<std::pair<int, uint64_t>> EdgeNodes(uint64_t size) {
  std::vector<std::pair<int, uint64_t>> nodes;
  uint64_t begin = 0;
  for (int level : tlog::CompactRange::EdgeLevels(size)) {
    nodes.emplace_back(level, begin >> level);
    begin += uint64_t{1} << level;
  }
  return nodes;
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
    if (level < kFirstStoredLevel) return ComputedNode(level, index);
    return StoredNode(level, index);
  };
}

Result<tlog::Hash> TransparencyLog::StoredNode(int level, uint64_t index) {
  ASSIGN_OR_RETURN(auto v, store_.Get(partition_, NodeKey(level, index)));
  if (!v) return DataLossError("tlog " + origin_ + ": missing node hash");
  return DecodeHash(*v);
}

Result<tlog::Hash> TransparencyLog::ComputedNode(int level, uint64_t index) {
  ASSIGN_OR_RETURN(auto leaves, LeafHashes(index << level, (index + 1) << level));
  // A perfect subtree's root does not depend on its position: the tree of
  // just its leaves has the same root.
  tlog::CompactRange subtree;
  for (const tlog::Hash& leaf : leaves) subtree.Append(leaf, [](int, uint64_t, const tlog::Hash&) {});
  return subtree.Root();
}

Result<std::vector<std::string>> TransparencyLog::ReadEntries(uint64_t begin, uint64_t end) {
  meta::ScanOptions scan;
  scan.start = EntryKey(begin);
  scan.end = EntryKey(end);
  scan.limit = end - begin;
  ASSIGN_OR_RETURN(auto records, store_.Scan(partition_, scan));
  if (records.size() != end - begin) return DataLossError("tlog " + origin_ + ": entries missing");
  std::vector<std::string> entries;
  entries.reserve(records.size());
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(std::string e, DecodeEntry(r.value));
    entries.push_back(std::move(e));
  }
  return entries;
}

Result<std::vector<tlog::Hash>> TransparencyLog::LeafHashes(uint64_t begin, uint64_t end) {
  ASSIGN_OR_RETURN(auto entries, ReadEntries(begin, end));
  std::vector<tlog::Hash> hashes;
  hashes.reserve(entries.size());
  for (const std::string& e : entries) hashes.push_back(tlog::HashLeaf(e));
  return hashes;
}

Result<TransparencyLog::Tail> TransparencyLog::ReadTail() {
  ASSIGN_OR_RETURN(auto size_rec, store_.Get(partition_, kSizeKey));
  DecodedSizeRecord stored;
  if (size_rec) {
    ASSIGN_OR_RETURN(stored, DecodeSizeRecord(*size_rec));
  }
  std::vector<tlog::Hash> edge;
  if (stored.edge) {
    edge = std::move(*stored.edge);
  } else {  // the older layout: from the stored nodes and the entries
    for (const auto& [level, index] : EdgeNodes(stored.size)) {
      ASSIGN_OR_RETURN(tlog::Hash h, Nodes()(level, index));
      edge.push_back(h);
    }
  }
  Tail tail;
  ASSIGN_OR_RETURN(tail.range, tlog::CompactRange::FromHashes(stored.size, std::move(edge)));
  tail.record = std::move(size_rec);
  return tail;
}

Status TransparencyLog::CatchUp() {
  ASSIGN_OR_RETURN(Tail tail, ReadTail());
  std::lock_guard lock(mu_);
  AdvanceLocked(tail.range, tail.record);
  return OkStatus();
}

void TransparencyLog::AdvanceLocked(const tlog::CompactRange& range, const std::optional<std::string>& record) {
  // Never back: a tail read before a group of ours landed is older.
  if (range.size() <= range_.size() && size_record_.has_value()) return;
  range_ = range;
  size_record_ = record;
}

Status TransparencyLog::Recover() {
  // Another writer may append between the reads below (a shared store):
  // what they see then disagrees with the size read first, and the whole
  // check starts again from the new size.
  Status last;
  for (int attempt = 0; attempt < kMaxOpenAttempts; ++attempt) {
    ASSIGN_OR_RETURN(auto before, store_.Get(partition_, kSizeKey));
    last = RecoverOnce();
    if (last.ok() || last.code() != StatusCode::kDataLoss) return last;
    ASSIGN_OR_RETURN(auto after, store_.Get(partition_, kSizeKey));
    if (after == before) return last;  // nobody appended: the log itself disagrees
  }
  return last;
}

Status TransparencyLog::RecoverOnce() {
  ASSIGN_OR_RETURN(auto size_rec, store_.Get(partition_, kSizeKey));
  DecodedSizeRecord stored;
  if (size_rec) {
    ASSIGN_OR_RETURN(stored, DecodeSizeRecord(*size_rec));
  }
  const uint64_t size = stored.size;
  // The right edge, recomputed: those below kFirstStoredLevel from their
  // entries.
  const std::vector<std::pair<int, uint64_t>> edge_nodes = EdgeNodes(size);
  std::vector<tlog::Hash> edge;
  for (const auto& [level, index] : edge_nodes) {
    ASSIGN_OR_RETURN(tlog::Hash h, Nodes()(level, index));
    edge.push_back(h);
  }
  // The entries at the tail must agree with the hashes stored when they
  // were appended: the edge in the size record (or, in the older layout,
  // the stored hash of every node) ...
  if (stored.edge) {
    if (*stored.edge != edge) return DataLossError("tlog " + origin_ + ": entries disagree with the stored right edge");
  } else {
    for (size_t i = 0; i < edge_nodes.size(); ++i) {
      const auto [level, index] = edge_nodes[i];
      if (level >= kFirstStoredLevel) continue;  // read as stored above
      ASSIGN_OR_RETURN(tlog::Hash h, StoredNode(level, index));
      if (h != edge[i]) return DataLossError("tlog " + origin_ + ": entries disagree with their stored hashes");
    }
  }
  // ... and, when the size ends a stored subtree (the edge then holds no
  // recomputed node), the last 2^kFirstStoredLevel entries must hash to it.
  constexpr uint64_t kBlock = uint64_t{1} << kFirstStoredLevel;
  if (size > 0 && size % kBlock == 0) {
    const uint64_t block = size / kBlock - 1;
    ASSIGN_OR_RETURN(tlog::Hash computed, ComputedNode(kFirstStoredLevel, block));
    ASSIGN_OR_RETURN(tlog::Hash kept, StoredNode(kFirstStoredLevel, block));
    if (computed != kept) return DataLossError("tlog " + origin_ + ": last entries do not match their hash");
  }
  ASSIGN_OR_RETURN(range_, tlog::CompactRange::FromHashes(size, std::move(edge)));
  size_record_ = std::move(size_rec);
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
  bool here = false;
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
      // Committed here if every open connection has an append in it (see
      // the header).
      const ServerLoad* load = group_options_.load;
      here = group && load != nullptr && load->EveryClientWaitsOn(group->appends.size());
    }
  }
  // Callbacks run without the lock: they may append again.
  if (!refused.ok()) done(refused);
  if (group) Submit(std::move(group), std::move(batch), here);
}

std::shared_ptr<TransparencyLog::Group> TransparencyLog::TakeGroupLocked(meta::Batch& batch) {
  auto group = std::make_shared<Group>();
  group->taken = std::chrono::steady_clock::now();
  while (!queue_.empty() && group->appends.size() < kMaxGroup) {
    group->appends.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  FillBatchLocked(*group, batch);
  in_flight_ = true;
  return group;
}

void TransparencyLog::FillBatchLocked(Group& group, meta::Batch& batch) {
  group.first_index = range_.size();
  group.range_after = range_;
  batch.op_tag = "tlog:" + origin_ + ":" + std::to_string(range_.size());
  batch.Expect(std::string(kSizeKey), size_record_);
  // The batch lists its keys in order (entries, then node hashes by level
  // and index, then the size): RocksDB's memtable inserts a key next to the
  // previous one cheaply, and a jump to another part of the key space costs
  // a search from the top (interleaving them cost ~25k instructions per
  // entry, issue 7).
  std::vector<std::pair<std::string, std::string>> nodes;
  for (const Pending& p : group.appends) {
    batch.Put(EntryKey(group.range_after.size()), kEntryFormat + p.entry);
    group.range_after.Append(tlog::HashLeaf(p.entry), [&nodes](int level, uint64_t index, const tlog::Hash& h) {
      if (level < kFirstStoredLevel) return;
      nodes.emplace_back(NodeKey(level, index), std::string(reinterpret_cast<const char*>(h.data()), h.size()));
    });
  }
  std::sort(nodes.begin(), nodes.end());
  for (auto& [key, hash] : nodes) batch.Put(std::move(key), std::move(hash));
  group.size_record_after = SizeRecord(group.range_after);
  batch.Put(std::string(kSizeKey), group.size_record_after);
}

bool TransparencyLog::RetryAfterAnotherWriter(const std::shared_ptr<Group>& group, const Status& status) {
  if (status.code() != StatusCode::kFailedPrecondition ||
      std::chrono::steady_clock::now() - group->taken > kMaxConflictWait) {
    return false;
  }
  // The size record changed under the batch: another writer of the store
  // appended (or this log's own tail is not what the store holds).
  Result<Tail> tail = ReadTail();
  meta::Batch batch;
  {
    std::lock_guard lock(mu_);
    // (Not grown past the batch's base: the store disagrees with this log.)
    if (!tail.ok() || !failed_.ok() || tail->range.size() <= group->first_index) return false;
    AdvanceLocked(tail->range, tail->record);
    FillBatchLocked(*group, batch);  // the same appends, after the stored tail
  }
  if (group_options_.stats != nullptr) group_options_.stats->conflicts.Add();
  Submit(group, std::move(batch));
  return true;
}

void TransparencyLog::Submit(std::shared_ptr<Group> group, meta::Batch batch, bool here) {
  if (group_options_.stats != nullptr) group->submitted = std::chrono::steady_clock::now();
  auto completed = [this, group](Status st) { Completed(group, st); };
  if (here) {
    store_.ApplyHere(partition_, std::move(batch), std::move(completed));
  } else {
    store_.ApplyAsync(partition_, std::move(batch), std::move(completed));
  }
}

void TransparencyLog::Completed(const std::shared_ptr<Group>& group, const Status& status) {
  if (!status.ok() && RetryAfterAnotherWriter(group, status)) return;
  std::shared_ptr<Group> next;
  meta::Batch next_batch;
  std::deque<Pending> refused;
  Status fail;
  if (LogStats* stats = group_options_.stats; stats != nullptr) {
    stats->commit_latency.Observe(std::chrono::steady_clock::now() - group->submitted);
    if (status.ok()) {
      stats->groups.Add();
      stats->entries.Add(group->appends.size());
    } else {
      stats->failed_groups.Add();
    }
  }
  {
    std::lock_guard lock(mu_);
    if (status.ok()) {
      AdvanceLocked(group->range_after, group->size_record_after);
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
  // The tree as stored, which another writer of the store may have grown.
  RETURN_IF_ERROR(CatchUp());
  tlog::Checkpoint cp;
  cp.origin = origin_;
  {
    std::lock_guard lock(mu_);
    cp.size = range_.size();
    cp.root = range_.Root();
  }
  Status last;
  for (int attempt = 0; attempt < kMaxOpenAttempts; ++attempt) {
    // The stored checkpoint never goes back: one of this size or larger
    // (another writer's, or this one cosigned) stays, and is the answer.
    ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.Get(partition_, kCheckpointKey));
    if (stored) {
      ASSIGN_OR_RETURN(tlog::Note n, tlog::ParseNote(*stored));
      ASSIGN_OR_RETURN(tlog::Checkpoint had, tlog::ParseCheckpoint(n.text));
      if (had.size >= cp.size) return std::move(*stored);
    }
    ASSIGN_OR_RETURN(std::string note, signer_.Sign(cp.Format()));
    meta::Batch batch;
    batch.op_tag = "tlog-checkpoint:" + origin_ + ":" + std::to_string(cp.size);
    batch.Expect(std::string(kCheckpointKey), stored);
    batch.Put(std::string(kCheckpointKey), note);
    last = store_.Apply(partition_, batch);
    if (last.ok()) return note;
    if (last.code() != StatusCode::kFailedPrecondition) return last;
  }
  return last;
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

Result<bool> TransparencyLog::WithinTree(const std::function<bool()>& within) {
  if (within()) return true;
  RETURN_IF_ERROR(CatchUp());
  return within();
}

Result<std::string> TransparencyLog::Entry(uint64_t index) {
  ASSIGN_OR_RETURN(bool within, WithinTree([&] { return index < size(); }));
  if (!within) return OutOfRangeError("tlog: entry beyond the tree");
  ASSIGN_OR_RETURN(auto v, store_.Get(partition_, EntryKey(index)));
  if (!v) return DataLossError("tlog " + origin_ + ": entry missing");
  return DecodeEntry(*v);
}

Result<tlog::Hash> TransparencyLog::NodeHash(int level, uint64_t index) {
  if (level < 0 || level >= 64) return OutOfRangeError("tlog: node beyond the tree");
  ASSIGN_OR_RETURN(bool within, WithinTree([&] { return index < (size() >> level); }));
  if (!within) {
    return OutOfRangeError("tlog: node beyond the tree");
  }
  return Nodes()(level, index);
}

Result<std::string> TransparencyLog::HashTile(int tile_level, uint64_t index, uint64_t width) {
  if (width == 0 || width > tlog::kTileWidth || tile_level < 0) return OutOfRangeError("tlog: tile beyond the tree");
  ASSIGN_OR_RETURN(bool within, WithinTree([&] { return tlog::TileWidth(tile_level, index, size()) >= width; }));
  if (!within) {
    return OutOfRangeError("tlog: tile beyond the tree");
  }
  const int level = tile_level * tlog::kTileHeight;
  const uint64_t first = index * tlog::kTileWidth;
  std::string out;
  out.reserve(width * tlog::kHashSize);
  if (level < kFirstStoredLevel) {
    ASSIGN_OR_RETURN(auto hashes, LeafHashes(first, first + width));
    for (const tlog::Hash& h : hashes) AppendHash(out, h);
    return out;
  }
  meta::ScanOptions scan;
  scan.start = NodeKey(level, first);
  scan.end = NodeKey(level, first + width);
  scan.limit = width;
  ASSIGN_OR_RETURN(auto records, store_.Scan(partition_, scan));
  if (records.size() != width) return DataLossError("tlog " + origin_ + ": node hashes missing");
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(tlog::Hash h, DecodeHash(r.value));
    AppendHash(out, h);
  }
  return out;
}

Result<std::string> TransparencyLog::EntryBundle(uint64_t index, uint64_t width) {
  if (width == 0 || width > tlog::kTileWidth) return OutOfRangeError("tlog: entry bundle beyond the tree");
  ASSIGN_OR_RETURN(bool within, WithinTree([&] { return tlog::TileWidth(0, index, size()) >= width; }));
  if (!within) {
    return OutOfRangeError("tlog: entry bundle beyond the tree");
  }
  ASSIGN_OR_RETURN(auto entries, ReadEntries(index * tlog::kTileWidth, index * tlog::kTileWidth + width));
  return tlog::EncodeEntryBundle(entries);
}

Result<std::vector<tlog::Hash>> TransparencyLog::InclusionProof(uint64_t index, uint64_t tree_size) {
  ASSIGN_OR_RETURN(bool within, WithinTree([&] { return tree_size <= size(); }));
  if (!within) return OutOfRangeError("tlog: tree size beyond the log");
  return tlog::InclusionProof(index, tree_size, Nodes());
}

Result<std::vector<tlog::Hash>> TransparencyLog::ConsistencyProof(uint64_t size1, uint64_t size2) {
  ASSIGN_OR_RETURN(bool within, WithinTree([&] { return size2 <= size(); }));
  if (!within) return OutOfRangeError("tlog: tree size beyond the log");
  return tlog::ConsistencyProof(size1, size2, Nodes());
}

}  // namespace confiance::audit
