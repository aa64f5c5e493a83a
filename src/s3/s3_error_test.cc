// File: s3/s3_error_test.cc
#include "s3/s3_error.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/object_lock.h"

namespace confiance::s3 {
namespace {

TEST(ErrorFromStatusTest, LowerLayerStatusesMapToTheirS3Errors) {
  struct Row {
    Status status;
    std::string_view code;
    int http;
  };
  const Row rows[] = {
      {UnavailableError("read-only store"), "ServiceUnavailable", 503},
      {ResourceExhaustedError("disk full"), "InsufficientStorage", 507},
      {DeadlineExceededError("slow"), "RequestTimeout", 400},
      {AbortedError("too many concurrent writers on one key"), "OperationAborted", 409},
      {PermissionDeniedError(std::string(catalog::kObjectLocked) + "retention"), "AccessDenied", 403},
      {PermissionDeniedError("a wrapped key did not authenticate"), "InternalError", 500},
      {NotFoundError(std::string(catalog::kBucketDeleted)), "NoSuchBucket", 404},
      {NotFoundError("no such blob"), "InternalError", 500},
      {InternalError("anything else"), "InternalError", 500},
  };
  for (const Row& row : rows) {
    const S3Error e = ErrorFromStatus(row.status);
    EXPECT_EQ(e.CodeString(), row.code) << row.status.ToString();
    EXPECT_EQ(e.HttpStatus(), row.http) << row.status.ToString();
  }
  // An internal error's detail (it may name paths) never reaches the client.
  EXPECT_EQ(ErrorFromStatus(InternalError("/data/blobs/x")).Message().find("/data"), std::string_view::npos);
}

TEST(S3ErrorTest, ErrorCodeOfDocumentReadsTheCode) {
  EXPECT_EQ(ErrorCodeOfDocument("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>x</Message></Error>"),
            "AccessDenied");
  EXPECT_EQ(ErrorCodeOfDocument("<Error><Message>no code</Message></Error>"), "");
  EXPECT_EQ(ErrorCodeOfDocument("</Code><Code>"), "");
  EXPECT_EQ(ErrorCodeOfDocument("<Code>" + std::string(100, 'x') + "</Code>").size(), 64u);
}

}  // namespace
}  // namespace confiance::s3
