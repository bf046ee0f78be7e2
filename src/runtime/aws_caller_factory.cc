// DefaultAwsCallerFactory: the SigV4 JSON client of src/aws behind the AwsJsonCaller seam.
#include "aws/aws_client.h"
#include "runtime/aws_connectors.h"

namespace tributary::runtime {

namespace {

class JsonClientCaller final : public AwsJsonCaller {
 public:
  explicit JsonClientCaller(std::unique_ptr<aws::JsonClient> client) : client_(std::move(client)) {}
  // aws::JsonClient reports failures as "<Code>: <message>" already (AwsErrorCode reads it).
  Result<std::string> Call(std::string_view target, std::string_view json_body) override {
    return client_->Call(target, json_body);
  }

 private:
  std::unique_ptr<aws::JsonClient> client_;
};

}  // namespace

AwsCallerFactory DefaultAwsCallerFactory() {
  return [](std::string_view service, const config::AwsEndpointConfig& endpoint,
            std::string_view region) -> Result<std::unique_ptr<AwsJsonCaller>> {
    aws::ClientConfig cc;
    // DynamoDB Streams signs as "dynamodb" but lives on streams.dynamodb.<region>.
    cc.service = service == "streams.dynamodb" ? "dynamodb" : std::string(service);
    if (service == "streams.dynamodb") cc.endpoint_prefix = "streams.dynamodb";
    cc.region = std::string(region);
    cc.endpoint_url = endpoint.endpoint_url;
    cc.profile = endpoint.profile;
    TRIB_ASSIGN_OR_RETURN(std::unique_ptr<aws::JsonClient> client, aws::JsonClient::Create(cc));
    return std::unique_ptr<AwsJsonCaller>(new JsonClientCaller(std::move(client)));
  };
}

}  // namespace tributary::runtime
