// File: admin/cli.cc
// The command tree of `confiance admin` over the admin API, and Run():
// build the request from the flags, send it signed, print the reply.
#include "admin/cli.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "admin/admin_client.h"
#include "admin/cli_output.h"
#include "admin/identity_policy.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

// One request to the admin API.
struct ApiCall {
  std::string method;
  std::string path;
  std::string body;
};

// Renders a successful reply for humans.
using HumanOutput = std::function<std::string(const json& reply)>;

// One leaf command: its CLI11 app, how it builds its request (a usage
// error is InvalidArgument), and how its reply is printed.
struct Command {
  CLI::App* app;
  std::function<Result<ApiCall>()> build;
  HumanOutput human;
  // A command that starts a job: the request that reads its progress. With
  // --wait, Run repeats it while the reply's "state" is "running" and
  // fails (kExitApiError) if the job ends "failed", or when `ended_badly`
  // says so of the last reply (a scrub that found damage).
  std::optional<ApiCall> progress;
  std::function<bool(const json& reply)> ended_badly;
};

// A job document's counter as text; unsigned 64-bit, as the API sends
// it (counts and bytes pass 2^31 in a large store).
std::string Count(const json& j, const char* name) { return std::to_string(j.value(name, uint64_t{0})); }

// Reads a policy document from `path` ("-": standard input).
Result<std::string> ReadDocument(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgumentError("cannot read " + path);
    text << in.rdbuf();
  }
  std::string doc = text.str();
  if (doc.size() > kMaxPolicySize) return InvalidArgumentError(path + " is larger than a policy may be");
  return doc;
}

}  // namespace

struct AdminCli::State {
  // Connection (on `confiance admin`; leaves fall through to it).
  std::string endpoint = "http://127.0.0.1:9000";
  std::string ca_bundle;  // https: the CAs to trust ("": the system's)
  std::string access_key;
  std::string secret_key;
  std::string region = "us-east-1";
  bool json_output = false;
  bool wait_for_job = false;  // --wait on a command that starts a job

  // Arguments of the leaf commands (only one leaf runs per process).
  std::string tenant, user, policy_name, key_id, display_name, file = "-";
  std::string new_access_key, new_secret_key;
  uint64_t max_bytes = 0, max_objects = 0, max_buckets = 0;
  uint64_t read_ops = 0, write_ops = 0, read_bytes = 0, write_bytes = 0;

  std::vector<Command> commands;

  // The leaf command that was parsed, if any.
  const Command* Chosen() const {
    for (const Command& c : commands) {
      if (c.app->parsed()) return &c;
    }
    return nullptr;
  }

  CLI::App* Leaf(CLI::App* group, const std::string& name, const std::string& help) {
    CLI::App* leaf = group->add_subcommand(name, help);
    leaf->fallthrough();
    return leaf;
  }
  void Add(CLI::App* leaf, std::function<Result<ApiCall>()> build, HumanOutput human) {
    commands.push_back({leaf, std::move(build), std::move(human)});
  }

  // --access-key/--secret-key on a leaf that creates a key: the new key.
  void AddNewKeyFlags(CLI::App* leaf) {
    CLI::Option* ak = leaf->add_option("--access-key", new_access_key, "Access key id to create (default: generated)");
    CLI::Option* sk = leaf->add_option("--secret-key", new_secret_key, "Its secret (with --access-key)");
    ak->needs(sk);
    sk->needs(ak);
  }
  void PutNewKey(json* body) const {
    if (new_access_key.empty()) return;
    (*body)["access_key"] = new_access_key;
    (*body)["secret_key"] = new_secret_key;
  }
  // --max-bytes/--max-objects/--max-buckets; returns their options.
  std::vector<CLI::Option*> AddQuotaFlags(CLI::App* leaf) {
    return {leaf->add_option("--max-bytes", max_bytes, "Byte quota, e.g. 500GiB or 1TB (0: unlimited)")
                ->transform(CLI::AsSizeValue(/*kb_is_1000=*/true)),
            leaf->add_option("--max-objects", max_objects, "Object quota (0: unlimited)"),
            leaf->add_option("--max-buckets", max_buckets, "Bucket quota (0: unlimited)")};
  }
  json Quotas(const std::vector<CLI::Option*>& opts) const {
    json q = json::object();
    if (opts[0]->count()) q["max_bytes"] = max_bytes;
    if (opts[1]->count()) q["max_objects"] = max_objects;
    if (opts[2]->count()) q["max_buckets"] = max_buckets;
    return q;
  }

  bool recount = false;
  std::vector<std::string> justifications;
  std::string confirm;
  bool allow_none = false;
  // The JUSTIFICATION... arguments and --none of a key's `allow` command.
  void AddJustificationArgs(CLI::App* allow) {
    allow->add_option("JUSTIFICATION", justifications,
                      "TENANT_REQUEST, OPERATOR_APPROVED, SYSTEM_MAINTENANCE, LEGAL_ORDER (none: --none)");
    allow->add_flag("--none", allow_none, "Allow no justification at all (every use of the key is refused)");
  }
  // The PUT of those justifications as the key policy at `path`.
  Result<ApiCall> KeyPolicyCall(std::string path) const {
    if (justifications.empty() && !allow_none)
      return InvalidArgumentError("name the justifications to allow, or --none");
    json body = {{"allowed_justifications", justifications}};
    return ApiCall{"PUT", std::move(path), body.dump()};
  }
  // tenant-key external (hold your own key).
  std::string kms_endpoint, kms_ca, kms_key_id, kms_key_name;
  // kms-key (named KMS keys).
  std::string kms_name, kms_description;
  uint32_t kms_rotation_days = 0;
  bool kms_off = false;
  bool kms_send_justification = false;

  void AddTenantCommands(CLI::App& admin);
  void AddUserCommands(CLI::App& admin);
  void AddKeyCommands(CLI::App& admin);
  void AddPolicyCommands(CLI::App& admin);
  void AddTenantKeyCommands(CLI::App& admin);
  void AddKmsKeyCommands(CLI::App& admin);
  void AddServiceCommands(CLI::App& admin);
  void AddAccessCommands(CLI::App& admin);
  void AddResidencyCommands(CLI::App& admin);
  void AddShredCommands(CLI::App& admin);
  void AddBucketKeyCommands(CLI::App& admin);
  void AddReplicationCommands(CLI::App& admin);
  void AddRootKeyCommands(CLI::App& admin);
  void AddBackupCommands(CLI::App& admin);
  void AddScrubCommands(CLI::App& admin);
  int Run();

  // backup start
  std::string backup_path, backup_base;
  bool include_root_key = false;

  // scrub start
  uint64_t scrub_rate_mib = 0;
  CLI::Option* scrub_rate = nullptr;  // not given: the server's --scrub-rate

  // access request|approve|deny|revoke|cancel|cosign|list|show|settings
  std::string request_id, reason, category = "support_case", note;
  std::vector<std::string> buckets, prefixes, operations;
  uint64_t duration = 0, max_duration = 0;

  // residency; replication resync
  std::string bucket, destination;
  std::vector<std::string> jurisdictions;
  bool ciphertext_abroad = false;
};

