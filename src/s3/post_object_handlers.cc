// File: s3/post_object_handlers.cc
// PostObject: the browser form upload (POST /bucket with a
// multipart/form-data body), as AWS documents it in "Browser-Based Uploads
// Using POST". The form authenticates itself: a policy document signed with
// SigV4 (x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature)
// or, for older clients, Signature V2 (AWSAccessKeyId, signature); a form
// with neither is anonymous. Fields before the `file` part are collected
// (at most kMaxFieldBytes), the file is streamed into the object as it
// arrives, and fields after it are ignored, as S3 does.
//
// The form's fields become the headers of an equivalent PutObject request,
// so that metadata, Content-Type, ACL and storage class go through the same
// code as PutObject (object_headers.h, AclFromRequestHeaders) and the
// authorizer sees s3:x-amz-acl like on a PUT.
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "catalog/object_data.h"
#include "catalog/version_id.h"
#include "common/ascii.h"
#include "common/await_callback.h"
#include "common/logging.h"
#include "crypto/checksum.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "iam/acl/acl_format.h"
#include "s3/form_data.h"
#include "s3/object_headers.h"
#include "s3/post_policy.h"
#include "s3/quota.h"
#include "s3/s3_context.h"
#include "s3/sigv4/auth_parse.h"
#include "s3/sigv4/canonical.h"
#include "s3/sigv4/signature.h"
#include "s3/sigv4/sigv2.h"
#include "s3/tagging.h"
#include "s3/xml/tagging_xml.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

// S3 refuses a form whose fields before the file exceed 20 KiB
// (MaxPostPreDataLengthExceeded); names and values count.
constexpr size_t kMaxFieldBytes = 20 * 1024;

S3Error MissingField(std::string_view name) {
  return MakeError(S3ErrorCode::kInvalidArgument,
                   fmt::format("Bucket POST must contain a field named '{}'.  If it is specified, please check the "
                               "order of the fields.",
                               name));
}

// Form fields that are request headers on the equivalent PutObject.
bool IsHeaderField(std::string_view name) {
  return name == "content-type" || name == "cache-control" || name == "content-disposition" ||
         name == "content-encoding" || name == "content-language" || name == "expires" ||
         name.starts_with("x-amz-meta-") || name == "x-amz-storage-class" ||
         name.starts_with("x-amz-server-side-encryption");
}

// The PutObject request the form stands for: the POST's connection facts
// and the few headers policies may test (Host, Referer, User-Agent), plus
// the form's header fields. Headers of the POST itself are not object
// settings: S3 takes those from the form only.
http::Request PutRequestFromForm(const http::Request& post, const PostFields& fields) {
  http::Request r;
  r.method = "POST";
  r.target = post.target;
  r.remote_address = post.remote_address;
  r.content_length = post.content_length;
  for (const http::Header& h : post.headers) {
    if (EqualsIgnoreCase(h.name, "host") || EqualsIgnoreCase(h.name, "referer") ||
        EqualsIgnoreCase(h.name, "user-agent") || EqualsIgnoreCase(h.name, "origin")) {
      r.headers.push_back(h);
    }
  }
  for (const auto& [name, value] : fields) {
    if (name == "acl") {
      r.headers.push_back({"x-amz-acl", value});
    } else if (IsHeaderField(name)) {
      r.headers.push_back({name, value});
    }
  }
  return r;
}

// The form's copy of an SSE-C key (x-amz-server-side-encryption-customer-
// key), once parsed: overwritten, as WipeCustomerKeyHeaders does for headers.
// The policy check has read it already (a policy may name the field).
void WipeCustomerKeyFields(PostFields& fields) {
  auto it = fields.find("x-amz-server-side-encryption-customer-key");
  if (it == fields.end() || it->second.empty()) return;
  OPENSSL_cleanse(it->second.data(), it->second.size());
  it->second.clear();
}

