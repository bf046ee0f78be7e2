#include "pipe/event_pattern.h"

#include <arpa/inet.h>
#include <simdjson.h>

#include <cmath>
#include <cstring>

#include "core/dynamo_json.h"
#include "core/encoding.h"

namespace tributary::pipe {

namespace internal {

// One leaf value of an event, as a matcher sees it.
struct Scalar {
  enum class Kind : uint8_t { kString, kNumber, kBool, kNull };
  Kind kind = Kind::kNull;
  std::string_view str;
  double num = 0;
  bool boolean = false;
};

enum class MatchKind : uint8_t {
  kString,            // exact string
  kNumber,            // exact number, compared numerically
  kBool,              // true / false
  kNull,              // null
  kPrefix,            // text_
  kPrefixIgnoreCase,  // text_ lowercased
  kSuffix,
  kSuffixIgnoreCase,
  kEqualsIgnoreCase,
  kNumeric,
  kCidr,
  kWildcard,
  kAnythingBut,  // matches a value that none of `subs` matches
};

struct Matcher {
  MatchKind kind = MatchKind::kNull;
  std::string text;
  double number = 0;
  bool flag = false;
  // numeric
  bool has_lower = false, lower_inclusive = false, has_upper = false, upper_inclusive = false;
  double lower = 0, upper = 0;
  // cidr
  bool ipv6 = false;
  unsigned char network[16] = {};
  int prefix_bits = 0;
  // wildcard: `text` split at unescaped '*'
  std::vector<std::string> segments;
  bool leading_star = false, trailing_star = false;
  // anything-but
  std::vector<Matcher> subs;

  bool Matches(const Scalar& v) const;
};

struct PatternNode;

struct PatternField {
  std::string key;
  std::unique_ptr<PatternNode> child;  // a nested object pattern, or null for a leaf
  std::vector<Matcher> leaf;           // the leaf's matchers (ORed), without `exists`
  bool exists_true = false;
  bool exists_false = false;
};

struct PatternNode {
  std::vector<PatternField> fields;           // ANDed
  std::vector<std::vector<PatternNode>> ors;  // each `$or`: one alternative must match
};

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != lower_b[i]) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool WildcardMatches(const Matcher& m, std::string_view s) {
  const auto& seg = m.segments;
  if (seg.size() == 1 && !m.leading_star && !m.trailing_star) return s == seg[0];
  size_t first = 0;
  size_t last = seg.size();
  if (!m.leading_star) {
    if (!s.starts_with(seg[0])) return false;
    s.remove_prefix(seg[0].size());
    first = 1;
  }
  if (!m.trailing_star && last > first) {
    if (!s.ends_with(seg[last - 1])) return false;
    s.remove_suffix(seg[last - 1].size());
    --last;
  }
  for (size_t i = first; i < last; ++i) {
    size_t at = s.find(seg[i]);
    if (at == std::string_view::npos) return false;
    s.remove_prefix(at + seg[i].size());
  }
  return true;
}

bool ParseIp(std::string_view text, bool* ipv6, unsigned char out[16]) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::memset(out, 0, 16);
  if (inet_pton(AF_INET, buf, out) == 1) {
    *ipv6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out) == 1) {
    *ipv6 = true;
    return true;
  }
  return false;
}

bool CidrMatches(const Matcher& m, std::string_view s) {
  bool ipv6 = false;
  unsigned char addr[16];
  if (!ParseIp(s, &ipv6, addr) || ipv6 != m.ipv6) return false;
  int bits = m.prefix_bits;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((addr[i] & mask) != m.network[i]) return false;
  }
  return true;
}

