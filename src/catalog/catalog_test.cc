// File: catalog/catalog_test.cc
// Catalog semantics over the fake MetaStore: buckets, last-writer-wins
// objects, listings (prefix, delimiter, markers, truncation), multipart
// completion and abort, and the sweeper's mark phase.
#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>
#include <utility>

#include "blob/memory/memory_blob_store.h"
#include "catalog/catalog_test_fixture.h"
#include "catalog/sweeper.h"
#include "catalog/version_id.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::catalog {
namespace {

class CatalogTest : public CatalogOverMemoryStore {
 protected:
  ObjectRecord Obj(uint64_t size, std::string blob = "") {
    ObjectRecord r;
    r.size = size;
    r.etag = "e" + std::to_string(size);
    Segment s;
    s.blob_id = std::move(blob);
    s.plain_size = size;
    r.segments.push_back(s);
    r.op_tag = NewOpTag();
    return r;
  }
  // A committed blob of `blobs`: its id.
  static std::string CommitBlob(blob::MemoryBlobStore& blobs) {
    auto w = blobs.NewBlob();
    EXPECT_TRUE(w.ok());
    std::string id = (*w)->id();
    EXPECT_OK((*w)->Commit());
    return id;
  }
  std::vector<std::string> Keys(const ListPage& p) {
    std::vector<std::string> out;
    for (const auto& o : p.objects) out.push_back(o.key);
    return out;
  }
};

TEST_F(CatalogTest, BucketLifecycle) {
  EXPECT_STATUS_CODE(catalog_.CreateBucket(bucket_), kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(BucketRecord got, catalog_.GetBucket("bucket"));
  EXPECT_EQ(got.id, "b1");
  ASSERT_OK(catalog_.PutObject(bucket_, "k", Obj(1)));
  EXPECT_STATUS_CODE(catalog_.DeleteBucket(bucket_), kFailedPrecondition);
  ASSERT_OK(catalog_.DeleteObject(bucket_, "k"));
  ASSERT_OK(catalog_.DeleteBucket(bucket_));
  EXPECT_STATUS_CODE(catalog_.GetBucket("bucket"), kNotFound);
}

TEST_F(CatalogTest, PutReturnsReplacedRecord) {
  ASSERT_OK_AND_ASSIGN(auto first, catalog_.PutObject(bucket_, "k", Obj(1, "blob1")));
  EXPECT_FALSE(first.has_value());
  ASSERT_OK_AND_ASSIGN(auto second, catalog_.PutObject(bucket_, "k", Obj(2, "blob2")));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->segments[0].blob_id, "blob1");
  ASSERT_OK_AND_ASSIGN(ObjectRecord now, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(now.size, 2u);
  ASSERT_OK_AND_ASSIGN(auto deleted, catalog_.DeleteObject(bucket_, "k"));
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(deleted->segments[0].blob_id, "blob2");
  ASSERT_OK_AND_ASSIGN(auto again, catalog_.DeleteObject(bucket_, "k"));
  EXPECT_FALSE(again.has_value());
}

// ListObjectSummaries walks exactly as ListObjects does (keys, prefixes,
// truncation) and carries the listed fields of each record.
TEST_F(CatalogTest, SummaryListingMatchesTheFullListing) {
  for (const char* k : {"a/1", "a/2", "b", "c", "d/x", "e"}) {
    ObjectRecord r = Obj(std::string(k).size() * 10);
    r.modified_ms = 1000 + r.size;
    r.checksum_algorithm = r.size == 10 ? "SHA256" : r.size == 30 ? "CRC32" : "";
    r.checksum = r.size == 10 ? "c2hh" : r.size == 30 ? "AAAAAA==-3" : "";
    ASSERT_OK(catalog_.PutObject(bucket_, k, r));
  }
  ASSERT_OK(catalog_.DeleteObject(bucket_, "c"));
  for (size_t max_keys : {size_t{1}, size_t{2}, size_t{3}, size_t{1000}}) {
    ListOptions opt;
    opt.delimiter = "/";
    opt.max_keys = max_keys;
    for (int pages = 0; pages < 10; ++pages) {
      ASSERT_OK_AND_ASSIGN(ListPage full, catalog_.ListObjects(bucket_, opt));
      ASSERT_OK_AND_ASSIGN(SummaryPage summary, catalog_.ListObjectSummaries(bucket_, opt));
      ASSERT_EQ(summary.objects.size(), full.objects.size());
      for (size_t i = 0; i < full.objects.size(); ++i) {
        const ListedSummary& s = summary.objects[i];
        const ObjectRecord& r = full.objects[i].record;
        EXPECT_EQ(s.key, full.objects[i].key);
        EXPECT_EQ(s.etag, r.etag);
        EXPECT_EQ(s.size, r.size);
        EXPECT_EQ(s.modified_ms, r.modified_ms);
        EXPECT_EQ(s.checksum_algorithm, r.checksum_algorithm);
        EXPECT_EQ(s.checksum_full_object, !r.checksum.empty() && r.checksum.find('-') == std::string::npos);
      }
      EXPECT_EQ(summary.common_prefixes, full.common_prefixes);
      EXPECT_EQ(summary.truncated, full.truncated);
      EXPECT_EQ(summary.last_returned, full.last_returned);
      if (!full.truncated) break;
      opt.start_after = full.last_returned;
    }
  }
  ListOptions all;
  ASSERT_OK_AND_ASSIGN(SummaryPage everything, catalog_.ListObjectSummaries(bucket_, all));
  std::vector<std::string> keys;
  for (const ListedSummary& s : everything.objects) keys.push_back(s.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a/1", "a/2", "b", "d/x", "e"}));
  EXPECT_EQ(everything.objects[2].checksum_algorithm, "SHA256");
  EXPECT_TRUE(everything.objects[2].checksum_full_object);
  EXPECT_EQ(everything.objects[2].size, 10u);
  EXPECT_EQ(everything.objects[3].checksum_algorithm, "CRC32");  // d/x: a composite checksum
  EXPECT_FALSE(everything.objects[3].checksum_full_object);
}

TEST_F(CatalogTest, ListingWithDelimiterAndMarkers) {
  for (const char* k : {"a/1", "a/2", "b", "c/x/1", "c/y", "d", "e/"}) {
    ASSERT_OK(catalog_.PutObject(bucket_, k, Obj(1)));
  }
  ListOptions opt;
  opt.delimiter = "/";
  ASSERT_OK_AND_ASSIGN(ListPage all, catalog_.ListObjects(bucket_, opt));
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"b", "d"}));
  EXPECT_EQ(all.common_prefixes, (std::vector<std::string>{"a/", "c/", "e/"}));
  EXPECT_FALSE(all.truncated);

  // Page by two entries (keys and prefixes count alike).
  opt.max_keys = 2;
  std::vector<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(ListPage p, catalog_.ListObjects(bucket_, opt));
    for (auto& k : Keys(p)) seen.push_back(k);
    for (auto& c : p.common_prefixes) seen.push_back(c);
    if (!p.truncated) break;
    opt.start_after = p.last_returned;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"a/", "b", "c/", "d", "e/"}));

  ListOptions pre;
  pre.prefix = "c/";
  pre.delimiter = "/";
  ASSERT_OK_AND_ASSIGN(ListPage c, catalog_.ListObjects(bucket_, pre));
  EXPECT_EQ(Keys(c), (std::vector<std::string>{"c/y"}));
  EXPECT_EQ(c.common_prefixes, (std::vector<std::string>{"c/x/"}));
}

TEST_F(CatalogTest, TruncationIsExact) {
  for (const char* k : {"k1", "k2", "k3"}) ASSERT_OK(catalog_.PutObject(bucket_, k, Obj(1)));
  ListOptions opt;
  opt.max_keys = 3;
  ASSERT_OK_AND_ASSIGN(ListPage p3, catalog_.ListObjects(bucket_, opt));
  EXPECT_EQ(p3.objects.size(), 3u);
  EXPECT_FALSE(p3.truncated);
  opt.max_keys = 2;
  ASSERT_OK_AND_ASSIGN(ListPage p2, catalog_.ListObjects(bucket_, opt));
  EXPECT_EQ(p2.objects.size(), 2u);
  EXPECT_TRUE(p2.truncated);
  opt.max_keys = 0;
  ASSERT_OK_AND_ASSIGN(ListPage p0, catalog_.ListObjects(bucket_, opt));
  EXPECT_TRUE(p0.objects.empty());
  EXPECT_FALSE(p0.truncated);
}

