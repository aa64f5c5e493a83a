// File: admin/cli_output_test.cc
#include "admin/cli_output.h"

#include <gtest/gtest.h>

namespace confiance::admin {
namespace {

using json = nlohmann::json;

TEST(CliOutputTest, QuotaBytes) {
  EXPECT_EQ(FormatQuotaBytes(0), "unlimited");
  EXPECT_EQ(FormatQuotaBytes(1000), "1000 B");
  EXPECT_EQ(FormatQuotaBytes(1536 * 1024), "1536 KiB");
  EXPECT_EQ(FormatQuotaBytes(10ull << 30), "10 GiB");
  EXPECT_EQ(FormatQuotaBytes(2048ull << 40), "2048 TiB");
  EXPECT_EQ(FormatQuotaCount(0), "unlimited");
  EXPECT_EQ(FormatQuotaCount(12), "12");
}

// Byte counts past 2^31 (a 2 GiB store) print as themselves.
TEST(CliOutputTest, BackupProgress) {
  json full = {{"state", "done"},      {"path", "/b/1"},           {"blobs_done", 2000},       {"blobs_linked", 0},
               {"blobs_copied", 2000}, {"blob_bytes", 3ull << 30}, {"include_root_key", false}};
  EXPECT_EQ(FormatBackupProgress(full),
            "backup done: /b/1, 2000 blob(s) (0 linked, 2000 copied), 3221225472 bytes, root key not included\n");
  json incremental = {{"state", "running"},    {"phase", "blobs"},     {"path", "/b/2"},          {"blobs_done", 12},
                      {"blobs_linked", 0},     {"blobs_copied", 2},    {"blob_bytes", 4096},      {"base", "/b/1"},
                      {"blobs_from_base", 10}, {"base_mismatches", 1}, {"include_root_key", true}};
  EXPECT_EQ(FormatBackupProgress(incremental),
            "backup running (blobs): /b/2, 12 blob(s) (0 linked, 2 copied, 10 from the base /b/1), 4096 bytes, root "
            "key included; 1 file(s) of the base had the wrong size (damaged) and were copied from the server "
            "instead\n");
  json failed = {{"state", "failed"}, {"path", "/b/3"}, {"error", "ABORTED: the server is shutting down"}};
  EXPECT_EQ(FormatBackupProgress(failed),
            "backup failed: /b/3, 0 blob(s) (0 linked, 0 copied), 0 bytes, root key not included (ABORTED: the "
            "server is shutting down)\n");
}

// The summary line, then each damaged object as the offline scrub prints
// it, those beyond the list counted, and the buckets skipped.
TEST(CliOutputTest, ScrubProgress) {
  json done = {
      {"state", "done"},
      {"buckets", 3},
      {"objects", 70000},
      {"bytes_verified", 5ull << 30},
      {"damaged_objects", 1002},
      {"metadata_verified", true},
      {"changed_during_scrub", 1},
      {"key_access_refused", 4},
      {"damaged", json::array({{{"bucket", "b"}, {"key", "k 1"}, {"kind", "missing-blob"}, {"detail", "gone"}},
                               {{"bucket", "b"}, {"key", "k2"}, {"kind", "short-blob"}, {"detail", "short"}}})},
      {"refused_buckets", json::array({"kept: Key access denied: no"})}};
  EXPECT_EQ(FormatScrubProgress(done),
            "scrub done: 3 bucket(s), 70000 object(s), 5368709120 bytes verified, 1002 damaged, metadata checksums "
            "verified, 1 rewritten under every read (not checked), 4 object(s) skipped: their tenants refuse "
            "SYSTEM_MAINTENANCE\n"
            "DAMAGED bucket=b key=k 1 reason=missing-blob: gone\n"
            "DAMAGED bucket=b key=k2 reason=short-blob: short\n"
            "... and 1000 more damaged object(s) (see the server's journal)\n"
            "SKIPPED bucket kept: Key access denied: no\n");
  json running = {{"state", "running"}, {"bucket", "photos"}, {"objects", 5}};
  EXPECT_EQ(FormatScrubProgress(running),
            "scrub running (bucket photos): 0 bucket(s), 5 object(s), 0 bytes verified, 0 damaged\n");
}

TEST(CliOutputTest, TableAlignsColumns) {
  EXPECT_EQ(FormatTable({{"ID", "STATUS"}, {"acme-long", "active"}, {"b", ""}}),
            "ID         STATUS\n"
            "acme-long  active\n"
            "b\n");
}

TEST(CliOutputTest, TenantList) {
  json reply = {{"tenants",
                 {{{"id", "acme"},
                   {"status", "suspended"},
                   {"display_name", "ACME"},
                   {"quotas", {{"max_bytes", 1ull << 30}, {"max_objects", 0}, {"max_buckets", 3}}}}}}};
  EXPECT_EQ(FormatTenantList(reply),
            "ID    STATUS     MAX BYTES  MAX OBJECTS  MAX BUCKETS  DISPLAY NAME\n"
            "acme  suspended  1 GiB      unlimited    3            ACME\n");
}

TEST(CliOutputTest, TenantRateLimits) {
  json t = {{"id", "acme"},
            {"rate_limits",
             {{"read_ops_per_second", 100},
              {"read_bytes_per_second", 10ull << 20},
              {"write_ops_per_second", 0},
              {"write_bytes_per_second", 0}}}};
  std::string shown = FormatTenant(t);
  EXPECT_NE(shown.find("Rate limits:   reads 100 requests/s, 10 MiB/s; writes unlimited\n"), std::string::npos)
      << shown;
  t["rate_limits"] = {{"write_bytes_per_second", 1000}};
  shown = FormatTenant(t);
  EXPECT_NE(shown.find("Rate limits:   reads unlimited; writes 1000 B/s\n"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("In effect:"), std::string::npos) << shown;
  t["rate_limits_in_effect"] = {{"read_ops_per_second", 50}, {"write_bytes_per_second", 1000}};
  shown = FormatTenant(t);
  EXPECT_NE(shown.find("In effect:     reads 50 requests/s; writes 1000 B/s (the server's defaults where the tenant "
                       "sets none)\n"),
            std::string::npos)
      << shown;
  EXPECT_EQ(shown.find("Replication:"), std::string::npos) << shown;
  t["replication_destinations"] = {{{"arn", "arn:confiance:replication::acme:dr"},
                                    {"jurisdiction", "DE"},
                                    {"endpoint", "https://dr.example:9000"},
                                    {"bucket", "replica"}}};
  shown = FormatTenant(t);
  EXPECT_NE(shown.find("Replication:   arn:confiance:replication::acme:dr -> https://dr.example:9000/replica "
                       "(jurisdiction DE)\n"),
            std::string::npos)
      << shown;
}

TEST(CliOutputTest, CreatedTenantShowsTheSecretOnce) {
  json reply = {{"tenant", {{"id", "acme"}, {"status", "active"}}},
                {"credentials", {{"access_key", "AKACME"}, {"secret_key", "s3cr3t"}}}};
  std::string out = FormatCreatedTenant(reply);
  EXPECT_NE(out.find("Created tenant acme."), std::string::npos) << out;
  EXPECT_NE(out.find("access key: AKACME"), std::string::npos) << out;
  EXPECT_NE(out.find("secret key: s3cr3t"), std::string::npos) << out;
}

TEST(CliOutputTest, UsersAndKeys) {
  json user = {{"name", "bob"},
               {"tenant", "acme"},
               {"arn", "arn:aws:iam::acme:user/bob"},
               {"policies", {"p1", "p2"}},
               {"access_keys", {{{"access_key", "AK1"}, {"status", "Inactive"}}, {{"access_key", "AK2"}}}}};
  std::string shown = FormatUser(user);
  EXPECT_NE(shown.find("Access keys:  AK1 (inactive), AK2"), std::string::npos) << shown;
  EXPECT_NE(shown.find("Policies:     p1, p2"), std::string::npos) << shown;
  EXPECT_EQ(FormatUserList(json{{"users", {user}}}),
            "NAME  ACCESS KEYS          POLICIES  CREATED\n"
            "bob   AK1 (inactive), AK2  p1, p2\n");
  EXPECT_EQ(FormatKeyList(json{{"access_keys", {{{"access_key", "AK1"}, {"status", "Active"},
                                                 {"tenant", "acme"}, {"user", "bob"}}}}}),
            "ACCESS KEY  STATUS  TENANT  USER\n"
            "AK1         Active  acme    bob\n");
  EXPECT_EQ(FormatPolicyNames(json{{"policies", {"a", "b"}}}), "a\nb\n");
}

TEST(CliOutputTest, MissingOrOddFieldsPrintEmpty) {
  EXPECT_EQ(FormatTenantList(json::object()),
            "ID  STATUS  MAX BYTES  MAX OBJECTS  MAX BUCKETS  DISPLAY NAME\n");
  EXPECT_NO_THROW(FormatTenant(json{{"id", 5}, {"quotas", "none"}}));
  EXPECT_NO_THROW(FormatUser(json::array()));
}

TEST(CliOutputTest, ApiErrors) {
  EXPECT_EQ(FormatApiError(404, R"({"error":{"code":"NoSuchTenant","message":"no such tenant"}})"),
            "NoSuchTenant: no such tenant (HTTP 404)");
  EXPECT_EQ(FormatApiError(502, "Bad Gateway\n"), "HTTP 502: Bad Gateway");
  EXPECT_EQ(FormatApiError(500, ""), "HTTP 500");
}

TEST(CliOutputTest, WhoAmI) {
  EXPECT_EQ(FormatWhoAmI(json{{"kind", "operator"}, {"name", "operator"}, {"access_key", "OPK"}}),
            "Operator operator (access key OPK)\n");
  EXPECT_EQ(FormatWhoAmI(json{{"kind", "tenant"}, {"tenant", "acme"}, {"user", "root"},
                              {"arn", "arn:aws:iam::acme:root"}, {"access_key", "RK"}}),
            "User root of tenant acme (arn:aws:iam::acme:root, access key RK)\n");
}

}  // namespace
}  // namespace confiance::admin
