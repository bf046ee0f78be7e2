#include "table/condition_expression.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace tributary::table {

namespace {

constexpr size_t kMaxInOperands = 100;

bool IsConditionFunction(std::string_view name) {
  return name == "attribute_exists" || name == "attribute_not_exists" || name == "attribute_type" ||
         name == "begins_with" || name == "contains";
}

std::optional<CompareOp> ComparatorOf(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEqual: return CompareOp::kEq;
    case TokenKind::kNotEqual: return CompareOp::kNe;
    case TokenKind::kLess: return CompareOp::kLt;
    case TokenKind::kLessEqual: return CompareOp::kLe;
    case TokenKind::kGreater: return CompareOp::kGt;
    case TokenKind::kGreaterEqual: return CompareOp::kGe;
    default: return std::nullopt;
  }
}

std::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "<>";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "=";
}

bool IsOrderable(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

class ConditionParser {
 public:
  ConditionParser(std::string_view text, std::string_view kind, ExpressionContext* ctx) : p_(text, kind, ctx) {}

  Result<Condition> Parse() {
    TRIB_RETURN_IF_ERROR(p_.Init());
    TRIB_ASSIGN_OR_RETURN(Condition c, ParseOr());
    if (!p_.AtEnd()) return p_.SyntaxErrorHere();
    return c;
  }

 private:
  Result<Condition> ParseOr() {
    TRIB_ASSIGN_OR_RETURN(Condition left, ParseAnd());
    if (!IsKeyword(p_.Peek(), "OR")) return left;
    Condition c;
    c.kind = Condition::Kind::kOr;
    c.children.push_back(std::move(left));
    while (IsKeyword(p_.Peek(), "OR")) {
      p_.Next();
      TRIB_ASSIGN_OR_RETURN(Condition right, ParseAnd());
      c.children.push_back(std::move(right));
    }
    return c;
  }

  Result<Condition> ParseAnd() {
    TRIB_ASSIGN_OR_RETURN(Condition left, ParseNot());
    if (!IsKeyword(p_.Peek(), "AND")) return left;
    Condition c;
    c.kind = Condition::Kind::kAnd;
    c.children.push_back(std::move(left));
    while (IsKeyword(p_.Peek(), "AND")) {
      p_.Next();
      TRIB_ASSIGN_OR_RETURN(Condition right, ParseNot());
      c.children.push_back(std::move(right));
    }
    return c;
  }

  // Bounds recursion, so a hostile expression ("((((...", "NOT NOT NOT ...") gets a
  // ValidationException instead of exhausting the stack.
  static constexpr int kMaxNesting = 100;
  struct NestingGuard {
    explicit NestingGuard(int* depth) : depth_(depth) { ++*depth_; }
    ~NestingGuard() { --*depth_; }
    int* depth_;
  };
  Status TooDeep() const {
    return p_.Error("The expression is nested too deeply; the maximum nesting depth is " +
                    std::to_string(kMaxNesting) + ";");
  }

  Result<Condition> ParseNot() {
    if (IsKeyword(p_.Peek(), "NOT")) {
      p_.Next();
      NestingGuard guard(&depth_);
      if (depth_ > kMaxNesting) return TooDeep();
      TRIB_ASSIGN_OR_RETURN(Condition inner, ParseNot());
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children.push_back(std::move(inner));
      return c;
    }
    return ParsePrimary();
  }

  Result<Condition> ParsePrimary() {
    const Token& tok = p_.Peek();
    if (tok.kind == TokenKind::kLeftParen) {
      p_.Next();
      NestingGuard guard(&depth_);
      if (depth_ > kMaxNesting) return TooDeep();
      size_t inner_open = p_.position();
      TRIB_ASSIGN_OR_RETURN(Condition c, ParseOr());
      // "((a = :v))": the group holds nothing but another group.
      if (p_.Peek().kind == TokenKind::kRightParen && last_group_open_ == inner_open &&
          last_group_close_ == p_.position()) {
        return p_.Error("The expression has redundant parentheses;");
      }
      if (!p_.Accept(TokenKind::kRightParen)) return p_.SyntaxErrorHere();
      last_group_open_ = inner_open - 1;
      last_group_close_ = p_.position();
      return c;
    }
    if (tok.kind == TokenKind::kIdentifier && p_.Peek(1).kind == TokenKind::kLeftParen &&
        IsConditionFunction(tok.text)) {
      TRIB_ASSIGN_OR_RETURN(Condition c, ParseConditionFunction());
      if (ComparatorOf(p_.Peek().kind) || IsKeyword(p_.Peek(), "BETWEEN") || IsKeyword(p_.Peek(), "IN")) {
        return p_.Error("The function is not allowed to be used this way in an expression; function: " +
                        std::string(tok.text));
      }
      return c;
    }
    TRIB_ASSIGN_OR_RETURN(ConditionOperand left, ParseOperand());
    Condition c;
    if (auto op = ComparatorOf(p_.Peek().kind)) {
      p_.Next();
      TRIB_ASSIGN_OR_RETURN(ConditionOperand right, ParseOperand());
      c.kind = Condition::Kind::kCompare;
      c.op = *op;
      c.operands.push_back(std::move(left));
      c.operands.push_back(std::move(right));
      TRIB_RETURN_IF_ERROR(CheckDistinct(CompareOpText(*op), c.operands));
      if (*op != CompareOp::kEq && *op != CompareOp::kNe) {
        TRIB_RETURN_IF_ERROR(CheckOrderable(CompareOpText(*op), c.operands));
      }
      return c;
    }
    if (IsKeyword(p_.Peek(), "BETWEEN")) {
      p_.Next();
      TRIB_ASSIGN_OR_RETURN(ConditionOperand lo, ParseOperand());
      if (!IsKeyword(p_.Peek(), "AND")) return p_.SyntaxErrorHere();
      p_.Next();
      TRIB_ASSIGN_OR_RETURN(ConditionOperand hi, ParseOperand());
      c.kind = Condition::Kind::kBetween;
      c.operands.push_back(std::move(left));
      c.operands.push_back(std::move(lo));
      c.operands.push_back(std::move(hi));
      TRIB_RETURN_IF_ERROR(CheckDistinct("BETWEEN", c.operands));
      TRIB_RETURN_IF_ERROR(CheckOrderable("BETWEEN", c.operands));
      TRIB_RETURN_IF_ERROR(CheckBetweenBounds(c.operands[1], c.operands[2]));
      return c;
    }
    if (IsKeyword(p_.Peek(), "IN")) {
      p_.Next();
      if (!p_.Accept(TokenKind::kLeftParen)) return p_.SyntaxErrorHere();
      c.kind = Condition::Kind::kIn;
      c.operands.push_back(std::move(left));
      do {
        TRIB_ASSIGN_OR_RETURN(ConditionOperand o, ParseOperand());
        c.operands.push_back(std::move(o));
      } while (p_.Accept(TokenKind::kComma));
      if (!p_.Accept(TokenKind::kRightParen)) return p_.SyntaxErrorHere();
      if (c.operands.size() - 1 > kMaxInOperands) {
        return p_.Error("The IN operator is provided with too many operands; number of operands: " +
                        std::to_string(c.operands.size() - 1));
      }
      TRIB_RETURN_IF_ERROR(CheckDistinct("IN", c.operands));
      return c;
    }
    if (left.kind == ConditionOperand::Kind::kSize) {
      return p_.Error("The function is not allowed to be used this way in an expression; function: size");
    }
    return p_.SyntaxErrorHere();
  }

  // name '(' operand (',' operand)* ')', after checking the name.
  Result<std::vector<ConditionOperand>> ParseArguments() {
    NestingGuard guard(&depth_);
    if (depth_ > kMaxNesting) return TooDeep();
    p_.Next();  // '('
    std::vector<ConditionOperand> args;
    do {
      TRIB_ASSIGN_OR_RETURN(ConditionOperand a, ParseOperand());
      args.push_back(std::move(a));
    } while (p_.Accept(TokenKind::kComma));
    if (!p_.Accept(TokenKind::kRightParen)) return p_.SyntaxErrorHere();
    return args;
  }

  Status CheckArity(std::string_view name, const std::vector<ConditionOperand>& args, size_t n) const {
    if (args.size() == n) return Status::Ok();
    return p_.Error("Incorrect number of operands for operator or function; operator or function: " +
                    std::string(name) + ", number of operands: " + std::to_string(args.size()));
  }

  Status RequirePath(std::string_view name, const ConditionOperand& o) const {
    if (o.kind == ConditionOperand::Kind::kPath) return Status::Ok();
    return p_.Error("Operator or function requires a document path; operator or function: " + std::string(name));
  }

  Status OperandTypeError(std::string_view name, const AttributeValue& v) const {
    return p_.Error("Incorrect operand type for operator or function; operator or function: " + std::string(name) +
                    ", operand type: " + std::string(AttributeTypeName(v.type())));
  }

  Result<Condition> ParseConditionFunction() {
    std::string name(p_.Next().text);
    TRIB_ASSIGN_OR_RETURN(std::vector<ConditionOperand> args, ParseArguments());
    Condition c;
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      TRIB_RETURN_IF_ERROR(CheckArity(name, args, 1));
      TRIB_RETURN_IF_ERROR(RequirePath(name, args[0]));
      c.kind = name == "attribute_exists" ? Condition::Kind::kAttributeExists : Condition::Kind::kAttributeNotExists;
    } else if (name == "attribute_type") {
      TRIB_RETURN_IF_ERROR(CheckArity(name, args, 2));
      TRIB_RETURN_IF_ERROR(RequirePath(name, args[0]));
      if (args[1].kind != ConditionOperand::Kind::kValue) {
        return p_.Error("Operator or function requires a value; operator or function: attribute_type");
      }
      const AttributeValue& t = args[1].value;
      if (t.type() != AttributeType::kS) return OperandTypeError(name, t);
      if (!ParseAttributeType(t.text()).ok()) {
        return p_.Error("Invalid attribute type name found; type: " + t.text() +
                        ", valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
      }
      c.kind = Condition::Kind::kAttributeType;
    } else {
      TRIB_RETURN_IF_ERROR(CheckArity(name, args, 2));
      if (name == "begins_with") {
        for (const ConditionOperand& a : args) {
          if (a.kind == ConditionOperand::Kind::kValue && a.value.type() != AttributeType::kS &&
              a.value.type() != AttributeType::kB) {
            return OperandTypeError(name, a.value);
          }
        }
        c.kind = Condition::Kind::kBeginsWith;
      } else {
        c.kind = Condition::Kind::kContains;
      }
      TRIB_RETURN_IF_ERROR(CheckDistinct(name, args));
    }
    c.operands = std::move(args);
    return c;
  }

  Result<ConditionOperand> ParseOperand() {
    const Token& tok = p_.Peek();
    ConditionOperand o;
    if (tok.kind == TokenKind::kValuePlaceholder) {
      TRIB_ASSIGN_OR_RETURN(const AttributeValue* v, p_.ParseValuePlaceholder());
      o.kind = ConditionOperand::Kind::kValue;
      o.value = *v;
      return o;
    }
    if (tok.kind == TokenKind::kIdentifier && p_.Peek(1).kind == TokenKind::kLeftParen) {
      std::string name(tok.text);
      if (name == "size") {
        p_.Next();
        TRIB_ASSIGN_OR_RETURN(std::vector<ConditionOperand> args, ParseArguments());
        TRIB_RETURN_IF_ERROR(CheckArity(name, args, 1));
        if (args[0].kind == ConditionOperand::Kind::kValue) {
          AttributeType t = args[0].value.type();
          if (t == AttributeType::kN || t == AttributeType::kBool || t == AttributeType::kNull) {
            return OperandTypeError(name, args[0].value);
          }
        }
        TRIB_RETURN_IF_ERROR(RequirePath(name, args[0]));
        o.kind = ConditionOperand::Kind::kSize;
        o.path = std::move(args[0].path);
        return o;
      }
      if (IsConditionFunction(name)) {
        return p_.Error("The function is not allowed to be used this way in an expression; function: " + name);
      }
      if (name == "if_not_exists" || name == "list_append") {
        return p_.Error("The function is not allowed in a condition expression; function: " + name);
      }
      return p_.Error("Invalid function name; function: " + name);
    }
    if (tok.kind == TokenKind::kIdentifier || tok.kind == TokenKind::kNamePlaceholder) {
      o.kind = ConditionOperand::Kind::kPath;
      TRIB_ASSIGN_OR_RETURN(o.path, p_.ParsePath());
      return o;
    }
    return p_.SyntaxErrorHere();
  }

  // DynamoDB rejects "a = a", "a BETWEEN a AND :x" and friends.
  Status CheckDistinct(std::string_view op, const std::vector<ConditionOperand>& operands) const {
    const ConditionOperand& first = operands[0];
    if (first.kind != ConditionOperand::Kind::kPath) return Status::Ok();
    for (size_t i = 1; i < operands.size(); ++i) {
      if (operands[i].kind == ConditionOperand::Kind::kPath && operands[i].path == first.path) {
        return p_.Error("The first operand must be distinct from the remaining operands for this operator or "
                        "function; operator: " +
                        std::string(op) + ", first operand: " + PathForError(first.path));
      }
    }
    return Status::Ok();
  }

  Status CheckOrderable(std::string_view op, const std::vector<ConditionOperand>& operands) const {
    for (const ConditionOperand& o : operands) {
      if (o.kind == ConditionOperand::Kind::kValue && !IsOrderable(o.value.type())) {
        return OperandTypeError(op, o.value);
      }
    }
    return Status::Ok();
  }

  Status CheckBetweenBounds(const ConditionOperand& lo, const ConditionOperand& hi) const {
    if (lo.kind != ConditionOperand::Kind::kValue || hi.kind != ConditionOperand::Kind::kValue) {
      return Status::Ok();
    }
    std::string bounds = "lower bound operand: AttributeValue: " + AttributeValueForError(lo.value) +
                         ", upper bound operand: AttributeValue: " + AttributeValueForError(hi.value);
    int cmp = 0;
    if (!CompareScalars(lo.value, hi.value, &cmp)) {
      return p_.Error("The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
    }
    if (cmp > 0) {
      return p_.Error("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " +
                      bounds);
    }
    return Status::Ok();
  }

  ExpressionParser p_;
  // Token positions of the last parenthesized group: its '(' and just past its ')'.
  size_t last_group_open_ = static_cast<size_t>(-1);
  size_t last_group_close_ = static_cast<size_t>(-1);
  int depth_ = 0;
};

// An operand's value against an item: a pointer into the item or the expression, or an owned
// number for size().
struct Resolved {
  const AttributeValue* value = nullptr;
  AttributeValue owned;
};

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool Resolve(const ConditionOperand& o, const Item* item, Resolved* out) {
  switch (o.kind) {
    case ConditionOperand::Kind::kValue:
      out->value = &o.value;
      return true;
    case ConditionOperand::Kind::kPath:
      out->value = item == nullptr ? nullptr : FindPath(*item, o.path);
      return out->value != nullptr;
    case ConditionOperand::Kind::kSize: {
      const AttributeValue* v = item == nullptr ? nullptr : FindPath(*item, o.path);
      if (v == nullptr) return false;
      int64_t size = 0;
      switch (v->type()) {
        case AttributeType::kS: size = static_cast<int64_t>(Utf8Length(v->text())); break;
        case AttributeType::kB: size = static_cast<int64_t>(v->text().size()); break;
        case AttributeType::kSS:
        case AttributeType::kNS:
        case AttributeType::kBS: size = static_cast<int64_t>(v->set().size()); break;
        case AttributeType::kM: size = static_cast<int64_t>(v->map().size()); break;
        case AttributeType::kL: size = static_cast<int64_t>(v->list().size()); break;
        default: return false;
      }
      out->owned = AttributeValue::N(size);
      out->value = &out->owned;
      return true;
    }
  }
  return false;
}

bool EvaluateCompare(CompareOp op, const AttributeValue* a, const AttributeValue* b) {
  if (op == CompareOp::kEq) return a != nullptr && b != nullptr && *a == *b;
  if (op == CompareOp::kNe) return !(a != nullptr && b != nullptr && *a == *b);
  if (a == nullptr || b == nullptr) return false;
  int cmp = 0;
  if (!CompareScalars(*a, *b, &cmp)) return false;
  switch (op) {
    case CompareOp::kLt: return cmp < 0;
    case CompareOp::kLe: return cmp <= 0;
    case CompareOp::kGt: return cmp > 0;
    case CompareOp::kGe: return cmp >= 0;
    default: return false;
  }
}

bool Contains(const AttributeValue& haystack, const AttributeValue& needle) {
  switch (haystack.type()) {
    case AttributeType::kS:
    case AttributeType::kB:
      return needle.type() == haystack.type() && haystack.text().find(needle.text()) != std::string::npos;
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS: {
      AttributeType member = haystack.type() == AttributeType::kSS   ? AttributeType::kS
                             : haystack.type() == AttributeType::kNS ? AttributeType::kN
                                                                     : AttributeType::kB;
      if (needle.type() != member) return false;
      const auto& set = haystack.set();
      return std::find(set.begin(), set.end(), needle.text()) != set.end();
    }
    case AttributeType::kL: {
      const auto& list = haystack.list();
      return std::find(list.begin(), list.end(), needle) != list.end();
    }
    default:
      return false;
  }
}

}  // namespace

Status CheckExpressionSize(std::string_view text, std::string_view kind) {
  if (text.size() <= kMaxExpressionBytes) return Status::Ok();
  return Status::InvalidArgument("Invalid " + std::string(kind) +
                                 ": Expression size has exceeded the maximum allowed size; expression size: " +
                                 std::to_string(text.size()));
}

Result<Condition> ParseConditionExpression(std::string_view text, std::string_view kind, ExpressionContext* ctx) {
  TRIB_RETURN_IF_ERROR(CheckExpressionSize(text, kind));
  return ConditionParser(text, kind, ctx).Parse();
}

bool CompareScalars(const AttributeValue& a, const AttributeValue& b, int* result) {
  if (a.type() != b.type() || !IsOrderable(a.type())) return false;
  if (a.type() == AttributeType::kN) {
    *result = CompareNumbers(a.text(), b.text());
  } else {
    int c = a.text().compare(b.text());
    *result = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return true;
}

std::string AttributeValueForError(const AttributeValue& value) {
  std::string out = "{";
  out += AttributeTypeName(value.type());
  out += ":";
  if (value.type() == AttributeType::kS || value.type() == AttributeType::kN) {
    out += value.text();
  } else {
    std::string json = value.ToJson();
    size_t colon = json.find(':');
    out += json.substr(colon + 1, json.size() - colon - 2);
  }
  out += "}";
  return out;
}

ConditionOperand PathOperand(std::string name) {
  ConditionOperand o;
  o.kind = ConditionOperand::Kind::kPath;
  o.path.push_back({std::move(name), -1});
  return o;
}

ConditionOperand ValueOperand(AttributeValue value) {
  ConditionOperand o;
  o.kind = ConditionOperand::Kind::kValue;
  o.value = std::move(value);
  return o;
}

bool EvaluateCondition(const Condition& cond, const Item* item) {
  switch (cond.kind) {
    case Condition::Kind::kTrue:
      return true;
    case Condition::Kind::kAnd:
      for (const Condition& c : cond.children) {
        if (!EvaluateCondition(c, item)) return false;
      }
      return true;
    case Condition::Kind::kOr:
      for (const Condition& c : cond.children) {
        if (EvaluateCondition(c, item)) return true;
      }
      return false;
    case Condition::Kind::kNot:
      return !EvaluateCondition(cond.children[0], item);
    case Condition::Kind::kAttributeExists:
      return item != nullptr && FindPath(*item, cond.operands[0].path) != nullptr;
    case Condition::Kind::kAttributeNotExists:
      return item == nullptr || FindPath(*item, cond.operands[0].path) == nullptr;
    default:
      break;
  }
  Resolved r[3];
  size_t n = std::min<size_t>(cond.operands.size(), 3);
  bool present[3] = {false, false, false};
  for (size_t i = 0; i < n; ++i) present[i] = Resolve(cond.operands[i], item, &r[i]);
  switch (cond.kind) {
    case Condition::Kind::kCompare:
      return EvaluateCompare(cond.op, present[0] ? r[0].value : nullptr, present[1] ? r[1].value : nullptr);
    case Condition::Kind::kBetween: {
      if (!present[0] || !present[1] || !present[2]) return false;
      int lo = 0, hi = 0;
      return CompareScalars(*r[0].value, *r[1].value, &lo) && CompareScalars(*r[0].value, *r[2].value, &hi) &&
             lo >= 0 && hi <= 0;
    }
    case Condition::Kind::kIn: {
      if (!present[0]) return false;
      for (size_t i = 1; i < cond.operands.size(); ++i) {
        Resolved x;
        if (Resolve(cond.operands[i], item, &x) && *x.value == *r[0].value) return true;
      }
      return false;
    }
    case Condition::Kind::kAttributeType:
      return present[0] && present[1] && AttributeTypeName(r[0].value->type()) == r[1].value->text();
    case Condition::Kind::kBeginsWith: {
      if (!present[0] || !present[1]) return false;
      const AttributeValue& a = *r[0].value;
      const AttributeValue& b = *r[1].value;
      if (a.type() != b.type() || (a.type() != AttributeType::kS && a.type() != AttributeType::kB)) return false;
      return a.text().compare(0, b.text().size(), b.text()) == 0 && a.text().size() >= b.text().size();
    }
    case Condition::Kind::kContains:
      return present[0] && present[1] && Contains(*r[0].value, *r[1].value);
    default:
      return false;
  }
}

}  // namespace tributary::table