void AdminCli::State::AddTenantCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("tenant", "Manage tenants (operators)");
  g->require_subcommand(1);
  g->fallthrough();

  CLI::App* create = Leaf(g, "create", "Create a tenant and its root user's access key");
  create->add_option("NAME", tenant, "Tenant id: 2-63 characters of [a-z0-9-]")->required();
  create->add_option("--display-name", display_name, "Display name (default: the id)");
  std::vector<CLI::Option*> create_quotas = AddQuotaFlags(create);
  AddNewKeyFlags(create);
  Add(create, [this, create_quotas]() -> Result<ApiCall> {
    json body = {{"id", tenant}};
    if (!display_name.empty()) body["display_name"] = display_name;
    if (json q = Quotas(create_quotas); !q.empty()) body["quotas"] = q;
    PutNewKey(&body);
    return ApiCall{"POST", AdminPath({"tenants"}), body.dump()};
  }, FormatCreatedTenant);

  Add(Leaf(g, "list", "List tenants"), [] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants"}), ""}); },
      FormatTenantList);

  CLI::App* show = Leaf(g, "show", "Show a tenant");
  show->add_option("NAME", tenant, "Tenant id")->required();
  Add(show, [this] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant}), ""}); }, FormatTenant);

  for (bool suspend : {true, false}) {
    CLI::App* leaf = Leaf(g, suspend ? "suspend" : "resume",
                          suspend ? "Suspend a tenant: every request of its principals is refused"
                                  : "Resume a suspended tenant");
    leaf->add_option("NAME", tenant, "Tenant id")->required();
    Add(leaf, [this, suspend] {
      json body = {{"status", suspend ? "suspended" : "active"}};
      return Result<ApiCall>(ApiCall{"PATCH", AdminPath({"tenants", tenant}), body.dump()});
    }, [this, suspend](const json&) {
      return suspend ? "Suspended tenant " + tenant + ": every request of its principals is now refused.\n"
                     : "Resumed tenant " + tenant + ".\n";
    });
  }

  CLI::App* del = Leaf(g, "delete", "Delete a tenant that owns no bucket, with its users and keys");
  del->add_option("NAME", tenant, "Tenant id")->required();
  Add(del, [this] { return Result<ApiCall>(ApiCall{"DELETE", AdminPath({"tenants", tenant}), ""}); },
      [this](const json&) { return "Deleted tenant " + tenant + ".\n"; });

  CLI::App* usage = Leaf(g, "usage", "Show a tenant's usage (bytes, objects, buckets) and quotas");
  usage->add_option("NAME", tenant, "Tenant id")->required();
  usage->add_flag("--recount", recount, "Also count by listing every object, and compare");
  Add(usage, [this] {
    std::string path = recount ? AdminPath({"tenants", tenant, "usage", "recount"}) : AdminPath({"tenants", tenant, "usage"});
    return Result<ApiCall>(ApiCall{"GET", path, ""});
  }, [](const json& j) {
    std::string out = "tenant " + j.value("tenant", "") + ": " + std::to_string(j.value("bytes", int64_t{0})) +
                      " bytes in " + std::to_string(j.value("objects", int64_t{0})) + " objects, " +
                      std::to_string(j.value("buckets", int64_t{0})) + " buckets\n";
    for (const json& b : j.value("per_bucket", json::array())) {
      const json q = b.value("quota", json::object());
      const uint64_t max_bytes = q.value("max_bytes", uint64_t{0});
      const uint64_t max_objects = q.value("max_objects", uint64_t{0});
      std::string limits;
      if (max_bytes != 0) limits += " of " + std::to_string(max_bytes) + " bytes";
      if (max_objects != 0) limits += std::string(limits.empty() ? " of " : " and ") + std::to_string(max_objects) + " objects";
      out += "  bucket " + b.value("bucket", "") + ": " + std::to_string(b.value("bytes", int64_t{0})) + " bytes in " +
             std::to_string(b.value("objects", int64_t{0})) + " objects" + (limits.empty() ? "" : ", quota" + limits) +
             "\n";
    }
    if (j.contains("throttled")) {
      out += "rate limits refused " + std::to_string(j["throttled"].value("reads", int64_t{0})) + " reads and " +
             std::to_string(j["throttled"].value("writes", int64_t{0})) + " writes since the server started\n";
    }
    if (j.contains("recounted")) {
      out += std::string("recount: ") + std::to_string(j["recounted"].value("bytes", int64_t{0})) + " bytes in " +
             std::to_string(j["recounted"].value("objects", int64_t{0})) + " objects: " +
             (j.value("consistent", false) ? "consistent" : "INCONSISTENT") + "\n";
    }
    return out;
  });

  CLI::App* quota = Leaf(g, "set-quota", "Change a tenant's quotas (those given; 0: unlimited)");
  quota->add_option("NAME", tenant, "Tenant id")->required();
  std::vector<CLI::Option*> quota_opts = AddQuotaFlags(quota);
  Add(quota, [this, quota_opts]() -> Result<ApiCall> {
    json q = Quotas(quota_opts);
    if (q.empty()) return InvalidArgumentError("give at least one of --max-bytes, --max-objects, --max-buckets");
    json body = {{"quotas", q}};
    return ApiCall{"PATCH", AdminPath({"tenants", tenant}), body.dump()};
  }, FormatTenant);

  CLI::App* rate = Leaf(g, "set-rate-limit", "Change a tenant's request rate limits (those given; 0: unlimited)");
  rate->add_option("NAME", tenant, "Tenant id")->required();
  std::vector<CLI::Option*> rate_opts = {
      rate->add_option("--read-ops", read_ops, "GET and HEAD requests per second (0: unlimited)"),
      rate->add_option("--write-ops", write_ops, "Other requests per second (0: unlimited)"),
      rate->add_option("--read-bytes", read_bytes, "Bytes read per second, e.g. 100MiB (0: unlimited)")
          ->transform(CLI::AsSizeValue(/*kb_is_1000=*/true)),
      rate->add_option("--write-bytes", write_bytes, "Bytes written per second, e.g. 50MB (0: unlimited)")
          ->transform(CLI::AsSizeValue(/*kb_is_1000=*/true))};
  Add(rate, [this, rate_opts]() -> Result<ApiCall> {
    json r = json::object();
    const std::pair<const char*, uint64_t> fields[] = {{"read_ops_per_second", read_ops},
                                                       {"write_ops_per_second", write_ops},
                                                       {"read_bytes_per_second", read_bytes},
                                                       {"write_bytes_per_second", write_bytes}};
    for (size_t i = 0; i < rate_opts.size(); ++i) {
      if (rate_opts[i]->count()) r[fields[i].first] = fields[i].second;
    }
    if (r.empty()) {
      return InvalidArgumentError("give at least one of --read-ops, --write-ops, --read-bytes, --write-bytes");
    }
    json body = {{"rate_limits", r}};
    return ApiCall{"PATCH", AdminPath({"tenants", tenant}), body.dump()};
  }, FormatTenant);
}

