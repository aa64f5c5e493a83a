// File: http/tls.h
// The server side of TLS: a certificate chain and its private key, read
// from PEM files into the OpenSSL context that new connections handshake
// with (http/server.h, ServerOptions::tls).
//
// Policy, fixed here rather than left to OpenSSL's build defaults: TLS 1.2
// and 1.3 only; for TLS 1.2 only ECDHE key exchange with AEAD ciphers
// (forward secrecy, no CBC); the server's cipher order; no compression
// (CRIME); no renegotiation. Clients are not asked for certificates: S3
// requests authenticate with SigV4.
//
// Thread-safety: LoadTlsContext is; a context, once loaded, is only read
// (OpenSSL allows concurrent handshakes on one SSL_CTX).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"

// Declared only: what includes server.h (the HTTP framing fuzz target among
// them) needs no OpenSSL; http/tls.cc includes Asio's SSL headers.
namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace confiance::http {

struct TlsFiles {
  std::string cert_file;  // PEM: the server's certificate, then any intermediates
  std::string key_file;   // PEM: its private key (unencrypted)

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Reads `files` into a new server context. InvalidArgument, naming the file
// and OpenSSL's reason, when either file is missing or unreadable, is not
// PEM, or when the key does not belong to the certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> LoadTlsContext(const TlsFiles& files);

// What an operator needs to know of the certificate being served.
struct CertificateSummary {
  std::string subject;                               // RFC 2253, e.g. "CN=s3.example.eu,O=Example"
  std::chrono::system_clock::time_point not_after;  // end of validity
};

// The certificate a loaded context serves (LoadTlsContext's result), read
// from the context itself so that what is logged is what clients get.
// Internal when the context has none.
Result<CertificateSummary> SummarizeCertificate(const boost::asio::ssl::context& context);

}  // namespace confiance::http
