// File: common/status_test.cc
// Status, Result<T>, the propagation macros and the errno mapping.
#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>

#include "tests/testutil/status_matchers.h"

namespace confiance {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s, OkStatus());
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = NotFoundError("blob 12");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "blob 12");
  EXPECT_EQ(s.ToString(), "NOT_FOUND: blob 12");
  EXPECT_EQ(s, NotFoundError("blob 12"));
  EXPECT_FALSE(s == NotFoundError("blob 13"));
  EXPECT_FALSE(s == InternalError("blob 12"));
}

TEST(StatusTest, HelpersUseTheirCodes) {
  EXPECT_EQ(InvalidArgumentError("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AlreadyExistsError("").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(PermissionDeniedError("").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ResourceExhaustedError("").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(FailedPreconditionError("").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AbortedError("").code(), StatusCode::kAborted);
  EXPECT_EQ(OutOfRangeError("").code(), StatusCode::kOutOfRange);
  EXPECT_EQ(UnimplementedError("").code(), StatusCode::kUnimplemented);
  EXPECT_EQ(InternalError("").code(), StatusCode::kInternal);
  EXPECT_EQ(UnavailableError("").code(), StatusCode::kUnavailable);
  EXPECT_EQ(DataLossError("").code(), StatusCode::kDataLoss);
  EXPECT_EQ(UnauthenticatedError("").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(DeadlineExceededError("").code(), StatusCode::kDeadlineExceeded);
}

TEST(StatusTest, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(StatusCode::kUnauthenticated); ++c) {
    EXPECT_FALSE(StatusCodeName(static_cast<StatusCode>(c)).empty()) << c;
  }
  EXPECT_EQ(StatusCodeName(StatusCode::kDataLoss), "DATA_LOSS");
}

TEST(StatusTest, ErrnoErrorMapsCommonErrors) {
  EXPECT_EQ(ErrnoError(ENOENT, "open x").code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrnoError(EEXIST, "").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrnoError(ENOSPC, "").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoError(EDQUOT, "").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrnoError(EACCES, "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoError(EPERM, "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoError(EIO, "").code(), StatusCode::kDataLoss);
  EXPECT_EQ(ErrnoError(EINVAL, "").code(), StatusCode::kInternal);
  Status s = ErrnoError(ENOENT, "open /a/b");
  EXPECT_NE(s.message().find("open /a/b"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file"), std::string::npos) << s.message();
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> v = 42;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42);
  EXPECT_EQ(v.value(), 42);
  EXPECT_TRUE(v.status().ok());

  Result<int> e = NotFoundError("nope");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status(), NotFoundError("nope"));
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get()->size(), 1u);
  std::unique_ptr<std::string> p = std::move(r).value();
  EXPECT_EQ(*p, "x");
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return OkStatus();
}

Status Chain(Status first, bool* reached) {
  RETURN_IF_ERROR(first);
  *reached = true;
  return OkStatus();
}

TEST(MacrosTest, AssignOrReturnPropagates) {
  ASSERT_OK_AND_ASSIGN(int q, Quarter(12));
  EXPECT_EQ(q, 3);
  EXPECT_EQ(Quarter(6).status(), InvalidArgumentError("odd"));
  EXPECT_EQ(Quarter(7).status(), InvalidArgumentError("odd"));
}

TEST(MacrosTest, ReturnIfErrorPropagates) {
  EXPECT_OK(CheckEven(4));
  EXPECT_STATUS_CODE(CheckEven(5), kInvalidArgument);
  bool reached = false;
  EXPECT_STATUS_CODE(Chain(AbortedError("x"), &reached), kAborted);
  EXPECT_FALSE(reached);
  EXPECT_OK(Chain(OkStatus(), &reached));
  EXPECT_TRUE(reached);
}

}  // namespace
}  // namespace confiance
