#include "dynamodb/local_api_caller.h"

namespace tributary::dynamodb {

Result<std::string> LocalApiCaller::Call(std::string_view target, std::string_view json_body) {
  ApiContext ctx = context_;  // handlers take it mutably; a copy per call keeps this thread-safe
  ApiResponse r = Dispatch(registry_, target, json_body, ctx);
  if (r.http_status == 200) return std::move(r.body);
  std::string code = r.error_code;
  if (const size_t hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  std::string message = code + ": " + r.body;
  if (r.http_status >= 500) return Status::Unavailable(std::move(message));
  if (code == "ResourceNotFoundException") return Status::NotFound(std::move(message));
  if (code == "ProvisionedThroughputExceededException" || code == "ThrottlingException" ||
      code == "LimitExceededException") {
    return Status::ResourceExhausted(std::move(message));
  }
  return Status::InvalidArgument(std::move(message));
}

}  // namespace tributary::dynamodb
