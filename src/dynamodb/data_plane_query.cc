// Query and Scan: key conditions, filters, projections, Select, paging (Limit counts items read
// before the filter; the engine caps a page at 1 MB), and parallel scan segments.
#include <map>
#include <memory>
#include <mutex>

#include "core/dynamo_json.h"
#include "dynamodb/data_plane_internal.h"
#include "table/projection_expression.h"
#include "table/table_engine.h"

namespace tributary::dynamodb::data_plane {

namespace {

using table::Condition;
using table::ExpressionContext;
using table::KeyAttribute;

enum class Select : uint8_t { kDefault, kAllAttributes, kAllProjected, kSpecific, kCount };

// The key schema being read: the table's or an index's.
struct ReadTarget {
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  bool global_index = false;
  std::vector<std::string> primary_key_names;  // for the FilterExpression check
  std::vector<std::string> page_key_names;     // LastEvaluatedKey: table keys (+ index keys)
};

// A table's key schemas: the table's and its indexes'.
struct TableSchema {
  struct Index {
    std::string name;
    KeyAttribute hash_key;
    std::optional<KeyAttribute> range_key;
    bool global = false;
    friend bool operator==(const Index&, const Index&) = default;
  };
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  std::vector<Index> indexes;
  friend bool operator==(const TableSchema&, const TableSchema&) = default;
};

// Works with and without secondary-index support in the engine (TableDescription::indexes).
template <typename Desc>
void CollectIndexes(const Desc& d, TableSchema* schema) {
  if constexpr (requires { d.indexes; }) {
    for (const auto& index : d.indexes) {
      schema->indexes.push_back({index.spec.name, index.spec.hash_key, index.spec.range_key, !index.spec.local});
    }
  }
}

template <typename Spec>
void SetIndexName(Spec& spec, std::string_view name) {
  if constexpr (requires { spec.index_name; }) spec.index_name = std::string(name);
}

// Key schemas by table name. DescribeTable is too slow for every Query (it reads the table's
// counters), so schemas are cached; a caller that gets a cached schema checks its result against
// the data and asks again with refresh=true when it cannot vouch for it (a table deleted and
// re-created with other keys).
class SchemaCache {
 public:
  Result<std::shared_ptr<const TableSchema>> Get(table::TableEngine* engine, std::string_view table, bool refresh,
                                                 bool* cached) {
    std::string key(reinterpret_cast<const char*>(&engine), sizeof(engine));
    key.append(table);
    if (!refresh) {
      std::lock_guard lock(mu_);
      auto it = schemas_.find(key);
      if (it != schemas_.end()) {
        *cached = true;
        return it->second;
      }
    }
    *cached = false;
    auto desc = engine->DescribeTable(table);
    if (!desc.ok()) {
      std::lock_guard lock(mu_);
      schemas_.erase(key);
      return desc.status();
    }
    auto schema = std::make_shared<TableSchema>();
    schema->hash_key = desc->hash_key;
    schema->range_key = desc->range_key;
    CollectIndexes(*desc, schema.get());
    std::lock_guard lock(mu_);
    if (schemas_.size() > 10000) schemas_.clear();
    schemas_[key] = schema;
    return std::shared_ptr<const TableSchema>(std::move(schema));
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const TableSchema>, std::less<>> schemas_;
};

SchemaCache& Schemas() {
  static SchemaCache* cache = new SchemaCache();
  return *cache;
}

MaybeError ResolveTarget(const TableSchema& schema, std::optional<std::string_view> index,
                         std::optional<bool> consistent, ReadTarget* target) {
  target->hash_key = schema.hash_key;
  target->range_key = schema.range_key;
  target->primary_key_names.push_back(schema.hash_key.name);
  if (schema.range_key) target->primary_key_names.push_back(schema.range_key->name);
  target->page_key_names = target->primary_key_names;
  if (index) {
    const TableSchema::Index* found = nullptr;
    for (const auto& i : schema.indexes) {
      if (i.name == *index) found = &i;
    }
    if (found == nullptr) {
      return ApiError::Validation("The table does not have the specified index: " + std::string(*index));
    }
    target->hash_key = found->hash_key;
    target->range_key = found->range_key;
    target->global_index = found->global;
    if (target->global_index && consistent.value_or(false)) {
      return ApiError::Validation("Consistent reads are not supported on global secondary indexes");
    }
    target->primary_key_names.clear();
    target->primary_key_names.push_back(target->hash_key.name);
    if (target->range_key) target->primary_key_names.push_back(target->range_key->name);
    for (const std::string& name : target->primary_key_names) target->page_key_names.push_back(name);
  }
  return std::nullopt;
}

// Runs `attempt` with the cached schema; when that schema came from the cache and the attempt
// could not vouch for it, refreshes the schema and runs again if it changed.
template <typename Attempt>
ApiResult WithSchema(ApiContext& ctx, std::string_view table, Attempt attempt) {
  bool cached = false;
  auto schema = Schemas().Get(ctx.engine, table, false, &cached);
  if (!schema.ok()) return StatusError(schema.status());
  bool verified = false;
  ApiResult result = attempt(**schema, &verified);
  if (!cached || verified) return result;
  auto fresh = Schemas().Get(ctx.engine, table, true, &cached);
  if (!fresh.ok()) return StatusError(fresh.status());
  if (**fresh == **schema) return result;
  return attempt(**fresh, &verified);
}

// The attributes `names` of `item`: a LastEvaluatedKey.
Item KeyOf(const Item& item, const std::vector<std::string>& names) {
  Item key;
  for (const std::string& name : names) {
    auto k = item.find(name);
    if (k != item.end()) key.emplace(k->first, k->second);
  }
  return key;
}

// DynamoDB returns a LastEvaluatedKey whenever a page stops at Limit, even on the last item.
void KeyAtLimit(const table::Page& page, int limit, const std::vector<std::string>& names, std::optional<Item>* lek) {
  if (!*lek && limit > 0 && page.items.size() == static_cast<size_t>(limit)) *lek = KeyOf(page.items.back(), names);
}

// Whether the page's items carry the target's hash key (with `hash_value`, when given).
bool PageMatchesSchema(const table::Page& page, const ReadTarget& target, const AttributeValue* hash_value) {
  if (page.items.empty()) return false;
  const Item& item = page.items.front();
  auto it = item.find(target.hash_key.name);
  if (it == item.end() || (hash_value != nullptr && !(it->second == *hash_value))) return false;
  return !target.range_key || item.count(target.range_key->name) > 0;
}

// DynamoDB: a Query's FilterExpression may not use the key attributes.
// (The legacy QueryFilter words it "QueryFilter can only contain non-key attributes: ...".)
MaybeError CheckFilterAvoidsKeys(const Condition& c, const ReadTarget& target, std::string_view message) {
  for (const table::ConditionOperand& o : c.operands) {
    if (o.kind == table::ConditionOperand::Kind::kValue) continue;
    for (const std::string& key : target.primary_key_names) {
      if (o.path[0].name == key) {
        return ApiError::Validation(std::string(message) + key);
      }
    }
  }
  for (const Condition& child : c.children) TRIB_API_RETURN_IF_ERROR(CheckFilterAvoidsKeys(child, target, message));
  return std::nullopt;
}

// What Query and Scan share.
struct ReadRequest {
  std::string_view table;
  std::optional<std::string_view> index;
  std::optional<bool> consistent;
  int limit = 0;
  Select select = Select::kDefault;
  CapacityMode capacity = CapacityMode::kNone;
  std::optional<Item> exclusive_start_key;
  ExpressionAttributes attrs;
  Condition filter;
  std::vector<table::DocumentPath> projection;
};

MaybeError ReadCommon(simdjson::dom::element req, ConstraintErrors* errors, ReadRequest* out) {
  std::optional<std::string_view> table, select;
  std::optional<int64_t> limit;
  TRIB_API_RETURN_IF_ERROR(GetString(req, "TableName", &table));
  TRIB_API_RETURN_IF_ERROR(GetString(req, "IndexName", &out->index));
  TRIB_API_RETURN_IF_ERROR(GetString(req, "Select", &select));
  TRIB_API_RETURN_IF_ERROR(GetInt(req, "Limit", &limit));
  TRIB_API_RETURN_IF_ERROR(GetBool(req, "ConsistentRead", &out->consistent));
  CheckTableName(table, "tableName", errors);
  if (table) out->table = *table;
  CheckIndexName(out->index, errors);
  if (limit) {
    if (*limit < 1) {
      errors->Add(std::to_string(*limit), "limit", "Member must have value greater than or equal to 1");
    } else {
      out->limit = static_cast<int>(std::min<int64_t>(*limit, 1 << 30));
    }
  }
  if (select) {
    if (*select == "ALL_ATTRIBUTES") {
      out->select = Select::kAllAttributes;
    } else if (*select == "ALL_PROJECTED_ATTRIBUTES") {
      out->select = Select::kAllProjected;
    } else if (*select == "SPECIFIC_ATTRIBUTES") {
      out->select = Select::kSpecific;
    } else if (*select == "COUNT") {
      out->select = Select::kCount;
    } else {
      errors->Enum(*select, "select", "SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES");
    }
  }
  out->capacity = ReadCapacityMode(req, errors);
  Member esk = GetMember(req, "ExclusiveStartKey");
  if (esk.present) {
    if (esk.value.type() != simdjson::dom::element_type::OBJECT) return SerializationError("ExclusiveStartKey");
    auto key = ItemFromDom(esk.value);
    if (!key.ok()) return StatusError(key.status());
    out->exclusive_start_key = std::move(key).value();
  }
  return std::nullopt;
}

// FilterExpression / legacy filter, projection and Select rules (after the key condition, so
// placeholders are resolved in request order).
MaybeError ReadFilterAndProjection(simdjson::dom::element req, std::string_view legacy_filter_name,
                                   std::string_view legacy_member, const char* operation, ExpressionContext* ectx,
                                   ReadRequest* out) {
  std::optional<std::string_view> filter_text, projection, conditional_operator;
  std::optional<simdjson::dom::object> legacy_filter;
  std::optional<simdjson::dom::array> to_get;
  TRIB_API_RETURN_IF_ERROR(GetString(req, "FilterExpression", &filter_text));
  TRIB_API_RETURN_IF_ERROR(GetString(req, "ProjectionExpression", &projection));
  TRIB_API_RETURN_IF_ERROR(GetString(req, "ConditionalOperator", &conditional_operator));
  TRIB_API_RETURN_IF_ERROR(GetObject(req, legacy_filter_name, &legacy_filter));
  TRIB_API_RETURN_IF_ERROR(GetArray(req, "AttributesToGet", &to_get));
  if (filter_text) {
    auto c = table::ParseConditionExpression(*filter_text, "FilterExpression", ectx);
    if (!c.ok()) return StatusError(c.status());
    out->filter = std::move(c).value();
  } else if (legacy_filter) {
    TRIB_API_RETURN_IF_ERROR(ConditionFromFilter(*legacy_filter, legacy_member, conditional_operator, &out->filter));
  }
  std::string_view projection_name = projection ? "ProjectionExpression" : "AttributesToGet";
  if (projection) {
    auto p = table::ParseProjectionExpression(*projection, ectx);
    if (!p.ok()) return StatusError(p.status());
    out->projection = std::move(p).value();
  } else if (to_get) {
    TRIB_API_RETURN_IF_ERROR(PathsFromAttributesToGet(*to_get, &out->projection));
  }
  bool has_projection = projection || to_get;
  switch (out->select) {
    case Select::kAllAttributes:
    case Select::kCount:
      if (has_projection) {
        return ApiError::Validation("Cannot specify the " + std::string(projection_name) + " when choosing to get " +
                                    (out->select == Select::kCount ? "COUNT" : "ALL_ATTRIBUTES"));
      }
      break;
    case Select::kAllProjected:
      if (!out->index) {
        return ApiError::Validation(std::string("ALL_PROJECTED_ATTRIBUTES can be used only when ") + operation +
                                    " using an IndexName");
      }
      if (has_projection) {
        return ApiError::Validation("Cannot specify the " + std::string(projection_name) +
                                    " when choosing to get ALL_PROJECTED_ATTRIBUTES");
      }
      break;
    case Select::kSpecific:
      if (!has_projection) {
        return ApiError::Validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
      }
      break;
    case Select::kDefault:
      break;
  }
  return std::nullopt;
}

// Accumulates a page's output.
class PageWriter {
 public:
  explicit PageWriter(const ReadRequest& r) : r_(r) {
    w_.BeginObject();
    if (r_.select != Select::kCount) {
      w_.Key("Items");
      w_.BeginArray();
    }
  }

