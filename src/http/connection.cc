// File: http/connection.cc
// One connection: read a header, run the handler with a streaming
// BodyReader and ResponseWriter, decide keep-alive, repeat.
//
// Everything in a ConnectionImpl runs on its strand: the request coroutine,
// the watchdog coroutine and the posts from Server (shutdown, force close),
// so no member needs a lock.
//
// Timeouts (after Ceph's rgw_asio_frontend timeout_timer, but cheaper): one
// steady_timer per connection, driven by a watchdog coroutine. Each socket
// operation sets deadline_ before it starts and clears it when it ends; the
// watchdog sleeps until deadline_ and, if it has passed, closes the socket,
// which fails the pending operation. Moving the deadline later, or clearing
// it, costs a store; only a deadline earlier than the time the watchdog
// sleeps until (timer_expiry_) re-arms the timer. When the watchdog wakes
// early (the deadline moved later), it sleeps again until the new one. So a
// busy keep-alive connection re-arms its timer about once per timeout
// period, not three times per request (idle wait, header read, response
// write), which cost a coroutine resumption and a timer-queue update each.
#include "common/ascii.h"
#include "http/connection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <chrono>
#include <ctime>
#include <exception>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "http/response_head.h"

namespace confiance::http {

using ::confiance::EqualsIgnoreCase;
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// An unread request body at most this large is read and discarded to keep
// the connection; a larger one costs less to close.
constexpr uint64_t kMaxDrainBytes = 1 << 20;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Body reads go through buffer_, and Beast reads at most its free capacity
// at a time: left at the size of the header block (often under 1 KiB), a
// 5 MiB upload took 7,100 recv calls (and as many timer re-arms). A body
// read gets this much room; an idle connection gives it back.
constexpr size_t kBodyReadBytes = 64 * 1024;
constexpr size_t kIdleBufferBytes = 4 * 1024;
constexpr size_t kDrainBufBytes = 8192;
constexpr std::string_view kPlainHttpOnTlsPort =
    "This port serves HTTPS: send the request with https:// instead of http://.\n";

bool IsHttpParseError(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}


// kTls: the connection speaks HTTP inside TLS (Beast's ssl_stream, which
// hands OpenSSL each write as one buffer); otherwise plain TCP. One class
// for both, so that limits, timeouts and framing cannot drift apart.
template <bool kTls>
class ConnectionImpl final : public Connection,
                             public BodyReader,
                             public ResponseWriter,
                             public std::enable_shared_from_this<ConnectionImpl<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<tcp::socket>, tcp::socket>;

  ConnectionImpl(tcp::socket socket, std::shared_ptr<ssl::context> tls, const ServerOptions& options,
                 const Handler& handler, Gate& gate, std::function<void(Connection*)> on_exit)
      : tls_context_(std::move(tls)),
        stream_(MakeStream(std::move(socket), tls_context_.get())),
        timer_(stream_.get_executor()),
        options_(options),
        handler_(handler),
        gate_(gate),
        on_exit_(std::move(on_exit)),
        // Room for a whole header block plus one socket read.
        buffer_(options.max_header_bytes + 64 * 1024) {
    error_code ec;
    tcp::endpoint peer = Socket().remote_endpoint(ec);
    if (!ec) remote_address_ = peer.address().to_string();
    // A synchronous write never blocks: it takes what the socket accepts
    // or fails with would_block (SendBuffers). Asynchronous operations work
    // as before.
    Socket().non_blocking(true, ec);
  }

  void Launch() {
    auto self = this->shared_from_this();
    asio::co_spawn(stream_.get_executor(), Watchdog(self), asio::detached);
    asio::co_spawn(stream_.get_executor(), Run(self), asio::detached);
  }

