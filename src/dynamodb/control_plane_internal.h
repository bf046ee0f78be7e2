// Internal to the control plane handlers (control_plane_*.cc, transactions.cc): request member
// access, DynamoDB's constraint-error wording, and the TableDescription JSON.
//
// Thread-safety: pure functions; a ControlErrors belongs to one request.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "dynamodb/api.h"
#include "table/table_engine.h"

namespace tributary::dynamodb::control {

// Collects "Value ... at '<member>' failed to satisfy constraint: ..." violations.
class ControlErrors {
 public:
  void Null(std::string_view member);
  void Add(std::string_view value, std::string_view member, std::string_view constraint);
  bool empty() const { return errors_.empty(); }
  // "1 validation error detected: a" / "2 validation errors detected: a; b"
  ApiError ToError() const;

 private:
  std::vector<std::string> errors_;
};

// Member access; a member of the wrong JSON type sets *error (SerializationException).
std::optional<std::string_view> String(simdjson::dom::element obj, std::string_view key,
                                       std::optional<ApiError>* error);
std::optional<int64_t> Int(simdjson::dom::element obj, std::string_view key, std::optional<ApiError>* error);
std::optional<bool> Bool(simdjson::dom::element obj, std::string_view key, std::optional<ApiError>* error);
std::optional<simdjson::dom::array> Array(simdjson::dom::element obj, std::string_view key,
                                          std::optional<ApiError>* error);
std::optional<simdjson::dom::element> Object(simdjson::dom::element obj, std::string_view key,
                                             std::optional<ApiError>* error);

// Adds TableName constraint violations (null, length, pattern) under `member`.
void CheckName(std::optional<std::string_view> name, std::string_view member, ControlErrors* errors);

// ResourceNotFoundException "Requested resource not found: Table: <name> not found" for NotFound,
// FromStatus otherwise (with the engine's message).
ApiError TableError(const Status& status, std::string_view table);
ApiError EngineError(const Status& status);

// {"AttributeDefinitions":[...],"TableName":...,...} (one TableDescription object).
void WriteTableDescription(JsonWriter& w, const table::TableDescription& d);

// Table name from a table ARN of this endpoint; nullopt when `arn` is not a table ARN.
std::optional<std::string> TableNameFromArn(std::string_view arn);

void RegisterTables(OperationRegistry& registry);
void RegisterTtlAndTags(OperationRegistry& registry);
void RegisterTransactions(OperationRegistry& registry);
void RegisterAccount(OperationRegistry& registry);  // DescribeLimits, DescribeEndpoints, DescribeContinuousBackups

}  // namespace tributary::dynamodb::control
