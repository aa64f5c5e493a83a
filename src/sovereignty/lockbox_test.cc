// File: sovereignty/lockbox_test.cc
// The lockbox store over the memory MetaStore with a fake clock: the life
// cycle (request, approve, revoke, deny, cancel), durations capped by the
// tenant's maximum, expiry, break-glass with a quorum of distinct
// operators, persistence across instances, and the listener.
#include "sovereignty/lockbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"

namespace confiance::sovereignty {
namespace {

using ::testing::HasSubstr;

class LockboxTest : public ::testing::Test {
 protected:
  LockboxTest() { box_.SetListener([this](LockboxEvent e, const AccessRequest&) { events_.push_back(e); }); }

  AccessRequest Draft(AccessCategory category = AccessCategory::kSupportCase) {
    AccessRequest d;
    d.operator_name = "ops";
    d.tenant = "acme";
    d.scope.buckets = {"data"};
    d.scope.prefixes = {"logs/"};
    d.scope.Add(AccessOp::kRead);
    d.reason = "ticket 42";
    d.category = category;
    d.requested_seconds = 600;
    return d;
  }
  AccessAttempt Read(std::string_view key = "logs/a") { return AccessAttempt{"ops", "acme", "data", key, AccessOp::kRead}; }

  meta::MemoryMetaStore store_;
  uint64_t now_ = 1'800'000'000'000;
  Lockbox box_{store_, LockboxOptions{}, nullptr, [this] { return now_; }};
  std::vector<LockboxEvent> events_;
};

TEST_F(LockboxTest, RequestApproveAccessExpire) {
  Result<AccessRequest> r = box_.Create(Draft());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, AccessState::kPending);
  EXPECT_TRUE(r->id.starts_with("ar-"));
  Result<std::string> denied = box_.Authorize(Read());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.status().message(), HasSubstr("no approved access request of tenant acme"));
  EXPECT_THAT(denied.status().message(), HasSubstr(r->id + ": it is pending"));

  Result<AccessRequest> a = box_.Approve(r->id, "tenant:acme/root", std::nullopt);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->approved_until_ms, now_ + 600'000);
  EXPECT_EQ(a->decided_by, "tenant:acme/root");
  Result<std::string> ok = box_.Authorize(Read());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, r->id);
  EXPECT_FALSE(box_.Authorize(Read("other/x")).ok());

  now_ += 600'000;
  Result<std::string> late = box_.Authorize(Read());
  ASSERT_FALSE(late.ok());
  EXPECT_THAT(late.status().message(), HasSubstr("expired"));
  EXPECT_EQ(box_.Revoke(r->id, "tenant:acme/root", "").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(events_, (std::vector<LockboxEvent>{LockboxEvent::kRequested, LockboxEvent::kApproved}));
}