void AdminCli::State::AddUserCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("user", "Manage a tenant's users");
  g->require_subcommand(1);
  g->fallthrough();
  auto leaf = [&](const std::string& name, const std::string& help, bool with_user) {
    CLI::App* l = Leaf(g, name, help);
    l->add_option("--tenant", tenant, "Tenant id")->required();
    if (with_user) l->add_option("USER", user, "User name")->required();
    return l;
  };

  CLI::App* create = leaf("create", "Create a user with a first access key", true);
  AddNewKeyFlags(create);
  Add(create, [this] {
    json body = {{"name", user}};
    PutNewKey(&body);
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"tenants", tenant, "users"}), body.dump()});
  }, FormatCreatedUser);
  Add(leaf("list", "List a tenant's users", false),
      [this] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "users"}), ""}); },
      FormatUserList);
  Add(leaf("show", "Show a user, its access keys and policy names", true),
      [this] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "users", user}), ""}); },
      FormatUser);
  Add(leaf("delete", "Delete a user and its access keys", true),
      [this] { return Result<ApiCall>(ApiCall{"DELETE", AdminPath({"tenants", tenant, "users", user}), ""}); },
      [this](const json&) { return "Deleted user " + user + " of tenant " + tenant + ".\n"; });
}

void AdminCli::State::AddKeyCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("key", "Manage a user's access keys (at most 2 per user)");
  g->require_subcommand(1);
  g->fallthrough();
  auto leaf = [&](const std::string& name, const std::string& help, bool with_key) {
    CLI::App* l = Leaf(g, name, help);
    l->add_option("--tenant", tenant, "Tenant id")->required();
    l->add_option("--user", user, "User name")->required();
    if (with_key) l->add_option("ACCESS_KEY", key_id, "Access key id")->required();
    return l;
  };
  auto keys_path = [this] { return AdminPath({"tenants", tenant, "users", user, "keys"}); };
  auto key_path = [this] { return AdminPath({"tenants", tenant, "users", user, "keys", key_id}); };

  CLI::App* create = leaf("create", "Create (or, as a second key, rotate) an access key", false);
  AddNewKeyFlags(create);
  Add(create, [this, keys_path] {
    json body = json::object();
    PutNewKey(&body);
    return Result<ApiCall>(ApiCall{"POST", keys_path(), body.dump()});
  }, FormatNewKey);
  Add(leaf("list", "List a user's access keys (never their secrets)", false),
      [keys_path] { return Result<ApiCall>(ApiCall{"GET", keys_path(), ""}); }, FormatKeyList);
  for (bool enable : {false, true}) {
    Add(leaf(enable ? "enable" : "disable", enable ? "Enable an access key" : "Disable an access key", true),
        [key_path, enable] {
          json body = {{"status", enable ? "Active" : "Inactive"}};
          return Result<ApiCall>(ApiCall{"PATCH", key_path(), body.dump()});
        },
        FormatKey);
  }
  Add(leaf("delete", "Delete an access key", true),
      [key_path] { return Result<ApiCall>(ApiCall{"DELETE", key_path(), ""}); },
      [this](const json&) { return "Deleted access key " + key_id + ".\n"; });
}

void AdminCli::State::AddPolicyCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("policy", "Manage a user's identity policies");
  g->require_subcommand(1);
  g->fallthrough();
  auto leaf = [&](const std::string& name, const std::string& help, bool with_name) {
    CLI::App* l = Leaf(g, name, help);
    l->add_option("--tenant", tenant, "Tenant id")->required();
    l->add_option("--user", user, "User name")->required();
    if (with_name) l->add_option("NAME", policy_name, "Policy name")->required();
    return l;
  };
  auto policy_path = [this] { return AdminPath({"tenants", tenant, "users", user, "policies", policy_name}); };

  CLI::App* put = leaf("put", "Create or replace a policy from a JSON document", true);
  put->add_option("--file", file, "The policy document ('-': standard input)")->capture_default_str();
  Add(put, [this, policy_path]() -> Result<ApiCall> {
    ASSIGN_OR_RETURN(std::string doc, ReadDocument(file));
    return ApiCall{"PUT", policy_path(), std::move(doc)};
  }, [this](const json&) { return "Stored policy " + policy_name + " of user " + user + ".\n"; });
  // The document itself is the human output too (it is JSON either way).
  Add(leaf("get", "Print a policy document", true),
      [policy_path] { return Result<ApiCall>(ApiCall{"GET", policy_path(), ""}); },
      [](const json& doc) { return doc.dump(2) + "\n"; });
  Add(leaf("list", "List a user's policy names", false),
      [this] {
        return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "users", user, "policies"}), ""});
      },
      FormatPolicyNames);
  Add(leaf("delete", "Delete a policy", true),
      [policy_path] { return Result<ApiCall>(ApiCall{"DELETE", policy_path(), ""}); },
      [this](const json&) { return "Deleted policy " + policy_name + " of user " + user + ".\n"; });
}

// "allowed justifications: A, B\n" of a key's state document.
static std::string AllowedJustificationsLine(const json& j) {
  std::string allowed;
  for (const json& name : j.value("allowed_justifications", json::array())) {
    allowed += (allowed.empty() ? "" : ", ") + name.get<std::string>();
  }
  return "allowed justifications: " + (allowed.empty() ? std::string("none") : allowed) + "\n";
}

// The deletion receipt of a destroy's reply, or why there is none.
static std::string ReceiptLines(const json& j) {
  if (j.contains("receipt")) {
    return "\nDeletion receipt, signed by the server's log key (check it with `confiance log verify-receipt`):\n\n" +
           j.value("receipt", "");
  }
  if (j.contains("receipt_error")) return "no deletion receipt: " + j.value("receipt_error", "") + "\n";
  return "";
}

