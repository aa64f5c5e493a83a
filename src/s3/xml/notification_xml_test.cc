// File: s3/xml/notification_xml_test.cc
#include "s3/xml/notification_xml.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::s3::xml {
namespace {

TEST(NotificationXmlTest, ParsesEveryKindAsBotoSendsIt) {
  const std::string body =
      R"(<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<QueueConfiguration><Id>new-images</Id><Queue>arn:confiance:sqs::acme:hook</Queue>)"
      R"(<Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:Delete</Event>)"
      R"(<Filter><S3Key><FilterRule><Name>prefix</Name><Value>images/ </Value></FilterRule>)"
      R"(<FilterRule><Name>Suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter></QueueConfiguration>)"
      R"(<TopicConfiguration><Topic> arn:t </Topic><Event>s3:ObjectCreated:Put</Event></TopicConfiguration>)"
      R"(<CloudFunctionConfiguration><CloudFunction>arn:f</CloudFunction></CloudFunctionConfiguration>)"
      R"(</NotificationConfiguration>)";
  ASSERT_OK_AND_ASSIGN(std::vector<NotificationRule> rules, ParseNotificationConfiguration(body));
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].kind, NotificationRule::Kind::kQueue);
  EXPECT_EQ(rules[0].id, "new-images");
  EXPECT_EQ(rules[0].arn, "arn:confiance:sqs::acme:hook");
  EXPECT_EQ(rules[0].events, (std::vector<std::string>{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"}));
  EXPECT_EQ(rules[0].prefix, "images/ ");  // filter values as written
  EXPECT_EQ(rules[0].suffix, ".jpg");
  EXPECT_EQ(rules[0].filter_names, (std::vector<std::string>{"prefix", "Suffix"}));
  EXPECT_EQ(rules[1].kind, NotificationRule::Kind::kTopic);
  EXPECT_EQ(rules[1].arn, "arn:t");
  EXPECT_EQ(rules[2].kind, NotificationRule::Kind::kCloudFunction);
  EXPECT_TRUE(rules[2].events.empty());

  // Rendered and parsed again, the rules are the same (filter names
  // normalized).
  rules[0].filter_names = {"Prefix", "Suffix"};
  ASSERT_OK_AND_ASSIGN(std::vector<NotificationRule> again,
                       ParseNotificationConfiguration(RenderNotificationConfiguration(rules)));
  EXPECT_EQ(again, rules);
}

TEST(NotificationXmlTest, AnEmptyDocumentTurnsNotificationsOff) {
  ASSERT_OK_AND_ASSIGN(std::vector<NotificationRule> rules,
                       ParseNotificationConfiguration("<NotificationConfiguration/>"));
  EXPECT_TRUE(rules.empty());
  EXPECT_NE(RenderNotificationConfiguration({}).find("<NotificationConfiguration"), std::string::npos);
}

TEST(NotificationXmlTest, RefusesWhatIsNotAConfiguration) {
  for (const char* bad : {
           "<NotificationConfiguration>",
           "<CORSConfiguration/>",
           "<NotificationConfiguration><QueueConfiguration><Id>x</Id></QueueConfiguration></NotificationConfiguration>",
           "<NotificationConfiguration><QueueConfiguration><Queue>a</Queue><Queue>b</Queue>"
           "</QueueConfiguration></NotificationConfiguration>",
           "<NotificationConfiguration><QueueConfiguration><Queue>a</Queue><Filter><S3Key><FilterRule>"
           "<Name>prefix</Name></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>",
           "<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>",
           "<NotificationConfiguration><LambdaFunctionConfiguration/></NotificationConfiguration>",
       }) {
    EXPECT_STATUS_CODE(ParseNotificationConfiguration(bad), kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace confiance::s3::xml
