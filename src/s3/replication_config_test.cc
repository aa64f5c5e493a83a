// File: s3/replication_config_test.cc
#include "s3/replication_config.h"

#include <gtest/gtest.h>

namespace confiance::s3 {
namespace {

const std::vector<ReplicationDestination> kDestinations = {
    {"acme", "dr-de", "DE"}, {"acme", "us", "US"}, {"globex", "dr", "DE"}};

catalog::BucketRecord VersionedBucket() {
  catalog::BucketRecord b;
  b.name = "photos";
  b.owner = "acme";
  b.versioning = catalog::BucketVersioning::kEnabled;
  return b;
}

ReplicationRule Rule(std::string destination) {
  ReplicationRule r;
  r.enabled = true;
  r.filter = true;
  r.destination = std::move(destination);
  return r;
}

// The S3 error code a configuration gets, "" if accepted.
std::string Refusal(ReplicationConfiguration c, const catalog::BucketRecord& bucket = VersionedBucket(),
                    const std::optional<sovereignty::ResidencyRule>& residency = std::nullopt) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  if (ValidateReplicationConfiguration(c, bucket, kDestinations, residency, &error).ok()) return "";
  return std::string(error.CodeString()) + ": " + error.message;
}

TEST(ReplicationArnTest, RoundTrips) {
  EXPECT_EQ(ReplicationTargetArn("acme", "dr-de"), "arn:confiance:replication::acme:dr-de");
  EXPECT_EQ(ParseReplicationTargetArn("arn:confiance:replication::acme:dr-de"),
            std::make_pair(std::string("acme"), std::string("dr-de")));
  EXPECT_FALSE(ParseReplicationTargetArn("arn:aws:s3:::photos"));
  EXPECT_FALSE(ParseReplicationTargetArn("arn:confiance:replication::acme"));
  EXPECT_FALSE(ParseReplicationTargetArn("arn:confiance:replication::acme:"));
  EXPECT_FALSE(ParseReplicationTargetArn("arn:confiance:replication:::dr"));
}

TEST(ReplicationValidateTest, AcceptsTheOwnersDestinationsAndNamesRules) {
  ReplicationConfiguration c;
  c.rules = {Rule("arn:confiance:replication::acme:dr-de"), Rule("arn:confiance:replication::acme:us")};
  c.rules[0].priority = 1;
  c.rules[1].priority = 2;
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  ASSERT_TRUE(ValidateReplicationConfiguration(c, VersionedBucket(), kDestinations, std::nullopt, &error).ok());
  EXPECT_EQ(c.rules[0].id.size(), 32u);
  EXPECT_NE(c.rules[0].id, c.rules[1].id);
}

TEST(ReplicationValidateTest, RefusesAsS3Does) {
  ReplicationConfiguration ok;
  ok.rules = {Rule("arn:confiance:replication::acme:dr-de")};
  catalog::BucketRecord suspended = VersionedBucket();
  suspended.versioning = catalog::BucketVersioning::kSuspended;
  EXPECT_EQ(Refusal(ok, suspended),
            "InvalidRequest: Versioning must be 'Enabled' on the bucket to apply a replication configuration");
  EXPECT_EQ(Refusal(ok), "");

  ReplicationConfiguration other_tenants = ok;
  other_tenants.rules[0].destination = "arn:confiance:replication::globex:dr";
  EXPECT_EQ(Refusal(other_tenants), "InvalidRequest: Destination bucket must exist.");
  ReplicationConfiguration unknown = ok;
  unknown.rules[0].destination = "arn:aws:s3:::elsewhere";
  EXPECT_EQ(Refusal(unknown), "InvalidRequest: Destination bucket must exist.");

  ReplicationConfiguration twice = ok;
  twice.rules.push_back(ok.rules[0]);
  twice.rules[0].id = twice.rules[1].id = "same";
  EXPECT_EQ(Refusal(twice), "InvalidArgument: Rule Id must be unique.");
  ReplicationConfiguration priorities = ok;
  priorities.rules.push_back(ok.rules[0]);
  priorities.rules[0].priority = priorities.rules[1].priority = 3;
  EXPECT_EQ(Refusal(priorities),
            "InvalidRequest: Found duplicate priority 3 - priority must be unique among all rules");

  ReplicationConfiguration bad_class = ok;
  bad_class.rules[0].storage_class = "cold storage";
  EXPECT_EQ(Refusal(bad_class), "InvalidRequest: The Destination StorageClass is not a storage class name.");
  ReplicationConfiguration glacier = ok;  // the destination decides whether it has the class
  glacier.rules[0].storage_class = "GLACIER_IR";
  EXPECT_EQ(Refusal(glacier), "");
  ReplicationConfiguration timed = ok;
  timed.rules[0].enabled_unsupported = {"ReplicationTime"};
  EXPECT_EQ(Refusal(timed), "InvalidRequest: ReplicationTime is not offered by Confiance (docs/replication.md).");
  ReplicationConfiguration long_id = ok;
  long_id.rules[0].id = std::string(256, 'x');
  EXPECT_EQ(Refusal(long_id), "InvalidArgument: The ID is more than 255 characters long.");
}

TEST(ReplicationValidateTest, TheResidencyRuleBoundsWhereCopiesGo) {
  ReplicationConfiguration to_us;
  to_us.rules = {Rule("arn:confiance:replication::acme:us")};
  ReplicationConfiguration to_de;
  to_de.rules = {Rule("arn:confiance:replication::acme:dr-de")};
  // Ciphertext abroad does not open a plaintext copy abroad.
  const sovereignty::ResidencyRule eu{{"EU"}, /*ciphertext_abroad=*/true};
  EXPECT_EQ(Refusal(to_de, VersionedBucket(), eu), "");
  const std::string refusal = Refusal(to_us, VersionedBucket(), eu);
  EXPECT_TRUE(refusal.starts_with("InvalidRequest: Data residency:")) << refusal;
  EXPECT_NE(refusal.find(" US"), std::string::npos) << refusal;
  EXPECT_EQ(Refusal(to_us), "");  // no rule: anywhere
  EXPECT_FALSE(ResidencyAllows(sovereignty::ResidencyRule{{"FR"}, false}, kDestinations[0]));
  EXPECT_TRUE(ResidencyAllows(sovereignty::ResidencyRule{{"FR", "DE"}, false}, kDestinations[0]));
}

TEST(ReplicationRuleForTest, PicksTheEnabledMatchingRuleOfHighestPriority) {
  const std::string dr = "arn:confiance:replication::acme:dr-de";
  ReplicationConfiguration c;
  ReplicationRule all = Rule(dr);
  all.id = "all";
  all.priority = 1;
  ReplicationRule images = Rule(dr);
  images.id = "images";
  images.prefix = "img/";
  images.priority = 5;
  images.delete_markers = true;
  ReplicationRule tagged = Rule(dr);
  tagged.id = "tagged";
  tagged.tags = {{"class", "gold"}};
  tagged.priority = 9;
  ReplicationRule off = Rule(dr);
  off.id = "off";
  off.enabled = false;
  off.priority = 99;
  c.rules = {all, images, tagged, off};
  const catalog::TagMap none;
  const catalog::TagMap gold = {{"class", "gold"}};
  EXPECT_EQ(ReplicationRuleFor(c, dr, "doc.txt", &none)->id, "all");
  EXPECT_EQ(ReplicationRuleFor(c, dr, "img/a.png", &none)->id, "images");
  EXPECT_EQ(ReplicationRuleFor(c, dr, "img/a.png", &gold)->id, "tagged");
  // A delete marker has no tags: tag rules never match it.
  EXPECT_EQ(ReplicationRuleFor(c, dr, "img/a.png", nullptr)->id, "images");
  EXPECT_EQ(ReplicationRuleFor(c, "arn:confiance:replication::acme:us", "img/a.png", &gold), nullptr);
  ReplicationConfiguration only_images;
  only_images.rules = {images};
  EXPECT_EQ(ReplicationRuleFor(only_images, dr, "doc.txt", &none), nullptr);
}

TEST(ReplicationEncodingTest, RoundTripsThroughTheBucketRecord) {
  ReplicationConfiguration c;
  c.rules = {Rule("arn:confiance:replication::acme:dr-de")};
  c.rules[0].id = "r";
  EXPECT_EQ(EncodeReplicationConfiguration(ReplicationConfiguration{}), "");
  Result<ReplicationConfiguration> back = DecodeReplicationConfiguration(EncodeReplicationConfiguration(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
  EXPECT_EQ(DecodeReplicationConfiguration("not xml").status().code(), StatusCode::kDataLoss);
  // The cached parse: the same document gives the same parse, another its own.
  const std::string encoded = EncodeReplicationConfiguration(c);
  Result<std::shared_ptr<const ReplicationConfiguration>> first = CachedReplicationConfiguration(encoded);
  Result<std::shared_ptr<const ReplicationConfiguration>> again = CachedReplicationConfiguration(encoded);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->get(), again->get());
  EXPECT_EQ(**first, c);
  c.rules[0].id = "other";
  Result<std::shared_ptr<const ReplicationConfiguration>> changed =
      CachedReplicationConfiguration(EncodeReplicationConfiguration(c));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ((*changed)->rules[0].id, "other");
  EXPECT_EQ((*first)->rules[0].id, "r");  // a parse handed out stays as it was
  EXPECT_EQ(CachedReplicationConfiguration("not xml").status().code(), StatusCode::kDataLoss);
}


TEST(StampReplicationTest, MarksWhatADeclaredDestinationWillCopy) {
  catalog::BucketRecord bucket = VersionedBucket();
  ReplicationConfiguration c;
  c.rules = {Rule("arn:confiance:replication::acme:dr-de"), Rule("arn:confiance:replication::acme:us"),
             Rule("arn:confiance:replication::acme:gone")};
  c.rules[0].prefix = "img/";
  c.rules[1].tags = {{"class", "gold"}};
  bucket.replication = EncodeReplicationConfiguration(c);
  catalog::ObjectRecord r;
  StampReplication(bucket, "img/a.png", std::nullopt, kDestinations, r);
  EXPECT_EQ(r.replication_status, catalog::ReplicationStatus::kPending);
  EXPECT_EQ(r.replication_pending, std::vector<std::string>{"dr-de"});  // "gone" is not declared
  r.tags = {{"class", "gold"}};
  StampReplication(bucket, "img/a.png", std::nullopt, kDestinations, r);
  EXPECT_EQ(r.replication_pending, (std::vector<std::string>{"dr-de", "us"}));
  StampReplication(bucket, "doc.txt", std::nullopt, kDestinations, r);
  EXPECT_EQ(r.replication_pending, std::vector<std::string>{"us"});
  r.tags.clear();
  StampReplication(bucket, "doc.txt", std::nullopt, kDestinations, r);
  EXPECT_EQ(r.replication_status, catalog::ReplicationStatus::kNone);
  EXPECT_TRUE(r.replication_pending.empty());
  // A replica is marked so, whatever the bucket says, and never pending.
  StampReplication(bucket, "img/a.png", "0123456789abcdefghijklmnop", kDestinations, r);
  EXPECT_EQ(r.replication_status, catalog::ReplicationStatus::kReplica);
  EXPECT_TRUE(r.replication_pending.empty());
  EXPECT_EQ(r.replica_source_version, "0123456789abcdefghijklmnop");
  // Only a replica keeps the version it copies.
  StampReplication(bucket, "img/a.png", std::nullopt, kDestinations, r);
  EXPECT_EQ(r.replica_source_version, "");
  // SSE-C versions are not replicated; SSE-KMS ones where the rule says so.
  catalog::ObjectRecord sse_c;
  sse_c.sse_c_salt = "salt";
  StampReplication(bucket, "img/a.png", std::nullopt, kDestinations, sse_c);
  EXPECT_EQ(sse_c.replication_status, catalog::ReplicationStatus::kNone);
  catalog::ObjectRecord kms;
  kms.kms.key_id = "k";
  StampReplication(bucket, "img/a.png", std::nullopt, kDestinations, kms);
  EXPECT_EQ(kms.replication_status, catalog::ReplicationStatus::kNone);
  c.rules[0].sse_kms_objects = true;
  bucket.replication = EncodeReplicationConfiguration(c);
  StampReplication(bucket, "img/a.png", std::nullopt, kDestinations, kms);
  EXPECT_EQ(kms.replication_pending, std::vector<std::string>{"dr-de"});
  // Another tenant's bucket naming acme's destinations gets nothing.
  bucket.owner = "globex";
  catalog::ObjectRecord other;
  StampReplication(bucket, "img/a.png", std::nullopt, kDestinations, other);
  EXPECT_EQ(other.replication_status, catalog::ReplicationStatus::kNone);
}

TEST(StampReplicationTest, ASourceVersionIsShortVisibleAscii) {
  EXPECT_TRUE(ValidReplicaSourceVersion(""));
  EXPECT_TRUE(ValidReplicaSourceVersion("null"));
  EXPECT_TRUE(ValidReplicaSourceVersion(std::string(kMaxReplicaSourceVersion, 'v')));
  EXPECT_FALSE(ValidReplicaSourceVersion(std::string(kMaxReplicaSourceVersion + 1, 'v')));
  EXPECT_FALSE(ValidReplicaSourceVersion("a b"));
  EXPECT_FALSE(ValidReplicaSourceVersion("a\nb"));
  EXPECT_FALSE(ValidReplicaSourceVersion("caf\xc3\xa9"));
}

}  // namespace
}  // namespace confiance::s3