  // Connection
  void BeginShutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->shutting_down_ = true;
      if (self->idle_) self->CloseSocket();
    });
  }
  void ForceClose() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->CloseSocket(); });
  }

  // BodyReader
  asio::awaitable<Result<size_t>> Read(std::span<std::byte> out) override;

  // ResponseWriter
  asio::awaitable<Status> Start(int status, std::span<const Header> headers,
                                std::optional<uint64_t> content_length) override;
  asio::awaitable<Status> Write(std::span<const std::byte> data) override;
  asio::awaitable<Status> Finish() override;
  bool started() const override { return started_; }
  void CloseAfterResponse() override { close_after_ = true; }

 private:
  using Parser = bhttp::request_parser<bhttp::buffer_body>;

  static Stream MakeStream(tcp::socket&& socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  tcp::socket& Socket() { return beast::get_lowest_layer(stream_); }

  asio::awaitable<void> Run(std::shared_ptr<ConnectionImpl> self);
  asio::awaitable<bool> Handshake();
  asio::awaitable<void> Loop();
  asio::awaitable<bool> WaitForRequest();
  asio::awaitable<bool> ServeOne();
  asio::awaitable<Result<size_t>> ReadBody(std::span<std::byte> out);
  asio::awaitable<bool> Drain();
  asio::awaitable<Status> SendBuffers(std::span<const asio::const_buffer> buffers);
  // `plain_body`: sent in clear on the TCP socket even under TLS (the answer
  // to plain HTTP on the TLS port), with that text as its body.
  asio::awaitable<void> SendError(int status, std::string_view plain_body = {});
  asio::awaitable<void> Watchdog(std::shared_ptr<ConnectionImpl> self);

  void FillRequest();
  void ResetResponse();
  // Whether an unread body can be discarded to keep the connection.
  bool CanDrain() const;
  void SetDeadline(std::chrono::seconds d) {
    Clock::time_point next = Clock::now() + d;
    deadline_ = next;
    // The watchdog must wake no later than deadline_.
    if (next < timer_expiry_) timer_.cancel();
  }
  void ClearDeadline() { deadline_ = Clock::time_point::max(); }
  std::span<std::byte> DrainBuffer() {
    if (!drain_buf_) drain_buf_ = std::make_unique<std::byte[]>(kDrainBufBytes);
    return {drain_buf_.get(), kDrainBufBytes};
  }
  void CloseSocket() {
    error_code ec;
    Socket().shutdown(tcp::socket::shutdown_both, ec);
    Socket().close(ec);
  }
  Status IoError(const error_code& ec, std::string_view what) const {
    if (timed_out_) return DeadlineExceededError(std::string(what) + ": client too slow");
    return Status(StatusCode::kCancelled, std::string(what) + ": " + ec.message());
  }

  // The context outlives the stream made from it (declared first): a reload
  // (Server::ReloadTls) replaces the server's, not this connection's.
  std::shared_ptr<ssl::context> tls_context_;
  Stream stream_;
  asio::steady_timer timer_;
  const ServerOptions& options_;
  const Handler& handler_;
  Gate& gate_;
  std::function<void(Connection*)> on_exit_;
  std::string remote_address_;
  beast::flat_buffer buffer_;  // reused for every request on the connection
  std::optional<Parser> parser_;
  Request request_;            // reused: header strings keep their capacity

  Clock::time_point deadline_ = Clock::time_point::max();
  // When the watchdog's timer fires; <= deadline_ whenever a deadline is set.
  Clock::time_point timer_expiry_ = Clock::time_point::min();
  bool closed_ = false;        // Run() ended
  bool timed_out_ = false;     // the watchdog closed the socket
  bool idle_ = false;          // waiting for the next request
  bool shutting_down_ = false;

  // Per request.
  bool keep_alive_ = false;
  bool head_request_ = false;
  bool http10_ = false;
  bool expect_continue_ = false;
  bool continue_sent_ = false;
  std::optional<Status> body_error_;
  uint64_t body_read_ = 0;

  // Per response.
  bool started_ = false;
  bool finished_ = false;
  bool broken_ = false;        // short/long body or write error: must close
  bool close_after_ = false;
  bool chunked_ = false;
  bool body_allowed_ = true;
  std::optional<uint64_t> content_length_;
  uint64_t written_ = 0;
  std::string head_;           // formatted status line and headers, reused
  bool head_pending_ = false;  // head_ not yet sent
  std::array<char, 20> chunk_prefix_{};
  // Allocated on first use: most connections never drain, and an idle
  // connection should cost little (10,000 of them are a test case).
  std::unique_ptr<std::byte[]> drain_buf_;
};

template <bool kTls>
asio::awaitable<void> ConnectionImpl<kTls>::Watchdog(std::shared_ptr<ConnectionImpl> self) {
  while (!closed_) {
    // Wake at least hourly so that time_point::max() never reaches the OS.
    timer_expiry_ = std::min(deadline_, Clock::now() + std::chrono::hours(1));
    timer_.expires_at(timer_expiry_);
    error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) break;
    if (Clock::now() >= deadline_) {
      timed_out_ = true;
      if (!idle_ && options_.stats != nullptr) options_.stats->slow_clients_closed.Add();
      CloseSocket();
      break;
    }
  }
}

