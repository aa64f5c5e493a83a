// File: sovereignty/webhook.cc
#include "sovereignty/webhook.h"

#include <nlohmann/json.hpp>

#include "audit/event.h"
#include "common/logging.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace confiance::sovereignty {

std::string WebhookSignature(std::span<const std::byte> secret, std::string_view body) {
  std::array<uint8_t, 32> mac = crypto::HmacSha256(secret, body);
  return "sha256=" + crypto::HexEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string WebhookBody(std::string_view event, const AccessRequest& r, uint64_t time_ms) {
  nlohmann::json ops = nlohmann::json::array();
  for (int i = 0; i < kAccessOpCount; ++i) {
    if (r.scope.Has(static_cast<AccessOp>(i))) ops.push_back(AccessOpName(static_cast<AccessOp>(i)));
  }
  nlohmann::json j = {{"event", event},
                      {"time", audit::FormatEventTime(time_ms)},
                      {"id", r.id},
                      {"tenant", r.tenant},
                      {"operator", r.operator_name},
                      {"category", AccessCategoryName(r.category)},
                      {"state", AccessStateName(r.state)},
                      {"reason", r.reason},
                      {"buckets", r.scope.buckets},
                      {"prefixes", r.scope.prefixes},
                      {"operations", ops},
                      {"signers", r.signers},
                      {"decided_by", r.decided_by}};
  if (r.approved_until_ms != 0) j["approved_until"] = audit::FormatEventTime(r.approved_until_ms);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

WebhookNotifier::WebhookNotifier(Post post, crypto::SecretBytes secret, WebhookOptions options)
    : post_(std::move(post)), secret_(std::move(secret)), options_(options), thread_([this] { Run(); }) {}

WebhookNotifier::~WebhookNotifier() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WebhookNotifier::Notify(std::string body) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++failed_;
    }
    queue_.push_back(std::move(body));
  }
  cv_.notify_all();
}

uint64_t WebhookNotifier::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

uint64_t WebhookNotifier::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

bool WebhookNotifier::Deliver(const std::string& body) {
  const std::string signature = WebhookSignature(secret_.span(), body);
  std::chrono::milliseconds pause = options_.first_pause;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    Result<int> status = post_(body, signature);
    if (status.ok() && *status >= 200 && *status < 300) return true;
    spdlog::warn("webhook: attempt {} of {} failed: {}", attempt, options_.attempts,
                 status.ok() ? "HTTP " + std::to_string(*status) : status.status().ToString());
    if (attempt == options_.attempts) break;
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, pause, [this] { return stopping_; })) return false;  // shutting down: one try was made
    pause *= 2;
  }
  return false;
}

void WebhookNotifier::Run() {
  for (;;) {
    std::string body;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      body = std::move(queue_.front());
      queue_.pop_front();
    }
    bool ok = Deliver(body);
    std::lock_guard lock(mu_);
    ++(ok ? delivered_ : failed_);
    if (stopping_ && !queue_.empty()) {
      failed_ += queue_.size();
      queue_.clear();
    }
  }
}

}  // namespace confiance::sovereignty
