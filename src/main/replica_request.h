// File: main/replica_request.h
// The S3 requests that copy an object version or a delete marker to a
// replication destination (main/replication_dispatcher.h): a PUT that
// carries what the object's GET would return (its content headers, user
// metadata, tags, additional checksum, Object Lock settings, the MD5 of a
// single-PUT object as Content-MD5 so that the destination checks the
// bytes it took), and a DELETE of the key.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_client.h"
#include "catalog/records.h"
#include "common/status.h"
#include "s3/replication_config.h"

namespace confiance {

// "/BUCKET/KEY", the key URI-encoded (path-style addressing).
std::string ReplicaPath(std::string_view bucket, std::string_view key);

// The headers of the PUT of `record`'s data (Content-Length aside), for a
// destination under `rule`; they name the version copied
// (s3::kReplicaSourceHeader).
std::vector<admin::HttpHeader> ReplicaHeaders(const catalog::ObjectRecord& record, const s3::ReplicationRule& rule);

// The headers that mark a write as the replica of source version
// `version_id` (S3 form; s3::kReplicaHeader, s3::kReplicaSourceHeader), so
// that it is never copied back: all that the DELETE copying a delete
// marker carries, and the first of ReplicaHeaders.
std::vector<admin::HttpHeader> ReplicaOfHeaders(std::string_view version_id);

// A version larger than a part is copied as a multipart upload
// (CreateMultipartUpload with ReplicaHeaders less the whole-object
// checks, UploadPart of each part, CompleteMultipartUpload): these are
// its pieces.
//
// The headers of the CreateMultipartUpload: ReplicaHeaders without
// Content-MD5 and the additional checksum (they are of the whole object).
std::vector<admin::HttpHeader> ReplicaUploadHeaders(const catalog::ObjectRecord& record,
                                                    const s3::ReplicationRule& rule);
// The UploadId of a CreateMultipartUpload answer; "" if it has none.
std::string UploadIdOf(std::string_view body);
// The query of an UploadPart ("partNumber=N&uploadId=ID"), and of a
// Complete or Abort ("uploadId=ID"), ID URI-encoded.
std::string PartQuery(int part_number, std::string_view upload_id);
std::string UploadQuery(std::string_view upload_id);
// The CompleteMultipartUpload document naming `etags` (as the parts'
// answers gave them, quotes included) as parts 1..N.
std::string CompleteUploadBody(const std::vector<std::string>& etags);

// A change of one version's settings sent on to its copy ("Changes of a
// version" in docs/replication.md): the request, addressed to the version
// by its id (which its copy shares) and marked as replication's
// (ReplicaOfHeaders), so that the destination never sends it on again. A
// document goes with its Content-MD5, which S3 asks of these requests.
struct SettingRequest {
  std::string method;
  std::string query;
  std::vector<admin::HttpHeader> headers;
  std::string body;
};
// The tag set `tags`: PUT ?tagging&versionId=, or DELETE of it for no tags.
SettingRequest ReplicaTaggingRequest(std::string_view version_id, const catalog::TagMap& tags);
// The legal hold: PUT ?legal-hold&versionId=.
SettingRequest ReplicaLegalHoldRequest(std::string_view version_id, bool on);
// The retention (`mode` kNone: none): PUT ?retention&versionId=, asking for
// the governance bypass, which the destination grants only to credentials
// holding s3:BypassGovernanceRetention (so that a GOVERNANCE retention
// shortened or lifted at the source is there too; never COMPLIANCE).
SettingRequest ReplicaRetentionRequest(std::string_view version_id, catalog::LockMode mode, uint64_t retain_until_ms);

// The x-amz-content-sha256 of every copying request: the body streams
// (TLS and Content-MD5 guard it); sign with admin::SignHeaders.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

}  // namespace confiance