template <bool kTls>
asio::awaitable<void> ConnectionImpl<kTls>::Run(std::shared_ptr<ConnectionImpl> self) {
  try {
    if (co_await Handshake()) co_await Loop();
  } catch (const std::exception&) {
    // Last resort (STYLE #4): nothing below should throw; drop the client.
  }
  closed_ = true;
  timer_.cancel();
  CloseSocket();
  if (on_exit_) on_exit_(this);
}

// TLS: the handshake, within the header timeout (a client that connects
// and stalls is closed like one that stalls in its header). Plain: nothing.
template <bool kTls>
asio::awaitable<bool> ConnectionImpl<kTls>::Handshake() {
  if constexpr (kTls) {
    SetDeadline(options_.header_timeout);
    error_code ec;
    // A TLS client speaks first with a handshake record (content type 22);
    // an HTTP request starts with its method's capital letters. Those get
    // a plain 400 that says what to do (as nginx answers), not a silent close.
    co_await Socket().async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
    unsigned char first = 0;
    if (!ec && ::recv(Socket().native_handle(), &first, 1, MSG_PEEK) == 1 && first >= 'A' && first <= 'Z') {
      ClearDeadline();
      if (options_.stats != nullptr) options_.stats->tls_handshakes_failed.Add();
      co_await SendError(400, kPlainHttpOnTlsPort);
      co_return false;
    }
    if (!ec) {
      co_await stream_.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    }
    ClearDeadline();
    if (ec && options_.stats != nullptr) options_.stats->tls_handshakes_failed.Add();
    co_return !ec;
  } else {
    co_return true;
  }
}

template <bool kTls>
asio::awaitable<void> ConnectionImpl<kTls>::Loop() {
  for (;;) {
    if (!co_await WaitForRequest()) co_return;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    // Objects are large; the handler decides. Not boost::none: Boost 1.74
    // compares Content-Length against the optional, and "len > none" is
    // true, so none rejects every Content-Length body.
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    SetDeadline(options_.header_timeout);
    error_code ec;
    co_await bhttp::async_read_header(stream_, buffer_, *parser_,
                                      asio::redirect_error(asio::use_awaitable, ec));
    ClearDeadline();
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      co_await SendError(431);
      co_return;
    }
    if (ec) {
      if (IsHttpParseError(ec) && ec != bhttp::error::end_of_stream &&
          ec != bhttp::error::partial_message) {
        co_await SendError(400);
      }
      co_return;
    }
    const auto& fields = parser_->get().base();
    if (static_cast<size_t>(std::distance(fields.begin(), fields.end())) >
        options_.max_header_count) {
      co_await SendError(431);
      co_return;
    }
    Gate::Holder hold(gate_);
    if (!hold.entered()) {
      co_await SendError(503);
      co_return;
    }
    if (!co_await ServeOne()) co_return;
  }
}

// Waits until the next request starts to arrive (idle timeout), so that
// idle connections can be told apart from busy ones.
template <bool kTls>
asio::awaitable<bool> ConnectionImpl<kTls>::WaitForRequest() {
  if (buffer_.size() > 0) co_return !shutting_down_;  // pipelined request
  if (shutting_down_) co_return false;
  if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();  // empty: frees it
  idle_ = true;
  SetDeadline(options_.idle_timeout);
  error_code ec;
  if (buffer_.capacity() == 0 && !kTls) {
    // A connection that never sent a request holds no buffer while it waits.
    // (Not under TLS: the request may already sit in OpenSSL's buffers,
    // read with the end of the handshake, where no socket wait sees it.)
    co_await Socket().async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    // One that did reads into the buffer it keeps anyway. A wait would cost
    // an epoll_ctl per request (Asio re-arms the descriptor for a wait, and
    // not for a read the reactor can queue: 1.07 epoll_ctl per 4 KiB GET,
    // docs/PERFORMANCE.md, session 19).
    // (TLS comes here with no buffer yet: it gets the idle size.)
    const size_t room = kTls ? std::max(buffer_.capacity(), kIdleBufferBytes) : buffer_.capacity();
    const size_t n = co_await stream_.async_read_some(buffer_.prepare(room),
                                                      asio::redirect_error(asio::use_awaitable, ec));
    buffer_.commit(n);
  }
  ClearDeadline();
  idle_ = false;
  co_return !ec && !shutting_down_;
}

