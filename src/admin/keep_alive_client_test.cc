// File: admin/keep_alive_client_test.cc
// KeepAliveHttpClient against a real HTTP server on 127.0.0.1 (Beast, one
// connection at a time, in a thread): one connection for many requests,
// a new one after `Connection: close`, a new one when the receiver dropped
// the kept connection while it was idle, and streamed bodies.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <thread>

#include "admin/admin_client.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// How the test server ends an exchange.
enum class After {
  kKeep,           // keeps the connection
  kSayClose,       // answers with Connection: close, then closes
  kDropSilently,   // answers as if keeping it, then closes (an idle timeout)
};

class TestServer {
 public:
  explicit TestServer(After after) : after_(after), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~TestServer() {
    stop_ = true;
    // Wakes the accept with one last connection.
    boost::system::error_code ec;
    asio::io_context io;
    tcp::socket s(io);
    s.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  Endpoint endpoint() const {
    Endpoint e;
    e.host = "127.0.0.1";
    e.port = acceptor_.local_endpoint().port();
    return e;
  }
  int accepted() const { return accepted_; }
  int requests() const { return requests_; }
  std::string last_body() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_body_;
  }

 private:
  void Run() {
    while (!stop_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      ++accepted_;
      boost::beast::flat_buffer buffer;
      for (;;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(64u << 20);
        bhttp::read(socket, buffer, parser, ec);
        if (ec) break;
        const bhttp::request<bhttp::string_body>& request = parser.get();
        ++requests_;
        {
          std::lock_guard<std::mutex> lock(mu_);
          last_body_ = request.body();
        }
        bhttp::response<bhttp::string_body> response(bhttp::status::no_content, 11);
        response.keep_alive(after_ != After::kSayClose);
        response.prepare_payload();
        if (request.method() == bhttp::verb::head) {  // the length of a body it does not send
          response.result(bhttp::status::ok);
          response.content_length(5);
          response.set("X-Replica-Of", "v1");
        }
        bhttp::write(socket, response, ec);
        if (ec || after_ != After::kKeep) break;
      }
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
    }
  }

  const After after_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::string last_body_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

Result<HttpReply> Post(KeepAliveHttpClient& client) {
  return client.Send("POST", "/hook", {{"Content-Type", "application/json"}}, "{}", std::chrono::seconds(5));
}

// Sends `n` requests to a server that ends each exchange as `after` says;
// every one must be answered 204. Returns {connections made, requests the
// server took}.
std::pair<uint64_t, int> SendAll(After after, int n) {
  TestServer server(after);
  KeepAliveHttpClient client(server.endpoint());
  for (int i = 0; i < n; ++i) {
    // Let a server's close reach the client's socket first.
    if (after == After::kDropSilently) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Result<HttpReply> reply = Post(client);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    if (reply.ok()) {
      EXPECT_EQ(reply->status, 204);
    }
  }
  return {client.connections(), server.requests()};
}

TEST(KeepAliveHttpClientTest, OneConnectionCarriesEveryRequest) {
  EXPECT_EQ(SendAll(After::kKeep, 5), std::make_pair(uint64_t{1}, 5));
}

TEST(KeepAliveHttpClientTest, ConnectionCloseMakesANewConnection) {
  EXPECT_EQ(SendAll(After::kSayClose, 3), std::make_pair(uint64_t{3}, 3));
}

// Each later request finds the kept connection dropped (noticed before it
// is sent, or when it fails at once: then it goes again, once) and goes on
// a new one; the server takes each request once.
TEST(KeepAliveHttpClientTest, AConnectionDroppedWhileIdleIsRetriedOnANewOne) {
  EXPECT_EQ(SendAll(After::kDropSilently, 3), std::make_pair(uint64_t{3}, 3));
}

// A HEAD's answer announces a body it does not have: the client reads
// none, keeps the connection for the next request, and gives the headers.
TEST(KeepAliveHttpClientTest, AHeadAnswerHasHeadersAndNoBody) {
  TestServer server(After::kKeep);
  KeepAliveHttpClient client(server.endpoint());
  Result<HttpReply> head = client.Send("HEAD", "/b/k", {}, "", std::chrono::seconds(5));
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("x-replica-of"), "v1");  // names in lower case
  EXPECT_EQ(head->Header("content-length"), "5");
  EXPECT_EQ(head->Header("x-absent"), "");
  Result<HttpReply> next = Post(client);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->status, 204);
  EXPECT_EQ(client.connections(), 1u);
  EXPECT_EQ(server.requests(), 2);
}

