// The DynamoDB and DynamoDB Streams JSON APIs (AWS JSON 1.0) over the embedded TableEngine, with
// no HTTP in sight: an operation takes the parsed request body and returns the response body or
// an ApiError. src/server/ puts HTTP in front (headers, x-amz-crc32, SigV4).
//
// Operations register by their X-Amz-Target name in an OperationRegistry; the three groups are
// implemented in their own files:
//   RegisterControlPlane  CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables, TTL, tags
//   RegisterDataPlane     PutItem, GetItem, UpdateItem, DeleteItem, Query, Scan, Batch*, Transact*
//   RegisterStreams       ListStreams, DescribeStream, GetShardIterator, GetRecords
//
// Errors follow ../shared/aws-compat-checklist.md section 0: HTTP 400 with
// {"__type": "<namespace>#<Name>", "message": "..."}; the namespace depends on the error.
//
// Thread-safety: the registry is immutable once built; handlers are called concurrently.
#pragma once

#include <simdjson.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.h"
#include "core/status.h"

namespace tributary::table {
class TableEngine;
}

namespace tributary::dynamodb {

inline constexpr std::string_view kDynamoDbTargetPrefix = "DynamoDB_20120810.";
inline constexpr std::string_view kStreamsTargetPrefix = "DynamoDBStreams_20120810.";

struct ApiError {
  int http_status = 400;
  std::string type;     // full __type, e.g. "com.amazon.coral.validate#ValidationException"
  std::string message;  // as AWS words it
  std::string extra_json;  // optional extra members, e.g. ,"CancellationReasons":[...] (leading comma)

  // com.amazon.coral.validate#ValidationException
  static ApiError Validation(std::string message);
  // com.amazonaws.dynamodb.v20120810#<name>
  static ApiError Dynamo(std::string_view name, std::string message);
  static ApiError ResourceNotFound(std::string message = "Requested resource not found");
  static ApiError ResourceInUse(std::string message);
  static ApiError ConditionalCheckFailed(std::string message = "The conditional request failed");
  // com.amazon.coral.service#<name>: SerializationException, UnknownOperationException, ...
  static ApiError Service(std::string_view name, std::string message);
  static ApiError Internal(std::string message);  // 500 InternalServerError
  // Maps a Status from the engine: InvalidArgument -> Validation, NotFound -> ResourceNotFound,
  // AlreadyExists -> ResourceInUse, FailedPrecondition -> ConditionalCheckFailed,
  // OutOfRange -> TrimmedDataAccessException, ResourceExhausted -> LimitExceeded, else Internal.
  static ApiError FromStatus(const Status& status);

  // The short name after '#', which SDKs use as the error code.
  std::string_view code() const;
  // {"__type":"...","message":"..."}
  std::string ToJson() const;
};

// What every handler may use. Borrowed; outlives the handlers' calls.
struct ApiContext {
  table::TableEngine* engine = nullptr;
  const Clock* clock = nullptr;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
};

using ApiResult = std::variant<std::string, ApiError>;  // response JSON body, or the error
using Handler = std::function<ApiResult(simdjson::dom::element request, ApiContext& context)>;

class OperationRegistry {
 public:
  // `target` is the full X-Amz-Target, e.g. "DynamoDB_20120810.PutItem".
  void Add(std::string target, Handler handler);
  const Handler* Find(std::string_view target) const;
  std::vector<std::string> Targets() const;

 private:
  std::map<std::string, Handler, std::less<>> handlers_;
};

void RegisterControlPlane(OperationRegistry& registry);
void RegisterDataPlane(OperationRegistry& registry);
void RegisterStreams(OperationRegistry& registry);
// All of the above.
OperationRegistry BuildRegistry();

struct ApiResponse {
  int http_status = 200;
  std::string body;
  std::string error_code;  // for the x-amzn-ErrorType header; empty on success
};

// The protocol layer: parses `body` (SerializationException when it is not a JSON object),
// finds the operation (UnknownOperationException for unknown targets, HTTP 400), runs it, and
// turns a handler's ApiError or an escaped exception (InternalServerError, 500) into a response.
ApiResponse Dispatch(const OperationRegistry& registry, std::string_view target, std::string_view body,
                     ApiContext& context);

}  // namespace tributary::dynamodb