// The tenant key (docs/keys.md): its state for operators and the tenant's
// root; its key policy and destruction for the tenant's root only.
void AdminCli::State::AddTenantKeyCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("tenant-key", "A tenant's key: state, allowed justifications, destruction");
  g->require_subcommand(1);
  g->fallthrough();
  auto format = [](const json& j) {
    std::string out = "tenant " + j.value("tenant", "") + ": key " + j.value("state", "") + "\n";
    if (j.contains("provider_key_id")) out += "wrapped under provider key " + j.value("provider_key_id", "") + "\n";
    if (j.contains("external")) {
      out += "in the tenant's KMS at " + j["external"].value("endpoint", "") +
             (j["external"].value("send_justification", false) ? " (told the justification of each use)" : "") + "\n";
    }
    return out + AllowedJustificationsLine(j);
  };

  CLI::App* show = Leaf(g, "show", "Show a tenant key's state and the justifications it allows");
  show->add_option("NAME", tenant, "Tenant id")->required();
  Add(show, [this] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "key"}), ""}); }, format);

  CLI::App* allow = Leaf(g, "allow", "Set the key-access justifications the tenant allows (tenant root)");
  allow->add_option("NAME", tenant, "Tenant id")->required();
  AddJustificationArgs(allow);
  Add(allow, [this] { return KeyPolicyCall(AdminPath({"tenants", tenant, "key", "policy"})); }, format);

  CLI::App* destroy = Leaf(g, "destroy", "Destroy a tenant's key: all its data becomes unreadable, for good (tenant root)");
  destroy->add_option("NAME", tenant, "Tenant id")->required();
  destroy->add_option("--confirm", confirm, "The tenant id again, to confirm")->required();
  Add(destroy, [this] {
    json body = {{"confirm", confirm}};
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"tenants", tenant, "key", "destroy"}), body.dump()});
  }, [format](const json& j) { return format(j) + ReceiptLines(j); });

  // Rotation (rewrap only): a new key version, a background job rewrapping
  // every bucket key under it, then the old version retired.
  auto rotation_format = [](const json& j) {
    return "tenant " + j.value("tenant", "") + ": rotation " + j.value("state", "") + ", version " +
           Count(j, "from_version") + " -> " + Count(j, "to_version") + ", " +
           Count(j, "buckets_done") + " of " + Count(j, "buckets_total") +
           " bucket keys rewrapped" + (j.contains("error") ? " (" + j.value("error", "") + ")" : "") + "\n";
  };
  CLI::App* rotate = Leaf(g, "rotate", "Rotate a tenant's key: new version, bucket keys rewrapped, old version retired");
  rotate->add_option("NAME", tenant, "Tenant id")->required();
  Add(rotate, [this] {
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"tenants", tenant, "key", "rotate"}), ""});
  }, rotation_format);
  // Hold your own key: the tenant key wrapped by a key in the tenant's own
  // KMIP KMS (or, --off, by the server's provider again); a rotation.
  CLI::App* external = Leaf(g, "external",
                            "Wrap a tenant's key with a key in its own KMIP KMS, or --off (tenant root; a rotation)");
  external->add_option("NAME", tenant, "Tenant id")->required();
  CLI::Option* ep = external->add_option("--endpoint", kms_endpoint, "The tenant's KMS, HOST:PORT (the operator must allow it)");
  CLI::Option* ca = external->add_option("--ca", kms_ca, "PEM file: the CA the KMS's certificate must chain to");
  CLI::Option* kid = external->add_option("--key-id", kms_key_id, "The key's Unique Identifier in that KMS");
  CLI::Option* kname = external->add_option("--key-name", kms_key_name, "Or the key's name there (one key only)");
  CLI::Option* off = external->add_flag("--off", kms_off, "Wrap the tenant's key by the server's key provider again");
  CLI::Option* sj = external->add_flag("--send-justification", kms_send_justification,
                                       "Tell the KMS why each unwrap is done (a KMIP message extension, docs/kmip.md)");
  kid->excludes(kname);
  off->excludes(ep)->excludes(ca)->excludes(kid)->excludes(kname)->excludes(sj);
  Add(external, [this]() -> Result<ApiCall> {
    const std::string path = AdminPath({"tenants", tenant, "key", "external"});
    if (kms_off) return ApiCall{"DELETE", path, ""};
    if (kms_endpoint.empty() || kms_ca.empty() || (kms_key_id.empty() && kms_key_name.empty())) {
      return InvalidArgumentError("give --endpoint, --ca and --key-id (or --key-name), or --off");
    }
    ASSIGN_OR_RETURN(std::string pem, ReadDocument(kms_ca));
    json body = {{"endpoint", kms_endpoint}, {"ca_pem", pem}};
    if (!kms_key_id.empty()) body["key_id"] = kms_key_id;
    else body["key_name"] = kms_key_name;
    if (kms_send_justification) body["send_justification"] = true;
    return ApiCall{"PUT", path, body.dump()};
  }, rotation_format);
  CLI::App* rotation = Leaf(g, "rotation", "Show the progress of a tenant key's rotation");
  rotation->add_option("NAME", tenant, "Tenant id")->required();
  Add(rotation, [this] {
    return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "key", "rotation"}), ""});
  }, rotation_format);
}

// A tenant's named KMS keys (docs/keys.md "Named KMS keys"), for SSE-KMS:
// listed and shown for operators and the tenant's root; made, restricted,
// rotated and destroyed by the tenant's root only.
void AdminCli::State::AddKmsKeyCommands(CLI::App& admin) {
  CLI::App* g =
      admin.add_subcommand("kms-key", "A tenant's named KMS keys for SSE-KMS: create, list, policy, rotate, schedule, destroy");
  g->require_subcommand(1);
  g->fallthrough();
  auto format = [](const json& j) {
    std::string out =
        "KMS key " + j.value("key_id", "") + " (" + j.value("arn", "") + "): " + j.value("state", "") + "\n";
    if (j.contains("description")) out += "description: " + j.value("description", "") + "\n";
    // After a rotation: which version new objects get, and that the older
    // ones still open theirs.
    if (j.value("version", 1) > 1) {
      out += "version: " + std::to_string(j.value("version", 1)) + " (older versions kept for the objects under them)\n";
    }
    if (j.contains("rotation_period_days")) {
      out += "rotated every " + std::to_string(j.value("rotation_period_days", 0)) + " days\n";
    }
    return out + AllowedJustificationsLine(j);
  };
  auto key_path = [this](std::initializer_list<std::string> rest) {
    std::vector<std::string> parts{"tenants", tenant, "kms-keys", kms_name};
    parts.insert(parts.end(), rest);
    return AdminPath(parts);
  };

  CLI::App* create = Leaf(g, "create", "Create a named KMS key (tenant root)");
  create->add_option("TENANT", tenant, "Tenant id")->required();
  create->add_option("NAME", kms_name, "Key name: 1-64 of A-Z, a-z, 0-9, '-', '_'")->required();
  create->add_option("--description", kms_description, "What the key is for (at most 256 bytes)");
  Add(create, [this, key_path] {
    json body = json::object();
    if (!kms_description.empty()) body["description"] = kms_description;
    return Result<ApiCall>(ApiCall{"POST", key_path({}), body.dump()});
  }, format);

  CLI::App* list = Leaf(g, "list", "List a tenant's named KMS keys");
  list->add_option("TENANT", tenant, "Tenant id")->required();
  Add(list, [this] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "kms-keys"}), ""}); },
      [format](const json& j) {
        std::string out;
        for (const json& k : j.value("keys", json::array())) out += format(k);
        return out.empty() ? "tenant " + j.value("tenant", "") + " has no named KMS key\n" : out;
      });

  CLI::App* show = Leaf(g, "show", "Show a named KMS key");
  show->add_option("TENANT", tenant, "Tenant id")->required();
  show->add_option("NAME", kms_name, "Key name")->required();
  Add(show, [key_path] { return Result<ApiCall>(ApiCall{"GET", key_path({}), ""}); }, format);

  CLI::App* allow = Leaf(g, "allow", "Set the key-access justifications a named KMS key allows (tenant root)");
  allow->add_option("TENANT", tenant, "Tenant id")->required();
  allow->add_option("NAME", kms_name, "Key name")->required();
  AddJustificationArgs(allow);
  Add(allow, [this, key_path] { return KeyPolicyCall(key_path({"policy"})); }, format);

  CLI::App* rotate = Leaf(
      g, "rotate", "Rotate a named KMS key: new objects get a new version, older ones keep theirs (tenant root)");
  rotate->add_option("TENANT", tenant, "Tenant id")->required();
  rotate->add_option("NAME", kms_name, "Key name")->required();
  Add(rotate, [key_path] { return Result<ApiCall>(ApiCall{"POST", key_path({"rotate"}), ""}); }, format);

  CLI::App* schedule =
      Leaf(g, "schedule", "Rotate a named KMS key every N days, or only on request with 0 (tenant root)");
  schedule->add_option("TENANT", tenant, "Tenant id")->required();
  schedule->add_option("NAME", kms_name, "Key name")->required();
  schedule->add_option("--every-days", kms_rotation_days, "Days between rotations: 1 to 2560; 0 = on request only")
      ->required();
  Add(schedule, [this, key_path] {
    json body = {{"period_days", kms_rotation_days}};
    return Result<ApiCall>(ApiCall{"PUT", key_path({"rotation"}), body.dump()});
  }, format);

  CLI::App* destroy =
      Leaf(g, "destroy", "Destroy a named KMS key: every object under it becomes unreadable, for good (tenant root)");
  destroy->add_option("TENANT", tenant, "Tenant id")->required();
  destroy->add_option("NAME", kms_name, "Key name")->required();
  destroy->add_option("--confirm", confirm, "The key's name again, to confirm")->required();
  Add(destroy, [this, key_path] {
    json body = {{"confirm", confirm}};
    return Result<ApiCall>(ApiCall{"POST", key_path({"destroy"}), body.dump()});
  }, [format](const json& j) { return format(j) + ReceiptLines(j); });
}

