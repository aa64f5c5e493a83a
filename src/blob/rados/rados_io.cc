// File: blob/rados/rados_io.cc
#include "blob/rados/rados_io.h"

#include <cerrno>
#include <cstring>
#include <memory>

namespace confiance::blob {

namespace {

using OmapIter = OmapIterator;

// Drains an omap iterator into key/value pairs.
Status DrainOmap(rados_omap_iter_t it, RadosIo::KeyValues* out) {
  return ForEachOmapEntry(it, [out](std::string_view k, std::string_view v) {
    out->emplace_back(std::string(k), std::string(v));
    return OkStatus();
  });
}

}  // namespace

Status ForEachOmapEntry(rados_omap_iter_t it, const std::function<Status(std::string_view, std::string_view)>& fn) {
  for (;;) {
    char* key = nullptr;
    char* val = nullptr;
    size_t key_len = 0;
    size_t val_len = 0;
    int rc = rados_omap_get_next2(it, &key, &val, &key_len, &val_len);
    if (rc < 0) return InternalError("rados_omap_get_next2: " + std::string(strerror(-rc)));
    if (key == nullptr) return OkStatus();
    RETURN_IF_ERROR(
        fn(std::string_view(key, key_len), std::string_view(val == nullptr ? "" : val, val == nullptr ? 0 : val_len)));
  }
}

// What a timed completion's callback needs; owned by the callback, or
// freed by DiscardUnsubmitted if it never runs.
struct RadosIo::AioTiming {
  metrics::Histogram* histogram;
  std::chrono::steady_clock::time_point start;

