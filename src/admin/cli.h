// File: admin/cli.h
// `confiance admin ...`: the command-line client of the admin API
// (docs/admin-api.md has every command). main registers these commands
// beside the offline ones (scrub, create-access-key, list-access-keys):
//
//   confiance admin [CONNECTION] tenant create|list|show|suspend|resume|delete|set-quota ...
//   confiance admin [CONNECTION] user create|list|show|delete --tenant T ...
//   confiance admin [CONNECTION] key create|list|disable|enable|delete --tenant T --user U ...
//   confiance admin [CONNECTION] policy put|get|list|delete --tenant T --user U NAME [--file F]
//   confiance admin [CONNECTION] operator list
//   confiance admin [CONNECTION] whoami
//
// CONNECTION: --endpoint URL (CONFIANCE_ENDPOINT, default
// http://127.0.0.1:9000), --access-key / --secret-key (CONFIANCE_ACCESS_KEY,
// CONFIANCE_SECRET_KEY), --region (us-east-1), --json. These may also follow
// the command, except on the commands that create a key (tenant create,
// user create, key create), where --access-key and --secret-key after the
// command name the new key.
//
// Output: a human summary on stdout by default; --json prints the API's
// JSON as is. Errors go to stderr. Exit codes below.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

namespace confiance::admin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitApiError = 1;    // the API answered an error
inline constexpr int kExitUsage = 2;       // bad command line, missing credentials, unreadable --file
inline constexpr int kExitUnreachable = 3;  // cannot connect to the endpoint (or the exchange broke)

class AdminCli {
 public:
  // Adds the commands and the connection flags to `admin`, the
  // `confiance admin` subcommand; `admin` must outlive this object.
  explicit AdminCli(CLI::App& admin);
  ~AdminCli();
  AdminCli(const AdminCli&) = delete;
  AdminCli& operator=(const AdminCli&) = delete;

  // After parsing: true if one of these commands was given.
  bool parsed() const;
  // Runs the parsed command; returns the process exit code.
  // REQUIRES: parsed().
  int Run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace confiance::admin