  void Add(const Item& item) {
    ++scanned_;
    bytes_ += ItemSizeBytes(item);
    if (r_.filter.kind != Condition::Kind::kTrue && !table::EvaluateCondition(r_.filter, &item)) return;
    ++count_;
    if (r_.select == Select::kCount) return;
    if (r_.projection.empty()) {
      AppendItemJson(w_, item);
    } else {
      AppendItemJson(w_, table::ProjectPaths(item, r_.projection));
    }
  }

  size_t bytes() const { return bytes_; }
  int64_t scanned() const { return scanned_; }

  std::string Finish(const std::optional<Item>& last_evaluated_key) {
    if (r_.select != Select::kCount) w_.EndArray();
    w_.Key("Count");
    w_.Int(count_);
    w_.Key("ScannedCount");
    w_.Int(scanned_);
    if (last_evaluated_key) {
      w_.Key("LastEvaluatedKey");
      AppendItemJson(w_, *last_evaluated_key);
    }
    WriteConsumedCapacity(w_, r_.capacity, r_.table, ReadUnits(bytes_, r_.consistent.value_or(false)));
    w_.EndObject();
    return w_.Take();
  }

 private:
  const ReadRequest& r_;
  JsonWriter w_;
  int64_t count_ = 0;
  int64_t scanned_ = 0;
  size_t bytes_ = 0;
};

ApiResult QueryWith(simdjson::dom::element req, ApiContext& ctx, const TableSchema& schema,
                    std::optional<std::string_view> key_text, std::optional<simdjson::dom::object> key_conditions,
                    std::optional<bool> forward, ReadRequest r, bool* verified);

ApiResult Query(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  ReadRequest r;
  std::optional<bool> forward;
  TRIB_API_RETURN_IF_ERROR(GetBool(req, "ScanIndexForward", &forward));
  TRIB_API_RETURN_IF_ERROR(ReadCommon(req, &errors, &r));
  TRIB_API_RETURN_IF_ERROR(errors.ToError());
  TRIB_API_RETURN_IF_ERROR(CheckNoMixedParameters(
      req, {"AttributesToGet", "KeyConditions", "QueryFilter", "ConditionalOperator"},
      {"ProjectionExpression", "KeyConditionExpression", "FilterExpression", "ExpressionAttributeNames",
       "ExpressionAttributeValues"}));
  std::optional<std::string_view> key_text;
  std::optional<simdjson::dom::object> key_conditions;
  TRIB_API_RETURN_IF_ERROR(GetString(req, "KeyConditionExpression", &key_text));
  TRIB_API_RETURN_IF_ERROR(GetObject(req, "KeyConditions", &key_conditions));
  bool uses_expressions = key_text || GetMember(req, "FilterExpression").present ||
                          GetMember(req, "ProjectionExpression").present;
  TRIB_API_RETURN_IF_ERROR(ReadExpressionAttributes(req, uses_expressions, &r.attrs));
  if (!key_text && !key_conditions) {
    return ApiError::Validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  return WithSchema(ctx, r.table, [&](const TableSchema& schema, bool* verified) -> ApiResult {
    return QueryWith(req, ctx, schema, key_text, key_conditions, forward, r, verified);
  });
}

ApiResult QueryWith(simdjson::dom::element req, ApiContext& ctx, const TableSchema& schema,
                    std::optional<std::string_view> key_text, std::optional<simdjson::dom::object> key_conditions,
                    std::optional<bool> forward, ReadRequest r, bool* verified) {
  ReadTarget target;
  TRIB_API_RETURN_IF_ERROR(ResolveTarget(schema, r.index, r.consistent, &target));
  ExpressionContext ectx(r.attrs.names, r.attrs.values);
  table::KeyCondition key;
  if (key_text) {
    auto k = table::ParseKeyConditionExpression(*key_text, &ectx, target.hash_key, target.range_key);
    if (!k.ok()) return StatusError(k.status());
    key = std::move(k).value();
  } else {
    TRIB_API_RETURN_IF_ERROR(KeyConditionFromLegacy(*key_conditions, target.hash_key, target.range_key, &key));
  }
  TRIB_API_RETURN_IF_ERROR(ReadFilterAndProjection(req, "QueryFilter", "queryFilter", "Querying", &ectx, &r));
  Status used = ectx.CheckAllUsed();
  if (!used.ok()) return StatusError(used);
  if (GetMember(req, "FilterExpression").present) {
    TRIB_API_RETURN_IF_ERROR(CheckFilterAvoidsKeys(
        r.filter, target, "Filter Expression can only contain non-primary key attributes: Primary key attribute: "));
  } else if (GetMember(req, "QueryFilter").present) {
    TRIB_API_RETURN_IF_ERROR(CheckFilterAvoidsKeys(
        r.filter, target, "QueryFilter can only contain non-key attributes: Primary key attribute: "));
  }

  table::QuerySpec spec;
  if (r.index) SetIndexName(spec, *r.index);
  spec.hash_value = std::move(key.hash_value);
  spec.range = std::move(key.range);
  spec.limit = r.limit;
  spec.exclusive_start_key = std::move(r.exclusive_start_key);
  spec.scan_forward = forward.value_or(true);
  auto page = ctx.engine->Query(r.table, spec);
  if (!page.ok()) return StatusError(page.status());
  *verified = PageMatchesSchema(*page, target, &spec.hash_value);
  KeyAtLimit(*page, r.limit, target.page_key_names, &page->last_evaluated_key);
  PageWriter out(r);
  for (const Item& item : page->items) out.Add(item);
  return out.Finish(page->last_evaluated_key);
}

uint64_t SegmentHash(const AttributeValue& v) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ULL;
  };
  mix(static_cast<unsigned char>(v.type()));
  if (v.is_scalar_text()) {
    for (char c : v.text()) mix(static_cast<unsigned char>(c));
  }
  return h;
}

ApiResult ScanWith(simdjson::dom::element req, ApiContext& ctx, const TableSchema* schema, int64_t segment,
                   int64_t total_segments, ReadRequest r, bool* verified);

ApiResult Scan(simdjson::dom::element req, ApiContext& ctx) {
  ConstraintErrors errors;
  ReadRequest r;
  std::optional<int64_t> segment, total_segments;
  TRIB_API_RETURN_IF_ERROR(ReadCommon(req, &errors, &r));
  TRIB_API_RETURN_IF_ERROR(GetInt(req, "Segment", &segment));
  TRIB_API_RETURN_IF_ERROR(GetInt(req, "TotalSegments", &total_segments));
  if (segment && *segment < 0) {
    errors.Add(std::to_string(*segment), "segment", "Member must have value greater than or equal to 0");
  }
  if (segment && *segment > 999999) {
    errors.Add(std::to_string(*segment), "segment", "Member must have value less than or equal to 999999");
  }
  if (total_segments && *total_segments < 1) {
    errors.Add(std::to_string(*total_segments), "totalSegments", "Member must have value greater than or equal to 1");
  }
  if (total_segments && *total_segments > 1000000) {
    errors.Add(std::to_string(*total_segments), "totalSegments", "Member must have value less than or equal to 1000000");
  }
  TRIB_API_RETURN_IF_ERROR(errors.ToError());
  if (segment && !total_segments) {
    return ApiError::Validation(
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  }
  if (total_segments && !segment) {
    return ApiError::Validation(
        "The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  }
  if (segment && *segment >= *total_segments) {
    return ApiError::Validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
                                std::to_string(*segment) + " is not less than TotalSegments: " +
                                std::to_string(*total_segments));
  }
  TRIB_API_RETURN_IF_ERROR(CheckNoMixedParameters(
      req, {"AttributesToGet", "ScanFilter", "ConditionalOperator"},
      {"ProjectionExpression", "FilterExpression", "ExpressionAttributeNames", "ExpressionAttributeValues"}));
  bool uses_expressions = GetMember(req, "FilterExpression").present || GetMember(req, "ProjectionExpression").present;
  TRIB_API_RETURN_IF_ERROR(ReadExpressionAttributes(req, uses_expressions, &r.attrs));
  bool segmented = total_segments && *total_segments > 1;
  if (!r.index && !segmented) {
    bool verified = false;
    return ScanWith(req, ctx, nullptr, 0, 1, std::move(r), &verified);
  }
  return WithSchema(ctx, r.table, [&](const TableSchema& schema, bool* verified) -> ApiResult {
    return ScanWith(req, ctx, &schema, segment.value_or(0), total_segments.value_or(1), r, verified);
  });
}

// `schema` is null for a plain table scan (no index, one segment).
ApiResult ScanWith(simdjson::dom::element req, ApiContext& ctx, const TableSchema* schema, int64_t segment,
                   int64_t total_segments, ReadRequest r, bool* verified) {
  ReadTarget target;
  bool segmented = total_segments > 1;
  if (schema != nullptr) TRIB_API_RETURN_IF_ERROR(ResolveTarget(*schema, r.index, r.consistent, &target));
  ExpressionContext ectx(r.attrs.names, r.attrs.values);
  TRIB_API_RETURN_IF_ERROR(ReadFilterAndProjection(req, "ScanFilter", "scanFilter", "Scanning", &ectx, &r));
  Status used = ectx.CheckAllUsed();
  if (!used.ok()) return StatusError(used);

  table::ScanSpec spec;
  if (r.index) SetIndexName(spec, *r.index);
  spec.limit = r.limit;
  spec.exclusive_start_key = std::move(r.exclusive_start_key);
  PageWriter out(r);
  if (!segmented) {
    auto page = ctx.engine->Scan(r.table, spec);
    if (!page.ok()) return StatusError(page.status());
    *verified = schema == nullptr || PageMatchesSchema(*page, target, nullptr);
    if (!page->last_evaluated_key && r.limit > 0 && page->items.size() == static_cast<size_t>(r.limit)) {
      if (schema == nullptr) {
        bool cached = false;
        auto s = Schemas().Get(ctx.engine, r.table, false, &cached);
        if (!s.ok()) return StatusError(s.status());
        TRIB_API_RETURN_IF_ERROR(ResolveTarget(**s, r.index, r.consistent, &target));
      }
      KeyAtLimit(*page, r.limit, target.page_key_names, &page->last_evaluated_key);
    }
    for (const Item& item : page->items) out.Add(item);
    return out.Finish(page->last_evaluated_key);
  }
  // A segment holds the items whose partition key hashes to it; read pages of the whole table
  // and keep the segment's items, until Limit of them or about a page's worth of bytes.
  std::optional<Item> last;
  while (true) {
    spec.limit = r.limit > 0 ? static_cast<int>(r.limit - out.scanned()) : 0;
    auto page = ctx.engine->Scan(r.table, spec);
    if (!page.ok()) return StatusError(page.status());
    if (!page->items.empty() && !*verified) *verified = PageMatchesSchema(*page, target, nullptr);
    bool stopped = false;
    for (size_t i = 0; i < page->items.size(); ++i) {
      const Item& item = page->items[i];
      auto it = item.find(target.hash_key.name);
      if (it == item.end() || SegmentHash(it->second) % static_cast<uint64_t>(total_segments) !=
                                  static_cast<uint64_t>(segment)) {
        continue;
      }
      out.Add(item);
      bool full = (r.limit > 0 && out.scanned() >= r.limit) || out.bytes() >= table::TableEngine::kPageBytes;
      if (full) {
        bool more = i + 1 < page->items.size() || page->last_evaluated_key.has_value();
        if (more || (r.limit > 0 && out.scanned() >= r.limit)) last = KeyOf(item, target.page_key_names);
        stopped = true;
        break;
      }
    }
    if (stopped || !page->last_evaluated_key) break;
    spec.exclusive_start_key = std::move(page->last_evaluated_key);
  }
  return out.Finish(last);
}

}  // namespace

void RegisterQueryOperations(OperationRegistry& registry) {
  registry.Add("DynamoDB_20120810.Query", Query);
  registry.Add("DynamoDB_20120810.Scan", Scan);
}

}  // namespace tributary::dynamodb::data_plane
