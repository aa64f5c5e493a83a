// File: main/inventory_delivery.cc
#include "main/inventory_delivery.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "common/logging.h"
#include "common/wall_clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "s3/inventory.h"

namespace confiance {
namespace {

// One data file, compressed as its lines arrive (gzip, as S3's reports).
class GzipFile {
 public:
  GzipFile() {
    // 15 + 16: a gzip header and trailer around the deflate stream.
    ok_ = deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipFile() { deflateEnd(&z_); }
  GzipFile(const GzipFile&) = delete;
  GzipFile& operator=(const GzipFile&) = delete;

  Status Append(std::string_view data) { return Deflate(data, Z_NO_FLUSH); }
  // The whole file; no Append after.
  Result<std::string> Finish() {
    RETURN_IF_ERROR(Deflate({}, Z_FINISH));
    return std::move(out_);
  }

 private:
  Status Deflate(std::string_view data, int flush) {
    if (!ok_) return InternalError("zlib: deflateInit2 failed");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());  // a line or a flush: far below 4 GiB
    for (;;) {
      char buf[16384];
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = sizeof buf;
      const int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return InternalError("zlib: deflate failed");
      out_.append(buf, sizeof buf - z_.avail_out);
      if (flush == Z_FINISH ? rc == Z_STREAM_END : z_.avail_out != 0) return OkStatus();
    }
  }

  z_stream z_{};
  bool ok_ = false;
  std::string out_;
};

std::string StateKey(const catalog::BucketRecord& bucket, const s3::xml::InventoryConfiguration& config) {
  return bucket.id + "/" + config.id;
}

}  // namespace

InventoryDelivery::InventoryDelivery(Deps deps)
    : deps_(std::move(deps)),
      lease_(*deps_.store, "inventory",
             meta::WorkerLease::PeriodFor(std::chrono::duration_cast<std::chrono::seconds>(deps_.interval))) {}

InventoryDelivery::~InventoryDelivery() { Stop(); }

void InventoryDelivery::Start() {
  thread_.emplace(deps_.interval, [this] { RunPass(); });
}

void InventoryDelivery::Stop() { thread_.reset(); }

void InventoryDelivery::RunPass() {
  Result<PassStats> pass = RunOnce(UnixMillisNow());
  if (!pass.ok()) {
    spdlog::warn("inventory reports: {}", pass.status().ToString());
  } else if (pass->reports > 0 || pass->failed > 0) {
    spdlog::info("inventory reports: {} written ({} data files, {} lines), {} failed", pass->reports, pass->files,
                 pass->lines, pass->failed);
  }
}

Result<InventoryDelivery::PassStats> InventoryDelivery::RunOnce(uint64_t now_ms) {
  PassStats stats;
  if (!lease_.Hold()) return stats;  // another gateway writes them
  ASSIGN_OR_RETURN(std::vector<catalog::BucketRecord> buckets, deps_.catalog->ListBuckets());
  std::set<std::string> live;  // the state keys of every configuration
  bool every_bucket_read = true;
  for (const catalog::BucketRecord& bucket : buckets) {
    if (bucket.inventory.empty()) continue;
    Result<std::vector<s3::xml::InventoryConfiguration>> configs = s3::DecodeInventory(bucket.inventory);
    if (!configs.ok()) {
      every_bucket_read = false;
      spdlog::error("inventory reports: bucket {}: {}", bucket.name, configs.status().ToString());
      continue;
    }
    for (const s3::xml::InventoryConfiguration& config : *configs) live.insert(StateKey(bucket, config));
    if (bucket.delete_mark) continue;
    for (const s3::xml::InventoryConfiguration& config : *configs) {
      if (!config.enabled) continue;
      std::optional<std::string> last;
      Result<bool> due = Due(bucket, config, now_ms, &last);
      if (!due.ok()) {
        ++stats.failed;
        spdlog::warn("inventory report {} of bucket {}: {}", config.id, bucket.name, due.status().ToString());
        continue;
      }
      if (!*due) continue;
      const std::string state_key = StateKey(bucket, config);
      if (auto it = retry_after_.find(state_key); it != retry_after_.end()) {
        if (now_ms < it->second) continue;
        retry_after_.erase(it);
      }
      if (Status st = Write(bucket, config, now_ms, stats); !st.ok()) {
        ++stats.failed;
        if (deps_.stats != nullptr) deps_.stats->failed_inventory_reports.Add();
        const uint64_t backoff = std::min<uint64_t>(
            static_cast<uint64_t>(deps_.day.count()),
            static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(kInventoryRetryAfter).count()));
        retry_after_[state_key] = now_ms + backoff;
        spdlog::warn("inventory report {} of bucket {} not written (tried again in {} s): {}", config.id, bucket.name,
                     backoff / 1000, st.ToString());
        continue;
      }
      // The report's time, by compare-and-set on the value read: a
      // gateway that wrote the same report meanwhile moved it already.
      meta::Batch batch;
      batch.Expect(state_key, last).Put(state_key, std::to_string(now_ms));
      if (Status st = deps_.store->Apply(std::string(kInventoryPartition), batch);
          !st.ok() && st.code() != StatusCode::kFailedPrecondition) {
        spdlog::warn("inventory report {} of bucket {}: its time not recorded: {}", config.id, bucket.name,
                     st.ToString());
      }
      ++stats.reports;
      if (deps_.stats != nullptr) deps_.stats->inventory_reports.Add();
    }
  }
  // (A bucket whose configurations cannot be read keeps its times.)
  if (every_bucket_read) RETURN_IF_ERROR(ForgetTimesExcept(live));
  return stats;
}

