// CreateTable, DescribeTable, UpdateTable, DeleteTable and ListTables.
#include <algorithm>
#include <set>

#include "core/json_writer.h"
#include "dynamodb/control_plane_internal.h"
#include "table/table_stream_admin.h"

namespace tributary::dynamodb::control {

namespace {

using table::BillingMode;
using table::IndexSpec;
using table::KeyAttribute;
using table::ProjectionType;
using table::TableDescription;
using table::TableSpec;
using table::Throughput;

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

std::string Response(std::string_view key, const TableDescription& d) {
  JsonWriter w;
  w.BeginObject();
  w.Key(key);
  WriteTableDescription(w, d);
  w.EndObject();
  return w.Take();
}

// KeySchema -> hash [+ range] names (types resolved later against AttributeDefinitions).
struct ParsedKeySchema {
  std::string hash;
  std::optional<std::string> range;
};

std::optional<ApiError> ParseKeySchema(simdjson::dom::array schema, std::string_view member, ControlErrors* errors,
                                       ParsedKeySchema* out) {
  size_t n = schema.size();
  if (n == 0) {
    errors->Add("[]", member, "Member must have length greater than or equal to 1");
    return std::nullopt;
  }
  if (n > 2) {
    errors->Add("[...]", member, "Member must have length less than or equal to 2");
    return std::nullopt;
  }
  size_t i = 0;
  std::optional<ApiError> error;
  std::vector<std::pair<std::string, std::string>> elems;
  for (simdjson::dom::element e : schema) {
    ++i;
    std::string prefix = std::string(member) + "." + std::to_string(i) + ".member.";
    auto name = String(e, "AttributeName", &error);
    auto type = String(e, "KeyType", &error);
    if (error) return error;
    if (!name) errors->Null(prefix + "attributeName");
    if (!type) {
      errors->Null(prefix + "keyType");
    } else if (*type != "HASH" && *type != "RANGE") {
      errors->Add(*type, prefix + "keyType", "Member must satisfy enum value set: [HASH, RANGE]");
    }
    if (name && name->size() > 255) {
      errors->Add(*name, prefix + "attributeName", "Member must have length less than or equal to 255");
    }
    elems.emplace_back(name ? std::string(*name) : "", type ? std::string(*type) : "");
  }
  if (!errors->empty()) return std::nullopt;
  if (elems[0].second != "HASH") {
    return ApiError::Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (elems.size() == 2) {
    if (elems[1].second != "RANGE") {
      return ApiError::Validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    if (elems[0].first == elems[1].first) {
      return ApiError::Validation(
          "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    out->range = elems[1].first;
  }
  out->hash = elems[0].first;
  return std::nullopt;
}

std::optional<ApiError> ParseThroughput(simdjson::dom::element obj, std::string_view member, ControlErrors* errors,
                                        Throughput* out) {
  std::optional<ApiError> error;
  auto r = Int(obj, "ReadCapacityUnits", &error);
  auto w = Int(obj, "WriteCapacityUnits", &error);
  if (error) return error;
  std::string m(member);
  if (!r) {
    errors->Null(m + ".readCapacityUnits");
  } else if (*r < 1) {
    errors->Add(std::to_string(*r), m + ".readCapacityUnits", "Member must have value greater than or equal to 1");
  }
  if (!w) {
    errors->Null(m + ".writeCapacityUnits");
  } else if (*w < 1) {
    errors->Add(std::to_string(*w), m + ".writeCapacityUnits", "Member must have value greater than or equal to 1");
  }
  out->read = r.value_or(0);
  out->write = w.value_or(0);
  return std::nullopt;
}

struct ParsedIndex {
  IndexSpec spec;
  ParsedKeySchema keys;
  bool has_throughput = false;
};

std::optional<ApiError> ParseIndex(simdjson::dom::element e, std::string_view member, bool local,
                                   ControlErrors* errors, ParsedIndex* out) {
  std::optional<ApiError> error;
  auto name = String(e, "IndexName", &error);
  auto schema = Array(e, "KeySchema", &error);
  auto projection = Object(e, "Projection", &error);
  auto throughput = Object(e, "ProvisionedThroughput", &error);
  if (error) return error;
  std::string m(member);
  CheckName(name, m + ".indexName", errors);
  if (!schema) errors->Null(m + ".keySchema");
  if (!projection) errors->Null(m + ".projection");
  if (!errors->empty()) return std::nullopt;
  out->spec.name = std::string(*name);
  out->spec.local = local;
  if (auto e2 = ParseKeySchema(*schema, m + ".keySchema", errors, &out->keys)) return e2;
  auto type = String(*projection, "ProjectionType", &error);
  auto non_key = Array(*projection, "NonKeyAttributes", &error);
  if (error) return error;
  if (type && *type != "ALL" && *type != "KEYS_ONLY" && *type != "INCLUDE") {
    errors->Add(*type, m + ".projection.projectionType", "Member must satisfy enum value set: [ALL, KEYS_ONLY, INCLUDE]");
    return std::nullopt;
  }
  out->spec.projection = !type || *type == "ALL" ? ProjectionType::kAll
                         : *type == "KEYS_ONLY"  ? ProjectionType::kKeysOnly
                                                 : ProjectionType::kInclude;
  if (!type && !non_key) {
    return ApiError::Validation(std::string(kInvalid) + "Unknown ProjectionType: null");
  }
  if (non_key) {
    for (simdjson::dom::element n : *non_key) {
      std::string_view s;
      if (n.get(s) != simdjson::SUCCESS) return ApiError::Service("SerializationException", "Unexpected value type in payload, expected string");
      out->spec.non_key_attributes.emplace_back(s);
    }
  }
  if (throughput) {
    out->has_throughput = true;
    if (auto e2 = ParseThroughput(*throughput, m + ".provisionedThroughput", errors, &out->spec.throughput)) return e2;
  }
  return std::nullopt;
}

// AttributeDefinitions -> name -> type.
std::optional<ApiError> ParseAttributeDefinitions(simdjson::dom::array defs, ControlErrors* errors,
                                                  std::vector<KeyAttribute>* out) {
  size_t i = 0;
  std::optional<ApiError> error;
  for (simdjson::dom::element e : defs) {
    ++i;
    std::string prefix = "attributeDefinitions." + std::to_string(i) + ".member.";
    auto name = String(e, "AttributeName", &error);
    auto type = String(e, "AttributeType", &error);
    if (error) return error;
    if (!name) errors->Null(prefix + "attributeName");
    if (!type) {
      errors->Null(prefix + "attributeType");
    } else if (*type != "S" && *type != "N" && *type != "B") {
      errors->Add(*type, prefix + "attributeType", "Member must satisfy enum value set: [B, N, S]");
    }
    if (name && type && errors->empty()) {
      out->push_back({std::string(*name), *ParseAttributeType(*type)});
    }
  }
  return std::nullopt;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out + "]";
}

// Resolves the key names of the table and its indexes against the definitions, with DynamoDB's
// "Some index key attributes are not defined" and "does not exactly match" checks.
std::optional<ApiError> ResolveKeys(const std::vector<KeyAttribute>& defs, const ParsedKeySchema& table_keys,
                                    std::vector<ParsedIndex>& indexes, TableSpec* spec) {
  auto find = [&defs](const std::string& name) -> const KeyAttribute* {
    for (const auto& d : defs) {
      if (d.name == name) return &d;
    }
    return nullptr;
  };
  std::vector<std::string> key_names;
  auto add = [&key_names](const std::string& n) {
    if (std::find(key_names.begin(), key_names.end(), n) == key_names.end()) key_names.push_back(n);
  };
  add(table_keys.hash);
  if (table_keys.range) add(*table_keys.range);
  for (const auto& i : indexes) {
    add(i.keys.hash);
    if (i.keys.range) add(*i.keys.range);
  }
  std::vector<std::string> def_names;
  for (const auto& d : defs) def_names.push_back(d.name);
  for (const auto& n : key_names) {
    if (find(n) == nullptr) {
      return ApiError::Validation(std::string(kInvalid) +
                                  "Some index key attributes are not defined in AttributeDefinitions. Keys: " +
                                  JoinNames(key_names) + ", AttributeDefinitions: " + JoinNames(def_names));
    }
  }
  std::set<std::string> unique_defs(def_names.begin(), def_names.end());
  if (unique_defs.size() != def_names.size()) {
    return ApiError::Validation(std::string(kInvalid) +
                                "Cannot have two attributes with the same name. Attribute definitions: " +
                                JoinNames(def_names));
  }
  if (def_names.size() != key_names.size()) {
    return ApiError::Validation(std::string(kInvalid) +
                                "Number of attributes in KeySchema does not exactly match number of attributes "
                                "defined in AttributeDefinitions");
  }
  spec->hash_key = *find(table_keys.hash);
  if (table_keys.range) spec->range_key = *find(*table_keys.range);
  for (auto& i : indexes) {
    i.spec.hash_key = *find(i.keys.hash);
    if (i.keys.range) i.spec.range_key = *find(*i.keys.range);
    spec->indexes.push_back(i.spec);
  }
  spec->attribute_definitions = defs;
  return std::nullopt;
}

std::optional<ApiError> ParseStreamSpecification(simdjson::dom::element obj, std::optional<StreamViewType>* out,
                                                 bool* enabled) {
  std::optional<ApiError> error;
  auto on = Bool(obj, "StreamEnabled", &error);
  auto view = String(obj, "StreamViewType", &error);
  if (error) return error;
  if (!on) {
    return ApiError::Validation(
        "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy "
        "constraint: Member must not be null");
  }
  *enabled = *on;
  if (view) {
    auto parsed = ParseStreamViewType(*view);
    if (!parsed.ok()) {
      return ApiError::Validation("1 validation error detected: Value '" + std::string(*view) +
                                  "' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member "
                                  "must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, "
                                  "KEYS_ONLY]");
    }
    if (*on) *out = *parsed;
  }
  if (*on && !view) {
    return ApiError::Validation(std::string(kInvalid) +
                                "You must specify a StreamViewType when enabling a stream");
  }
  if (!*on && view) {
    return ApiError::Validation(std::string(kInvalid) +
                                "You cannot modify StreamViewType when disabling a stream");
  }
  return std::nullopt;
}

std::optional<ApiError> ParseBilling(std::optional<std::string_view> mode, ControlErrors* errors, BillingMode* out) {
  if (!mode) return std::nullopt;
  if (*mode == "PROVISIONED") {
    *out = BillingMode::kProvisioned;
  } else if (*mode == "PAY_PER_REQUEST") {
    *out = BillingMode::kPayPerRequest;
  } else {
    errors->Add(*mode, "billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  return std::nullopt;
}

ApiResult CreateTable(simdjson::dom::element req, ApiContext& ctx) {
  std::optional<ApiError> error;
  auto defs_json = Array(req, "AttributeDefinitions", &error);
  auto name = String(req, "TableName", &error);
  auto schema = Array(req, "KeySchema", &error);
  auto lsis = Array(req, "LocalSecondaryIndexes", &error);
  auto gsis = Array(req, "GlobalSecondaryIndexes", &error);
  auto billing = String(req, "BillingMode", &error);
  auto throughput = Object(req, "ProvisionedThroughput", &error);
  auto stream = Object(req, "StreamSpecification", &error);
  auto tags = Array(req, "Tags", &error);
  if (error) return *error;

  ControlErrors errors;
  if (!defs_json) errors.Null("attributeDefinitions");
  CheckName(name, "tableName", &errors);
  if (!schema) errors.Null("keySchema");
  TableSpec spec;
  spec.billing_mode = BillingMode::kProvisioned;
  if (auto e = ParseBilling(billing, &errors, &spec.billing_mode)) return *e;
  if (!errors.empty()) return errors.ToError();

  std::vector<KeyAttribute> defs;
  if (auto e = ParseAttributeDefinitions(*defs_json, &errors, &defs)) return *e;
  ParsedKeySchema keys;
  if (auto e = ParseKeySchema(*schema, "keySchema", &errors, &keys)) return *e;
  std::vector<ParsedIndex> indexes;
  for (auto [list, local] : {std::pair{lsis, true}, std::pair{gsis, false}}) {
    if (!list) continue;
    std::string member = local ? "localSecondaryIndexes" : "globalSecondaryIndexes";
    if (list->size() == 0) {
      return ApiError::Validation(std::string(kInvalid) + "List of " +
                                  (local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes") + " is empty");
    }
    size_t i = 0;
    for (simdjson::dom::element e : *list) {
      ParsedIndex& index = indexes.emplace_back();
      if (auto err = ParseIndex(e, member + "." + std::to_string(++i) + ".member", local, &errors, &index)) return *err;
    }
  }
  if (throughput) {
    if (auto e = ParseThroughput(*throughput, "provisionedThroughput", &errors, &spec.throughput)) return *e;
  }
  if (!errors.empty()) return errors.ToError();

  if (spec.billing_mode == BillingMode::kPayPerRequest) {
    if (throughput) {
      return ApiError::Validation(std::string(kInvalid) +
                                  "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                  "BillingMode is PAY_PER_REQUEST");
    }
    for (const auto& i : indexes) {
      if (i.has_throughput) {
        return ApiError::Validation(std::string(kInvalid) +
                                    "ProvisionedThroughput should not be specified for index: " + i.spec.name +
                                    " when BillingMode is PAY_PER_REQUEST");
      }
    }
  } else {
    if (!throughput) {
      return ApiError::Validation(std::string(kInvalid) +
                                  "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                                  "BillingMode is PROVISIONED");
    }
    for (const auto& i : indexes) {
      if (!i.spec.local && !i.has_throughput) {
        return ApiError::Validation(std::string(kInvalid) + "ProvisionedThroughput must be specified for index: " +
                                    i.spec.name);
      }
    }
  }
  for (const auto& i : indexes) {
    if (i.spec.local && i.has_throughput) {
      return ApiError::Validation(std::string(kInvalid) +
                                  "ProvisionedThroughput should not be specified for local secondary index: " +
                                  i.spec.name);
    }
  }
  spec.name = std::string(*name);
  if (auto e = ResolveKeys(defs, keys, indexes, &spec)) return *e;
  if (stream) {
    bool enabled = false;
    if (auto e = ParseStreamSpecification(*stream, &spec.stream_view_type, &enabled)) return *e;
  }
  std::map<std::string, std::string> tag_map;
  if (tags) {
    for (simdjson::dom::element t : *tags) {
      auto k = String(t, "Key", &error);
      auto v = String(t, "Value", &error);
      if (error) return *error;
      if (!k || !v) return ApiError::Validation("1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null");
      tag_map[std::string(*k)] = std::string(*v);
    }
  }
  auto created = ctx.engine->CreateTable(spec);
  if (!created.ok()) return EngineError(created.status());
  if (!tag_map.empty()) {
    Status s = ctx.engine->TagTable(spec.name, tag_map);
    if (!s.ok()) return EngineError(s);
  }
  TableDescription d = *created;
  d.status = "CREATING";  // DescribeTable then reports ACTIVE (boto3's table_exists waiter)
  for (auto& i : d.indexes) {
    if (!i.spec.local) i.status = "CREATING";
  }
  return Response("TableDescription", d);
}

std::optional<ApiError> RequiredTableName(simdjson::dom::element req, std::string* out) {
  std::optional<ApiError> error;
  auto name = String(req, "TableName", &error);
  if (error) return error;
  ControlErrors errors;
  CheckName(name, "tableName", &errors);
  if (!errors.empty()) return errors.ToError();
  *out = std::string(*name);
  return std::nullopt;
}

ApiResult DescribeTable(simdjson::dom::element req, ApiContext& ctx) {
  std::string name;
  if (auto e = RequiredTableName(req, &name)) return *e;
  auto d = ctx.engine->DescribeTable(name);
  if (!d.ok()) return TableError(d.status(), name);
  return Response("Table", *d);
}

ApiResult DeleteTable(simdjson::dom::element req, ApiContext& ctx) {
  std::string name;
  if (auto e = RequiredTableName(req, &name)) return *e;
  auto d = ctx.engine->DeleteTable(name);
  if (!d.ok()) return TableError(d.status(), name);
  return Response("TableDescription", *d);
}

ApiResult ListTables(simdjson::dom::element req, ApiContext& ctx) {
  std::optional<ApiError> error;
  auto start = String(req, "ExclusiveStartTableName", &error);
  auto limit = Int(req, "Limit", &error);
  if (error) return *error;
  ControlErrors errors;
  if (start) CheckName(start, "exclusiveStartTableName", &errors);
  if (limit && *limit < 1) {
    errors.Add(std::to_string(*limit), "limit", "Member must have value greater than or equal to 1");
  } else if (limit && *limit > 100) {
    errors.Add(std::to_string(*limit), "limit", "Member must have value less than or equal to 100");
  }
  if (!errors.empty()) return errors.ToError();
  auto result = ctx.engine->ListTables(start.value_or(""), static_cast<int>(limit.value_or(100)));
  if (!result.ok()) return EngineError(result.status());
  JsonWriter w;
  w.BeginObject();
  if (result->last_evaluated_table_name) {
    w.Key("LastEvaluatedTableName");
    w.String(*result->last_evaluated_table_name);
  }
  w.Key("TableNames");
  w.BeginArray();
  for (const auto& n : result->table_names) w.String(n);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

ApiResult UpdateTable(simdjson::dom::element req, ApiContext& ctx) {
  std::string name;
  if (auto e = RequiredTableName(req, &name)) return *e;
  std::optional<ApiError> error;
  auto defs_json = Array(req, "AttributeDefinitions", &error);
  auto billing = String(req, "BillingMode", &error);
  auto throughput = Object(req, "ProvisionedThroughput", &error);
  auto gsi_updates = Array(req, "GlobalSecondaryIndexUpdates", &error);
  auto stream = Object(req, "StreamSpecification", &error);
  if (error) return *error;
  ControlErrors errors;
  table::TableUpdate update;
  BillingMode mode = BillingMode::kProvisioned;
  if (auto e = ParseBilling(billing, &errors, &mode)) return *e;
  if (billing) update.billing_mode = mode;
  std::vector<KeyAttribute> defs;
  if (defs_json) {
    if (auto e = ParseAttributeDefinitions(*defs_json, &errors, &defs)) return *e;
  }
  if (throughput) {
    Throughput t;
    if (auto e = ParseThroughput(*throughput, "provisionedThroughput", &errors, &t)) return *e;
    update.throughput = t;
  }
  std::vector<ParsedIndex> creates;
  if (gsi_updates) {
    size_t i = 0;
    for (simdjson::dom::element u : *gsi_updates) {
      std::string member = "globalSecondaryIndexUpdates." + std::to_string(++i) + ".member";
      auto create = Object(u, "Create", &error);
      auto del = Object(u, "Delete", &error);
      auto upd = Object(u, "Update", &error);
      if (error) return *error;
      int actions = (create ? 1 : 0) + (del ? 1 : 0) + (upd ? 1 : 0);
      if (actions != 1) {
        return ApiError::Validation(std::string(kInvalid) +
                                    "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                                    "GlobalSecondaryIndexUpdate.Delete must not be null");
      }
      if (create) {
        ParsedIndex& index = creates.emplace_back();
        if (auto e = ParseIndex(*create, member + ".create", false, &errors, &index)) return *e;
      } else if (del) {
        auto n = String(*del, "IndexName", &error);
        if (error) return *error;
        CheckName(n, member + ".delete.indexName", &errors);
        if (n) update.delete_indexes.emplace_back(*n);
      } else {
        auto n = String(*upd, "IndexName", &error);
        auto tp = Object(*upd, "ProvisionedThroughput", &error);
        if (error) return *error;
        CheckName(n, member + ".update.indexName", &errors);
        Throughput t;
        if (!tp) {
          errors.Null(member + ".update.provisionedThroughput");
        } else if (auto e = ParseThroughput(*tp, member + ".update.provisionedThroughput", &errors, &t)) {
          return *e;
        }
        if (n) update.update_indexes.emplace_back(std::string(*n), t);
      }
    }
  }
  if (!errors.empty()) return errors.ToError();
  std::optional<StreamViewType> stream_view;
  bool stream_enabled = false;
  if (stream) {
    if (auto e = ParseStreamSpecification(*stream, &stream_view, &stream_enabled)) return *e;
  }
  if (!billing && !throughput && !gsi_updates && !stream) {
    return ApiError::Validation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates "
        "or SSESpecification or ReplicaUpdates is required");
  }
  auto current = ctx.engine->DescribeTable(name);
  if (!current.ok()) return TableError(current.status(), name);
  BillingMode effective = update.billing_mode.value_or(current->billing_mode);
  if (effective == BillingMode::kPayPerRequest && throughput) {
    return ApiError::Validation(std::string(kInvalid) +
                                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                "BillingMode is PAY_PER_REQUEST");
  }
  if (effective == BillingMode::kProvisioned && current->billing_mode == BillingMode::kPayPerRequest && !throughput) {
    return ApiError::Validation(std::string(kInvalid) +
                                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
                                "is PROVISIONED");
  }
  if (effective == BillingMode::kPayPerRequest) update.throughput = Throughput{};
  if (!creates.empty()) {
    if (!defs_json) {
      return ApiError::Validation(std::string(kInvalid) +
                                  "Global Secondary Index Create requires AttributeDefinitions");
    }
    auto find = [&](const std::string& n) -> const KeyAttribute* {
      for (const auto& d : defs) {
        if (d.name == n) return &d;
      }
      for (const auto& d : current->attribute_definitions) {
        if (d.name == n) return &d;
      }
      return nullptr;
    };
    for (auto& c : creates) {
      if (effective == BillingMode::kProvisioned && !c.has_throughput) {
        return ApiError::Validation(std::string(kInvalid) + "ProvisionedThroughput must be specified for index: " +
                                    c.spec.name);
      }
      if (effective == BillingMode::kPayPerRequest && c.has_throughput) {
        return ApiError::Validation(std::string(kInvalid) +
                                    "ProvisionedThroughput should not be specified for index: " + c.spec.name +
                                    " when BillingMode is PAY_PER_REQUEST");
      }
      std::vector<std::string> missing;
      const KeyAttribute* h = find(c.keys.hash);
      const KeyAttribute* r = c.keys.range ? find(*c.keys.range) : nullptr;
      if (h == nullptr || (c.keys.range && r == nullptr)) {
        std::vector<std::string> key_names{c.keys.hash};
        if (c.keys.range) key_names.push_back(*c.keys.range);
        std::vector<std::string> def_names;
        for (const auto& d : defs) def_names.push_back(d.name);
        return ApiError::Validation(std::string(kInvalid) +
                                    "Some index key attributes are not defined in AttributeDefinitions. Keys: " +
                                    JoinNames(key_names) + ", AttributeDefinitions: " + JoinNames(def_names));
      }
      c.spec.hash_key = *h;
      if (r != nullptr) c.spec.range_key = *r;
      update.create_indexes.push_back(c.spec);
    }
    update.attribute_definitions = defs;
  }
  if (stream) {
    Status s = stream_enabled ? table::StreamAdmin::EnableStream(*ctx.engine, name, *stream_view)
                              : table::StreamAdmin::DisableStream(*ctx.engine, name);
    if (!s.ok()) return TableError(s, name);
    if (!billing && !throughput && !gsi_updates) {
      auto d = ctx.engine->DescribeTable(name);
      if (!d.ok()) return TableError(d.status(), name);
      return Response("TableDescription", *d);
    }
  }
  auto d = ctx.engine->UpdateTable(name, update);
  if (!d.ok()) {
    if (d.status().code() == StatusCode::kNotFound) return ApiError::ResourceNotFound(d.status().message());
    return TableError(d.status(), name);
  }
  return Response("TableDescription", *d);
}

}  // namespace

void RegisterTables(OperationRegistry& registry) {
  registry.Add("DynamoDB_20120810.CreateTable", CreateTable);
  registry.Add("DynamoDB_20120810.DescribeTable", DescribeTable);
  registry.Add("DynamoDB_20120810.DeleteTable", DeleteTable);
  registry.Add("DynamoDB_20120810.ListTables", ListTables);
  registry.Add("DynamoDB_20120810.UpdateTable", UpdateTable);
}

}  // namespace tributary::dynamodb::control