template <bool kTls>
void ConnectionImpl<kTls>::FillRequest() {
  const auto& msg = parser_->get();
  request_.method.assign(msg.method_string().data(), msg.method_string().size());
  request_.target.assign(msg.target().data(), msg.target().size());
  size_t n = 0;
  for (const auto& field : msg) {
    if (n == request_.headers.size()) request_.headers.emplace_back();
    Header& h = request_.headers[n++];
    h.name.assign(field.name_string().data(), field.name_string().size());
    h.value.assign(TrimSpaceAndTab(std::string_view(field.value().data(), field.value().size())));
  }
  request_.headers.resize(n);
  request_.remote_address = remote_address_;
  request_.secure = kTls;
  auto length = parser_->content_length();
  request_.content_length =
      length ? std::optional<uint64_t>(*length) : std::optional<uint64_t>();
  request_.chunked = parser_->chunked();
}

template <bool kTls>
void ConnectionImpl<kTls>::ResetResponse() {
  started_ = finished_ = broken_ = close_after_ = chunked_ = false;
  body_allowed_ = true;
  content_length_.reset();
  written_ = 0;
  head_.clear();
  head_pending_ = false;
}

template <bool kTls>
asio::awaitable<bool> ConnectionImpl<kTls>::ServeOne() {
  FillRequest();
  ResetResponse();
  const auto& msg = parser_->get();
  http10_ = msg.version() < 11;
  keep_alive_ = !http10_ && parser_->keep_alive();
  head_request_ = msg.method() == bhttp::verb::head;
  auto expect = request_.FindHeader("Expect");
  expect_continue_ = !http10_ && expect && EqualsIgnoreCase(*expect, "100-continue");
  continue_sent_ = false;
  body_error_.reset();
  body_read_ = 0;

  bool threw = false;
  try {
    co_await handler_(request_, *this, *this);
  } catch (const std::exception&) {
    threw = true;
  }
  if (!started_) {
    // The handler threw or gave up without answering: tell the client
    // (unless the socket is already gone), then close.
    close_after_ = true;
    bool bad_framing = body_error_ && body_error_->code() == StatusCode::kInvalidArgument;
    if (!body_error_ || bad_framing) {
      Status st = co_await Send(bad_framing ? 400 : 500, {}, "");
      st.IgnoreError();
    }
    co_return false;
  }
  if (!finished_ || broken_ || close_after_ || threw) co_return false;
  if (!parser_->is_done() && !co_await Drain()) co_return false;
  co_return keep_alive_ && !shutting_down_;
}

template <bool kTls>
bool ConnectionImpl<kTls>::CanDrain() const {
  // The client may be waiting for "100 Continue" that never came and never
  // send the body (RFC 9110 10.1.1): waiting for it would only stall. This
  // holds even for an empty body: botocore 1.29 remembers the early final
  // status on its pooled connection and pins it onto the next response,
  // which it then mis-frames and waits on until its 60 s read timeout.
  if (expect_continue_ && !continue_sent_) return false;
  if (parser_->is_done()) return true;
  if (body_error_) return false;
  if (!request_.content_length) return false;  // chunked: size unknown
  return *request_.content_length - body_read_ <= kMaxDrainBytes;
}

template <bool kTls>
asio::awaitable<bool> ConnectionImpl<kTls>::Drain() {
  if (!CanDrain()) co_return false;
  while (!parser_->is_done()) {
    Result<size_t> n = co_await ReadBody(DrainBuffer());
    if (!n.ok()) co_return false;
  }
  co_return true;
}

template <bool kTls>
asio::awaitable<Result<size_t>> ConnectionImpl<kTls>::Read(std::span<std::byte> out) {
  if (out.empty()) co_return InvalidArgumentError("BodyReader::Read: empty buffer");
  if (body_error_) co_return *body_error_;
  // "100 Continue" goes out on the first Read even for an empty body:
  // botocore 1.29 sends Expect on every PutObject and mis-frames the next
  // response on its pooled connection if a 0-byte PUT is answered without it.
  if (expect_continue_ && !continue_sent_) {
    continue_sent_ = true;
    std::array<asio::const_buffer, 1> bufs{asio::buffer(kContinue)};
    Status st = co_await SendBuffers(bufs);
    if (!st.ok()) {
      body_error_ = st;
      co_return st;
    }
  }
  if (parser_->is_done()) co_return size_t{0};
  co_return co_await ReadBody(out);
}

