// File: s3/operation.h
// The S3 operations Confiance routes, each with the name used in logs (and,
// later, in policies as the s3:<Action> it needs).
#pragma once

#include <string_view>

namespace confiance::s3 {

enum class Operation {
  kListBuckets,
  kCreateBucket,
  kHeadBucket,
  kDeleteBucket,
  kGetBucketLocation,
  kListObjects,
  kListObjectsV2,
  kListMultipartUploads,
  kDeleteObjects,
  kPutObject,
  kCopyObject,
  kGetObject,
  kHeadObject,
  kDeleteObject,
  kCreateMultipartUpload,
  kUploadPart,
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kListParts,
  kNotImplemented,  // a known S3 operation Confiance does not implement yet
};

std::string_view OperationName(Operation op);

}  // namespace confiance::s3
