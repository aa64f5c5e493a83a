// File: s3/bucket_logging.h
// Server access logging to a bucket (docs/bucket-logging.md): what a
// bucket's logging configuration says, its encoding in the bucket record,
// and the records and object names of the logs delivered.
//
// The records are derived from the bucket owner's transparency log, where
// every request on the bucket already is, durable before its response
// (docs/audit-log.md): main/access_log_delivery.h reads it and writes the
// log objects into the target bucket through S3 itself, as the service
// principal kLogDeliveryService. A record is one line in S3's server
// access log format (26 space-separated fields); the fields the
// transparency log does not hold are "-".
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/event.h"
#include "catalog/records.h"
#include "common/status.h"
#include "s3/authorize.h"
#include "s3/xml/logging_xml.h"

namespace confiance::s3 {

// The service principal log delivery asks as: a target bucket's policy
// grants it s3:PutObject, as on AWS.
inline constexpr std::string_view kLogDeliveryService = "logging.s3.amazonaws.com";

struct BucketLogging {
  xml::LoggingEnabled target;
  // The first entry of the owner's log the configuration applies to (the
  // log's size when logging was turned on): a configuration never reports
  // what happened before it.
  uint64_t since_index = 0;
  // Set once logging was turned off: the entry it was turned off at. The
  // records of the entries before it are still delivered; then the
  // delivery removes the configuration. A bucket whose configuration has
  // it has logging off (GetBucketLogging).
  std::optional<uint64_t> until_index;

  bool on() const { return !until_index.has_value(); }
  // Whether the record of entry `index` is this configuration's to deliver.
  bool Covers(uint64_t index) const { return index >= since_index && (on() || index < *until_index); }

  friend bool operator==(const BucketLogging&, const BucketLogging&) = default;
};

// Who delivers the logs of bucket `source`: the logging service, acting for
// the bucket's tenant, with the bucket as aws:SourceArn. PutBucketLogging
// checks the target's policy with it; the delivery writes as it.
ServicePrincipal LogDeliveryFor(const catalog::BucketRecord& source);

// The bucket record's encoding (JSON), and back (DataLoss for bytes that
// are not one).
std::string EncodeBucketLogging(const BucketLogging& logging);
Result<BucketLogging> DecodeBucketLogging(std::string_view encoded);

// Whether entry `e` of the owner's log has a record in `bucket`'s access
// log: a data-plane event on that bucket (refused ones too), other than a
// log delivery's own write (which would otherwise feed itself).
bool HasAccessLogRecord(const audit::Event& e, std::string_view bucket);

// The S3 server access log operation of an event: "REST.GET.OBJECT",
// "BATCH.DELETE.OBJECT" (a DeleteObjects request's per-key entry),
// "S3.EXPIRE.OBJECT" (the lifecycle worker)...; Confiance's own background
// work that S3 has no name for is "CONFIANCE." and its operation in upper
// case ("CONFIANCE.REPLICATEOBJECT").
std::string AccessLogOperation(const audit::Event& e);

// One record (no newline): `owner_id` is the bucket owner's canonical id.
std::string AccessLogRecord(const audit::Event& e, std::string_view owner_id);

// The key of a log object of `source_bucket` (owned by `source_owner`, in
// `source_region`) whose first record is at `first_ms`:
//   SimplePrefix:      PREFIX YYYY-MM-DD-hh-mm-ss-UNIQUE
//   PartitionedPrefix: PREFIX OWNER/REGION/BUCKET/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-UNIQUE
// UNIQUE is 16 upper-case hex digits derived from `unique_seed`: a
// delivery repeated after a crash writes the same key.
std::string AccessLogObjectKey(const xml::LoggingEnabled& target, std::string_view source_owner,
                               std::string_view source_region, std::string_view source_bucket, uint64_t first_ms,
                               std::string_view unique_seed);

}  // namespace confiance::s3
