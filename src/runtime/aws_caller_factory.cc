#include "runtime/aws_connectors.h"

namespace tributary::runtime {

AwsCallerFactory DefaultAwsCallerFactory() {
  return [](std::string_view service, const config::AwsEndpointConfig&, std::string_view)
             -> Result<std::unique_ptr<AwsJsonCaller>> {
    return Status::Unimplemented("this build has no AWS client for '" + std::string(service) + "' yet");
  };
}

}  // namespace tributary::runtime
