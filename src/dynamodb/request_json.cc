#include "dynamodb/request_json.h"

#include <cmath>

#include "core/dynamo_json.h"

namespace tributary::dynamodb {

void ConstraintErrors::Null(std::string_view member) {
  errors_.push_back("Value null at '" + std::string(member) + "' failed to satisfy constraint: Member must not be null");
}

void ConstraintErrors::Add(std::string_view value, std::string_view member, std::string_view constraint) {
  errors_.push_back("Value '" + std::string(value) + "' at '" + std::string(member) +
                    "' failed to satisfy constraint: " + std::string(constraint));
}

void ConstraintErrors::Enum(std::string_view value, std::string_view member, std::string_view allowed) {
  Add(value, member, "Member must satisfy enum value set: [" + std::string(allowed) + "]");
}

MaybeError ConstraintErrors::ToError() const {
  if (errors_.empty()) return std::nullopt;
  std::string m = std::to_string(errors_.size()) +
                  (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i > 0) m += "; ";
    m += errors_[i];
  }
  return ApiError::Validation(std::move(m));
}

Member GetMember(simdjson::dom::element object, std::string_view key) {
  Member m;
  simdjson::dom::element v;
  if (object.at_key(key).get(v) == simdjson::SUCCESS && !v.is_null()) {
    m.value = v;
    m.present = true;
  }
  return m;
}

ApiError SerializationError(std::string_view key) {
  return ApiError::Service("SerializationException", "Unexpected value type in payload for member " + std::string(key));
}

MaybeError GetString(simdjson::dom::element object, std::string_view key, std::optional<std::string_view>* out) {
  Member m = GetMember(object, key);
  if (!m.present) return std::nullopt;
  std::string_view s;
  if (m.value.get_string().get(s) != simdjson::SUCCESS) return SerializationError(key);
  *out = s;
  return std::nullopt;
}

MaybeError GetBool(simdjson::dom::element object, std::string_view key, std::optional<bool>* out) {
  Member m = GetMember(object, key);
  if (!m.present) return std::nullopt;
  bool b;
  if (m.value.get_bool().get(b) != simdjson::SUCCESS) return SerializationError(key);
  *out = b;
  return std::nullopt;
}

MaybeError GetInt(simdjson::dom::element object, std::string_view key, std::optional<int64_t>* out) {
  Member m = GetMember(object, key);
  if (!m.present) return std::nullopt;
  int64_t i;
  if (m.value.get_int64().get(i) == simdjson::SUCCESS) {
    *out = i;
    return std::nullopt;
  }
  double d;
  if (m.value.get_double().get(d) == simdjson::SUCCESS && std::floor(d) == d && std::fabs(d) < 9e18) {
    *out = static_cast<int64_t>(d);
    return std::nullopt;
  }
  return SerializationError(key);
}

MaybeError GetObject(simdjson::dom::element object, std::string_view key, std::optional<simdjson::dom::object>* out) {
  Member m = GetMember(object, key);
  if (!m.present) return std::nullopt;
  simdjson::dom::object o;
  if (m.value.get_object().get(o) != simdjson::SUCCESS) return SerializationError(key);
  *out = o;
  return std::nullopt;
}

MaybeError GetArray(simdjson::dom::element object, std::string_view key, std::optional<simdjson::dom::array>* out) {
  Member m = GetMember(object, key);
  if (!m.present) return std::nullopt;
  simdjson::dom::array a;
  if (m.value.get_array().get(a) != simdjson::SUCCESS) return SerializationError(key);
  *out = a;
  return std::nullopt;
}

