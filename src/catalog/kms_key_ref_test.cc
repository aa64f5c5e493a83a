// File: catalog/kms_key_ref_test.cc
#include "catalog/kms_key_ref.h"

#include <gtest/gtest.h>

namespace confiance::catalog {
namespace {

TEST(KmsKeyRefTest, TenantKeyIds) {
  EXPECT_EQ(ParseKmsKeyId("acme", "owner"), (KmsKeyRef{"acme", ""}));
  EXPECT_EQ(ParseKmsKeyId("arn:confiance:kms:::key/acme", "owner"), (KmsKeyRef{"acme", ""}));
  EXPECT_EQ(KmsKeyArn({"acme", ""}), "arn:confiance:kms:::key/acme");
  EXPECT_EQ((KmsKeyRef{"acme", ""}).RecordId(), "acme");
}

TEST(KmsKeyRefTest, NamedKeyIds) {
  const KmsKeyRef payroll{"acme", "Pay_roll-2"};
  EXPECT_EQ(ParseKmsKeyId("acme/Pay_roll-2", "owner"), payroll);
  EXPECT_EQ(ParseKmsKeyId("arn:confiance:kms:::key/acme/Pay_roll-2", "owner"), payroll);
  // The alias form names the bucket owner's key.
  EXPECT_EQ(ParseKmsKeyId("alias/Pay_roll-2", "acme"), payroll);
  EXPECT_EQ(ParseKmsKeyId("alias/Pay_roll-2", "other"), (KmsKeyRef{"other", "Pay_roll-2"}));
  EXPECT_EQ(payroll.RecordId(), "acme/Pay_roll-2");
  EXPECT_EQ(KmsKeyArn(payroll), "arn:confiance:kms:::key/acme/Pay_roll-2");
  EXPECT_EQ(NamedKeyOfRecordId("acme/Pay_roll-2"), payroll);
  EXPECT_EQ(NamedKeyOfRecordId("acme"), std::nullopt);
}

TEST(KmsKeyRefTest, OtherFormsNameNoKey) {
  for (const char* bad : {"", "a", "Acme", "-acme", "arn:aws:kms:us-east-1:1:key/acme", "arn:confiance:kms:::key/",
                          "acme/", "acme/a/b", "acme/a b", "/x", "alias/", "alias/a/b", "acme/x\n", "ACME/x"}) {
    EXPECT_EQ(ParseKmsKeyId(bad, "owner"), std::nullopt) << bad;
  }
  EXPECT_TRUE(ValidKmsKeyName(std::string(64, 'k')));
  EXPECT_FALSE(ValidKmsKeyName(std::string(65, 'k')));
  EXPECT_FALSE(ValidKmsKeyName(""));
  // An owner that is no tenant id makes no alias key.
  EXPECT_EQ(ParseKmsKeyId("alias/x", ""), std::nullopt);
}

}  // namespace
}  // namespace confiance::catalog
