// File: s3/segment_pipeline.cc
#include "s3/segment_pipeline.h"

#include <optional>

namespace confiance::s3 {

struct SegmentPipeline::State {
  State(BufferPool& pool, std::unique_ptr<catalog::SegmentWriter> w) : writer(std::move(w)), first(pool.Get()) {}
  std::span<std::byte> buffer(int i) const { return i == 0 ? first.span() : second->span(); }
  std::unique_ptr<catalog::SegmentWriter> writer;
  BufferPool::Lease first;
  // Taken when the first window goes to the pool: a small body never needs it.
  std::optional<BufferPool::Lease> second;
};

namespace {
using Job = std::shared_ptr<BlockingPool::Job<Status>>;

// On a thread that may block: waits for the window in flight, if any.
Status Join(const Job& job) { return job ? job->Join() : OkStatus(); }
}  // namespace

SegmentPipeline::SegmentPipeline(BlockingPool& pool, BufferPool& buffers,
                                 std::unique_ptr<catalog::SegmentWriter> writer, size_t inline_limit)
    : state_(std::make_shared<State>(buffers, std::move(writer))),
      buffers_(buffers),
      pool_(pool),
      inline_limit_(inline_limit) {}

// A window still in flight holds the State: the pool thread that finishes
// it releases the writer (aborting its blob) and the buffers.
SegmentPipeline::~SegmentPipeline() = default;

std::span<std::byte> SegmentPipeline::buffer() const { return state_->buffer(next_); }

catalog::SegmentWriter& SegmentPipeline::writer() const { return *state_->writer; }

boost::asio::awaitable<Status> SegmentPipeline::Submit(size_t n) {
  if (!failed_.ok()) co_return failed_;
  std::span<const std::byte> window = buffer().first(n);
  submitted_ += n;
  if (!on_pool_ && submitted_ <= inline_limit_) {
    // Stays in memory: nothing blocks.
    failed_ = state_->writer->Write(window);
    co_return failed_;
  }
  on_pool_ = true;
  // Set here, on the caller's thread, before the caller can ask for it.
  if (!state_->second) state_->second.emplace(buffers_.Get());
  struct Started {
    Status prior;  // of the window that was in flight
    Job job;       // this window's, if started
  };
  // Named, not a temporary inside the co_await: g++ 12 mishandles lambda
  // temporaries in co_await expressions (and in co_return co_await).
  BlockingPool& pool = pool_;
  auto start = [prior = std::move(in_flight_), state = state_, window, &pool] {
    Status st = Join(prior);
    if (!st.ok()) return Started{st, nullptr};
    // The other buffer's window is done: the caller may fill it while this
    // one is written.
    return Started{OkStatus(), pool.Start([state, window, &pool] { return state->writer->Write(window, &pool); })};
  };
  Started started = co_await pool_.Run(std::move(start));
  in_flight_ = std::move(started.job);
  failed_ = started.prior;
  next_ ^= 1;
  co_return failed_;
}

boost::asio::awaitable<Result<catalog::Segment>> SegmentPipeline::Finish() {
  if (!failed_.ok()) co_return failed_;
  if (!on_pool_) co_return state_->writer->Finish();  // in memory: nothing blocks
  auto finish = [prior = std::move(in_flight_), state = state_]() -> Result<catalog::Segment> {
    RETURN_IF_ERROR(Join(prior));
    return state->writer->Finish();
  };
  Result<catalog::Segment> seg = co_await pool_.Run(std::move(finish));
  co_return seg;
}

boost::asio::awaitable<void> SegmentPipeline::Close() {
  if (!on_pool_) {
    state_->writer.reset();  // in memory: nothing blocks
    co_return;
  }
  auto close = [prior = std::move(in_flight_), state = state_] {
    Join(prior).IgnoreError();
    state->writer.reset();
    return true;
  };
  co_await pool_.Run(std::move(close));
}

}  // namespace confiance::s3
