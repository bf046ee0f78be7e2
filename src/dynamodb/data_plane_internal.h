// Internal to the data plane (data_plane*.cc): the operation groups and the translation of the
// legacy (pre-expression) parameters into expression trees.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string_view>
#include <vector>

#include "dynamodb/api.h"
#include "dynamodb/request_json.h"
#include "table/condition_expression.h"
#include "table/key_condition.h"
#include "table/update_expression.h"

namespace tributary::dynamodb::data_plane {

void RegisterItemOperations(OperationRegistry& registry);   // Put/Get/Update/DeleteItem
void RegisterQueryOperations(OperationRegistry& registry);  // Query, Scan
void RegisterBatchOperations(OperationRegistry& registry);  // BatchWriteItem, BatchGetItem

// Expected (+ ConditionalOperator) -> condition.
MaybeError ConditionFromExpected(simdjson::dom::object expected, std::optional<std::string_view> conditional_operator,
                                 table::Condition* out);
// QueryFilter / ScanFilter (+ ConditionalOperator) -> condition. `member` is "queryFilter" or "scanFilter".
MaybeError ConditionFromFilter(simdjson::dom::object filter, std::string_view member,
                               std::optional<std::string_view> conditional_operator, table::Condition* out);
// KeyConditions -> key condition for the given key schema.
MaybeError KeyConditionFromLegacy(simdjson::dom::object key_conditions, const table::KeyAttribute& hash_key,
                                  const std::optional<table::KeyAttribute>& range_key, table::KeyCondition* out);
// AttributeUpdates -> update actions.
MaybeError UpdateFromAttributeUpdates(simdjson::dom::object updates, table::UpdateExpression* out);
// AttributesToGet -> top-level paths ("Duplicate value in attribute name" when repeated).
MaybeError PathsFromAttributesToGet(simdjson::dom::array names, std::vector<table::DocumentPath>* out);

}  // namespace tributary::dynamodb::data_plane
