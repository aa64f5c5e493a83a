// File: s3/xml/xml_reader.h
// Parsers for the request documents S3 clients send, built on pugixml.
// Each returns InvalidArgument (-> MalformedXML) for a document that is not
// well-formed or does not have the expected shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace confiance::s3::xml {

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // quotes removed
  // Child elements named Checksum<ALGORITHM> (ChecksumCRC32...), as
  // (element name, trimmed value), in document order.
  std::vector<std::pair<std::string, std::string>> checksums;
};

// <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part>...
Result<std::vector<CompletedPart>> ParseCompleteMultipartUpload(std::string_view body);

// <CreateBucketConfiguration><LocationConstraint>x</LocationConstraint>; an
// empty body yields "".
Result<std::string> ParseCreateBucketConfiguration(std::string_view body);

struct DeleteObjectsRequest {
  bool quiet = false;
  std::vector<std::string> keys;
  // Parallel to keys: the Object's VersionId, if it has one.
  std::vector<std::optional<std::string>> version_ids;
};
// <Delete><Quiet>true</Quiet><Object><Key>k</Key><VersionId>v</VersionId></Object>...</Delete>
Result<DeleteObjectsRequest> ParseDeleteObjects(std::string_view body);

// <VersioningConfiguration><Status>Enabled|Suspended</Status>
// <MfaDelete>Enabled|Disabled</MfaDelete></VersioningConfiguration>: the
// values as sent ("" when absent). InvalidArgument for another root, a
// repeated element or another value.
struct VersioningConfiguration {
  std::string status;
  std::string mfa_delete;
};
Result<VersioningConfiguration> ParseVersioningConfiguration(std::string_view body);

}  // namespace confiance::s3::xml
