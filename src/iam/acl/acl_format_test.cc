// File: iam/acl/acl_format_test.cc
#include "iam/acl/acl_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "iam/acl/canned_acl.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam::acl {
namespace {

using json = nlohmann::json;

std::string Cbor(const json& j) {
  std::vector<std::uint8_t> v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Acl EveryKindOfGrant() {
  Acl acl;
  acl.owner = {"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "Owner Name"};
  acl.grants = {
      {Grantee::User(acl.owner.id, acl.owner.display_name), Permission::kFullControl},
      {Grantee::User("no-display-name"), Permission::kRead},
      {Grantee::User("caf\xc3\xa9", "\xe2\x82\xac uro"), Permission::kWrite},
      {Grantee::OfGroup(Group::kAllUsers), Permission::kRead},
      {Grantee::OfGroup(Group::kAuthenticatedUsers), Permission::kReadAcp},
      {Grantee::OfGroup(Group::kLogDelivery), Permission::kWriteAcp},
      {Grantee::Email("x@y.example"), Permission::kFullControl},
  };
  return acl;
}

TEST(AclFormatTest, RoundTripsEveryGranteeAndPermission) {
  Acl acl = EveryKindOfGrant();
  ASSERT_OK_AND_ASSIGN(Acl decoded, DecodeAcl(EncodeAcl(acl)));
  EXPECT_EQ(decoded, acl);
}

TEST(AclFormatTest, RoundTripsEmptyAndCannedAcls) {
  Acl empty;
  ASSERT_OK_AND_ASSIGN(Acl decoded, DecodeAcl(EncodeAcl(empty)));
  EXPECT_EQ(decoded, empty);
  for (CannedAcl c : {CannedAcl::kPrivate, CannedAcl::kPublicReadWrite, CannedAcl::kLogDeliveryWrite}) {
    Acl acl = CannedBucketAcl(c, {"owner", "name"});
    ASSERT_OK_AND_ASSIGN(Acl back, DecodeAcl(EncodeAcl(acl)));
    EXPECT_EQ(back, acl) << CannedAclName(c);
  }
}

TEST(AclFormatTest, CarriesTheVersionAndStableCodes) {
  Acl acl{{"o", ""}, {{Grantee::OfGroup(Group::kAuthenticatedUsers), Permission::kWriteAcp}}};
  json j = json::from_cbor(EncodeAcl(acl));
  EXPECT_EQ(j["v"], kAclFormatVersion);
  EXPECT_EQ(j["o"], "o");
  EXPECT_FALSE(j.contains("on"));  // empty display name is not written
  ASSERT_EQ(j["g"].size(), 1u);
  EXPECT_EQ(j["g"][0]["t"], wire::kGranteeGroup);
  EXPECT_EQ(j["g"][0]["u"], wire::kAuthenticatedUsers);
  EXPECT_EQ(j["g"][0]["p"], wire::kWriteAcp);
}

TEST(AclFormatTest, DecodesAHandWrittenVersion1Record) {
  // Pinned bytes' meaning: a decoder change that breaks stored ACLs fails here.
  json j = {{"v", 1},
            {"o", "owner"},
            {"on", "Owner"},
            {"g", json::array({json{{"t", 0}, {"i", "owner"}, {"p", 4}},
                               json{{"t", 1}, {"u", 0}, {"p", 0}}})}};
  ASSERT_OK_AND_ASSIGN(Acl acl, DecodeAcl(Cbor(j)));
  Acl want{{"owner", "Owner"},
           {{Grantee::User("owner"), Permission::kFullControl},
            {Grantee::OfGroup(Group::kAllUsers), Permission::kRead}}};
  EXPECT_EQ(acl, want);
}

TEST(AclFormatTest, RejectsCorruptRecords) {
  json good = {{"v", 1}, {"o", "owner"}, {"g", json::array({json{{"t", 0}, {"i", "x"}, {"p", 0}}})}};
  ASSERT_OK(DecodeAcl(Cbor(good)));

  std::vector<std::string> bad = {"", "\xff", "not cbor", Cbor(json::array()), Cbor("string")};
  auto mutate = [&](auto f) {
    json j = good;
    f(j);
    bad.push_back(Cbor(j));
  };
  mutate([](json& j) { j.erase("v"); });
  mutate([](json& j) { j["v"] = 2; });
  mutate([](json& j) { j["v"] = "1"; });
  mutate([](json& j) { j["o"] = 5; });
  mutate([](json& j) { j["on"] = false; });
  mutate([](json& j) { j.erase("g"); });
  mutate([](json& j) { j["g"] = json::object(); });
  mutate([](json& j) { j["g"][0] = "grant"; });
  mutate([](json& j) { j["g"][0]["p"] = 5; });
  mutate([](json& j) { j["g"][0]["p"] = -1; });
  mutate([](json& j) { j["g"][0].erase("p"); });
  mutate([](json& j) { j["g"][0]["t"] = 3; });
  mutate([](json& j) { j["g"][0].erase("t"); });
  mutate([](json& j) { j["g"][0]["i"] = 7; });
  mutate([](json& j) { j["g"][0] = json{{"t", 1}, {"u", 3}, {"p", 0}}; });
  mutate([](json& j) { j["g"][0] = json{{"t", 1}, {"p", 0}}; });
  mutate([](json& j) { j["g"][0] = json{{"t", 2}, {"e", 1}, {"p", 0}}; });
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_STATUS_CODE(DecodeAcl(bad[i]), kDataLoss) << "case " << i;
  }
  std::string truncated = Cbor(good);
  truncated.pop_back();
  EXPECT_STATUS_CODE(DecodeAcl(truncated), kDataLoss);
}

}  // namespace
}  // namespace confiance::iam::acl