bool Matcher::Matches(const Scalar& v) const {
  using K = Scalar::Kind;
  switch (kind) {
    case MatchKind::kString: return v.kind == K::kString && v.str == text;
    case MatchKind::kNumber: return v.kind == K::kNumber && v.num == number;
    case MatchKind::kBool: return v.kind == K::kBool && v.boolean == flag;
    case MatchKind::kNull: return v.kind == K::kNull;
    case MatchKind::kPrefix: return v.kind == K::kString && v.str.starts_with(text);
    case MatchKind::kPrefixIgnoreCase:
      return v.kind == K::kString && v.str.size() >= text.size() &&
             EqualsIgnoreCase(v.str.substr(0, text.size()), text);
    case MatchKind::kSuffix: return v.kind == K::kString && v.str.ends_with(text);
    case MatchKind::kSuffixIgnoreCase:
      return v.kind == K::kString && v.str.size() >= text.size() &&
             EqualsIgnoreCase(v.str.substr(v.str.size() - text.size()), text);
    case MatchKind::kEqualsIgnoreCase: return v.kind == K::kString && EqualsIgnoreCase(v.str, text);
    case MatchKind::kNumeric:
      if (v.kind != K::kNumber) return false;
      if (has_lower && (lower_inclusive ? v.num < lower : v.num <= lower)) return false;
      if (has_upper && (upper_inclusive ? v.num > upper : v.num >= upper)) return false;
      return true;
    case MatchKind::kCidr: return v.kind == K::kString && CidrMatches(*this, v.str);
    case MatchKind::kWildcard: return v.kind == K::kString && WildcardMatches(*this, v.str);
    case MatchKind::kAnythingBut:
      for (const Matcher& m : subs) {
        if (m.Matches(v)) return false;
      }
      return true;
  }
  return false;
}

}  // namespace internal

namespace {

using internal::MatchKind;
using internal::Matcher;
using internal::ParseIp;
using internal::ToLower;
using internal::PatternField;
using internal::PatternNode;
using internal::Scalar;
using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr double kNumericLimit = 5e9;

// ---------------------------------------------------------------------------------------------
// Compiling.

struct Compiler {
  std::string path;  // dotted path of the key being compiled, for messages

  Status Error(std::string_view reason) const {
    std::string msg = "Event pattern is not valid. Reason: ";
    msg += reason;
    if (!path.empty()) {
      msg += " (at ";
      msg += path;
      msg += ')';
    }
    return Status::InvalidArgument(msg);
  }

  static std::string Show(element e) { return simdjson::minify(e); }

  static bool IsNumber(element e) {
    auto t = e.type();
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  }
  static double Number(element e) {
    switch (e.type()) {
      case element_type::INT64: return static_cast<double>(int64_t(e));
      case element_type::UINT64: return static_cast<double>(uint64_t(e));
      default: return double(e);
    }
  }

  Status Object(element e, int depth, PatternNode* out) {
    if (depth > kMaxPatternDepth) {
      return Error("pattern nests more than " + std::to_string(kMaxPatternDepth) + " objects");
    }
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) return Error("a pattern must be a JSON object");
    if (obj.size() == 0) return Error("Empty objects are not allowed");
    const std::string saved = path;
    for (auto [k, v] : obj) {
      const std::string_view key = k;
      path = saved.empty() ? std::string(key) : saved + "." + std::string(key);
      if (key == "$or") {
        TRIB_RETURN_IF_ERROR(Or(v, depth, out));
        continue;
      }
      PatternField field;
      field.key = std::string(key);
      if (v.type() == element_type::OBJECT) {
        field.child = std::make_unique<PatternNode>();
        TRIB_RETURN_IF_ERROR(Object(v, depth + 1, field.child.get()));
      } else if (v.type() == element_type::ARRAY) {
        TRIB_RETURN_IF_ERROR(Leaf(v, &field));
      } else {
        return Error("'" + std::string(key) + "' must be an object or an array, got " + Show(v));
      }
      out->fields.push_back(std::move(field));
    }
    path = saved;
    return Status::Ok();
  }

  Status Or(element v, int depth, PatternNode* out) {
    simdjson::dom::array arr;
    if (v.get_array().get(arr) != simdjson::SUCCESS) {
      return Error("$or must be an array of patterns, got " + Show(v));
    }
    if (arr.size() < 2) return Error("$or must list at least 2 patterns");
    std::vector<PatternNode> alternatives;
    for (element alt : arr) {
      if (alt.type() != element_type::OBJECT) {
        return Error("each $or alternative must be an object, got " + Show(alt));
      }
      PatternNode node;
      // Alternatives match at the level of the object that holds $or.
      const std::string saved = path;
      path = path.size() > 4 ? path.substr(0, path.size() - 4) : "";
      Status s = Object(alt, depth + 1, &node);
      path = saved;
      TRIB_RETURN_IF_ERROR(s);
      alternatives.push_back(std::move(node));
    }
    out->ors.push_back(std::move(alternatives));
    return Status::Ok();
  }

