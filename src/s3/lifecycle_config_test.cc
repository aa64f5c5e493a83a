// File: s3/lifecycle_config_test.cc
#include "s3/lifecycle_config.h"

#include <gtest/gtest.h>

#include "catalog/records.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::s3 {
namespace {

using catalog::LifecycleConfiguration;
using catalog::LifecycleFilterForm;

std::string Doc(const std::string& rules) {
  return "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + rules +
         "</LifecycleConfiguration>";
}

std::string Rule(const std::string& body, const std::string& id = "r") {
  return "<Rule>" + (id.empty() ? std::string() : "<ID>" + id + "</ID>") + body + "</Rule>";
}

int counter = 0;
std::string NextId() { return "gen" + std::to_string(++counter); }

Result<LifecycleConfiguration> Parse(const std::string& doc, S3Error* error) {
  return ParseLifecycleConfiguration(doc, NextId, error);
}

// The error code a document is refused with ("" if accepted).
std::string RefusedWith(const std::string& doc) {
  S3Error error = MakeError(S3ErrorCode::kInternalError);
  Result<LifecycleConfiguration> r = Parse(doc, &error);
  return r.ok() ? std::string() : std::string(error.CodeString());
}

TEST(LifecycleConfigTest, ParsesEveryMember) {
  S3Error error = MakeError(S3ErrorCode::kInternalError);
  ASSERT_OK_AND_ASSIGN(
      LifecycleConfiguration c,
      Parse(Doc(Rule("<Status>Enabled</Status><Prefix>logs/</Prefix><Expiration><Days>3</Days></Expiration>", "a") +
                Rule("<Status>Disabled</Status><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value>"
                     "</Tag><Tag><Key>k2</Key><Value></Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan>"
                     "<ObjectSizeLessThan>20</ObjectSizeLessThan></And></Filter>"
                     "<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>"
                     "<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays>"
                     "<NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
                     "b") +
                Rule("<Filter/><Status>Enabled</Status>"
                     "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>"
                     "</AbortIncompleteMultipartUpload>",
                     "")),
            &error));
  ASSERT_EQ(c.rules.size(), 3u);
  EXPECT_EQ(c.rules[0].id, "a");
  EXPECT_TRUE(c.rules[0].enabled);
  EXPECT_EQ(c.rules[0].form, LifecycleFilterForm::kLegacyPrefix);
  EXPECT_EQ(c.rules[0].filter.prefix, "logs/");
  EXPECT_EQ(c.rules[0].expiration_days, 3);
  EXPECT_FALSE(c.rules[1].enabled);
  EXPECT_EQ(c.rules[1].form, LifecycleFilterForm::kAnd);
  EXPECT_EQ(c.rules[1].filter.tags.size(), 2u);
  EXPECT_EQ(c.rules[1].filter.tags[1].first, "k2");
  EXPECT_EQ(c.rules[1].filter.size_greater_than, 10);
  EXPECT_EQ(c.rules[1].filter.size_less_than, 20);
  EXPECT_EQ(c.rules[1].expiration_date_ms, int64_t{1893456000000});
  EXPECT_EQ(c.rules[1].noncurrent_days, 5);
  EXPECT_EQ(c.rules[1].newer_noncurrent_versions, 3);
  EXPECT_EQ(c.rules[2].form, LifecycleFilterForm::kEmpty);
  EXPECT_EQ(c.rules[2].abort_days_after_initiation, 7);
  EXPECT_EQ(c.rules[2].id.rfind("gen", 0), 0u) << "a rule without ID gets one";
}

TEST(LifecycleConfigTest, RenderParsesBackToTheSameConfiguration) {
  S3Error error = MakeError(S3ErrorCode::kInternalError);
  const std::string doc =
      Doc(Rule("<Status>Enabled</Status><Prefix>x</Prefix><Expiration><Days>1</Days></Expiration>", "1") +
          Rule("<Status>Enabled</Status><Filter><Tag><Key>a</Key><Value>b</Value></Tag></Filter>"
               "<Expiration><Date>2015-01-01</Date></Expiration>",
               "2") +
          Rule("<Status>Enabled</Status><Filter><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>"
               "<Expiration><Days>2</Days></Expiration>",
               "3") +
          Rule("<Status>Enabled</Status><Filter><Prefix>q</Prefix></Filter>"
               "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
               "4") +
          Rule("<Status>Enabled</Status><Filter/>"
               "<Transition><Days>0</Days><StorageClass>STANDARD_IA</StorageClass></Transition>"
               "<Transition><Days>90</Days><StorageClass>GLACIER_IR</StorageClass></Transition>"
               "<NoncurrentVersionTransition><NoncurrentDays>3</NoncurrentDays>"
               "<NewerNoncurrentVersions>2</NewerNoncurrentVersions><StorageClass>GLACIER_IR</StorageClass>"
               "</NoncurrentVersionTransition>",
               "5") +
          Rule("<Status>Enabled</Status><Prefix/>"
               "<Transition><Date>2031-05-01</Date><StorageClass>COLD</StorageClass></Transition>",
               "6"));
  ASSERT_OK_AND_ASSIGN(LifecycleConfiguration c, Parse(doc, &error));
  const std::string rendered = RenderLifecycleConfiguration(c);
  EXPECT_NE(rendered.find("<Date>2015-01-01T00:00:00.000Z</Date>"), std::string::npos) << rendered;
  ASSERT_OK_AND_ASSIGN(LifecycleConfiguration again, Parse(rendered, &error));
  EXPECT_EQ(again, c);
  ASSERT_EQ(c.rules[4].transitions.size(), 2u);
  EXPECT_EQ(c.rules[4].transitions[0].days, 0);
  EXPECT_EQ(c.rules[4].transitions[1].storage_class, "GLACIER_IR");
  ASSERT_EQ(c.rules[4].noncurrent_transitions.size(), 1u);
  EXPECT_EQ(c.rules[4].noncurrent_transitions[0].noncurrent_days, 3);
  EXPECT_EQ(c.rules[4].noncurrent_transitions[0].newer_noncurrent_versions, 2);
  EXPECT_TRUE(c.rules[5].transitions[0].date_ms.has_value());
  // Kept in the bucket record as given.
  catalog::BucketRecord b;
  b.name = "b";
  b.id = "id";
  b.index_shards = 1;
  b.lifecycle = c;
  ASSERT_OK_AND_ASSIGN(catalog::BucketRecord back, catalog::DecodeBucket(catalog::EncodeBucket(b)));
  EXPECT_EQ(back.lifecycle, b.lifecycle);
}

TEST(LifecycleConfigTest, StoredInTheBucketRecord) {
  S3Error error = MakeError(S3ErrorCode::kInternalError);
  catalog::BucketRecord b;
  b.name = "b";
  b.id = "id";
  b.index_shards = 1;
  ASSERT_OK_AND_ASSIGN(b.lifecycle, Parse(Doc(Rule("<Status>Enabled</Status><Filter><And><Prefix>p</Prefix><Tag><Key>k"
                                                  "</Key><Value>v</Value></Tag></And></Filter><Expiration><Days>4"
                                                  "</Days></Expiration>")),
                                          &error));
  ASSERT_OK_AND_ASSIGN(catalog::BucketRecord back, catalog::DecodeBucket(catalog::EncodeBucket(b)));
  EXPECT_EQ(back.lifecycle, b.lifecycle);
  b.lifecycle.reset();
  ASSERT_OK_AND_ASSIGN(back, catalog::DecodeBucket(catalog::EncodeBucket(b)));
  EXPECT_FALSE(back.lifecycle.has_value());
}

TEST(LifecycleConfigTest, MalformedXml) {
  const std::string days = "<Expiration><Days>1</Days></Expiration>";
  for (const std::string& doc : {
           std::string("<LifecycleConfiguration>"), Doc(""), std::string("<Lifecycle/>"),
           Doc(Rule("<Status>enabled</Status><Prefix/>" + days)),
           Doc(Rule("<Status>disabled</Status><Prefix/>" + days)),
           Doc(Rule("<Status>invalid</Status><Prefix/>" + days)), Doc(Rule("<Prefix/>" + days)),
           Doc(Rule("<Status>Enabled</Status>" + days)),                    // neither Prefix nor Filter
           Doc(Rule("<Status>Enabled</Status><Prefix/><Filter/>" + days)),  // both
           Doc(Rule("<Status>Enabled</Status><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>"
                    "</Filter>" +
                    days)),  // two conditions without And
           Doc(Rule("<Status>Enabled</Status><Prefix/><Expiration><Days>1</Days><Date>2020-01-01</Date>"
                    "</Expiration>")),
           Doc(Rule("<Status>Enabled</Status><Prefix/><Expiration/>")),
           Doc(Rule("<Status>Enabled</Status><Prefix/><Expiration><Days>x</Days></Expiration>")),
           Doc(Rule("<Status>Enabled</Status><Prefix/><Bogus/>" + days)),
           Doc(Rule("<Status>Enabled</Status><Prefix/><Transition><Days>1</Days></Transition>")),  // no class
           Doc(Rule("<Status>Enabled</Status><Prefix/><Transition><StorageClass>IA</StorageClass></Transition>")),
           Doc(Rule("<Status>Enabled</Status><Prefix/><Transition><Days>1</Days><Date>2030-01-01</Date>"
                    "<StorageClass>IA</StorageClass></Transition>")),
           Doc(Rule("<Status>Enabled</Status><Prefix/><NoncurrentVersionTransition><StorageClass>IA</StorageClass>"
                    "</NoncurrentVersionTransition>")),  // no NoncurrentDays
       }) {
    EXPECT_EQ(RefusedWith(doc), "MalformedXML") << doc;
  }
  std::string many;
  for (int i = 0; i < 1001; ++i) many += Rule("<Status>Enabled</Status><Prefix/>" + days, std::to_string(i));
  EXPECT_EQ(RefusedWith(Doc(many)), "MalformedXML");
}

TEST(LifecycleConfigTest, AThousandRulesAreAccepted) {
  std::string many;
  for (int i = 0; i < 1000; ++i) {
    many += Rule("<Status>Enabled</Status><Prefix/><Expiration><Days>1</Days></Expiration>", std::to_string(i));
  }
  EXPECT_EQ(RefusedWith(Doc(many)), "");
}

TEST(LifecycleConfigTest, InvalidArgument) {
  auto with = [](const std::string& body, const std::string& id = "r") {
    return Doc(Rule("<Status>Enabled</Status><Prefix/>" + body, id));
  };
  EXPECT_EQ(RefusedWith(with("<Expiration><Days>1</Days></Expiration>", std::string(256, 'a'))), "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Days>1</Days></Expiration>", std::string(255, 'a'))), "");
  EXPECT_EQ(RefusedWith(Doc(Rule("<Status>Enabled</Status><Prefix>a</Prefix><Expiration><Days>1</Days></Expiration>",
                                 "same") +
                            Rule("<Status>Enabled</Status><Prefix>b</Prefix><Expiration><Days>2</Days></Expiration>",
                                 "same"))),
            "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Days>0</Days></Expiration>")), "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Days>-3</Days></Expiration>")), "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Date>20200101</Date></Expiration>")), "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Date>2020-01-01T01:00:00Z</Date></Expiration>")), "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Date>2020-01-01T00:00:00.001Z</Date></Expiration>")), "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Date>2020-02-30</Date></Expiration>")), "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Expiration><Date>2017-09-27T00:00:00Z</Date></Expiration>")), "");
  EXPECT_EQ(RefusedWith(with("<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays>"
                             "</NoncurrentVersionExpiration>")),
            "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>"
                             "101</NewerNoncurrentVersions></NoncurrentVersionExpiration>")),
            "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation>"
                             "</AbortIncompleteMultipartUpload>")),
            "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Transition><Days>-1</Days><StorageClass>GLACIER_IR</StorageClass></Transition>")),
            "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<Transition><Date>2030-01-01T01:00:00Z</Date><StorageClass>IA</StorageClass>"
                             "</Transition>")),
            "InvalidArgument");
  EXPECT_EQ(RefusedWith(with("<NoncurrentVersionTransition><NoncurrentDays>-2</NoncurrentDays>"
                             "<StorageClass>IA</StorageClass></NoncurrentVersionTransition>")),
            "InvalidArgument");
  EXPECT_EQ(RefusedWith(Doc(Rule("<Status>Enabled</Status><Filter><And><ObjectSizeGreaterThan>5"
                                 "</ObjectSizeGreaterThan><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter>"
                                 "<Expiration><Days>1</Days></Expiration>"))),
            "InvalidArgument");
}