Status InventoryDelivery::ForgetTimesExcept(const std::set<std::string>& live) {
  const std::string partition(kInventoryPartition);
  meta::ScanOptions opt;
  opt.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> page, deps_.store->Scan(partition, opt));
    meta::Batch gone;
    for (const meta::Record& r : page) {
      if (!live.contains(r.key)) gone.Expect(r.key, r.value).Delete(r.key);
    }
    // Compare-and-set: a report recorded meanwhile keeps its time.
    if (!gone.mutations.empty()) {
      if (Status st = deps_.store->Apply(partition, gone); !st.ok() && st.code() != StatusCode::kFailedPrecondition) {
        return st;
      }
    }
    if (page.size() < opt.limit) return OkStatus();
    opt.start = page.back().key;
    opt.start_exclusive = true;
  }
}

Result<bool> InventoryDelivery::Due(const catalog::BucketRecord& bucket, const s3::xml::InventoryConfiguration& config,
                                    uint64_t now_ms, std::optional<std::string>* last) {
  ASSIGN_OR_RETURN(*last, deps_.store->Get(std::string(kInventoryPartition), StateKey(bucket, config)));
  if (!*last) return true;
  uint64_t last_ms = 0;
  const std::string& v = **last;
  if (std::from_chars(v.data(), v.data() + v.size(), last_ms).ec != std::errc()) return true;
  const uint64_t period =
      static_cast<uint64_t>(deps_.day.count()) * (config.frequency == "Weekly" ? uint64_t{7} : uint64_t{1});
  return now_ms >= last_ms + period;
}

Status InventoryDelivery::PutObject(const catalog::BucketRecord& source, const s3::xml::InventoryConfiguration& config,
                                    const std::string& key, const std::string& body, std::string_view content_type) {
  const s3::ServicePrincipal caller{std::string(s3::kInventoryService), "arn:aws:s3:::" + source.name, source.owner};
  std::vector<http::Header> headers = {{"Content-Type", std::string(content_type)},
                                       {"x-amz-acl", "bucket-owner-full-control"}};
  // The configuration's Encryption, as PutObject headers: SSE-S3 is AES256
  // (which overrides a destination's aws:kms default, as the report asks),
  // SSE-KMS names its key.
  if (config.encryption == "SSE-S3") headers.push_back({"x-amz-server-side-encryption", "AES256"});
  if (config.encryption == "SSE-KMS") {
    headers.push_back({"x-amz-server-side-encryption", "aws:kms"});
    headers.push_back({"x-amz-server-side-encryption-aws-kms-key-id", config.kms_key_id});
  }
  std::string error_code;
  ASSIGN_OR_RETURN(int status, deps_.put(caller, config.destination_bucket, key, body, &error_code, headers));
  if (status >= 300) {
    return UnavailableError("the destination bucket " + config.destination_bucket + " answered " +
                            std::to_string(status) + " " + error_code + " to " + key);
  }
  return OkStatus();
}

