// File: s3/lifecycle_config.h
// The LifecycleConfiguration document of Put/GetBucketLifecycleConfiguration:
// parsing with the checks S3 applies, each failure with the error code S3
// answers, and rendering. Pure functions; thread-safe.
//
//   <LifecycleConfiguration><Rule>
//     <ID/>? <Status>Enabled|Disabled</Status>
//     <Prefix/> | <Filter>(<Prefix/> | <Tag><Key/><Value/></Tag> |
//       <ObjectSizeGreaterThan/> | <ObjectSizeLessThan/> |
//       <And><Prefix/>? <Tag/>* <ObjectSizeGreaterThan/>? <ObjectSizeLessThan/>?</And>)?</Filter>
//     <Expiration>(<Days/> | <Date/> | <ExpiredObjectDeleteMarker/>)</Expiration>?
//     <NoncurrentVersionExpiration><NoncurrentDays/>? <NewerNoncurrentVersions/>?</NoncurrentVersionExpiration>?
//     <Transition>(<Days/> | <Date/>) <StorageClass/></Transition>*
//     <NoncurrentVersionTransition><NoncurrentDays/> <NewerNoncurrentVersions/>? <StorageClass/>
//       </NoncurrentVersionTransition>*
//     <AbortIncompleteMultipartUpload><DaysAfterInitiation/></AbortIncompleteMultipartUpload>?
//   </Rule>...</LifecycleConfiguration>
//
// Errors (as AWS answers them):
//  - MalformedXML: not well-formed, wrong root, no rule or more than 1000,
//    a Status other than Enabled/Disabled (case-sensitive), a rule with
//    both or neither of Prefix and Filter, a Filter naming more than one
//    condition outside And, an Expiration with not exactly one of Days,
//    Date, ExpiredObjectDeleteMarker, a Transition without StorageClass or
//    with not exactly one of Days and Date, a NoncurrentVersionTransition
//    without NoncurrentDays or StorageClass, a number that is not an integer;
//  - InvalidArgument: an ID over 255 characters, two rules with the same
//    ID, Days/NoncurrentDays/DaysAfterInitiation/NewerNoncurrentVersions
//    not positive (NewerNoncurrentVersions at most 100), a Date that is not
//    an ISO 8601 date or not at midnight UTC, a negative object size or
//    ObjectSizeGreaterThan >= ObjectSizeLessThan, negative transition days
//    (which storage classes a transition may name is the server's check:
//    S3Service::CheckTransitionClasses);
//  - InvalidRequest: a rule without any action, AbortIncompleteMultipartUpload
//    or ExpiredObjectDeleteMarker with tags (or sizes), a tag key twice in
//    one filter, one storage class in two transitions of a kind in a rule.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/lifecycle_rules.h"
#include "common/status.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

inline constexpr size_t kMaxLifecycleRules = 1000;
inline constexpr size_t kMaxLifecycleRuleIdLength = 255;
inline constexpr int64_t kMaxNewerNoncurrentVersions = 100;

// Parses and checks `body`. A rule without an ID gets `new_id()`. On failure
// returns InvalidArgument and sets *error to the S3 error to answer.
Result<catalog::LifecycleConfiguration> ParseLifecycleConfiguration(std::string_view body,
                                                                    const std::function<std::string()>& new_id,
                                                                    S3Error* error);

// The GetBucketLifecycleConfiguration document: each rule's filter in the
// form it was sent, Date as "YYYY-MM-DDT00:00:00.000Z".
std::string RenderLifecycleConfiguration(const catalog::LifecycleConfiguration& config);

}  // namespace confiance::s3
