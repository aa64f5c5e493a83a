// File: http/server_test.cc
// Server against raw sockets: a real server on 127.0.0.1, port 0, run in
// this process; the client writes bytes by hand so that framing, limits and
// timeouts are exercised exactly.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "http/server.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// --- Handlers --------------------------------------------------------------

asio::awaitable<void> Sleep(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::atomic<int> g_slow_started{0};
std::atomic<int> g_last_read_code{-1};

// Reads the body with a small buffer; answers "<bytes> <fnv1a hash>".
asio::awaitable<void> CountBody(BodyReader& body, ResponseWriter& w) {
  std::array<std::byte, 4096> buf;
  uint64_t total = 0;
  uint64_t hash = 1469598103934665603ull;
  for (;;) {
    Result<size_t> n = co_await body.Read(buf);
    if (!n.ok()) {
      g_last_read_code = static_cast<int>(n.status().code());
      co_return;
    }
    if (*n == 0) break;
    for (size_t i = 0; i < *n; ++i) hash = (hash ^ static_cast<uint8_t>(buf[i])) * 1099511628211ull;
    total += *n;
  }
  Status st = co_await w.Send(200, {}, std::to_string(total) + " " + std::to_string(hash));
  st.IgnoreError();
}

// Not a coroutine: g++ 12 miscompiles string literals in initializer lists
// inside co_await expressions ("array used as initializer").
// Parameters by reference: g++ 12 destroys non-trivial by-value coroutine
// parameters twice when the argument is a temporary (see http.h).
asio::awaitable<Status> SendText(ResponseWriter& w, int status, const std::string& body,
                                 const std::string& content_type = "") {
  std::vector<Header> headers;
  if (!content_type.empty()) headers.push_back({"Content-Type", content_type});
  co_return co_await w.Send(status, headers, body);
}

asio::awaitable<void> TestHandler(Request& req, BodyReader& body, ResponseWriter& w) {
  Status st;
  if (req.target == "/hello") {
    st = co_await SendText(w, 200, "hello", "text/plain");
  } else if (req.target == "/echo-info") {
    std::string info = req.method + " " + req.remote_address + " " +
                       std::string(req.FindHeader("x-TEST").value_or("none")) + " " +
                       (req.content_length ? std::to_string(*req.content_length) : "-") + " " +
                       (req.chunked ? "chunked" : "plain");
    st = co_await SendText(w, 200, info);
  } else if (req.target == "/count") {
    co_await CountBody(body, w);
  } else if (req.target == "/reject") {
    st = co_await SendText(w, 403, "denied");
  } else if (req.target == "/slow") {
    ++g_slow_started;
    co_await Sleep(600ms);
    st = co_await SendText(w, 200, "slow done");
  } else if (req.target == "/chunked-response") {
    st = co_await w.Start(200, {}, std::nullopt);
    static const std::string kParts[] = {"ab", "cde", "f"};
    for (const std::string& part : kParts) {
      if (st.ok()) st = co_await w.Write(std::as_bytes(std::span(part.data(), part.size())));
    }
    if (st.ok()) st = co_await w.Finish();
  } else {
    st = co_await SendText(w, 404, "");
  }
  st.IgnoreError();
}

// --- Client ----------------------------------------------------------------

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool has(const std::string& name) const { return headers.count(name) != 0; }
};

class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    boost::system::error_code ec;
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    connected_ = !ec;
    timeval tv{5, 0};  // no test may hang on a read
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(data.data(), data.size()), ec);
    return !ec;
  }

  // Reads one response; head_only for HEAD requests and 100 Continue.
  std::optional<Response> Read(bool head_only = false) {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Response r;
    std::string head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    r.status = std::stoi(head.substr(9, 3));
    size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
      size_t eol = head.find("\r\n", pos);
      std::string line = head.substr(pos, eol - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(c));
      r.headers[name] = line.substr(colon + 2);
      pos = eol + 2;
    }
    if (head_only || r.status == 100) return r;
    if (r.has("content-length")) {
      size_t n = std::stoul(r.headers["content-length"]);
      while (pending_.size() < n) {
        if (!Fill()) return std::nullopt;
      }
      r.body = pending_.substr(0, n);
      pending_.erase(0, n);
    } else if (r.has("transfer-encoding")) {
      for (;;) {
        size_t eol;
        while ((eol = pending_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return std::nullopt;
        }
        size_t n = std::stoul(pending_.substr(0, eol), nullptr, 16);
        while (pending_.size() < eol + 2 + n + 2) {
          if (!Fill()) return std::nullopt;
        }
        r.body += pending_.substr(eol + 2, n);
        pending_.erase(0, eol + 2 + n + 2);
        if (n == 0) break;
      }
    }
    return r;
  }

  // True if the server closes the connection (EOF or reset) within the
  // socket timeout and sends nothing more.
  bool Closed() {
    if (!pending_.empty()) return false;
    char c;
    boost::system::error_code ec;
    size_t n = socket_.read_some(asio::buffer(&c, 1), ec);
    return n == 0 && ec && ec != asio::error::would_block && ec != asio::error::try_again;
  }
  // Bytes already received and not consumed.
  bool HasPending() { return !pending_.empty(); }

 private:
  bool Fill() {
    char buf[65536];
    boost::system::error_code ec;
    size_t n = socket_.read_some(asio::buffer(buf), ec);
    if (ec) return false;
    pending_.append(buf, n);
    return true;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  bool connected_ = false;
  std::string pending_;
};

