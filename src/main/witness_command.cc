// File: main/witness_command.cc
#include "main/witness_command.h"

#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "admin/admin_client.h"
#include "audit/tlog/cosignature.h"
#include "audit/witness.h"
#include "common/ascii.h"
#include "common/env.h"
#include "common/logging.h"
#include "crypto/owner_only_file.h"
#include "http/server.h"

namespace confiance {
namespace {

constexpr size_t kMaxBody = 64 * 1024;  // 63 proof lines and a checkpoint with many signatures fit

Result<audit::tlog::CosignatureSigner> LoadOrCreateKey(Env& env, const WitnessFlags& flags) {
  if (env.FileExists(flags.key_file)) {
    ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, flags.key_file));
    return audit::tlog::CosignatureSigner::FromPrivateKey(TrimTrailingNewlines(std::move(text)));
  }
  if (flags.name.empty()) return InvalidArgumentError("--key-file does not exist and no --name was given for a new key");
  ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::Generate());
  ASSIGN_OR_RETURN(audit::tlog::CosignatureSigner signer, audit::tlog::CosignatureSigner::Create(flags.name, std::move(key)));
  crypto::SecretBytes priv = signer.PrivateKey();
  RETURN_IF_ERROR(crypto::CreateOwnerOnlyFile(
      env, flags.key_file, std::string_view(reinterpret_cast<const char*>(priv.data()), priv.size())));
  RETURN_IF_ERROR(WriteFileDurably(env, flags.key_file + ".pub", signer.VerifierKey() + "\n"));
  return signer;
}

boost::asio::awaitable<void> Serve(audit::Witness& witness, http::Request& req, http::BodyReader& body,
                            http::ResponseWriter& resp) {
  std::vector<http::Header> headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
  if (path != "/add-checkpoint") {
    (void)co_await resp.Send(404, headers, "not found\n");
    co_return;
  }
  if (req.method != "POST") {
    (void)co_await resp.Send(405, headers, "POST only\n");
    co_return;
  }
  std::string text;
  std::vector<std::byte> buf(16 * 1024);
  const std::span<std::byte> out(buf);
  for (;;) {
    Result<size_t> n = co_await body.Read(out);
    if (!n.ok()) co_return;  // the layer answers a broken body
    if (*n == 0) break;
    if (text.size() + *n > kMaxBody) {
      (void)co_await resp.Send(413, headers, "request body too large\n");
      co_return;
    }
    text.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  audit::WitnessReply reply = witness.AddCheckpoint(text);
  if (reply.status != 200) spdlog::info("add-checkpoint refused: {} {}", reply.status, TrimTrailingNewlines(reply.body));
  headers = {{"Content-Type", reply.content_type}};
  (void)co_await resp.Send(reply.status, headers, reply.body);
}

}  // namespace

int RunWitness(const WitnessFlags& flags) {
  InitLogging("info");
  Env& env = *Env::Default();
  Result<admin::Endpoint> listen = admin::ParseEndpoint(flags.listen);
  if (!listen.ok() || listen->tls || flags.key_file.empty() || flags.state.empty() || flags.logs.empty()) {
    std::fprintf(stderr, "confiance witness: needs --listen HOST:PORT, --key-file, --state and at least one --log\n");
    return 2;
  }
  std::vector<audit::tlog::NoteVerifier> logs;
  for (const std::string& vkey : flags.logs) {
    Result<audit::tlog::NoteVerifier> v = audit::tlog::NoteVerifier::FromKey(vkey);
    if (!v.ok()) {
      std::fprintf(stderr, "confiance witness: --log %s: %s\n", vkey.c_str(), v.status().message().c_str());
      return 2;
    }
    logs.push_back(std::move(v).value());
  }
  Result<audit::tlog::CosignatureSigner> signer = LoadOrCreateKey(env, flags);
  if (!signer.ok()) {
    std::fprintf(stderr, "confiance witness: key: %s\n", signer.status().ToString().c_str());
    return 1;
  }
  if (Status s = CreateDirsDurably(env, flags.state); !s.ok()) {
    std::fprintf(stderr, "confiance witness: --state: %s\n", s.ToString().c_str());
    return 1;
  }
  audit::Witness witness(env, flags.state, std::move(logs), *signer, [] {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  });
  http::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.threads = 1;
  options.tls = flags.tls;
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(
      options, [&witness](http::Request& req, http::BodyReader& body, http::ResponseWriter& resp) {
        return Serve(witness, req, body, resp);
      });
  if (!server.ok()) {
    std::fprintf(stderr, "confiance witness: cannot listen on %s: %s\n", flags.listen.c_str(),
                 server.status().ToString().c_str());
    return 1;
  }
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) (*server)->Shutdown();
  });
  std::thread signal_thread([&] { signals_io.run(); });
  spdlog::info("witness {} on {}://{}:{}", signer->VerifierKey(), (*server)->tls() ? "https" : "http", listen->host,
               (*server)->port());
  (*server)->Run();
  signals_io.stop();
  signal_thread.join();
  return 0;
}

}  // namespace confiance
