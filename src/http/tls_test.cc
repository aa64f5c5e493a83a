// File: http/tls_test.cc
// The HTTPS listener: a real server on 127.0.0.1 with a certificate made
// here (a self-signed P-256 certificate for IP 127.0.0.1), and an OpenSSL
// client (Asio's ssl::stream) that verifies it as a real client would.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "http/server.h"
#include "http/tls.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::http {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// --- Certificates ------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};

// Writes a fresh P-256 key and a self-signed certificate for IP 127.0.0.1
// (CN `cn`) as PEM files; the certificate is also its own CA file.
void MakeCertificate(const std::string& cert_path, const std::string& key_path, const std::string& cn) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  ASSERT_NE(key, nullptr);
  std::unique_ptr<X509, X509Free> cert(X509_new());
  ASSERT_NE(cert, nullptr);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const char* ext : {"subjectAltName=IP:127.0.0.1", "basicConstraints=critical,CA:TRUE"}) {
    std::string spec(ext);
    size_t eq = spec.find('=');
    X509_EXTENSION* e =
        X509V3_EXT_conf(nullptr, &ctx, spec.substr(0, eq).c_str(), spec.substr(eq + 1).c_str());
    ASSERT_NE(e, nullptr) << ext;
    X509_add_ext(cert.get(), e, -1);
    X509_EXTENSION_free(e);
  }
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert.get());
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/confiance-tls-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// --- Server ------------------------------------------------------------------

asio::awaitable<void> Answer(Request& req, BodyReader& body, ResponseWriter& w) {
  // The body's length, so that a large body proves TLS reads of many records.
  std::array<std::byte, 16384> buf;
  uint64_t total = 0;
  for (;;) {
    Result<size_t> n = co_await body.Read(buf);
    if (!n.ok() || *n == 0) break;
    total += *n;
  }
  std::string text = std::string(req.secure ? "secure " : "plain ") + req.target + " " + std::to_string(total);
  if (req.target == "/big") text.append(300000, 'x');  // a response of many TLS records
  Status st = co_await w.Send(200, {}, text);
  st.IgnoreError();
}

class RunningServer {
 public:
  explicit RunningServer(ServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    Result<std::unique_ptr<Server>> s = Server::Create(options, Answer);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return;
    server_ = std::move(s).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~RunningServer() {
    if (!server_) return;
    server_->Shutdown();
    thread_.join();
  }
  Server& server() { return *server_; }
  uint16_t port() const { return server_->port(); }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// --- Client ------------------------------------------------------------------

// One TLS connection that trusts `ca_file` and checks the name 127.0.0.1.
class TlsClient {
 public:
  TlsClient(uint16_t port, const std::string& ca_file, int max_version = 0) : ctx_(ssl::context::tls_client) {
    ctx_.load_verify_file(ca_file);
    if (max_version != 0) SSL_CTX_set_max_proto_version(ctx_.native_handle(), max_version);
    stream_ = std::make_unique<ssl::stream<tcp::socket>>(io_, ctx_);
    stream_->set_verify_mode(ssl::verify_peer);
    stream_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    stream_->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  boost::system::error_code Handshake() {
    boost::system::error_code ec;
    stream_->handshake(ssl::stream_base::client, ec);
    return ec;
  }
  // Sends `request` and reads one response with a Content-Length body.
  std::string Exchange(const std::string& request) {
    asio::write(*stream_, asio::buffer(request));
    std::string in;
    boost::system::error_code ec;
    for (;;) {
      size_t head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t cl = in.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end) {
          size_t length = std::stoul(in.substr(cl + 16));
          if (in.size() >= head_end + 4 + length) return in.substr(0, head_end + 4 + length);
        }
      }
      char buf[16384];
      size_t n = stream_->read_some(asio::buffer(buf), ec);
      if (ec) return in;
      in.append(buf, n);
    }
  }
  std::string PeerCommonName() {
    X509* cert = SSL_get1_peer_certificate(stream_->native_handle());
    if (cert == nullptr) return "";
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    X509_free(cert);
    return cn;
  }

 private:
  asio::io_context io_;
  ssl::context ctx_;
  std::unique_ptr<ssl::stream<tcp::socket>> stream_;
};

// Writes `bytes` in clear on a new TCP connection and returns all that
// comes back until the server closes it.
std::string SendPlain(uint16_t port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(s, asio::buffer(bytes));
  std::string in;
  boost::system::error_code ec;
  char buf[4096];
  while (!ec) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    in.append(buf, n);
  }
  return in;
}