std::string SubstituteFilename(std::string_view key, std::string_view filename) {
  static constexpr std::string_view kVar = "${filename}";
  std::string out;
  size_t pos = 0;
  for (size_t at; (at = key.find(kVar, pos)) != std::string_view::npos; pos = at + kVar.size()) {
    out.append(key.substr(pos, at - pos)).append(filename);
  }
  out.append(key.substr(pos));
  return out;
}

// The object's URL as the client addressed the bucket (path or virtual-host
// style). Confiance serves plain HTTP (TLS terminates in front).
std::string ObjectUrl(const http::Request& req, const Route& route, std::string_view key) {
  std::string host(req.FindHeader("host").value_or("localhost"));
  const bool vhost = route.raw_path == "/" || !route.raw_path.starts_with("/" + route.bucket);
  return "http://" + host + (vhost ? "" : "/" + sigv4::UriEncode(route.bucket, false)) + "/" +
         sigv4::UriEncode(key, true);
}

// The file's x-amz-checksum-<algorithm> field, if any (any of S3's five
// algorithms): the file must hash to it, as a PutObject body must match its
// checksum header.
class FileChecksum {
 public:
  // nullopt without a checksum field; on a malformed one (or several) sets
  // *error (InvalidRequest) and returns InvalidArgument.
  static Result<std::optional<FileChecksum>> FromFields(const PostFields& fields, S3Error* error) {
    std::optional<FileChecksum> out;
    constexpr std::string_view kPrefix = "x-amz-checksum-";
    for (const auto& [name, value] : fields) {
      if (!name.starts_with(kPrefix) || name == "x-amz-checksum-algorithm") continue;
      if (out) {
        *error = MakeError(S3ErrorCode::kInvalidRequest, "Expecting a single x-amz-checksum- header");
        return InvalidArgumentError("several checksums");
      }
      std::optional<crypto::ChecksumAlgorithm> algorithm =
          crypto::ParseChecksumAlgorithm(std::string_view(name).substr(kPrefix.size()));
      if (!algorithm) {
        *error = MakeError(S3ErrorCode::kInvalidRequest, "Value for " + name + " header is invalid.");
        return InvalidArgumentError("unknown checksum");
      }
      Result<std::string> raw = crypto::Base64Decode(value);
      if (!raw.ok() || raw->size() != crypto::ChecksumSize(*algorithm)) {
        *error = MakeError(S3ErrorCode::kInvalidRequest, "Value for " + name + " header is invalid.");
        return InvalidArgumentError("bad checksum");
      }
      out.emplace(FileChecksum(*algorithm, std::move(raw).value()));
    }
    return out;
  }

  void Update(std::string_view data) { checksummer_.Update(data); }

  // BadDigest unless the file hashed to the expected value.
  std::optional<S3Error> Verify() {
    if (crypto::ConstantTimeEqual(checksummer_.Finish(), expected_)) return std::nullopt;
    return MakeError(S3ErrorCode::kBadDigest, "The " + std::string(crypto::ChecksumName(checksummer_.algorithm())) +
                                                  " you specified did not match the calculated checksum.");
  }

 private:
  FileChecksum(crypto::ChecksumAlgorithm algorithm, std::string expected)
      : checksummer_(algorithm), expected_(std::move(expected)) {}

  crypto::Checksummer checksummer_;
  std::string expected_;  // raw checksum bytes
};

// The next event of the form, reading the body as the parser asks.
asio::awaitable<Result<FormDataParser::Event>> NextFormEvent(http::BodyReader& body, FormDataParser& parser,
                                                             S3Error* error) {
  for (;;) {
    Result<FormDataParser::Event> ev = parser.Next();
    if (!ev.ok()) {
      *error = MakeError(S3ErrorCode::kMalformedPOSTRequest);
      co_return ev.status();
    }
    if (*ev != FormDataParser::Event::kNeedInput) co_return ev;
    std::span<char> space = parser.InputSpace();
    Result<size_t> n = co_await body.Read(std::as_writable_bytes(space));
    if (!n.ok()) {
      *error = n.status().code() == StatusCode::kDeadlineExceeded ? MakeError(S3ErrorCode::kRequestTimeout)
                                                                   : MakeError(S3ErrorCode::kIncompleteBody);
      co_return n.status();
    }
    if (*n == 0) {
      parser.CloseInput();
    } else {
      parser.Commit(*n);
    }
  }
}

