#include "core/attribute_value.h"

#include <algorithm>
#include <cstdlib>

#include "core/encoding.h"

namespace tributary {

std::string_view AttributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kS: return "S";
    case AttributeType::kN: return "N";
    case AttributeType::kB: return "B";
    case AttributeType::kBool: return "BOOL";
    case AttributeType::kNull: return "NULL";
    case AttributeType::kM: return "M";
    case AttributeType::kL: return "L";
    case AttributeType::kSS: return "SS";
    case AttributeType::kNS: return "NS";
    case AttributeType::kBS: return "BS";
  }
  return "?";
}

Result<AttributeType> ParseAttributeType(std::string_view name) {
  static constexpr AttributeType kAll[] = {
      AttributeType::kS,  AttributeType::kN, AttributeType::kB,  AttributeType::kBool,
      AttributeType::kNull, AttributeType::kM, AttributeType::kL, AttributeType::kSS,
      AttributeType::kNS, AttributeType::kBS};
  for (AttributeType t : kAll) {
    if (AttributeTypeName(t) == name) return t;
  }
  return Status::InvalidArgument("unknown attribute type '" + std::string(name) + "'");
}

// ---------------------------------------------------------------------------------------------
// Numbers

Result<std::string> NormalizeNumber(std::string_view text) {
  static const Status kNotANumber =
      Status::InvalidArgument("A value provided cannot be converted into a number");
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  digits.reserve(text.size());
  int64_t frac_len = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      seen_digit = true;
      if (seen_point) ++frac_len;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return kNotANumber;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i >= text.size()) return kNotANumber;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return kNotANumber;
      if (exponent < 100000000) exponent = exponent * 10 + (c - '0');
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return kNotANumber;

  // value = digits * 10^(exponent - frac_len); strip leading and trailing zeros.
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return std::string("0");
  size_t last = digits.find_last_not_of('0');
  int64_t scale = exponent - frac_len + static_cast<int64_t>(digits.size() - 1 - last);
  std::string sig = digits.substr(first, last - first + 1);
  if (sig.size() > 38) {
    return Status::InvalidArgument("Attempting to store more than 38 significant digits in a Number");
  }
  int64_t adjusted = scale + static_cast<int64_t>(sig.size()) - 1;
  if (adjusted > 125) {
    return Status::InvalidArgument(
        "Number overflow. Attempting to store a number with magnitude larger than supported range");
  }
  if (adjusted < -130) {
    return Status::InvalidArgument(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  }
  std::string out;
  if (negative) out.push_back('-');
  if (scale >= 0) {
    out += sig;
    out.append(static_cast<size_t>(scale), '0');
  } else {
    int64_t point = static_cast<int64_t>(sig.size()) + scale;
    if (point > 0) {
      out.append(sig, 0, static_cast<size_t>(point));
      out.push_back('.');
      out.append(sig, static_cast<size_t>(point));
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-point), '0');
      out += sig;
    }
  }
  return out;
}

