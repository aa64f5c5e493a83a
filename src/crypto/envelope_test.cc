// File: crypto/envelope_test.cc
#include "crypto/envelope.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crypto {
namespace {

using testutil::SameSecret;
using testutil::SequenceSecret;

TEST(EnvelopeTest, RoundTrip) {
  ASSERT_OK_AND_ASSIGN(SecretBytes kek, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(SecretBytes key, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(std::string w1, WrapKey(kek, key, "bucket=b/key=k"));
  ASSERT_OK_AND_ASSIGN(std::string w2, WrapKey(kek, key, "bucket=b/key=k"));
  EXPECT_EQ(w1.size(), kWrapOverhead + 32);
  EXPECT_NE(w1, w2);  // fresh nonce each time
  ASSERT_OK_AND_ASSIGN(SecretBytes back, UnwrapKey(kek, w1, "bucket=b/key=k"));
  EXPECT_TRUE(SameSecret(back, key));
}

TEST(EnvelopeTest, GoldenVectorFromIndependentImplementation) {
  std::array<std::byte, 12> nonce;
  for (int i = 0; i < 12; ++i) nonce[i] = static_cast<std::byte>(i);
  ASSERT_OK_AND_ASSIGN(std::string w,
                       TEST_WrapKeyWithNonce(SequenceSecret(32, 32), SequenceSecret(100, 32), "ctx", nonce));
  EXPECT_EQ(HexEncode(w),
            "01000102030405060708090a0b38373bc0225c8187d094a7a956022c4f67059f131268dc6a5870adc53b00491bc93ee7db0b3a"
            "57d8295832d1c699d519");
  ASSERT_OK_AND_ASSIGN(SecretBytes back, UnwrapKey(SequenceSecret(32, 32), w, "ctx"));
  EXPECT_TRUE(SameSecret(back, SequenceSecret(100, 32)));
}

// A KEK keeps its keyed context between calls (SecretBytes::schedule):
// every call must still set its own nonce and direction, and a failure must
// not leave state behind for the next call, whatever the order.
TEST(EnvelopeTest, OneKekServesWrapsUnwrapsAndFailuresInAnyOrder) {
  std::array<std::byte, 12> nonce;
  for (int i = 0; i < 12; ++i) nonce[i] = static_cast<std::byte>(i);
  const std::string golden =
      "01000102030405060708090a0b38373bc0225c8187d094a7a956022c4f67059f131268dc6a5870adc53b00491bc93ee7db0b3a"
      "57d8295832d1c699d519";
  ASSERT_OK_AND_ASSIGN(std::string golden_bytes, HexDecode(golden));
  SecretBytes kek = SequenceSecret(32, 32);
  SecretBytes other = SequenceSecret(2, 32);
  for (int round = 0; round < 3; ++round) {
    ASSERT_OK_AND_ASSIGN(std::string w, TEST_WrapKeyWithNonce(kek, SequenceSecret(100, 32), "ctx", nonce));
    EXPECT_EQ(HexEncode(w), golden) << round;
    ASSERT_OK_AND_ASSIGN(SecretBytes back, UnwrapKey(kek, golden_bytes, "ctx"));
    EXPECT_TRUE(SameSecret(back, SequenceSecret(100, 32))) << round;
    EXPECT_STATUS_CODE(UnwrapKey(kek, golden_bytes, "other-ctx"), kPermissionDenied);
    std::string tampered = golden_bytes;
    tampered[20] ^= 1;
    EXPECT_STATUS_CODE(UnwrapKey(kek, tampered, "ctx"), kPermissionDenied);
    EXPECT_STATUS_CODE(UnwrapKey(other, golden_bytes, "ctx"), kPermissionDenied);
    ASSERT_OK_AND_ASSIGN(std::string w2, WrapKey(other, SequenceSecret(7, 32), "ctx"));
    ASSERT_OK_AND_ASSIGN(SecretBytes back2, UnwrapKey(other, w2, "ctx"));
    EXPECT_TRUE(SameSecret(back2, SequenceSecret(7, 32)));
  }
}

TEST(EnvelopeTest, AMovedOrClonedKekWrapsAsTheOriginal) {
  std::array<std::byte, 12> nonce{};
  SecretBytes kek = SequenceSecret(32, 32);
  ASSERT_OK_AND_ASSIGN(std::string first, TEST_WrapKeyWithNonce(kek, SequenceSecret(100, 32), "ctx", nonce));
  SecretBytes clone = kek.Clone();
  SecretBytes moved = std::move(kek);
  ASSERT_OK_AND_ASSIGN(std::string by_moved, TEST_WrapKeyWithNonce(moved, SequenceSecret(100, 32), "ctx", nonce));
  ASSERT_OK_AND_ASSIGN(std::string by_clone, TEST_WrapKeyWithNonce(clone, SequenceSecret(100, 32), "ctx", nonce));
  EXPECT_EQ(by_moved, first);
  EXPECT_EQ(by_clone, first);
  SecretBytes assigned = SequenceSecret(9, 32);
  ASSERT_OK(WrapKey(assigned, SequenceSecret(1, 32), "ctx").status());  // keys its own context first
  assigned = std::move(moved);
  ASSERT_OK_AND_ASSIGN(std::string by_assigned, TEST_WrapKeyWithNonce(assigned, SequenceSecret(100, 32), "ctx", nonce));
  EXPECT_EQ(by_assigned, first);
}

// Changing a KEK's bytes in place drops the context keyed with the old ones.
TEST(EnvelopeTest, AKekChangedInPlaceWrapsUnderItsNewBytes) {
  std::array<std::byte, 12> nonce{};
  SecretBytes kek = SequenceSecret(1, 32);
  ASSERT_OK(TEST_WrapKeyWithNonce(kek, SequenceSecret(100, 32), "ctx", nonce).status());  // keys the context
  std::memcpy(kek.mutable_data(), SequenceSecret(32, 32).data(), 32);
  ASSERT_OK_AND_ASSIGN(std::string changed, TEST_WrapKeyWithNonce(kek, SequenceSecret(100, 32), "ctx", nonce));
  ASSERT_OK_AND_ASSIGN(std::string fresh,
                       TEST_WrapKeyWithNonce(SequenceSecret(32, 32), SequenceSecret(100, 32), "ctx", nonce));
  EXPECT_EQ(changed, fresh);
}

// Threads that find the KEK's context in use key one of their own.
TEST(EnvelopeTest, ConcurrentUnwrapsUnderOneKek) {
  ASSERT_OK_AND_ASSIGN(SecretBytes kek, RandomBytes(32));
  constexpr int kThreads = 4;
  constexpr int kKeys = 300;
  std::vector<std::string> wrapped;
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_OK_AND_ASSIGN(std::string w, WrapKey(kek, SequenceSecret(i, 32), "k=" + std::to_string(i)));
    wrapped.push_back(std::move(w));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kKeys; ++i) {
        const int k = (i + t * 37) % kKeys;
        Result<SecretBytes> back = UnwrapKey(kek, wrapped[k], "k=" + std::to_string(k));
        if (!back.ok() || !SameSecret(*back, SequenceSecret(k, 32))) wrong.fetch_add(1);
        Result<std::string> w = WrapKey(kek, SequenceSecret(k, 32), "x");
        if (!w.ok()) wrong.fetch_add(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(EnvelopeTest, WrongKekContextOrTamperFails) {
  SecretBytes kek = SequenceSecret(1, 32);
  SecretBytes key = SequenceSecret(50, 32);
  ASSERT_OK_AND_ASSIGN(std::string w, WrapKey(kek, key, "ctx-a"));
  EXPECT_STATUS_CODE(UnwrapKey(SequenceSecret(2, 32), w, "ctx-a"), kPermissionDenied);
  EXPECT_STATUS_CODE(UnwrapKey(kek, w, "ctx-b"), kPermissionDenied);
  EXPECT_STATUS_CODE(UnwrapKey(kek, w, ""), kPermissionDenied);
  for (size_t i = 1; i < w.size(); ++i) {
    std::string bad = w;
    bad[i] ^= 0x20;
    EXPECT_STATUS_CODE(UnwrapKey(kek, bad, "ctx-a"), kPermissionDenied) << i;
  }
  std::string bad_version = w;
  bad_version[0] = 2;
  EXPECT_STATUS_CODE(UnwrapKey(kek, bad_version, "ctx-a"), kDataLoss);
  EXPECT_STATUS_CODE(UnwrapKey(kek, w.substr(0, kWrapOverhead), "ctx-a"), kDataLoss);
  EXPECT_STATUS_CODE(UnwrapKey(kek, w.substr(0, w.size() - 1), "ctx-a"), kPermissionDenied);
  EXPECT_STATUS_CODE(UnwrapKey(kek, "", "ctx-a"), kDataLoss);
}

TEST(EnvelopeTest, RejectsBadSizes) {
  SecretBytes key = SequenceSecret(50, 32);
  EXPECT_STATUS_CODE(WrapKey(SequenceSecret(1, 16), key, "c"), kInvalidArgument);
  EXPECT_STATUS_CODE(WrapKey(SequenceSecret(1, 32), SecretBytes(), "c"), kInvalidArgument);
  EXPECT_STATUS_CODE(UnwrapKey(SequenceSecret(1, 31), std::string(61, 'x'), "c"), kInvalidArgument);
}

TEST(EnvelopeMatcherTest, FindsTheContextAWrapWasMadeWithAndNothingElse) {
  ASSERT_OK_AND_ASSIGN(SecretBytes kek, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(SecretBytes other_kek, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(SecretBytes key, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(std::string under_b, WrapKey(kek, key, "ctx/b"));
  ASSERT_OK_AND_ASSIGN(std::string under_c, WrapKey(kek, key, "ctx/c"));
  ASSERT_OK_AND_ASSIGN(std::string elsewhere, WrapKey(kek, key, "ctx/z"));
  ASSERT_OK_AND_ASSIGN(std::string other, WrapKey(other_kek, key, "ctx/b"));
  ASSERT_OK_AND_ASSIGN(auto m, EnvelopeMatcher::Create(kek, {"ctx/a", "ctx/b", "ctx/c"}));
  EXPECT_EQ(m->wrapped_size(), under_b.size());
  // One context, the same cipher context reused: a miss between two hits
  // leaves nothing behind.
  ASSERT_OK_AND_ASSIGN(std::optional<size_t> hit, m->Match(under_b));
  EXPECT_EQ(hit, std::optional<size_t>(1));
  ASSERT_OK_AND_ASSIGN(hit, m->Match(other));
  EXPECT_EQ(hit, std::nullopt);
  ASSERT_OK_AND_ASSIGN(hit, m->Match(elsewhere));
  EXPECT_EQ(hit, std::nullopt);
  ASSERT_OK_AND_ASSIGN(hit, m->Match(under_c));
  EXPECT_EQ(hit, std::optional<size_t>(2));
  std::string tampered = under_b;
  tampered[20] ^= 1;
  ASSERT_OK_AND_ASSIGN(hit, m->Match(tampered));
  EXPECT_EQ(hit, std::nullopt);
  ASSERT_OK_AND_ASSIGN(hit, m->Match(under_b.substr(1)));  // wrong length
  EXPECT_EQ(hit, std::nullopt);
  ASSERT_OK_AND_ASSIGN(hit, m->Match(under_b));
  EXPECT_EQ(hit, std::optional<size_t>(1));
  EXPECT_FALSE(EnvelopeMatcher::Create(kek, {}).ok());
  EXPECT_FALSE(EnvelopeMatcher::Create(SequenceSecret(0, 16), {"c"}).ok());
}

}  // namespace
}  // namespace confiance::crypto
