// File: main/access_log_delivery.h
// AccessLogDelivery: delivers server access logs (docs/bucket-logging.md)
// to the target buckets that the buckets' logging configurations name.
//
// The records come from the bucket owners' transparency logs, where every
// request on a bucket already is, durable before its response, in order
// (s3/bucket_logging.h formats them). Every `interval`, a pass reads what
// each tenant that has a bucket with logging on added to its log since the
// last pass, and writes, per source bucket and UTC day, one object of
// records into the target bucket, through S3 itself as the service
// principal logging.s3.amazonaws.com (so a log object is encrypted,
// placed, counted, logged and notified as any object). A delivery's own
// writes have no record, so a bucket may log into itself without a loop.
//
// Exactly once: a tenant's cursor (partition `access-log`, key
// `cursor/TENANT`, the next entry of its log to read) moves only after
// every object of the pass is written. An object's key is derived from
// the source bucket, the pass's first entry and the day, so a pass that a
// crash interrupted writes the same keys again when repeated (each holding
// at least the records it held), never a second copy of a record. The
// cursor's write is not synced itself: it rides on the store's next synced
// write (a request's commit, the next pass's objects), and a crash before
// that sets it back, which only repeats the pass.
//
// A target that refuses a delivery (deleted, its policy no longer grants
// the service, its tenant's keys shredded: a 4xx) loses those records, as
// on AWS ("best effort"); a failure of the server (5xx) leaves the cursor,
// and the next pass tries again. Logging turned off still delivers the
// records of what came before (s3::BucketLogging::until_index), then the
// configuration goes. A tenant with no bucket logging loses its cursor:
// logging turned on again starts at its configuration's own start.
//
// Of several gateways sharing the metadata, the one holding the worker
// lease "access-logs" delivers (meta/worker_lease.h). A pass reads the
// cursors and moves them by compare-and-set: a gateway stalled past its
// lease that delivers a pass again writes the same keys, and leaves the
// cursor as the other moved it.
//
// Thread-safety: one background thread; RunOnce is for tests and must not
// be called while it runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "admin/metrics_endpoint.h"
#include "audit/audit_log.h"
#include "catalog/catalog.h"
#include "common/status.h"
#include "iam/directory.h"
#include "meta/meta_store.h"
#include "meta/worker_lease.h"
#include "s3/s3_service.h"

namespace confiance {

inline constexpr std::string_view kAccessLogPartition = "access-log";

class AccessLogDelivery {
 public:
  // Writes `body` as object `key` of `bucket`, as the logging service
  // acting for `caller`: the HTTP status S3 answered (with its error code
  // in `*error_code`), or an error if no answer came.
  using Put = std::function<Result<int>(const s3::ServicePrincipal& caller, const std::string& bucket,
                                        const std::string& key, const std::string& body, std::string* error_code)>;
  struct Deps {
    audit::AuditLog* log = nullptr;
    catalog::Catalog* catalog = nullptr;
    meta::MetaStore* store = nullptr;
    iam::Directory* directory = nullptr;  // the owners' canonical ids, in the records
    Put put;
    std::string region;  // the region of a bucket created without a LocationConstraint
    std::chrono::milliseconds interval{60000};
    // Counts objects, records delivered and dropped, and failed writes
    // for the metrics (access_log_* counters). Required.
    admin::BackgroundStats* stats = nullptr;
    // Entries of one tenant's log read per object batch: bounds the
    // records held in memory (a few hundred bytes each) while they are
    // written.
    size_t entries_per_batch = 10000;
  };
  struct PassStats {
    uint64_t objects = 0;  // log objects written
    uint64_t records = 0;  // records in them
    uint64_t dropped = 0;  // records whose target refused them
    bool more = false;     // a tenant has entries left (the next pass follows at once)
  };

  explicit AccessLogDelivery(Deps deps);
  ~AccessLogDelivery();  // stops the thread (after the pass in flight)
  AccessLogDelivery(const AccessLogDelivery&) = delete;
  AccessLogDelivery& operator=(const AccessLogDelivery&) = delete;

  void Start();
  void Stop();
  // One pass over every tenant with bucket logging on. The first error (a
  // read, a cursor, a 5xx) stops that tenant's pass; the others go on.
  // Nothing while another gateway holds the worker lease.
  Result<PassStats> RunOnce();

 private:
  struct Source;
  Status DeliverTenant(const std::string& tenant, const std::vector<Source>& sources, PassStats& stats);
  Status ForgetCursorsExcept(const std::vector<std::string>& tenants);
  // Removes the configurations turned off whose records up to the entry
  // `delivered_to` of their owner's log are all delivered.
  Status ClearFinished(const std::vector<Source>& sources, uint64_t delivered_to);
  void Run();

  const Deps deps_;
  meta::WorkerLease lease_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace confiance
