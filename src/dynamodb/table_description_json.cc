// The TableDescription JSON of CreateTable, DescribeTable, UpdateTable and DeleteTable, and the
// control plane's request helpers.
#include <algorithm>

#include "dynamodb/control_plane_internal.h"

namespace tributary::dynamodb::control {

using table::IndexDescription;
using table::KeyAttribute;
using table::TableDescription;

void ControlErrors::Null(std::string_view member) {
  errors_.push_back("Value null at '" + std::string(member) + "' failed to satisfy constraint: Member must not be null");
}

void ControlErrors::Add(std::string_view value, std::string_view member, std::string_view constraint) {
  errors_.push_back("Value '" + std::string(value) + "' at '" + std::string(member) +
                    "' failed to satisfy constraint: " + std::string(constraint));
}

ApiError ControlErrors::ToError() const {
  std::string msg = std::to_string(errors_.size()) +
                    (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i > 0) msg += "; ";
    msg += errors_[i];
  }
  return ApiError::Validation(std::move(msg));
}

namespace {

ApiError WrongType(std::string_view key, std::string_view expected) {
  (void)key;
  return ApiError::Service("SerializationException", "Unexpected value type in payload, expected " + std::string(expected));
}

}  // namespace

std::optional<std::string_view> String(simdjson::dom::element obj, std::string_view key,
                                       std::optional<ApiError>* error) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) {
    if (!*error) *error = WrongType(key, "string");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> Int(simdjson::dom::element obj, std::string_view key, std::optional<ApiError>* error) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  int64_t i = 0;
  if (v.get(i) != simdjson::SUCCESS) {
    double d = 0;
    if (v.get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
    if (!*error) *error = WrongType(key, "number");
    return std::nullopt;
  }
  return i;
}

std::optional<bool> Bool(simdjson::dom::element obj, std::string_view key, std::optional<ApiError>* error) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  bool b = false;
  if (v.get(b) != simdjson::SUCCESS) {
    if (!*error) *error = WrongType(key, "boolean");
    return std::nullopt;
  }
  return b;
}

std::optional<simdjson::dom::array> Array(simdjson::dom::element obj, std::string_view key,
                                          std::optional<ApiError>* error) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  simdjson::dom::array a;
  if (v.get(a) != simdjson::SUCCESS) {
    if (!*error) *error = WrongType(key, "list");
    return std::nullopt;
  }
  return a;
}

std::optional<simdjson::dom::element> Object(simdjson::dom::element obj, std::string_view key,
                                             std::optional<ApiError>* error) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  if (v.type() != simdjson::dom::element_type::OBJECT) {
    if (!*error) *error = WrongType(key, "structure");
    return std::nullopt;
  }
  return v;
}

