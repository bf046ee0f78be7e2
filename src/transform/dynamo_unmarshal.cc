#include "transform/dynamo_unmarshal.h"

#include "core/attribute_value.h"
#include "core/json_writer.h"

namespace tributary::transform {

using catalog::ColumnType;

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// -?(0|[1-9][0-9]*)(\.[0-9]+)?  : valid JSON without an exponent. Sets *has_dot, *int_digits.
bool IsPlainJsonNumber(std::string_view s, bool* has_dot, size_t* int_digits) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  size_t start = i;
  if (i >= n || !IsDigit(s[i])) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (i < n && IsDigit(s[i])) ++i;
  }
  *int_digits = i - start;
  *has_dot = false;
  if (i < n && s[i] == '.') {
    *has_dot = true;
    ++i;
    size_t frac = i;
    while (i < n && IsDigit(s[i])) ++i;
    if (i == frac) return false;
  }
  return i == n;
}

bool Fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

bool AppendStringArray(simdjson::dom::element e, std::string_view tag, std::string& out,
                       std::string& error) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    return Fail(error, std::string(tag) + " value is not a list of strings");
  }
  out.push_back('[');
  bool first = true;
  for (simdjson::dom::element x : arr) {
    std::string_view s;
    if (x.get_string().get(s) != simdjson::SUCCESS) {
      return Fail(error, std::string(tag) + " value is not a list of strings");
    }
    if (!first) out.push_back(',');
    first = false;
    JsonWriter::AppendQuoted(out, s);
  }
  out.push_back(']');
  return true;
}

}  // namespace

bool AppendNumber(std::string_view text, std::string& out, bool& integral, std::string& error) {
  bool has_dot = false;
  size_t int_digits = 0;
  if (IsPlainJsonNumber(text, &has_dot, &int_digits)) {
    out.append(text);
    if (has_dot) {
      integral = false;
    } else if (int_digits <= 18) {
      integral = true;
    } else {
      int64_t ignored;
      integral = NumberToInt64(text, &ignored);
    }
    return true;
  }
  Result<std::string> normalized = NormalizeNumber(text);  // rare: exponent, leading zeros, '+'
  if (!normalized.ok()) {
    return Fail(error, "N value '" + std::string(text) + "' is not a valid number (" +
                           normalized.status().message() + ")");
  }
  int64_t ignored;
  integral = NumberToInt64(*normalized, &ignored);
  out.append(*normalized);
  return true;
}

bool AppendPlainJson(simdjson::dom::element av, std::string& out, PlainValueInfo& info,
                     std::string& error) {
  simdjson::dom::object obj;
  if (av.get_object().get(obj) != simdjson::SUCCESS) {
    return Fail(error, "attribute value is not an object like {\"S\":\"...\"}");
  }
  auto it = obj.begin();
  if (it == obj.end()) return Fail(error, "attribute value is empty (no type tag)");
  std::string_view tag = it.key();
  simdjson::dom::element v = it.value();
  ++it;
  if (it != obj.end()) return Fail(error, "attribute value has more than one type tag");
  info.is_null = false;
  std::string_view s;
  switch (tag.size()) {
    case 1:
      if (tag[0] == 'S' || tag[0] == 'B') {
        if (v.get_string().get(s) != simdjson::SUCCESS) {
          return Fail(error, std::string(tag) + " value is not a string");
        }
        JsonWriter::AppendQuoted(out, s);
        info.type = ColumnType::kString;
        return true;
      }
      if (tag[0] == 'N') {
        if (v.get_string().get(s) != simdjson::SUCCESS) {
          return Fail(error, "N value is not a string");
        }
        bool integral = false;
        if (!AppendNumber(s, out, integral, error)) return false;
        info.type = integral ? ColumnType::kBigint : ColumnType::kDouble;
        return true;
      }
      if (tag[0] == 'M') {
        simdjson::dom::object m;
        if (v.get_object().get(m) != simdjson::SUCCESS) return Fail(error, "M value is not an object");
        out.push_back('{');
        bool first = true;
        PlainValueInfo inner;
        for (auto field : m) {
          if (!first) out.push_back(',');
          first = false;
          JsonWriter::AppendQuoted(out, field.key);
          out.push_back(':');
          if (!AppendPlainJson(field.value, out, inner, error)) {
            error = "in M key '" + std::string(field.key) + "': " + error;
            return false;
          }
        }
        out.push_back('}');
        info.type = ColumnType::kJson;
        return true;
      }
      if (tag[0] == 'L') {
        simdjson::dom::array l;
        if (v.get_array().get(l) != simdjson::SUCCESS) return Fail(error, "L value is not a list");
        out.push_back('[');
        bool first = true;
        size_t index = 0;
        PlainValueInfo inner;
        for (simdjson::dom::element x : l) {
          if (!first) out.push_back(',');
          first = false;
          if (!AppendPlainJson(x, out, inner, error)) {
            error = "in L item " + std::to_string(index) + ": " + error;
            return false;
          }
          ++index;
        }
        out.push_back(']');
        info.type = ColumnType::kJson;
        return true;
      }
      break;
    case 2:
      if (tag == "SS" || tag == "BS") {
        if (!AppendStringArray(v, tag, out, error)) return false;
        info.type = ColumnType::kJson;
        return true;
      }
      if (tag == "NS") {
        simdjson::dom::array arr;
        if (v.get_array().get(arr) != simdjson::SUCCESS) {
          return Fail(error, "NS value is not a list of strings");
        }
        out.push_back('[');
        bool first = true;
        for (simdjson::dom::element x : arr) {
          if (x.get_string().get(s) != simdjson::SUCCESS) {
            return Fail(error, "NS value is not a list of strings");
          }
          if (!first) out.push_back(',');
          first = false;
          bool integral = false;
          if (!AppendNumber(s, out, integral, error)) return false;
        }
        out.push_back(']');
        info.type = ColumnType::kJson;
        return true;
      }
      break;
    case 4:
      if (tag == "BOOL") {
        bool b = false;
        if (v.get_bool().get(b) != simdjson::SUCCESS) return Fail(error, "BOOL value is not a boolean");
        out += b ? "true" : "false";
        info.type = ColumnType::kBoolean;
        return true;
      }
      if (tag == "NULL") {
        bool b = false;
        if (v.get_bool().get(b) != simdjson::SUCCESS || !b) {
          return Fail(error, "NULL value must be true");
        }
        out += "null";
        info.is_null = true;
        return true;
      }
      break;
    default:
      break;
  }
  return Fail(error, "unknown attribute type tag '" + std::string(tag) + "'");
}

}  // namespace tributary::transform
