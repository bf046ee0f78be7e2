// AwsJsonCaller: one call of an AWS JSON-protocol API (POST / with an X-Amz-Target header and a
// JSON body), the narrow seam between the remote connectors (capture's DynamoDB Streams source,
// stream's Kinesis stream) and the signing HTTP client in src/aws. Connectors take an
// AwsJsonCaller&, so their unit tests script the service with a fake, and the runtime plugs in
// the real client (runtime/aws_callers.h).
//
// Errors: a failed call returns a Status whose code follows core/status.h (throttling ->
// kResourceExhausted, network and 5xx -> kUnavailable, ResourceNotFoundException -> kNotFound,
// other 4xx -> kInvalidArgument or kFailedPrecondition) and whose message starts with the AWS
// error code and ": " ("ExpiredIteratorException: Iterator expired"). AwsErrorCode() reads it
// back, so connectors branch on codes without parsing whole messages.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary {

class AwsJsonCaller {
 public:
  virtual ~AwsJsonCaller() = default;
  // `target` is the whole X-Amz-Target value ("DynamoDBStreams_20120810.GetRecords"). Returns
  // the body of a 2xx reply.
  virtual Result<std::string> Call(std::string_view target, std::string_view json_body) = 0;
};

// The AWS error code a failed Call() reported: the message's leading identifier when it is
// followed by ": " ("ExpiredIteratorException"), else "".
inline std::string_view AwsErrorCode(const Status& status) {
  std::string_view m = status.message();
  const size_t colon = m.find(": ");
  if (colon == std::string_view::npos || colon == 0) return {};
  for (size_t i = 0; i < colon; ++i) {
    const char c = m[i];
    const bool ident = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == '#';
    if (!ident) return {};
  }
  std::string_view code = m.substr(0, colon);
  // "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" -> after the '#'.
  if (const size_t hash = code.rfind('#'); hash != std::string_view::npos) code.remove_prefix(hash + 1);
  return code;
}

}  // namespace tributary
