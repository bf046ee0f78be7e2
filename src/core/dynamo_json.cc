#include "core/dynamo_json.h"

#include "core/encoding.h"

namespace tributary {

simdjson::dom::parser& ThreadLocalJsonParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

namespace {

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

Result<std::vector<std::string>> StringArray(simdjson::dom::element e, std::string_view type) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    return Invalid("Unexpected value type for " + std::string(type) + ": expected a list of strings");
  }
  std::vector<std::string> out;
  for (simdjson::dom::element x : arr) {
    std::string_view s;
    if (x.get_string().get(s) != simdjson::SUCCESS) {
      return Invalid("Unexpected value type for " + std::string(type) + ": expected a list of strings");
    }
    out.emplace_back(s);
  }
  return out;
}

}  // namespace

Result<AttributeValue> AttributeValueFromDom(simdjson::dom::element element) {
  simdjson::dom::object obj;
  if (element.get_object().get(obj) != simdjson::SUCCESS) {
    return Invalid("Supplied AttributeValue is not an object");
  }
  size_t n = obj.size();
  if (n == 0) {
    return Invalid(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (n > 1) {
    return Invalid(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
        "supported datatypes");
  }
  auto field = *obj.begin();
  std::string_view key = field.key;
  simdjson::dom::element v = field.value;
  auto type_or = ParseAttributeType(key);
  if (!type_or.ok()) {
    return Invalid("Supplied AttributeValue has an unknown datatype '" + std::string(key) + "'");
  }
  std::string_view s;
  switch (*type_or) {
    case AttributeType::kS:
      if (v.get_string().get(s) != simdjson::SUCCESS) return Invalid("Unexpected value type for S: expected a string");
      return AttributeValue::S(std::string(s));
    case AttributeType::kN:
      if (v.get_string().get(s) != simdjson::SUCCESS) return Invalid("Unexpected value type for N: expected a string");
      return AttributeValue::N(s);
    case AttributeType::kB: {
      if (v.get_string().get(s) != simdjson::SUCCESS) return Invalid("Unexpected value type for B: expected a base64 string");
      TRIB_ASSIGN_OR_RETURN(std::string bytes, Base64Decode(s));
      return AttributeValue::B(std::move(bytes));
    }
    case AttributeType::kBool: {
      bool b;
      if (v.get_bool().get(b) != simdjson::SUCCESS) return Invalid("Unexpected value type for BOOL: expected a boolean");
      return AttributeValue::Bool(b);
    }
    case AttributeType::kNull: {
      bool b;
      if (v.get_bool().get(b) != simdjson::SUCCESS || !b) {
        return Invalid(
            "One or more parameter values were invalid: Null attribute value types must have the "
            "value of true");
      }
      return AttributeValue::Null();
    }
    case AttributeType::kM: {
      TRIB_ASSIGN_OR_RETURN(AttributeMap m, ItemFromDom(v));
      return AttributeValue::M(std::move(m));
    }
    case AttributeType::kL: {
      simdjson::dom::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) return Invalid("Unexpected value type for L: expected a list");
      AttributeList list;
      list.reserve(arr.size());
      for (simdjson::dom::element x : arr) {
        TRIB_ASSIGN_OR_RETURN(AttributeValue item, AttributeValueFromDom(x));
        list.push_back(std::move(item));
      }
      return AttributeValue::L(std::move(list));
    }
    case AttributeType::kSS: {
      TRIB_ASSIGN_OR_RETURN(auto values, StringArray(v, "SS"));
      return AttributeValue::SS(std::move(values));
    }
    case AttributeType::kNS: {
      TRIB_ASSIGN_OR_RETURN(auto values, StringArray(v, "NS"));
      return AttributeValue::NS(std::move(values));
    }
    case AttributeType::kBS: {
      TRIB_ASSIGN_OR_RETURN(auto values, StringArray(v, "BS"));
      std::vector<std::string> bytes;
      bytes.reserve(values.size());
      for (const auto& b64 : values) {
        TRIB_ASSIGN_OR_RETURN(std::string b, Base64Decode(b64));
        bytes.push_back(std::move(b));
      }
      return AttributeValue::BS(std::move(bytes));
    }
  }
  return Invalid("unreachable");
}

Result<AttributeMap> ItemFromDom(simdjson::dom::element element) {
  simdjson::dom::object obj;
  if (element.get_object().get(obj) != simdjson::SUCCESS) {
    return Invalid("Expected a map of attribute names to AttributeValues");
  }
  AttributeMap out;
  for (auto field : obj) {
    auto v = AttributeValueFromDom(field.value);
    if (!v.ok()) return v.status();
    out.insert_or_assign(std::string(field.key), std::move(v).value());
  }
  return out;
}

Result<AttributeValue> AttributeValue::FromJson(std::string_view json) {
  simdjson::dom::element e;
  auto err = ThreadLocalJsonParser().parse(json.data(), json.size()).get(e);
  if (err) return Status::InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(err));
  return AttributeValueFromDom(e);
}

Result<AttributeMap> ItemFromJson(std::string_view json) {
  simdjson::dom::element e;
  auto err = ThreadLocalJsonParser().parse(json.data(), json.size()).get(e);
  if (err) return Status::InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(err));
  return ItemFromDom(e);
}

}  // namespace tributary
