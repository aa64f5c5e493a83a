// File: s3/xml/tagging_xml.h
// The Tagging document of PutObjectTagging/PutBucketTagging (request) and
// GetObjectTagging/GetBucketTagging (response):
//   <Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...</TagSet></Tagging>
// Structure only: the tag rules (lengths, characters, count, duplicates)
// are s3/tagging.h's.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace confiance::s3::xml {

// The tags in document order, duplicates kept, keys and values exactly as
// sent (white space included). InvalidArgument (-> MalformedXML) for a
// document that is not well-formed, whose root is not Tagging, without a
// TagSet, or with a Tag lacking its Key or Value. An empty TagSet is an
// empty list.
Result<std::vector<std::pair<std::string, std::string>>> ParseTagging(std::string_view body);

// The response document, tags in key order.
std::string RenderTagging(const std::map<std::string, std::string>& tags);

}  // namespace confiance::s3::xml
