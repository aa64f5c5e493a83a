// File: catalog/lifecycle_rules.h
// A bucket's lifecycle configuration (PutBucketLifecycleConfiguration) as
// the bucket record stores it. Parsed and checked by s3/ (s3/xml/
// lifecycle_xml.h, s3/lifecycle.h) before it gets here; the catalog only
// stores it (docs/meta_keys.md, BucketRecord "lc").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace confiance::catalog {

// The objects a rule applies to: all conditions must hold (an empty filter
// matches every object).
struct LifecycleFilter {
  std::string prefix;
  // Every tag must be on the object with this value; in the order sent.
  std::vector<std::pair<std::string, std::string>> tags;
  std::optional<int64_t> size_greater_than;  // bytes, exclusive
  std::optional<int64_t> size_less_than;     // bytes, exclusive

  bool operator==(const LifecycleFilter&) const = default;
};

// How a rule named its objects, so that GetBucketLifecycleConfiguration
// answers in the form it was given.
enum class LifecycleFilterForm {
  kLegacyPrefix,  // <Rule><Prefix> (no <Filter>)
  kEmpty,         // <Filter/>
  kPrefix,        // <Filter><Prefix>
  kTag,           // <Filter><Tag>
  kSizeGreater,   // <Filter><ObjectSizeGreaterThan>
  kSizeLess,      // <Filter><ObjectSizeLessThan>
  kAnd,           // <Filter><And>...
};

// A Transition: current objects go to `storage_class` `days` after they
// were written, or from `date_ms` on (one of the two).
struct LifecycleTransition {
  std::optional<int64_t> days;     // >= 0
  std::optional<int64_t> date_ms;  // a midnight UTC, ms since the epoch
  std::string storage_class;

  bool operator==(const LifecycleTransition&) const = default;
};

// A NoncurrentVersionTransition: noncurrent versions go to `storage_class`
// `noncurrent_days` after they became noncurrent, but for the
// `newer_noncurrent_versions` newest of their key.
struct NoncurrentTransition {
  int64_t noncurrent_days = 0;                       // >= 0
  std::optional<int64_t> newer_noncurrent_versions;  // 1..100
  std::string storage_class;

  bool operator==(const NoncurrentTransition&) const = default;
};

struct LifecycleRule {
  std::string id;  // set (the server makes one when the client sent none)
  bool enabled = false;
  LifecycleFilterForm form = LifecycleFilterForm::kEmpty;
  LifecycleFilter filter;
  // Expiration of current versions: at most one of these three.
  std::optional<int64_t> expiration_days;     // > 0
  std::optional<int64_t> expiration_date_ms;  // a midnight UTC, ms since the epoch
  std::optional<bool> expired_object_delete_marker;
  // NoncurrentVersionExpiration (applied once versioning exists).
  std::optional<int64_t> noncurrent_days;             // > 0
  std::optional<int64_t> newer_noncurrent_versions;   // 1..100
  // AbortIncompleteMultipartUpload.
  std::optional<int64_t> abort_days_after_initiation;  // > 0
  // Transition and NoncurrentVersionTransition (docs/storage-classes.md),
  // each storage class at most once per rule.
  std::vector<LifecycleTransition> transitions;
  std::vector<NoncurrentTransition> noncurrent_transitions;

  bool operator==(const LifecycleRule&) const = default;
};

struct LifecycleConfiguration {
  std::vector<LifecycleRule> rules;  // 1..1000, IDs unique

  bool operator==(const LifecycleConfiguration&) const = default;
};

}  // namespace confiance::catalog