void AdminCli::State::AddServiceCommands(CLI::App& admin) {
  CLI::App* ops = admin.add_subcommand("operator", "Operator principals");
  ops->require_subcommand(1);
  ops->fallthrough();
  Add(Leaf(ops, "list", "List operators"),
      [] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"operators"}), ""}); }, FormatOperatorList);
  CLI::App* create = Leaf(ops, "create", "Create an operator principal with a first access key (operators)");
  create->add_option("NAME", user, "Operator name: 1-64 characters of [A-Za-z0-9+=,.@_-]")->required();
  AddNewKeyFlags(create);
  Add(create, [this] {
    json body = {{"name", user}};
    PutNewKey(&body);
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"operators"}), body.dump()});
  }, [](const json& j) {
    const json& c = j.value("credentials", json::object());
    return "Created operator " + j.value("operator", json::object()).value("name", "") +
           "; its credentials (shown only now):\n  access key: " + c.value("access_key", "") +
           "\n  secret key: " + c.value("secret_key", "") + "\n";
  });
  CLI::App* whoami = admin.add_subcommand("whoami", "Show the principal of the credentials in use");
  whoami->fallthrough();
  Add(whoami, [] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"whoami"}), ""}); }, FormatWhoAmI);
}

// The lockbox (docs/admin-api.md "Operator access requests"): operators
// ask, cancel and co-sign break-glass requests; a tenant's root approves,
// denies and revokes.
void AdminCli::State::AddAccessCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("access", "Operator access to tenant data: requests and approvals (lockbox)");
  g->require_subcommand(1);
  g->fallthrough();
  auto one = [](const json& r) {
    std::string out = r.value("id", "") + ": " + r.value("state", "") + ", operator " + r.value("operator", "") +
                      ", tenant " + r.value("tenant", "") + ", " + r.value("category", "") + ", operations";
    for (const json& op : r.value("operations", json::array())) out += " " + op.get<std::string>();
    out += ", buckets";
    for (const json& b : r.value("buckets", json::array())) out += " " + b.get<std::string>();
    if (r.contains("approved_until")) out += ", until " + r.value("approved_until", "");
    if (r.contains("signers")) {
      out += ", signed by " + std::to_string(r["signers"].size()) + " of " + Count(r, "quorum");
    }
    return out + "\n";
  };

  CLI::App* request = Leaf(g, "request", "Ask a tenant for access to its data (operators)");
  request->add_option("--tenant", tenant, "Tenant id")->required();
  request->add_option("--bucket", buckets, "A bucket in scope (repeatable; '*': every bucket of the tenant)");
  request->add_option("--prefix", prefixes, "A key prefix in scope (repeatable; default: every key)");
  request->add_option("--operation", operations, "read, list, write, delete or keys (repeatable)")->required();
  request->add_option("--reason", reason, "Why (free text)")->required();
  request->add_option("--category", category, "support_case, incident, legal_order or break_glass")
      ->capture_default_str();
  request->add_option("--duration", duration, "Seconds of access asked for")->required();
  Add(request, [this] {
    json body = {{"tenant", tenant}, {"buckets", buckets}, {"prefixes", prefixes}, {"operations", operations},
                 {"reason", reason}, {"category", category}, {"duration_seconds", duration}};
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"access-requests"}), body.dump()});
  }, one);

  Add(Leaf(g, "list", "List access requests (operators: their own and break-glass ones; a tenant root: its tenant's)"),
      [] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"access-requests"}), ""}); },
      [one](const json& j) {
        std::string out;
        for (const json& r : j.value("access_requests", json::array())) out += one(r);
        return out.empty() ? std::string("no access requests\n") : out;
      });
  CLI::App* show = Leaf(g, "show", "Show an access request");
  show->add_option("ID", request_id, "Access request id")->required();
  Add(show, [this] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"access-requests", request_id}), ""}); },
      [](const json& j) { return j.dump(2) + "\n"; });

  struct Action {
    const char* name;
    const char* help;
    bool with_note;
  };
  static constexpr Action kActions[] = {
      {"approve", "Approve a pending request (tenant root)", false},
      {"deny", "Deny a pending request (tenant root)", true},
      {"revoke", "End a request or an approval now (tenant root, or the requesting operator)", true},
      {"cancel", "Give up your own request (the requesting operator)", true},
      {"cosign", "Co-sign a break-glass request (another operator)", false},
  };
  for (const Action& a : kActions) {
    CLI::App* leaf = Leaf(g, a.name, a.help);
    leaf->add_option("ID", request_id, "Access request id")->required();
    CLI::Option* dur = nullptr;
    if (a.with_note) leaf->add_option("--note", note, "A note kept with the decision");
    if (std::string_view(a.name) == "approve") {
      dur = leaf->add_option("--duration", duration, "Grant fewer seconds than asked");
    }
    std::string action = a.name;
    Add(leaf, [this, action, dur] {
      json body = json::object();
      if (dur != nullptr && dur->count()) body["duration_seconds"] = duration;
      if (!note.empty()) body["note"] = note;
      return Result<ApiCall>(ApiCall{"POST", AdminPath({"access-requests", request_id, action}), body.dump()});
    }, one);
  }

  CLI::App* settings = Leaf(g, "settings", "Show, or with --max-duration set, a tenant's maximum approval");
  settings->add_option("TENANT", tenant, "Tenant id")->required();
  CLI::Option* max = settings->add_option("--max-duration", max_duration, "Longest approval in seconds (tenant root)");
  Add(settings, [this, max] {
    if (!max->count()) return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "access-settings"}), ""});
    json body = {{"max_approval_seconds", max_duration}};
    return Result<ApiCall>(ApiCall{"PUT", AdminPath({"tenants", tenant, "access-settings"}), body.dump()});
  }, [](const json& j) {
    return "tenant " + j.value("tenant", "") + ": approvals last at most " +
           Count(j, "max_approval_seconds") + " seconds\n";
  });
}

namespace {
// j[name] if j is an object that has it, else null (iterates as empty).
// (json::value(name, json::object()) temporaries trip g++ 12's
// -Wmaybe-uninitialized inside nlohmann's iterators.)
const json& Member(const json& j, const char* name) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(name);
  return it == j.end() ? kNull : *it;
}
}  // namespace

