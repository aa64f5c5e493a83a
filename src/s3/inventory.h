// File: s3/inventory.h
// S3 Inventory (docs/inventory.md): a bucket's inventory configurations
// (PutBucketInventoryConfiguration, kept in the bucket record) and the
// pieces of a report that main/inventory_delivery.h writes into the
// destination bucket, in S3's layout:
//   <prefix>/<source bucket>/<config id>/data/<report id>-<n>.csv.gz
//   <prefix>/<source bucket>/<config id>/<YYYY-MM-DDTHH-MMZ>/manifest.json
//   <prefix>/<source bucket>/<config id>/<YYYY-MM-DDTHH-MMZ>/manifest.checksum
//   <prefix>/<source bucket>/<config id>/hive/dt=<YYYY-MM-DD-HH-MM>/symlink.txt
// ("<prefix>/" absent when the destination has no prefix). A data file is
// gzip-compressed CSV, one object version per line, every field quoted;
// the manifest lists the files and names the fields (fileSchema), and its
// checksum file holds the manifest's MD5 in hex, as on S3. symlink.txt
// lists the data files' s3:// URIs, one a line: Apache Hive's
// SymlinkTextInputFormat, which Athena, Presto/Trino and Spark read, with
// the dt= directory as the table's partition.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "iam/acl/acl.h"
#include "s3/xml/inventory_xml.h"

namespace confiance::s3 {

// The service principal that writes reports, as on S3: a destination
// bucket's policy lets it in (with aws:SourceArn, the source bucket's ARN,
// and aws:SourceAccount, its owner).
inline constexpr std::string_view kInventoryService = "s3.amazonaws.com";

// The configurations of a bucket, in BucketRecord::inventory (JSON).
std::string EncodeInventory(const std::vector<xml::InventoryConfiguration>& configs);
Result<std::vector<xml::InventoryConfiguration>> DecodeInventory(std::string_view encoded);

// A report's fields, in order: Bucket, Key, then VersionId, IsLatest and
// IsDeleteMarker when every version is listed, then the optional fields
// the configuration asks for, in S3's order (not the document's).
std::vector<std::string> InventorySchema(const xml::InventoryConfiguration& config);
// One CSV line (with its "\n") of `record`, version `key` of `bucket`,
// with InventorySchema's fields. The key is URL-encoded, as S3's reports
// have it. `owner` is the bucket owner, who owns every object
// (docs/tenancy.md): ObjectOwner is its canonical id, or UNAVAILABLE if
// that id is empty (the tenant is gone). ObjectAccessControlList is S3's
// base64-encoded JSON of the object's grants (InventoryAclField). The
// field Confiance has no value for (IntelligentTieringAccessTier), and
// those of a delete marker that S3 leaves empty, are empty.
std::string InventoryCsvLine(const xml::InventoryConfiguration& config, std::string_view bucket, std::string_view key,
                             const catalog::ObjectRecord& record, bool is_latest, const iam::acl::CanonicalUser& owner);

// The ObjectAccessControlList value before its base64: S3's JSON,
//   {"version":"2022-11-10","status":"AVAILABLE","grants":[
//     {"canonicalId":"<id>","type":"CanonicalUser","permission":"READ"},
//     {"uri":"http://acs.amazonaws.com/groups/global/AllUsers","type":"Group","permission":"READ"}]}
// of the ACL stored with the object (iam/acl/acl_format.h; none stored:
// the owner's FULL_CONTROL). Status UNAVAILABLE, without grants, when the
// owner is not known or the stored ACL cannot be read.
std::string InventoryAclField(const catalog::ObjectRecord& record, const iam::acl::CanonicalUser& owner);

// The report's keys (see the layout above). `stamp` is the report's time
// as YYYY-MM-DDTHH-MMZ (InventoryStamp).
std::string InventoryBase(const xml::InventoryConfiguration& config, std::string_view source_bucket);
std::string InventoryStamp(uint64_t ms);

struct InventoryFile {
  std::string key;
  uint64_t size = 0;
  std::string md5_hex;  // of the compressed file
};
// The key of a report's symlink.txt: its time as a Hive partition,
// dt=YYYY-MM-DD-HH-MM (UTC), the same minute as InventoryStamp's.
std::string InventoryHiveKey(const xml::InventoryConfiguration& config, std::string_view source_bucket, uint64_t ms);
// symlink.txt: "s3://<destination bucket>/<key>\n" for each data file, in
// order (empty for a report without data files).
std::string InventorySymlink(const xml::InventoryConfiguration& config, const std::vector<InventoryFile>& files);
// manifest.json.
std::string InventoryManifest(const xml::InventoryConfiguration& config, std::string_view source_bucket,
                              uint64_t created_ms, const std::vector<InventoryFile>& files);

}  // namespace confiance::s3
