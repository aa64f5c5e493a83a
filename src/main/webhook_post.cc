// File: main/webhook_post.cc
#include "main/webhook_post.h"

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "admin/admin_client.h"

namespace confiance {

Result<WebhookPost> MakeWebhookPost(const std::string& url, const std::string& ca_file, std::string_view flag) {
  const size_t scheme_end = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
  if (scheme_end == 0) return InvalidArgumentError(std::string(flag) + " must start with http:// or https://");
  const size_t slash = url.find('/', scheme_end);
  std::string target = slash == std::string::npos ? "/" : url.substr(slash);
  ASSIGN_OR_RETURN(admin::Endpoint endpoint, admin::ParseEndpoint(url.substr(0, slash)));
  endpoint.ca_file = ca_file;
  // One kept connection per webhook: the dispatcher sends a target's
  // events one after the other.
  auto client = std::make_shared<admin::KeepAliveHttpClient>(endpoint);
  return WebhookPost([client, target](const std::string& body, const std::string& signature) -> Result<int> {
    // (Host is the client's, from the endpoint.)
    std::vector<admin::HttpHeader> headers = {{"Content-Type", "application/json"},
                                              {"X-Confiance-Signature", signature}};
    ASSIGN_OR_RETURN(admin::HttpReply reply, client->Send("POST", target, headers, body, std::chrono::seconds(5)));
    return reply.status;
  });
}

}  // namespace confiance
