// File: s3/xml/encryption_xml.h
// The ServerSideEncryptionConfiguration document of PutBucketEncryption
// (request) and GetBucketEncryption (response):
//   <ServerSideEncryptionConfiguration><Rule>
//     <ApplyServerSideEncryptionByDefault><SSEAlgorithm/><KMSMasterKeyID/>
//     </ApplyServerSideEncryptionByDefault><BucketKeyEnabled/>
//   </Rule></ServerSideEncryptionConfiguration>
// Structure only: which algorithms are accepted is the handler's decision.
#pragma once

#include <string>
#include <string_view>

#include "catalog/records.h"
#include "common/status.h"

namespace confiance::s3::xml {

// The one rule of the document, values with surrounding XML white space
// removed. InvalidArgument (-> MalformedXML) for a document that is not
// well-formed, whose root is not ServerSideEncryptionConfiguration, that
// holds no Rule or more than one (S3 accepts exactly one), a Rule without
// ApplyServerSideEncryptionByDefault, an empty or repeated SSEAlgorithm, a
// repeated KMSMasterKeyID or BucketKeyEnabled, or a BucketKeyEnabled other
// than true/false.
Result<catalog::BucketEncryption> ParseServerSideEncryptionConfiguration(std::string_view body);

// The response document; BucketKeyEnabled always present, KMSMasterKeyID
// only when set.
std::string RenderServerSideEncryptionConfiguration(const catalog::BucketEncryption& encryption);

}  // namespace confiance::s3::xml