TEST_F(CatalogTest, ShardedBucketListsInKeyOrder) {
  BucketRecord sharded = bucket_;
  sharded.name = "sharded";
  sharded.id = "b2";
  sharded.index_shards = 4;
  ASSERT_OK(catalog_.CreateBucket(sharded));
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) keys.push_back("key" + std::to_string(1000 + i));
  for (auto& k : keys) ASSERT_OK(catalog_.PutObject(sharded, k, Obj(1)));
  ListOptions opt;
  opt.max_keys = 7;
  std::vector<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(ListPage p, catalog_.ListObjects(sharded, opt));
    for (auto& k : Keys(p)) seen.push_back(k);
    if (!p.truncated) break;
    opt.start_after = p.last_returned;
  }
  EXPECT_EQ(seen, keys);
}

TEST_F(CatalogTest, MultipartCompleteAndAbort) {
  UploadRecord up;
  up.upload_id = "u1";
  up.key = "big";
  ASSERT_OK(catalog_.CreateUpload(bucket_, up));
  for (int n = 1; n <= 3; ++n) {
    PartRecord p;
    p.part_number = n;
    p.segment.blob_id = "part" + std::to_string(n);
    p.segment.plain_size = 10;
    ASSERT_OK(catalog_.PutPart("u1", p));
  }
  ASSERT_OK_AND_ASSIGN(auto parts, catalog_.ListParts("u1", 0, 100));
  ASSERT_EQ(parts.size(), 3u);
  ObjectRecord obj = Obj(20);
  obj.segments = {parts[0].segment, parts[2].segment};
  obj.upload_id = "u1";
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, up, obj));
  ASSERT_EQ(done.unused_parts.size(), 1u);
  EXPECT_EQ(done.unused_parts[0].segment.blob_id, "part2");
  EXPECT_STATUS_CODE(catalog_.GetUpload(bucket_, "big", "u1"), kNotFound);
  ASSERT_OK_AND_ASSIGN(ObjectRecord got, catalog_.GetObject(bucket_, "big"));
  EXPECT_EQ(got.segments.size(), 2u);

  UploadRecord up2;
  up2.upload_id = "u2";
  up2.key = "other";
  ASSERT_OK(catalog_.CreateUpload(bucket_, up2));
  PartRecord p;
  p.part_number = 1;
  p.segment.blob_id = "p2-1";
  ASSERT_OK(catalog_.PutPart("u2", p));
  ASSERT_OK_AND_ASSIGN(auto aborted, catalog_.AbortUpload(bucket_, up2));
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_STATUS_CODE(catalog_.AbortUpload(bucket_, up2), kNotFound);
}

// Every item of a ListUploadPage listing, page by page with the markers
// each page returns: "key|upload id" or "P:common prefix".
std::vector<std::string> AllUploadPages(Catalog& catalog, const BucketRecord& bucket, UploadListOptions opt) {
  std::vector<std::string> items;
  for (int pages = 0; pages < 100; ++pages) {
    Result<UploadPage> page = catalog.ListUploadPage(bucket, opt);
    EXPECT_OK(page.status());
    if (!page.ok()) break;
    EXPECT_LE(page->uploads.size() + page->common_prefixes.size(), opt.max_uploads);
    // Uploads and prefixes interleave in key order: merge them.
    std::vector<std::pair<std::string, std::string>> sorted;
    for (const UploadRecord& u : page->uploads) sorted.emplace_back(u.key + '\0' + u.upload_id, u.key + "|" + u.upload_id);
    for (const std::string& cp : page->common_prefixes) sorted.emplace_back(cp, "P:" + cp);
    std::sort(sorted.begin(), sorted.end());
    for (auto& [order, item] : sorted) items.push_back(item);
    if (!page->truncated) break;
    opt.key_marker = page->next_key_marker;
    opt.upload_id_marker = page->next_upload_id_marker;
  }
  return items;
}

TEST_F(CatalogTest, UploadListingFollowsMarkersPrefixesAndDelimiters) {
  const std::vector<std::pair<std::string, std::string>> uploads = {
      {"a/1", "u1"}, {"a/1", "u2"}, {"a/2", "u3"}, {"b", "u4"}, {"b", "u5"}, {"c/d/e", "u6"}, {"a", "u7"}, {"z", "u8"}};
  for (const auto& [key, id] : uploads) {
    UploadRecord up;
    up.key = key;
    up.upload_id = id;
    // An upload a completion is consuming (its record carries the
    // completion's intent) is not listed.
    if (id == "u8") up.completing_tag = "completion-in-progress";
    ASSERT_OK(catalog_.CreateUpload(bucket_, up));
  }

  const std::vector<std::string> all = {"a|u7", "a/1|u1", "a/1|u2", "a/2|u3", "b|u4", "b|u5", "c/d/e|u6"};
  for (size_t max : {size_t{1}, size_t{2}, size_t{3}, size_t{1000}}) {
    UploadListOptions opt;
    opt.max_uploads = max;
    EXPECT_EQ(AllUploadPages(catalog_, bucket_, opt), all) << "max " << max;
    opt.delimiter = "/";
    EXPECT_EQ(AllUploadPages(catalog_, bucket_, opt),
              (std::vector<std::string>{"a|u7", "P:a/", "b|u4", "b|u5", "P:c/"}))
        << "max " << max;
  }
  UploadListOptions opt;
  opt.key_marker = "a/1";  // after every upload of a/1
  EXPECT_EQ(AllUploadPages(catalog_, bucket_, opt), (std::vector<std::string>{"a/2|u3", "b|u4", "b|u5", "c/d/e|u6"}));
  opt.upload_id_marker = "u1";  // after that upload of a/1
  EXPECT_EQ(AllUploadPages(catalog_, bucket_, opt),
            (std::vector<std::string>{"a/1|u2", "a/2|u3", "b|u4", "b|u5", "c/d/e|u6"}));
  opt = UploadListOptions{};
  opt.prefix = "a/";
  EXPECT_EQ(AllUploadPages(catalog_, bucket_, opt), (std::vector<std::string>{"a/1|u1", "a/1|u2", "a/2|u3"}));
  opt.prefix = "c/";
  opt.delimiter = "/";
  EXPECT_EQ(AllUploadPages(catalog_, bucket_, opt), (std::vector<std::string>{"P:c/d/"}));
  opt = UploadListOptions{};
  opt.max_uploads = 0;
  ASSERT_OK_AND_ASSIGN(UploadPage none, catalog_.ListUploadPage(bucket_, opt));
  EXPECT_TRUE(none.uploads.empty());
  EXPECT_FALSE(none.truncated);
}

TEST_F(CatalogTest, UsageCountersFollowEveryCommitAndAgreeWithARecount) {
  BucketRecord sharded = bucket_;
  sharded.name = "usage";
  sharded.id = "b3";
  sharded.index_shards = 3;
  ASSERT_OK(catalog_.CreateBucket(sharded));
  for (int i = 0; i < 20; ++i) ASSERT_OK(catalog_.PutObject(sharded, "k" + std::to_string(i), Obj(10)));
  ASSERT_OK(catalog_.PutObject(sharded, "k1", Obj(25)));  // overwrite: +15 bytes, same count
  ASSERT_OK(catalog_.DeleteObject(sharded, "k2"));
  ASSERT_OK(catalog_.DeleteObject(sharded, "k2"));  // deleting nothing changes nothing
  Catalog::PutCondition must_not_exist;
  must_not_exist.kind = Catalog::PutCondition::Kind::kMustNotExist;
  EXPECT_STATUS_CODE(catalog_.PutObjectIf(sharded, "k3", Obj(99), must_not_exist), kFailedPrecondition);
  std::promise<Result<std::optional<ObjectRecord>>> async_done;
  catalog_.PutObjectIfAsync(sharded, "async", Obj(7), Catalog::PutCondition{},
                            [&](Result<std::optional<ObjectRecord>> r) { async_done.set_value(std::move(r)); });
  ASSERT_OK(async_done.get_future().get());
  ASSERT_OK_AND_ASSIGN(Usage counted, catalog_.BucketUsage(sharded));
  EXPECT_EQ(counted.objects, 20);
  EXPECT_EQ(counted.bytes, 20 * 10 + 15 - 10 + 7);
  ASSERT_OK_AND_ASSIGN(Usage recounted, catalog_.RecountBucketUsage(sharded));
  EXPECT_EQ(recounted.objects, counted.objects);
  EXPECT_EQ(recounted.bytes, counted.bytes);
  // The counters never show up as an object.
  ListOptions opt;
  ASSERT_OK_AND_ASSIGN(ListPage page, catalog_.ListObjects(sharded, opt));
  EXPECT_EQ(page.objects.size(), 20u);
  for (const ListedObject& o : page.objects) EXPECT_FALSE(o.key.empty());
}

