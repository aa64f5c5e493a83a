// File: crypto/record_sealer_test.cc
#include "crypto/record_sealer.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crypto/customer_key.h"
#include "crypto/hash.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::crypto {
namespace {

using std::string_literals::operator""s;

SecretBytes Key(char fill) {
  SecretBytes k(32);
  for (std::byte& b : k.mutable_span()) b = static_cast<std::byte>(fill);
  return k;
}

std::unique_ptr<RecordSealer> Sealer(char fill) {
  Result<std::unique_ptr<RecordSealer>> s = RecordSealer::Create(Key(fill));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(RecordSealerTest, RoundTripsAndIsDeterministic) {
  auto sealer = Sealer('a');
  ASSERT_NE(sealer, nullptr);
  for (std::string value : {"v"s, "\0"s, std::string(5000, 'x'), "user-metadata: secret"s}) {
    const std::string sealed = sealer->Seal("bucket/p", "key\0k"s, value);
    EXPECT_EQ(sealed.size(), value.size() + RecordSealer::kOverhead);
    EXPECT_EQ(sealed, sealer->Seal("bucket/p", "key\0k"s, value));  // deterministic
    if (value.size() > 3) {
      EXPECT_EQ(sealed.find(value), std::string::npos);
    }
    ASSERT_OK_AND_ASSIGN(std::string opened, sealer->Open("bucket/p", "key\0k"s, sealed));
    EXPECT_EQ(opened, value);
  }
  EXPECT_EQ(sealer->Seal("p", "k", "secret-value").find("secret"), std::string::npos);
}

TEST(RecordSealerTest, NoncesFollowTheDocumentedConstruction) {
  auto sealer = Sealer('b');
  ASSERT_NE(sealer, nullptr);
  const std::string sealed = sealer->Seal("pa", "ke", "value");
  ASSERT_OK_AND_ASSIGN(SecretBytes mac_key, HkdfSha256(Key('b'), "", "confiance/meta-record/v1/siv", 32));
  const std::string record = "\0\0\0\2pa\0\0\0\2ke"s;
  const std::array<uint8_t, 32> mac = HmacSha256(mac_key.span(), record + "value");
  EXPECT_EQ(sealed[0], '\x01');
  EXPECT_EQ(sealed.substr(1, 12), std::string(reinterpret_cast<const char*>(mac.data()), 12));
  // Different values, different nonces.
  std::set<std::string> nonces;
  for (int i = 0; i < 100; ++i) nonces.insert(sealer->Seal("pa", "ke", "v" + std::to_string(i)).substr(1, 12));
  EXPECT_EQ(nonces.size(), 100u);
}

TEST(RecordSealerTest, RefusesMovedTamperedOrForeignValues) {
  auto sealer = Sealer('c');
  auto other = Sealer('d');
  ASSERT_NE(sealer, nullptr);
  ASSERT_NE(other, nullptr);
  const std::string sealed = sealer->Seal("p", "k", "value");
  EXPECT_STATUS_CODE(sealer->Open("p", "k2", sealed), kDataLoss);  // moved to another key
  EXPECT_STATUS_CODE(sealer->Open("p2", "k", sealed), kDataLoss);  // ...or partition
  EXPECT_STATUS_CODE(sealer->Open("pk", "", sealed), kDataLoss);   // lengths are bound too
  EXPECT_STATUS_CODE(other->Open("p", "k", sealed), kDataLoss);    // another metadata key
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] ^= 0x01;
    EXPECT_STATUS_CODE(sealer->Open("p", "k", bad), kDataLoss) << "byte " << i;
  }
  EXPECT_STATUS_CODE(sealer->Open("p", "k", sealed.substr(0, sealed.size() - 1)), kDataLoss);
  EXPECT_STATUS_CODE(sealer->Open("p", "k", "plain"), kDataLoss);
  EXPECT_STATUS_CODE(sealer->Open("p", "k", ""), kDataLoss);
}

TEST(RecordSealerTest, RefusesAShortKey) {
  SecretBytes short_key(16);
  EXPECT_STATUS_CODE(RecordSealer::Create(short_key), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::crypto