// --- Fixture ---------------------------------------------------------------

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.port = 0;
    options_.threads = 2;
    options_.max_header_bytes = 8 * 1024;
    options_.max_header_count = 20;
    options_.idle_timeout = 1s;
    options_.header_timeout = 1s;
    options_.body_stall_timeout = 1s;
    options_.write_stall_timeout = 1s;
    options_.shutdown_grace = 5s;
  }
  void StartServer() {
    ASSERT_OK_AND_ASSIGN(server_, Server::Create(options_, TestHandler));
    thread_ = std::thread([this] {
      server_->Run();
      run_returned_ = true;
    });
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return server_->port(); }

  ServerLoad load_;    // before the server, which may hold it
  ServerStats stats_;  // the same: connections count into it until TearDown
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> run_returned_{false};
};

TEST_F(HttpServerTest, SimpleGet) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->headers["server"], "Confiance");
  EXPECT_EQ(r->headers["content-type"], "text/plain");
  EXPECT_TRUE(r->has("date"));
  EXPECT_FALSE(r->has("connection"));
}

TEST_F(HttpServerTest, CountsItsOpenConnectionsInTheLoad) {
  options_.load = &load_;
  StartServer();
  {
    Client a(port());
    Client b(port());
    // One response on each: both connections were accepted and counted.
    for (Client* c : {&a, &b}) {
      ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
      ASSERT_TRUE(c->Read());
    }
    EXPECT_EQ(load_.open_connections.load(), 2u);
  }
  // The clients closed: the count falls back once the server has seen it.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (load_.open_connections.load() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(load_.open_connections.load(), 0u);
}

TEST_F(HttpServerTest, CountsConnectionsBodyBytesAndSlowClients) {
  ServerStats& stats = stats_;
  options_.stats = &stats;
  StartServer();
  {
    Client c(port());
    ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'p')));
    auto r = c.Read();
    ASSERT_TRUE(r);
    ASSERT_TRUE(c.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(c.Read(/*head_only=*/true));
    ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(c.Read());
    EXPECT_EQ(stats.body_bytes_received.value(), 1000u);
    // The count handler's answer and "hello" once: the HEAD sent no body.
    EXPECT_EQ(stats.body_bytes_sent.value(), r->body.size() + 5);
    // Closed by the idle timeout: routine, not a slow client.
    EXPECT_TRUE(c.Closed());
  }
  EXPECT_EQ(stats.slow_clients_closed.value(), 0u);
  {
    Client c(port());  // stalls in its body
    ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc"));
    EXPECT_TRUE(c.Closed());
  }
  EXPECT_EQ(stats.slow_clients_closed.value(), 1u);
  EXPECT_EQ(stats.connections_accepted.value(), 2u);
  EXPECT_EQ(stats.accept_failures.value(), 0u);
  EXPECT_EQ(stats.tls_handshakes_failed.value(), 0u);
}

TEST_F(HttpServerTest, RequestFields) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("PUT /echo-info HTTP/1.1\r\nHost: x\r\nX-Test:  v1 \r\n"
                     "Content-Length: 3\r\n\r\nabc"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "PUT 127.0.0.1 v1 3 plain");
  // The unread 3-byte body was drained: the connection is still usable.
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(HttpServerTest, KeepAliveThreeRequests) {
  StartServer();
  Client c(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "hello");
  }
  // Pipelined: two requests in one write.
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.Read()->body, "hello");
  EXPECT_EQ(c.Read()->body, "hello");
}

TEST_F(HttpServerTest, Http10ClosesAfterResponse) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.Closed());
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + i / 4096) & 0xff);
  return s;
}

std::string Expected(const std::string& s) {
  uint64_t hash = 1469598103934665603ull;
  for (char ch : s) hash = (hash ^ static_cast<uint8_t>(ch)) * 1099511628211ull;
  return std::to_string(s.size()) + " " + std::to_string(hash);
}

TEST_F(HttpServerTest, StreamedPutOf10MiB) {
  StartServer();
  Client c(port());
  std::string body = Pattern(10 << 20);
  ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n"));
  ASSERT_TRUE(c.Send(body));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, Expected(body));
}

TEST_F(HttpServerTest, ChunkedRequestBody) {
  StartServer();
  Client c(port());
  std::string body = Pattern(100000);
  std::string wire = "PUT /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (size_t off = 0; off < body.size(); off += 30000) {
    size_t n = std::min<size_t>(30000, body.size() - off);
    char len[16];
    std::snprintf(len, sizeof(len), "%zx", n);
    wire += std::string(len) + ";ext=1\r\n" + body.substr(off, n) + "\r\n";
  }
  wire += "0\r\n\r\n";
  ASSERT_TRUE(c.Send(wire));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, Expected(body));
  // Still keep-alive.
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.Read()->body, "hello");
}

