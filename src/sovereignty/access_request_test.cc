// File: sovereignty/access_request_test.cc
// The pure lockbox decision: scope (operator, tenant, bucket, prefix,
// operation class), expiry of approvals and of undecided requests, and the
// record encoding.
#include "sovereignty/access_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace confiance::sovereignty {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kNow = 1'800'000'000'000;

AccessRequest Approved() {
  AccessRequest r;
  r.id = "ar-0011223344556677";
  r.operator_name = "ops";
  r.tenant = "acme";
  r.scope.buckets = {"data"};
  r.scope.prefixes = {"logs/"};
  r.scope.Add(AccessOp::kRead);
  r.scope.Add(AccessOp::kList);
  r.reason = "ticket 42";
  r.requested_seconds = 3600;
  r.state = AccessState::kApproved;
  r.created_ms = kNow - 1000;
  r.decided_ms = kNow - 500;
  r.approved_until_ms = kNow + 60'000;
  return r;
}

AccessAttempt Attempt(std::string_view bucket, std::string_view key, AccessOp op) {
  return AccessAttempt{"ops", "acme", bucket, key, op};
}

TEST(AccessRequestTest, CoversOnlyWithinScope) {
  AccessRequest r = Approved();
  EXPECT_TRUE(Covers(r, Attempt("data", "logs/a.txt", AccessOp::kRead), kNow));
  EXPECT_TRUE(Covers(r, Attempt("data", "logs/", AccessOp::kList), kNow));
  EXPECT_FALSE(Covers(r, Attempt("other", "logs/a.txt", AccessOp::kRead), kNow));
  EXPECT_FALSE(Covers(r, Attempt("data", "secret/a.txt", AccessOp::kRead), kNow));
  EXPECT_FALSE(Covers(r, Attempt("data", "", AccessOp::kList), kNow));  // the whole bucket is wider than logs/
  EXPECT_FALSE(Covers(r, Attempt("data", "logs/a.txt", AccessOp::kWrite), kNow));
  EXPECT_FALSE(Covers(r, Attempt("data", "logs/a.txt", AccessOp::kDelete), kNow));
  EXPECT_FALSE(Covers(r, Attempt("", "", AccessOp::kKeys), kNow));
  AccessAttempt other_op{"ops2", "acme", "data", "logs/a", AccessOp::kRead};
  EXPECT_FALSE(Covers(r, other_op, kNow));
  AccessAttempt other_tenant{"ops", "globex", "data", "logs/a", AccessOp::kRead};
  EXPECT_FALSE(Covers(r, other_tenant, kNow));
}

TEST(AccessRequestTest, WildcardBucketAndNoPrefix) {
  AccessRequest r = Approved();
  r.scope.buckets = {"*"};
  r.scope.prefixes.clear();
  EXPECT_TRUE(Covers(r, Attempt("any", "x/y", AccessOp::kRead), kNow));
  EXPECT_TRUE(Covers(r, Attempt("any", "", AccessOp::kList), kNow));
  r.scope.Add(AccessOp::kKeys);
  EXPECT_TRUE(Covers(r, Attempt("", "", AccessOp::kKeys), kNow));
}

TEST(AccessRequestTest, ExpiryAndStates) {
  AccessRequest r = Approved();
  EXPECT_EQ(EffectiveState(r, kNow + 59'999), AccessState::kApproved);
  EXPECT_EQ(EffectiveState(r, kNow + 60'000), AccessState::kExpired);
  EXPECT_FALSE(Covers(r, Attempt("data", "logs/a", AccessOp::kRead), kNow + 60'000));
  EXPECT_THAT(WhyNotCovered(r, Attempt("data", "logs/a", AccessOp::kRead), kNow + 60'000), HasSubstr("expired"));
  for (AccessState s : {AccessState::kPending, AccessState::kDenied, AccessState::kRevoked}) {
    r.state = s;
    EXPECT_FALSE(Covers(r, Attempt("data", "logs/a", AccessOp::kRead), kNow)) << AccessStateName(s);
  }
  r.state = AccessState::kPending;
  EXPECT_EQ(EffectiveState(r, r.created_ms + kPendingLifetimeMs - 1), AccessState::kPending);
  EXPECT_EQ(EffectiveState(r, r.created_ms + kPendingLifetimeMs), AccessState::kExpired);
}

TEST(AccessRequestTest, WhyNotCoveredNamesTheGap) {
  AccessRequest r = Approved();
  EXPECT_EQ(WhyNotCovered(r, Attempt("data", "logs/a", AccessOp::kRead), kNow), "");
  EXPECT_THAT(WhyNotCovered(r, Attempt("data", "logs/a", AccessOp::kWrite), kNow), HasSubstr("write"));
  EXPECT_THAT(WhyNotCovered(r, Attempt("zz", "logs/a", AccessOp::kRead), kNow), HasSubstr("zz"));
  EXPECT_THAT(WhyNotCovered(r, Attempt("data", "etc/p", AccessOp::kRead), kNow), HasSubstr("etc/p"));
}

TEST(AccessRequestTest, Names) {
  for (int i = 0; i < kAccessOpCount; ++i) {
    auto op = static_cast<AccessOp>(i);
    EXPECT_EQ(ParseAccessOp(AccessOpName(op)), op);
  }
  EXPECT_EQ(ParseAccessOp("READ"), std::nullopt);
  EXPECT_EQ(ParseAccessCategory("break_glass"), AccessCategory::kBreakGlass);
  EXPECT_EQ(ParseAccessCategory("legal_order"), AccessCategory::kLegalOrder);
  EXPECT_EQ(ParseAccessCategory("x"), std::nullopt);
}

TEST(AccessRequestTest, Validation) {
  AccessRequest r = Approved();
  EXPECT_TRUE(ValidateNewRequest(r).ok());
  AccessRequest bad = r;
  bad.scope.ops = 0;
  EXPECT_FALSE(ValidateNewRequest(bad).ok());
  bad = r;
  bad.reason.clear();
  EXPECT_FALSE(ValidateNewRequest(bad).ok());
  bad = r;
  bad.requested_seconds = 0;
  EXPECT_FALSE(ValidateNewRequest(bad).ok());
  bad = r;
  bad.requested_seconds = kMaxRequestSeconds + 1;
  EXPECT_FALSE(ValidateNewRequest(bad).ok());
  bad = r;
  bad.scope.buckets.clear();
  EXPECT_FALSE(ValidateNewRequest(bad).ok());
  bad.scope.ops = 1u << static_cast<int>(AccessOp::kKeys);  // keys only: tenant-wide, no bucket needed
  EXPECT_TRUE(ValidateNewRequest(bad).ok());
  bad = r;
  bad.scope.buckets = {"a/b"};
  EXPECT_FALSE(ValidateNewRequest(bad).ok());
}

TEST(AccessRequestTest, EncodingRoundTrips) {
  AccessRequest r = Approved();
  r.category = AccessCategory::kBreakGlass;
  r.signers = {"ops", "ops2"};
  r.decided_by = "quorum:2 operators";
  r.decision_note = "note";
  Result<AccessRequest> back = DecodeAccessRequest(EncodeAccessRequest(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(DecodeAccessRequest("not cbor").ok());
  EXPECT_FALSE(DecodeAccessRequest("").ok());
  // A map announcing 2^62 entries: nlohmann throws even without exceptions
  // asked for (found by fuzz/lockbox_fuzz.cc); the decoder must not.
  EXPECT_EQ(DecodeAccessRequest(std::string("\xbb\x40\0\0\0\0\0\0\0", 9)).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace confiance::sovereignty