  static void Observe(rados_completion_t, void* arg) {
    std::unique_ptr<AioTiming> timing(static_cast<AioTiming*>(arg));
    timing->histogram->Observe(std::chrono::steady_clock::now() - timing->start);
  }
};

Result<std::unique_ptr<RadosIo>> RadosIo::Connect(const RadosConnection& c) {
  if (c.pool.empty()) return InvalidArgumentError("RADOS: no pool named");
  std::unique_ptr<RadosIo> r(new RadosIo());
  r->pool_ = c.pool;
  const std::string name = "client." + c.user;
  int rc = rados_create2(&r->cluster_, "ceph", name.c_str(), 0);
  if (rc < 0) {
    r->cluster_ = nullptr;
    return r->Check(rc, "rados_create2", name);
  }
  rc = rados_conf_read_file(r->cluster_, c.ceph_conf.c_str());
  if (rc < 0) return r->Check(rc, "reading the Ceph configuration", c.ceph_conf);
  if (!c.keyring.empty())
    RETURN_IF_ERROR(r->Check(rados_conf_set(r->cluster_, "keyring", c.keyring.c_str()), "rados_conf_set", "keyring"));
  const std::string timeout = std::to_string(c.op_timeout_seconds);
  for (const char* option : {"rados_osd_op_timeout", "rados_mon_op_timeout", "client_mount_timeout"}) {
    RETURN_IF_ERROR(r->Check(rados_conf_set(r->cluster_, option, timeout.c_str()), "rados_conf_set", option));
  }
  // librados would otherwise write its own log next to a daemon's.
  RETURN_IF_ERROR(r->Check(rados_conf_set(r->cluster_, "log_to_stderr", "false"), "rados_conf_set", "log_to_stderr"));
  RETURN_IF_ERROR(r->Check(rados_conf_set(r->cluster_, "log_file", ""), "rados_conf_set", "log_file"));
  rc = rados_connect(r->cluster_);
  if (rc < 0) return r->Check(rc, "connecting to the Ceph cluster as", name);
  rc = rados_ioctx_create(r->cluster_, c.pool.c_str(), &r->io_);
  if (rc < 0) {
    r->io_ = nullptr;
    return r->Check(rc, "opening the RADOS pool", c.pool);
  }
  rados_ioctx_set_namespace(r->io_, c.name_space.c_str());
  return r;
}

RadosIo::~RadosIo() {
  if (io_ != nullptr) {
    rados_aio_flush(io_);  // OmapRemoveInBackground's ops
    rados_ioctx_destroy(io_);
  }
  if (cluster_ != nullptr) rados_shutdown(cluster_);
}

Status RadosIo::Check(int rc, const char* call, const std::string& oid) {
  if (rc >= 0) return OkStatus();
  std::string msg = std::string(call) + " " + oid + " (RADOS pool " + pool_ + "): " + strerror(-rc);
  switch (-rc) {
    case ENOENT:
      return NotFoundError(std::move(msg));
    case ENOSPC:
    case EDQUOT:
      stats_.full.Add();
      return ResourceExhaustedError(std::move(msg));
    case EACCES:
    case EPERM:
      stats_.denied.Add();
      return PermissionDeniedError(std::move(msg));
    case ETIMEDOUT:
      stats_.timeouts.Add();
      // Trap (b) of ../shared/RADOS.md.
      if (cluster_ != nullptr) rados_wait_for_latest_osdmap(cluster_);
      return UnavailableError(std::move(msg));
    default:
      stats_.other_errors.Add();
      return InternalError(std::move(msg));
  }
}

Result<RadosIo::TimedCompletion> RadosIo::NewTimedCompletion(RadosOp op) {
  auto timing = std::make_unique<AioTiming>(AioTiming{&stats_.duration(op), std::chrono::steady_clock::now()});
  TimedCompletion c;
  const int rc = rados_aio_create_completion2(timing.get(), &AioTiming::Observe, &c.completion);
  RETURN_IF_ERROR(Check(rc, "rados_aio_create_completion2", ""));
  c.timing = timing.release();  // the callback's from now on
  return c;
}

void RadosIo::DiscardUnsubmitted(const TimedCompletion& c) {
  rados_aio_release(c.completion);
  delete c.timing;
}

Status RadosIo::Remove(const std::string& oid) {
  int rc = Timed(RadosOp::kRemove, [&] { return rados_remove(io_, oid.c_str()); });
  if (rc == -ENOENT) return OkStatus();
  return Check(rc, "rados_remove", oid);
}

Result<uint64_t> RadosIo::Stat(const std::string& oid) {
  uint64_t size = 0;
  time_t mtime = 0;
  RETURN_IF_ERROR(
      Check(Timed(RadosOp::kStat, [&] { return rados_stat(io_, oid.c_str(), &size, &mtime); }), "rados_stat", oid));
  return size;
}

Result<std::map<std::string, std::string>> RadosIo::OmapGet(const std::string& oid,
                                                            const std::vector<std::string>& keys) {
  const CStrings k(keys);
  rados_read_op_t op = rados_create_read_op();
  OmapIter it;
  int prval = 0;
  rados_read_op_omap_get_vals_by_keys2(op, k.ptrs.data(), k.ptrs.size(), k.lens.data(), &it.it, &prval);
  int rc = Timed(RadosOp::kOmapRead, [&] { return rados_read_op_operate(op, io_, oid.c_str(), 0); });
  rados_release_read_op(op);
  std::map<std::string, std::string> out;
  if (rc == -ENOENT) return out;
  RETURN_IF_ERROR(Check(rc < 0 ? rc : prval, "omap get", oid));
  KeyValues kvs;
  RETURN_IF_ERROR(DrainOmap(it.it, &kvs));
  for (auto& [k, v] : kvs) out.emplace(std::move(k), std::move(v));
  return out;
}

Result<RadosIo::KeyValues> RadosIo::OmapList(const std::string& oid, const std::string& start_after, uint64_t max,
                                             bool* more) {
  rados_read_op_t op = rados_create_read_op();
  OmapIter it;
  unsigned char more_flag = 0;
  int prval = 0;
  rados_read_op_omap_get_vals2(op, start_after.c_str(), "", max, &it.it, &more_flag, &prval);
  int rc = Timed(RadosOp::kOmapRead, [&] { return rados_read_op_operate(op, io_, oid.c_str(), 0); });
  rados_release_read_op(op);
  KeyValues out;
  *more = false;
  if (rc == -ENOENT) return out;
  RETURN_IF_ERROR(Check(rc < 0 ? rc : prval, "omap list", oid));
  RETURN_IF_ERROR(DrainOmap(it.it, &out));
  *more = more_flag != 0;
  return out;
}

Status RadosIo::ForEachOmap(const std::string& oid, const OmapVisitor& fn) {
  constexpr uint64_t kPage = 1000;  // (the OSDs cap a page at 1024)
  std::string after;
  for (bool more = true; more;) {
    ASSIGN_OR_RETURN(KeyValues page, OmapList(oid, after, kPage, &more));
    for (const auto& [key, value] : page) {
      ASSIGN_OR_RETURN(bool go_on, fn(key, value));
      if (!go_on) return OkStatus();
      after = key;
    }
    if (page.empty()) break;
  }
  return OkStatus();
}

Status RadosIo::OmapUpdate(const std::string& oid, const KeyValues& set, const std::vector<std::string>& remove) {
  std::vector<std::string> set_keys, set_values;
  for (const auto& [k, v] : set) {
    set_keys.push_back(k);
    set_values.push_back(v);
  }
  const CStrings keys(set_keys), values(set_values), rm(remove);
  rados_write_op_t op = rados_create_write_op();
  if (!set.empty()) {
    rados_write_op_omap_set2(op, keys.ptrs.data(), values.ptrs.data(), keys.lens.data(), values.lens.data(),
                             keys.ptrs.size());
  }
  if (!remove.empty()) rados_write_op_omap_rm_keys2(op, rm.ptrs.data(), rm.lens.data(), rm.ptrs.size());
  int rc = Timed(RadosOp::kOmapWrite, [&] { return rados_write_op_operate(op, io_, oid.c_str(), nullptr, 0); });
  rados_release_write_op(op);
  if (rc == -ENOENT && set.empty()) return OkStatus();  // nothing to remove from
  return Check(rc, "omap update", oid);
}

Status RadosIo::OmapSetIfAbsent(const std::string& oid, const std::string& key, const std::string& value) {
  if (value.empty()) return InvalidArgumentError("omap set-if-absent of an empty value");
  const char* k = key.data();
  const char* v = value.data();
  const size_t klen = key.size();
  const size_t vlen = value.size();
  int cmp_rval = 0;
  rados_write_op_t op = rados_create_write_op();
  // So that the comparison finds an object (undone with the rest if it fails).
  rados_write_op_create(op, LIBRADOS_CREATE_IDEMPOTENT, nullptr);
  rados_write_op_omap_cmp2(op, k, LIBRADOS_CMPXATTR_OP_EQ, "", klen, 0, &cmp_rval);
  rados_write_op_omap_set2(op, &k, &v, &klen, &vlen, 1);
  int rc = Timed(RadosOp::kOmapWrite, [&] { return rados_write_op_operate(op, io_, oid.c_str(), nullptr, 0); });
  rados_release_write_op(op);
  if (rc == -ECANCELED) return FailedPreconditionError("omap key of " + oid + " is set already");
  return Check(rc, "omap set-if-absent", oid);
}

void RadosIo::OmapRemoveInBackground(const std::string& oid, const std::vector<std::string>& keys) {
  const CStrings rm(keys);
  rados_write_op_t op = rados_create_write_op();
  rados_write_op_omap_rm_keys2(op, rm.ptrs.data(), rm.lens.data(), rm.ptrs.size());  // (copies the keys)
  rados_completion_t done = nullptr;
  // The op and the completion are freed when it completes, whatever its outcome.
  auto release = [](rados_completion_t c, void* arg) {
    rados_release_write_op(static_cast<rados_write_op_t>(arg));
    rados_aio_release(c);
  };
  if (rados_aio_create_completion2(op, release, &done) < 0) {
    rados_release_write_op(op);
    return;
  }
  if (rados_aio_write_op_operate(op, io_, done, oid.c_str(), nullptr, 0) < 0) {
    rados_aio_release(done);
    rados_release_write_op(op);
  }
}

Result<std::pair<uint64_t, uint64_t>> RadosIo::UsedAndTotalBytes() {
  rados_cluster_stat_t st{};
  RETURN_IF_ERROR(Check(rados_cluster_stat(cluster_, &st), "rados_cluster_stat", ""));
  return std::make_pair(st.kb_used * 1024, st.kb * 1024);
}

}  // namespace confiance::blob
