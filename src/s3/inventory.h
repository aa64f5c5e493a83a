// File: s3/inventory.h
// S3 Inventory (docs/inventory.md): a bucket's inventory configurations
// (PutBucketInventoryConfiguration, kept in the bucket record) and the
// pieces of a report that main/inventory_delivery.h writes into the
// destination bucket, in S3's layout:
//   <prefix>/<source bucket>/<config id>/data/<report id>-<n>.csv.gz
//   <prefix>/<source bucket>/<config id>/<YYYY-MM-DDTHH-MMZ>/manifest.json
//   <prefix>/<source bucket>/<config id>/<YYYY-MM-DDTHH-MMZ>/manifest.checksum
// ("<prefix>/" absent when the destination has no prefix). A data file is
// gzip-compressed CSV, one object version per line, every field quoted;
// the manifest lists the files and names the fields (fileSchema), and its
// checksum file holds the manifest's MD5 in hex, as on S3.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
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
// have it; fields Confiance has no value for (IntelligentTieringAccessTier,
// ObjectAccessControlList), and those of a delete marker that S3 leaves
// empty, are empty.
std::string InventoryCsvLine(const xml::InventoryConfiguration& config, std::string_view bucket, std::string_view key,
                             const catalog::ObjectRecord& record, bool is_latest, std::string_view owner);

// The report's keys (see the layout above). `stamp` is the report's time
// as YYYY-MM-DDTHH-MMZ (InventoryStamp).
std::string InventoryBase(const xml::InventoryConfiguration& config, std::string_view source_bucket);
std::string InventoryStamp(uint64_t ms);

struct InventoryFile {
  std::string key;
  uint64_t size = 0;
  std::string md5_hex;  // of the compressed file
};
// manifest.json.
std::string InventoryManifest(const xml::InventoryConfiguration& config, std::string_view source_bucket,
                              uint64_t created_ms, const std::vector<InventoryFile>& files);

}  // namespace confiance::s3