TEST_F(HttpServerTest, ChunkedResponse) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("GET /chunked-response HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["transfer-encoding"], "chunked");
  EXPECT_EQ(r->body, "abcdef");
}

TEST_F(HttpServerTest, ExpectContinueSentOnFirstRead) {
  StartServer();
  Client c(port());
  std::string body = Pattern(5000);
  ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     "Content-Length: 5000\r\n\r\n"));
  auto cont = c.Read();
  ASSERT_TRUE(cont);
  ASSERT_EQ(cont->status, 100);
  ASSERT_TRUE(c.Send(body));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, Expected(body));
}

TEST_F(HttpServerTest, ExpectContinueRejectedWithoutReading) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("PUT /reject HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     "Content-Length: 5000\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);  // the final answer, no 100 before it
  EXPECT_EQ(r->body, "denied");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.Closed());
}

// With an empty body there is nothing to drain, but the client still
// waited for "100 Continue" and saw a final status instead: botocore 1.29
// then mis-frames the next response on that connection, so it must not
// be reused.
TEST_F(HttpServerTest, ExpectContinueRejectedWithoutReadingEmptyBodyCloses) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("PUT /reject HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     "Content-Length: 0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.Closed());
}

// A handler that reads the (empty) body sent "100 Continue" first: the
// exchange is complete and the connection stays open.
TEST_F(HttpServerTest, ExpectContinueEmptyBodyReadKeepsConnection) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     "Content-Length: 0\r\n\r\n"));
  auto cont = c.Read();
  ASSERT_TRUE(cont);
  ASSERT_EQ(cont->status, 100);
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has("connection"));
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto again = c.Read();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "hello");
}

TEST_F(HttpServerTest, HeaderTooLargeIs431) {
  StartServer();
  Client c(port());
  std::string req = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  c.Send(req);  // the server may close before reading it all
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.Closed());
}

TEST_F(HttpServerTest, TooManyHeadersIs431) {
  StartServer();
  Client c(port());
  std::string req = "GET /hello HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 30; ++i) req += "X-H" + std::to_string(i) + ": v\r\n";
  ASSERT_TRUE(c.Send(req + "\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.Closed());
}

TEST_F(HttpServerTest, MalformedIs400) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nBad Header\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.Closed());

  Client c2(port());
  ASSERT_TRUE(c2.Send("PUT /count HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n"));
  r = c2.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(HttpServerTest, BadChunkFramingFailsRead) {
  StartServer();
  Client c(port());
  g_last_read_code = -1;
  ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "zz\r\nabc\r\n"));
  auto r = c.Read();  // the handler gave up without answering
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.Closed());
  EXPECT_EQ(g_last_read_code.load(), static_cast<int>(StatusCode::kInvalidArgument));
}

TEST_F(HttpServerTest, IdleTimeoutCloses) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.Read());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.Closed());
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 800ms);
  EXPECT_LT(waited, 4s);
}

TEST_F(HttpServerTest, StalledBodyCloses) {
  StartServer();
  Client c(port());
  g_last_read_code = -1;
  ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc"));
  EXPECT_TRUE(c.Closed());
  // Give the handler's error path a moment to record.
  for (int i = 0; i < 100 && g_last_read_code == -1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(g_last_read_code.load(), static_cast<int>(StatusCode::kDeadlineExceeded));
}

TEST_F(HttpServerTest, HeadHasContentLengthButNoBody) {
  StartServer();
  Client c(port());
  ASSERT_TRUE(c.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.Read(/*head_only=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["content-length"], "5");
  // The next response starts right away: no body bytes in between.
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(HttpServerTest, GracefulShutdown) {
  StartServer();
  Client idle(port());
  ASSERT_TRUE(idle.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.Read());

  Client slow(port());
  g_slow_started = 0;
  ASSERT_TRUE(slow.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 200 && g_slow_started == 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(g_slow_started.load(), 1);

  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_TRUE(idle.Closed());  // idle connections close at once
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);

  Client late(port());
  EXPECT_FALSE(late.connected() && late.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") &&
               late.Read().has_value());

  auto r = slow.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow done");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(slow.Closed());

  thread_.join();
  EXPECT_TRUE(run_returned_);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(HttpServerTest, ShutdownGraceExpiresForStuckRequest) {
  options_.shutdown_grace = 1s;
  StartServer();
  Client c(port());
  // A body that never comes: the handler sits in Read (stall timeout 1 s
  // too, so both paths end it quickly).
  ASSERT_TRUE(c.Send("PUT /count HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  thread_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(c.Closed());
}

TEST(HttpServerCreateTest, PortInUse) {
  ServerOptions options;
  options.port = 0;
  ASSERT_OK_AND_ASSIGN(auto first, Server::Create(options, TestHandler));
  options.port = first->port();
  auto second = Server::Create(options, TestHandler);
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace confiance::http