namespace {

int CompareMagnitude(std::string_view a, std::string_view b) {
  auto split = [](std::string_view s, std::string_view* ip, std::string_view* fp) {
    size_t dot = s.find('.');
    *ip = s.substr(0, dot);
    *fp = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    if (*ip == "0") *ip = std::string_view();
  };
  std::string_view ai, af, bi, bf;
  split(a, &ai, &af);
  split(b, &bi, &bf);
  if (ai.size() != bi.size()) return ai.size() < bi.size() ? -1 : 1;
  int c = ai.compare(bi);
  if (c != 0) return c < 0 ? -1 : 1;
  c = af.compare(bf);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

int CompareNumbers(std::string_view a, std::string_view b) {
  bool an = !a.empty() && a[0] == '-';
  bool bn = !b.empty() && b[0] == '-';
  if (an != bn) return an ? -1 : 1;
  int c = CompareMagnitude(an ? a.substr(1) : a, bn ? b.substr(1) : b);
  return an ? -c : c;
}

bool NumberToInt64(std::string_view normalized, int64_t* out) {
  if (normalized.find('.') != std::string_view::npos) return false;
  if (normalized.size() > 20) return false;
  errno = 0;
  std::string s(normalized);
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

double NumberToDouble(std::string_view normalized) {
  return std::strtod(std::string(normalized).c_str(), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Constructors

AttributeValue AttributeValue::S(std::string text) {
  return AttributeValue(AttributeType::kS, std::move(text));
}

Result<AttributeValue> AttributeValue::N(std::string_view text) {
  TRIB_ASSIGN_OR_RETURN(std::string normalized, NormalizeNumber(text));
  return AttributeValue(AttributeType::kN, std::move(normalized));
}

AttributeValue AttributeValue::N(int64_t value) {
  return AttributeValue(AttributeType::kN, std::to_string(value));
}

AttributeValue AttributeValue::B(std::string bytes) {
  return AttributeValue(AttributeType::kB, std::move(bytes));
}

AttributeValue AttributeValue::Bool(bool value) { return AttributeValue(AttributeType::kBool, value); }

AttributeValue AttributeValue::Null() { return AttributeValue(); }

AttributeValue AttributeValue::M(AttributeMap map) {
  return AttributeValue(AttributeType::kM, std::move(map));
}

AttributeValue AttributeValue::L(AttributeList list) {
  return AttributeValue(AttributeType::kL, std::move(list));
}

namespace {

Status DuplicateError(const std::vector<std::string>& values) {
  std::string shown;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) shown += ", ";
    shown += values[i];
  }
  return Status::InvalidArgument("One or more parameter values were invalid: Input collection [" +
                                 shown + "] contains duplicates.");
}

Status EmptySetError(std::string_view kind) {
  return Status::InvalidArgument("One or more parameter values were invalid: An " +
                                 std::string(kind) + " set  may not be empty");
}

Result<std::vector<std::string>> SortedUnique(std::vector<std::string> values, std::string_view kind) {
  if (values.empty()) return EmptySetError(kind);
  std::vector<std::string> original = values;
  std::sort(values.begin(), values.end());
  if (std::adjacent_find(values.begin(), values.end()) != values.end()) return DuplicateError(original);
  return values;
}

}  // namespace

Result<AttributeValue> AttributeValue::SS(std::vector<std::string> values) {
  TRIB_ASSIGN_OR_RETURN(auto sorted, SortedUnique(std::move(values), "string"));
  return AttributeValue(AttributeType::kSS, std::move(sorted));
}

Result<AttributeValue> AttributeValue::BS(std::vector<std::string> values) {
  TRIB_ASSIGN_OR_RETURN(auto sorted, SortedUnique(std::move(values), "binary"));
  return AttributeValue(AttributeType::kBS, std::move(sorted));
}

Result<AttributeValue> AttributeValue::NS(std::vector<std::string> values) {
  if (values.empty()) return EmptySetError("number");
  std::vector<std::string> normalized;
  normalized.reserve(values.size());
  for (const auto& v : values) {
    TRIB_ASSIGN_OR_RETURN(std::string n, NormalizeNumber(v));
    normalized.push_back(std::move(n));
  }
  std::sort(normalized.begin(), normalized.end(),
            [](const std::string& a, const std::string& b) { return CompareNumbers(a, b) < 0; });
  for (size_t i = 1; i < normalized.size(); ++i) {
    if (CompareNumbers(normalized[i - 1], normalized[i]) == 0) return DuplicateError(values);
  }
  return AttributeValue(AttributeType::kNS, std::move(normalized));
}

// ---------------------------------------------------------------------------------------------
// Size accounting (after DynamoDB's documented rules and dynalite's itemSize)

namespace {

size_t NumberSize(std::string_view n) {
  size_t digits = 0;
  for (char c : n) {
    if (c >= '0' && c <= '9') ++digits;
  }
  // Leading "0." zeros are not significant; trailing zeros in integers are cheap; approximate
  // DynamoDB: one byte per two significant digits, plus one.
  std::string_view s = n;
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  size_t leading = 0;
  for (char c : s) {
    if (c == '0' || c == '.') {
      ++leading;
    } else {
      break;
    }
  }
  size_t sig = digits > leading ? digits - leading : 1;
  return (sig + 1) / 2 + 1;
}

}  // namespace

size_t AttributeValue::SizeBytes() const {
  switch (type_) {
    case AttributeType::kS:
    case AttributeType::kB:
      return text().size();
    case AttributeType::kN:
      return NumberSize(text());
    case AttributeType::kBool:
    case AttributeType::kNull:
      return 1;
    case AttributeType::kM: {
      size_t n = 3;
      for (const auto& [k, v] : map()) n += k.size() + v.SizeBytes() + 1;
      return n;
    }
    case AttributeType::kL: {
      size_t n = 3;
      for (const auto& v : list()) n += v.SizeBytes() + 1;
      return n;
    }
    case AttributeType::kSS:
    case AttributeType::kBS: {
      size_t n = 0;
      for (const auto& s : set()) n += s.size();
      return n;
    }
    case AttributeType::kNS: {
      size_t n = 0;
      for (const auto& s : set()) n += NumberSize(s);
      return n;
    }
  }
  return 0;
}

size_t ItemSizeBytes(const AttributeMap& item) {
  size_t n = 0;
  for (const auto& [k, v] : item) n += k.size() + v.SizeBytes();
  return n;
}

// ---------------------------------------------------------------------------------------------
// JSON

void AttributeValue::AppendJson(JsonWriter& w) const {
  w.BeginObject();
  w.Key(AttributeTypeName(type_));
  switch (type_) {
    case AttributeType::kS:
    case AttributeType::kN:
      w.String(text());
      break;
    case AttributeType::kB:
      w.String(Base64Encode(text()));
      break;
    case AttributeType::kBool:
    case AttributeType::kNull:
      w.Bool(boolean());
      break;
    case AttributeType::kM:
      AppendItemJson(w, map());
      break;
    case AttributeType::kL:
      w.BeginArray();
      for (const auto& v : list()) v.AppendJson(w);
      w.EndArray();
      break;
    case AttributeType::kSS:
    case AttributeType::kNS:
      w.BeginArray();
      for (const auto& s : set()) w.String(s);
      w.EndArray();
      break;
    case AttributeType::kBS:
      w.BeginArray();
      for (const auto& s : set()) w.String(Base64Encode(s));
      w.EndArray();
      break;
  }
  w.EndObject();
}

std::string AttributeValue::ToJson() const {
  JsonWriter w;
  AppendJson(w);
  return w.Take();
}

void AppendItemJson(JsonWriter& w, const AttributeMap& item) {
  w.BeginObject();
  for (const auto& [k, v] : item) {
    w.Key(k);
    v.AppendJson(w);
  }
  w.EndObject();
}

std::string ItemToJson(const AttributeMap& item) {
  JsonWriter w;
  AppendItemJson(w, item);
  return w.Take();
}

}  // namespace tributary
