// File: http/server.cc
// The acceptor, the network threads and graceful shutdown.
//
// Threading: one io_context run by `threads` threads; every connection is
// a coroutine on its own strand, so a connection's state needs no lock and
// the threads share the load whatever the connection count (N io_contexts,
// one per thread, would pin a slow connection's neighbours to its thread).
// The acceptor and the shutdown sequence share one more strand.
#include "http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/gate.h"
#include "http/connection.h"

namespace confiance::http {
namespace {

using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
using boost::system::error_code;

// After shutdown_grace, connections are closed; handlers still running
// (e.g. stuck in a blocking call) get this long before Run() gives up on
// them and stops the io_context.
constexpr std::chrono::seconds kAbandonAfter{2};

Status BindError(const error_code& ec, const std::string& what) {
  std::string msg = what + ": " + ec.message();
  if (ec == asio::error::address_in_use) return UnavailableError(msg);
  if (ec == asio::error::access_denied) return PermissionDeniedError(msg);
  return InvalidArgumentError(msg);
}

class ServerImpl final : public Server {
 public:
  ServerImpl(const ServerOptions& options, Handler handler)
      : options_(options),
        handler_(std::move(handler)),
        strand_(asio::make_strand(ioc_)),
        acceptor_(strand_),
        timer_(strand_) {}

  ~ServerImpl() override {
    // Run() has returned or never ran; drop whatever is left.
    ioc_.stop();
  }

  Status Listen() {
    error_code ec;
    asio::ip::address address = asio::ip::make_address(options_.host, ec);
    if (ec) {
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(options_.host, "", ec);
      if (ec || results.empty()) return BindError(ec, "resolve " + options_.host);
      address = results.begin()->endpoint().address();
    }
    tcp::endpoint endpoint(address, options_.port);
    std::string where = options_.host + ":" + std::to_string(options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return BindError(ec, "open " + where);
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return BindError(ec, "SO_REUSEADDR " + where);
    acceptor_.bind(endpoint, ec);
    if (ec) return BindError(ec, "bind " + where);
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return BindError(ec, "listen " + where);
    port_ = acceptor_.local_endpoint(ec).port();
    return OkStatus();
  }

  uint16_t port() const override { return port_; }
  bool tls() const override { return options_.tls.enabled(); }

  Result<CertificateSummary> ReloadTls() override {
    if (!options_.tls.enabled()) return FailedPreconditionError("the server does not serve TLS");
    ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> context, LoadTlsContext(options_.tls));
    ASSIGN_OR_RETURN(CertificateSummary summary, SummarizeCertificate(*context));
    std::lock_guard<std::mutex> lock(mu_);
    tls_context_ = std::move(context);
    return summary;
  }

  void Run() override {
    asio::co_spawn(strand_, AcceptLoop(), asio::detached);
    int n = options_.threads > 0 ? options_.threads
                                 : static_cast<int>(std::thread::hardware_concurrency());
    if (n < 1) n = 1;
    std::vector<std::thread> threads;
    threads.reserve(n - 1);
    for (int i = 1; i < n; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
  }

  void Shutdown() override {
    if (shutdown_requested_.exchange(true)) return;
    asio::co_spawn(strand_, DoShutdown(), asio::detached);
  }

 private:
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> DoShutdown();
  // Sleeps on the server strand until `done` or `d` has passed.
  asio::awaitable<void> WaitUntil(std::chrono::steady_clock::duration d,
                                  const std::function<bool()>& done);
  std::vector<std::shared_ptr<Connection>> Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::shared_ptr<Connection>> out;
    for (auto& [ptr, weak] : connections_) {
      if (auto c = weak.lock()) out.push_back(std::move(c));
    }
    return out;
  }
  bool NoConnections() {
    std::lock_guard<std::mutex> lock(mu_);
    return connections_.empty();
  }
  // REQUIRES mu_ held. Copies the connection count into options_.load.
  void PublishLoadLocked() {
    if (options_.load != nullptr) options_.load->open_connections.store(connections_.size(), std::memory_order_relaxed);
  }

  const ServerOptions options_;
  const Handler handler_;
  Gate gate_;  // held by each request while its handler runs
  std::atomic<bool> shutdown_requested_{false};
  std::atomic<bool> drained_{false};
  std::mutex mu_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // GUARDED_BY(mu_)
  std::shared_ptr<ssl::context> tls_context_;  // GUARDED_BY(mu_); null: plain HTTP
  uint16_t port_ = 0;
  // Declared last: destroyed first, while the members above still exist.
  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer timer_;
};

asio::awaitable<void> ServerImpl::AcceptLoop() {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(
        asio::make_strand(ioc_), asio::redirect_error(asio::use_awaitable, ec));
    if (shutdown_requested_) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      if (options_.stats != nullptr) options_.stats->accept_failures.Add();
      // EMFILE and friends: back off a little instead of spinning.
      timer_.expires_after(std::chrono::milliseconds(50));
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (options_.stats != nullptr) options_.stats->connections_accepted.Add();
    socket.set_option(tcp::no_delay(true), ec);
    std::lock_guard<std::mutex> lock(mu_);
    auto conn = StartConnection(std::move(socket), tls_context_, options_, handler_, gate_,
                                [this](Connection* c) {
                                  std::lock_guard<std::mutex> l(mu_);
                                  connections_.erase(c);
                                  PublishLoadLocked();
                                });
    // Registered under mu_ before on_exit (which takes mu_) can run.
    connections_.emplace(conn.get(), conn);
    PublishLoadLocked();
  }
}

asio::awaitable<void> ServerImpl::WaitUntil(std::chrono::steady_clock::duration d,
                                            const std::function<bool()>& done) {
  auto end = std::chrono::steady_clock::now() + d;
  while (!done() && std::chrono::steady_clock::now() < end) {
    // Polling at shutdown only: a few wake-ups, no shared notification
    // path between every request and the server strand.
    timer_.expires_after(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(20), end - std::chrono::steady_clock::now()));
    error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> ServerImpl::DoShutdown() {
  error_code ec;
  acceptor_.close(ec);  // new connections are refused from here
  timer_.cancel();      // wakes an accept back-off
  gate_.Close([this] { drained_ = true; });
  for (auto& c : Snapshot()) c->BeginShutdown();
  co_await WaitUntil(options_.shutdown_grace, [this] { return drained_.load(); });
  for (auto& c : Snapshot()) c->ForceClose();
  co_await WaitUntil(kAbandonAfter, [this] { return NoConnections(); });
  if (!NoConnections()) ioc_.stop();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options, Handler handler) {
  if (!handler) return InvalidArgumentError("Server::Create: no handler");
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  if (options.tls.enabled()) RETURN_IF_ERROR(server->ReloadTls().status());
  Status st = server->Listen();
  if (!st.ok()) return st;
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace confiance::http
