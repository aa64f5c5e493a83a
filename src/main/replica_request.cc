// File: main/replica_request.cc
#include "main/replica_request.h"

#include <algorithm>
#include <cctype>

#include "catalog/object_lock.h"
#include "catalog/version_id.h"
#include "common/iso8601.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "s3/sigv4/canonical.h"
#include "s3/xml/object_lock_xml.h"
#include "s3/xml/tagging_xml.h"

namespace confiance {
namespace {

bool IsHexMd5(std::string_view etag) {
  return etag.size() == 32 && std::all_of(etag.begin(), etag.end(), [](char c) { return std::isxdigit(c) != 0; });
}

std::string TaggingHeader(const catalog::TagMap& tags) {
  std::string out;
  for (const auto& [k, v] : tags) {
    if (!out.empty()) out += '&';
    out += sigv4::UriEncode(k, /*keep_slash=*/false) + "=" + sigv4::UriEncode(v, /*keep_slash=*/false);
  }
  return out;
}

// A request to the `subresource` of version `version_id`, marked as
// replication's; PUT until told otherwise.
SettingRequest VersionSetting(std::string_view subresource, std::string_view version_id) {
  SettingRequest r;
  r.method = "PUT";
  r.query = std::string(subresource) + "=&versionId=" + sigv4::UriEncode(version_id, /*keep_slash=*/false);
  r.headers = ReplicaOfHeaders(version_id);
  return r;
}

// `body` as the request's XML document, with its Content-MD5.
void WithDocument(SettingRequest& r, std::string body) {
  crypto::Md5 md5;
  md5.Update(body);
  const crypto::Md5::Digest digest = md5.Finish();
  const std::string_view digest_bytes(reinterpret_cast<const char*>(digest.data()), digest.size());
  r.headers.push_back({"content-type", "application/xml"});
  r.headers.push_back({"content-md5", crypto::Base64Encode(digest_bytes)});
  r.body = std::move(body);
}

}  // namespace

std::string ReplicaPath(std::string_view bucket, std::string_view key) {
  return "/" + std::string(bucket) + "/" + sigv4::UriEncode(key, /*keep_slash=*/true);
}

SettingRequest ReplicaTaggingRequest(std::string_view version_id, const catalog::TagMap& tags) {
  SettingRequest r = VersionSetting("tagging", version_id);
  if (tags.empty()) {
    r.method = "DELETE";
    return r;
  }
  WithDocument(r, s3::xml::RenderTagging(tags));
  return r;
}

SettingRequest ReplicaLegalHoldRequest(std::string_view version_id, bool on) {
  SettingRequest r = VersionSetting("legal-hold", version_id);
  WithDocument(r, s3::xml::RenderLegalHold(on));
  return r;
}

SettingRequest ReplicaRetentionRequest(std::string_view version_id, catalog::LockMode mode, uint64_t retain_until_ms) {
  SettingRequest r = VersionSetting("retention", version_id);
  r.headers.push_back({"x-amz-bypass-governance-retention", "true"});
  WithDocument(r, s3::xml::RenderRetention(mode, retain_until_ms));
  return r;
}

std::vector<admin::HttpHeader> ReplicaOfHeaders(std::string_view version_id) {
  return {{std::string(s3::kReplicaHeader), std::string(s3::kReplicaHeaderValue)},
          {std::string(s3::kReplicaSourceHeader), std::string(version_id)}};
}

std::vector<admin::HttpHeader> ReplicaHeaders(const catalog::ObjectRecord& record, const s3::ReplicationRule& rule) {
  std::vector<admin::HttpHeader> h = ReplicaOfHeaders(catalog::ExternalVersionId(record));
  if (!record.content_type.empty()) h.push_back({"content-type", record.content_type});
  for (const auto& [name, value] : record.headers) h.push_back({name, value});
  for (const auto& [name, value] : record.user_meta) h.push_back({"x-amz-meta-" + name, value});
  if (!record.tags.empty()) h.push_back({"x-amz-tagging", TaggingHeader(record.tags)});
  // A single PUT's ETag is its MD5: the destination checks what it took.
  if (record.parts_count == 0 && IsHexMd5(record.etag)) {
    Result<std::string> md5 = crypto::HexDecode(record.etag);
    if (md5.ok()) h.push_back({"content-md5", crypto::Base64Encode(*md5)});
  }
  if (!record.checksum_algorithm.empty() && catalog::IsFullObjectChecksum(record.checksum)) {
    std::string name = "x-amz-checksum-";
    for (char c : record.checksum_algorithm) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    h.push_back({name, record.checksum});
  }
  if (record.lock_mode != catalog::LockMode::kNone) {
    h.push_back(
        {"x-amz-object-lock-mode", record.lock_mode == catalog::LockMode::kCompliance ? "COMPLIANCE" : "GOVERNANCE"});
    h.push_back({"x-amz-object-lock-retain-until-date", FormatUtcMs(static_cast<int64_t>(record.lock_until_ms))});
  }
  if (record.legal_hold) h.push_back({"x-amz-object-lock-legal-hold", "ON"});
  // As S3: the replica in the rule's Destination StorageClass, else in the
  // source's (STANDARD is every destination's default: not sent).
  const std::string storage_class =
      catalog::StoredStorageClass(rule.storage_class.empty() ? catalog::StorageClassOf(record) : rule.storage_class);
  if (!storage_class.empty()) h.push_back({"x-amz-storage-class", storage_class});
  if (!rule.replica_kms_key_id.empty()) {
    h.push_back({"x-amz-server-side-encryption", "aws:kms"});
    h.push_back({"x-amz-server-side-encryption-aws-kms-key-id", rule.replica_kms_key_id});
  }
  return h;
}

std::vector<admin::HttpHeader> ReplicaUploadHeaders(const catalog::ObjectRecord& record,
                                                    const s3::ReplicationRule& rule) {
  std::vector<admin::HttpHeader> h = ReplicaHeaders(record, rule);
  std::erase_if(
      h, [](const admin::HttpHeader& x) { return x.name == "content-md5" || x.name.starts_with("x-amz-checksum-"); });
  return h;
}

std::string UploadIdOf(std::string_view body) {
  const size_t open = body.find("<UploadId>");
  const size_t close = body.find("</UploadId>");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open + 10) return "";
  return std::string(body.substr(open + 10, close - open - 10));
}

std::string PartQuery(int part_number, std::string_view upload_id) {
  return "partNumber=" + std::to_string(part_number) + "&" + UploadQuery(upload_id);
}

std::string UploadQuery(std::string_view upload_id) {
  return "uploadId=" + sigv4::UriEncode(upload_id, /*keep_slash=*/false);
}

std::string CompleteUploadBody(const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t n = 0; n < etags.size(); ++n) {
    // An ETag is a quoted hex digest: nothing in it needs escaping, but a
    // destination's answer is not trusted to be one.
    std::string etag;
    for (char c : etags[n]) {
      if (c != '<' && c != '>' && c != '&') etag += c;
    }
    xml += "<Part><PartNumber>" + std::to_string(n + 1) + "</PartNumber><ETag>" + etag + "</ETag></Part>";
  }
  return xml + "</CompleteMultipartUpload>";
}

}  // namespace confiance
