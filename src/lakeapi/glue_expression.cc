#include "lakeapi/glue_expression.h"

#include <cctype>
#include <charconv>
#include <optional>
#include <variant>

namespace tributary::lakeapi {

namespace {

enum class Tok { kEnd, kIdent, kString, kNumber, kOp, kLParen, kRParen, kComma };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier (as written), string contents, number text or operator
  size_t pos = 0;    // 1-based character position
  bool quoted_ident = false;
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<double> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

Status Error(std::string message, size_t pos) {
  return Status::InvalidArgument("Expression: " + message + " at character " + std::to_string(pos));
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.pos = i + 1;
    if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kComma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '\'' || c == '"') {
      // Glue accepts both quote styles for literals; a doubled quote is a literal quote.
      const char q = c;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == q) {
          if (i + 1 < text.size() && text[i + 1] == q) {
            t.text += q;
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        t.text += text[i++];
      }
      if (!closed) return Error("unterminated string literal", t.pos);
      t.kind = Tok::kString;
    } else if (c == '`') {
      size_t end = text.find('`', i + 1);
      if (end == std::string_view::npos) return Error("unterminated `quoted` name", t.pos);
      t.kind = Tok::kIdent;
      t.quoted_ident = true;
      t.text = std::string(text.substr(i + 1, end - i - 1));
      if (t.text.empty()) return Error("empty `quoted` name", t.pos);
      i = end + 1;
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
      std::string op(1, c);
      if (i + 1 < text.size() && (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>'))) op += text[i + 1];
      if (op == "!") return Error("unexpected '!' (use <> or !=)", t.pos);
      if (op == "==") return Error("unexpected '==' (use =)", t.pos);
      t.kind = Tok::kOp;
      t.text = op;
      i += op.size();
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '+' || c == '.') && i + 1 < text.size() &&
                (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '.'))) {
      size_t j = i + 1;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '.' ||
                                 ((text[j] == '-' || text[j] == '+') && (text[j - 1] == 'e' || text[j - 1] == 'E')))) {
        ++j;
      }
      t.text = std::string(text.substr(i, j - i));
      if (!ParseNumber(t.text)) return Error("malformed number '" + t.text + "'", t.pos);
      t.kind = Tok::kNumber;
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i + 1;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      t.kind = Tok::kIdent;
      t.text = std::string(text.substr(i, j - i));
      i = j;
    } else {
      return Error("unexpected character '" + std::string(1, c) + "'", t.pos);
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = text.size() + 1;
  out.push_back(end);
  return out;
}

}  // namespace

// An operand: a partition key (index) or a literal.
struct Operand {
  int key = -1;              // >= 0: index into the partition values
  std::string literal;       // when key < 0
  bool numeric_literal = false;
};

struct GlueExpression::Node {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIn, kBetween, kLike } kind = Kind::kCompare;
  std::string op;                      // kCompare: = <> < > <= >=
  std::vector<Operand> operands;       // kCompare: 2; kIn: 1 + list; kBetween: 3; kLike: 2
  std::vector<std::shared_ptr<const Node>> children;  // kAnd/kOr: 2; kNot: 1
};

