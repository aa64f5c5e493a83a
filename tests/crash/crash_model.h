// File: tests/crash/crash_model.h
// The power-loss harness's model of what the store may hold: for each
// object key and each multipart upload (and each of its parts), the set of
// contents a crash may leave, built from the operations the store
// acknowledged and those it did not.
//
// The rule (RocksDB db_stress's "expected state", LevelDB's fault tests):
//  - an acknowledged write replaces every candidate by its own content;
//  - a write that failed or was in flight at the crash adds its content as
//    one more candidate (it may or may not have taken effect, but only as a
//    whole);
//  - after recovery the store's observed content must be one of the
//    candidates, and becomes the only one (Settle).
//
// Thread-safety: none; one model per harness thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/records.h"

namespace confiance::crashtest {

// One content of an object key or a part: absent, or plaintext bytes with
// their ETag. Plaintext is shared, never copied, between candidates.
struct Content {
  std::shared_ptr<const std::string> data;  // null: absent
  std::string etag;

  static Content Absent() { return Content{}; }
  bool present() const { return data != nullptr; }
  uint64_t size() const { return data ? data->size() : 0; }
  // "absent" or "<size> B etag <etag>", for violation reports.
  std::string Describe() const;
};

// What an observation of the store may show: presence, size and ETag, and
// (when the observer read them) the bytes.
struct Observed {
  bool present = false;
  uint64_t size = 0;
  std::string etag;
  std::optional<std::string> data;  // nullopt: bytes not read (listings, parts)
  // Objects: the multipart upload the record was completed from ("" for a
  // PUT). Identical contents can come from different writes (two empty
  // parts), so "this upload's completion landed" is judged on this.
  std::string upload_id;

  std::string Describe() const;
};

// The candidate contents of one key (or part), oldest first.
class Candidates {
 public:
  Candidates() : all_{Content::Absent()} {}
  explicit Candidates(Content initial) : all_{std::move(initial)} {}

  // The write was acknowledged: it is now the only possible content.
  void Acknowledge(Content c) {
    all_.assign(1, std::move(c));
    written_ = true;
  }
  // The write failed or was in flight: its content becomes possible too.
  void AddUnacknowledged(Content c) {
    all_.push_back(std::move(c));
    written_ = true;
  }
  // Index of the candidate `observed` is, or nullopt if none: presence,
  // size and ETag must agree, and the bytes too when observed.data is set.
  std::optional<size_t> Match(const Observed& observed) const;
  // After a successful check: the observed candidate is the only one left.
  void Settle(size_t index);

  // True if a write was attempted since the last Settle: the verifier then
  // reads the content back in full (a write's loss shows at the first
  // recovery after it, since a power loss undoes every non-durable step).
  bool written_since_settled() const { return written_; }

  bool certain() const { return all_.size() == 1; }
  // REQUIRES: certain().
  const Content& only() const { return all_.front(); }
  const std::vector<Content>& all() const { return all_; }
  std::string Describe() const;

 private:
  std::vector<Content> all_;
  bool written_ = false;
};

// One multipart upload as the client knows it.
struct UploadModel {
  enum class State {
    kOpen,           // created (acknowledged)
    kMaybeCreated,   // CreateUpload failed or was in flight
    kCompleting,     // Complete failed or was in flight
    kRetryComplete,  // found unfinished after a crash: the client retries Complete
    kMaybeAborted,   // Abort failed or was in flight
  };
  int bucket = 0;
  catalog::UploadRecord record;  // as created
  State state = State::kOpen;
  std::map<int, Candidates> parts;  // by part number
  // kCompleting / kRetryComplete: the parts the completion used, in order,
  // and the object it writes.
  std::vector<int> completion_parts;
  Content completion_content;
  // kCompleting: if the upload turns out gone, the object must hold
  // completion_content; false once a later acknowledged write to the key
  // makes that unknowable.
  bool completion_must_show = false;
};

const char* UploadStateName(UploadModel::State state);

// Every key and upload of the harness's store.
class StoreModel {
 public:
  // `keys`: the object keys the workload uses in every bucket.
  StoreModel(int buckets, std::vector<std::string> keys);

  int buckets() const { return buckets_; }
  const std::vector<std::string>& keys() const { return keys_; }
  Candidates& Object(int bucket, const std::string& key);
  // An acknowledged write to the key: also disarms the completion check of
  // in-flight completions of that key (a later write superseded them).
  void AcknowledgeObject(int bucket, const std::string& key, Content c);

  std::map<std::string, UploadModel>& uploads() { return uploads_; }
  // Uploads of one bucket in state kOpen (candidates for parts, Complete
  // and Abort), in upload-id order.
  std::vector<std::string> OpenUploads() const;
  std::vector<std::string> UploadsInState(UploadModel::State state) const;

 private:
  int buckets_;
  std::vector<std::string> keys_;
  std::map<std::pair<int, std::string>, Candidates> objects_;
  std::map<std::string, UploadModel> uploads_;  // by upload id
};

}  // namespace confiance::crashtest