TEST(LifecycleConfigTest, InvalidRequest) {
  EXPECT_EQ(RefusedWith(Doc(Rule("<Status>Enabled</Status><Prefix/>"))), "InvalidRequest") << "no action";
  EXPECT_EQ(RefusedWith(Doc(Rule("<Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
                                 "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
                                 "</AbortIncompleteMultipartUpload>"))),
            "InvalidRequest");
  EXPECT_EQ(RefusedWith(Doc(Rule("<Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
                                 "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"
                                 "</Expiration>"))),
            "InvalidRequest");
  EXPECT_EQ(RefusedWith(Doc(Rule("<Status>Enabled</Status><Filter><And><Tag><Key>k</Key><Value>v</Value></Tag>"
                                 "<Tag><Key>k</Key><Value>w</Value></Tag></And></Filter>"
                                 "<Expiration><Days>1</Days></Expiration>"))),
            "InvalidRequest");
  EXPECT_EQ(RefusedWith(Doc(Rule("<Status>Enabled</Status><Prefix/>"
                                 "<Transition><Days>1</Days><StorageClass>IA</StorageClass></Transition>"
                                 "<Transition><Days>9</Days><StorageClass>IA</StorageClass></Transition>"))),
            "InvalidRequest")
      << "one class twice";
}

}  // namespace
}  // namespace confiance::s3