Status InventoryDelivery::Write(const catalog::BucketRecord& bucket, const s3::xml::InventoryConfiguration& config,
                                uint64_t now_ms, PassStats& stats) {
  const std::string base = s3::InventoryBase(config, bucket.name);
  std::byte rnd[8];
  RETURN_IF_ERROR(crypto::FillRandom(rnd));
  const std::string report_id = crypto::HexEncode(rnd);
  std::vector<s3::InventoryFile> files;
  std::optional<GzipFile> file;
  size_t lines_in_file = 0;
  auto flush = [&]() -> Status {
    if (!file) return OkStatus();
    ASSIGN_OR_RETURN(std::string gz, file->Finish());
    file.reset();
    s3::InventoryFile f;
    f.key = base + "data/" + report_id + "-" + std::to_string(files.size()) + ".csv.gz";
    f.size = gz.size();
    f.md5_hex = crypto::DigestHex(crypto::Md5Digest(gz));
    RETURN_IF_ERROR(PutObject(bucket, config, f.key, gz, "application/x-gzip"));
    files.push_back(std::move(f));
    ++stats.files;
    lines_in_file = 0;
    return OkStatus();
  };
  iam::acl::CanonicalUser owner;
  if (deps_.owner_of) {
    ASSIGN_OR_RETURN(owner, deps_.owner_of(bucket.owner));
  }
  auto add = [&](const std::string& key, const catalog::ObjectRecord& record, bool is_latest) -> Status {
    if (!file) file.emplace();
    RETURN_IF_ERROR(file->Append(s3::InventoryCsvLine(config, bucket.name, key, record, is_latest, owner)));
    ++stats.lines;
    if (++lines_in_file >= deps_.lines_per_file) RETURN_IF_ERROR(flush());
    return OkStatus();
  };
  const std::string prefix = config.filter_prefix.value_or("");
  if (config.included_versions == "All") {
    catalog::ListVersionsOptions opt;
    opt.prefix = prefix;
    for (;;) {
      ASSIGN_OR_RETURN(catalog::VersionsPage page, deps_.catalog->ListObjectVersions(bucket, opt));
      for (const catalog::ListedVersion& v : page.versions) RETURN_IF_ERROR(add(v.key, v.record, v.is_latest));
      if (!page.truncated) break;
      opt.key_marker = page.next_key_marker;
      opt.version_id_marker = page.next_version_id_marker;
    }
  } else {
    catalog::ListOptions opt;
    opt.prefix = prefix;
    for (;;) {
      ASSIGN_OR_RETURN(catalog::ListPage page, deps_.catalog->ListObjects(bucket, opt));
      for (const catalog::ListedObject& o : page.objects) RETURN_IF_ERROR(add(o.key, o.record, true));
      if (!page.truncated) break;
      opt.start_after = page.last_returned;
    }
  }
  RETURN_IF_ERROR(flush());
  const std::string dir = base + s3::InventoryStamp(now_ms) + "/";
  const std::string manifest = s3::InventoryManifest(config, bucket.name, now_ms, files);
  RETURN_IF_ERROR(PutObject(bucket, config, dir + "manifest.json", manifest, "application/json"));
  RETURN_IF_ERROR(PutObject(bucket, config, dir + "manifest.checksum", crypto::DigestHex(crypto::Md5Digest(manifest)),
                            "text/plain"));
  // Last, as S3 does it: a Hive table over the reports gains this
  // partition only once the report is whole.
  RETURN_IF_ERROR(PutObject(bucket, config, s3::InventoryHiveKey(config, bucket.name, now_ms),
                            s3::InventorySymlink(config, files), "text/plain"));
  return OkStatus();
}

}  // namespace confiance