// Body of a response (after the blank line).
std::string BodyOf(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeCertificate(dir_.File("cert.pem"), dir_.File("key.pem"), "first");
    options_.tls = TlsFiles{dir_.File("cert.pem"), dir_.File("key.pem")};
  }
  TempDir dir_;
  ServerOptions options_;
};

TEST_F(TlsServerTest, ServesHttpsWithKeepAliveBodiesAndSecureFlag) {
  RunningServer server(options_);
  ASSERT_TRUE(server.server().tls());
  TlsClient client(server.port(), dir_.File("cert.pem"));
  ASSERT_FALSE(client.Handshake());
  std::string r = client.Exchange("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r;
  EXPECT_EQ(BodyOf(r), "secure /first 0");
  // Same connection: a 200 KB body arrives in many TLS records.
  std::string body(200000, 'b');
  r = client.Exchange("PUT /second HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + body);
  EXPECT_EQ(BodyOf(r), "secure /second 200000");
  r = client.Exchange("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(BodyOf(r).size(), std::string("secure /big 0").size() + 300000);
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortGetsA400SayingHttps) {
  ServerStats stats;
  options_.stats = &stats;
  RunningServer server(options_);
  std::string in = SendPlain(server.port(), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
  // Not served: a plain 400 that says to use https, and the connection closes.
  EXPECT_EQ(in.rfind("HTTP/1.1 400", 0), 0u) << in;
  EXPECT_NE(in.find("https://"), std::string::npos) << in;
  EXPECT_EQ(in.find("/x"), std::string::npos) << in;
  EXPECT_EQ(stats.tls_handshakes_failed.value(), 1u);
}

TEST_F(TlsServerTest, GarbageBeforeTheHandshakeIsClosedSilently) {
  ServerStats stats;
  options_.stats = &stats;
  RunningServer server(options_);
  std::string in = SendPlain(server.port(), "\x01\x02garbage");
  // Neither a TLS handshake nor HTTP: the handshake fails, nothing in clear.
  EXPECT_EQ(in.find("HTTP/1.1"), std::string::npos) << in;
  EXPECT_EQ(stats.tls_handshakes_failed.value(), 1u);
  EXPECT_EQ(stats.connections_accepted.value(), 1u);
}

TEST_F(TlsServerTest, RefusesTls11) {
  RunningServer server(options_);
  TlsClient client(server.port(), dir_.File("cert.pem"), TLS1_1_VERSION);
  EXPECT_TRUE(client.Handshake());
}

TEST_F(TlsServerTest, StalledHandshakeIsClosedAfterHeaderTimeout) {
  options_.header_timeout = 1s;
  ServerStats stats;
  options_.stats = &stats;
  RunningServer server(options_);
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  auto start = std::chrono::steady_clock::now();
  char buf[64];
  boost::system::error_code ec;
  s.read_some(asio::buffer(buf), ec);  // blocks until the server closes
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(stats.slow_clients_closed.value(), 1u);  // counted before the close
}

TEST_F(TlsServerTest, ReloadServesTheNewCertificateToNewConnections) {
  RunningServer server(options_);
  TlsClient before(server.port(), dir_.File("cert.pem"));
  ASSERT_FALSE(before.Handshake());
  EXPECT_EQ(before.PeerCommonName(), "first");
  // A broken file: the reload fails and the current certificate stays.
  std::filesystem::copy_file(dir_.File("cert.pem"), dir_.File("first.pem"));
  { FILE* f = std::fopen(dir_.File("cert.pem").c_str(), "w"); std::fputs("not a certificate\n", f); std::fclose(f); }
  EXPECT_FALSE(server.server().ReloadTls().ok());
  TlsClient still(server.port(), dir_.File("first.pem"));
  ASSERT_FALSE(still.Handshake());
  EXPECT_EQ(still.PeerCommonName(), "first");
  // The renewed pair.
  MakeCertificate(dir_.File("cert.pem"), dir_.File("key.pem"), "second");
  ASSERT_OK(server.server().ReloadTls());
  TlsClient after(server.port(), dir_.File("cert.pem"));
  ASSERT_FALSE(after.Handshake());
  EXPECT_EQ(after.PeerCommonName(), "second");
  EXPECT_EQ(BodyOf(after.Exchange("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")), "secure /a 0");
  // The connection opened before the reload still works with the first.
  EXPECT_EQ(BodyOf(before.Exchange("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")), "secure /b 0");
  // A client that trusts only the first certificate refuses the server now.
  TlsClient old_trust(server.port(), dir_.File("first.pem"));
  EXPECT_TRUE(old_trust.Handshake());
}

TEST(TlsContextTest, BadFilesAreRefusedWithTheirName) {
  TempDir dir;
  MakeCertificate(dir.File("a.pem"), dir.File("a.key"), "a");
  MakeCertificate(dir.File("b.pem"), dir.File("b.key"), "b");
  ASSERT_OK(LoadTlsContext(TlsFiles{dir.File("a.pem"), dir.File("a.key")}).status());

  Result<std::shared_ptr<ssl::context>> r = LoadTlsContext(TlsFiles{dir.File("a.pem"), dir.File("b.key")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("does not match"), std::string::npos) << r.status().message();

  r = LoadTlsContext(TlsFiles{dir.File("missing.pem"), dir.File("a.key")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("missing.pem"), std::string::npos) << r.status().message();

  r = LoadTlsContext(TlsFiles{dir.File("a.pem"), dir.File("a.pem")});  // a certificate is no key
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("TLS key"), std::string::npos) << r.status().message();

  r = LoadTlsContext(TlsFiles{dir.File("a.pem"), ""});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(TlsContextTest, SummarizesTheServedCertificate) {
  TempDir dir;
  MakeCertificate(dir.File("s.pem"), dir.File("s.key"), "summary.example");
  Result<std::shared_ptr<ssl::context>> context = LoadTlsContext(TlsFiles{dir.File("s.pem"), dir.File("s.key")});
  ASSERT_OK(context.status());
  Result<CertificateSummary> s = SummarizeCertificate(**context);
  ASSERT_OK(s.status());
  EXPECT_EQ(s->subject, "CN=summary.example");
  // MakeCertificate makes it valid for 24 hours from now.
  const auto left = s->not_after - std::chrono::system_clock::now();
  EXPECT_GT(left, 23h);
  EXPECT_LT(left, 25h);
  // No certificate in the file, or no file: nothing to summarise, refused at load.
  EXPECT_EQ(LoadTlsContext(TlsFiles{dir.File("s.key"), dir.File("s.key")}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadTlsContext(TlsFiles{dir.File("absent.pem"), dir.File("s.key")}).status().code(),
            StatusCode::kInvalidArgument);
  // A reload returns the summary of what it now serves.
  MakeCertificate(dir.File("s.pem"), dir.File("s.key"), "renewed.example");
  ServerOptions options;
  options.tls = TlsFiles{dir.File("s.pem"), dir.File("s.key")};
  RunningServer server(options);
  Result<CertificateSummary> renewed = server.server().ReloadTls();
  ASSERT_OK(renewed.status());
  EXPECT_EQ(renewed->subject, "CN=renewed.example");
}

TEST(TlsContextTest, EncryptedKeyFailsInsteadOfPrompting) {
  TempDir dir;
  MakeCertificate(dir.File("c.pem"), dir.File("c.key"), "c");
  // Re-write the key encrypted under a passphrase.
  FILE* f = std::fopen(dir.File("c.key").c_str(), "r");
  ASSERT_NE(f, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(key, nullptr);
  f = std::fopen(dir.File("enc.key").c_str(), "w");
  const char pass[] = "passphrase";
  PEM_write_PrivateKey(f, key, EVP_aes_256_cbc(), reinterpret_cast<const unsigned char*>(pass), sizeof pass - 1,
                       nullptr, nullptr);
  std::fclose(f);
  EVP_PKEY_free(key);
  Result<std::shared_ptr<ssl::context>> r = LoadTlsContext(TlsFiles{dir.File("c.pem"), dir.File("enc.key")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(TlsServerPlainTest, WithoutTlsReloadIsRefusedAndRequestsAreNotSecure) {
  ServerOptions options;
  RunningServer server(options);
  EXPECT_FALSE(server.server().tls());
  EXPECT_EQ(server.server().ReloadTls().status().code(), StatusCode::kFailedPrecondition);
  std::string in = SendPlain(server.port(), "GET /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(BodyOf(in), "plain /p 0");
}

TEST(TlsServerCreateTest, BadCertificateFailsCreate) {
  ServerOptions options;
  options.port = 0;
  options.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  Result<std::unique_ptr<Server>> s = Server::Create(options, Answer);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace confiance::http