TEST_F(LockboxTest, RevokeEndsAccessAtOnce) {
  Result<AccessRequest> r = box_.Create(Draft());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(box_.Approve(r->id, "tenant:acme/root", std::nullopt).ok());
  ASSERT_TRUE(box_.Authorize(Read()).ok());
  Result<AccessRequest> v = box_.Revoke(r->id, "tenant:acme/root", "done");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->state, AccessState::kRevoked);
  EXPECT_THAT(box_.Authorize(Read()).status().message(), HasSubstr("revoked"));
  // A decided request cannot be decided again.
  EXPECT_EQ(box_.Approve(r->id, "tenant:acme/root", std::nullopt).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(LockboxTest, DenyAndDurations) {
  Result<AccessRequest> r = box_.Create(Draft());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(box_.Deny(r->id, "tenant:acme/root", "no").ok());
  EXPECT_FALSE(box_.Authorize(Read()).ok());
  EXPECT_EQ(box_.Deny(r->id, "tenant:acme/root", "").status().code(), StatusCode::kFailedPrecondition);

  // The tenant's maximum caps what may be asked, and an approval may be shorter.
  ASSERT_TRUE(box_.SetMaxApprovalSeconds("acme", 300).ok());
  EXPECT_EQ(box_.Create(Draft()).status().code(), StatusCode::kInvalidArgument);
  AccessRequest d = Draft();
  d.requested_seconds = 300;
  Result<AccessRequest> r2 = box_.Create(d);
  ASSERT_TRUE(r2.ok());
  Result<AccessRequest> a = box_.Approve(r2->id, "tenant:acme/root", 10);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->approved_until_ms, now_ + 10'000);
  EXPECT_FALSE(box_.SetMaxApprovalSeconds("acme", 0).ok());
}

TEST_F(LockboxTest, UndecidedRequestsExpire) {
  Result<AccessRequest> r = box_.Create(Draft());
  ASSERT_TRUE(r.ok());
  now_ += kPendingLifetimeMs;
  EXPECT_EQ(box_.Approve(r->id, "tenant:acme/root", std::nullopt).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(LockboxTest, BreakGlassNeedsAQuorumOfDistinctOperators) {
  AccessRequest d = Draft(AccessCategory::kBreakGlass);
  Result<AccessRequest> r = box_.Create(d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->signers, std::vector<std::string>{"ops"});
  // Neither the requester signing again nor the tenant can open it.
  EXPECT_EQ(box_.CoSign(r->id, "ops").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(box_.Approve(r->id, "tenant:acme/root", std::nullopt).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(box_.Authorize(Read()).ok());
  Result<AccessRequest> open = box_.CoSign(r->id, "ops2");
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->state, AccessState::kApproved);
  EXPECT_EQ(open->signers, (std::vector<std::string>{"ops", "ops2"}));
  EXPECT_TRUE(box_.Authorize(Read()).ok());
  EXPECT_EQ(events_.back(), LockboxEvent::kBreakGlassOpened);
  // The tenant may still end it.
  ASSERT_TRUE(box_.Revoke(r->id, "tenant:acme/root", "").ok());
  EXPECT_FALSE(box_.Authorize(Read()).ok());
  // Capped by the server's maximum.
  d.requested_seconds = LockboxOptions{}.break_glass_max_seconds + 1;
  EXPECT_EQ(box_.Create(d).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LockboxTest, BreakGlassDisabledBelowQuorumTwo) {
  Lockbox single(store_, LockboxOptions{1, 3600}, nullptr, [this] { return now_; });
  EXPECT_EQ(single.Create(Draft(AccessCategory::kBreakGlass)).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(LockboxTest, StateSurvivesANewInstance) {
  Result<AccessRequest> r = box_.Create(Draft());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(box_.Approve(r->id, "tenant:acme/root", std::nullopt).ok());
  ASSERT_TRUE(box_.SetMaxApprovalSeconds("acme", 1200).ok());
  Lockbox again(store_, LockboxOptions{}, nullptr, [this] { return now_; });
  Result<AccessRequest> got = again.Get(r->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, AccessState::kApproved);
  EXPECT_TRUE(again.Authorize(Read()).ok());
  EXPECT_EQ(again.MaxApprovalSeconds("acme").value(), 1200u);
  EXPECT_EQ(again.MaxApprovalSeconds("globex").value(), kDefaultMaxApprovalSeconds);
  EXPECT_EQ(again.Get("ar-missing").status().code(), StatusCode::kNotFound);
  std::vector<AccessRequest> mine = again.List([](const AccessRequest& x) { return x.operator_name == "ops"; });
  EXPECT_EQ(mine.size(), 1u);
}

// Operator "ops" asks to read acme's bucket "data" for 10 minutes.
AccessRequest OpsReadRequest(std::string reason) {
  AccessRequest d;
  d.operator_name = "ops";
  d.tenant = "acme";
  d.scope.buckets = {"data"};
  d.scope.Add(AccessOp::kRead);
  d.reason = std::move(reason);
  d.category = AccessCategory::kSupportCase;
  d.requested_seconds = 600;
  return d;
}

// Other processes sharing the store (several gateways, docs/rados.md):
// `tenant_side` and `gateway` are told of each other's changes by the
// store's notices; `unwatched` gets none.
class LockboxNoticesTest : public ::testing::Test {
 protected:
  meta::MemoryMetaStore shared_;
  meta::testing::NoticeBus bus_;
  meta::testing::BusStore here_{shared_, bus_}, there_{shared_, bus_};
  uint64_t now_ = 1'800'000'000'000;
  Lockbox::Clock clock_ = [this] { return now_; };
  Lockbox tenant_side_{here_, LockboxOptions{}, nullptr, clock_};
  Lockbox gateway_{there_, LockboxOptions{}, nullptr, clock_};
  Lockbox unwatched_{shared_, LockboxOptions{}, nullptr, clock_};
  const AccessAttempt read_{"ops", "acme", "data", "k", AccessOp::kRead};
};

// A request approved or revoked elsewhere is approved or revoked here at
// once; a process without notices keeps what it loaded.
TEST_F(LockboxNoticesTest, ADecisionMadeElsewhereBindsHere) {
  const AccessRequest d = OpsReadRequest("ticket 7");
  Result<AccessRequest> r = tenant_side_.Create(d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Both load the pending request.
  EXPECT_FALSE(gateway_.Authorize(read_).ok());
  EXPECT_FALSE(unwatched_.Authorize(read_).ok());
  ASSERT_TRUE(tenant_side_.Approve(r->id, "tenant:acme/root", std::nullopt).ok());
  EXPECT_TRUE(gateway_.Authorize(read_).ok());
  EXPECT_FALSE(unwatched_.Authorize(read_).ok());  // what a cache without notices says
  ASSERT_TRUE(tenant_side_.Revoke(r->id, "tenant:acme/root", "done").ok());
  EXPECT_THAT(gateway_.Authorize(read_).status().message(), HasSubstr("revoked"));
  // A change made through the gateway is not refused as concurrent there
  // once it has read the others' changes.
  Result<AccessRequest> again = gateway_.Create(d);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(tenant_side_.Deny(again->id, "tenant:acme/root", "no").ok());
  EXPECT_EQ(gateway_.Approve(again->id, "tenant:acme/root", std::nullopt).status().code(),
            StatusCode::kFailedPrecondition);  // already decided: seen here
}

// The fence (meta/notice_trust.h): a gateway whose watch went unconfirmed
// misses notices, and reads the requests again at each decision until it
// hears them again.
TEST_F(LockboxNoticesTest, AGatewayThatMayHaveMissedNoticesReadsTheRequestsAgain) {
  Result<AccessRequest> r = tenant_side_.Create(OpsReadRequest("ticket 9"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(tenant_side_.Approve(r->id, "tenant:acme/root", std::nullopt).ok());
  EXPECT_TRUE(gateway_.Authorize(read_).ok());
  there_.Deafen();
  ASSERT_TRUE(tenant_side_.Revoke(r->id, "tenant:acme/root", "done").ok());
  EXPECT_THAT(gateway_.Authorize(read_).status().message(), HasSubstr("revoked"));
}

// A change another process made without a notice reaching this one: this
// one's next change of that request fails its compare-and-set, and then
// this process reads the requests again, so the retry decides on what is
// stored (and an access revoked there is refused here).
TEST_F(LockboxNoticesTest, AChangeRefusedAsConcurrentMakesTheRetryReadAgain) {
  Lockbox& here = tenant_side_;
  Lockbox& there = unwatched_;  // (no notices between the two)
  Result<AccessRequest> r = here.Create(OpsReadRequest("ticket 8"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(here.Approve(r->id, "tenant:acme/root", std::nullopt).ok());
  EXPECT_TRUE(there.Authorize(read_).ok());
  ASSERT_TRUE(here.Revoke(r->id, "tenant:acme/root", "done").ok());
  EXPECT_TRUE(there.Authorize(read_).ok());  // not told
  EXPECT_EQ(there.Revoke(r->id, "tenant:acme/root", "again").status().code(), StatusCode::kAborted);
  EXPECT_THAT(there.Authorize(read_).status().message(), HasSubstr("revoked"));
  EXPECT_EQ(there.Revoke(r->id, "tenant:acme/root", "again").status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace confiance::sovereignty