namespace {

void CheckName(std::optional<std::string_view> name, std::string_view member, ConstraintErrors* errors) {
  if (name->size() < 3) {
    errors->Add(*name, member, "Member must have length greater than or equal to 3");
  } else if (name->size() > 255) {
    errors->Add(*name, member, "Member must have length less than or equal to 255");
  }
  for (char c : *name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-';
    if (!ok) {
      errors->Add(*name, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
      break;
    }
  }
}

}  // namespace

void CheckTableName(std::optional<std::string_view> name, std::string_view member, ConstraintErrors* errors) {
  if (!name) {
    errors->Null(member);
    return;
  }
  CheckName(name, member, errors);
}

void CheckIndexName(std::optional<std::string_view> name, ConstraintErrors* errors) {
  if (name) CheckName(name, "indexName", errors);
}

ApiError StatusError(const Status& status) { return ApiError::FromStatus(status); }

MaybeError ReadExpressionAttributes(simdjson::dom::element request, bool uses_expressions, ExpressionAttributes* out) {
  std::optional<simdjson::dom::object> names, values;
  if (auto e = GetObject(request, "ExpressionAttributeNames", &names)) return e;
  if (auto e = GetObject(request, "ExpressionAttributeValues", &values)) return e;
  if (names) {
    if (!uses_expressions) {
      return ApiError::Validation("ExpressionAttributeNames can only be specified when using expressions");
    }
    if (names->size() == 0) return ApiError::Validation("ExpressionAttributeNames must not be empty");
    out->has_names = true;
    for (auto field : *names) {
      std::string_view s;
      if (field.value.get_string().get(s) != simdjson::SUCCESS) return SerializationError("ExpressionAttributeNames");
      out->names.emplace(std::string(field.key), std::string(s));
    }
  }
  if (values) {
    if (!uses_expressions) {
      return ApiError::Validation("ExpressionAttributeValues can only be specified when using expressions");
    }
    if (values->size() == 0) return ApiError::Validation("ExpressionAttributeValues must not be empty");
    out->has_values = true;
    for (auto field : *values) {
      auto v = AttributeValueFromDom(field.value);
      if (!v.ok()) {
        return ApiError::Validation("ExpressionAttributeValues contains invalid value: " + v.status().message() +
                                    " for key " + std::string(field.key));
      }
      out->values.emplace(std::string(field.key), std::move(v).value());
    }
  }
  table::ExpressionContext ctx(out->names, out->values);
  Status s = ctx.ValidateKeys();
  if (!s.ok()) return StatusError(s);
  return std::nullopt;
}

MaybeError CheckNoMixedParameters(simdjson::dom::element request, std::initializer_list<std::string_view> legacy,
                                  std::initializer_list<std::string_view> expression) {
  auto present = [&request](std::initializer_list<std::string_view> keys) {
    std::string out;
    for (std::string_view k : keys) {
      if (!GetMember(request, k).present) continue;
      if (!out.empty()) out += ", ";
      out += k;
    }
    return out;
  };
  std::string l = present(legacy);
  if (l.empty()) return std::nullopt;
  std::string e = present(expression);
  if (e.empty()) return std::nullopt;
  return ApiError::Validation(
      "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {" +
      l + "} Expression parameters: {" + e + "}");
}

CapacityMode ReadCapacityMode(simdjson::dom::element request, ConstraintErrors* errors) {
  std::optional<std::string_view> mode;
  if (GetString(request, "ReturnConsumedCapacity", &mode) || !mode) return CapacityMode::kNone;
  if (*mode == "TOTAL") return CapacityMode::kTotal;
  if (*mode == "INDEXES") return CapacityMode::kIndexes;
  if (*mode != "NONE") errors->Enum(*mode, "returnConsumedCapacity", "INDEXES, TOTAL, NONE");
  return CapacityMode::kNone;
}

void WriteCapacityObject(JsonWriter& w, CapacityMode mode, std::string_view table, double units) {
  w.BeginObject();
  w.Key("TableName");
  w.String(table);
  w.Key("CapacityUnits");
  w.Double(units);
  if (mode == CapacityMode::kIndexes) {
    w.Key("Table");
    w.BeginObject();
    w.Key("CapacityUnits");
    w.Double(units);
    w.EndObject();
  }
  w.EndObject();
}

void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, std::string_view table, double units) {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  WriteCapacityObject(w, mode, table, units);
}

double WriteUnits(size_t bytes) { return std::max<double>(1.0, std::ceil(static_cast<double>(bytes) / 1024.0)); }

double ReadUnits(size_t bytes, bool consistent) {
  double units = std::max<double>(1.0, std::ceil(static_cast<double>(bytes) / 4096.0));
  return consistent ? units : units / 2;
}

}  // namespace tributary::dynamodb
