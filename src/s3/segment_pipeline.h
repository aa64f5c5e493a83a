// File: s3/segment_pipeline.h
// SegmentPipeline: feeds a request body to a SegmentWriter so that the
// network thread reads window k+1 from the socket while window k is
// hashed, encrypted and written on the blocking pool (two I/O buffers in
// turn; the second is taken only when a window goes to the pool). Small
// bodies, which stay inline, are written on the caller's thread as before:
// nothing blocks for them.
//
// Usage, on a network thread:
//   SegmentPipeline pipe(pool, buffers, std::move(writer), inline_limit);
//   loop: fill pipe.buffer(); st = co_await pipe.Submit(n);
//   Result<Segment> seg = co_await pipe.Finish();
//   ... pipe.writer().md5_hex()
// On any other way out, co_await pipe.Close() first: it waits for the
// window in flight and aborts the uncommitted blob, so that nothing of the
// request remains once it has answered. (Without Close, the destructor
// leaves that to the pool thread that finishes the window.)
#pragma once

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <span>

#include "catalog/object_data.h"
#include "common/blocking_pool.h"
#include "common/buffer_pool.h"
#include "common/status.h"

namespace confiance::s3 {

class SegmentPipeline {
 public:
  // `inline_limit`: while the bytes submitted stay within it, windows are
  // written on the caller's thread (the writer keeps them in memory).
  SegmentPipeline(BlockingPool& pool, BufferPool& buffers, std::unique_ptr<catalog::SegmentWriter> writer,
                  size_t inline_limit);
  ~SegmentPipeline();
  SegmentPipeline(const SegmentPipeline&) = delete;
  SegmentPipeline& operator=(const SegmentPipeline&) = delete;

  // The buffer to fill next; valid until the next Submit.
  std::span<std::byte> buffer() const;

  // Hands over the first `n` bytes of buffer(). Returns the first error of
  // any window written so far (then the pipeline holds nothing in flight,
  // and the body must be abandoned); a window's own error may surface only
  // at the next Submit or at Finish.
  boost::asio::awaitable<Status> Submit(size_t n);

  // Waits for the last window, seals the segment and, for a blob, commits
  // it durably. Call once, after the last Submit.
  boost::asio::awaitable<Result<catalog::Segment>> Finish();

  // Waits for any window in flight and drops the writer (aborting its
  // blob). The pipeline is then unusable.
  boost::asio::awaitable<void> Close();

  // REQUIRES: nothing in flight (after Finish, or before the first Submit).
  catalog::SegmentWriter& writer() const;

 private:
  // What the window in flight uses: it holds the State, which may so
  // outlive the pipeline. The State holds no Job, so there is no cycle.
  struct State;
  std::shared_ptr<State> state_;
  std::shared_ptr<BlockingPool::Job<Status>> in_flight_;
  Status failed_;  // the first error of any window
  BufferPool& buffers_;
  BlockingPool& pool_;
  size_t inline_limit_;
  uint64_t submitted_ = 0;
  int next_ = 0;          // the buffer the caller fills next
  bool on_pool_ = false;  // once a window went to the pool, all do
};

}  // namespace confiance::s3
