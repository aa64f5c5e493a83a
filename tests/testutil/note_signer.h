// File: tests/testutil/note_signer.h
// A signed-note signer with a fresh Ed25519 key, for tests of the
// transparency log and of what reads it (header-only: the testutil library
// does not link audit/).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "audit/tlog/note.h"
#include "crypto/ed25519.h"

namespace confiance::testutil {

inline audit::tlog::NoteSigner NewNoteSigner(std::string name = "s3.test.example") {
  Result<crypto::Ed25519PrivateKey> key = crypto::Ed25519PrivateKey::Generate();
  EXPECT_TRUE(key.ok());
  Result<audit::tlog::NoteSigner> signer = audit::tlog::NoteSigner::Create(std::move(name), std::move(*key));
  EXPECT_TRUE(signer.ok());
  return std::move(signer).value();
}

}  // namespace confiance::testutil