// The embedded root key's rotation (operators; admin/root_key_rotation.h).
void AdminCli::State::AddRootKeyCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("root-key", "The embedded keystore's root key: rotation (operators)");
  g->require_subcommand(1);
  g->fallthrough();
  auto format = [](const json& j) {
    std::string from;
    for (const json& id : j.value("from_key_ids", json::array())) from += (from.empty() ? "" : ",") + id.get<std::string>();
    return "root key rotation " + j.value("state", "") + ": " + (from.empty() ? "" : from + " -> ") +
           j.value("to_key_id", "") + ", " + Count(j, "records_done") + " of " +
           Count(j, "records_total") + " records checked in pass " +
           Count(j, "passes") + ", " + Count(j, "records_rewrapped") +
           " rewrapped" + (j.contains("error") ? " (" + j.value("error", "") + ")" : "") + "\n";
  };
  CLI::App* rotate = Leaf(g, "rotate", "Rotate the root key: new version, every key it wraps rewrapped, old version retired");
  rotate->add_flag("--wait", wait_for_job, "Wait for the rotation to finish; exit 1 if it fails");
  Add(rotate, [] { return Result<ApiCall>(ApiCall{"POST", AdminPath({"root-key", "rotate"}), ""}); }, format);
  commands.back().progress = ApiCall{"GET", AdminPath({"root-key", "rotation"}), ""};
  Add(Leaf(g, "rotation", "Show the progress of the root key's rotation"),
      [] { return Result<ApiCall>(ApiCall{"GET", AdminPath({"root-key", "rotation"}), ""}); }, format);
}

// Online backups of the whole service (operators; docs/backup.md).
void AdminCli::State::AddBackupCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("backup", "Online backup of the data directory: metadata, blobs (operators)");
  g->require_subcommand(1);
  g->fallthrough();
  auto format = [](const json& j) { return FormatBackupProgress(j); };
  const ApiCall progress{"GET", AdminPath({"backup"}), ""};
  CLI::App* start = Leaf(g, "start", "Write a consistent copy of the service into a new directory on the server's host");
  start->add_option("PATH", backup_path, "Absolute path of the new backup directory (its parent must exist)")
      ->required();
  start->add_flag("--include-root-key", include_root_key,
                  "Also copy the embedded keystore's root key (default: ciphertext only; keep the key apart)");
  start->add_option("--base", backup_base,
                    "An earlier backup on the same file system: link the blob files it holds instead of copying "
                    "them (incremental)");
  start->add_flag("--wait", wait_for_job, "Wait for the backup to finish; exit 1 if it fails");
  Add(start, [this] {
    json body = {{"path", backup_path}, {"include_root_key", include_root_key}};
    if (!backup_base.empty()) body["base"] = backup_base;
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"backup"}), body.dump()});
  }, format);
  commands.back().progress = progress;
  Add(Leaf(g, "status", "Show the progress of the last backup"), [progress] { return Result<ApiCall>(progress); },
      format);
}

// The online scrub (operators; docs/operations.md, "Scrubbing"). The group
// is also the offline `admin scrub --data DIR` (main/confiance.cc adds its
// options): without a subcommand it reads a stopped server's directory.
void AdminCli::State::AddScrubCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand(
      "scrub",
      "Read back and verify every object; report damaged ones: start|status|stop on a running server, or --data DIR "
      "(server stopped)");
  g->require_subcommand(0, 1);
  g->fallthrough();
  auto format = [](const json& j) { return FormatScrubProgress(j); };
  const ApiCall progress{"GET", AdminPath({"scrub"}), ""};
  CLI::App* start = Leaf(g, "start", "Scrub the running server's objects at a bounded rate");
  scrub_rate = start->add_option("--rate", scrub_rate_mib,
                                 "MiB of data verified per second at most (0: unlimited; default: the server's "
                                 "--scrub-rate)");
  start->add_flag("--wait", wait_for_job, "Wait for the scrub to finish; exit 1 if it fails or finds damage");
  Add(start, [this] {
    json body = json::object();
    if (scrub_rate->count() > 0) body["max_bytes_per_second"] = scrub_rate_mib * 1024 * 1024;
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"scrub"}), body.dump()});
  }, format);
  commands.back().progress = progress;
  commands.back().ended_badly = [](const json& j) {
    return j.value("damaged_objects", uint64_t{0}) > 0 || j.value("state", "") == "stopped";
  };
  Add(Leaf(g, "status", "Show the progress of the last scrub and the damaged objects it found"),
      [progress] { return Result<ApiCall>(progress); }, format);
  Add(Leaf(g, "stop", "Stop the running scrub"),
      [] { return Result<ApiCall>(ApiCall{"DELETE", AdminPath({"scrub"}), ""}); }, format);
}

// Bucket shred and the reclamation after shreds (docs/keys.md).
// Bucket-key rotation (rewrap only): a new version of one bucket's key, a
// background job rewrapping its data keys under it, the old one retired.
void AdminCli::State::AddBucketKeyCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("bucket-key", "A bucket's key: rotate (tenant root or operator)");
  g->require_subcommand(1);
  g->fallthrough();
  auto format = [](const json& j) {
    return "bucket " + j.value("bucket", "") + " of tenant " + j.value("tenant", "") + ": rotation " +
           j.value("state", "") + ", version " + Count(j, "from_version") + " -> " +
           Count(j, "to_version") + ", " + Count(j, "objects_done") + " of " +
           Count(j, "objects_total") + " object(s) and " + Count(j, "parts_done") +
           " part(s) under the new version, " + Count(j, "rewrapped") + " data key(s) rewrapped" +
           (j.contains("error") ? " (" + j.value("error", "") + ")" : "") + "\n";
  };
  CLI::App* rotate =
      Leaf(g, "rotate", "Rotate a bucket's key: new version, data keys rewrapped (blobs untouched), old version retired");
  rotate->add_option("BUCKET", bucket, "Bucket name")->required();
  rotate->add_option("--tenant", tenant, "The owning tenant")->required();
  Add(rotate, [this] {
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"tenants", tenant, "buckets", bucket, "key", "rotate"}), ""});
  }, format);
  CLI::App* rotation = Leaf(g, "rotation", "Show the progress of a bucket key's rotation");
  rotation->add_option("BUCKET", bucket, "Bucket name")->required();
  rotation->add_option("--tenant", tenant, "The owning tenant")->required();
  Add(rotation, [this] {
    return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "buckets", bucket, "key", "rotation"}), ""});
  }, format);
}

// Bucket replication (docs/replication.md): copy a bucket's versions again
// to a destination that lost them.
void AdminCli::State::AddReplicationCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("replication", "A bucket's replication: resync (tenant root or operator)");
  g->require_subcommand(1);
  g->fallthrough();
  CLI::App* resync = Leaf(g, "resync",
                          "Copy every version of a bucket again to one of its replication destinations "
                          "(one that lost its copies); versions it still holds are not sent again");
  resync->add_option("BUCKET", bucket, "Bucket name")->required();
  resync->add_option("DESTINATION", destination, "The destination's name (as in its ARN)")->required();
  resync->add_option("--tenant", tenant, "The owning tenant")->required();
  Add(resync, [this] {
    return Result<ApiCall>(
        ApiCall{"POST", AdminPath({"tenants", tenant, "buckets", bucket, "replication", destination, "resync"}), ""});
  }, [](const json& j) {
    return "bucket " + j.value("bucket", "") + " of tenant " + j.value("tenant", "") + ": resync to " +
           j.value("arn", "") + " " + j.value("state", "") + " (the replication worker copies; see the tenant's log)\n";
  });
}

