// PutItem, GetItem, UpdateItem, DeleteItem.
#include "core/dynamo_json.h"
#include "dynamodb/data_plane_internal.h"
#include "table/projection_expression.h"
#include "table/table_engine.h"

namespace tributary::dynamodb::data_plane {

namespace {

using table::Condition;
using table::ExpressionContext;

constexpr std::string_view kReturnValues = "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW";

enum class ReturnValues : uint8_t { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

// The members every single-item write shares.
struct WriteRequestCommon {
  std::string_view table;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_failure = false;
  CapacityMode capacity = CapacityMode::kNone;
};

MaybeError ReadWriteCommon(simdjson::dom::element req, ConstraintErrors* errors, WriteRequestCommon* out) {
  std::optional<std::string_view> table, rv, rvcf, metrics;
  if (auto e = GetString(req, "TableName", &table)) return e;
  if (auto e = GetString(req, "ReturnValues", &rv)) return e;
  if (auto e = GetString(req, "ReturnValuesOnConditionCheckFailure", &rvcf)) return e;
  if (auto e = GetString(req, "ReturnItemCollectionMetrics", &metrics)) return e;
  CheckTableName(table, "tableName", errors);
  if (table) out->table = *table;
  if (rv) {
    if (*rv == "NONE") {
      out->return_values = ReturnValues::kNone;
    } else if (*rv == "ALL_OLD") {
      out->return_values = ReturnValues::kAllOld;
    } else if (*rv == "UPDATED_OLD") {
      out->return_values = ReturnValues::kUpdatedOld;
    } else if (*rv == "ALL_NEW") {
      out->return_values = ReturnValues::kAllNew;
    } else if (*rv == "UPDATED_NEW") {
      out->return_values = ReturnValues::kUpdatedNew;
    } else {
      errors->Enum(*rv, "returnValues", kReturnValues);
    }
  }
  if (rvcf) {
    if (*rvcf == "ALL_OLD") {
      out->return_old_on_failure = true;
    } else if (*rvcf != "NONE") {
      errors->Enum(*rvcf, "returnValuesOnConditionCheckFailure", "ALL_OLD, NONE");
    }
  }
  if (metrics && *metrics != "SIZE" && *metrics != "NONE") {
    errors->Enum(*metrics, "returnItemCollectionMetrics", "SIZE, NONE");
  }
  out->capacity = ReadCapacityMode(req, errors);
  return std::nullopt;
}

// ConditionExpression or Expected (+ ConditionalOperator) into `out` (kind kTrue when neither).
MaybeError ReadCondition(simdjson::dom::element req, ExpressionContext* ctx, Condition* out) {
  std::optional<std::string_view> expr, conditional_operator;
  std::optional<simdjson::dom::object> expected;
  if (auto e = GetString(req, "ConditionExpression", &expr)) return e;
  if (auto e = GetString(req, "ConditionalOperator", &conditional_operator)) return e;
  if (auto e = GetObject(req, "Expected", &expected)) return e;
  if (expr) {
    auto c = table::ParseConditionExpression(*expr, "ConditionExpression", ctx);
    if (!c.ok()) return StatusError(c.status());
    *out = std::move(c).value();
  } else if (expected) {
    return ConditionFromExpected(*expected, conditional_operator, out);
  } else if (conditional_operator) {
    return ApiError::Validation("ConditionalOperator can only be used when Filter or Expected has two or more elements");
  }
  return std::nullopt;
}

MaybeError ReadKey(simdjson::dom::element req, ConstraintErrors* errors, Item* key) {
  Member m = GetMember(req, "Key");
  if (!m.present) {
    errors->Null("key");
    return std::nullopt;
  }
  if (m.value.type() != simdjson::dom::element_type::OBJECT) return SerializationError("Key");
  auto k = ItemFromDom(m.value);
  if (!k.ok()) return StatusError(k.status());
  *key = std::move(k).value();
  return std::nullopt;
}

// Runs a write with the condition: the engine calls it under the item lock; on failure the
// current item is kept for ReturnValuesOnConditionCheckFailure.
struct ConditionRunner {
  const Condition* condition = nullptr;
  bool keep_item = false;
  std::optional<Item> failed_item;

