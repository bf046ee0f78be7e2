// KeyConditionExpression (Query): equality on the partition key, optionally AND one condition on
// the sort key (= < <= > >= BETWEEN begins_with), in either order. Parsed with the condition
// grammar (condition_expression.h), then checked against the key schema of the table or index
// with DynamoDB's messages ("Query condition missed key schema element: pk", "Invalid operator
// used in KeyConditionExpression: OR", "Query key condition not supported", ...).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "core/status.h"
#include "table/condition_expression.h"
#include "table/expression_parser.h"
#include "table/table_engine.h"
#include "table/table_metadata.h"

namespace tributary::table {

struct KeyCondition {
  AttributeValue hash_value;
  std::optional<RangeCondition> range;
};

Result<KeyCondition> ParseKeyConditionExpression(std::string_view text, ExpressionContext* ctx,
                                                 const KeyAttribute& hash_key,
                                                 const std::optional<KeyAttribute>& range_key);

// Checks an already-built condition tree (also used for the legacy KeyConditions parameter).
// `kind` names the parameter in errors.
Result<KeyCondition> KeyConditionFromTree(const Condition& cond, const KeyAttribute& hash_key,
                                          const std::optional<KeyAttribute>& range_key);

}  // namespace tributary::table
