// Shared helpers for DynamoDB request handlers: typed access to request members (simdjson DOM),
// DynamoDB's aggregated constraint messages ("2 validation errors detected: Value ... at
// 'tableName' failed to satisfy constraint: ...; ..."), expression attribute maps, and
// ConsumedCapacity output.
//
// Thread-safety: values and pure functions; a ConstraintErrors belongs to one request.
#pragma once

#include <simdjson.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/json_writer.h"
#include "dynamodb/api.h"
#include "table/expression_parser.h"

namespace tributary::dynamodb {

// Returns from the enclosing handler when `expr` (an std::optional<ApiError>) holds an error.
#define TRIB_API_RETURN_IF_ERROR(expr)            \
  do {                                            \
    std::optional<ApiError> trib_api_err_ = (expr); \
    if (trib_api_err_) return *trib_api_err_;     \
  } while (0)

using MaybeError = std::optional<ApiError>;

// Collects member constraint violations and words them as DynamoDB does.
class ConstraintErrors {
 public:
  // "Value null at '<member>' failed to satisfy constraint: Member must not be null"
  void Null(std::string_view member);
  // "Value '<value>' at '<member>' failed to satisfy constraint: <constraint>"
  void Add(std::string_view value, std::string_view member, std::string_view constraint);
  // "Value '<value>' at '<member>' failed to satisfy constraint: Member must satisfy enum value set: [..]"
  void Enum(std::string_view value, std::string_view member, std::string_view allowed);
  bool empty() const { return errors_.empty(); }
  // "1 validation error detected: ..." / "N validation errors detected: a; b"
  MaybeError ToError() const;

 private:
  std::vector<std::string> errors_;
};

// Member access. A member of the wrong JSON type is a SerializationException.
struct Member {
  simdjson::dom::element value;
  bool present = false;
};
Member GetMember(simdjson::dom::element object, std::string_view key);
MaybeError GetString(simdjson::dom::element object, std::string_view key, std::optional<std::string_view>* out);
MaybeError GetBool(simdjson::dom::element object, std::string_view key, std::optional<bool>* out);
MaybeError GetInt(simdjson::dom::element object, std::string_view key, std::optional<int64_t>* out);
MaybeError GetObject(simdjson::dom::element object, std::string_view key, std::optional<simdjson::dom::object>* out);
MaybeError GetArray(simdjson::dom::element object, std::string_view key, std::optional<simdjson::dom::array>* out);
ApiError SerializationError(std::string_view key);

// TableName: required, 3..255 characters of [a-zA-Z0-9_.-] (adds to `errors`).
void CheckTableName(std::optional<std::string_view> name, std::string_view member, ConstraintErrors* errors);
// IndexName: optional, same rules.
void CheckIndexName(std::optional<std::string_view> name, ConstraintErrors* errors);

// Converts a core/engine status to an ApiError (FromStatus, keeping the message).
ApiError StatusError(const Status& status);

// ExpressionAttributeNames / ExpressionAttributeValues of a request.
struct ExpressionAttributes {
  table::ExpressionAttributeNames names;
  AttributeMap values;
  bool has_names = false;
  bool has_values = false;
};
// Reads both maps ("ExpressionAttributeNames must not be empty", "ExpressionAttributeValues
// contains invalid value: <why> for key :v", invalid keys). `uses_expressions` is whether the
// request has any expression: otherwise the maps are "can only be specified when using expressions".
MaybeError ReadExpressionAttributes(simdjson::dom::element request, bool uses_expressions, ExpressionAttributes* out);

// "Can not use both expression and non-expression parameters in the same request: ..." when
// both lists name present members.
MaybeError CheckNoMixedParameters(simdjson::dom::element request, std::initializer_list<std::string_view> legacy,
                                  std::initializer_list<std::string_view> expression);

enum class CapacityMode : uint8_t { kNone, kTotal, kIndexes };
// ReturnConsumedCapacity (adds enum errors).
CapacityMode ReadCapacityMode(simdjson::dom::element request, ConstraintErrors* errors);
// ,"ConsumedCapacity":{...}  (nothing for kNone). `units` as DynamoDB counts them.
void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, std::string_view table, double units);
// The capacity object alone (for the BatchWriteItem/BatchGetItem arrays).
void WriteCapacityObject(JsonWriter& w, CapacityMode mode, std::string_view table, double units);
// Write units for an item of `bytes` (1 per KB, at least 1); read units (per 4 KB, halved for
// eventually consistent reads).
double WriteUnits(size_t bytes);
double ReadUnits(size_t bytes, bool consistent);

}  // namespace tributary::dynamodb
