// LocalApiCaller: an AwsJsonCaller that serves DynamoDB_20120810.* and DynamoDBStreams_20120810.*
// calls in process, through the same Dispatch and handlers the local endpoint serves over HTTP.
// Remote connectors (the dynamodb-streams capture source) can read an embedded TableEngine
// through it exactly as they read AWS, without a socket: tests use it, and so can a process that
// reads another embedded table of its own.
//
// Errors become "<Code>: <message>" Statuses like the HTTP client's: 5xx -> kUnavailable,
// ResourceNotFoundException -> kNotFound, throttling -> kResourceExhausted, else kInvalidArgument.
//
// Thread-safety: thread-safe (the registry is immutable; handlers run concurrently).
#pragma once

#include <string>
#include <string_view>

#include "core/aws_json_caller.h"
#include "dynamodb/api.h"

namespace tributary::dynamodb {

class LocalApiCaller final : public AwsJsonCaller {
 public:
  // `context.engine` must outlive the caller.
  explicit LocalApiCaller(ApiContext context) : context_(std::move(context)), registry_(BuildRegistry()) {}
  Result<std::string> Call(std::string_view target, std::string_view json_body) override;

 private:
  ApiContext context_;
  const OperationRegistry registry_;
};

}  // namespace tributary::dynamodb
