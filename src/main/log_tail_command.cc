// File: main/log_tail_command.cc
#include "main/log_tail_command.h"

#include <chrono>
#include <cstdio>
#include <string_view>
#include <thread>

#include "admin/admin_client.h"
#include "audit/log_api.h"
#include "audit/log_follower.h"
#include "common/ascii.h"
#include "common/env.h"

namespace confiance {
namespace {

constexpr int kExitFail = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

// The text of <name> in an S3 error document, if any.
std::string XmlField(std::string_view doc, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">", close = "</" + std::string(name) + ">";
  size_t a = doc.find(open);
  if (a == std::string_view::npos) return "";
  a += open.size();
  size_t b = doc.find(close, a);
  return b == std::string_view::npos ? "" : std::string(doc.substr(a, b - a));
}

}  // namespace

int RunLogTail(const LogTailFlags& flags) {
  Env& env = *Env::Default();
  std::string key = flags.key;
  if (!flags.key_file.empty()) {
    Result<std::string> k = ReadSmallFile(env, flags.key_file);
    if (!k.ok()) {
      std::fprintf(stderr, "confiance log tail: reading --key-file: %s\n", k.status().ToString().c_str());
      return kExitUsage;
    }
    key = TrimTrailingNewlines(std::move(*k));
  }
  if (key.empty()) {
    std::fprintf(stderr, "confiance log tail: a pinned verifier key (--key or --key-file) is required\n");
    return kExitUsage;
  }
  if (flags.access_key.empty() || flags.secret_key.empty()) {
    std::fprintf(stderr,
                 "confiance log tail: credentials needed: --access-key and --secret-key, or CONFIANCE_ACCESS_KEY "
                 "and CONFIANCE_SECRET_KEY\n");
    return kExitUsage;
  }
  Result<admin::Endpoint> endpoint = admin::ParseEndpoint(flags.endpoint);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "confiance log tail: --endpoint %s: %s\n", flags.endpoint.c_str(),
                 endpoint.status().message().c_str());
    return kExitUsage;
  }
  endpoint->ca_file = flags.ca_bundle;
  admin::AdminClient client(*endpoint, admin::SigningCredentials{flags.access_key, flags.secret_key, flags.region},
                            std::chrono::seconds(30));
  audit::LogFetch fetch = [&](const std::string& resource) -> Result<std::string> {
    const std::string path = std::string(audit::kLogApiPrefix) + resource;
    ASSIGN_OR_RETURN(admin::HttpReply reply, client.Call("GET", path));
    if (reply.status == 200) return std::move(reply.body);
    const std::string why = path + ": HTTP " + std::to_string(reply.status) + " " + XmlField(reply.body, "Code") +
                            ": " + XmlField(reply.body, "Message");
    if (reply.status == 404) return NotFoundError(why);
    // Refused credentials or a server error: not a verdict on the log.
    return UnavailableError(why);
  };

  audit::LogFollower follower(key, fetch, flags.from, flags.witness_keys, flags.witness_quorum);
  const auto interval = std::chrono::duration<double>(flags.interval_s > 0 ? flags.interval_s : 1.0);
  std::string written;  // the checkpoint last written to --checkpoint-out
  for (;;) {
    Result<std::vector<std::pair<uint64_t, std::string>>> entries = follower.Poll();
    if (!entries.ok()) {
      if (entries.status().code() == StatusCode::kPermissionDenied ||
          entries.status().code() == StatusCode::kInvalidArgument) {
        std::fprintf(stderr, "FAIL: %s\n", entries.status().message().c_str());
        return kExitFail;
      }
      std::fprintf(stderr, "confiance log tail: %s\n", entries.status().message().c_str());
      if (flags.once) return kExitUnreachable;
    } else {
      for (const auto& [index, entry] : *entries) {
        std::fwrite(entry.data(), 1, entry.size(), stdout);
        std::fputc('\n', stdout);
      }
      std::fflush(stdout);
      if (!flags.checkpoint_out.empty() && !follower.checkpoint().empty() && follower.checkpoint() != written) {
        written = follower.checkpoint();
        if (Status s = WriteFileDurably(env, flags.checkpoint_out, written); !s.ok()) {
          std::fprintf(stderr, "confiance log tail: writing --checkpoint-out: %s\n", s.ToString().c_str());
          return kExitUsage;
        }
      }
      if (flags.once) {
        if (follower.checkpoint().empty()) {
          std::fprintf(stderr, "confiance log tail: no checkpoint published%s yet\n",
                       flags.witness_keys.empty() ? "" : " and cosigned");
        }
        return 0;
      }
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace confiance
