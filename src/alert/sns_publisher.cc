#include "alert/sns_publisher.h"

#include <map>
#include <mutex>
#include <utility>

#include "aws/aws_client.h"

namespace tributary::alert {

namespace {

struct SnsClients {
  std::string default_region;
  std::shared_ptr<aws::CredentialProvider> credentials;
  std::mutex mu;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<aws::SnsClient>> clients;  // guarded by mu

  Result<aws::SnsClient*> For(const config::AlertActionConfig& action) {
    const std::string region = action.region.empty() ? default_region : action.region;
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = clients[{action.endpoint_url, region}];
    if (slot == nullptr) {
      aws::ClientConfig c;
      c.service = "sns";
      c.region = region;
      c.endpoint_url = action.endpoint_url;
      c.max_attempts = 1;  // the outbox retries
      c.timeout_ms = action.timeout_ms;
      c.credentials = credentials;
      TRIB_ASSIGN_OR_RETURN(slot, aws::SnsClient::Create(std::move(c)));
    }
    return slot.get();
  }
};

}  // namespace

SnsPublisher MakeSnsPublisher(std::string default_region, std::shared_ptr<aws::CredentialProvider> credentials) {
  auto clients = std::make_shared<SnsClients>();
  clients->default_region = std::move(default_region);
  clients->credentials = std::move(credentials);
  return [clients](const config::AlertActionConfig& action, std::string_view subject,
                   std::string_view message) -> Result<std::string> {
    TRIB_ASSIGN_OR_RETURN(aws::SnsClient * client, clients->For(action));
    return client->Publish(action.topic_arn, subject, message);
  };
}

}  // namespace tributary::alert
