// File: s3/object_headers.cc
#include "s3/object_headers.h"

#include <array>
#include <cctype>

#include "s3/replication_config.h"
#include "s3/s3_context.h"
#include "s3/tagging.h"

namespace confiance::s3 {
namespace {

constexpr size_t kMaxUserMetadata = 2048;
constexpr std::array<std::string_view, 6> kStoredHeaders = {
    "cache-control", "content-disposition", "content-encoding", "content-language", "expires", kWebsiteRedirectHeader};
// S3's limit on a website redirect location.
constexpr size_t kMaxWebsiteRedirect = 2048;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// aws-chunked is a transfer framing, not the object's encoding: S3 strips
// it from Content-Encoding. A value without it is stored exactly as sent
// ("deflate, gzip" stays so); the codings left after stripping are joined
// with ", ", the list separator of RFC 9110.
std::string WithoutAwsChunked(std::string_view value) {
  std::string out;
  bool stripped = false;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view tok = value.substr(pos, comma - pos);
    while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
    while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
    if (Lower(tok) == "aws-chunked") {
      stripped = true;
    } else if (!tok.empty()) {
      if (!out.empty()) out += ", ";
      out += tok;
    }
    pos = comma + 1;
  }
  return stripped ? out : std::string(value);
}

}  // namespace

Result<StoredHeaders> CollectStoredHeaders(const http::Request& request, S3Error* error) {
  StoredHeaders out;
  size_t meta_bytes = 0;
  for (const http::Header& h : request.headers) {
    std::string name = Lower(h.name);
    if (name == "content-type") {
      out.content_type = h.value;
    } else if (name.starts_with("x-amz-meta-")) {
      std::string key = name.substr(11);
      meta_bytes += key.size() + h.value.size();
      auto [it, inserted] = out.user_meta.emplace(key, h.value);
      if (!inserted) it->second += "," + h.value;  // repeated headers join, as HTTP does
    } else {
      for (std::string_view stored : kStoredHeaders) {
        if (name == stored) {
          std::string v = name == "content-encoding" ? WithoutAwsChunked(h.value) : h.value;
          if (!v.empty()) out.headers[name] = v;
        }
      }
    }
  }
  RETURN_IF_ERROR(WebsiteRedirectOf(request, error).status());
  if (meta_bytes > kMaxUserMetadata) {
    *error = MakeError(S3ErrorCode::kMetadataTooLarge);
    return InvalidArgumentError("metadata too large");
  }
  if (out.content_type.empty()) out.content_type = "binary/octet-stream";
  return out;
}

Result<std::optional<std::string>> WebsiteRedirectOf(const http::Request& request, S3Error* error) {
  std::optional<std::string_view> v = request.FindHeader(kWebsiteRedirectHeader);
  if (!v || v->empty()) return std::optional<std::string>();
  if (!(v->starts_with("/") || v->starts_with("http://") || v->starts_with("https://")) ||
      v->size() > kMaxWebsiteRedirect) {
    *error = MakeError(S3ErrorCode::kInvalidArgument,
                       "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.");
    return InvalidArgumentError("website redirect location");
  }
  return std::optional<std::string>(*v);
}

Result<catalog::TagMap> CollectTags(const http::Request& request, S3Error* error) {
  std::optional<std::string_view> header = request.FindHeader("x-amz-tagging");
  if (!header) return catalog::TagMap();
  return ParseTaggingHeader(*header, error);
}

std::string QuotedEtag(const std::string& etag) { return "\"" + etag + "\""; }

std::vector<http::Header> ObjectResponseHeaders(const catalog::ObjectRecord& record) {
  std::vector<http::Header> h;
  h.push_back({"ETag", QuotedEtag(record.etag)});
  h.push_back({"Last-Modified", HttpDate(record.modified_ms)});
  h.push_back({"Content-Type", record.content_type});
  h.push_back({"Accept-Ranges", "bytes"});
  for (const auto& [name, value] : record.headers) {
    // Canonical capitalisation for the well-known ones.
    std::string n = name;
    bool up = true;
    for (char& c : n) {
      if (up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      up = c == '-';
    }
    h.push_back({n, value});
  }
  for (const auto& [name, value] : record.user_meta) h.push_back({"x-amz-meta-" + name, value});
  if (!record.tags.empty()) h.push_back({"x-amz-tagging-count", std::to_string(record.tags.size())});
  if (record.replication_status != catalog::ReplicationStatus::kNone) {
    h.push_back({"x-amz-replication-status", std::string(catalog::ReplicationStatusName(record.replication_status))});
  }
  if (!record.replica_source_version.empty()) {
    h.push_back({std::string(kReplicaSourceHeader), record.replica_source_version});
  }
  // As S3: the header only for a class other than STANDARD.
  if (!record.storage_class.empty()) h.push_back({"x-amz-storage-class", record.storage_class});
  return h;
}

}  // namespace confiance::s3