namespace {

using Node = GlueExpression::Node;

struct Value {
  std::string text;
  bool numeric_literal = false;
};

Value Resolve(const Operand& o, const std::vector<std::string>& values) {
  if (o.key >= 0) return {static_cast<size_t>(o.key) < values.size() ? values[o.key] : std::string(), false};
  return {o.literal, o.numeric_literal};
}

// <0, 0, >0. Numbers compare as numbers when one side is a numeric literal and the other parses.
int Compare(const Value& a, const Value& b) {
  if (a.numeric_literal || b.numeric_literal) {
    auto x = ParseNumber(a.text), y = ParseNumber(b.text);
    if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  int c = a.text.compare(b.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool Eval(const Node& n, const std::vector<std::string>& values) {
  switch (n.kind) {
    case Node::Kind::kAnd: return Eval(*n.children[0], values) && Eval(*n.children[1], values);
    case Node::Kind::kOr: return Eval(*n.children[0], values) || Eval(*n.children[1], values);
    case Node::Kind::kNot: return !Eval(*n.children[0], values);
    case Node::Kind::kCompare: {
      int c = Compare(Resolve(n.operands[0], values), Resolve(n.operands[1], values));
      if (n.op == "=") return c == 0;
      if (n.op == "<>" || n.op == "!=") return c != 0;
      if (n.op == "<") return c < 0;
      if (n.op == ">") return c > 0;
      if (n.op == "<=") return c <= 0;
      return c >= 0;  // ">="
    }
    case Node::Kind::kIn: {
      Value v = Resolve(n.operands[0], values);
      for (size_t i = 1; i < n.operands.size(); ++i) {
        if (Compare(v, Resolve(n.operands[i], values)) == 0) return true;
      }
      return false;
    }
    case Node::Kind::kBetween: {
      Value v = Resolve(n.operands[0], values);
      return Compare(v, Resolve(n.operands[1], values)) >= 0 && Compare(v, Resolve(n.operands[2], values)) <= 0;
    }
    case Node::Kind::kLike:
      return SqlLikeMatch(Resolve(n.operands[0], values).text, Resolve(n.operands[1], values).text);
  }
  return false;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::vector<std::string>& keys) : tokens_(std::move(tokens)), keys_(keys) {}

  Result<std::shared_ptr<const Node>> ParseAll() {
    TRIB_ASSIGN_OR_RETURN(auto root, ParseOr());
    if (Peek().kind != Tok::kEnd) return Error("unexpected '" + Peek().text + "'", Peek().pos);
    return root;
  }

 private:
  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.kind == Tok::kIdent && !t.quoted_ident && Upper(t.text) == kw;
  }
  static std::string Describe(const Token& t) {
    return t.kind == Tok::kEnd ? std::string("end of expression") : "'" + t.text + "'";
  }

  static std::shared_ptr<const Node> Binary(Node::Kind kind, std::shared_ptr<const Node> a,
                                            std::shared_ptr<const Node> b) {
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->children = {std::move(a), std::move(b)};
    return n;
  }

  Result<std::shared_ptr<const Node>> ParseOr() {
    TRIB_ASSIGN_OR_RETURN(auto left, ParseAnd());
    while (IsKeyword(Peek(), "OR")) {
      Next();
      TRIB_ASSIGN_OR_RETURN(auto right, ParseAnd());
      left = Binary(Node::Kind::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::shared_ptr<const Node>> ParseAnd() {
    TRIB_ASSIGN_OR_RETURN(auto left, ParseUnary());
    while (IsKeyword(Peek(), "AND")) {
      Next();
      TRIB_ASSIGN_OR_RETURN(auto right, ParseUnary());
      left = Binary(Node::Kind::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::shared_ptr<const Node>> ParseUnary() {
    if (++depth_ > 100) return Error("expression nested too deeply", Peek().pos);
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    if (IsKeyword(Peek(), "NOT")) {
      Next();
      TRIB_ASSIGN_OR_RETURN(auto inner, ParseUnary());
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kNot;
      n->children = {std::move(inner)};
      return std::shared_ptr<const Node>(n);
    }
    if (Peek().kind == Tok::kLParen) {
      Next();
      TRIB_ASSIGN_OR_RETURN(auto inner, ParseOr());
      if (Peek().kind != Tok::kRParen) return Error("expected ')' but found " + Describe(Peek()), Peek().pos);
      Next();
      return inner;
    }
    return ParsePredicate();
  }

  Result<Operand> ParseOperand() {
    const Token& t = Peek();
    Operand o;
    if (t.kind == Tok::kString) {
      o.literal = t.text;
    } else if (t.kind == Tok::kNumber) {
      o.literal = t.text;
      o.numeric_literal = true;
    } else if (t.kind == Tok::kIdent) {
      static constexpr std::string_view kReserved[] = {"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE"};
      if (!t.quoted_ident) {
        for (auto kw : kReserved) {
          if (Upper(t.text) == kw) return Error("expected a partition key or a literal but found " + Describe(t), t.pos);
        }
      }
      for (size_t i = 0; i < keys_.size(); ++i) {
        if (Upper(keys_[i]) == Upper(t.text)) o.key = static_cast<int>(i);
      }
      if (o.key < 0) {
        std::string known;
        for (const auto& k : keys_) known += (known.empty() ? "" : ", ") + k;
        return Error("unknown partition key '" + t.text + "' (partition keys: " +
                         (known.empty() ? std::string("none") : known) + ")",
                     t.pos);
      }
    } else {
      return Error("expected a partition key or a literal but found " + Describe(t), t.pos);
    }
    Next();
    return o;
  }

  Result<std::shared_ptr<const Node>> ParsePredicate() {
    const size_t start = Peek().pos;
    TRIB_ASSIGN_OR_RETURN(Operand left, ParseOperand());
    auto n = std::make_shared<Node>();
    bool negate = false;
    if (IsKeyword(Peek(), "NOT")) {
      Next();
      negate = true;
      if (!IsKeyword(Peek(), "IN") && !IsKeyword(Peek(), "BETWEEN") && !IsKeyword(Peek(), "LIKE")) {
        return Error("expected IN, BETWEEN or LIKE after NOT but found " + Describe(Peek()), Peek().pos);
      }
    }
    const Token& t = Peek();
    if (t.kind == Tok::kOp) {
      n->kind = Node::Kind::kCompare;
      n->op = Next().text;
      TRIB_ASSIGN_OR_RETURN(Operand right, ParseOperand());
      n->operands = {std::move(left), std::move(right)};
    } else if (IsKeyword(t, "IN")) {
      Next();
      if (Peek().kind != Tok::kLParen) return Error("expected '(' after IN but found " + Describe(Peek()), Peek().pos);
      Next();
      n->kind = Node::Kind::kIn;
      n->operands.push_back(std::move(left));
      while (true) {
        TRIB_ASSIGN_OR_RETURN(Operand item, ParseOperand());
        n->operands.push_back(std::move(item));
        if (Peek().kind == Tok::kComma) {
          Next();
          continue;
        }
        if (Peek().kind != Tok::kRParen) {
          return Error("expected ',' or ')' in the IN list but found " + Describe(Peek()), Peek().pos);
        }
        Next();
        break;
      }
    } else if (IsKeyword(t, "BETWEEN")) {
      Next();
      n->kind = Node::Kind::kBetween;
      TRIB_ASSIGN_OR_RETURN(Operand low, ParseOperand());
      if (!IsKeyword(Peek(), "AND")) return Error("expected AND in BETWEEN but found " + Describe(Peek()), Peek().pos);
      Next();
      TRIB_ASSIGN_OR_RETURN(Operand high, ParseOperand());
      n->operands = {std::move(left), std::move(low), std::move(high)};
    } else if (IsKeyword(t, "LIKE")) {
      Next();
      n->kind = Node::Kind::kLike;
      TRIB_ASSIGN_OR_RETURN(Operand pattern, ParseOperand());
      n->operands = {std::move(left), std::move(pattern)};
    } else {
      return Error("expected a comparison (=, <>, <, >, <=, >=, IN, BETWEEN, LIKE) after the operand at character " +
                       std::to_string(start) + " but found " + Describe(t),
                   t.pos);
    }
    if (!negate) return std::shared_ptr<const Node>(n);
    auto neg = std::make_shared<Node>();
    neg->kind = Node::Kind::kNot;
    neg->children = {std::move(n)};
    return std::shared_ptr<const Node>(neg);
  }

  std::vector<Token> tokens_;
  const std::vector<std::string>& keys_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<GlueExpression> GlueExpression::Parse(std::string_view text, const std::vector<std::string>& partition_keys) {
  if (text.size() > kMaxGlueExpressionLength) {
    return Status::InvalidArgument("Expression: longer than " + std::to_string(kMaxGlueExpressionLength) +
                                   " characters (" + std::to_string(text.size()) + ")");
  }
  TRIB_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  if (tokens.size() == 1) return GlueExpression(nullptr);
  Parser parser(std::move(tokens), partition_keys);
  TRIB_ASSIGN_OR_RETURN(auto root, parser.ParseAll());
  return GlueExpression(std::move(root));
}

bool GlueExpression::Matches(const std::vector<std::string>& values) const {
  return root_ == nullptr || Eval(*root_, values);
}

bool SqlLikeMatch(std::string_view text, std::string_view pattern) {
  // Iterative wildcard match with backtracking to the last '%'.
  size_t t = 0, p = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || pattern[p] == text[t])) {
      ++t;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace tributary::lakeapi
