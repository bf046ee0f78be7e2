// BatchWriteItem (<= 25 puts/deletes) and BatchGetItem (<= 100 keys). The embedded engine never
// throttles, so UnprocessedItems / UnprocessedKeys are always empty (and always present).
#include <algorithm>
#include <set>

#include "core/dynamo_json.h"
#include "dynamodb/data_plane_internal.h"
#include "table/projection_expression.h"
#include "table/table_engine.h"

namespace tributary::dynamodb::data_plane {

namespace {

constexpr size_t kMaxBatchWrite = 25;
constexpr size_t kMaxBatchGet = 100;

MaybeError ReadRequestItems(simdjson::dom::element req, ConstraintErrors* errors,
                            std::optional<simdjson::dom::object>* items) {
  TRIB_API_RETURN_IF_ERROR(GetObject(req, "RequestItems", items));
  if (!*items) {
    errors->Null("requestItems");
  } else if (items->value().size() == 0) {
    errors->Add("{}", "requestItems", "Member must have length greater than or equal to 1");
  }
  return std::nullopt;
}

void WriteCapacityArray(JsonWriter& w, CapacityMode mode, const std::vector<std::pair<std::string_view, double>>& tables) {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  w.BeginArray();
  for (const auto& [table, units] : tables) WriteCapacityObject(w, mode, table, units);
  w.EndArray();
}

struct TableWrites {
  std::string_view table;
  std::vector<table::WriteRequest> requests;
  double units = 0;
};

ApiResult BatchWriteItem(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  std::optional<simdjson::dom::object> items;
  TRIB_API_RETURN_IF_ERROR(ReadRequestItems(req, &errors, &items));
  CapacityMode capacity = ReadCapacityMode(req, &errors);
  std::optional<std::string_view> metrics;
  TRIB_API_RETURN_IF_ERROR(GetString(req, "ReturnItemCollectionMetrics", &metrics));
  if (metrics && *metrics != "SIZE" && *metrics != "NONE") {
    errors.Enum(*metrics, "returnItemCollectionMetrics", "SIZE, NONE");
  }
  if (items) {
    for (auto field : *items) {
      CheckTableName(field.key, "requestItems", &errors);
      simdjson::dom::array list;
      if (field.value.get_array().get(list) != simdjson::SUCCESS) return SerializationError("RequestItems");
      if (list.size() == 0 || list.size() > kMaxBatchWrite) {
        errors.Add("{" + std::string(field.key) + "=[...]}", "requestItems",
                   "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member "
                   "must have length greater than or equal to 1]");
      }
    }
  }
  TRIB_API_RETURN_IF_ERROR(errors.ToError());

  std::vector<TableWrites> tables;
  size_t total = 0;
  for (auto field : *items) {
    TableWrites& t = tables.emplace_back();
    t.table = field.key;
    simdjson::dom::array list = field.value.get_array().value_unsafe();
    for (simdjson::dom::element entry : list) {
      ++total;
      Member put = GetMember(entry, "PutRequest");
      Member del = GetMember(entry, "DeleteRequest");
      if (put.present == del.present) {
        return ApiError::Validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
            "datatypes");
      }
      if (put.present) {
        Member item = GetMember(put.value, "Item");
        if (!item.present) {
          errors.Null("requestItems." + std::string(field.key) + ".member.putRequest.item");
          return *errors.ToError();
        }
        auto parsed = ItemFromDom(item.value);
        if (!parsed.ok()) return StatusError(parsed.status());
        if (capacity != CapacityMode::kNone) t.units += WriteUnits(ItemSizeBytes(*parsed));
        t.requests.push_back(table::WriteRequest::Put(std::move(parsed).value()));
      } else {
        Member key = GetMember(del.value, "Key");
        if (!key.present) {
          errors.Null("requestItems." + std::string(field.key) + ".member.deleteRequest.key");
          return *errors.ToError();
        }
        auto parsed = ItemFromDom(key.value);
        if (!parsed.ok()) return StatusError(parsed.status());
        t.units += 1;
        t.requests.push_back(table::WriteRequest::Delete(std::move(parsed).value()));
      }
    }
  }
  if (total > kMaxBatchWrite) return ApiError::Validation("Too many items requested for the BatchWriteItem call");
  if (tables.size() > 1) {
    // Check every table before writing any, so a missing table writes nothing.
    for (const TableWrites& t : tables) {
      auto desc = ctx.engine->DescribeTable(t.table);
      if (!desc.ok()) return StatusError(desc.status());
    }
  }
  std::vector<std::pair<std::string_view, double>> consumed;
  for (TableWrites& t : tables) {
    auto result = ctx.engine->BatchWriteItem(t.table, std::move(t.requests));
    if (!result.ok()) return StatusError(result.status());
    consumed.emplace_back(t.table, t.units);
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("UnprocessedItems");
  w.BeginObject();
  w.EndObject();
  WriteCapacityArray(w, capacity, consumed);
  if (metrics && *metrics == "SIZE") {
    w.Key("ItemCollectionMetrics");
    w.BeginObject();
    w.EndObject();
  }
  w.EndObject();
  return w.Take();
}

struct TableGets {
  std::string_view table;
  std::vector<Item> keys;
  std::vector<table::DocumentPath> projection;
  bool consistent = false;
};

ApiResult BatchGetItem(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  std::optional<simdjson::dom::object> items;
  TRIB_API_RETURN_IF_ERROR(ReadRequestItems(req, &errors, &items));
  CapacityMode capacity = ReadCapacityMode(req, &errors);
  if (items) {
    for (auto field : *items) CheckTableName(field.key, "requestItems", &errors);
  }
  TRIB_API_RETURN_IF_ERROR(errors.ToError());

  std::vector<TableGets> tables;
  size_t total = 0;
  for (auto field : *items) {
    simdjson::dom::element spec = field.value;
    if (spec.type() != simdjson::dom::element_type::OBJECT) return SerializationError("RequestItems");
    TableGets& t = tables.emplace_back();
    t.table = field.key;
    std::optional<simdjson::dom::array> keys;
    std::optional<bool> consistent;
    TRIB_API_RETURN_IF_ERROR(GetArray(spec, "Keys", &keys));
    TRIB_API_RETURN_IF_ERROR(GetBool(spec, "ConsistentRead", &consistent));
    t.consistent = consistent.value_or(false);
    std::string member = "requestItems." + std::string(field.key) + ".member.keys";
    if (!keys) {
      errors.Null(member);
      return *errors.ToError();
    }
    if (keys->size() == 0) {
      errors.Add("[]", member, "Member must have length greater than or equal to 1");
      return *errors.ToError();
    }
    if (keys->size() > kMaxBatchGet) {
      errors.Add("[...]", member, "Member must have length less than or equal to 100");
      return *errors.ToError();
    }
    std::set<std::string> seen;
    for (simdjson::dom::element k : *keys) {
      auto key = ItemFromDom(k);
      if (!key.ok()) return StatusError(key.status());
      if (!seen.insert(ItemToJson(*key)).second) {
        return ApiError::Validation("Provided list of item keys contains duplicates");
      }
      t.keys.push_back(std::move(key).value());
      ++total;
    }
    TRIB_API_RETURN_IF_ERROR(CheckNoMixedParameters(spec, {"AttributesToGet"},
                                                    {"ProjectionExpression", "ExpressionAttributeNames"}));
    std::optional<std::string_view> projection;
    std::optional<simdjson::dom::array> to_get;
    TRIB_API_RETURN_IF_ERROR(GetString(spec, "ProjectionExpression", &projection));
    TRIB_API_RETURN_IF_ERROR(GetArray(spec, "AttributesToGet", &to_get));
    ExpressionAttributes attrs;
    TRIB_API_RETURN_IF_ERROR(ReadExpressionAttributes(spec, projection.has_value(), &attrs));
    table::ExpressionContext ectx(attrs.names, attrs.values);
    if (projection) {
      auto p = table::ParseProjectionExpression(*projection, &ectx);
      if (!p.ok()) return StatusError(p.status());
      t.projection = std::move(p).value();
    } else if (to_get) {
      TRIB_API_RETURN_IF_ERROR(PathsFromAttributesToGet(*to_get, &t.projection));
    }
    Status used = ectx.CheckAllUsed();
    if (!used.ok()) return StatusError(used);
  }
  if (total > kMaxBatchGet) return ApiError::Validation("Too many items requested for the BatchGetItem call");

  JsonWriter w;
  w.BeginObject();
  w.Key("Responses");
  w.BeginObject();
  std::vector<std::pair<std::string_view, double>> consumed;
  for (const TableGets& t : tables) {
    w.Key(t.table);
    w.BeginArray();
    size_t bytes = 0;
    for (const Item& key : t.keys) {
      auto found = ctx.engine->GetItem(t.table, key);
      if (!found.ok()) return StatusError(found.status());
      if (!found->has_value()) continue;
      const Item& item = **found;
      if (capacity != CapacityMode::kNone) bytes += ItemSizeBytes(item);
      if (t.projection.empty()) {
        AppendItemJson(w, item);
      } else {
        AppendItemJson(w, table::ProjectPaths(item, t.projection));
      }
    }
    w.EndArray();
    consumed.emplace_back(t.table, ReadUnits(bytes, t.consistent));
  }
  w.EndObject();
  w.Key("UnprocessedKeys");
  w.BeginObject();
  w.EndObject();
  WriteCapacityArray(w, capacity, consumed);
  w.EndObject();
  return w.Take();
}

}  // namespace

void RegisterBatchOperations(OperationRegistry& registry) {
  registry.Add("DynamoDB_20120810.BatchWriteItem", BatchWriteItem);
  registry.Add("DynamoDB_20120810.BatchGetItem", BatchGetItem);
}

}  // namespace tributary::dynamodb::data_plane
