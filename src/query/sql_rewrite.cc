#include "query/sql_rewrite.h"

#include <array>
#include <cctype>
#include <vector>

#include "query/sql_lexer.h"

namespace tributary::query {
namespace {

using namespace sql_lexer;

// The significant tokens of a statement, with helpers to look at them by position.
class Tokens {
 public:
  explicit Tokens(std::string_view sql) : sql_(sql), all_(Tokenize(sql)) {
    for (size_t i = 0; i < all_.size(); ++i) {
      if (!Insignificant(all_[i])) sig_.push_back(i);
    }
  }

  std::string_view sql() const { return sql_; }
  int size() const { return static_cast<int>(sig_.size()); }
  const Token& at(int p) const { return all_[sig_[static_cast<size_t>(p)]]; }
  std::string_view text(int p) const { return sql_.substr(at(p).begin, at(p).end - at(p).begin); }
  bool Punct(int p, char c) const {
    return p >= 0 && p < size() && at(p).kind == Token::kPunct && sql_[at(p).begin] == c;
  }
  bool Word(int p) const { return p >= 0 && p < size() && at(p).kind == Token::kWord; }
  bool WordIs(int p, std::string_view w) const { return Word(p) && EqualsIgnoreCase(text(p), w); }
  // True when the byte right before token p (whitespace included) is `c`.
  bool RawBefore(int p, char c) const { return at(p).begin > 0 && sql_[at(p).begin - 1] == c; }

 private:
  std::string_view sql_;
  std::vector<Token> all_;
  std::vector<size_t> sig_;
};

// Words after which '(' opens a parenthesized expression rather than a call's arguments.
bool IsExpressionKeyword(std::string_view w) {
  static constexpr std::array<std::string_view, 13> kWords = {
      "and", "or", "not", "where", "on", "having", "when", "then", "else", "between", "select",
      "is", "case"};
  for (std::string_view k : kWords) {
    if (EqualsIgnoreCase(w, k)) return true;
  }
  return false;
}

// Words that end the search for the BETWEEN an AND belongs to.
bool EndsBetweenSearch(const Tokens& t, int p) {
  static constexpr std::array<std::string_view, 9> kWords = {
      "and", "or", "where", "on", "having", "when", "then", "else", "select"};
  if (t.Punct(p, ',')) return true;
  if (!t.Word(p)) return false;
  for (std::string_view k : kWords) {
    if (EqualsIgnoreCase(t.text(p), k)) return true;
  }
  return false;
}

bool IsIntervalUnit(std::string_view w) {
  static constexpr std::array<std::string_view, 9> kUnits = {
      "millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year"};
  for (std::string_view u : kUnits) {
    if (EqualsIgnoreCase(w, u)) return true;
    if (w.size() == u.size() + 1 && (w.back() == 's' || w.back() == 'S') &&
        EqualsIgnoreCase(w.substr(0, u.size()), u)) {
      return true;
    }
  }
  return false;
}

// The comparison operator ending at p (=, <>, !=, <, <=, >, >=), not ':=', '=>' or '->'.
bool ComparisonEndsAt(const Tokens& t, int p) {
  if (t.Punct(p, '=')) return !t.Punct(p - 1, ':') || !t.RawBefore(p, ':');
  if (t.Punct(p, '<')) return true;
  if (t.Punct(p, '>')) {
    return !((t.Punct(p - 1, '-') || t.Punct(p - 1, '=')) && t.RawBefore(p, t.sql()[t.at(p - 1).begin]));
  }
  return false;
}

// The comparison operator starting at p.
bool ComparisonStartsAt(const Tokens& t, int p) {
  if (t.Punct(p, '=') || t.Punct(p, '<') || t.Punct(p, '>')) return true;
  return t.Punct(p, '!') && t.Punct(p + 1, '=');
}

// Is the AND at p the one of a BETWEEN?
bool IsBetweenAnd(const Tokens& t, int p) {
  int depth = 0;
  for (int q = p - 1; q >= 0; --q) {
    if (t.Punct(q, ')')) {
      ++depth;
    } else if (t.Punct(q, '(')) {
      if (--depth < 0) return false;
    } else if (depth == 0) {
      if (t.WordIs(q, "between")) return true;
      if (EndsBetweenSearch(t, q)) return false;
    }
  }
  return false;
}

// Is the expression in tokens [first, last] an operand of a comparison (see the header)?
bool IsComparisonOperand(const Tokens& t, int first, int last) {
  // Backward: opening parentheses that are not a call's, then the operator.
  int p = first - 1;
  int open = 0;
  while (t.Punct(p, '(')) {
    const int before = p - 1;
    const bool call = before >= 0 && (t.at(before).kind == Token::kQuotedIdentifier ||
                                      (t.Word(before) && !IsExpressionKeyword(t.text(before))));
    if (call) break;
    ++open;
    --p;
  }
  if (p < 0) return false;
  if (ComparisonEndsAt(t, p) || t.WordIs(p, "between")) return true;
  if (t.WordIs(p, "and") && IsBetweenAnd(t, p)) return true;
  if (open == 0 && t.Punct(p, ',') && t.Punct(last + 1, ')')) {
    // The last argument of date_add(unit, n, x) / date_trunc(unit, x)?
    int depth = 0;
    int q = p - 1;
    for (; q >= 0; --q) {
      if (t.Punct(q, ')')) ++depth;
      if (t.Punct(q, '(') && depth-- == 0) break;
    }
    const int name = q - 1;
    if (q > 0 && (t.WordIs(name, "date_add") || t.WordIs(name, "date_trunc")) &&
        !t.Punct(name - 1, '.')) {
      return IsComparisonOperand(t, name, last + 1);
    }
  }
  // Forward: `+`/`-` INTERVAL terms and the parentheses opened before, then the operator.
  int n = last + 1;
  while (n < t.size()) {
    if ((t.Punct(n, '+') || t.Punct(n, '-')) && t.WordIs(n + 1, "interval")) {
      n += 3;  // sign, INTERVAL, its literal
      if (t.Word(n) && IsIntervalUnit(t.text(n))) ++n;
    } else if (open > 0 && t.Punct(n, ')')) {
      --open;
      ++n;
    } else {
      break;
    }
  }
  return ComparisonStartsAt(t, n);
}

// The identifier at p (bare word or "quoted"), lower-cased, or "" when p is neither.
std::string IdentifierAt(const Tokens& t, int p) {
  if (p >= t.size()) return "";
  std::string out;
  const std::string_view s = t.text(p);
  if (t.at(p).kind == Token::kWord) {
    for (char c : s) out += Lower(c);
  } else if (t.at(p).kind == Token::kQuotedIdentifier && s.size() >= 2 && s.back() == '"') {
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      out += Lower(s[i]);
      if (s[i] == '"' && s[i + 1] == '"') ++i;
    }
  }
  return out;
}

}  // namespace

