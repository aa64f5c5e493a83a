// File: sovereignty/access_request_json_test.cc
// The access-request body as the admin API parses it: every field, and the
// refusals (unknown field, operation or category, wrong types).
#include "sovereignty/access_request_json.h"

#include <gtest/gtest.h>

namespace confiance::sovereignty {
namespace {

TEST(AccessRequestJsonTest, ParsesADraft) {
  Result<AccessRequest> d = ParseAccessRequestDraft(
      R"({"tenant":"acme","buckets":["b1","b2"],"prefixes":["logs/"],"operations":["read","list","keys"],
          "reason":"case 1","category":"legal_order","duration_seconds":60,"prefixes":null})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->tenant, "acme");
  EXPECT_EQ(d->scope.buckets, (std::vector<std::string>{"b1", "b2"}));
  EXPECT_TRUE(d->scope.prefixes.empty());  // the later null wins: absent
  EXPECT_TRUE(d->scope.Has(AccessOp::kRead) && d->scope.Has(AccessOp::kList) && d->scope.Has(AccessOp::kKeys));
  EXPECT_FALSE(d->scope.Has(AccessOp::kWrite));
  EXPECT_EQ(d->category, AccessCategory::kLegalOrder);
  EXPECT_EQ(d->requested_seconds, 60u);
  EXPECT_TRUE(ValidateNewRequest(*d).ok());
}

TEST(AccessRequestJsonTest, RefusesBadBodies) {
  const char* bad[] = {
      "",
      "[]",
      "not json",
      R"({"tenant":"acme","operations":["read"],"reason":"r","category":"incident"})",  // no duration
      R"({"tenant":"acme","operations":["peek"],"reason":"r","category":"incident","duration_seconds":1})",
      R"({"tenant":"acme","operations":["read"],"reason":"r","category":"whim","duration_seconds":1})",
      R"({"tenant":"acme","operations":"read","reason":"r","category":"incident","duration_seconds":1})",
      R"({"tenant":7,"operations":["read"],"reason":"r","category":"incident","duration_seconds":1})",
      R"({"tenant":"acme","operations":["read"],"reason":"r","category":"incident","duration_seconds":-5})",
      R"({"tenant":"acme","operations":["read"],"reason":"r","category":"incident","duration_seconds":1,"extra":1})",
  };
  for (const char* body : bad) {
    EXPECT_EQ(ParseAccessRequestDraft(body).status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(AccessRequestJsonTest, FieldReaders) {
  Result<nlohmann::json> empty = JsonParseObject("", true);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(JsonParseObject("", false).ok());
  nlohmann::json doc = {{"note", "x"}, {"n", 3u}};
  EXPECT_TRUE(JsonOnlyFields(doc, {"note", "n"}).ok());
  EXPECT_FALSE(JsonOnlyFields(doc, {"note"}).ok());
  EXPECT_EQ(JsonText(doc, "note").value(), "x");
  EXPECT_FALSE(JsonText(doc, "n").ok());
  EXPECT_EQ(JsonSeconds(doc, "n").value(), std::optional<uint64_t>(3));
  EXPECT_EQ(JsonSeconds(doc, "missing").value(), std::nullopt);
}

}  // namespace
}  // namespace confiance::sovereignty
