// File: bench/s3load.cc
// A loopback load generator for Confiance (SigV4, path-style) and, with
// --no-auth, for a plain HTTP server such as nginx serving the same files.
//
// One thread per connection, each with one keep-alive socket and synchronous
// Beast HTTP. The request payload is generated once and shared; every
// per-connection buffer is allocated before the timed phase; latencies go
// into a vector preallocated for --requests entries. The run stops after
// --requests requests or --max-seconds, whichever comes first, and a
// watchdog shuts every socket down shortly after that deadline so that a
// stuck server cannot hang the tool.
//
// Output: one line of key=value pairs (see PrintResult), e.g.
//   op=get size=4096 connections=16 requests=200000 errors=0 seconds=1.52
//   ops_s=131578 mb_s=538.9 p50_ms=0.118 p99_ms=0.240
//
// --tls speaks HTTPS (the server's certificate is not verified: a loopback
// benchmark, not a client to copy); the handshake happens once per
// connection, before the timed phase.
//
// Only 127.0.0.1 (or "localhost") is accepted as a target.
#include <utility>  // before Asio (Boost 1.74 + g++ 12)

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/sign.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

enum class Op { kPut, kGet, kHead, kDelete, kList };

struct Flags {
  std::string host = "127.0.0.1";
  int port = 9000;
  std::string access_key = "BENCHAK";
  std::string secret_key = "SECRET12345";
  std::string session_token;  // temporary credentials (docs/sts.md): signed as x-amz-security-token
  std::string region = "us-east-1";
  Op op = Op::kGet;
  std::string op_name = "get";
  uint64_t size = 4096;
  int connections = 1;
  uint64_t requests = 10000;
  double max_seconds = 5;
  uint64_t keys = 1000;
  std::string bucket = "bench";
  std::string prefix = "obj";
  bool no_auth = false;
  std::string path_template;  // --no-auth: "{k}" is replaced by the key index
  bool verify = false;
  bool setup = false;
  uint64_t list_max_keys = 1000;
  std::string write_payload;  // write the --size payload to this file and exit
  size_t read_chunk = 1 << 20;  // response body buffer per connection
  bool tls = false;             // HTTPS
  std::string host_header;      // "" = HOST:PORT
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr, "s3load: %s\n", msg);
  std::fprintf(stderr,
               "usage: s3load --op put|get|head|delete|list [--host 127.0.0.1] [--port N]\n"
               "  [--access-key AK] [--secret-key SK] [--session-token T] [--region R] [--size BYTES]\n"
               "  [--connections C] [--requests N] [--max-seconds S] [--keys K]\n"
               "  [--bucket B] [--prefix P] [--setup] [--verify] [--list-max-keys M]\n"
               "  [--no-auth --path-template '/files/f{k}'] [--host-header H] [--write-payload FILE] [--tls]\n"
               "  (--no-auth: get and head of plain files, or put to a WebDAV server;\n"
               "   --host-header: the Host sent instead of HOST:PORT, e.g. a bucket's website endpoint)\n");
  std::exit(2);
}

