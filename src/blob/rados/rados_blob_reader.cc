// File: blob/rados/rados_blob_reader.cc
#include "blob/rados/rados_blob_reader.h"

#include <algorithm>
#include <cstring>

namespace confiance::blob {

RadosBlobReader::~RadosBlobReader() {
  if (ahead_ != nullptr) {
    rados_aio_wait_for_complete_and_cb(ahead_);
    rados_aio_release(ahead_);
  }
}

size_t RadosBlobReader::WindowLength(uint64_t at) const {
  const uint64_t stripe_end = (at / stripe_size_ + 1) * stripe_size_;
  return static_cast<size_t>(std::min<uint64_t>({kWindow, stripe_end - at, size_ - at}));
}

Status RadosBlobReader::StripeReadOutcome(uint64_t stripe, int rc, size_t want) const {
  if (rc == -ENOENT) {
    return DataLossError("blob " + id_ + ": stripe " + std::to_string(stripe) +
                         " is gone from RADOS (deleted, and collected after the gc delay)");
  }
  RETURN_IF_ERROR(io_.Check(rc, "reading", StripeOid(id_, stripe)));
  io_.stats().bytes_read.Add(static_cast<uint64_t>(rc));
  if (static_cast<size_t>(rc) != want) {
    return DataLossError("blob " + id_ + ": stripe " + std::to_string(stripe) + " is shorter than its index says");
  }
  return OkStatus();
}

Status RadosBlobReader::ReadStripe(uint64_t at, std::span<std::byte> out) const {
  const uint64_t stripe = at / stripe_size_;
  const std::string oid = StripeOid(id_, stripe);
  const int rc = io_.Timed(RadosOp::kRead, [&] {
    return rados_read(io_.ioctx(), oid.c_str(), reinterpret_cast<char*>(out.data()), out.size(), at % stripe_size_);
  });
  return StripeReadOutcome(stripe, rc, out.size());
}

void RadosBlobReader::StartReadAhead() const {
  const uint64_t at = window_.start + window_.bytes.size();
  if (ahead_ != nullptr || window_.bytes.empty() || at >= size_) return;
  ahead_window_.start = at;
  ahead_window_.bytes.resize(WindowLength(at));
  Result<RadosIo::TimedCompletion> timed = io_.NewTimedCompletion(RadosOp::kRead);
  if (!timed.ok()) return;  // no read ahead: the next read fetches its window itself
  const std::string oid = StripeOid(id_, at / stripe_size_);
  if (rados_aio_read(io_.ioctx(), oid.c_str(), timed->completion, reinterpret_cast<char*>(ahead_window_.bytes.data()),
                     ahead_window_.bytes.size(), at % stripe_size_) < 0) {
    RadosIo::DiscardUnsubmitted(*timed);
    return;
  }
  ahead_ = timed->completion;
}

Status RadosBlobReader::TakeReadAhead() const {
  rados_aio_wait_for_complete_and_cb(ahead_);
  const int rc = rados_aio_get_return_value(ahead_);
  rados_aio_release(ahead_);
  ahead_ = nullptr;
  RETURN_IF_ERROR(StripeReadOutcome(ahead_window_.start / stripe_size_, rc, ahead_window_.bytes.size()));
  std::swap(window_, ahead_window_);
  return OkStatus();
}

Result<size_t> RadosBlobReader::ReadAt(uint64_t offset, std::span<std::byte> out) const {
  if (offset >= size_) return size_t{0};
  std::lock_guard<std::mutex> lock(mu_);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
  const bool sequential = offset == next_sequential_;
  size_t done = 0;
  while (done < want) {
    const uint64_t at = offset + done;
    if (window_.Covers(at)) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(want - done, window_.start + window_.bytes.size() - at));
      std::memcpy(out.data() + done, window_.bytes.data() + (at - window_.start), n);
      done += n;
      continue;
    }
    if (ahead_ != nullptr && ahead_window_.Covers(at)) {
      RETURN_IF_ERROR(TakeReadAhead());
      continue;
    }
    const size_t len = WindowLength(at);
    if (sequential) {
      window_.start = at;
      window_.bytes.resize(len);
      Status s = ReadStripe(at, window_.bytes);
      if (!s.ok()) window_.bytes.clear();
      RETURN_IF_ERROR(s);
      continue;
    }
    const size_t n = std::min(len, want - done);  // exactly what is asked
    RETURN_IF_ERROR(ReadStripe(at, out.subspan(done, n)));
    done += n;
  }
  next_sequential_ = offset + want;
  if (sequential) StartReadAhead();
  return want;
}

}  // namespace confiance::blob
