// File: s3/xml/object_lock_xml.h
// The Object Lock documents:
//   <ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>
//     <Rule><DefaultRetention><Mode>GOVERNANCE|COMPLIANCE</Mode>
//       <Days>n</Days> xor <Years>n</Years></DefaultRetention></Rule>
//   </ObjectLockConfiguration>
//   <Retention><Mode>...</Mode><RetainUntilDate>ISO 8601</RetainUntilDate></Retention>
//   <LegalHold><Status>ON|OFF</Status></LegalHold>
// Each parser checks structure and values; its error is InvalidArgument
// whose message starts with the S3 error code to answer ("MalformedXML: ",
// "InvalidRetentionPeriod: ").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/object_lock.h"
#include "common/status.h"

namespace confiance::s3::xml {

// The Rule (nullopt: a configuration without one, which removes the
// default retention). MalformedXML for another root, ObjectLockEnabled
// missing or not "Enabled", a Rule without DefaultRetention, a mode other
// than the two exact names, Days and Years together or neither;
// InvalidRetentionPeriod for a period that is not a positive integer (or
// over 36,500 days / 100 years).
Result<std::optional<catalog::DefaultRetention>> ParseObjectLockConfiguration(std::string_view body);
std::string RenderObjectLockConfiguration(const std::optional<catalog::DefaultRetention>& rule);

// A Retention document. `mode` kNone with no date: an empty Retention
// (clears the retention). MalformedXML for a bad mode, a mode without a
// date, a date without a mode or a date that is not ISO 8601.
struct RetentionDoc {
  catalog::LockMode mode = catalog::LockMode::kNone;
  uint64_t retain_until_ms = 0;
};
Result<RetentionDoc> ParseRetention(std::string_view body);
// (kNone: the empty Retention.)
std::string RenderRetention(catalog::LockMode mode, uint64_t retain_until_ms);

// A LegalHold document: true for ON. MalformedXML otherwise.
Result<bool> ParseLegalHold(std::string_view body);
std::string RenderLegalHold(bool on);

// "2030-01-01T00:00:00Z", with optional fractional seconds (rounded up to
// the millisecond) and "Z" or "+00:00" -> ms since the epoch; nullopt
// otherwise. Also for the x-amz-object-lock-retain-until-date header.
std::optional<uint64_t> ParseLockDate(std::string_view text);
// ms since the epoch -> "2030-01-01T00:00:00.000Z".
std::string RenderLockDate(uint64_t ms);

}  // namespace confiance::s3::xml