template <bool kTls>
asio::awaitable<Result<size_t>> ConnectionImpl<kTls>::ReadBody(std::span<std::byte> out) {
  auto& body = parser_->get().body();
  // Only for a body that can be large: a GET (no body) must not allocate
  // and free 64 KiB per request (the idle shrink below would undo it each
  // time; malloc and first-touch showed up in the 4 KiB GET profile).
  const bool large_body = !request_.content_length || *request_.content_length - body_read_ > kIdleBufferBytes;
  if (large_body && buffer_.capacity() < kBodyReadBytes) buffer_.reserve(kBodyReadBytes);
  for (;;) {
    body.data = out.data();
    body.size = out.size();
    SetDeadline(options_.body_stall_timeout);
    error_code ec;
    co_await bhttp::async_read_some(stream_, buffer_, *parser_,
                                    asio::redirect_error(asio::use_awaitable, ec));
    ClearDeadline();
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t n = out.size() - body.size;
    body.data = nullptr;
    body.size = 0;
    if (ec) {
      Status st = IsHttpParseError(ec) && !timed_out_
                      ? InvalidArgumentError("request body: " + ec.message())
                      : IoError(ec, "request body");
      body_error_ = st;
      close_after_ = true;
      co_return st;
    }
    body_read_ += n;
    if (options_.stats != nullptr) options_.stats->body_bytes_received.Add(n);
    if (n > 0 || parser_->is_done()) co_return n;
  }
}

template <bool kTls>
asio::awaitable<Status> ConnectionImpl<kTls>::Start(int status, std::span<const Header> headers,
                                              std::optional<uint64_t> content_length) {
  if (started_) co_return FailedPreconditionError("response already started");
  ResponseHead head;
  head.status = status;
  head.headers = headers;
  bool no_body_status = (status >= 100 && status < 200) || status == 204 || status == 304;
  body_allowed_ = !head_request_ && !no_body_status;
  if (status != 204 && !(status >= 100 && status < 200)) head.content_length = content_length;
  if (!content_length && body_allowed_) {
    if (http10_) {
      close_after_ = true;  // HTTP/1.0 has no chunked: the close ends the body
    } else {
      chunked_ = true;
      head.chunked = true;
    }
  }
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, "Connection") && EqualsIgnoreCase(h.value, "close")) {
      close_after_ = true;
    }
  }
  if (!keep_alive_ || shutting_down_ || !CanDrain()) close_after_ = true;
  head.close = close_after_;
  CO_RETURN_IF_ERROR(FormatResponseHead(head, head_));
  started_ = true;
  content_length_ = content_length;
  head_pending_ = true;
  co_return OkStatus();
}

template <bool kTls>
asio::awaitable<Status> ConnectionImpl<kTls>::Write(std::span<const std::byte> data) {
  if (!started_ || finished_) co_return FailedPreconditionError("Write outside Start..Finish");
  if (broken_) co_return AbortedError("response already failed");
  if (content_length_ && data.size() > *content_length_ - written_) {
    broken_ = true;
    co_return InvalidArgumentError("response body longer than Content-Length");
  }
  written_ += data.size();
  if (!body_allowed_ || data.empty()) co_return OkStatus();
  if (options_.stats != nullptr) options_.stats->body_bytes_sent.Add(data.size());
  std::array<asio::const_buffer, 4> bufs;
  size_t n = 0;
  if (head_pending_) bufs[n++] = asio::buffer(head_);
  if (chunked_) {
    int len = std::snprintf(chunk_prefix_.data(), chunk_prefix_.size(), "%zx\r\n", data.size());
    bufs[n++] = asio::buffer(chunk_prefix_.data(), static_cast<size_t>(len));
  }
  bufs[n++] = asio::buffer(data.data(), data.size());
  if (chunked_) bufs[n++] = asio::buffer("\r\n", 2);
  head_pending_ = false;
  co_return co_await SendBuffers(std::span(bufs.data(), n));
}

template <bool kTls>
asio::awaitable<Status> ConnectionImpl<kTls>::Finish() {
  if (!started_) co_return FailedPreconditionError("Finish before Start");
  if (finished_) co_return OkStatus();
  finished_ = true;
  Status result;
  // HEAD and 304 report a length without a body: any count up to it is fine.
  if (content_length_ && body_allowed_ && written_ != *content_length_) {
    broken_ = true;
    result = FailedPreconditionError("response body shorter than Content-Length");
  }
  std::array<asio::const_buffer, 2> bufs;
  size_t n = 0;
  if (head_pending_) bufs[n++] = asio::buffer(head_);
  if (chunked_ && !broken_) bufs[n++] = asio::buffer("0\r\n\r\n", 5);
  head_pending_ = false;
  if (n > 0) {
    Status st = co_await SendBuffers(std::span(bufs.data(), n));
    if (result.ok()) result = st;
  }
  co_return result;
}

