// File: s3/xml/cors_xml.h
// The CORSConfiguration document of PutBucketCors (request) and
// GetBucketCors (response):
//   <CORSConfiguration><CORSRule><ID/><AllowedHeader/>...<AllowedMethod/>...
//     <AllowedOrigin/>...<ExposeHeader/>...<MaxAgeSeconds/></CORSRule>...
// Structure only: the rules' checks (methods, wildcards, counts) are
// s3/cors.h's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"

namespace confiance::s3::xml {

// The rules in document order, every list in the order sent, values
// exactly as sent. InvalidArgument (-> MalformedXML) for a document that
// is not well-formed, whose root is not CORSConfiguration, or with a rule
// holding more than one ID or MaxAgeSeconds, or a MaxAgeSeconds that is
// not a decimal integer. A rule may come back without origins or methods.
Result<std::vector<catalog::CorsRule>> ParseCorsConfiguration(std::string_view body);

// The response document: each rule's members in the order of the API
// reference's model (ID, AllowedHeader, AllowedMethod, AllowedOrigin,
// ExposeHeader, MaxAgeSeconds), only those set.
std::string RenderCorsConfiguration(const std::vector<catalog::CorsRule>& rules);

}  // namespace confiance::s3::xml
