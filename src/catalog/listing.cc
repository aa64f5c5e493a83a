// File: catalog/listing.cc
// Bucket listings: an ordered walk over the bucket's index shards, merged in
// key order, rolling keys up into common prefixes at the delimiter. A rolled
// up prefix is skipped in one seek (to its successor), so a listing never
// walks the keys under a common prefix.
#include <algorithm>

#include "catalog/catalog.h"
#include "catalog/version_id.h"
#include "meta/counters.h"

namespace confiance::catalog {
namespace {

// Moves a scan from the start of an object partition past the usage
// counters and the fences, which are not entries.
void SkipReservedKeys(meta::ScanOptions& options) {
  if (options.start > kLastReservedKey) return;
  options.start = std::string(kLastReservedKey);
  options.start_exclusive = true;
}

}  // namespace

Result<std::vector<meta::Record>> Catalog::MergedScan(const BucketRecord& bucket,
                                                      const meta::ScanOptions& requested) {
  meta::ScanOptions options = requested;
  SkipReservedKeys(options);
  if (bucket.index_shards <= 1) {
    return store_.Scan(ShardPartition(bucket, 0), options);
  }
  // Each shard's first `limit` records contain the merged first `limit`.
  std::vector<meta::Record> merged;
  for (uint32_t i = 0; i < bucket.index_shards; ++i) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(ShardPartition(bucket, i), options));
    for (auto& r : recs) merged.push_back(std::move(r));
  }
  std::sort(merged.begin(), merged.end(),
            [](const meta::Record& a, const meta::Record& b) { return a.key < b.key; });
  if (merged.size() > options.limit) merged.resize(options.limit);
  return merged;
}

Status Catalog::MergedScanEach(const BucketRecord& bucket, const meta::ScanOptions& requested,
                              const meta::MetaStore::ScanVisitor& visit) {
  if (bucket.index_shards <= 1) {
    meta::ScanOptions options = requested;
    SkipReservedKeys(options);
    return store_.ScanEach(ShardPartition(bucket, 0), options, visit);
  }
  ASSIGN_OR_RETURN(std::vector<meta::Record> records, MergedScan(bucket, requested));
  for (const meta::Record& r : records) {
    if (!visit(r.key, r.value)) break;
  }
  return OkStatus();
}

namespace {

// A listed record as each kind of page holds it.
Status AppendEntry(std::string_view key, std::string_view value, const ObjectSummary&,
                   std::vector<ListedObject>& out) {
  ASSIGN_OR_RETURN(ObjectRecord record, DecodeObject(value, false));
  out.push_back(ListedObject{std::string(key), std::move(record)});
  return OkStatus();
}

Status AppendEntry(std::string_view key, std::string_view, const ObjectSummary& summary,
                   std::vector<ListedSummary>& out) {
  const bool full_object = !summary.checksum.empty() && IsFullObjectChecksum(summary.checksum);
  out.push_back(ListedSummary{std::string(key), std::string(summary.etag), std::string(summary.checksum_algorithm),
                              full_object, summary.size, summary.modified_ms, std::string(summary.storage_class)});
  return OkStatus();
}

}  // namespace

Result<ListPage> Catalog::ListObjects(const BucketRecord& bucket, const ListOptions& options) {
  return ListCurrentAs<ListedObject>(bucket, options, /*with_markers=*/false);
}

Result<SummaryPage> Catalog::ListObjectSummaries(const BucketRecord& bucket, const ListOptions& options) {
  return ListCurrentAs<ListedSummary>(bucket, options, /*with_markers=*/false);
}

Result<ListPage> Catalog::ListCurrent(const BucketRecord& bucket, const ListOptions& options, bool with_markers) {
  return ListCurrentAs<ListedObject>(bucket, options, with_markers);
}

