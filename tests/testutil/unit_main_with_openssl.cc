// File: tests/testutil/unit_main_with_openssl.cc
// main() of every unit-test binary, in place of gtest_main (it asserts
// nothing itself): OpenSSL set up as the server sets it up
// (crypto/openssl_process.h), so that sanitizer runs of tests that start
// RocksDB over an EncryptedEnv see what the server does at exit.
#include <gtest/gtest.h>

#include <cstdio>

#include "crypto/openssl_process.h"

int main(int argc, char** argv) {
  if (confiance::Status s = confiance::crypto::InitOpenSslForProcess(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
