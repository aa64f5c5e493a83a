// File: admin/deletion_receipt_test.cc
#include "admin/deletion_receipt.h"

#include <gtest/gtest.h>

#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

audit::tlog::NoteSigner Signer(const std::string& name) { return testutil::NewNoteSigner(name); }

DeletionReceipt Example() {
  DeletionReceipt r;
  r.tenant = "acme";
  r.key_id = "root-key-1";
  r.destroyed_ms = 1796077812345;  // 2026-11-30T22:30:12.345Z
  iam::Principal root{"AKROOT", iam::PrincipalKind::kTenant, "acme", "root", true};
  r.by = ReceiptPrincipal(root);
  return r;
}

TEST(DeletionReceiptTest, SignedReceiptOpensWithThePinnedKey) {
  audit::tlog::NoteSigner signer = Signer("confiance.example");
  ASSERT_OK_AND_ASSIGN(std::string note, SignDeletionReceipt(Example(), signer));
  EXPECT_EQ(note.substr(0, note.find("\n\n") + 1),
            "confiance deletion receipt v1\nserver confiance.example\ntenant acme\nscope tenant\n"
            "key root-key-1\ndestroyed 2026-11-30T22:30:12.345Z\nby tenant acme/root access-key AKROOT\n");
  ASSERT_OK_AND_ASSIGN(audit::tlog::NoteVerifier verifier, audit::tlog::NoteVerifier::FromKey(signer.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(DeletionReceipt back, OpenDeletionReceipt(note, verifier));
  EXPECT_EQ(back.server, "confiance.example");
  EXPECT_EQ(back.tenant, "acme");
  EXPECT_EQ(back.scope, "tenant");
  EXPECT_EQ(back.key_id, "root-key-1");
  EXPECT_EQ(back.destroyed_ms, 1796077812345);
  EXPECT_EQ(back.by, "tenant acme/root access-key AKROOT");
}

TEST(DeletionReceiptTest, TamperedOrForeignReceiptsAreRejected) {
  audit::tlog::NoteSigner signer = Signer("confiance.example");
  ASSERT_OK_AND_ASSIGN(std::string note, SignDeletionReceipt(Example(), signer));
  ASSERT_OK_AND_ASSIGN(audit::tlog::NoteVerifier verifier, audit::tlog::NoteVerifier::FromKey(signer.VerifierKey()));
  std::string changed = note;
  changed.replace(changed.find("tenant acme\n"), 12, "tenant acmf\n");
  EXPECT_STATUS_CODE(OpenDeletionReceipt(changed, verifier), kUnauthenticated);
  // Another server's key with the same name.
  audit::tlog::NoteSigner other = Signer("confiance.example");
  ASSERT_OK_AND_ASSIGN(std::string forged, SignDeletionReceipt(Example(), other));
  EXPECT_STATUS_CODE(OpenDeletionReceipt(forged, verifier), kUnauthenticated);
  // A signed note that is not a receipt.
  ASSERT_OK_AND_ASSIGN(std::string checkpoint, signer.Sign("confiance.example/tenant/acme\n5\nAAAA\n"));
  EXPECT_STATUS_CODE(OpenDeletionReceipt(checkpoint, verifier), kInvalidArgument);
}

TEST(DeletionReceiptTest, BucketScopeWithReclamationLine) {
  audit::tlog::NoteSigner signer = Signer("confiance.example");
  DeletionReceipt r = Example();
  r.scope = "bucket photos 0123abcd";
  r.key_id = "bucket-key/0123abcd (wrapped under tenant-key@2)";
  r.reclamation = ReclamationNote("bucket");
  ASSERT_OK_AND_ASSIGN(std::string note, SignDeletionReceipt(r, signer));
  EXPECT_NE(note.find("\nby tenant acme/root access-key AKROOT\nreclamation follows: the bucket's object records"),
            std::string::npos)
      << note;
  ASSERT_OK_AND_ASSIGN(audit::tlog::NoteVerifier verifier, audit::tlog::NoteVerifier::FromKey(signer.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(DeletionReceipt back, OpenDeletionReceipt(note, verifier));
  EXPECT_EQ(back.scope, "bucket photos 0123abcd");
  EXPECT_EQ(back.key_id, "bucket-key/0123abcd (wrapped under tenant-key@2)");
  EXPECT_EQ(back.reclamation, r.reclamation);
  // Without the line, as before.
  ASSERT_OK_AND_ASSIGN(DeletionReceipt plain, OpenDeletionReceipt(*SignDeletionReceipt(Example(), signer), verifier));
  EXPECT_TRUE(plain.reclamation.empty());
  // Any other extra line is refused.
  ASSERT_OK_AND_ASSIGN(std::string odd, signer.Sign(DeletionReceiptText(Example()) + "extra line\n"));
  EXPECT_STATUS_CODE(OpenDeletionReceipt(odd, verifier), kInvalidArgument);
}

TEST(DeletionReceiptTest, OperatorPrincipal) {
  iam::Principal op{"AKOP", iam::PrincipalKind::kOperator, "", "alice", true};
  EXPECT_EQ(ReceiptPrincipal(op), "operator alice access-key AKOP");
}

}  // namespace
}  // namespace confiance::admin
