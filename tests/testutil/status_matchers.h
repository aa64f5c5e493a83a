// File: tests/testutil/status_matchers.h
// ASSERT_OK / EXPECT_OK for Status and Result<T>, and ASSERT_OK_AND_ASSIGN.
#pragma once

#include <gtest/gtest.h>

#include "common/status.h"

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    ::confiance::Status _s = ::confiance::internal::AsStatus(expr);            \
    EXPECT_TRUE(_s.ok()) << _s.ToString();                                     \
  } while (0)
#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    ::confiance::Status _s = ::confiance::internal::AsStatus(expr);            \
    ASSERT_TRUE(_s.ok()) << _s.ToString();                                     \
  } while (0)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)      \
  auto tmp = (expr);                                   \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();    \
  lhs = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(CONFIANCE_CONCAT(_res_, __LINE__), lhs, expr)
#define EXPECT_STATUS_CODE(expr, code_) \
  EXPECT_EQ(::confiance::internal::AsStatus(expr).code(), ::confiance::StatusCode::code_)