TEST(RecordsTest, InlineDataSurvivesEveryRecordKind) {
  Segment inl;
  inl.inline_data = std::string("sealed\0bytes", 12);
  inl.plain_size = 5;
  inl.wrapped_key = "wk";
  PartRecord part;
  part.part_number = 3;
  part.segment = inl;
  ASSERT_OK_AND_ASSIGN(PartRecord p2, DecodePart(EncodePart(part)));
  EXPECT_EQ(p2.segment.inline_data, inl.inline_data);
  ObjectRecord obj;
  Segment blob;
  blob.blob_id = "abc";
  obj.segments = {inl, blob, inl};
  ASSERT_OK_AND_ASSIGN(ObjectRecord o2, DecodeObject(EncodeObject(obj)));
  ASSERT_EQ(o2.segments.size(), 3u);
  EXPECT_EQ(o2.segments[0].inline_data, inl.inline_data);
  EXPECT_EQ(o2.segments[1].blob_id, "abc");
  EXPECT_EQ(o2.segments[2].inline_data, inl.inline_data);
  ASSERT_OK_AND_ASSIGN(ObjectRecord o3, DecodeObject(EncodeObject(obj), false));
  EXPECT_TRUE(o3.segments[0].inline_data.empty());
  // Every strict prefix, and a trailing byte, is refused as DataLoss.
  obj.user_meta = {{"k", "v"}};
  obj.headers = {{"cache-control", "no-cache"}};
  std::string full = EncodeObject(obj);
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_STATUS_CODE(DecodeObject(full.substr(0, n)), kDataLoss) << n;
  }
  EXPECT_STATUS_CODE(DecodeObject(full + "x"), kDataLoss);
  ASSERT_OK_AND_ASSIGN(ObjectRecord o4, DecodeObject(full));
  EXPECT_EQ(o4.user_meta.at("k"), "v");
  EXPECT_EQ(o4.headers.at("cache-control"), "no-cache");
}

// The listing decoder reads the same listed fields as the full decoder, in
// every record format the encoder picks (plain, SSE-C, versioned, locked,
// SSE-KMS, rotated bucket key), and refuses what it cannot read.
TEST(RecordsTest, SummaryMatchesTheFullDecodeInEveryFormat) {
  auto base = [] {
    ObjectRecord r;
    r.size = 300;
    r.etag = "0123456789abcdef0123456789abcdef-2";
    r.modified_ms = 1764500000123;
    r.content_type = "text/plain";
    r.headers = {{"cache-control", "no-cache"}, {"content-language", "fr"}};
    r.user_meta = {{"a", std::string(200, 'x')}, {"b", "c"}};  // a two-byte length varint
    r.parts_count = 2;
    r.op_tag = "op";
    r.upload_id = "up";
    r.tags = {{"t", "v"}};
    r.acl = "acl";
    r.checksum_algorithm = "CRC32C";
    r.checksum = "AAAAAA==-2";
    Segment s;
    s.plain_size = 300;
    s.inline_data = std::string(300, 's');
    r.segments = {s};
    return r;
  };
  std::vector<ObjectRecord> records;
  records.push_back(base());
  records.back().checksum_algorithm.clear();
  records.push_back(base());
  records.back().sse_c_salt = "salt";
  records.back().sse_c_verifier = "verifier";
  records.push_back(base());
  records.back().version_id = std::string(16, 'v');
  records.push_back(base());
  records.back().delete_marker = true;
  records.back().version_id = std::string(16, 'w');
  records.push_back(base());
  records.back().lock_mode = LockMode::kGovernance;
  records.back().lock_until_ms = 1;
  records.push_back(base());
  records.back().kms.key_id = "kms-key";
  records.push_back(base());
  records.back().segments[0].key_version = 2;
  std::set<char> formats;
  for (const ObjectRecord& r : records) {
    const std::string bytes = EncodeObject(r);
    formats.insert(bytes[1]);
    ASSERT_OK_AND_ASSIGN(ObjectRecord full, DecodeObject(bytes));
    ASSERT_OK_AND_ASSIGN(ObjectSummary summary, DecodeObjectSummary(bytes));
    EXPECT_EQ(summary.size, full.size);
    EXPECT_EQ(summary.etag, full.etag);
    EXPECT_EQ(summary.modified_ms, full.modified_ms);
    EXPECT_EQ(summary.checksum_algorithm, full.checksum_algorithm);
    EXPECT_EQ(summary.checksum, full.checksum);
    EXPECT_EQ(summary.delete_marker, full.delete_marker);
  }
  EXPECT_EQ(formats, (std::set<char>{4, 5, 6, 7, 8, 9})) << "the records above cover every format the encoder writes";
  // A record cut before the fields it reads, or not an object record at all.
  const std::string bytes = EncodeObject(records[3]);
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{5}, size_t{40}}) {
    EXPECT_STATUS_CODE(DecodeObjectSummary(bytes.substr(0, n)), kDataLoss) << n;
  }
  std::string unknown = bytes;
  unknown[1] = 99;
  EXPECT_STATUS_CODE(DecodeObjectSummary(unknown), kDataLoss);
}

// A record written by the release before object tagging (version 1), as
// bytes: it must keep decoding, with an empty tag set.
// A corrupted record whose CBOR map or array announces an excessive size
// is DataLoss; nlohmann's parser throws for it even without exceptions
// enabled (common/cbor.h), which used to terminate the server.
TEST(RecordsTest, ExcessiveCborSizesAreDataLossNotACrash) {
  const std::string huge_map("\xbb\x7f\xff\xff\xff\xff\xff\xff\xff", 9);
  const std::string huge_array("\x9b\x7f\xff\xff\xff\xff\xff\xff\xff", 9);
  for (const std::string& bytes : {huge_map, huge_array}) {
    EXPECT_STATUS_CODE(DecodeBucket(bytes), kDataLoss);
    EXPECT_STATUS_CODE(DecodeUpload(bytes), kDataLoss);
    EXPECT_STATUS_CODE(DecodePart(bytes), kDataLoss);
  }
}

TEST(RecordsTest, DecodesVersionOneObjectRecord) {
  const std::string v1(
      "\x4f\x01\x05\x20\x35\x64\x34\x31\x34\x30\x32\x61\x62\x63\x34\x62\x32\x61\x37\x36\x62\x39\x37\x31"
      "\x39\x64\x39\x31\x31\x30\x31\x37\x63\x35\x39\x32\xfb\xd0\x95\xff\xbc\x31\x0a\x74\x65\x78\x74\x2f"
      "\x70\x6c\x61\x69\x6e\x01\x0d\x63\x61\x63\x68\x65\x2d\x63\x6f\x6e\x74\x72\x6f\x6c\x08\x6e\x6f\x2d"
      "\x63\x61\x63\x68\x65\x01\x05\x63\x6f\x6c\x6f\x72\x04\x62\x6c\x75\x65\x00\x03\x6f\x70\x31\x00\x01"
      "\x00\x06\x05\x02\x57\x4b\x20\x35\x64\x34\x31\x34\x30\x32\x61\x62\x63\x34\x62\x32\x61\x37\x36\x62"
      "\x39\x37\x31\x39\x64\x39\x31\x31\x30\x31\x37\x63\x35\x39\x32\x53\x45\x41\x4c\x45\x44",
      141);
  ASSERT_OK_AND_ASSIGN(ObjectRecord r, DecodeObject(v1));
  EXPECT_EQ(r.size, 5u);
  EXPECT_EQ(r.etag, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(r.modified_ms, 1700000000123u);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.headers.at("cache-control"), "no-cache");
  EXPECT_EQ(r.user_meta.at("color"), "blue");
  EXPECT_EQ(r.op_tag, "op1");
  EXPECT_TRUE(r.tags.empty());
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_EQ(r.segments[0].inline_data, "SEALED");
  EXPECT_EQ(r.segments[0].wrapped_key, "WK");
  // Re-encoded, it is a version 4 record that decodes to the same fields.
  std::string v2 = EncodeObject(r);
  EXPECT_EQ(v2[1], 4);
  ASSERT_OK_AND_ASSIGN(ObjectRecord again, DecodeObject(v2));
  EXPECT_EQ(again.segments[0].inline_data, "SEALED");
  EXPECT_EQ(again.user_meta, r.user_meta);
  // An unknown version is refused.
  std::string v9 = v1;
  v9[1] = 9;
  EXPECT_STATUS_CODE(DecodeObject(v9), kDataLoss);
}