  Status Leaf(element v, PatternField* field) {
    simdjson::dom::array arr = v.get_array();
    if (arr.size() == 0) return Error("Empty arrays are not allowed");
    for (element m : arr) {
      switch (m.type()) {
        case element_type::STRING: {
          Matcher x;
          x.kind = MatchKind::kString;
          x.text = std::string(std::string_view(m));
          field->leaf.push_back(std::move(x));
          break;
        }
        case element_type::INT64:
        case element_type::UINT64:
        case element_type::DOUBLE: {
          Matcher x;
          x.kind = MatchKind::kNumber;
          x.number = Number(m);
          field->leaf.push_back(std::move(x));
          break;
        }
        case element_type::BOOL: {
          Matcher x;
          x.kind = MatchKind::kBool;
          x.flag = bool(m);
          field->leaf.push_back(std::move(x));
          break;
        }
        case element_type::NULL_VALUE: {
          Matcher x;
          x.kind = MatchKind::kNull;
          field->leaf.push_back(std::move(x));
          break;
        }
        case element_type::ARRAY:
          return Error("Match value must be a string, number, true, false, null or an operator "
                       "object, got " + Show(m));
        case element_type::OBJECT: TRIB_RETURN_IF_ERROR(Operator(m, field)); break;
      }
    }
    return Status::Ok();
  }

  // {"prefix": ...} and the other operators: exactly one key.
  Status Operator(element m, PatternField* field) {
    simdjson::dom::object obj = m.get_object();
    if (obj.size() != 1) {
      return Error("an operator object must have exactly one key, got " + Show(m));
    }
    auto [k, v] = *obj.begin();
    const std::string_view op = k;
    if (op == "exists") {
      if (v.type() != element_type::BOOL) return Error("exists match pattern must be either true or false");
      (bool(v) ? field->exists_true : field->exists_false) = true;
      return Status::Ok();
    }
    Matcher x;
    if (op == "prefix" || op == "suffix") {
      TRIB_RETURN_IF_ERROR(PrefixSuffix(op, v, &x));
    } else if (op == "equals-ignore-case") {
      TRIB_RETURN_IF_ERROR(IgnoreCase(v, &x));
    } else if (op == "wildcard") {
      TRIB_RETURN_IF_ERROR(Wildcard(v, &x));
    } else if (op == "numeric") {
      TRIB_RETURN_IF_ERROR(Numeric(v, &x));
    } else if (op == "cidr") {
      TRIB_RETURN_IF_ERROR(Cidr(v, &x));
    } else if (op == "anything-but") {
      TRIB_RETURN_IF_ERROR(AnythingBut(v, &x));
    } else {
      return Error("Unrecognized match type " + std::string(op));
    }
    field->leaf.push_back(std::move(x));
    return Status::Ok();
  }

  Status PrefixSuffix(std::string_view op, element v, Matcher* x) {
    const bool prefix = op == "prefix";
    if (v.type() == element_type::STRING) {
      x->kind = prefix ? MatchKind::kPrefix : MatchKind::kSuffix;
      x->text = std::string(std::string_view(v));
      return Status::Ok();
    }
    simdjson::dom::object obj;
    std::string_view text;
    if (v.get_object().get(obj) == simdjson::SUCCESS && obj.size() == 1 &&
        (*obj.begin()).key == "equals-ignore-case" &&
        (*obj.begin()).value.get_string().get(text) == simdjson::SUCCESS) {
      x->kind = prefix ? MatchKind::kPrefixIgnoreCase : MatchKind::kSuffixIgnoreCase;
      x->text = ToLower(text);
      return Status::Ok();
    }
    return Error(std::string(op) + " match pattern must be a string or {\"equals-ignore-case\": "
                 "\"...\"}, got " + Show(v));
  }