uint64_t ParseSize(const std::string& s) {
  char* end = nullptr;
  uint64_t v = std::strtoull(s.c_str(), &end, 10);
  std::string_view suf(end);
  if (suf == "k" || suf == "K" || suf == "KiB") v <<= 10;
  else if (suf == "m" || suf == "M" || suf == "MiB") v <<= 20;
  else if (suf == "g" || suf == "G" || suf == "GiB") v <<= 30;
  else if (!suf.empty()) Usage("bad size");
  return v;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--host") f.host = next();
    else if (a == "--port") f.port = std::atoi(next().c_str());
    else if (a == "--access-key") f.access_key = next();
    else if (a == "--secret-key") f.secret_key = next();
    else if (a == "--session-token") f.session_token = next();
    else if (a == "--region") f.region = next();
    else if (a == "--op") {
      f.op_name = next();
      if (f.op_name == "put") f.op = Op::kPut;
      else if (f.op_name == "get") f.op = Op::kGet;
      else if (f.op_name == "head") f.op = Op::kHead;
      else if (f.op_name == "delete") f.op = Op::kDelete;
      else if (f.op_name == "list") f.op = Op::kList;
      else Usage("bad --op");
    } else if (a == "--size") f.size = ParseSize(next());
    else if (a == "--connections") f.connections = std::atoi(next().c_str());
    else if (a == "--requests") f.requests = ParseSize(next());
    else if (a == "--max-seconds") f.max_seconds = std::atof(next().c_str());
    else if (a == "--keys") f.keys = ParseSize(next());
    else if (a == "--bucket") f.bucket = next();
    else if (a == "--prefix") f.prefix = next();
    else if (a == "--no-auth") f.no_auth = true;
    else if (a == "--path-template") f.path_template = next();
    else if (a == "--verify") f.verify = true;
    else if (a == "--setup") f.setup = true;
    else if (a == "--list-max-keys") f.list_max_keys = ParseSize(next());
    else if (a == "--write-payload") f.write_payload = next();
    else if (a == "--tls") f.tls = true;
    else if (a == "--host-header") f.host_header = next();
    else Usage(("unknown flag " + a).c_str());
  }
  if (f.host != "127.0.0.1" && f.host != "localhost") Usage("only 127.0.0.1 may be a target");
  if (f.host == "localhost") f.host = "127.0.0.1";
  if (f.connections < 1 || f.connections > 1024) Usage("--connections must be 1..1024");
  if (f.requests < 1 || f.requests > 100'000'000) Usage("--requests must be 1..1e8");
  if (!(f.max_seconds > 0 && f.max_seconds <= 600)) Usage("--max-seconds must be in (0, 600]");
  if (f.keys < 1) Usage("--keys must be >= 1");
  if (f.size > (uint64_t{4} << 30)) Usage("--size at most 4 GiB");
  if (f.no_auth && f.path_template.empty()) Usage("--no-auth needs --path-template");
  if (f.no_auth && f.op != Op::kGet && f.op != Op::kHead && f.op != Op::kPut) {
    Usage("--no-auth supports get, head and put (a WebDAV PUT)");
  }
  return f;
}

// Deterministic, incompressible-looking content; the same for every key, so
// nginx's files and Confiance's objects can be checked against one buffer.
std::vector<char> MakePayload(uint64_t size) {
  std::vector<char> p(size);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint64_t i = 0; i < size; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(p.data() + i, &x, std::min<uint64_t>(8, size - i));
  }
  return p;
}

// Shared, read-only during the run.
struct Shared {
  const Flags* flags = nullptr;
  std::vector<char> payload;
  std::string host_header;
  Clock::time_point deadline;
  std::atomic<uint64_t> next{0};     // next request index
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> bytes{0};    // payload bytes moved (request or response bodies)
  std::vector<int64_t> latency_ns;   // by request index; -1 when not done
  std::atomic<bool> stop{false};
  std::mutex fds_mu;
  std::vector<int> fds;              // for the watchdog
  std::atomic<uint64_t> first_error_printed{0};
};

void ReportError(Shared& sh, const char* what, const std::string& detail) {
  sh.errors.fetch_add(1, std::memory_order_relaxed);
  if (sh.first_error_printed.fetch_add(1) < 5) {
    std::fprintf(stderr, "s3load: %s: %s\n", what, detail.c_str());
  }
}

// One connection's state; everything is allocated before the timed phase.
class Conn {
 public:
  Conn(Shared& sh, asio::io_context& io, asio::ssl::context& tls)
      : sh_(sh), f_(*sh.flags), io_(io), tls_context_(tls), socket_(io) {
    head_.reserve(2048);
    path_.reserve(256);
    query_.reserve(256);
    date_.reserve(32);
    body_buf_.resize(std::max<size_t>(64 * 1024, std::min<uint64_t>(f_.read_chunk, std::max<uint64_t>(f_.size, 1))));
    read_buf_.reserve(64 * 1024);
  }

