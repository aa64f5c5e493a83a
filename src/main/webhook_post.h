// File: main/webhook_post.h
// The POST of a signed JSON document to a webhook an operator configured:
// lockbox notifications (main/lockbox_flags.h) and bucket event
// notifications (main/notification_dispatcher.h). The receiver checks
//   X-Confiance-Signature: sha256=<hex HMAC-SHA256(secret, body)>
// (sovereignty::WebhookSignature) to know the document comes from this
// server.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance {

// POSTs `body` with the signature header's value; the HTTP status of the
// answer, or an error when none came within 5 seconds.
using WebhookPost = std::function<Result<int>(const std::string& body, const std::string& signature)>;

// The POST to `url` (http[s]://HOST[:PORT][/PATH]); https verifies the
// receiver against `ca_file` ("": the system's CAs). InvalidArgument naming
// `flag` for a URL of another form.
Result<WebhookPost> MakeWebhookPost(const std::string& url, const std::string& ca_file, std::string_view flag);

}  // namespace confiance