// The form's policy, checked against its fields; an anonymous form has none
// (and then no bounds on the file's size).
Result<PostPolicy> CheckFormPolicy(const PostFields& fields, S3Error* error) {
  auto it = fields.find("policy");
  if (it == fields.end()) return PostPolicy{};
  Result<std::string> json = crypto::Base64Decode(it->second);
  if (!json.ok()) {
    *error = MakeError(S3ErrorCode::kInvalidPolicyDocument, "Invalid Policy: Invalid 'Base64' encoding.");
    return json.status();
  }
  Result<PostPolicy> policy = ParsePostPolicy(*json);
  if (!policy.ok()) {
    *error = MakeError(S3ErrorCode::kInvalidPolicyDocument, std::string(policy.status().message()));
    return policy.status();
  }
  if (std::optional<std::string> refused = CheckPostPolicy(*policy, fields, std::chrono::system_clock::now())) {
    *error = MakeError(S3ErrorCode::kAccessDenied, *refused);
    return PermissionDeniedError("policy");
  }
  return policy;
}

}  // namespace

std::optional<S3Error> S3Service::AuthenticateForm(Ctx& ctx, const PostFields& fields) {
  auto field = [&](std::string_view name) -> const std::string* {
    auto it = fields.find(std::string(name));
    return it == fields.end() ? nullptr : &it->second;
  };
  const bool v4 = field("x-amz-signature") || field("x-amz-credential") || field("x-amz-algorithm");
  const bool v2 = field("awsaccesskeyid") || field("signature");
  const std::string* policy_b64 = field("policy");
  if (!v4 && !v2 && !policy_b64) {
    ctx.requester.anonymous = true;
    return std::nullopt;
  }
  if (!policy_b64) return MissingField("policy");

  Result<iam::Credential> credential = NotFoundError("unset");
  // Temporary credentials name their token in a form field (which the
  // policy's conditions must then cover, as every field: S3's rule).
  const std::string* token = field("x-amz-security-token");
  auto lookup = [&](const std::string& access_key) -> Result<iam::Credential> {
    if (token == nullptr) return deps_.credentials.Lookup(access_key);
    if (deps_.sessions == nullptr) return PermissionDeniedError("temporary credentials are off");
    return deps_.sessions->Lookup(access_key, *token, UnixMillisNow());
  };
  std::string expected, given;
  if (v4) {
    for (const char* name : {"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"}) {
      if (!field(name)) return MissingField(name);
    }
    if (*field("x-amz-algorithm") != sigv4::kAlgorithm) {
      return MakeError(S3ErrorCode::kInvalidArgument, "Only AWS4-HMAC-SHA256 is supported as x-amz-algorithm.");
    }
    Result<sigv4::Credential> cred =
        sigv4::ParseCredential(*field("x-amz-credential"), sigv4::ErrorKind::kAuthorizationQueryMalformed);
    if (!cred.ok()) {
      return MakeError(S3ErrorCode::kInvalidArgument, "Invalid x-amz-credential: " + std::string(cred.status().message()));
    }
    if (cred->scope.region != options_.region) {
      return MakeError(S3ErrorCode::kInvalidArgument,
                       fmt::format("the region '{}' is wrong; expecting '{}'", cred->scope.region, options_.region));
    }
    const std::string& amz_date = *field("x-amz-date");
    if (!sigv4::ParseAmzDate(amz_date).ok() || amz_date.substr(0, 8) != cred->scope.date) {
      return MakeError(S3ErrorCode::kInvalidArgument,
                       "x-amz-date must be YYYYMMDDTHHMMSSZ on the day of the x-amz-credential scope.");
    }
    credential = lookup(cred->access_key);
    if (credential.ok()) {
      std::string_view secret(reinterpret_cast<const char*>(credential->secret->data()), credential->secret->size());
      expected = sigv4::SignatureHex(sigv4::DeriveSigningKey(secret, cred->scope), *policy_b64);
      given = ToLower(*field("x-amz-signature"));
    }
  } else {
    if (!field("awsaccesskeyid")) return MissingField("AWSAccessKeyId");
    if (!field("signature")) return MissingField("Signature");
    credential = lookup(*field("awsaccesskeyid"));
    if (credential.ok()) {
      std::string_view secret(reinterpret_cast<const char*>(credential->secret->data()), credential->secret->size());
      expected = sigv2::Sign(secret, *policy_b64);  // the policy is the string to sign
      given = *field("signature");
    }
  }
  if (!credential.ok()) {
    if (token != nullptr) return SessionTokenError(credential.status());
    return credential.status().code() == StatusCode::kNotFound ? MakeError(S3ErrorCode::kInvalidAccessKeyId)
                                                               : ErrorFromStatus(credential.status());
  }
  if (!crypto::ConstantTimeEqual(expected, given)) return MakeError(S3ErrorCode::kSignatureDoesNotMatch);
  Authenticated auth;
  auth.principal = credential->principal;
  auth.sigv2 = !v4;
  if (std::optional<S3Error> refused = BindRequester(ctx, std::move(auth))) return refused;
  ctx.requester.auth_type = "POST";
  return std::nullopt;
}

