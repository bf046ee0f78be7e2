// AttributeValue: one DynamoDB attribute value of any of the ten types
// (S N B BOOL NULL M L SS NS BS), with DynamoDB's rules:
//   - N is kept as text in normalized form: plain decimal, no exponent, no leading zeros, no
//     trailing fractional zeros, "-" only for negatives, "0" for zero. At most 38 significant
//     digits, magnitude in [1E-130, 9.99..(38 digits)E+125]; violations are InvalidArgument with
//     DynamoDB's exact messages.
//   - B and BS hold raw bytes (base64 only on the wire).
//   - Sets are non-empty, without duplicates (NS compares numerically: "1" and "1.0" are equal),
//     and kept sorted so equal sets compare equal whatever their input order.
//
// Item (= AttributeMap) is an ordered map of attribute name -> value.
//
// Thread-safety: values; const methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/json_writer.h"
#include "core/status.h"

namespace tributary {

enum class AttributeType : uint8_t { kS, kN, kB, kBool, kNull, kM, kL, kSS, kNS, kBS };

// "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view AttributeTypeName(AttributeType type);
Result<AttributeType> ParseAttributeType(std::string_view name);

class AttributeValue;
using AttributeMap = std::map<std::string, AttributeValue, std::less<>>;
using AttributeList = std::vector<AttributeValue>;
using Item = AttributeMap;

class AttributeValue {
 public:
  AttributeValue() : type_(AttributeType::kNull), v_(true) {}

  static AttributeValue S(std::string text);
  // Validates and normalizes; errors carry DynamoDB's messages.
  static Result<AttributeValue> N(std::string_view text);
  static AttributeValue N(int64_t value);
  static AttributeValue B(std::string bytes);
  static AttributeValue Bool(bool value);
  static AttributeValue Null();
  static AttributeValue M(AttributeMap map);
  static AttributeValue L(AttributeList list);
  static Result<AttributeValue> SS(std::vector<std::string> values);
  static Result<AttributeValue> NS(std::vector<std::string> values);  // validates each number
  static Result<AttributeValue> BS(std::vector<std::string> values);

  AttributeType type() const { return type_; }
  bool is_scalar_text() const {
    return type_ == AttributeType::kS || type_ == AttributeType::kN || type_ == AttributeType::kB;
  }
  bool is_set() const {
    return type_ == AttributeType::kSS || type_ == AttributeType::kNS || type_ == AttributeType::kBS;
  }

  // S text, N normalized digits, or B raw bytes. Precondition: is_scalar_text().
  const std::string& text() const { return std::get<std::string>(v_); }
  // BOOL value (NULL is stored as true, as DynamoDB's {"NULL": true}).
  bool boolean() const { return std::get<bool>(v_); }
  const AttributeMap& map() const { return std::get<AttributeMap>(v_); }
  AttributeMap& mutable_map() { return std::get<AttributeMap>(v_); }
  const AttributeList& list() const { return std::get<AttributeList>(v_); }
  AttributeList& mutable_list() { return std::get<AttributeList>(v_); }
  // SS/NS/BS members, sorted (NS numerically), no duplicates.
  const std::vector<std::string>& set() const { return std::get<std::vector<std::string>>(v_); }

  // DynamoDB's size accounting for this value (excluding the attribute name).
  size_t SizeBytes() const;

  // DynamoDB JSON: {"S":"x"}, {"N":"1"}, {"B":"<base64>"}, {"M":{...}}, ...
  void AppendJson(JsonWriter& w) const;
  std::string ToJson() const;
  static Result<AttributeValue> FromJson(std::string_view json);

  friend bool operator==(const AttributeValue& a, const AttributeValue& b) {
    return a.type_ == b.type_ && a.v_ == b.v_;
  }

 private:
  using Storage =
      std::variant<std::string, bool, AttributeMap, AttributeList, std::vector<std::string>>;
  AttributeValue(AttributeType type, Storage v) : type_(type), v_(std::move(v)) {}

  AttributeType type_;
  Storage v_;
};

// Item helpers.
size_t ItemSizeBytes(const AttributeMap& item);  // names + values
void AppendItemJson(JsonWriter& w, const AttributeMap& item);  // {"a":{"S":"x"},...}
std::string ItemToJson(const AttributeMap& item);
Result<AttributeMap> ItemFromJson(std::string_view json);

// Number rules.
// Normalizes a DynamoDB number ("007" -> "7", "1.50" -> "1.5", "1e2" -> "100", "-0" -> "0").
Result<std::string> NormalizeNumber(std::string_view text);
// Numeric comparison of two normalized numbers: <0, 0, >0.
int CompareNumbers(std::string_view a, std::string_view b);
// Parses a normalized number as int64 if it is an integer that fits.
bool NumberToInt64(std::string_view normalized, int64_t* out);
double NumberToDouble(std::string_view normalized);

}  // namespace tributary