void CheckName(std::optional<std::string_view> name, std::string_view member, ControlErrors* errors) {
  if (!name) {
    errors->Null(member);
    return;
  }
  if (name->size() < 3) {
    errors->Add(*name, member, "Member must have length greater than or equal to 3");
  } else if (name->size() > 255) {
    errors->Add(*name, member, "Member must have length less than or equal to 255");
  }
  bool ok = std::all_of(name->begin(), name->end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
  if (!ok) errors->Add(*name, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

ApiError EngineError(const Status& status) {
  ApiError e = ApiError::FromStatus(status);
  if (status.code() == StatusCode::kNotFound || status.code() == StatusCode::kFailedPrecondition) {
    e.message = status.message();
  }
  return e;
}

ApiError TableError(const Status& status, std::string_view table) {
  if (status.code() == StatusCode::kNotFound && status.message() == "Requested resource not found") {
    return ApiError::ResourceNotFound("Requested resource not found: Table: " + std::string(table) + " not found");
  }
  return EngineError(status);
}

std::optional<std::string> TableNameFromArn(std::string_view arn) {
  // arn:aws:dynamodb:<region>:<account>:table/<name>
  constexpr std::string_view kPrefix = "arn:aws:dynamodb:";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  size_t pos = arn.find(":table/");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view name = arn.substr(pos + 7);
  if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(name);
}

namespace {

void WriteKeySchema(JsonWriter& w, const KeyAttribute& hash, const std::optional<KeyAttribute>& range) {
  w.Key("KeySchema");
  w.BeginArray();
  w.BeginObject();
  w.Key("AttributeName");
  w.String(hash.name);
  w.Key("KeyType");
  w.String("HASH");
  w.EndObject();
  if (range) {
    w.BeginObject();
    w.Key("AttributeName");
    w.String(range->name);
    w.Key("KeyType");
    w.String("RANGE");
    w.EndObject();
  }
  w.EndArray();
}

void WriteThroughput(JsonWriter& w, const table::Throughput& t) {
  w.Key("ProvisionedThroughput");
  w.BeginObject();
  w.Key("NumberOfDecreasesToday");
  w.Int(0);
  w.Key("ReadCapacityUnits");
  w.Int(t.read);
  w.Key("WriteCapacityUnits");
  w.Int(t.write);
  w.EndObject();
}

void WriteIndex(JsonWriter& w, const IndexDescription& index, bool global) {
  w.BeginObject();
  w.Key("IndexName");
  w.String(index.spec.name);
  WriteKeySchema(w, index.spec.hash_key, index.spec.range_key);
  w.Key("Projection");
  w.BeginObject();
  w.Key("ProjectionType");
  w.String(table::ProjectionTypeName(index.spec.projection));
  if (!index.spec.non_key_attributes.empty()) {
    w.Key("NonKeyAttributes");
    w.BeginArray();
    for (const auto& n : index.spec.non_key_attributes) w.String(n);
    w.EndArray();
  }
  w.EndObject();
  if (global) {
    w.Key("IndexStatus");
    w.String(index.status);
    WriteThroughput(w, index.spec.throughput);
  }
  w.Key("IndexSizeBytes");
  w.Int(index.size_bytes);
  w.Key("ItemCount");
  w.Int(index.item_count);
  w.Key("IndexArn");
  w.String(index.arn);
  w.EndObject();
}

}  // namespace

void WriteTableDescription(JsonWriter& w, const TableDescription& d) {
  w.BeginObject();
  w.Key("AttributeDefinitions");
  w.BeginArray();
  for (const auto& a : d.attribute_definitions) {
    w.BeginObject();
    w.Key("AttributeName");
    w.String(a.name);
    w.Key("AttributeType");
    w.String(AttributeTypeName(a.type));
    w.EndObject();
  }
  w.EndArray();
  w.Key("TableName");
  w.String(d.name);
  WriteKeySchema(w, d.hash_key, d.range_key);
  w.Key("TableStatus");
  w.String(d.status);
  w.Key("CreationDateTime");
  w.Double(static_cast<double>(d.creation_time_ms) / 1000.0);
  WriteThroughput(w, d.throughput);
  w.Key("TableSizeBytes");
  w.Int(d.size_bytes);
  w.Key("ItemCount");
  w.Int(d.item_count);
  w.Key("TableArn");
  w.String(d.arn);
  w.Key("TableId");
  w.String(d.table_id);
  if (d.billing_mode == table::BillingMode::kPayPerRequest) {
    w.Key("BillingModeSummary");
    w.BeginObject();
    w.Key("BillingMode");
    w.String("PAY_PER_REQUEST");
    w.Key("LastUpdateToPayPerRequestDateTime");
    w.Double(static_cast<double>(d.creation_time_ms) / 1000.0);
    w.EndObject();
  }
  bool any_local = false, any_global = false;
  for (const auto& i : d.indexes) (i.spec.local ? any_local : any_global) = true;
  if (any_local) {
    w.Key("LocalSecondaryIndexes");
    w.BeginArray();
    for (const auto& i : d.indexes) {
      if (i.spec.local) WriteIndex(w, i, false);
    }
    w.EndArray();
  }
  if (any_global) {
    w.Key("GlobalSecondaryIndexes");
    w.BeginArray();
    for (const auto& i : d.indexes) {
      if (!i.spec.local) WriteIndex(w, i, true);
    }
    w.EndArray();
  }
  if (d.stream_view_type) {
    w.Key("StreamSpecification");
    w.BeginObject();
    w.Key("StreamEnabled");
    w.Bool(true);
    w.Key("StreamViewType");
    w.String(StreamViewTypeName(*d.stream_view_type));
    w.EndObject();
  }
  if (!d.latest_stream_arn.empty()) {  // kept after the stream is disabled, as DynamoDB does
    w.Key("LatestStreamLabel");
    w.String(d.latest_stream_label);
    w.Key("LatestStreamArn");
    w.String(d.latest_stream_arn);
  }
  w.Key("DeletionProtectionEnabled");
  w.Bool(false);
  w.EndObject();
}

}  // namespace tributary::dynamodb::control