  bool Connect() {
    error_code ec;
    tcp::endpoint ep(asio::ip::make_address(f_.host, ec), static_cast<uint16_t>(f_.port));
    if (ec) return false;
    // A TLS session is not reused after a close: each connection gets a new one.
    if (f_.tls) tls_.emplace(io_, tls_context_);
    tcp::socket& socket = Socket();
    socket.open(tcp::v4(), ec);
    if (ec) return false;
    socket.set_option(tcp::no_delay(true), ec);
    socket.connect(ep, ec);
    if (ec) {
      ReportError(sh_, "connect", ec.message());
      return false;
    }
    if (tls_) {
      tls_->handshake(asio::ssl::stream_base::client, ec);
      if (ec) {
        ReportError(sh_, "TLS handshake", ec.message());
        Close();
        return false;
      }
    }
    std::lock_guard<std::mutex> lk(sh_.fds_mu);
    sh_.fds.push_back(socket.native_handle());
    return true;
  }

  void Close() {
    error_code ec;
    Socket().close(ec);
  }

  // Issues one request of `op` on key `k`; returns whether it succeeded.
  // `setup` allows 409 on bucket creation.
  bool Do(Op op, uint64_t k, bool create_bucket = false) {
    if (!Socket().is_open() && !Connect()) return false;
    const char* method = "GET";
    bool send_body = false;
    path_.clear();
    query_.clear();
    if (f_.no_auth) {
      path_ = f_.path_template;
      size_t at = path_.find("{k}");
      if (at != std::string::npos) path_.replace(at, 3, std::to_string(k));
    } else if (create_bucket) {
      method = "PUT";
      path_.append("/").append(f_.bucket);
    } else if (op == Op::kList) {
      path_.append("/").append(f_.bucket);
      query_.append("list-type=2&max-keys=").append(std::to_string(f_.list_max_keys));
      query_.append("&prefix=").append(f_.prefix).append("%2F");
    } else {
      path_.append("/").append(f_.bucket).append("/").append(f_.prefix).append("/");
      path_.append(std::to_string(k));
    }
    if (!create_bucket) {
      switch (op) {
        case Op::kPut: method = "PUT"; send_body = true; break;
        case Op::kHead: method = "HEAD"; break;
        case Op::kDelete: method = "DELETE"; break;
        default: break;
      }
    }
    const bool head = std::strcmp(method, "HEAD") == 0;
    uint64_t content_length = send_body ? sh_.payload.size() : 0;

    head_.clear();
    head_.append(method).append(" ").append(path_);
    if (!query_.empty()) head_.append("?").append(query_);
    head_.append(" HTTP/1.1\r\nHost: ").append(sh_.host_header).append("\r\n");
    if (send_body || std::strcmp(method, "PUT") == 0) {
      head_.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n");
    }
    if (!f_.no_auth) {
      auto now = std::chrono::system_clock::now();
      auto sec = std::chrono::time_point_cast<std::chrono::seconds>(now);
      if (sec != date_sec_) {
        date_ = confiance::sigv4::FormatAmzDate(now);
        date_sec_ = sec;
      }
      confiance::sigv4::Header hdrs[4] = {{"host", sh_.host_header},
                                          {"x-amz-content-sha256", confiance::sigv4::kUnsignedPayload},
                                          {"x-amz-date", date_},
                                          {"x-amz-security-token", f_.session_token}};
      confiance::sigv4::RequestView view;
      view.method = method;
      view.raw_path = path_;
      view.raw_query = query_;
      view.headers = std::span(hdrs, f_.session_token.empty() ? 3 : 4);
      confiance::sigv4::ClientCredentials cred{f_.access_key, f_.secret_key, f_.region};
      auto signed_req = confiance::sigv4::SignRequest(view, confiance::sigv4::kUnsignedPayload, cred, date_);
      if (!signed_req.ok()) {
        ReportError(sh_, "sign", signed_req.status().ToString());
        return false;
      }
      head_.append("x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nx-amz-date: ").append(date_);
      if (!f_.session_token.empty()) head_.append("\r\nx-amz-security-token: ").append(f_.session_token);
      head_.append("\r\nAuthorization: ").append(signed_req->authorization).append("\r\n");
    }
    head_.append("\r\n");

    error_code ec;
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head_),
                                           asio::buffer(sh_.payload.data(), content_length)};
    WithStream([&](auto& stream) { asio::write(stream, bufs, ec); });
    if (ec) return Fail("write", ec.message());

    // Response: header, then the body streamed through body_buf_.
    parser_.emplace();
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    if (head) parser_->skip(true);
    WithStream([&](auto& stream) { bhttp::read_header(stream, read_buf_, *parser_, ec); });
    if (ec) return Fail("read header", ec.message());
    const unsigned status = parser_->get().result_int();
    uint64_t got = 0;
    bool mismatch = false;
    const bool check = f_.verify && op == Op::kGet && !create_bucket && status == 200;
    std::string err_body;
    while (!parser_->is_done()) {
      auto& body = parser_->get().body();
      body.data = body_buf_.data();
      body.size = body_buf_.size();
      WithStream([&](auto& stream) { bhttp::read(stream, read_buf_, *parser_, ec); });
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) return Fail("read body", ec.message());
      size_t n = body_buf_.size() - body.size;
      if (check && !mismatch) {
        if (got + n > sh_.payload.size() ||
            std::memcmp(body_buf_.data(), sh_.payload.data() + got, n) != 0) {
          mismatch = true;
        }
      }
      if (status >= 300 && err_body.size() < 512) err_body.append(body_buf_.data(), std::min<size_t>(n, 512));
      got += n;
    }
    if (!parser_->keep_alive()) Close();
    if (create_bucket) {
      if (status == 200 || status == 409) return true;
      return Fail("create bucket", "HTTP " + std::to_string(status) + " " + err_body);
    }
    // A WebDAV PUT (--no-auth put, nginx's dav module) answers 201 Created
    // or 204 No Content.
    const bool dav_put = f_.no_auth && op == Op::kPut;
    bool ok_status = op == Op::kDelete || dav_put ? (status == 204 || status == 200 || (dav_put && status == 201))
                                                  : status == 200;
    if (!ok_status) {
      sh_.errors.fetch_add(1, std::memory_order_relaxed);
      if (sh_.first_error_printed.fetch_add(1) < 5) {
        std::fprintf(stderr, "s3load: %s %s: HTTP %u %s\n", method, path_.c_str(), status, err_body.c_str());
      }
      return false;
    }
    if (check && (mismatch || got != sh_.payload.size())) {
      ReportError(sh_, "verify", path_ + ": content differs (" + std::to_string(got) + " bytes)");
      return false;
    }
    if (op == Op::kList && f_.verify && got == 0) {
      ReportError(sh_, "verify", "empty listing");
      return false;
    }
    sh_.bytes.fetch_add(op == Op::kPut ? content_length : (op == Op::kGet ? got : 0),
                        std::memory_order_relaxed);
    return true;
  }

 private:
  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : socket_; }
  template <class Fn>
  void WithStream(Fn&& fn) {
    if (tls_) {
      fn(*tls_);
    } else {
      fn(socket_);
    }
  }

  bool Fail(const char* what, const std::string& detail) {
    ReportError(sh_, what, detail);
    Close();
    return false;
  }

  Shared& sh_;
  const Flags& f_;
  asio::io_context& io_;
  asio::ssl::context& tls_context_;
  tcp::socket socket_;                                 // plain HTTP
  std::optional<asio::ssl::stream<tcp::socket>> tls_;  // --tls
  std::string head_, path_, query_, date_;
  std::chrono::system_clock::time_point date_sec_{};
  std::vector<char> body_buf_;
  beast::flat_buffer read_buf_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
};

