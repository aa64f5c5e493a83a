// File: s3/xml/replication_xml_test.cc
#include "s3/xml/replication_xml.h"

#include <gtest/gtest.h>

namespace confiance::s3::xml {
namespace {

TEST(ReplicationXmlTest, ParsesTheCurrentSchema) {
  Result<ReplicationConfiguration> c = ParseReplicationConfiguration(R"(
    <ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <Role>arn:aws:iam::acme:role/replication</Role>
      <Rule>
        <ID>photos</ID><Priority>2</Priority><Status>Enabled</Status>
        <Filter><And><Prefix>img/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>
        <DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>
        <Destination><Bucket>arn:confiance:replication::acme:dr</Bucket><StorageClass>STANDARD</StorageClass></Destination>
      </Rule>
      <Rule>
        <Status>Disabled</Status><Filter/><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>
        <Destination><Bucket>arn:confiance:replication::acme:other</Bucket></Destination>
      </Rule>
    </ReplicationConfiguration>)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->role, "arn:aws:iam::acme:role/replication");
  ASSERT_EQ(c->rules.size(), 2u);
  const ReplicationRule& r = c->rules[0];
  EXPECT_EQ(r.id, "photos");
  EXPECT_EQ(r.priority, 2);
  EXPECT_TRUE(r.enabled);
  EXPECT_TRUE(r.filter);
  EXPECT_EQ(r.prefix, "img/");
  ASSERT_EQ(r.tags.size(), 1u);
  EXPECT_EQ(r.tags[0], std::make_pair(std::string("k"), std::string("v")));
  EXPECT_TRUE(r.delete_markers);
  EXPECT_EQ(r.destination, "arn:confiance:replication::acme:dr");
  EXPECT_EQ(r.storage_class, "STANDARD");
  EXPECT_FALSE(c->rules[1].enabled);
  EXPECT_FALSE(c->rules[1].delete_markers);
  EXPECT_EQ(c->rules[1].prefix, "");
}

TEST(ReplicationXmlTest, LegacyPrefixRulesReplicateDeleteMarkers) {
  Result<ReplicationConfiguration> c = ParseReplicationConfiguration(
      "<ReplicationConfiguration><Rule><Prefix>logs/</Prefix><Status>Enabled</Status>"
      "<Destination><Bucket>arn:confiance:replication::t:d</Bucket></Destination></Rule></ReplicationConfiguration>");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->rules[0].filter);
  EXPECT_EQ(c->rules[0].prefix, "logs/");
  EXPECT_TRUE(c->rules[0].delete_markers);
}

TEST(ReplicationXmlTest, RenderedDocumentsParseBackToTheSameConfiguration) {
  ReplicationConfiguration c;
  c.role = "role";
  ReplicationRule a;
  a.id = "a";
  a.priority = 1;
  a.enabled = true;
  a.filter = true;
  a.prefix = "x<&>";
  a.tags = {{"k1", "v1"}, {"k2", ""}};
  a.destination = "arn:confiance:replication::t:d";
  a.replica_kms_key_id = "key-1";
  a.sse_kms_objects = true;
  a.existing_objects = true;
  a.replica_modifications = true;
  ReplicationRule replicas;  // replica modifications alone
  replicas.id = "r";
  replicas.filter = true;
  replicas.destination = "arn:confiance:replication::t:e";
  replicas.replica_modifications = true;
  ReplicationRule b;  // a legacy rule that turned delete markers off
  b.id = "b";
  b.prefix = "p";
  b.destination = "arn:confiance:replication::t:e";
  ReplicationRule single_tag;
  single_tag.id = "c";
  single_tag.filter = true;
  single_tag.tags = {{"only", "tag"}};
  single_tag.destination = "arn:confiance:replication::t:d";
  c.rules = {a, b, single_tag, replicas};
  Result<ReplicationConfiguration> back = ParseReplicationConfiguration(RenderReplicationConfiguration(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST(ReplicationXmlTest, KeepsWhatIsNotOfferedForTheValidator) {
  Result<ReplicationConfiguration> c = ParseReplicationConfiguration(
      "<ReplicationConfiguration><Rule><Status>Enabled</Status><Filter/>"
      "<ExistingObjectReplication><Status>Enabled</Status></ExistingObjectReplication>"
      "<Destination><Bucket>b</Bucket><Metrics><Status>Disabled</Status></Metrics>"
      "<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime></Destination>"
      "</Rule></ReplicationConfiguration>");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->rules[0].enabled_unsupported, (std::vector<std::string>{"ReplicationTime"}));
  EXPECT_TRUE(c->rules[0].existing_objects);
}

TEST(ReplicationXmlTest, RefusesDocumentsThatAreNotOne) {
  const char* bad[] = {
      "<NotificationConfiguration/>",
      "<ReplicationConfiguration/>",  // no rule
      "<ReplicationConfiguration><Rule><Destination><Bucket>b</Bucket></Destination></Rule></ReplicationConfiguration>",
      "<ReplicationConfiguration><Rule><Status>On</Status><Destination><Bucket>b</Bucket></Destination></Rule>"
      "</ReplicationConfiguration>",
      "<ReplicationConfiguration><Rule><Status>Enabled</Status></Rule></ReplicationConfiguration>",
      "<ReplicationConfiguration><Rule><Status>Enabled</Status><Priority>high</Priority>"
      "<Destination><Bucket>b</Bucket></Destination></Rule></ReplicationConfiguration>",
      "<ReplicationConfiguration><Rule><Status>Enabled</Status><Filter><Prefix>a</Prefix><Tag><Key>k</Key></Tag>"
      "</Filter><Destination><Bucket>b</Bucket></Destination></Rule></ReplicationConfiguration>",
      "<ReplicationConfiguration><Rule><Status>Enabled</Status><Bogus/>"
      "<Destination><Bucket>b</Bucket></Destination></Rule></ReplicationConfiguration>",
      "<ReplicationConfiguration><Rule><Status>Enabled</Status><Filter/><Prefix>a</Prefix>"
      "<Destination><Bucket>b</Bucket></Destination></Rule></ReplicationConfiguration>",
      "<ReplicationConfiguration><Rule><Status>Enabled</Status>",
  };
  for (const char* doc : bad) {
    Result<ReplicationConfiguration> c = ParseReplicationConfiguration(doc);
    EXPECT_FALSE(c.ok()) << doc;
    if (!c.ok()) {
      EXPECT_TRUE(c.status().message().starts_with("MalformedXML")) << c.status().ToString();
    }
  }
}

}  // namespace
}  // namespace confiance::s3::xml