template <class Entry>
Result<BasicListPage<Entry>> Catalog::ListCurrentAs(const BucketRecord& bucket, const ListOptions& options,
                                                    bool with_markers) {
  BasicListPage<Entry> page;
  if (options.max_keys == 0) return page;

  meta::ScanOptions scan;
  scan.start = options.prefix;
  scan.start_exclusive = false;
  if (!options.start_after.empty() && options.start_after >= options.prefix) {
    scan.start = options.start_after;
    scan.start_exclusive = true;
  }
  // Noncurrent versions (and the usage counters) sort before every S3 key:
  // one seek past them, never a walk through them.
  // compare(), not `<`: clang 14 cannot rewrite string < string_view
  // through libstdc++ 12's operator<=> (the fuzzing build, scripts/fuzz.sh).
  if (scan.start.compare(kFirstCurrentKey) < 0) {
    scan.start = std::string(kFirstCurrentKey);
    scan.start_exclusive = false;
  }
  scan.end = PrefixSuccessor(options.prefix);
  if (!scan.end.empty() && scan.start >= scan.end) return page;

  page.objects.reserve(std::min<size_t>(options.max_keys, 1000));
  size_t count = 0;
  for (;;) {
    // One more than still wanted, to learn whether the listing is truncated.
    scan.limit = std::clamp<size_t>(options.max_keys - count + 1, 2, 1001);
    // The visitor moves `scan` on; the store scans with this batch's copy.
    const meta::ScanOptions batch = scan;
    size_t seen = 0;
    bool reseek = false, finished = false;
    // Whether the batch's last listed entry, and the last entry that moved
    // `scan` on, is page.objects.back(): its key is copied once after the
    // batch rather than twice per key.
    bool returned_object_last = false, start_after_object = false;
    Status failure;
    auto visit = [&](std::string_view key, std::string_view value) -> bool {
      ++seen;
      Result<ObjectSummary> summary = DecodeObjectSummary(value);
      if (!summary.ok()) {
        failure = summary.status();
        return false;
      }
      if (summary->delete_marker && !with_markers) {
        // A deleted key: not listed, and not enough to show its prefix.
        scan.start.assign(key);
        scan.start_exclusive = true;
        start_after_object = false;
        return true;
      }
      if (std::optional<std::string> cp = CommonPrefix(key, options.prefix, options.delimiter)) {
        scan.start = PrefixSuccessor(*cp);
        scan.start_exclusive = false;
        start_after_object = false;
        reseek = true;
        // A prefix at or before the marker was returned by an earlier page
        // (V2 continuation tokens and V1 markers may name a prefix).
        if (!options.start_after.empty() && *cp <= options.start_after) return false;
        if (count == options.max_keys) {
          page.truncated = true;
          finished = true;
          return false;
        }
        page.common_prefixes.push_back(*cp);
        page.last_returned = std::move(*cp);
        page.last_was_prefix = true;
        returned_object_last = false;
        ++count;
        return false;
      }
      if (count == options.max_keys) {
        page.truncated = true;
        finished = true;
        return false;
      }
      failure = AppendEntry(key, value, *summary, page.objects);
      if (!failure.ok()) return false;
      page.last_was_prefix = false;
      ++count;
      returned_object_last = start_after_object = true;
      return true;
    };
    RETURN_IF_ERROR(MergedScanEach(bucket, batch, visit));
    if (returned_object_last) page.last_returned = page.objects.back().key;
    if (start_after_object) {
      scan.start = page.objects.back().key;
      scan.start_exclusive = true;
    }
    RETURN_IF_ERROR(failure);
    if (finished || seen == 0) return page;
    if (reseek) {
      if (scan.start.empty() || (!scan.end.empty() && scan.start >= scan.end)) return page;
      continue;
    }
    if (seen < batch.limit) return page;
  }
}

Result<Usage> Catalog::BucketUsage(const BucketRecord& bucket) {
  Usage total;
  for (uint32_t i = 0; i < std::max<uint32_t>(bucket.index_shards, 1); ++i) {
    ASSIGN_OR_RETURN(std::optional<std::string> raw, store_.Get(ShardPartition(bucket, i), kUsageKey));
    if (!raw) continue;
    ASSIGN_OR_RETURN(std::vector<int64_t> c, meta::DecodeCounters(*raw));
    if (c.size() > 0) total.bytes += c[0];
    if (c.size() > 1) total.objects += c[1];
  }
  return total;
}

Result<Usage> Catalog::RecountBucketUsage(const BucketRecord& bucket) {
  // Every entry: current objects and noncurrent versions (delete markers
  // hold no bytes and are no objects), as the counters count them.
  Usage total;
  meta::ScanOptions opt;
  opt.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, MergedScan(bucket, opt));
    for (const meta::Record& r : recs) {
      ASSIGN_OR_RETURN(ObjectRecord o, DecodeObject(r.value, false));
      if (o.delete_marker) continue;
      total.bytes += static_cast<int64_t>(o.size);
      total.objects += 1;
    }
    if (recs.size() < opt.limit) return total;
    opt.start = recs.back().key;
    opt.start_exclusive = true;
  }
}

Result<Catalog::OwnerUsage> Catalog::UsageOfOwner(std::string_view owner, bool recount) {
  OwnerUsage total;
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, ListBuckets());
  for (const BucketRecord& b : buckets) {
    if (b.owner != owner) continue;
    ++total.buckets;
    ASSIGN_OR_RETURN(Usage u, recount ? RecountBucketUsage(b) : BucketUsage(b));
    total.usage.bytes += u.bytes;
    total.usage.objects += u.objects;
    total.per_bucket.push_back({b.name, b.quota, u});
  }
  return total;
}

}  // namespace confiance::catalog