// Runs `fn(conn)` on `n` threads, each with its own Conn, and a watchdog
// that shuts the sockets down `grace` after the deadline.
template <typename Fn>
void RunThreads(Shared& sh, int n, Fn fn) {
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < n; ++i) conns.push_back(std::make_unique<Conn>(sh, io, tls));
  std::mutex mu;
  std::condition_variable cv;
  int running = n;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      fn(*conns[i]);
      std::lock_guard<std::mutex> lk(mu);
      if (--running == 0) cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lk(mu);
    if (!cv.wait_until(lk, sh.deadline + std::chrono::seconds(5), [&] { return running == 0; })) {
      std::fprintf(stderr, "s3load: watchdog: shutting sockets down\n");
      sh.stop = true;
      std::lock_guard<std::mutex> fl(sh.fds_mu);
      for (int fd : sh.fds) ::shutdown(fd, SHUT_RDWR);
    }
  }
  for (auto& t : threads) t.join();
  for (auto& c : conns) c->Close();
  std::lock_guard<std::mutex> fl(sh.fds_mu);
  sh.fds.clear();
}

double Percentile(std::vector<int64_t>& v, double q) {
  if (v.empty()) return 0;
  size_t idx = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(idx), v.end());
  return static_cast<double>(v[idx]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f = ParseFlags(argc, argv);
  if (!f.write_payload.empty()) {
    // The exact bytes every PUT sends and --verify expects, for nginx's files.
    std::vector<char> p = MakePayload(f.size);
    std::FILE* out = std::fopen(f.write_payload.c_str(), "wb");
    if (out == nullptr || std::fwrite(p.data(), 1, p.size(), out) != p.size() || std::fclose(out) != 0) {
      std::perror(f.write_payload.c_str());
      return 1;
    }
    return 0;
  }
  Shared sh;
  sh.flags = &f;
  sh.host_header = f.host_header.empty() ? f.host + ":" + std::to_string(f.port) : f.host_header;
  if (f.op == Op::kPut || f.op == Op::kGet || f.setup) sh.payload = MakePayload(f.size);

  // Setup (untimed, bounded by --max-seconds too): create the bucket and,
  // for read/delete/list runs, write keys prefix/0..K-1.
  if (f.setup && !f.no_auth) {
    sh.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(f.max_seconds * 4));
    RunThreads(sh, 1, [&](Conn& c) {
      if (!c.Do(Op::kPut, 0, /*create_bucket=*/true)) std::fprintf(stderr, "s3load: bucket setup failed\n");
    });
    if (f.op != Op::kPut) {
      std::atomic<uint64_t> next{0};
      RunThreads(sh, std::min<int>(f.connections, 16), [&](Conn& c) {
        for (;;) {
          uint64_t k = next.fetch_add(1);
          if (k >= f.keys || sh.stop || Clock::now() > sh.deadline) break;
          c.Do(Op::kPut, k);
        }
      });
    }
    if (sh.errors.load() != 0) {
      std::fprintf(stderr, "s3load: setup had %" PRIu64 " errors\n", sh.errors.load());
      return 1;
    }
    sh.bytes = 0;
  }

  sh.latency_ns.assign(f.requests, -1);  // touched now, not during the run
  sh.next = 0;
  sh.stop = false;
  const auto start = Clock::now();
  sh.deadline = start + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(f.max_seconds));
  std::atomic<int64_t> last_end_ns{0};
  RunThreads(sh, f.connections, [&](Conn& c) {
    if (!c.Connect()) return;
    int64_t end_ns = 0;
    for (;;) {
      if (sh.stop.load(std::memory_order_relaxed)) break;
      uint64_t i = sh.next.fetch_add(1, std::memory_order_relaxed);
      if (i >= f.requests) break;
      auto t0 = Clock::now();
      if (t0 > sh.deadline) break;
      bool ok = c.Do(f.op, i % f.keys);
      auto t1 = Clock::now();
      if (ok) sh.latency_ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      end_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - start).count();
    }
    int64_t prev = last_end_ns.load();
    while (prev < end_ns && !last_end_ns.compare_exchange_weak(prev, end_ns)) {
    }
  });
  double seconds = static_cast<double>(last_end_ns.load()) / 1e9;
  std::vector<int64_t> lat;
  lat.reserve(f.requests);
  for (int64_t v : sh.latency_ns) {
    if (v >= 0) lat.push_back(v);
  }
  const uint64_t done = lat.size();
  const uint64_t errors = sh.errors.load();
  double ops = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  double mbs = seconds > 0 ? static_cast<double>(sh.bytes.load()) / seconds / 1e6 : 0;
  double p50 = Percentile(lat, 0.50);
  double p99 = Percentile(lat, 0.99);
  std::printf(
      "op=%s size=%" PRIu64 " connections=%d requests=%" PRIu64 " errors=%" PRIu64
      " seconds=%.3f ops_s=%.0f mb_s=%.1f p50_ms=%.3f p99_ms=%.3f\n",
      f.no_auth ? (f.op_name + "-noauth").c_str() : f.op_name.c_str(), f.size, f.connections, done,
      errors, seconds, ops, mbs, p50, p99);
  return errors == 0 && done > 0 ? 0 : 1;
}