  Status IgnoreCase(element v, Matcher* x) {
    std::string_view text;
    if (v.get_string().get(text) != simdjson::SUCCESS) {
      return Error("equals-ignore-case match pattern must be a string, got " + Show(v));
    }
    x->kind = MatchKind::kEqualsIgnoreCase;
    x->text = ToLower(text);
    return Status::Ok();
  }

  Status Wildcard(element v, Matcher* x) {
    std::string_view text;
    if (v.get_string().get(text) != simdjson::SUCCESS) {
      return Error("wildcard match pattern must be a string, got " + Show(v));
    }
    x->kind = MatchKind::kWildcard;
    x->text = std::string(text);
    x->segments.emplace_back();
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\\') {
        if (i + 1 >= text.size() || (text[i + 1] != '*' && text[i + 1] != '\\')) {
          return Error("Invalid escape character at pos " + std::to_string(i) + " of wildcard '" +
                       std::string(text) + "' (only \\* and \\\\ are escapes)");
        }
        x->segments.back() += text[++i];
      } else if (c == '*') {
        if (i + 1 < text.size() && text[i + 1] == '*') {
          return Error("Consecutive wildcard characters at pos " + std::to_string(i + 1) +
                       " of wildcard '" + std::string(text) + "'");
        }
        if (i == 0) x->leading_star = true;
        if (i + 1 == text.size()) x->trailing_star = true;
        if (i != 0) x->segments.emplace_back();
      } else {
        x->segments.back() += c;
      }
    }
    if (x->trailing_star && x->segments.size() > 1 && x->segments.back().empty()) {
      x->segments.pop_back();
    }
    return Status::Ok();
  }

  Status Numeric(element v, Matcher* x) {
    simdjson::dom::array arr;
    if (v.get_array().get(arr) != simdjson::SUCCESS) {
      return Error("Value of numeric must be an array, got " + Show(v));
    }
    x->kind = MatchKind::kNumeric;
    std::vector<element> items(arr.begin(), arr.end());
    if (items.empty() || items.size() % 2 != 0 || items.size() > 4) {
      return Error("numeric must be 1 or 2 pairs of operator and number, e.g. [\">\", 0, \"<=\", 5]");
    }
    bool equals = false;
    for (size_t i = 0; i < items.size(); i += 2) {
      std::string_view op;
      if (items[i].get_string().get(op) != simdjson::SUCCESS) {
        return Error("Invalid member in numeric match: " + Show(items[i]));
      }
      if (!IsNumber(items[i + 1])) {
        return Error("Value of " + std::string(op) + " must be numeric, got " + Show(items[i + 1]));
      }
      const double n = Number(items[i + 1]);
      if (!(n >= -kNumericLimit && n <= kNumericLimit)) {
        return Error("numeric value " + Show(items[i + 1]) + " is out of range (-5.0E9..5.0E9)");
      }
      if (op == "=") {
        if (items.size() != 2) return Error("numeric \"=\" cannot be combined with a range");
        equals = true;
        x->has_lower = x->has_upper = x->lower_inclusive = x->upper_inclusive = true;
        x->lower = x->upper = n;
      } else if (op == ">" || op == ">=") {
        if (x->has_lower) return Error("numeric has two lower bounds");
        x->has_lower = true;
        x->lower_inclusive = op == ">=";
        x->lower = n;
      } else if (op == "<" || op == "<=") {
        if (x->has_upper) return Error("numeric has two upper bounds");
        x->has_upper = true;
        x->upper_inclusive = op == "<=";
        x->upper = n;
      } else {
        return Error("Unrecognized numeric range operator: " + std::string(op));
      }
    }
    if (!equals && x->has_lower && x->has_upper && !(x->lower < x->upper)) {
      return Error("numeric range is empty: the lower bound must be below the upper bound");
    }
    return Status::Ok();
  }

  Status Cidr(element v, Matcher* x) {
    std::string_view text;
    if (v.get_string().get(text) != simdjson::SUCCESS) {
      return Error("cidr match pattern must be a string, got " + Show(v));
    }
    x->kind = MatchKind::kCidr;
    x->text = std::string(text);
    const size_t slash = text.find('/');
    const std::string_view ip = text.substr(0, slash);
    if (!ParseIp(ip, &x->ipv6, x->network)) {
      return Error("Nonstandard IP address: " + std::string(ip));
    }
    const int max_bits = x->ipv6 ? 128 : 32;
    x->prefix_bits = max_bits;
    if (slash != std::string_view::npos) {
      const std::string_view bits = text.substr(slash + 1);
      int n = 0;
      if (bits.empty() || bits.size() > 3) return Error("Malformed CIDR, bad prefix length in '" + x->text + "'");
      for (char c : bits) {
        if (c < '0' || c > '9') return Error("Malformed CIDR, bad prefix length in '" + x->text + "'");
        n = n * 10 + (c - '0');
      }
      if (n > max_bits) return Error("Malformed CIDR, prefix length over " + std::to_string(max_bits) + " in '" + x->text + "'");
      x->prefix_bits = n;
    }
    // Mask off host bits so the match compares the network only.
    for (int i = 0; i < 16; ++i) {
      const int bits = x->prefix_bits - 8 * i;
      const unsigned char mask =
          bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<unsigned char>(0xff << (8 - bits));
      x->network[i] &= mask;
    }
    return Status::Ok();
  }

  Status AnythingBut(element v, Matcher* x) {
    x->kind = MatchKind::kAnythingBut;
    auto value = [&](element e) -> Status {
      Matcher m;
      if (e.type() == element_type::STRING) {
        m.kind = MatchKind::kString;
        m.text = std::string(std::string_view(e));
      } else if (IsNumber(e)) {
        m.kind = MatchKind::kNumber;
        m.number = Number(e);
      } else {
        return Error("Inside anything-but list, values must be strings or numbers, got " + Show(e));
      }
      x->subs.push_back(std::move(m));
      return Status::Ok();
    };
    switch (v.type()) {
      case element_type::ARRAY: {
        simdjson::dom::array arr = v.get_array();
        if (arr.size() == 0) return Error("Empty arrays are not allowed");
        for (element e : arr) TRIB_RETURN_IF_ERROR(value(e));
        return Status::Ok();
      }
      case element_type::OBJECT: break;
      default: return value(v);
    }
    simdjson::dom::object obj = v.get_object();
    if (obj.size() != 1) return Error("anything-but object must have exactly one key, got " + Show(v));
    auto [k, inner] = *obj.begin();
    const std::string_view op = k;
    auto each = [&](auto&& compile_one) -> Status {
      if (inner.type() == element_type::ARRAY) {
        simdjson::dom::array arr = inner.get_array();
        if (arr.size() == 0) return Error("Empty arrays are not allowed");
        for (element e : arr) {
          Matcher m;
          TRIB_RETURN_IF_ERROR(compile_one(e, &m));
          x->subs.push_back(std::move(m));
        }
        return Status::Ok();
      }
      Matcher m;
      TRIB_RETURN_IF_ERROR(compile_one(inner, &m));
      x->subs.push_back(std::move(m));
      return Status::Ok();
    };
    if (op == "prefix" || op == "suffix") {
      Matcher m;
      TRIB_RETURN_IF_ERROR(PrefixSuffix(op, inner, &m));
      x->subs.push_back(std::move(m));
      return Status::Ok();
    }
    if (op == "equals-ignore-case") {
      return each([&](element e, Matcher* m) { return IgnoreCase(e, m); });
    }
    if (op == "wildcard") return each([&](element e, Matcher* m) { return Wildcard(e, m); });
    return Error("Unsupported anything-but pattern: " + std::string(op));
  }
};