  void Install(table::WriteOptions* options) {
    if (condition == nullptr || condition->kind == Condition::Kind::kTrue) return;
    options->condition = [this](const Item* current) -> Status {
      if (table::EvaluateCondition(*condition, current)) return Status::Ok();
      if (keep_item && current != nullptr) failed_item = *current;
      return Status::FailedPrecondition("The conditional request failed");
    };
  }

  ApiError Error(const Status& status) const {
    ApiError e = StatusError(status);
    if (status.code() == StatusCode::kFailedPrecondition && failed_item) {
      JsonWriter w;
      AppendItemJson(w, *failed_item);
      e.extra_json = ",\"Item\":" + w.Take();
    }
    return e;
  }
};

std::string Respond(const Item* attributes, const WriteRequestCommon& common, double units) {
  JsonWriter w;
  w.BeginObject();
  if (attributes != nullptr && !attributes->empty()) {
    w.Key("Attributes");
    AppendItemJson(w, *attributes);
  }
  WriteConsumedCapacity(w, common.capacity, common.table, units);
  w.EndObject();
  return w.Take();
}

ApiResult PutItem(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  WriteRequestCommon common;
  TRIB_API_RETURN_IF_ERROR(ReadWriteCommon(req, &errors, &common));
  Member item_member = GetMember(req, "Item");
  if (!item_member.present) errors.Null("item");
  TRIB_API_RETURN_IF_ERROR(errors.ToError());
  if (item_member.value.type() != simdjson::dom::element_type::OBJECT) return SerializationError("Item");
  if (common.return_values != ReturnValues::kNone && common.return_values != ReturnValues::kAllOld) {
    return ApiError::Validation("ReturnValues can only be ALL_OLD or NONE");
  }
  TRIB_API_RETURN_IF_ERROR(CheckNoMixedParameters(req, {"Expected", "ConditionalOperator"},
                                                  {"ConditionExpression", "ExpressionAttributeNames",
                                                   "ExpressionAttributeValues"}));
  auto item = ItemFromDom(item_member.value);
  if (!item.ok()) return StatusError(item.status());

  ExpressionAttributes attrs;
  bool uses_expressions = GetMember(req, "ConditionExpression").present;
  TRIB_API_RETURN_IF_ERROR(ReadExpressionAttributes(req, uses_expressions, &attrs));
  ExpressionContext ectx(attrs.names, attrs.values);
  Condition condition;
  TRIB_API_RETURN_IF_ERROR(ReadCondition(req, &ectx, &condition));
  Status used = ectx.CheckAllUsed();
  if (!used.ok()) return StatusError(used);

  ConditionRunner runner{&condition, common.return_old_on_failure, {}};
  table::WriteOptions options;
  options.return_old_item = common.return_values == ReturnValues::kAllOld;
  runner.Install(&options);
  size_t bytes = common.capacity == CapacityMode::kNone ? 0 : ItemSizeBytes(*item);
  auto result = ctx.engine->PutItem(common.table, std::move(item).value(), options);
  if (!result.ok()) return runner.Error(result.status());
  const Item* old = result->old_item ? &*result->old_item : nullptr;
  return Respond(common.return_values == ReturnValues::kAllOld ? old : nullptr, common, WriteUnits(bytes));
}

// ProjectionExpression or AttributesToGet into `paths` (empty = everything).
MaybeError ReadProjection(simdjson::dom::element req, ExpressionContext* ectx,
                          std::vector<table::DocumentPath>* paths) {
  std::optional<std::string_view> projection;
  std::optional<simdjson::dom::array> to_get;
  if (auto e = GetString(req, "ProjectionExpression", &projection)) return e;
  if (auto e = GetArray(req, "AttributesToGet", &to_get)) return e;
  if (projection) {
    auto p = table::ParseProjectionExpression(*projection, ectx);
    if (!p.ok()) return StatusError(p.status());
    *paths = std::move(p).value();
  } else if (to_get) {
    return PathsFromAttributesToGet(*to_get, paths);
  }
  return std::nullopt;
}

ApiResult GetItem(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  std::optional<std::string_view> table;
  std::optional<bool> consistent;
  TRIB_API_RETURN_IF_ERROR(GetString(req, "TableName", &table));
  TRIB_API_RETURN_IF_ERROR(GetBool(req, "ConsistentRead", &consistent));
  CheckTableName(table, "tableName", &errors);
  CapacityMode capacity = ReadCapacityMode(req, &errors);
  Item key;
  TRIB_API_RETURN_IF_ERROR(ReadKey(req, &errors, &key));
  TRIB_API_RETURN_IF_ERROR(errors.ToError());
  TRIB_API_RETURN_IF_ERROR(CheckNoMixedParameters(req, {"AttributesToGet"},
                                                  {"ProjectionExpression", "ExpressionAttributeNames",
                                                   "ExpressionAttributeValues"}));
  ExpressionAttributes attrs;
  TRIB_API_RETURN_IF_ERROR(ReadExpressionAttributes(req, GetMember(req, "ProjectionExpression").present, &attrs));
  ExpressionContext ectx(attrs.names, attrs.values);
  std::vector<table::DocumentPath> paths;
  TRIB_API_RETURN_IF_ERROR(ReadProjection(req, &ectx, &paths));
  Status used = ectx.CheckAllUsed();
  if (!used.ok()) return StatusError(used);

  auto found = ctx.engine->GetItem(*table, key);
  if (!found.ok()) return StatusError(found.status());
  JsonWriter w;
  w.BeginObject();
  size_t bytes = 0;
  if (found->has_value()) {
    const Item& item = **found;
    if (capacity != CapacityMode::kNone) bytes = ItemSizeBytes(item);
    w.Key("Item");
    if (paths.empty()) {
      AppendItemJson(w, item);
    } else {
      AppendItemJson(w, table::ProjectPaths(item, paths));
    }
  }
  WriteConsumedCapacity(w, capacity, *table, ReadUnits(bytes, consistent.value_or(false)));
  w.EndObject();
  return w.Take();
}

ApiResult UpdateItem(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  WriteRequestCommon common;
  TRIB_API_RETURN_IF_ERROR(ReadWriteCommon(req, &errors, &common));
  Item key;
  TRIB_API_RETURN_IF_ERROR(ReadKey(req, &errors, &key));
  TRIB_API_RETURN_IF_ERROR(errors.ToError());
  TRIB_API_RETURN_IF_ERROR(CheckNoMixedParameters(
      req, {"AttributeUpdates", "Expected", "ConditionalOperator"},
      {"UpdateExpression", "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues"}));
  std::optional<std::string_view> update_text;
  std::optional<simdjson::dom::object> attribute_updates;
  TRIB_API_RETURN_IF_ERROR(GetString(req, "UpdateExpression", &update_text));
  TRIB_API_RETURN_IF_ERROR(GetObject(req, "AttributeUpdates", &attribute_updates));

  ExpressionAttributes attrs;
  bool uses_expressions = update_text || GetMember(req, "ConditionExpression").present;
  TRIB_API_RETURN_IF_ERROR(ReadExpressionAttributes(req, uses_expressions, &attrs));
  ExpressionContext ectx(attrs.names, attrs.values);
  table::UpdateExpression update;
  if (update_text) {
    Status size = table::CheckExpressionSize(*update_text, "UpdateExpression");
    if (!size.ok()) return StatusError(size);
    auto parsed = table::ParseUpdateExpression(*update_text, &ectx);
    if (!parsed.ok()) return StatusError(parsed.status());
    update = std::move(parsed).value();
  } else if (attribute_updates) {
    TRIB_API_RETURN_IF_ERROR(UpdateFromAttributeUpdates(*attribute_updates, &update));
  }
  Condition condition;
  TRIB_API_RETURN_IF_ERROR(ReadCondition(req, &ectx, &condition));
  Status used = ectx.CheckAllUsed();
  if (!used.ok()) return StatusError(used);

  ConditionRunner runner{&condition, common.return_old_on_failure, {}};
  table::WriteOptions options;
  runner.Install(&options);
  auto result = ctx.engine->UpdateItem(common.table, key, update, options);
  if (!result.ok()) return runner.Error(result.status());
  const Item* old = result->old_item ? &*result->old_item : nullptr;
  const Item* now = result->new_item ? &*result->new_item : nullptr;
  size_t bytes = common.capacity == CapacityMode::kNone ? 0 : std::max(old ? ItemSizeBytes(*old) : 0, now ? ItemSizeBytes(*now) : 0);
  switch (common.return_values) {
    case ReturnValues::kNone: return Respond(nullptr, common, WriteUnits(bytes));
    case ReturnValues::kAllOld: return Respond(old, common, WriteUnits(bytes));
    case ReturnValues::kAllNew: return Respond(now, common, WriteUnits(bytes));
    case ReturnValues::kUpdatedOld:
    case ReturnValues::kUpdatedNew: {
      const Item* source = common.return_values == ReturnValues::kUpdatedOld ? old : now;
      if (source == nullptr) return Respond(nullptr, common, WriteUnits(bytes));
      Item projected = table::ProjectPaths(*source, update.UpdatedPaths());
      return Respond(&projected, common, WriteUnits(bytes));
    }
  }
  return Respond(nullptr, common, WriteUnits(bytes));
}

ApiResult DeleteItem(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  WriteRequestCommon common;
  TRIB_API_RETURN_IF_ERROR(ReadWriteCommon(req, &errors, &common));
  Item key;
  TRIB_API_RETURN_IF_ERROR(ReadKey(req, &errors, &key));
  TRIB_API_RETURN_IF_ERROR(errors.ToError());
  if (common.return_values != ReturnValues::kNone && common.return_values != ReturnValues::kAllOld) {
    return ApiError::Validation("ReturnValues can only be ALL_OLD or NONE");
  }
  TRIB_API_RETURN_IF_ERROR(CheckNoMixedParameters(req, {"Expected", "ConditionalOperator"},
                                                  {"ConditionExpression", "ExpressionAttributeNames",
                                                   "ExpressionAttributeValues"}));
  ExpressionAttributes attrs;
  TRIB_API_RETURN_IF_ERROR(ReadExpressionAttributes(req, GetMember(req, "ConditionExpression").present, &attrs));
  ExpressionContext ectx(attrs.names, attrs.values);
  Condition condition;
  TRIB_API_RETURN_IF_ERROR(ReadCondition(req, &ectx, &condition));
  Status used = ectx.CheckAllUsed();
  if (!used.ok()) return StatusError(used);

  ConditionRunner runner{&condition, common.return_old_on_failure, {}};
  table::WriteOptions options;
  runner.Install(&options);
  auto result = ctx.engine->DeleteItem(common.table, key, options);
  if (!result.ok()) return runner.Error(result.status());
  const Item* old = result->old_item ? &*result->old_item : nullptr;
  size_t bytes = old != nullptr && common.capacity != CapacityMode::kNone ? ItemSizeBytes(*old) : 0;
  return Respond(common.return_values == ReturnValues::kAllOld ? old : nullptr, common, WriteUnits(bytes));
}

}  // namespace

void RegisterItemOperations(OperationRegistry& registry) {
  registry.Add("DynamoDB_20120810.PutItem", PutItem);
  registry.Add("DynamoDB_20120810.GetItem", GetItem);
  registry.Add("DynamoDB_20120810.UpdateItem", UpdateItem);
  registry.Add("DynamoDB_20120810.DeleteItem", DeleteItem);
}

}  // namespace tributary::dynamodb::data_plane
