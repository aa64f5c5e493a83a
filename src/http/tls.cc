// File: http/tls.cc
#include "http/tls.h"

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/ssl/context.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

namespace confiance::http {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites with ECDHE and an AEAD cipher; TLS 1.3's own suites are
// all AEAD with ephemeral keys and keep OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

// The first reason OpenSSL queued (the cause; later ones are context), and
// the queue cleared.
std::string OpenSslReason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> LoadTlsContext(const TlsFiles& files) {
  if (files.cert_file.empty() || files.key_file.empty()) {
    return InvalidArgumentError("TLS needs both a certificate file and a key file");
  }
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return InternalError("TLS settings: " + OpenSslReason());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An encrypted key must fail to load, not prompt on the terminal (OpenSSL's
  // default) of a server that may run unattended.
  SSL_CTX_set_default_passwd_cb(ctx, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1) {
    return InvalidArgumentError("TLS certificate " + files.cert_file + ": " + OpenSslReason());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL checks the pair as it loads the key; say so in plain words.
    const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    return InvalidArgumentError("TLS key " + files.key_file +
                                (mismatch ? " does not match the certificate " + files.cert_file : std::string()) +
                                ": " + OpenSslReason());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgumentError("TLS key " + files.key_file + " does not match the certificate " +
                                files.cert_file + ": " + OpenSslReason());
  }
  return context;
}

Result<CertificateSummary> SummarizeCertificate(const ssl::context& context) {
  X509* cert = SSL_CTX_get0_certificate(const_cast<ssl::context&>(context).native_handle());
  if (cert == nullptr) return InternalError("the TLS context holds no certificate");
  CertificateSummary out;
  std::unique_ptr<BIO, decltype(&BIO_free)> text(BIO_new(BIO_s_mem()), BIO_free);
  if (text && X509_NAME_print_ex(text.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    long n = BIO_get_mem_data(text.get(), &data);
    if (n > 0) out.subject.assign(data, static_cast<size_t>(n));
  }
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return InternalError("unreadable certificate notAfter");
  out.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  return out;
}

}  // namespace confiance::http