void AdminCli::State::AddShredCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("bucket", "A bucket: quota (tenant root or operator), shred (tenant root)");
  g->require_subcommand(1);
  g->fallthrough();
  auto quota_format = [](const json& j) {
    const json& q = Member(j, "quota");
    const json& u = Member(j, "usage");
    auto limit = [](const json& v) {
      return v.is_number() && v.get<uint64_t>() != 0 ? v.dump() : std::string("unlimited");
    };
    return "bucket " + j.value("bucket", "") + " of tenant " + j.value("tenant", "") + ": " +
           Member(u, "bytes").dump() + " bytes in " + Member(u, "objects").dump() + " objects; quota " +
           limit(Member(q, "max_bytes")) + " bytes, " + limit(Member(q, "max_objects")) + " objects\n";
  };
  CLI::App* quota = Leaf(g, "quota", "Show a bucket's quota and usage");
  quota->add_option("BUCKET", bucket, "Bucket name")->required();
  quota->add_option("--tenant", tenant, "The owning tenant")->required();
  Add(quota, [this] {
    return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "buckets", bucket, "quota"}), ""});
  }, quota_format);
  CLI::App* set_quota =
      Leaf(g, "set-quota", "Change a bucket's quota (those given; 0: unlimited), inside the tenant's");
  set_quota->add_option("BUCKET", bucket, "Bucket name")->required();
  set_quota->add_option("--tenant", tenant, "The owning tenant")->required();
  std::vector<CLI::Option*> quota_opts = {
      set_quota->add_option("--max-bytes", max_bytes, "Byte quota, e.g. 50GiB or 1TB (0: unlimited)")
          ->transform(CLI::AsSizeValue(/*kb_is_1000=*/true)),
      set_quota->add_option("--max-objects", max_objects, "Object quota (0: unlimited)")};
  Add(set_quota, [this, quota_opts]() -> Result<ApiCall> {
    json body = json::object();
    if (quota_opts[0]->count()) body["max_bytes"] = max_bytes;
    if (quota_opts[1]->count()) body["max_objects"] = max_objects;
    if (body.empty()) return InvalidArgumentError("give at least one of --max-bytes, --max-objects");
    return ApiCall{"PATCH", AdminPath({"tenants", tenant, "buckets", bucket, "quota"}), body.dump()};
  }, quota_format);
  auto job_format = [](const json& p) {
    std::string what = p.value("scope", "") == "bucket" ? "bucket " + p.value("bucket", "") : "tenant";
    return what + ": reclamation " + p.value("state", "") + ", " + Count(p, "buckets_done") +
           " of " + Count(p, "buckets_total") + " bucket(s), " +
           Count(p, "objects_removed") + " object record(s), " +
           Count(p, "uploads_removed") + " upload(s), " +
           Count(p, "blobs_freed") + " blob(s) freed" +
           (p.contains("error") ? " (" + p.value("error", "") + ")" : "") + "\n";
  };
  CLI::App* shred = Leaf(g, "shred", "Shred a bucket: its key destroyed, its objects unreadable for good, then removed");
  shred->add_option("BUCKET", bucket, "Bucket name")->required();
  shred->add_option("--tenant", tenant, "The owning tenant")->required();
  shred->add_option("--confirm", confirm, "The bucket name again, to confirm")->required();
  Add(shred, [this] {
    json body = {{"confirm", confirm}};
    return Result<ApiCall>(ApiCall{"POST", AdminPath({"tenants", tenant, "buckets", bucket, "shred"}), body.dump()});
  }, [job_format](const json& j) {
    std::string out = "bucket " + j.value("bucket", "") + " of tenant " + j.value("tenant", "") +
                      ": shredded (key destroyed)\n";
    if (j.contains("reclamation")) out += job_format(j["reclamation"]);
    if (j.contains("receipt")) {
      out += "\nDeletion receipt, signed by the server's log key (check it with `confiance log verify-receipt`):\n\n" +
             j.value("receipt", "");
    } else if (j.contains("receipt_error")) {
      out += "no deletion receipt: " + j.value("receipt_error", "") + "\n";
    }
    return out;
  });
  CLI::App* reclamation = Leaf(g, "reclamation", "Show the reclamation jobs after a tenant's or bucket's shred");
  reclamation->add_option("--tenant", tenant, "Tenant id")->required();
  Add(reclamation, [this] {
    return Result<ApiCall>(ApiCall{"GET", AdminPath({"tenants", tenant, "reclamation"}), ""});
  }, [job_format](const json& j) {
    std::string out;
    for (const json& p : j.value("jobs", json::array())) out += job_format(p);
    return out.empty() ? std::string("no reclamation job\n") : out;
  });
}