// A version 3 record (ACLs, before additional checksums): the version 1
// bytes above with an empty tag map and an empty ACL after upload_id. It
// decodes with no checksum.
TEST(RecordsTest, DecodesVersionThreeObjectRecordWithoutChecksum) {
  ObjectRecord r;
  r.size = 5;
  r.etag = "e";
  r.op_tag = "op1";
  Segment seg;
  seg.inline_data = "SEALED";
  seg.wrapped_key = "WK";
  seg.etag = "e";
  r.segments = {seg};
  std::string v4 = EncodeObject(r);
  ASSERT_EQ(v4[1], 4);
  // Version 4 ends the header with two empty strings (algorithm, checksum)
  // and each segment with one (its checksum); drop them to get version 3.
  const std::string header_end = std::string("\x03op1\x00\x00\x00", 7);  // op_tag, upload_id, tags, acl
  size_t at = v4.find(header_end);
  ASSERT_NE(at, std::string::npos);
  std::string v3 = v4;
  v3[1] = 3;
  v3.erase(at + header_end.size(), 2);
  size_t seg_end = v3.find(std::string("WK\x01", 3) + "e", at);
  ASSERT_NE(seg_end, std::string::npos);
  v3.erase(seg_end + 4, 1);
  ASSERT_OK_AND_ASSIGN(ObjectRecord d, DecodeObject(v3));
  EXPECT_EQ(d.op_tag, "op1");
  EXPECT_TRUE(d.checksum_algorithm.empty());
  EXPECT_TRUE(d.checksum.empty());
  ASSERT_EQ(d.segments.size(), 1u);
  EXPECT_EQ(d.segments[0].inline_data, "SEALED");
  EXPECT_TRUE(d.segments[0].checksum.empty());
}