// A body of `size` bytes (a pattern), handed out in pieces of at most
// `piece` bytes whatever room the client offers.
struct PatternSource {
  uint64_t size;
  size_t piece;
  uint64_t offset = 0;
  Result<size_t> operator()(std::span<char> out) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>({out.size(), piece, size - offset}));
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((offset + i) * 131 % 251);
    offset += n;
    return n;
  }
};

std::string Pattern(uint64_t size) {
  std::string s;
  PatternSource source{size, SIZE_MAX};
  s.resize(size);
  EXPECT_TRUE(source(std::span<char>(s.data(), s.size())).ok());
  return s;
}

TEST(KeepAliveHttpClientTest, AStreamedBodyArrivesWhole) {
  TestServer server(After::kKeep);
  KeepAliveHttpClient client(server.endpoint());
  for (const auto& [size, piece] : {std::pair<uint64_t, size_t>{(3u << 20) + 5, 70000}, {0, 1}, {1, 1}}) {
    PatternSource source{size, piece};
    Result<HttpReply> reply = client.SendStreaming("PUT", "/b/k", {}, size, std::ref(source), std::chrono::seconds(5));
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, 204);
    EXPECT_EQ(server.last_body(), Pattern(size)) << size;
  }
  EXPECT_EQ(client.connections(), 1u);  // and the connection stays kept
}

// A streamed request cannot be sent twice: a kept connection the receiver
// closed while idle must be noticed before it starts.
TEST(KeepAliveHttpClientTest, AStreamedRequestAvoidsAConnectionDroppedWhileIdle) {
  TestServer server(After::kDropSilently);
  KeepAliveHttpClient client(server.endpoint());
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    PatternSource source{1000, 300};
    Result<HttpReply> reply = client.SendStreaming("PUT", "/b/k", {}, 1000, std::ref(source), std::chrono::seconds(5));
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status().ToString();
    EXPECT_EQ(server.last_body(), Pattern(1000));
  }
  EXPECT_EQ(client.connections(), 3u);
  EXPECT_EQ(server.requests(), 3);
}

TEST(KeepAliveHttpClientTest, ABodyThatEndsEarlyIsNotSent) {
  TestServer server(After::kKeep);
  KeepAliveHttpClient client(server.endpoint());
  PatternSource source{500, 100};
  EXPECT_STATUS_CODE(client.SendStreaming("PUT", "/b/k", {}, 1000, std::ref(source), std::chrono::seconds(5)),
                     kDataLoss);
  auto failing = [](std::span<char>) -> Result<size_t> { return DataLossError("bitrot"); };
  EXPECT_STATUS_CODE(client.SendStreaming("PUT", "/b/k", {}, 10, failing, std::chrono::seconds(5)), kDataLoss);
  // The server never took either request as complete; the client goes on.
  EXPECT_EQ(server.requests(), 0);
  EXPECT_TRUE(Post(client).ok());
}

TEST(KeepAliveHttpClientTest, NoServerIsUnavailable) {
  Endpoint nowhere;
  {
    TestServer server(After::kKeep);
    nowhere = server.endpoint();
  }
  KeepAliveHttpClient client(nowhere);
  EXPECT_STATUS_CODE(Post(client), kUnavailable);
  EXPECT_EQ(client.connections(), 0u);
}

}  // namespace
}  // namespace confiance::admin