asio::awaitable<Status> S3Service::WriteToSegment(catalog::SegmentWriter& writer, std::span<const std::byte> chunk) {
  // Small objects stay in memory (no blocking I/O on the network thread).
  if (writer.spilled() || writer.plain_size() + chunk.size() > options_.inline_limit) {
    Status st = co_await deps_.pool.Run([&] { return writer.Write(chunk, &deps_.pool); });
    co_return st;
  }
  co_return writer.Write(chunk);
}

asio::awaitable<S3Service::Reply> S3Service::PostObject(Ctx& ctx) {
  using Event = FormDataParser::Event;
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  std::optional<std::string> boundary;
  if (std::optional<std::string_view> type = ctx.req.FindHeader("content-type")) {
    boundary = FormDataParser::BoundaryOf(*type);
  }
  if (!boundary) {
    S3Error e = MakeError(S3ErrorCode::kPreconditionFailed);
    e.details.emplace_back("Condition", "Bucket POST must be of the enclosure-type multipart/form-data");
    co_return e;
  }
  Result<catalog::BucketRecord> bucket = NamedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;

  // 1. The fields before the file.
  auto parser = std::make_unique<FormDataParser>(*boundary);
  PostFields fields;
  std::string filename;
  size_t field_bytes = 0;
  std::string name, value;
  for (bool file = false; !file;) {
    Result<Event> ev = co_await NextFormEvent(ctx.body, *parser, &error);
    if (!ev.ok()) co_return error;
    if (*ev == Event::kPartBegin) {
      name = ToLower(parser->part().name);
      value.clear();
      field_bytes += name.size();
      file = name == "file";
      if (file) filename = parser->part().filename.value_or("");
    } else if (*ev == Event::kData) {
      value.append(parser->data());
      field_bytes += parser->data().size();
    } else if (*ev == Event::kPartEnd) {
      fields.emplace(name, value);  // a repeated field keeps its first value
    } else if (*ev == Event::kEnd) {
      co_return MakeError(S3ErrorCode::kIncorrectNumberOfFilesInPostRequest);
    }
    if (field_bytes > kMaxFieldBytes) co_return MakeError(S3ErrorCode::kMaxPostPreDataLengthExceeded);
  }

  // 2. Who asks, what the policy allows, and whether the principal may
  // write the key. Conditions see the final key and the addressed bucket.
  auto key_field = fields.find("key");
  if (key_field == fields.end()) co_return MissingField("key");
  key_field->second = SubstituteFilename(key_field->second, filename);
  const std::string key = key_field->second;
  if (key.empty()) co_return MakeError(S3ErrorCode::kInvalidArgument, "User key must have a length greater than 0.");
  if (std::optional<S3Error> bad = CheckNewKey(key)) co_return *bad;
  fields.insert_or_assign("bucket", ctx.route.bucket);
  if (std::optional<S3Error> refused = AuthenticateForm(ctx, fields)) co_return *refused;
  Result<PostPolicy> policy = CheckFormPolicy(fields, &error);
  if (!policy.ok()) co_return error;

  // The tagging field is a Tagging document; the authorizer reads request
  // tags (s3:RequestObjectTag/<key>) from the header form of PutObject.
  catalog::TagMap tags;
  if (auto tagging = fields.find("tagging"); tagging != fields.end()) {
    Result<TagList> listed = xml::ParseTagging(tagging->second);
    if (!listed.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
    Result<catalog::TagMap> valid = ValidateTags(*listed, TagScope::kObject, &error);
    if (!valid.ok()) co_return error;
    tags = std::move(valid).value();
  }
  http::Request put_request = PutRequestFromForm(ctx.req, fields);
  // Encryption fields are checked as PutObject's headers (an SSE-C key
  // field makes an SSE-C object); the raw key then lives only in
  // ctx.sse.customer. Their errors come after authorization, as on a PUT.
  std::optional<S3Error> sse_refused =
      ParseRequestSse(put_request, true, false, options_.sse_c_allow_http, &ctx.sse);
  WipeCustomerKeyHeaders(put_request);
  WipeCustomerKeyFields(fields);
  if (!tags.empty()) {
    std::string header;
    for (const auto& [k, v] : tags) {
      header += (header.empty() ? "" : "&") + sigv4::UriEncode(k, false) + "=" + sigv4::UriEncode(v, false);
    }
    put_request.headers.push_back({"x-amz-tagging", header});
  }
  // The request's log entry names the key the form writes (the route
  // had none: it is a form field).
  ctx.route.key = key;
  Ctx put{put_request, ctx.body, ctx.resp};
  put.request_id = ctx.request_id;
  put.route = ctx.route;
  put.resource = "/" + ctx.route.bucket + "/" + key;
  put.requester = ctx.requester;  // points into ctx, which outlives put
  put.extra_headers = ctx.extra_headers;
  if (std::optional<S3Error> denied = AuthorizeAccess(put, "s3:PutObject", *bucket, key)) co_return *denied;
  if (sse_refused) co_return *sse_refused;

  std::optional<std::string_view> asked_class;
  if (auto sc = fields.find("x-amz-storage-class"); sc != fields.end()) asked_class = sc->second;
  Result<std::string> storage_class = WriteStorageClass(asked_class, &error);
  if (!storage_class.ok()) co_return error;
  Result<StoredHeaders> stored = CollectStoredHeaders(put_request, &error);
  if (!stored.ok()) co_return error;
  Result<std::optional<iam::acl::Acl>> acl = AclFromRequestHeaders(put, *bucket, true, &error);
  if (!acl.ok()) co_return error;
  // The form's length bounds the file's: a conservative quota check.
  if (std::optional<S3Error> over =
          CheckPutQuota(deps_.catalog, deps_.directory, *bucket, key, DeclaredBodySize(ctx.req))) {
    co_return *over;
  }

  // 3. The file, streamed into a new segment.
  Result<std::optional<FileChecksum>> checksum = FileChecksum::FromFields(fields, &error);
  if (!checksum.ok()) co_return error;
  const uint64_t max_size = std::min(policy->max_length.value_or(UINT64_MAX), options_.max_object_size);
  Result<CustomerKeyCheck> key_check = NewCustomerKeyCheck(ctx.sse.customer);
  if (!key_check.ok()) co_return ErrorFromStatus(key_check.status());
  Result<catalog::SseKms> kms = co_await ResolveSseKms(ctx, *bucket, &error);
  if (!kms.ok()) co_return error;
  Result<std::shared_ptr<const crypto::SecretBytes>> kek = co_await DataKekAsync(ctx, *bucket, ctx.sse.customer, key_check->salt, *kms);
  if (!kek.ok()) co_return ErrorFromStatus(kek.status());
  Result<WriteTarget> target = PlaceWrite(*bucket, *storage_class, &error);
  if (!target.ok()) co_return error;
  Result<std::unique_ptr<catalog::SegmentWriter>> created =
      catalog::SegmentWriter::Create(*target->blobs, **kek, bucket->id, target->inline_limit, bucket->key_version);
  if (!created.ok()) co_return ErrorFromStatus(created.status());
  std::unique_ptr<catalog::SegmentWriter> writer = std::move(created).value();
  BufferPool::Lease lease = buffers_.Get();
  std::span<std::byte> buf = lease.span();
  size_t filled = 0;
  uint64_t total = 0;
  for (;;) {
    Result<Event> ev = co_await NextFormEvent(ctx.body, *parser, &error);
    if (!ev.ok()) co_return error;
    if (*ev == Event::kPartEnd) break;
    if (*ev != Event::kData) co_return MakeError(S3ErrorCode::kMalformedPOSTRequest);
    std::string_view data = parser->data();
    if (*checksum) (*checksum)->Update(data);
    total += data.size();
    if (total > max_size) {
      S3Error e = MakeError(S3ErrorCode::kEntityTooLarge);
      e.details.emplace_back("MaxSizeAllowed", std::to_string(max_size));
      co_return e;
    }
    while (!data.empty()) {
      size_t n = std::min(data.size(), buf.size() - filled);
      std::memcpy(buf.data() + filled, data.data(), n);
      filled += n;
      data.remove_prefix(n);
      if (filled < buf.size()) continue;
      std::span<const std::byte> chunk = buf.first(filled);
      Status st = co_await WriteToSegment(*writer, chunk);
      if (!st.ok()) {
        spdlog::error("request {}: storing POST file failed: {}", ctx.request_id, st.ToString());
        co_return ErrorFromStatus(st);
      }
      filled = 0;
    }
  }
  if (total < policy->min_length.value_or(0)) {
    S3Error e = MakeError(S3ErrorCode::kEntityTooSmall);
    e.details.emplace_back("ProposedSize", std::to_string(total));
    e.details.emplace_back("MinSizeAllowed", std::to_string(*policy->min_length));
    co_return e;
  }
  if (*checksum) {
    if (std::optional<S3Error> mismatch = (*checksum)->Verify()) co_return *mismatch;
  }
  if (filled > 0) {
    std::span<const std::byte> chunk = buf.first(filled);
    Status st = co_await WriteToSegment(*writer, chunk);
    if (!st.ok()) {
      spdlog::error("request {}: storing POST file failed: {}", ctx.request_id, st.ToString());
      co_return ErrorFromStatus(st);
    }
  }
  Result<catalog::Segment> segment = co_await FinishSegment(*writer);
  if (!segment.ok()) {
    spdlog::error("request {}: committing POST file failed: {}", ctx.request_id, segment.status().ToString());
    co_return ErrorFromStatus(segment.status());
  }

  // 4. The commit, as PutObject's.
  catalog::ObjectRecord rec;
  rec.size = segment->plain_size;
  rec.etag = writer->md5_hex();
  rec.modified_ms = UnixMillisNow();
  rec.content_type = std::move(stored->content_type);
  rec.headers = std::move(stored->headers);
  rec.user_meta = std::move(stored->user_meta);
  rec.tags = std::move(tags);
  if (*acl) rec.acl = iam::acl::EncodeAcl(**acl);
  rec.sse_c_salt = std::move(key_check->salt);
  rec.sse_c_verifier = std::move(key_check->verifier);
  rec.kms = std::move(kms).value();
  rec.storage_class = catalog::StoredStorageClass(*storage_class);
  rec.segments.push_back(std::move(segment).value());
  rec.op_tag = catalog::NewOpTag();
  // Form fields for Object Lock are not read: the bucket's default
  // retention applies, as to any new version.
  ApplyLock(LockRequest{}, *bucket, rec.modified_ms, rec);
  catalog::StampVersion(*bucket, rec);
  StampReplication(*bucket, key, /*replica_of=*/std::nullopt, options_.replication_destinations, rec);
  catalog::Catalog::PutCondition unconditional;
  using PutResult = Result<std::optional<catalog::ObjectRecord>>;
  PutResult replaced = co_await AwaitCallback<PutResult>([&](std::function<void(PutResult)> done) {
    deps_.catalog.PutObjectIfAsync(*bucket, key, rec, unconditional, std::move(done));
  });
  if (!replaced.ok()) {
    co_await AfterFailedCommit(ctx, replaced.status(), rec.segments);
    co_return ErrorFromStatus(replaced.status());
  }

  // 5. The answer the form asked for.
  if (bucket->versioned()) {
    std::vector<http::Header> version;
    if (!rec.null_version) AddVersionHeader(version, *bucket, rec);  // S3: none for a suspended write
    ctx.version_id = catalog::ExternalVersionId(rec);
    ctx.extra_headers->Add(std::move(version));
  }
  ctx.written = Ctx::Written{rec.etag, rec.size};
  const std::string etag = QuotedEtag(rec.etag);
  const std::string location = ObjectUrl(ctx.req, ctx.route, key);
  auto field = [&](const char* n) {
    auto it = fields.find(n);
    return it == fields.end() ? std::string() : it->second;
  };
  std::string redirect = field("success_action_redirect");
  if (redirect.empty()) redirect = field("redirect");
  const std::string status = field("success_action_status");
  if (redirect.starts_with("http://") || redirect.starts_with("https://")) {
    std::string url = redirect + (redirect.find('?') == std::string::npos ? "?" : "&");
    url += "bucket=" + sigv4::UriEncode(ctx.route.bucket, false) + "&key=" + sigv4::UriEncode(key, false) +
           "&etag=" + sigv4::UriEncode(etag, false);
    std::vector<http::Header> hdrs = Headers(http::Header{"Location", url}, http::Header{"ETag", etag});
    co_await SendEmpty(ctx, 303, hdrs);
  } else if (status == "201") {
    xml::XmlWriter w;
    w.Open("PostResponse").Element("Location", location).Element("Bucket", ctx.route.bucket);
    w.Element("Key", key).Element("ETag", etag);
    std::string doc = w.Finish();
    std::vector<http::Header> hdrs =
        Headers(http::Header{"Content-Type", "application/xml"}, http::Header{"ETag", etag},
                http::Header{"Location", location}, http::Header{"x-amz-request-id", ctx.request_id});
    AddSseResponseHeaders(hdrs, rec.sse_c(), ctx.sse.customer, rec.kms, /*with_context=*/true);
    (void)co_await ctx.resp.Send(201, hdrs, doc);
  } else {
    std::vector<http::Header> hdrs = Headers(http::Header{"ETag", etag}, http::Header{"Location", location});
    AddSseResponseHeaders(hdrs, rec.sse_c(), ctx.sse.customer, rec.kms, /*with_context=*/true);
    co_await SendEmpty(ctx, status == "200" ? 200 : 204, hdrs);
  }
  if (*replaced) co_await ReleaseReplaced(*bucket, key, **replaced);
  co_return std::nullopt;
}

}  // namespace confiance::s3