TEST(RecordsTest, SseKmsRoundTripsInObjectAndUploadRecords) {
  ObjectRecord obj;
  obj.size = 3;
  obj.etag = "e";
  Segment seg;
  seg.inline_data = "abc";
  seg.plain_size = 3;
  obj.segments.push_back(seg);
  const std::string plain = EncodeObject(obj);
  EXPECT_EQ(plain[1], 4);  // not SSE-KMS: the version older releases read
  obj.kms = SseKms{"arn:confiance:kms:::key/acme", "eyJhIjoiYiJ9", true};
  const std::string kms = EncodeObject(obj);
  EXPECT_EQ(kms[1], 8);  // after Object Lock's 7: lock fields, then SSE-KMS
  ASSERT_OK_AND_ASSIGN(ObjectRecord back, DecodeObject(kms));
  EXPECT_EQ(back.kms, obj.kms);
  EXPECT_EQ(back.segments[0].inline_data, "abc");
  EXPECT_FALSE(back.sse_c());
  // Versioned and SSE-KMS together.
  obj.version_id = std::string(16, 'v');
  ASSERT_OK_AND_ASSIGN(ObjectRecord versioned, DecodeObject(EncodeObject(obj)));
  EXPECT_EQ(versioned.kms, obj.kms);
  EXPECT_EQ(versioned.version_id, obj.version_id);
  // Locked and SSE-KMS together (version 8 carries both).
  obj.lock_mode = LockMode::kCompliance;
  obj.lock_until_ms = 1234567;
  obj.legal_hold = true;
  const std::string both = EncodeObject(obj);
  EXPECT_EQ(both[1], 8);
  ASSERT_OK_AND_ASSIGN(ObjectRecord locked, DecodeObject(both));
  EXPECT_EQ(locked.kms, obj.kms);
  EXPECT_EQ(locked.lock_mode, LockMode::kCompliance);
  EXPECT_EQ(locked.lock_until_ms, 1234567u);
  EXPECT_TRUE(locked.legal_hold);
  // A rotated named key's version: flag 2 and the version after the flags;
  // version 1 is written as before rotations existed.
  obj.kms.key_version = 300;
  const std::string rotated = EncodeObject(obj);
  EXPECT_EQ(rotated.size(), both.size() + 2);  // the varint 300
  ASSERT_OK_AND_ASSIGN(ObjectRecord named, DecodeObject(rotated));
  EXPECT_EQ(named.kms, obj.kms);
  EXPECT_EQ(named.kms.key_version, 300u);
  obj.kms.key_version = 1;
  EXPECT_EQ(EncodeObject(obj), both);
  // SSE-KMS with SSE-C is nonsense.
  obj.sse_c_salt = std::string(16, 's');
  obj.sse_c_verifier = std::string(32, 'v');
  EXPECT_FALSE(DecodeObject(EncodeObject(obj)).ok());

  UploadRecord up;
  up.upload_id = "u";
  up.kms = SseKms{"acme", "", false};
  ASSERT_OK_AND_ASSIGN(UploadRecord up2, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(up2.kms, up.kms);
  EXPECT_EQ(EncodeUpload(up).find("kms_v"), std::string::npos);  // version 1: as before rotations
  up.kms.key_version = 7;
  ASSERT_OK_AND_ASSIGN(up2, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(up2.kms.key_version, 7u);
  UploadRecord none;
  ASSERT_OK_AND_ASSIGN(UploadRecord none2, DecodeUpload(EncodeUpload(none)));
  EXPECT_TRUE(none2.kms.empty());
}

// The completion's mark names its process and time (catalog.h
// kCompletionTakeoverMs); an unmarked upload, and marks of earlier
// versions, have neither.
TEST(RecordsTest, AnUploadsCompletionMarkRoundTripsWithItsProcessAndTime) {
  UploadRecord up;
  up.upload_id = "u";
  up.completing_tag = "tag-1";
  up.completing_by = "process-a";
  up.completing_ms = 1'800'000'000'123;
  ASSERT_OK_AND_ASSIGN(UploadRecord again, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(again.completing_tag, "tag-1");
  EXPECT_EQ(again.completing_by, "process-a");
  EXPECT_EQ(again.completing_ms, 1'800'000'000'123u);
  UploadRecord unmarked;
  unmarked.upload_id = "v";
  EXPECT_EQ(EncodeUpload(unmarked).find("completing_by"), std::string::npos);
  up.completing_by.clear();  // a mark of an earlier version
  ASSERT_OK_AND_ASSIGN(again, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(again.completing_tag, "tag-1");
  EXPECT_EQ(again.completing_by, "");
  EXPECT_EQ(again.completing_ms, 0u);
}

TEST(RecordsTest, ReplicationStatusRoundTripsOnlyInVersionsTenAndEleven) {
  ObjectRecord obj;
  obj.size = 3;
  obj.etag = "e";
  obj.version_id = std::string(16, 'v');
  obj.kms = SseKms{"arn:confiance:kms:::key/acme", "", false};
  Segment seg;
  seg.inline_data = "abc";
  seg.plain_size = 3;
  seg.key_version = 2;
  obj.segments.push_back(seg);
  EXPECT_EQ(EncodeObject(obj)[1], 9);  // no status: the version older releases read
  obj.replication_status = ReplicationStatus::kPending;
  obj.replication_pending = {"dr-frankfurt", "us"};
  const std::string pending = EncodeObject(obj);
  EXPECT_EQ(pending[1], 10);
  ASSERT_OK_AND_ASSIGN(ObjectRecord back, DecodeObject(pending));
  EXPECT_EQ(back.replication_status, ReplicationStatus::kPending);
  EXPECT_EQ(back.replication_pending, obj.replication_pending);
  // Every field of the versions below comes along.
  EXPECT_EQ(back.kms, obj.kms);
  EXPECT_EQ(back.version_id, obj.version_id);
  EXPECT_EQ(back.segments[0].key_version, 2u);
  EXPECT_EQ(back.segments[0].inline_data, "abc");
  ASSERT_OK_AND_ASSIGN(ObjectSummary summary, DecodeObjectSummary(pending));
  EXPECT_EQ(summary.size, 3u);
  // A replica, plain otherwise.
  ObjectRecord replica;
  replica.etag = "r";
  replica.replication_status = ReplicationStatus::kReplica;
  ASSERT_OK_AND_ASSIGN(ObjectRecord replica_back, DecodeObject(EncodeObject(replica)));
  EXPECT_EQ(replica_back.replication_status, ReplicationStatus::kReplica);
  EXPECT_TRUE(replica_back.kms.empty());
  EXPECT_EQ(ReplicationStatusName(ReplicationStatus::kReplica), "REPLICA");
  // The destinations that hold a copy: version 11, the fields below kept.
  obj.replication_status = ReplicationStatus::kCompleted;
  obj.replication_pending.clear();
  obj.replicated_to = {"dr-frankfurt", "us"};
  const std::string copied = EncodeObject(obj);
  EXPECT_EQ(copied[1], 11);
  ASSERT_OK_AND_ASSIGN(ObjectRecord copied_back, DecodeObject(copied));
  EXPECT_EQ(copied_back.replicated_to, obj.replicated_to);
  EXPECT_EQ(copied_back.replication_status, ReplicationStatus::kCompleted);
  EXPECT_EQ(copied_back.kms, obj.kms);
  EXPECT_EQ(copied_back.segments[0].inline_data, "abc");
  ASSERT_OK_AND_ASSIGN(ObjectSummary copied_summary, DecodeObjectSummary(copied));
  EXPECT_EQ(copied_summary.size, 3u);
  // A storage class: version 12, the summary a listing reads has it too.
  obj.storage_class = "STANDARD_IA";
  obj.lock_mode = LockMode::kGovernance;
  obj.lock_until_ms = 5;
  const std::string classed = EncodeObject(obj);
  EXPECT_EQ(classed[1], 12);
  ASSERT_OK_AND_ASSIGN(ObjectRecord classed_back, DecodeObject(classed));
  EXPECT_EQ(classed_back.storage_class, "STANDARD_IA");
  EXPECT_EQ(classed_back.replicated_to, obj.replicated_to);
  EXPECT_EQ(classed_back.lock_until_ms, 5u);
  ASSERT_OK_AND_ASSIGN(ObjectSummary classed_summary, DecodeObjectSummary(classed));
  EXPECT_EQ(classed_summary.storage_class, "STANDARD_IA");
  EXPECT_EQ(classed_summary.size, 3u);
  EXPECT_EQ(copied_summary.storage_class, "");
  // A replica's source version: version 13, every field below kept.
  ObjectRecord sourced = obj;
  sourced.replication_status = ReplicationStatus::kReplica;
  sourced.replica_source_version = "0123456789abcdefghijklmnop";
  const std::string sourced_bytes = EncodeObject(sourced);
  EXPECT_EQ(sourced_bytes[1], 13);
  ASSERT_OK_AND_ASSIGN(ObjectRecord sourced_back, DecodeObject(sourced_bytes));
  EXPECT_EQ(sourced_back.replica_source_version, sourced.replica_source_version);
  EXPECT_EQ(sourced_back.storage_class, "STANDARD_IA");
  EXPECT_EQ(sourced_back.replication_status, ReplicationStatus::kReplica);
  EXPECT_EQ(sourced_back.segments[0].inline_data, "abc");
  ASSERT_OK_AND_ASSIGN(ObjectSummary sourced_summary, DecodeObjectSummary(sourced_bytes));
  EXPECT_EQ(sourced_summary.storage_class, "STANDARD_IA");
  EXPECT_EQ(sourced_summary.size, 3u);
  UploadRecord cold_up;
  cold_up.storage_class = "GLACIER_IR";
  ASSERT_OK_AND_ASSIGN(UploadRecord cold_back, DecodeUpload(EncodeUpload(cold_up)));
  EXPECT_EQ(cold_back.storage_class, "GLACIER_IR");
  ObjectRecord marker;  // a delete marker copied: no status, one holder
  marker.version_id = std::string(16, 'm');
  marker.delete_marker = true;
  marker.replicated_to = {"us"};
  ASSERT_OK_AND_ASSIGN(ObjectRecord marker_back, DecodeObject(EncodeObject(marker)));
  EXPECT_TRUE(marker_back.delete_marker);
  EXPECT_EQ(marker_back.replicated_to, marker.replicated_to);
  EXPECT_EQ(marker_back.replication_status, ReplicationStatus::kNone);
  // A replication copy's multipart upload says so until its completion.
  UploadRecord up;
  up.upload_id = "u";
  ASSERT_OK_AND_ASSIGN(UploadRecord plain_up, DecodeUpload(EncodeUpload(up)));
  EXPECT_FALSE(plain_up.replica);
  EXPECT_EQ(plain_up.replica_source_version, "");
  up.replica = true;
  up.replica_source_version = "0123456789abcdefghijklmnop";
  ASSERT_OK_AND_ASSIGN(UploadRecord replica_up, DecodeUpload(EncodeUpload(up)));
  EXPECT_TRUE(replica_up.replica);
  EXPECT_EQ(replica_up.replica_source_version, up.replica_source_version);
  // An unknown status is refused, not read as none.
  std::string bad = EncodeObject(replica);
  const size_t at = bad.find('\x04', 2);  // every other field is 0 or the etag
  ASSERT_NE(at, std::string::npos);
  bad[at] = 9;
  EXPECT_FALSE(DecodeObject(bad).ok());
}

TEST(RecordsTest, ChecksumsRoundTripInObjectPartAndUploadRecords) {
  ObjectRecord obj;
  obj.checksum_algorithm = "CRC32C";
  obj.checksum = "VuhUaQ==-2";
  Segment a;
  a.blob_id = "blob-a";
  a.checksum = "AAAAAA==";
  Segment b;
  b.inline_data = "x";
  b.checksum = "ImIEBA==";
  obj.segments = {a, b};
  std::string full = EncodeObject(obj);
  ASSERT_OK_AND_ASSIGN(ObjectRecord o2, DecodeObject(full));
  EXPECT_EQ(o2.checksum_algorithm, "CRC32C");
  EXPECT_EQ(o2.checksum, "VuhUaQ==-2");
  ASSERT_EQ(o2.segments.size(), 2u);
  EXPECT_EQ(o2.segments[0].checksum, "AAAAAA==");
  EXPECT_EQ(o2.segments[1].checksum, "ImIEBA==");
  EXPECT_EQ(o2.segments[1].inline_data, "x");
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_STATUS_CODE(DecodeObject(full.substr(0, n)), kDataLoss) << n;
  }

  PartRecord part;
  part.part_number = 2;
  part.segment = a;
  ASSERT_OK_AND_ASSIGN(PartRecord p2, DecodePart(EncodePart(part)));
  EXPECT_EQ(p2.segment.checksum, "AAAAAA==");
  part.segment.checksum.clear();
  ASSERT_OK_AND_ASSIGN(PartRecord p3, DecodePart(EncodePart(part)));
  EXPECT_TRUE(p3.segment.checksum.empty());

  UploadRecord up;
  up.upload_id = "u";
  up.checksum_algorithm = "SHA256";
  ASSERT_OK_AND_ASSIGN(UploadRecord u2, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(u2.checksum_algorithm, "SHA256");
  EXPECT_FALSE(u2.checksum_full_object);
  up.checksum_algorithm = "CRC64NVME";
  up.checksum_full_object = true;
  ASSERT_OK_AND_ASSIGN(UploadRecord full_object, DecodeUpload(EncodeUpload(up)));
  EXPECT_TRUE(full_object.checksum_full_object);
  up.checksum_full_object = false;
  up.checksum_algorithm.clear();
  ASSERT_OK_AND_ASSIGN(UploadRecord u3, DecodeUpload(EncodeUpload(up)));
  EXPECT_TRUE(u3.checksum_algorithm.empty());
}

TEST(RecordsTest, TagsRoundTripInObjectUploadAndBucketRecords) {
  ObjectRecord obj;
  obj.tags = {{"k1", "v1"}, {"empty", ""}, {"\xc3\xa9t\xc3\xa9", "caf\xc3\xa9"}};
  Segment inl;
  inl.inline_data = "x";
  obj.segments = {inl};
  std::string full = EncodeObject(obj);
  ASSERT_OK_AND_ASSIGN(ObjectRecord o2, DecodeObject(full));
  EXPECT_EQ(o2.tags, obj.tags);
  EXPECT_EQ(o2.segments[0].inline_data, "x");
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_STATUS_CODE(DecodeObject(full.substr(0, n)), kDataLoss) << n;
  }

  UploadRecord up;
  up.upload_id = "u";
  up.tags = {{"a", "b"}};
  ASSERT_OK_AND_ASSIGN(UploadRecord u2, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(u2.tags, up.tags);
  EXPECT_EQ(u2.acl, "");
  // CreateMultipartUpload's ACL (binary EncodeAcl bytes) survives too.
  // Split literals: "\x00acl" would read as the one hex escape \x00ac.
  up.acl = std::string("\x01\x00" "acl" "\xff", 6);
  ASSERT_OK_AND_ASSIGN(UploadRecord u4, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(u4.acl, up.acl);

  BucketRecord b;
  b.name = "b";
  b.id = "id";
  b.index_shards = 1;
  ASSERT_OK_AND_ASSIGN(BucketRecord plain, DecodeBucket(EncodeBucket(b)));
  EXPECT_TRUE(plain.tags.empty());
  EXPECT_TRUE(plain.cors_rules.empty());
  b.tags = {{"team", "storage"}};
  CorsRule rule;
  rule.id = "r1";
  rule.allowed_origins = {"https://b.example", "https://a.example"};  // order kept
  rule.allowed_methods = {"PUT", "GET"};
  rule.allowed_headers = {"x-amz-*"};
  rule.expose_headers = {"ETag"};
  rule.max_age_seconds = 3000;
  CorsRule minimal;
  minimal.allowed_origins = {"*"};
  minimal.allowed_methods = {"GET"};
  b.cors_rules = {rule, minimal};
  ASSERT_OK_AND_ASSIGN(BucketRecord b2, DecodeBucket(EncodeBucket(b)));
  EXPECT_EQ(b2.tags, b.tags);
  ASSERT_EQ(b2.cors_rules.size(), 2u);
  EXPECT_EQ(b2.cors_rules[0], rule);
  EXPECT_EQ(b2.cors_rules[1], minimal);
  EXPECT_FALSE(b2.cors_rules[1].max_age_seconds.has_value());
  EXPECT_TRUE(b2.notification.empty());
  b.notification = R"([{"id":"n1"}])";
  ASSERT_OK_AND_ASSIGN(BucketRecord b3, DecodeBucket(EncodeBucket(b)));
  EXPECT_EQ(b3.notification, b.notification);
}

TEST(RecordsTest, BucketQuotaRoundTripsAndIsAbsentWhenUnlimited) {
  BucketRecord b;
  b.name = "q";
  b.id = "id";
  b.owner = "acme";
  const std::string unlimited = EncodeBucket(b);
  b.quota.max_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(BucketRecord b2, DecodeBucket(EncodeBucket(b)));
  EXPECT_EQ(b2.quota.max_bytes, 1u << 20);
  EXPECT_EQ(b2.quota.max_objects, 0u);
  b.quota = BucketQuota{};
  // No quota: the same bytes a release without bucket quotas writes.
  EXPECT_EQ(EncodeBucket(b), unlimited);
  ASSERT_OK_AND_ASSIGN(BucketRecord b3, DecodeBucket(unlimited));
  EXPECT_FALSE(b3.quota.limited());
}

TEST(RecordsTest, SseCKeyCheckRoundTripsAndKeepsPlainRecordsAtVersionFour) {
  ObjectRecord obj;
  Segment inl;
  inl.inline_data = "x";
  obj.segments = {inl};
  // Without SSE-C: the version 4 bytes a release without SSE-C reads.
  std::string plain = EncodeObject(obj);
  EXPECT_EQ(plain[1], 4);
  ASSERT_OK_AND_ASSIGN(ObjectRecord p2, DecodeObject(plain));
  EXPECT_FALSE(p2.sse_c());
  // With SSE-C: version 5, salt and verifier back, every prefix refused.
  obj.sse_c_salt = std::string("salt\0salt\0salt\0\0", 16);
  obj.sse_c_verifier = std::string(32, '\x7f');
  std::string full = EncodeObject(obj);
  EXPECT_EQ(full[1], 5);
  ASSERT_OK_AND_ASSIGN(ObjectRecord o2, DecodeObject(full));
  EXPECT_TRUE(o2.sse_c());
  EXPECT_EQ(o2.sse_c_salt, obj.sse_c_salt);
  EXPECT_EQ(o2.sse_c_verifier, obj.sse_c_verifier);
  EXPECT_EQ(o2.segments[0].inline_data, "x");
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_STATUS_CODE(DecodeObject(full.substr(0, n)), kDataLoss) << n;
  }
  // A version 5 record with an empty verifier is refused, not read as SSE-S3.
  ObjectRecord half = obj;
  half.sse_c_verifier.clear();
  EXPECT_STATUS_CODE(DecodeObject(EncodeObject(half)), kDataLoss);

  UploadRecord up;
  up.upload_id = "u";
  ASSERT_OK_AND_ASSIGN(UploadRecord u1, DecodeUpload(EncodeUpload(up)));
  EXPECT_FALSE(u1.sse_c());
  up.sse_c_salt = obj.sse_c_salt;
  up.sse_c_verifier = obj.sse_c_verifier;
  ASSERT_OK_AND_ASSIGN(UploadRecord u2, DecodeUpload(EncodeUpload(up)));
  EXPECT_EQ(u2.sse_c_salt, up.sse_c_salt);
  EXPECT_EQ(u2.sse_c_verifier, up.sse_c_verifier);
}

TEST(RecordsTest, BucketEncryptionRoundTrips) {
  BucketRecord b;
  b.name = "b";
  b.id = "id";
  b.index_shards = 1;
  const std::string without = EncodeBucket(b);
  ASSERT_OK_AND_ASSIGN(BucketRecord plain, DecodeBucket(without));
  EXPECT_FALSE(plain.encryption.has_value());
  b.encryption = BucketEncryption{};
  b.encryption->bucket_key_enabled = true;
  const std::string with = EncodeBucket(b);
  EXPECT_NE(with, without);
  ASSERT_OK_AND_ASSIGN(BucketRecord b2, DecodeBucket(with));
  ASSERT_TRUE(b2.encryption.has_value());
  EXPECT_EQ(*b2.encryption, *b.encryption);
  EXPECT_EQ(b2.encryption->sse_algorithm, "AES256");
  // Cleared again: the record is the bytes it was before.
  b.encryption.reset();
  EXPECT_EQ(EncodeBucket(b), without);
}

TEST_F(CatalogTest, UpdateBucketIsSeenByTheNextLookup) {
  ASSERT_OK_AND_ASSIGN(BucketRecord cached, catalog_.GetBucket("bucket"));  // fills the cache
  EXPECT_TRUE(cached.tags.empty());
  ASSERT_OK_AND_ASSIGN(BucketRecord written, catalog_.UpdateBucket("bucket", [](BucketRecord& b) {
    b.tags = {{"k", "v"}};
    return OkStatus();
  }));
  EXPECT_EQ(written.tags.at("k"), "v");
  ASSERT_OK_AND_ASSIGN(BucketRecord got, catalog_.GetBucket("bucket"));
  EXPECT_EQ(got.tags.at("k"), "v");
  EXPECT_EQ(got.id, "b1");
  // A failing mutation writes nothing.
  EXPECT_STATUS_CODE(catalog_.UpdateBucket("bucket", [](BucketRecord& b) {
    b.tags.clear();
    return InvalidArgumentError("refused");
  }), kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(BucketRecord unchanged, catalog_.GetBucket("bucket"));
  EXPECT_EQ(unchanged.tags.size(), 1u);
  EXPECT_STATUS_CODE(catalog_.UpdateBucket("absent", [](BucketRecord&) { return OkStatus(); }), kNotFound);
  EXPECT_STATUS_CODE(catalog_.UpdateBucket("bucket", [](BucketRecord& b) {
    b.id = "other";
    return OkStatus();
  }), kInternal);
}

TEST_F(CatalogTest, UpdateObjectKeepsDataAndTakesNewTags) {
  ObjectRecord obj = Obj(3, "blob1");
  obj.segments.push_back(Segment{});
  obj.segments.back().inline_data = "inline bytes";
  ASSERT_OK(catalog_.PutObject(bucket_, "k", obj));
  ASSERT_OK_AND_ASSIGN(ObjectRecord written, catalog_.UpdateObject(bucket_, "k", [](ObjectRecord& r) {
    r.tags = {{"a", "1"}};
    return OkStatus();
  }));
  EXPECT_EQ(written.tags.at("a"), "1");
  EXPECT_NE(written.op_tag, obj.op_tag);
  ASSERT_OK_AND_ASSIGN(ObjectRecord got, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(got.tags.at("a"), "1");
  EXPECT_EQ(got.etag, obj.etag);
  ASSERT_EQ(got.segments.size(), 2u);
  EXPECT_EQ(got.segments[0].blob_id, "blob1");
  EXPECT_EQ(got.segments[1].inline_data, "inline bytes");
  EXPECT_STATUS_CODE(catalog_.UpdateObject(bucket_, "absent", [](ObjectRecord&) { return OkStatus(); }),
                     kNotFound);
}

// A PUT that lands between UpdateObject's read and its commit wins the
// compare-and-set; the update is then redone on the new object, whose data
// survives.
TEST_F(CatalogTest, UpdateObjectNeverLosesAConcurrentOverwrite) {
  ASSERT_OK(catalog_.PutObject(bucket_, "k", Obj(1, "old-blob")));
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(ObjectRecord written, catalog_.UpdateObject(bucket_, "k", [&](ObjectRecord& r) {
    if (++calls == 1) {
      EXPECT_EQ(r.segments[0].blob_id, "old-blob");
      EXPECT_OK(catalog_.PutObject(bucket_, "k", Obj(2, "new-blob")));  // the concurrent PUT
    }
    r.tags = {{"t", "v"}};
    return OkStatus();
  }));
  EXPECT_EQ(calls, 2);
  ASSERT_OK_AND_ASSIGN(ObjectRecord got, catalog_.GetObject(bucket_, "k"));
  EXPECT_EQ(got.segments[0].blob_id, "new-blob");
  EXPECT_EQ(got.size, 2u);
  EXPECT_EQ(got.tags.at("t"), "v");
  EXPECT_EQ(written.segments[0].blob_id, "new-blob");
}

TEST_F(CatalogTest, SweeperDeletesOnlyUnreferencedOldBlobs) {
  blob::MemoryBlobStore blobs;
  auto commit = [&blobs] { return CommitBlob(blobs); };
  std::string used = commit(), orphan = commit(), part = commit();
  ASSERT_OK(catalog_.PutObject(bucket_, "k", Obj(1, used)));
  UploadRecord up;
  up.upload_id = "u9";
  up.key = "m";
  ASSERT_OK(catalog_.CreateUpload(bucket_, up));
  PartRecord p;
  p.part_number = 1;
  p.segment.blob_id = part;
  ASSERT_OK(catalog_.PutPart("u9", p));

  OrphanSweeper sweeper(catalog_, blobs, 60);
  // Too young: nothing is a candidate.
  ASSERT_OK_AND_ASSIGN(SweepStats young, sweeper.SweepOnce(0));
  EXPECT_EQ(young.deleted, 0u);
  ASSERT_OK_AND_ASSIGN(SweepStats st, sweeper.SweepOnce(UINT32_MAX));
  EXPECT_EQ(st.deleted, 1u);
  EXPECT_TRUE(blobs.Open(used).ok());
  EXPECT_TRUE(blobs.Open(part).ok());
  EXPECT_FALSE(blobs.Open(orphan).ok());
}

// A DeleteBucket cut short by a crash: its record is gone, its partitions
// (an object a PUT wrote while the delete ran, an upload) remain. The sweep
// drops them, and so frees their blobs; the live bucket keeps its own.
TEST_F(CatalogTest, SweeperDropsThePartitionsOfADeletedBucketAndFreesTheirBlobs) {
  blob::MemoryBlobStore blobs;
  auto commit = [&blobs] { return CommitBlob(blobs); };
  BucketRecord gone;
  gone.name = "gone";
  gone.id = "b2";
  gone.owner = "root";
  ASSERT_OK(catalog_.CreateBucket(gone));
  const std::string kept_blob = commit(), gone_blob = commit();
  ASSERT_OK(catalog_.PutObject(bucket_, "k", Obj(1, kept_blob)));
  ASSERT_OK(catalog_.PutObject(gone, "k", Obj(1, gone_blob)));
  UploadRecord up;
  up.upload_id = "u7";
  up.key = "m";
  ASSERT_OK(catalog_.CreateUpload(gone, up));
  meta::Batch crash;  // only the record's deletion landed
  crash.Delete("gone");
  ASSERT_OK(store_.Apply("buckets", crash));

  OrphanSweeper sweeper(catalog_, blobs, 0);
  ASSERT_OK_AND_ASSIGN(SweepStats st, sweeper.SweepOnce(UINT32_MAX));
  EXPECT_EQ(st.orphan_partitions, 2u);  // o/b2/0 and u/b2
  EXPECT_EQ(st.deleted, 1u);
  EXPECT_FALSE(blobs.Open(gone_blob).ok());
  EXPECT_TRUE(blobs.Open(kept_blob).ok());
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> left, store_.ListPartitions("", "", 100));
  for (const std::string& p : left) EXPECT_EQ(p.find("b2"), std::string::npos) << p;
  ASSERT_OK(catalog_.GetObject(bucket_, "k", false));
  ASSERT_OK_AND_ASSIGN(SweepStats again, sweeper.SweepOnce(UINT32_MAX));
  EXPECT_EQ(again.orphan_partitions, 0u);
}

// A store that runs `during_listing` once, inside the first ListPartitions:
// a bucket created and written between the sweep's first scan of the bucket
// records and its listing of partitions.
class RacingStore : public meta::ForwardingMetaStore {
 public:
  RacingStore() : ForwardingMetaStore(memory) {}
  Result<std::vector<std::string>> ListPartitions(std::string_view prefix, std::string_view after,
                                                  size_t limit) override {
    if (during_listing) std::exchange(during_listing, nullptr)();
    return ForwardingMetaStore::ListPartitions(prefix, after, limit);
  }
  Status DropPartition(std::string_view p) override {
    dropped.emplace_back(p);
    return ForwardingMetaStore::DropPartition(p);
  }

  meta::MemoryMetaStore memory;
  std::function<void()> during_listing;
  std::vector<std::string> dropped;
};

// A bucket of the root tenant, and a one-byte object record, for the tests
// that run a Catalog over a store of their own.
BucketRecord RootBucket(std::string name, std::string id) {
  BucketRecord b;
  b.name = std::move(name);
  b.id = std::move(id);
  b.owner = "root";
  return b;
}

ObjectRecord OneByteObject() {
  ObjectRecord obj;
  obj.size = 1;
  obj.op_tag = NewOpTag();
  return obj;
}

TEST(OrphanPartitionsTest, ABucketCreatedDuringTheSweepKeepsItsPartitions) {
  RacingStore store;
  Catalog catalog(store);
  const BucketRecord fresh = RootBucket("fresh", "b9");
  const ObjectRecord obj = OneByteObject();
  store.during_listing = [&] {
    ASSERT_OK(catalog.CreateBucket(fresh));
    ASSERT_OK(catalog.PutObject(fresh, "k", obj));
  };
  ASSERT_OK_AND_ASSIGN(uint64_t dropped, catalog.DropOrphanPartitions());
  EXPECT_EQ(dropped, 0u);
  EXPECT_TRUE(store.dropped.empty());
  ASSERT_OK(catalog.GetObject(fresh, "k", false));
}

// DeleteObjectAsync's result, waited for (the memory store completes on its
// own thread or inline).
Result<std::optional<ObjectRecord>> DeleteAsync(Catalog& catalog, const BucketRecord& bucket,
                                                std::string_view key,
                                                meta::Durability d = meta::Durability::kSynced) {
  std::promise<Result<std::optional<ObjectRecord>>> done;
  catalog.DeleteObjectAsync(
      bucket, key, [&done](Result<std::optional<ObjectRecord>> r) { done.set_value(std::move(r)); }, d);
  return done.get_future().get();
}

// A store that records the durability each applied batch asked for.
class DurabilityRecordingStore : public meta::ForwardingMetaStore {
 public:
  DurabilityRecordingStore() : ForwardingMetaStore(memory) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    asked.push_back(b.durability);
    return ForwardingMetaStore::Apply(p, b);
  }
  void ApplyAsync(std::string_view p, meta::Batch b, std::function<void(Status)> done) override {
    asked.push_back(b.durability);
    ForwardingMetaStore::ApplyAsync(p, std::move(b), std::move(done));
  }

  meta::MemoryMetaStore memory;
  std::vector<meta::Durability> asked;
};

TEST(CommitDurabilityTest, PutsAndDeletesCommitWithTheDurabilityTheyAreGiven) {
  DurabilityRecordingStore store;
  Catalog catalog(store);
  BucketRecord plain = RootBucket("d", "b7");
  BucketRecord versioned = RootBucket("v", "b8");
  versioned.versioning = BucketVersioning::kEnabled;
  ASSERT_OK(catalog.CreateBucket(plain));
  ASSERT_OK(catalog.CreateBucket(versioned));
  const ObjectRecord obj = OneByteObject();
  auto put = [&](const BucketRecord& bucket, std::optional<meta::Durability> d) {
    Result<std::optional<ObjectRecord>> result = InternalError("not called");
    auto done = [&](Result<std::optional<ObjectRecord>> r) { result = std::move(r); };
    ObjectRecord rec = obj;
    StampVersion(bucket, rec);
    if (d) {
      catalog.PutObjectIfAsync(bucket, "k", rec, Catalog::PutCondition{}, done, *d);
    } else {
      catalog.PutObjectIfAsync(bucket, "k", rec, Catalog::PutCondition{}, done);
    }
    return result.status();
  };
  for (meta::Durability d : {meta::Durability::kWithNextSync, meta::Durability::kSynced}) {
    for (const BucketRecord* bucket : {&plain, &versioned}) {
      SCOPED_TRACE(bucket->name);
      store.asked.clear();
      ASSERT_OK(put(*bucket, d));
      EXPECT_EQ(store.asked, std::vector<meta::Durability>{d});
      // A delete of the current object (a delete marker when versioned).
      store.asked.clear();
      ASSERT_OK(catalog.DeleteObjectVersion(*bucket, "k", std::nullopt, {}, d));
      EXPECT_EQ(store.asked, std::vector<meta::Durability>{d});
    }
    // A version removed by id.
    ASSERT_OK(put(versioned, d));
    ASSERT_OK_AND_ASSIGN(ObjectRecord current, catalog.GetObject(versioned, "k", false));
    store.asked.clear();
    ASSERT_OK(catalog.DeleteObjectVersion(versioned, "k", ExternalVersionId(current), {}, d));
    EXPECT_EQ(store.asked, std::vector<meta::Durability>{d});
    // The asynchronous delete of an unversioned bucket.
    ASSERT_OK(put(plain, d));
    store.asked.clear();
    ASSERT_OK(DeleteAsync(catalog, plain, "k", d));
    EXPECT_EQ(store.asked, std::vector<meta::Durability>{d});
  }
  // By default every commit is synced.
  store.asked.clear();
  ASSERT_OK(put(plain, std::nullopt));
  ASSERT_OK(catalog.DeleteObject(plain, "k"));
  ASSERT_OK(put(plain, std::nullopt));
  ASSERT_OK(DeleteAsync(catalog, plain, "k"));
  EXPECT_EQ(store.asked, std::vector<meta::Durability>(4, meta::Durability::kSynced));
}

TEST_F(CatalogTest, AsyncDeleteRemovesTheObjectAndReturnsItsRecord) {
  ASSERT_OK(catalog_.PutObject(bucket_, "k", Obj(10, "blob-k")));
  ASSERT_OK(catalog_.PutObject(bucket_, "other", Obj(3)));
  ASSERT_OK_AND_ASSIGN(std::optional<ObjectRecord> removed, DeleteAsync(catalog_, bucket_, "k"));
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->size, 10u);
  ASSERT_EQ(removed->segments.size(), 1u);
  EXPECT_EQ(removed->segments[0].blob_id, "blob-k");
  EXPECT_STATUS_CODE(catalog_.GetObject(bucket_, "k", false), kNotFound);
  ASSERT_OK_AND_ASSIGN(Usage usage, catalog_.BucketUsage(bucket_));
  EXPECT_EQ(usage.objects, 1);
  EXPECT_EQ(usage.bytes, 3);
  // Idempotent: nothing left to remove.
  ASSERT_OK_AND_ASSIGN(std::optional<ObjectRecord> again, DeleteAsync(catalog_, bucket_, "k"));
  EXPECT_FALSE(again.has_value());
}

TEST_F(CatalogTest, AsyncDeleteRefusesABucketWithVersioning) {
  BucketRecord versioned = bucket_;
  versioned.name = "versioned";
  versioned.id = "b5";
  versioned.versioning = BucketVersioning::kSuspended;
  ASSERT_OK(catalog_.CreateBucket(versioned));
  ObjectRecord obj = Obj(4);
  StampVersion(versioned, obj);
  ASSERT_OK(catalog_.PutObject(versioned, "k", obj));
  EXPECT_STATUS_CODE(DeleteAsync(catalog_, versioned, "k"), kFailedPrecondition);
  ASSERT_OK(catalog_.GetObject(versioned, "k", false));
}

// A store that runs `before_first_async` once, before the first ApplyAsync
// is applied: a concurrent writer that wins the race.
class InterferingStore : public meta::ForwardingMetaStore {
 public:
  InterferingStore() : ForwardingMetaStore(memory) {}
  void ApplyAsync(std::string_view p, meta::Batch b, std::function<void(Status)> done) override {
    if (before_first_async) std::exchange(before_first_async, nullptr)();
    ForwardingMetaStore::ApplyAsync(p, std::move(b), std::move(done));
  }

  meta::MemoryMetaStore memory;
  std::function<void()> before_first_async;
};

TEST(AsyncDeleteTest, AnOverwriteBetweenReadAndCommitIsDeletedAndReturned) {
  InterferingStore store;
  Catalog catalog(store);
  const BucketRecord bucket = RootBucket("race", "b6");
  ASSERT_OK(catalog.CreateBucket(bucket));
  ObjectRecord first = OneByteObject();
  ASSERT_OK(catalog.PutObject(bucket, "k", first));
  ObjectRecord second = OneByteObject();
  second.size = 2;
  store.before_first_async = [&] { ASSERT_OK(catalog.PutObject(bucket, "k", second)); };
  // The first attempt expects `first` and loses; the retry deletes `second`.
  ASSERT_OK_AND_ASSIGN(std::optional<ObjectRecord> removed, DeleteAsync(catalog, bucket, "k"));
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->size, 2u);
  EXPECT_EQ(removed->op_tag, second.op_tag);
  EXPECT_STATUS_CODE(catalog.GetObject(bucket, "k", false), kNotFound);
  ASSERT_OK_AND_ASSIGN(Usage usage, catalog.BucketUsage(bucket));
  EXPECT_EQ(usage.objects, 0);
  EXPECT_EQ(usage.bytes, 0);
}

TEST_F(CatalogTest, DeletingAnAbsentKeyNeedsAStoreThatCanCommit) {
  ASSERT_OK_AND_ASSIGN(auto none, catalog_.DeleteObject(bucket_, "absent"));
  EXPECT_FALSE(none.has_value());
  // After a failed write the store's durable state is unknown: the failed
  // write may resurface on reopen, so not even a no-op delete is acknowledged.
  store_.FailNextApply(UnavailableError("store is read-only"));
  EXPECT_STATUS_CODE(catalog_.DeleteObject(bucket_, "absent"), kUnavailable);
}

TEST_F(CatalogTest, SweeperDeletesNothingWhileTheStoreRefusesCommits) {
  blob::MemoryBlobStore blobs;
  auto w = blobs.NewBlob();
  ASSERT_TRUE(w.ok());
  const std::string orphan = (*w)->id();
  ASSERT_OK((*w)->Commit());
  OrphanSweeper sweeper(catalog_, blobs, 0);
  // The orphan could be the blob of a write that failed but may resurface.
  store_.FailNextApply(UnavailableError("store is read-only"));
  EXPECT_STATUS_CODE(sweeper.SweepOnce(UINT32_MAX), kUnavailable);
  EXPECT_TRUE(blobs.Open(orphan).ok());
  ASSERT_OK_AND_ASSIGN(SweepStats st, sweeper.SweepOnce(UINT32_MAX));
  EXPECT_EQ(st.deleted, 1u);
  EXPECT_FALSE(blobs.Open(orphan).ok());
}

// A completion that crashed between its object commit and the upload's
// removal, then an overwrite, then the client's retry: the overwrite must
// not free the part blobs that the retried completion references again.
TEST_F(CatalogTest, OverwriteKeepsBlobsOfAnUploadThatMayStillComplete) {
  UploadRecord up;
  up.upload_id = "u1";
  up.key = "k";
  ASSERT_OK(catalog_.CreateUpload(bucket_, up));
  PartRecord part;
  part.part_number = 1;
  part.segment.blob_id = "partblob";
  part.segment.plain_size = 5;
  ASSERT_OK(catalog_.PutPart("u1", part));
  ObjectRecord completed = Obj(5, "partblob");
  completed.upload_id = "u1";
  // Steps 1 and 2 of the completion (intent, object), then the crash.
  UploadRecord marked = up;
  marked.completing_tag = completed.op_tag;
  {
    meta::Batch b;
    b.op_tag = completed.op_tag;
    std::string k = std::string("k") + '\0' + "u1";
    b.Put(k, EncodeUpload(marked));
    ASSERT_OK(store_.Apply("u/" + bucket_.id, b));
  }
  ASSERT_OK(catalog_.PutObject(bucket_, "k", completed));

  // Another client overwrites the key: the replaced record's blob is still
  // the upload's part.
  ASSERT_OK_AND_ASSIGN(auto replaced, catalog_.PutObject(bucket_, "k", Obj(7, "putblob")));
  ASSERT_TRUE(replaced.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<Segment> free1, catalog_.ReleasableSegments(bucket_, "k", *replaced));
  EXPECT_TRUE(free1.empty());

  // The retried completion lands and removes the upload: the PUT's blob is
  // free, the part's is the object's.
  ASSERT_OK_AND_ASSIGN(UploadRecord current, catalog_.GetUpload(bucket_, "k", "u1"));
  ObjectRecord again = completed;
  again.op_tag = NewOpTag();
  ASSERT_OK_AND_ASSIGN(Catalog::Completion done, catalog_.CompleteUpload(bucket_, current, again));
  ASSERT_TRUE(done.replaced.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<Segment> free2, catalog_.ReleasableSegments(bucket_, "k", *done.replaced));
  ASSERT_EQ(free2.size(), 1u);
  EXPECT_EQ(free2[0].blob_id, "putblob");
  // Deleting the completed object later frees the part blob: the upload is gone.
  ASSERT_OK_AND_ASSIGN(auto deleted, catalog_.DeleteObject(bucket_, "k"));
  ASSERT_TRUE(deleted.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<Segment> free3, catalog_.ReleasableSegments(bucket_, "k", *deleted));
  ASSERT_EQ(free3.size(), 1u);
  EXPECT_EQ(free3[0].blob_id, "partblob");
}

TEST(CommitRefusedTest, OnlyDefiniteRefusalsFreeTheBlobs) {
  EXPECT_TRUE(CommitRefused(FailedPreconditionError("etag differs")));
  EXPECT_TRUE(CommitRefused(NotFoundError("no such object")));
  EXPECT_TRUE(CommitRefused(AbortedError("too many writers")));
  EXPECT_TRUE(CommitRefused(InvalidArgumentError("empty value")));
  // The write may have reached the log: its fate is unknown.
  EXPECT_FALSE(CommitRefused(UnavailableError("write failed; store is read-only")));
  EXPECT_FALSE(CommitRefused(DataLossError("fdatasync: EIO")));
  EXPECT_FALSE(CommitRefused(ResourceExhaustedError("ENOSPC")));
  EXPECT_FALSE(CommitRefused(InternalError("?")));
}

}  // namespace
}  // namespace confiance::catalog
