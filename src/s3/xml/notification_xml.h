// File: s3/xml/notification_xml.h
// The XML of PutBucketNotificationConfiguration and
// GetBucketNotificationConfiguration: parsed into rules as they were
// written, and rendered back. What the rules may say (events, targets,
// filters) is checked by s3/notification_config.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::s3::xml {

// One QueueConfiguration, TopicConfiguration or CloudFunctionConfiguration.
struct NotificationRule {
  enum class Kind { kQueue, kTopic, kCloudFunction };
  Kind kind = Kind::kQueue;
  std::string id;                   // "" until the caller names it
  std::string arn;                  // the Queue, Topic or CloudFunction element
  std::vector<std::string> events;  // "s3:ObjectCreated:*", in the order given
  // Filter/S3Key/FilterRule values by name; "" = none. `filter_names` keeps
  // every FilterRule Name as written, for the validator.
  std::string prefix;
  std::string suffix;
  std::vector<std::string> filter_names;

  friend bool operator==(const NotificationRule&, const NotificationRule&) = default;
};

// The rules of a NotificationConfiguration document (none: notifications
// off). MalformedXML (xml_text.h) for a document that is not one: another
// root, a rule without its ARN element, a repeated Id or ARN, a FilterRule
// without Name or Value, an EventBridgeConfiguration (not offered).
Result<std::vector<NotificationRule>> ParseNotificationConfiguration(std::string_view body);

// The document GetBucketNotificationConfiguration answers: each rule in its
// own kind's element, Id first, as S3 writes them.
std::string RenderNotificationConfiguration(const std::vector<NotificationRule>& rules);

}  // namespace confiance::s3::xml
