// File: tests/crash/crash_model.cc
#include "tests/crash/crash_model.h"

#include <fmt/format.h>

namespace confiance::crashtest {

std::string Content::Describe() const {
  if (!present()) return "absent";
  return fmt::format("{} B etag {}", data->size(), etag);
}

std::string Observed::Describe() const {
  if (!present) return "absent";
  return fmt::format("{} B etag {}", size, etag);
}

std::optional<size_t> Candidates::Match(const Observed& observed) const {
  for (size_t i = 0; i < all_.size(); ++i) {
    const Content& c = all_[i];
    if (c.present() != observed.present) continue;
    if (!c.present()) return i;
    if (c.size() != observed.size || c.etag != observed.etag) continue;
    if (observed.data && *observed.data != *c.data) continue;
    return i;
  }
  return std::nullopt;
}

void Candidates::Settle(size_t index) {
  Content kept = all_.at(index);
  all_.assign(1, std::move(kept));
  written_ = false;
}

std::string Candidates::Describe() const {
  std::string out;
  for (const Content& c : all_) {
    if (!out.empty()) out += " | ";
    out += c.Describe();
  }
  return "{" + out + "}";
}

const char* UploadStateName(UploadModel::State state) {
  switch (state) {
    case UploadModel::State::kOpen: return "open";
    case UploadModel::State::kMaybeCreated: return "maybe-created";
    case UploadModel::State::kCompleting: return "completing";
    case UploadModel::State::kRetryComplete: return "retry-complete";
    case UploadModel::State::kMaybeAborted: return "maybe-aborted";
  }
  return "?";
}

StoreModel::StoreModel(int buckets, std::vector<std::string> keys)
    : buckets_(buckets), keys_(std::move(keys)) {
  for (int b = 0; b < buckets_; ++b) {
    for (const std::string& k : keys_) objects_[{b, k}] = Candidates();
  }
}

Candidates& StoreModel::Object(int bucket, const std::string& key) {
  return objects_.at({bucket, key});
}

void StoreModel::AcknowledgeObject(int bucket, const std::string& key, Content c) {
  Object(bucket, key).Acknowledge(std::move(c));
  for (auto& [id, up] : uploads_) {
    if (up.bucket == bucket && up.record.key == key) up.completion_must_show = false;
  }
}

std::vector<std::string> StoreModel::OpenUploads() const { return UploadsInState(UploadModel::State::kOpen); }

std::vector<std::string> StoreModel::UploadsInState(UploadModel::State state) const {
  std::vector<std::string> out;
  for (const auto& [id, up] : uploads_) {
    if (up.state == state) out.push_back(id);
  }
  return out;
}

}  // namespace confiance::crashtest