// Data residency (docs/SOVEREIGNTY.md): rules, report, migration.
void AdminCli::State::AddResidencyCommands(CLI::App& admin) {
  CLI::App* g = admin.add_subcommand("residency", "Data residency: rules, per-bucket report, migration");
  g->require_subcommand(1);
  g->fallthrough();
  auto path = [this](std::initializer_list<std::string> tail) {
    std::vector<std::string> parts = {"tenants", tenant};
    if (!bucket.empty()) {
      parts.push_back("buckets");
      parts.push_back(bucket);
    }
    parts.push_back("residency");
    for (const std::string& t : tail) parts.push_back(t);
    return AdminPath(parts);
  };
  auto rule_path = [this, path] { return bucket.empty() ? path({}) : path({"rule"}); };
  auto misplaced = [](const json& j) {
    std::string out;
    for (const auto& [b, n] : Member(j, "misplaced").items()) {
      out += "bucket " + b + ": " + n.dump() + " object(s) misplaced\n";
    }
    return out;
  };
  auto format_rule = [misplaced](const json& j) {
    std::string out = "rule: " + Member(j, "rule").dump() + "\n";
    if (j.contains("effective")) out += "effective: " + j["effective"].dump() + "\n";
    if (j.contains("write_pool")) out += "new data goes to pool " + j.value("write_pool", "") + "\n";
    // The tenant's reply lists the pools: where each is and what it holds.
    for (const json& p : j.value("pools", json::array())) {
      const json& backend = Member(p, "backend");
      std::string where = backend.value("kind", "") == "rados"
                              ? "RADOS pool " + backend.value("rados_pool", "") +
                                    (backend.value("rados_namespace", "").empty()
                                         ? std::string()
                                         : " namespace " + backend.value("rados_namespace", ""))
                              : "local directory";
      out += "pool " + p.value("name", "") + ": " + p.value("jurisdiction", "") + ", class " +
             p.value("storage_class", "") + ", " + where +
             (p.value("ciphertext_only", false) ? ", ciphertext only" : "") +
             (p.value("default", false) ? ", default" : "") + "\n";
    }
    return out + misplaced(j);
  };
  auto scope = [this](CLI::App* leaf, bool bucket_required) {
    leaf->add_option("--tenant", tenant, "Tenant id")->required();
    CLI::Option* b = leaf->add_option("--bucket", bucket, "Bucket name");
    if (bucket_required) b->required();
  };

  CLI::App* show = Leaf(g, "show", "Show the tenant's ceiling, or a bucket's rule (--bucket)");
  scope(show, false);
  Add(show, [rule_path] { return Result<ApiCall>(ApiCall{"GET", rule_path(), ""}); }, format_rule);

  CLI::App* set = Leaf(g, "set", "Set the tenant's ceiling (operators) or a bucket's rule (--bucket; tenant root)");
  scope(set, false);
  set->add_option("--jurisdiction", jurisdictions, "Allowed jurisdiction (ISO code or EU); repeatable")->required();
  set->add_flag("--ciphertext-abroad", ciphertext_abroad, "Also allow ciphertext-only pools outside them");
  Add(set, [this, rule_path] {
    json body = {{"jurisdictions", jurisdictions}, {"ciphertext_abroad", ciphertext_abroad}};
    return Result<ApiCall>(ApiCall{"PUT", rule_path(), body.dump()});
  }, format_rule);

  CLI::App* clear = Leaf(g, "clear", "Remove the tenant's ceiling or a bucket's rule (--bucket)");
  scope(clear, false);
  Add(clear, [rule_path] { return Result<ApiCall>(ApiCall{"DELETE", rule_path(), ""}); }, format_rule);

  CLI::App* report = Leaf(g, "report", "Where every object of a bucket is stored: pools, jurisdictions, totals");
  scope(report, true);
  Add(report, [path] { return Result<ApiCall>(ApiCall{"GET", path({}), ""}); }, [](const json& j) {
    std::string out;
    for (const json& o : Member(j, "objects")) {
      std::string pools, where;
      for (const json& p : Member(o, "pools")) pools += (pools.empty() ? "" : ",") + p.get<std::string>();
      for (const json& p : Member(o, "jurisdictions")) where += (where.empty() ? "" : ",") + p.get<std::string>();
      out += o.value("key", "") + " " + o.value("version_id", "") + " pool=" + pools + " jurisdiction=" + where +
             (o.value("misplaced", false) ? " MISPLACED" : "") + "\n";
    }
    const json& totals = Member(j, "totals");
    for (const auto& [name, t] : Member(totals, "by_pool").items()) {
      out += "pool " + name + ": " + Member(t, "objects").dump() + " objects, " + Member(t, "blobs").dump() +
             " blobs, " + Member(t, "bytes").dump() + " bytes\n";
    }
    out += "objects: " + Member(totals, "objects").dump() + ", misplaced: " + Member(totals, "misplaced").dump() +
           "\nsummary sha256: " + j.value("summary_sha256", "") + " (recorded in the tenant's transparency log)\n";
    return out;
  });

  CLI::App* migrate = Leaf(g, "migrate", "Move misplaced data to an allowed pool (a bucket, or all the tenant's)");
  scope(migrate, false);
  Add(migrate, [path] { return Result<ApiCall>(ApiCall{"POST", path({"migrate"}), ""}); }, [misplaced](const json& j) {
    const json& t = Member(j, "totals");
    return "moved " + Member(t, "objects_moved").dump() + " object(s), " + Member(t, "blobs_moved").dump() +
           " blob(s), " + Member(t, "bytes_moved").dump() + " bytes; skipped (changed meanwhile) " +
           Member(t, "skipped_changed").dump() + ", failed " + Member(t, "failed").dump() + "\n" + misplaced(j);
  });
}

int AdminCli::State::Run() {
  const Command* chosen = Chosen();
  Result<ApiCall> call = chosen->build();
  if (!call.ok()) {
    std::fprintf(stderr, "confiance: %s\n", call.status().message().c_str());
    return kExitUsage;
  }
  if (access_key.empty() || secret_key.empty()) {
    std::fprintf(stderr,
                 "confiance: credentials needed: --access-key and --secret-key, or CONFIANCE_ACCESS_KEY and "
                 "CONFIANCE_SECRET_KEY\n");
    return kExitUsage;
  }
  Result<Endpoint> endpoint_parsed = ParseEndpoint(endpoint);
  if (!endpoint_parsed.ok()) {
    std::fprintf(stderr, "confiance: --endpoint %s: %s\n", endpoint.c_str(),
                 endpoint_parsed.status().message().c_str());
    return kExitUsage;
  }
  endpoint_parsed->ca_file = ca_bundle;
  AdminClient client(*endpoint_parsed, SigningCredentials{access_key, secret_key, region});
  Result<HttpReply> reply = client.Call(call->method, call->path, call->body);
  json doc;
  for (bool first = true;; first = false) {
    if (!first) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      reply = client.Call(chosen->progress->method, chosen->progress->path, chosen->progress->body);
    }
    if (!reply.ok()) {
      std::fprintf(stderr, "confiance: %s\n", reply.status().message().c_str());
      return reply.status().code() == StatusCode::kUnavailable ? kExitUnreachable : kExitUsage;
    }
    if (reply->status >= 300) {
      if (json_output) std::fputs(reply->body.c_str(), stdout);
      std::fprintf(stderr, "confiance: %s\n", FormatApiError(reply->status, reply->body).c_str());
      return kExitApiError;
    }
    doc = reply->body.empty() ? json::object() : json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
    const bool running = doc.is_object() && doc.value("state", "") == "running";
    if (!(wait_for_job && chosen->progress && running)) break;
  }
  if (json_output) {
    std::fputs(reply->body.c_str(), stdout);
  } else {
    std::fputs(chosen->human(doc).c_str(), stdout);
  }
  const bool failed =
      doc.is_object() && (doc.value("state", "") == "failed" || (chosen->ended_badly && chosen->ended_badly(doc)));
  return wait_for_job && chosen->progress && failed ? kExitApiError : kExitOk;
}

AdminCli::AdminCli(CLI::App& admin) : state_(std::make_unique<State>()) {
  State& s = *state_;
  admin.add_option("--endpoint", s.endpoint, "Admin API endpoint URL")
      ->envname("CONFIANCE_ENDPOINT")
      ->capture_default_str();
  admin.add_option("--ca-bundle", s.ca_bundle, "PEM file of the CAs to trust for an https:// endpoint (default: the system's)")
      ->envname("CONFIANCE_CA_BUNDLE");
  admin.add_option("--access-key", s.access_key, "Access key id of the caller")->envname("CONFIANCE_ACCESS_KEY");
  admin.add_option("--secret-key", s.secret_key, "Secret key of the caller")->envname("CONFIANCE_SECRET_KEY");
  admin.add_option("--region", s.region, "Region the server serves (signature scope)")->capture_default_str();
  admin.add_flag("--json", s.json_output, "Print the API's JSON replies as they are");
  s.AddTenantCommands(admin);
  s.AddUserCommands(admin);
  s.AddKeyCommands(admin);
  s.AddPolicyCommands(admin);
  s.AddTenantKeyCommands(admin);
  s.AddKmsKeyCommands(admin);
  s.AddServiceCommands(admin);
  s.AddAccessCommands(admin);
  s.AddResidencyCommands(admin);
  s.AddShredCommands(admin);
  s.AddBucketKeyCommands(admin);
  s.AddReplicationCommands(admin);
  s.AddRootKeyCommands(admin);
  s.AddBackupCommands(admin);
  s.AddScrubCommands(admin);
}

AdminCli::~AdminCli() = default;

bool AdminCli::parsed() const { return state_->Chosen() != nullptr; }

int AdminCli::Run() { return state_->Run(); }

}  // namespace confiance::admin
