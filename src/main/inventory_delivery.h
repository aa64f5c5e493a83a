// File: main/inventory_delivery.h
// InventoryDelivery: writes the S3 Inventory reports (docs/inventory.md,
// s3/inventory.h) that the buckets' inventory configurations ask for.
//
// Every `interval`, a pass looks at each enabled configuration: one is due
// when no report was written for it yet, or the last one is a "day"
// (Daily; `day`, 24 hours but in tests) or seven (Weekly) old. A due
// report lists the source bucket (its current objects, or every version,
// under the configuration's prefix), writes the data files of at most
// kInventoryLinesPerFile lines each, gzip-compressed, then manifest.json
// and manifest.checksum, through S3 itself as the service principal
// s3.amazonaws.com acting for the source bucket (aws:SourceArn) and its
// owner (aws:SourceAccount), with x-amz-acl bucket-owner-full-control, as
// S3 sends them. A report is encrypted, placed, counted, logged and
// notified as any object.
//
// A report's time is recorded (partition `inventory`, key
// `<source bucket id>/<config id>`, the ms of the last report's start,
// decimal) once its manifest is written: a report that a crash or a
// refused write cut short is written again, whole, by a later pass (its
// data files of the first attempt stay, unnamed by any manifest, as on S3
// when a delivery fails). A report that failed (a destination missing, or
// whose policy does not let the service in) is logged and tried again
// kInventoryRetryAfter later (or a day later, if a day is shorter), not at
// every pass: each attempt lists the whole bucket.
//
// Of several gateways sharing the metadata, the one holding the worker
// lease "inventory" writes the reports; the time is written by
// compare-and-set, so a stalled gateway repeating a report does not move
// it twice.
//
// The times of configurations removed since (or of deleted buckets) are
// removed at the end of each pass.
//
// Memory: one data file's compressed bytes at a time (the lines are
// compressed as they are listed).
//
// Thread-safety: one background thread; RunOnce is for tests and must not
// be called while it runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "admin/metrics_endpoint.h"
#include "catalog/catalog.h"
#include "common/periodic_thread.h"
#include "common/status.h"
#include "http/http.h"
#include "iam/acl/acl.h"
#include "meta/meta_store.h"
#include "meta/worker_lease.h"
#include "s3/authorize.h"
#include "s3/xml/inventory_xml.h"

namespace confiance {

inline constexpr std::string_view kInventoryPartition = "inventory";
inline constexpr size_t kInventoryLinesPerFile = 100000;
inline constexpr std::chrono::hours kInventoryRetryAfter{1};

class InventoryDelivery {
 public:
  // Writes `body` as object `key` of `bucket` with `headers`, as `caller`:
  // the HTTP status S3 answered (with its error code in `*error_code`),
  // or an error if no answer came (main/service_put.h).
  using Put = std::function<Result<int>(const s3::ServicePrincipal& caller, const std::string& bucket,
                                        const std::string& key, const std::string& body, std::string* error_code,
                                        const std::vector<http::Header>& headers)>;
  struct Deps {
    catalog::Catalog* catalog = nullptr;
    meta::MetaStore* store = nullptr;
    Put put;
    // The canonical user of a tenant (ObjectOwner, the grants of private
    // objects): an empty id for a tenant that is gone (s3::InventoryCsvLine
    // then says UNAVAILABLE); an error fails the report (retried later).
    // Null: every owner unknown.
    std::function<Result<iam::acl::CanonicalUser>(const std::string& tenant_id)> owner_of;
    std::chrono::milliseconds interval{300000};
    std::chrono::milliseconds day{86400000};
    size_t lines_per_file = kInventoryLinesPerFile;  // tests: fewer
    // Counts reports written and failed for the metrics (null: not counted).
    admin::BackgroundStats* stats = nullptr;
  };
  struct PassStats {
    uint64_t reports = 0;  // manifests written
    uint64_t files = 0;    // data files written
    uint64_t lines = 0;    // object versions listed in them
    uint64_t failed = 0;   // due reports not written (retried later)
  };

  explicit InventoryDelivery(Deps deps);
  ~InventoryDelivery();  // stops the thread (after the pass in flight)
  InventoryDelivery(const InventoryDelivery&) = delete;
  InventoryDelivery& operator=(const InventoryDelivery&) = delete;

  void Start();
  void Stop();
  // One pass over every bucket's configurations, at `now_ms`. A report
  // that fails is counted and logged; the others go on. Nothing while
  // another gateway holds the worker lease.
  Result<PassStats> RunOnce(uint64_t now_ms);

 private:
  struct Report;
  Result<bool> Due(const catalog::BucketRecord& bucket, const s3::xml::InventoryConfiguration& config, uint64_t now_ms,
                   std::optional<std::string>* last);
  Status Write(const catalog::BucketRecord& bucket, const s3::xml::InventoryConfiguration& config, uint64_t now_ms,
               PassStats& stats);
  // Removes the recorded times of configurations that are gone (deleted,
  // or their bucket deleted): every key of the partition not in `live`.
  Status ForgetTimesExcept(const std::set<std::string>& live);
  Status PutObject(const catalog::BucketRecord& source, const s3::xml::InventoryConfiguration& config,
                   const std::string& key, const std::string& body, std::string_view content_type);
  void RunPass();

  const Deps deps_;
  meta::WorkerLease lease_;
  // Configurations whose report failed: not before this time (ms). Only
  // the thread that runs the passes uses it.
  std::map<std::string, uint64_t> retry_after_;
  std::optional<PeriodicThread> thread_;  // last: stopped first
};

}  // namespace confiance
