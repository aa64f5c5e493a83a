// File: sovereignty/webhook_test.cc
// Webhook signatures (HMAC-SHA256, RFC 4231 test case 2) and the notifier:
// delivery off the caller's thread, bounded retries, and no blocking.
#include "sovereignty/webhook.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace confiance::sovereignty {
namespace {

std::span<const std::byte> KeyOf(std::string_view s) { return std::as_bytes(std::span(s)); }
crypto::SecretBytes Secret(std::string_view s) { return crypto::SecretBytes(KeyOf(s)); }

TEST(WebhookTest, SignatureIsHmacSha256Hex) {
  // RFC 4231, test case 2.
  EXPECT_EQ(WebhookSignature(KeyOf("Jefe"), "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookTest, BodyNamesTheEvent) {
  AccessRequest r;
  r.id = "ar-1";
  r.tenant = "acme";
  r.operator_name = "ops";
  r.scope.Add(AccessOp::kRead);
  std::string body = WebhookBody("break_glass.opened", r, 0);
  EXPECT_NE(body.find("\"event\":\"break_glass.opened\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"operations\":[\"read\"]"), std::string::npos) << body;
}

bool WaitFor(const std::function<bool()>& cond) {
  for (int i = 0; i < 500 && !cond(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return cond();
}

TEST(WebhookTest, DeliversSignedAndRetries) {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> got;
  std::atomic<int> calls{0};
  WebhookNotifier n(
      [&](const std::string& body, const std::string& sig) -> Result<int> {
        if (++calls <= 2) return UnavailableError("down");  // two failures, then success
        std::lock_guard lock(mu);
        got.emplace_back(body, sig);
        return 204;
      },
      Secret("secret"), WebhookOptions{5, std::chrono::milliseconds(1)});
  n.Notify("{\"a\":1}");
  ASSERT_TRUE(WaitFor([&] { return n.delivered() == 1; }));
  std::lock_guard lock(mu);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, "{\"a\":1}");
  EXPECT_EQ(got[0].second, WebhookSignature(KeyOf("secret"), "{\"a\":1}"));
  EXPECT_EQ(calls.load(), 3);
}

TEST(WebhookTest, GivesUpAfterTheAttempts) {
  std::atomic<int> calls{0};
  WebhookNotifier n([&](const std::string&, const std::string&) -> Result<int> { ++calls; return 500; }, Secret("s"),
                    WebhookOptions{3, std::chrono::milliseconds(1)});
  n.Notify("x");
  ASSERT_TRUE(WaitFor([&] { return n.failed() == 1; }));
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(n.delivered(), 0u);
}

TEST(WebhookTest, NotifyNeverBlocksOnASlowReceiver) {
  std::atomic<bool> release{false};
  WebhookNotifier n(
      [&](const std::string&, const std::string&) -> Result<int> {
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return 200;
      },
      Secret("s"), WebhookOptions{1, std::chrono::milliseconds(1)});
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < WebhookNotifier::kMaxQueued + 10; ++i) n.Notify("x");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  release = true;
}

}  // namespace
}  // namespace confiance::sovereignty