std::string RewriteCurrentTimestampComparisons(std::string_view sql) {
  const Tokens t(sql);
  struct Span {
    size_t begin, end;
  };
  std::vector<Span> spans;
  for (int p = 0; p < t.size(); ++p) {
    if (!t.Word(p) || t.Punct(p - 1, '.')) continue;
    int last = -1;
    if (t.WordIs(p, "now") && t.Punct(p + 1, '(') && t.Punct(p + 2, ')')) {
      last = p + 2;
    } else if (t.WordIs(p, "current_timestamp") && !t.Punct(p + 1, '(')) {
      last = p;
    }
    if (last < 0 || !IsComparisonOperand(t, p, last)) continue;
    spans.push_back({t.at(p).begin, t.at(last).end});
  }
  if (spans.empty()) return std::string(sql);
  std::string out;
  out.reserve(sql.size() + spans.size() * 24);
  size_t at = 0;
  for (const Span& s : spans) {
    out.append(sql.substr(at, s.begin - at));
    out += "CAST(";
    out.append(sql.substr(s.begin, s.end - s.begin));
    out += " AS TIMESTAMP)";
    at = s.end;
  }
  out.append(sql.substr(at));
  return out;
}

std::string StripCatalogQualifiers(std::string_view sql, const std::set<std::string>& databases,
                                   const std::set<std::string>& tables) {
  const Tokens t(sql);
  // A dot joining two parts of a name, with nothing in between.
  auto joined = [&](int dot) {
    return t.Punct(dot, '.') && t.at(dot - 1).end == t.at(dot).begin &&
           dot + 1 < t.size() && t.at(dot).end == t.at(dot + 1).begin;
  };
  std::vector<std::pair<size_t, size_t>> cuts;  // byte ranges to drop
  for (int p = 0; p < t.size(); ++p) {
    if (p > 0 && t.Punct(p - 1, '.') && t.at(p - 1).end == t.at(p).begin) continue;
    const std::string first = IdentifierAt(t, p);
    if (first.empty() || !joined(p + 1)) continue;
    const std::string second = IdentifierAt(t, p + 2);
    if (second.empty()) continue;
    if (first == "awsdatacatalog" && databases.count(second) > 0 && joined(p + 3)) {
      const std::string third = IdentifierAt(t, p + 4);
      if (tables.count(third) > 0) {
        cuts.emplace_back(t.at(p).begin, t.at(p + 4).begin);
        p += 4;
        continue;
      }
    }
    if (databases.count(first) > 0 && tables.count(second) > 0) {
      cuts.emplace_back(t.at(p).begin, t.at(p + 2).begin);
      p += 2;
    }
  }
  if (cuts.empty()) return std::string(sql);
  std::string out;
  size_t at = 0;
  for (const auto& [begin, end] : cuts) {
    out.append(sql.substr(at, begin - at));
    at = end;
  }
  out.append(sql.substr(at));
  return out;
}

}  // namespace tributary::query