template <bool kTls>
asio::awaitable<Status> ConnectionImpl<kTls>::SendBuffers(std::span<const asio::const_buffer> buffers) {
  error_code ec;
  size_t sent = 0;
  if constexpr (!kTls) {
    // First a non-blocking write: a response that fits the socket's send
    // buffer (every small one) leaves in this one sendmsg, without the
    // reactor, a posted completion and a coroutine resumption. (Not under
    // TLS: OpenSSL would have consumed bytes that a would_block then loses.)
    sent = Socket().write_some(buffers, ec);
    if (!ec && sent == asio::buffer_size(buffers)) co_return OkStatus();
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      broken_ = true;
      co_return IoError(ec, "response");
    }
    if (ec) sent = 0;
  }
  // The rest (rare: a large body, or a client that reads slowly) waits.
  std::vector<asio::const_buffer> rest;
  for (const asio::const_buffer& b : buffers) {
    if (sent >= b.size()) {
      sent -= b.size();
      continue;
    }
    rest.push_back(b + sent);
    sent = 0;
  }
  ec = {};
  SetDeadline(options_.write_stall_timeout);
  // The completion condition runs before each write_some: progress pushes
  // the stall deadline back, so only a client that stops reading times out.
  co_await asio::async_write(
      stream_, rest,
      [this](const error_code& e, size_t) -> size_t {
        if (e) return 0;
        SetDeadline(options_.write_stall_timeout);
        return std::numeric_limits<size_t>::max();
      },
      asio::redirect_error(asio::use_awaitable, ec));
  ClearDeadline();
  if (ec) {
    broken_ = true;
    co_return IoError(ec, "response");
  }
  co_return OkStatus();
}

// A canned error for requests that never reach the handler; always closes.
template <bool kTls>
asio::awaitable<void> ConnectionImpl<kTls>::SendError(int status, std::string_view plain_body) {
  ResetResponse();
  head_request_ = false;
  std::vector<Header> headers;
  if (!plain_body.empty()) headers.push_back({"Content-Type", "text/plain"});
  ResponseHead head;
  head.status = status;
  head.headers = headers;
  head.content_length = plain_body.size();
  head.close = true;
  if (!FormatResponseHead(head, head_).ok()) co_return;
  error_code ec;
  if (plain_body.empty()) {
    std::array<asio::const_buffer, 1> bufs{asio::buffer(head_)};
    Status st = co_await SendBuffers(bufs);
    if (!st.ok()) co_return;
  } else {
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head_), asio::buffer(plain_body.data(), plain_body.size())};
    SetDeadline(options_.write_stall_timeout);
    co_await asio::async_write(Socket(), bufs, asio::redirect_error(asio::use_awaitable, ec));
    ClearDeadline();
    if (ec) co_return;
  }
  // Lingering close: closing with unread request bytes would make the
  // kernel send RST, and the client could lose the response. Half-close,
  // then discard what the client still sends, briefly and boundedly.
  // Under TLS too the discarded bytes are read raw: they are never parsed.
  Socket().shutdown(tcp::socket::shutdown_send, ec);
  size_t discarded = 0;
  SetDeadline(std::chrono::seconds(1));
  while (!ec && discarded < kMaxDrainBytes) {
    std::span<std::byte> drain = DrainBuffer();
    size_t n = co_await Socket().async_read_some(asio::buffer(drain.data(), drain.size()),
                                                asio::redirect_error(asio::use_awaitable, ec));
    discarded += n;
  }
  ClearDeadline();
}

}  // namespace

std::shared_ptr<Connection> StartConnection(tcp::socket socket, std::shared_ptr<ssl::context> tls,
                                            const ServerOptions& options, const Handler& handler, Gate& gate,
                                            std::function<void(Connection*)> on_exit) {
  if (tls) {
    auto conn = std::make_shared<ConnectionImpl<true>>(std::move(socket), std::move(tls), options, handler,
                                                       gate, std::move(on_exit));
    conn->Launch();
    return conn;
  }
  auto conn = std::make_shared<ConnectionImpl<false>>(std::move(socket), nullptr, options, handler, gate,
                                                      std::move(on_exit));
  conn->Launch();
  return conn;
}

}  // namespace confiance::http
