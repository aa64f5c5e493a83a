// File: admin/keep_alive_client_test.cc
// KeepAliveHttpClient against a real HTTP server on 127.0.0.1 (Beast, one
// connection at a time, in a thread): one connection for many requests,
// a new one after `Connection: close`, and a request sent again, once,
// when the receiver dropped the kept connection while it was idle.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
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
        bhttp::request<bhttp::string_body> request;
        bhttp::read(socket, buffer, request, ec);
        if (ec) break;
        ++requests_;
        bhttp::response<bhttp::string_body> response(bhttp::status::no_content, 11);
        response.keep_alive(after_ != After::kSayClose);
        response.prepare_payload();
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

// Each later request fails on the dropped connection and goes again on a
// new one; the server takes each request once.
TEST(KeepAliveHttpClientTest, AConnectionDroppedWhileIdleIsRetriedOnANewOne) {
  EXPECT_EQ(SendAll(After::kDropSilently, 3), std::make_pair(uint64_t{3}, 3));
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