// ---------------------------------------------------------------------------------------------
// Matching, generic over the event's representation. A value type V provides:
//   Kind kind(); bool Field(std::string_view key, V* out); bool AnyElement(f) (arrays);
//   Scalar scalar(std::string* scratch) (strings, numbers, booleans, null).

enum class Kind : uint8_t { kObject, kArray, kScalar };

template <class V, class F>
bool AnyLeafValue(const V& v, std::string* scratch, F&& f) {
  switch (v.kind()) {
    case Kind::kObject: return false;
    case Kind::kArray:
      return v.AnyElement([&](const V& e) { return AnyLeafValue(e, scratch, f); });
    case Kind::kScalar: return f(v.scalar(scratch));
  }
  return false;
}

template <class V>
bool MatchLeaf(const PatternField& field, bool present, const V& v) {
  if (!present) return field.exists_false;
  bool has_value = false;
  std::string scratch;
  const bool matched = AnyLeafValue(v, &scratch, [&](const Scalar& s) {
    has_value = true;
    for (const Matcher& m : field.leaf) {
      if (m.Matches(s)) return true;
    }
    return false;
  });
  if (matched) return true;
  return has_value ? field.exists_true : field.exists_false;
}

template <class V>
bool MatchObject(const PatternNode& node, const V* obj) {
  for (const PatternField& field : node.fields) {
    V child;
    const bool present = obj != nullptr && obj->Field(field.key, &child);
    bool ok;
    if (field.child == nullptr) {
      ok = MatchLeaf(field, present, child);
    } else if (!present) {
      ok = MatchObject<V>(*field.child, nullptr);
    } else if (child.kind() == Kind::kObject) {
      ok = MatchObject(*field.child, &child);
    } else if (child.kind() == Kind::kArray) {
      bool any_object = false;
      ok = child.AnyElement([&](const V& e) {
        if (e.kind() != Kind::kObject) return false;
        any_object = true;
        return MatchObject(*field.child, &e);
      });
      if (!ok && !any_object) ok = MatchObject<V>(*field.child, nullptr);
    } else {
      ok = MatchObject<V>(*field.child, nullptr);
    }
    if (!ok) return false;
  }
  for (const auto& alternatives : node.ors) {
    bool any = false;
    for (const PatternNode& alt : alternatives) {
      if (MatchObject(alt, obj)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

// A JSON event (simdjson DOM).
struct JsonValue {
  element e;

  Kind kind() const {
    switch (e.type()) {
      case element_type::OBJECT: return Kind::kObject;
      case element_type::ARRAY: return Kind::kArray;
      default: return Kind::kScalar;
    }
  }
  bool Field(std::string_view key, JsonValue* out) const {
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) return false;
    return obj.at_key(key).get(out->e) == simdjson::SUCCESS;
  }
  template <class F>
  bool AnyElement(F&& f) const {
    for (element x : e.get_array()) {
      if (f(JsonValue{x})) return true;
    }
    return false;
  }
  Scalar scalar(std::string*) const {
    Scalar s;
    switch (e.type()) {
      case element_type::STRING:
        s.kind = Scalar::Kind::kString;
        s.str = std::string_view(e);
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        s.kind = Scalar::Kind::kNumber;
        s.num = Compiler::Number(e);
        break;
      case element_type::BOOL:
        s.kind = Scalar::Kind::kBool;
        s.boolean = bool(e);
        break;
      default: s.kind = Scalar::Kind::kNull; break;
    }
    return s;
  }
};

// A ChangeRecord seen as the JSON ChangeRecord::AppendJson writes, without writing it.
struct RecordValue {
  enum class Tag : uint8_t {
    kRoot, kDynamodb, kUserIdentity,  // objects of the record
    kAttrMap,                         // {"name": {"S": ...}, ...}
    kAttr,                            // {"S": ...}
    kList, kSet, kBinarySet,          // arrays: L (of kAttr), SS/NS (strings), BS (base64)
    kString, kBinary, kNumber, kBool, kNull,
  };
  Tag tag = Tag::kNull;
  const ChangeRecord* rec = nullptr;
  const AttributeMap* map = nullptr;
  const AttributeValue* attr = nullptr;
  std::string_view str;
  int64_t num = 0;
  bool boolean = false;

  static RecordValue String(std::string_view s) {
    RecordValue v;
    v.tag = Tag::kString;
    v.str = s;
    return v;
  }
  static RecordValue Number(int64_t n) {
    RecordValue v;
    v.tag = Tag::kNumber;
    v.num = n;
    return v;
  }
  static RecordValue Map(Tag tag, const ChangeRecord* rec, const AttributeMap* map) {
    RecordValue v;
    v.tag = tag;
    v.rec = rec;
    v.map = map;
    return v;
  }
  static RecordValue Attr(const AttributeValue* a) {
    RecordValue v;
    v.tag = Tag::kAttr;
    v.attr = a;
    return v;
  }

  Kind kind() const {
    switch (tag) {
      case Tag::kRoot:
      case Tag::kDynamodb:
      case Tag::kUserIdentity:
      case Tag::kAttrMap:
      case Tag::kAttr: return Kind::kObject;
      case Tag::kList:
      case Tag::kSet:
      case Tag::kBinarySet: return Kind::kArray;
      default: return Kind::kScalar;
    }
  }

  bool Field(std::string_view key, RecordValue* out) const {
    switch (tag) {
      case Tag::kRoot: return RootField(key, out);
      case Tag::kDynamodb: return DynamodbField(key, out);
      case Tag::kUserIdentity:
        if (key == "type") return *out = String(rec->user_identity_type), true;
        if (key == "principalId") return *out = String(rec->user_identity_principal_id), true;
        return false;
      case Tag::kAttrMap: {
        auto it = map->find(key);
        if (it == map->end()) return false;
        *out = Attr(&it->second);
        return true;
      }
      case Tag::kAttr: return AttrPayload(key, out);
      default: return false;
    }
  }

  bool RootField(std::string_view key, RecordValue* out) const {
    if (key == "eventName") return *out = String(EventNameString(rec->event_name)), true;
    if (key == "dynamodb") return *out = Map(Tag::kDynamodb, rec, nullptr), true;
    if (key == "eventID") return *out = String(rec->event_id), true;
    if (key == "eventVersion") return *out = String(rec->event_version), true;
    if (key == "eventSource") return *out = String(rec->event_source), true;
    if (key == "awsRegion") return *out = String(rec->aws_region), true;
    if (key == "eventSourceARN" && !rec->event_source_arn.empty()) {
      return *out = String(rec->event_source_arn), true;
    }
    if (key == "userIdentity" && !rec->user_identity_type.empty()) {
      return *out = Map(Tag::kUserIdentity, rec, nullptr), true;
    }
    return false;
  }

  bool DynamodbField(std::string_view key, RecordValue* out) const {
    if (key == "NewImage") {
      if (!rec->new_image) return false;
      return *out = Map(Tag::kAttrMap, rec, &*rec->new_image), true;
    }
    if (key == "OldImage") {
      if (!rec->old_image) return false;
      return *out = Map(Tag::kAttrMap, rec, &*rec->old_image), true;
    }
    if (key == "Keys") return *out = Map(Tag::kAttrMap, rec, &rec->keys), true;
    if (key == "ApproximateCreationDateTime") {
      return *out = Number(rec->approximate_creation_date_time), true;
    }
    if (key == "SequenceNumber") return *out = String(rec->sequence_number), true;
    if (key == "SizeBytes") return *out = Number(rec->size_bytes), true;
    if (key == "StreamViewType") return *out = String(StreamViewTypeName(rec->stream_view_type)), true;
    return false;
  }

  // {"S": "x"} -> "x"; the key must be the value's type name.
  bool AttrPayload(std::string_view key, RecordValue* out) const {
    if (key != AttributeTypeName(attr->type())) return false;
    RecordValue v;
    v.attr = attr;
    switch (attr->type()) {
      case AttributeType::kS:
      case AttributeType::kN:
        v.tag = Tag::kString;
        v.str = attr->text();
        break;
      case AttributeType::kB: v.tag = Tag::kBinary; break;
      case AttributeType::kBool:
        v.tag = Tag::kBool;
        v.boolean = attr->boolean();
        break;
      case AttributeType::kNull:  // {"NULL": true}
        v.tag = Tag::kBool;
        v.boolean = true;
        break;
      case AttributeType::kM:
        v.tag = Tag::kAttrMap;
        v.map = &attr->map();
        break;
      case AttributeType::kL: v.tag = Tag::kList; break;
      case AttributeType::kSS:
      case AttributeType::kNS: v.tag = Tag::kSet; break;
      case AttributeType::kBS: v.tag = Tag::kBinarySet; break;
    }
    *out = v;
    return true;
  }

  template <class F>
  bool AnyElement(F&& f) const {
    switch (tag) {
      case Tag::kList:
        for (const AttributeValue& e : attr->list()) {
          if (f(Attr(&e))) return true;
        }
        return false;
      case Tag::kSet:
      case Tag::kBinarySet:
        for (const std::string& e : attr->set()) {
          RecordValue v = String(e);
          if (tag == Tag::kBinarySet) v.tag = Tag::kBinary;
          if (f(v)) return true;
        }
        return false;
      default: return false;
    }
  }

  Scalar scalar(std::string* scratch) const {
    Scalar s;
    switch (tag) {
      case Tag::kString:
        s.kind = Scalar::Kind::kString;
        s.str = str;
        break;
      case Tag::kBinary:  // base64 on the wire, as in the record's JSON
        *scratch = Base64Encode(attr != nullptr && attr->type() == AttributeType::kB ? attr->text() : str);
        s.kind = Scalar::Kind::kString;
        s.str = *scratch;
        break;
      case Tag::kNumber:
        s.kind = Scalar::Kind::kNumber;
        s.num = static_cast<double>(num);
        break;
      case Tag::kBool:
        s.kind = Scalar::Kind::kBool;
        s.boolean = boolean;
        break;
      default: break;
    }
    return s;
  }
};

}  // namespace

EventPattern::EventPattern() = default;
EventPattern::EventPattern(EventPattern&&) noexcept = default;
EventPattern& EventPattern::operator=(EventPattern&&) noexcept = default;
EventPattern::~EventPattern() = default;

Result<EventPattern> EventPattern::Compile(std::string_view json) {
  if (json.size() > kMaxPatternChars) {
    return Status::InvalidArgument("Event pattern is not valid. Reason: pattern is " +
                                   std::to_string(json.size()) + " characters, more than " +
                                   std::to_string(kMaxPatternChars));
  }
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(simdjson::padded_string(json)).get(doc)) {
    return Status::InvalidArgument(std::string("Event pattern is not valid. Reason: invalid JSON (") +
                                   simdjson::error_message(err) + ")");
  }
  EventPattern p;
  p.text_ = std::string(json);
  p.root_ = std::make_unique<PatternNode>();
  Compiler c;
  TRIB_RETURN_IF_ERROR(c.Object(doc, 1, p.root_.get()));
  return p;
}

bool EventPattern::Matches(const ChangeRecord& record) const {
  RecordValue root;
  root.tag = RecordValue::Tag::kRoot;
  root.rec = &record;
  return MatchObject(*root_, &root);
}

Result<bool> EventPattern::MatchesJson(std::string_view event_json) const {
  element doc;
  if (auto err = ThreadLocalJsonParser().parse(event_json.data(), event_json.size()).get(doc)) {
    return Status::InvalidArgument(std::string("event is not JSON: ") + simdjson::error_message(err));
  }
  if (doc.type() != element_type::OBJECT) return Status::InvalidArgument("event is not a JSON object");
  JsonValue root{doc};
  return MatchObject(*root_, &root);
}

Result<FilterCriteria> FilterCriteria::Compile(const std::vector<std::string>& patterns) {
  if (patterns.size() > kMaxFiltersPerPipe) {
    return Status::InvalidArgument("a pipe takes at most " + std::to_string(kMaxFiltersPerPipe) +
                                   " filters, got " + std::to_string(patterns.size()));
  }
  FilterCriteria f;
  for (size_t i = 0; i < patterns.size(); ++i) {
    auto p = EventPattern::Compile(patterns[i]);
    if (!p.ok()) return p.status().WithContext("filter " + std::to_string(i + 1));
    f.patterns_.push_back(std::move(p).value());
  }
  return f;
}

bool FilterCriteria::Matches(const ChangeRecord& record) const {
  if (patterns_.empty()) return true;
  for (const EventPattern& p : patterns_) {
    if (p.Matches(record)) return true;
  }
  return false;
}

Result<bool> FilterCriteria::MatchesJson(std::string_view event_json) const {
  if (patterns_.empty()) return true;
  for (const EventPattern& p : patterns_) {
    TRIB_ASSIGN_OR_RETURN(bool m, p.MatchesJson(event_json));
    if (m) return true;
  }
  return false;
}

}  // namespace tributary::pipe
