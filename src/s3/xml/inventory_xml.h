// File: s3/xml/inventory_xml.h
// The InventoryConfiguration document of PutBucketInventoryConfiguration
// (request) and GetBucketInventoryConfiguration (response), and the
// ListInventoryConfigurationsResult of ListBucketInventoryConfigurations:
//   <InventoryConfiguration>
//     <Destination><S3BucketDestination>
//       <AccountId/>                                    (optional)
//       <Bucket>arn:aws:s3:::NAME</Bucket><Format>CSV|ORC|Parquet</Format>
//       <Prefix/>                                       (optional)
//       <Encryption><SSE-S3/> | <SSE-KMS><KeyId/></SSE-KMS></Encryption>  (optional)
//     </S3BucketDestination></Destination>
//     <IsEnabled>true|false</IsEnabled>
//     <Filter><Prefix/></Filter>                        (optional)
//     <Id/>
//     <IncludedObjectVersions>All|Current</IncludedObjectVersions>
//     <OptionalFields><Field/>...</OptionalFields>      (optional)
//     <Schedule><Frequency>Daily|Weekly</Frequency></Schedule>
//   </InventoryConfiguration>
// A document of the wrong shape is MalformedXML; a well-formed one with an
// Id S3 would refuse is InvalidArgument ("InvalidArgument: <message>").
// Structure only: whether the destination bucket exists and may receive
// reports is the handler's decision.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::s3::xml {

// At most this many inventory configurations per bucket, as on S3.
inline constexpr size_t kMaxInventoryConfigurations = 1000;

// The names S3 accepts in <OptionalFields><Field>, in the order S3's
// reports put their columns (s3/inventory.h).
inline constexpr std::array<std::string_view, 15> kInventoryOptionalFields = {
    "Size",
    "LastModifiedDate",
    "ETag",
    "StorageClass",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "EncryptionStatus",
    "ObjectLockRetainUntilDate",
    "ObjectLockMode",
    "ObjectLockLegalHoldStatus",
    "IntelligentTieringAccessTier",
    "BucketKeyStatus",
    "ChecksumAlgorithm",
    "ObjectAccessControlList",
    "ObjectOwner",
};

// Values are the document's, trimmed of XML white space, except the two
// prefixes, which are taken as given (white space may be part of a key).
struct InventoryConfiguration {
  std::string id;  // 1..64 characters of [A-Za-z0-9._-]
  bool enabled = false;
  std::string destination_bucket;            // NAME of <Bucket>arn:aws:s3:::NAME</Bucket>, not empty
  std::string destination_account;           // <AccountId>, "" when absent
  std::string destination_prefix;            // <Prefix> of S3BucketDestination, "" when absent
  std::string format;                        // "CSV", "ORC" or "Parquet"
  std::string encryption;                    // "" (none), "SSE-S3" or "SSE-KMS"
  std::string kms_key_id;                    // SSE-KMS's <KeyId>, not empty; "" otherwise
  std::optional<std::string> filter_prefix;  // <Filter><Prefix>; nullopt when no Filter
  std::string included_versions;             // "All" or "Current"
  std::vector<std::string> optional_fields;  // S3's field names, in document order, no duplicates
  std::string frequency;                     // "Daily" or "Weekly"
  friend bool operator==(const InventoryConfiguration&, const InventoryConfiguration&) = default;
};

// InvalidArgument "MalformedXML: ..." for a document that is not
// well-formed, whose root is not InventoryConfiguration, that lacks a
// required element (Destination, S3BucketDestination, Bucket, Format,
// IsEnabled, Id, IncludedObjectVersions, Schedule, Frequency; a Filter's
// Prefix; an SSE-KMS's KeyId), repeats an element that may appear once, has
// a value outside those listed above, a Bucket that is not "arn:aws:s3:::"
// and a name, an Encryption with neither or both of SSE-S3 and SSE-KMS, or
// an unknown or repeated Field. InvalidArgument "InvalidArgument: ..." for
// an Id that is empty, longer than 64 or holds another character. Unknown
// elements are ignored.
Result<InventoryConfiguration> ParseInventoryConfiguration(std::string_view body);

// The response document of GetBucketInventoryConfiguration: elements in the
// order above, Filter only when filter_prefix is set, OptionalFields only
// when there are some. Parses back to `config` when `config` came from
// ParseInventoryConfiguration.
std::string RenderInventoryConfiguration(const InventoryConfiguration& config);

// The ListInventoryConfigurationsResult of ListBucketInventoryConfigurations:
// ContinuationToken when `continuation_token` is not empty (the request's),
// one InventoryConfiguration per entry of `page`, IsTruncated, and
// NextContinuationToken when `next_continuation_token` is not empty (which
// makes IsTruncated true).
std::string RenderInventoryConfigurationList(const std::vector<InventoryConfiguration>& page,
                                             std::string_view continuation_token,
                                             std::string_view next_continuation_token);

}  // namespace confiance::s3::xml
