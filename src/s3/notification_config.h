// File: s3/notification_config.h
// Bucket event notifications (docs/notifications.md): what a bucket's
// notification configuration may say, its encoding in the bucket record,
// which rules an event matches, and the S3 event message a target gets.
//
// Targets are webhooks the operator declares for a tenant
// (`--notify-webhook TENANT:NAME=URL`); a rule names one by its ARN,
// arn:confiance:sqs::TENANT:NAME, and may name only its bucket owner's.
// Events are derived from the owner's transparency log (main/
// notification_dispatcher.h): the ones this server emits are
// ObjectCreated:{Put,Post,Copy,CompleteMultipartUpload} and
// ObjectRemoved:{Delete,DeleteMarkerCreated}.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/event.h"
#include "common/status.h"
#include "s3/s3_error.h"
#include "s3/xml/notification_xml.h"

namespace confiance::s3 {

using NotificationRule = xml::NotificationRule;

// A webhook the operator declared for one tenant.
struct NotificationTarget {
  std::string tenant;
  std::string name;  // [A-Za-z0-9_-]{1,64}
  std::string url;   // http:// or https://
};

// "arn:confiance:sqs::TENANT:NAME", and back ((tenant, name), or nullopt).
std::string NotificationTargetArn(std::string_view tenant, std::string_view name);
std::optional<std::pair<std::string, std::string>> ParseNotificationTargetArn(std::string_view arn);

// "TENANT:NAME=URL" (the flag's form). InvalidArgument with the reason.
Result<NotificationTarget> ParseNotificationTargetFlag(std::string_view flag);

// Checks the rules a PutBucketNotificationConfiguration of a bucket owned by
// `owner` parsed, as S3 does, and names the rules without an Id. On
// refusal, `*error` is the S3 error (InvalidArgument, with S3's messages:
// an unknown or another tenant's destination, an event that is unknown or
// not emitted here, a filter rule that is not one prefix and one suffix,
// two rules that overlap, more than 100 rules).
Status ValidateNotificationRules(std::vector<NotificationRule>& rules, std::string_view owner,
                                 const std::vector<NotificationTarget>& targets, S3Error* error);

// The bucket record's encoding of the rules (JSON; "" when there are none),
// and back (DataLoss for bytes that are not one).
std::string EncodeNotificationRules(const std::vector<NotificationRule>& rules);
Result<std::vector<NotificationRule>> DecodeNotificationRules(std::string_view encoded);

// The S3 event name ("ObjectCreated:Put") a successful log entry stands
// for, or "" for an entry that made no notifiable event (a read, a
// refusal, an answer that wrote nothing).
std::string NotificationEventName(const audit::Event& event);

// Whether `e` is the lifecycle worker's entry of an expiry it is about to
// commit (s3/lifecycle_outcomes.h says why its event waits for the
// outcome), and whether a `later` entry of the worker records that this
// expiry's commit was refused.
bool IsLifecycleExpiryEntry(const audit::Event& e);
bool RefusesLifecycleExpiry(const audit::Event& later, const audit::Event& expiry);

// Whether `rule` asks for `event_name` ("ObjectCreated:Put") on `key`.
bool NotificationRuleMatches(const NotificationRule& rule, std::string_view event_name, std::string_view key);

// The message a target gets for one event: S3's event structure, version
// 2.1, one record. `sequence` is the entry's index in the owner's log
// (the object's "sequencer"), `owner` the bucket owner.
std::string NotificationMessage(const audit::Event& event, std::string_view event_name, const NotificationRule& rule,
                                std::string_view owner, std::string_view region, uint64_t sequence);

}  // namespace confiance::s3
