// File: s3/lifecycle.h
// Lifecycle rule evaluation: which rules apply to an object or an upload,
// and when their actions fall due. Pure functions over the stored
// configuration (catalog/lifecycle_rules.h); thread-safe.
//
// Time: S3 adds a rule's days to the object's creation (last-modified) time
// and rounds up to the next midnight UTC. Every function takes the length
// of a "day" in milliseconds, so that tests can shorten it
// (`confiance server --lifecycle-day-seconds`): with a day of N seconds,
// "midnight" is every multiple of N seconds since the epoch. Dates
// (Expiration Date) are absolute and never scaled.
//
// Versioned buckets: NoncurrentVersionExpiration, NewerNoncurrentVersions
// and ExpiredObjectDeleteMarker are evaluated by
// EarliestNoncurrentExpiration and EarliestDeleteMarkerExpiration below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/lifecycle_rules.h"
#include "catalog/records.h"

namespace confiance::s3 {

inline constexpr int64_t kLifecycleDayMs = 86400000;

// What a filter looks at for an object.
struct LifecycleSubject {
  std::string_view key;
  const catalog::TagMap* tags = nullptr;  // null: no tags
  uint64_t size = 0;
};

// Whether `filter` selects the object: key starts with the prefix, every
// filter tag is on the object with the same value, and the size is
// strictly inside the size bounds.
bool FilterMatches(const catalog::LifecycleFilter& filter, const LifecycleSubject& object);

// `start_ms` plus `days` days, rounded up to the next "midnight" (a
// multiple of `day_ms` since the epoch).
int64_t DaysAfter(int64_t start_ms, int64_t days, int64_t day_ms);

// When `rule`'s Expiration falls due for a current object last modified at
// `modified_ms`: Days (rounded as above) or Date; nullopt if the rule has
// neither. The rule's status and filter are not checked.
std::optional<int64_t> ExpirationDue(const catalog::LifecycleRule& rule, int64_t modified_ms, int64_t day_ms);

struct DueRule {
  const catalog::LifecycleRule* rule = nullptr;  // into the configuration given
  int64_t due_ms = 0;
};

// The enabled rule whose Expiration expires the current object soonest
// (first in document order on a tie); nullopt if none applies.
std::optional<DueRule> EarliestExpiration(const catalog::LifecycleConfiguration& config,
                                          const LifecycleSubject& object, int64_t modified_ms, int64_t day_ms);

// The enabled AbortIncompleteMultipartUpload rule that aborts the upload of
// `key` initiated at `initiated_ms` soonest; nullopt if none. Only the
// prefix of a filter can apply (S3 refuses tags and sizes with this
// action).
std::optional<DueRule> EarliestAbort(const catalog::LifecycleConfiguration& config, std::string_view key,
                                     int64_t initiated_ms, int64_t day_ms);

// The x-amz-expiration header value for `due`:
//   expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"
std::string ExpirationHeaderValue(const DueRule& due);

// Versioned buckets.
// When a version that became noncurrent at `noncurrent_since_ms` expires
// under `rule`'s NoncurrentDays; nullopt if the rule has none.
std::optional<int64_t> NoncurrentExpirationDue(const catalog::LifecycleRule& rule, int64_t noncurrent_since_ms,
                                               int64_t day_ms);
// How many of the newest noncurrent versions `rule` keeps whatever their
// age (NewerNoncurrentVersions; 0 when unset).
int64_t NoncurrentVersionsToKeep(const catalog::LifecycleRule& rule);
// Whether `rule` removes a delete marker that has become the only version
// of its key (ExpiredObjectDeleteMarker true, or Expiration Days/Date, which
// S3 applies to such markers too).
bool DeleteMarkerExpires(const catalog::LifecycleRule& rule);

// The enabled NoncurrentVersionExpiration rule that expires a noncurrent
// version soonest; nullopt if none. `noncurrent_since_ms`: when the
// version became noncurrent (the next newer version's modified time);
// `newer_noncurrent`: how many noncurrent versions of its key are newer
// (a rule with NewerNoncurrentVersions N spares the N newest whatever
// their age).
std::optional<DueRule> EarliestNoncurrentExpiration(const catalog::LifecycleConfiguration& config,
                                                    const LifecycleSubject& version, int64_t noncurrent_since_ms,
                                                    int64_t newer_noncurrent, int64_t day_ms);
// The enabled rule that removes an expired object delete marker of `key`
// (one no other version is left behind) soonest, and when: at once for
// ExpiredObjectDeleteMarker, else when the marker itself expires under the
// rule's Expiration Days (from the marker's `modified_ms`) or Date, as RGW
// and the s3-tests expect. nullopt if none. A marker has no tags and no size.
std::optional<DueRule> EarliestDeleteMarkerExpiration(const catalog::LifecycleConfiguration& config,
                                                      std::string_view key, int64_t modified_ms, int64_t day_ms);

// Transitions (docs/storage-classes.md).
struct DueTransition {
  const catalog::LifecycleRule* rule = nullptr;  // into the configuration given
  std::string storage_class;
  int64_t due_ms = 0;
};
// Among the enabled rules whose filter selects a current object last
// modified at `modified_ms`, the Transition (Days, rounded as above, or
// Date) due at `now_ms` that fell due last: a later step of a waterfall
// (30 days to one class, 90 to another) wins; the first in document order
// on a tie. nullopt if none is due.
std::optional<DueTransition> CurrentTransitionDue(const catalog::LifecycleConfiguration& config,
                                                  const LifecycleSubject& object, int64_t modified_ms, int64_t now_ms,
                                                  int64_t day_ms);
// The same for a noncurrent version under NoncurrentVersionTransition
// (`noncurrent_since_ms` and `newer_noncurrent` as for
// EarliestNoncurrentExpiration).
std::optional<DueTransition> NoncurrentTransitionDue(const catalog::LifecycleConfiguration& config,
                                                     const LifecycleSubject& version, int64_t noncurrent_since_ms,
                                                     int64_t newer_noncurrent, int64_t now_ms, int64_t day_ms);

}  // namespace confiance::s3
