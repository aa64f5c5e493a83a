// File: sovereignty/webhook.h
// WebhookNotifier: sends lockbox notifications (a request, a decision, a
// break-glass opening) as HTTP POSTs of a JSON document, signed with
//   X-Confiance-Signature: sha256=<hex HMAC-SHA256(secret, body)>
// so that the receiver can check that they come from this server.
//
// Notify() only queues (bounded: beyond kMaxQueued the oldest waiting
// notification is dropped and counted), so the request path never waits;
// one background thread sends, retrying a failed POST (transport error or
// non-2xx answer) up to `attempts` times with a doubling pause. The
// destructor stops the thread after at most one more attempt.
//
// Thread-safety: Notify may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "sovereignty/access_request.h"

namespace confiance::sovereignty {

// "sha256=" + lower-case hex HMAC-SHA256(secret, body).
std::string WebhookSignature(std::span<const std::byte> secret, std::string_view body);

// The notification document for `event` (LockboxEventName) about `r`.
std::string WebhookBody(std::string_view event, const AccessRequest& r, uint64_t time_ms);

struct WebhookOptions {
  int attempts = 5;
  std::chrono::milliseconds first_pause{200};
};

class WebhookNotifier {
 public:
  // POSTs `body` with the signature header value; returns the HTTP status
  // (an error if no answer came).
  using Post = std::function<Result<int>(const std::string& body, const std::string& signature)>;
  static constexpr size_t kMaxQueued = 1000;

  WebhookNotifier(Post post, crypto::SecretBytes secret, WebhookOptions options = {});
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  void Notify(std::string body);

  // Counters, for tests and the server log.
  uint64_t delivered() const;
  uint64_t failed() const;  // given up after every attempt, or dropped from a full queue

 private:
  void Run();
  bool Deliver(const std::string& body);

  const Post post_;
  const crypto::SecretBytes secret_;
  const WebhookOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;          // GUARDED_BY(mu_)
  uint64_t delivered_ = 0;         // GUARDED_BY(mu_)
  uint64_t failed_ = 0;            // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace confiance::sovereignty
