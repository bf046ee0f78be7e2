#include "query/sql_text.h"

#include "query/sql_lexer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace tributary::query {
namespace sql_lexer {

bool IsWordChar(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::vector<Token> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto quoted_until = [&](size_t from, char quote, bool backslash_escapes) {
    size_t j = from;
    while (j < sql.size()) {
      if (backslash_escapes && sql[j] == '\\') {
        j += 2;
      } else if (sql[j] == quote) {
        if (j + 1 < sql.size() && sql[j + 1] == quote) {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        ++j;
      }
    }
    return sql.size();
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const auto u = static_cast<unsigned char>(c);
    const size_t start = i;
    Token::Kind kind = Token::kPunct;
    if (std::isspace(u)) {
      while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
      kind = Token::kSpace;
    } else if (sql.substr(i, 2) == "--") {
      const size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? sql.size() : eol + 1;
      kind = Token::kComment;
    } else if (sql.substr(i, 2) == "/*") {
      int depth = 0;
      while (i < sql.size()) {
        if (sql.substr(i, 2) == "/*") {
          ++depth;
          i += 2;
        } else if (sql.substr(i, 2) == "*/") {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
      kind = Token::kComment;
    } else if (c == '\'') {
      i = quoted_until(i + 1, '\'', false);
      kind = Token::kString;
    } else if ((c == 'E' || c == 'e') && i + 1 < sql.size() && sql[i + 1] == '\'') {
      i = quoted_until(i + 2, '\'', true);
      kind = Token::kOtherString;
    } else if (c == '"') {
      i = quoted_until(i + 1, '"', false);
      kind = Token::kQuotedIdentifier;
    } else if (c == '$' && i + 1 < sql.size() &&
               !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      // $tag$ ... $tag$ (tag possibly empty); a lone '$' is punctuation.
      size_t j = i + 1;
      while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_'))
        ++j;
      if (j < sql.size() && sql[j] == '$') {
        const std::string_view tag = sql.substr(i, j + 1 - i);
        const size_t close = sql.find(tag, j + 1);
        i = close == std::string_view::npos ? sql.size() : close + tag.size();
        kind = Token::kOtherString;
      } else {
        ++i;
      }
    } else if (IsWordChar(u)) {
      while (i < sql.size() && (IsWordChar(static_cast<unsigned char>(sql[i])) || sql[i] == '$'))
        ++i;
      kind = Token::kWord;
    } else {
      ++i;
    }
    tokens.push_back(Token{kind, start, i});
  }
  return tokens;
}

bool Insignificant(const Token& t) { return t.kind == Token::kSpace || t.kind == Token::kComment; }

size_t NextSignificant(const std::vector<Token>& tokens, size_t i) {
  while (i < tokens.size() && Insignificant(tokens[i])) ++i;
  return i;
}

std::string UnquoteString(std::string_view literal) {
  std::string out;
  for (size_t i = 1; i + 1 < literal.size(); ++i) {
    out += literal[i];
    if (literal[i] == '\'' && literal[i + 1] == '\'') ++i;
  }
  return out;
}

}  // namespace sql_lexer

namespace {

// Table functions user SQL may not call (see FindDeniedFunctionCall in the header).
// read_duckdb is listed because it opens database files, which the lake never holds.
constexpr std::array<std::string_view, 16> kDeniedFunctions = {
    "arrow_scan",
    "arrow_scan_dumb",
    "check_peg_parser",
    "checkpoint",
    "disable_logging",
    "disable_peg_parser",
    "disable_profiling",
    "enable_logging",
    "enable_peg_parser",
    "enable_profiling",
    "force_checkpoint",
    "json_execute_serialized_sql",
    "query",
    "query_table",
    "read_duckdb",
    "truncate_duckdb_logs",
};

// True if, starting at `pos`, only quotes, whitespace and comments come before a '('.
bool CallFollows(std::string_view sql, size_t pos) {
  while (pos < sql.size()) {
    const char c = sql[pos];
    if (c == '(') return true;
    if (c == '"' || std::isspace(static_cast<unsigned char>(c))) {
      ++pos;
    } else if (sql.substr(pos, 2) == "--") {
      const size_t eol = sql.find('\n', pos);
      if (eol == std::string_view::npos) return false;
      pos = eol + 1;
    } else if (sql.substr(pos, 2) == "/*") {
      const size_t end = sql.find("*/", pos + 2);
      if (end == std::string_view::npos) return false;
      pos = end + 2;
    } else {
      return false;
    }
  }
  return false;
}

}  // namespace

using namespace sql_lexer;

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteStringLiteral(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string_view TrimStatement(std::string_view sql) {
  auto is_trim = [](char c) { return c == ';' || std::isspace(static_cast<unsigned char>(c)); };
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) {
    sql.remove_prefix(1);
  }
  while (!sql.empty() && is_trim(sql.back())) sql.remove_suffix(1);
  return sql;
}

std::optional<std::string> FindNonReadOnlyStatement(std::string_view sql) {
  static constexpr std::string_view kReadOnly[] = {
      "select", "with",      "from",  "values",  "table",       "show",        "describe",
      "desc",   "summarize", "pivot", "unpivot", "pivot_wider", "pivot_longer"};
  const std::vector<Token> tokens = Tokenize(sql);
  size_t t = 0;
  bool after_explain = false;
  while (true) {
    t = NextSignificant(tokens, t);
    while (t < tokens.size() && tokens[t].kind == Token::kPunct && sql[tokens[t].begin] == '(') {
      t = NextSignificant(tokens, t + 1);
    }
    if (t == tokens.size()) return std::nullopt;  // nothing left: DuckDB reports the error
    std::string word(sql.substr(tokens[t].begin, tokens[t].end - tokens[t].begin));
    for (char& c : word) c = Lower(c);
    if (tokens[t].kind == Token::kWord) {
      if (std::find(std::begin(kReadOnly), std::end(kReadOnly), word) != std::end(kReadOnly)) {
        return std::nullopt;
      }
      if (word == "explain" && !after_explain) {
        after_explain = true;
        t = NextSignificant(tokens, t + 1);
        if (t < tokens.size()) {
          std::string next(sql.substr(tokens[t].begin, tokens[t].end - tokens[t].begin));
          for (char& c : next) c = Lower(c);
          if (next == "analyze" || next == "analyse") ++t;
        }
        continue;
      }
    }
    for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return after_explain ? "EXPLAIN " + word : word;
  }
}

std::string MysqlToDuckDbDateFormat(std::string_view format) {
  std::string out;
  out.reserve(format.size() + 8);
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    const char code = format[++i];
    switch (code) {
      case 'i':
        out += "%M";
        break;
      case 's':
        out += "%S";
        break;
      case 'M':
        out += "%B";
        break;
      case 'W':
        out += "%A";
        break;
      case 'h':
        out += "%I";
        break;
      case 'T':
        out += "%H:%M:%S";
        break;
      case 'r':
        out += "%I:%M:%S %p";
        break;
      case 'c':
        out += "%-m";
        break;
      case 'e':
        out += "%-d";
        break;
      case 'k':
        out += "%-H";
        break;
      case 'l':
        out += "%-I";
        break;
      default:
        out += '%';
        out += code;
    }
  }
  return out;
}

Result<std::string> JodaToDuckDbDateFormat(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 8);
  auto literal = [&](char c) {
    if (c == '%') out += '%';
    out += c;
  };
  auto unsupported = [&](std::string_view run) {
    return Status::InvalidArgument("format_datetime/parse_datetime: pattern '" +
                                   std::string(pattern) + "': '" + std::string(run) +
                                   "' is not supported");
  };
  size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {  // '' is a quote
        out += '\'';
        i += 2;
        continue;
      }
      // 'quoted text' up to the closing quote ('' inside is a quote).
      for (++i; i < pattern.size(); ++i) {
        if (pattern[i] != '\'') {
          literal(pattern[i]);
        } else if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
          out += '\'';
          ++i;
        } else {
          break;
        }
      }
      ++i;  // past the closing quote (or the end)
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      literal(c);
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    const std::string_view run = pattern.substr(i, n);
    i += n;
    switch (c) {
      case 'y':
      case 'Y':
        out += n == 2 ? "%y" : "%Y";
        break;
      case 'x':
        if (n == 2) return unsupported(run);
        out += "%G";
        break;
      case 'w':
        if (n > 2) return unsupported(run);
        out += "%V";
        break;
      case 'e':
        if (n > 1) return unsupported(run);
        out += "%u";
        break;
      case 'E':
        out += n <= 3 ? "%a" : "%A";
        break;
      case 'D':
        if (n == 2) return unsupported(run);
        out += n == 1 ? "%-j" : "%j";
        break;
      case 'M':
        out += n == 1 ? "%-m" : n == 2 ? "%m" : n == 3 ? "%b" : "%B";
        break;
      case 'd':
      case 'h':
      case 'H':
      case 'm':
      case 's': {
        if (n > 2) return unsupported(run);
        const char code = c == 'h' ? 'I' : c == 'm' ? 'M' : c == 's' ? 'S' : c;
        out += n == 1 ? "%-" : "%";
        out += code;
        break;
      }
      case 'a':
        out += "%p";
        break;
      case 'S':
        if (n == 3) {
          out += "%g";
        } else if (n == 6) {
          out += "%f";
        } else if (n == 9) {
          out += "%n";
        } else {
          return unsupported(run);
        }
        break;
      case 'z':
        out += "UTC";
        break;
      case 'Z':
        out += n == 1 ? "+0000" : n == 2 ? "+00:00" : "UTC";
        break;
      default:
        return unsupported(run);
    }
  }
  return out;
}

Result<std::string> RewriteTrinoDateFormats(std::string_view sql) {
  const std::vector<Token> tokens = Tokenize(sql);
  // Format literals to translate: 0 = no, 1 = MySQL codes, 2 = Joda pattern.
  std::vector<int> rewrite(tokens.size(), 0);
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (tokens[t].kind != Token::kWord) continue;
    const std::string_view word = sql.substr(tokens[t].begin, tokens[t].end - tokens[t].begin);
    int style = 0;
    if (EqualsIgnoreCase(word, "date_parse") || EqualsIgnoreCase(word, "date_format")) {
      style = 1;
    } else if (EqualsIgnoreCase(word, "format_datetime") ||
               EqualsIgnoreCase(word, "parse_datetime")) {
      style = 2;
    }
    if (style == 0) continue;
    if (t > 0 && tokens[t - 1].kind == Token::kPunct && sql[tokens[t - 1].begin] == '.') continue;
    size_t k = NextSignificant(tokens, t + 1);
    if (k == tokens.size() || tokens[k].kind != Token::kPunct || sql[tokens[k].begin] != '(') {
      continue;
    }
    // Skip the first argument up to its comma at depth 1.
    int depth = 1;
    for (++k; k < tokens.size(); ++k) {
      if (tokens[k].kind != Token::kPunct) continue;
      const char p = sql[tokens[k].begin];
      if (p == '(' || p == '[' || p == '{') ++depth;
      if (p == ')' || p == ']' || p == '}') --depth;
      if (depth == 0 || (depth == 1 && p == ',')) break;
    }
    if (k == tokens.size() || depth != 1) continue;
    const size_t literal = NextSignificant(tokens, k + 1);
    if (literal == tokens.size() || tokens[literal].kind != Token::kString) continue;
    const size_t close = NextSignificant(tokens, literal + 1);
    if (close < tokens.size() && tokens[close].kind == Token::kPunct &&
        sql[tokens[close].begin] == ')') {
      rewrite[literal] = style;
    }
  }
  std::string out;
  out.reserve(sql.size() + 16);
  for (size_t t = 0; t < tokens.size(); ++t) {
    const std::string_view text = sql.substr(tokens[t].begin, tokens[t].end - tokens[t].begin);
    if (rewrite[t] == 1) {
      out += QuoteStringLiteral(MysqlToDuckDbDateFormat(UnquoteString(text)));
    } else if (rewrite[t] == 2) {
      TRIB_ASSIGN_OR_RETURN(std::string format, JodaToDuckDbDateFormat(UnquoteString(text)));
      out += QuoteStringLiteral(format);
    } else {
      out += text;
    }
  }
  return out;
}

std::vector<std::string> SplitStatements(std::string_view text, std::string* rest) {
  const std::vector<Token> tokens = Tokenize(text);
  std::vector<std::string> statements;
  size_t begin = 0;
  bool meaningful = false;  // a token other than space/comment since `begin`
  for (const Token& token : tokens) {
    if (token.kind == Token::kPunct && text[token.begin] == ';') {
      if (meaningful) statements.emplace_back(TrimStatement(text.substr(begin, token.begin - begin)));
      begin = token.end;
      meaningful = false;
    } else if (!Insignificant(token)) {
      meaningful = true;
    }
  }
  if (rest != nullptr) *rest = std::string(text.substr(begin));
  return statements;
}

std::optional<std::string> FindDeniedFunctionCall(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    if (!IsWordChar(static_cast<unsigned char>(sql[i]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < sql.size() && IsWordChar(static_cast<unsigned char>(sql[end]))) ++end;
    const std::string_view word = sql.substr(i, end - i);
    for (std::string_view denied : kDeniedFunctions) {
      if (EqualsIgnoreCase(word, denied) && CallFollows(sql, end)) return std::string(denied);
    }
    i = end;
  }
  return std::nullopt;
}

}  // namespace tributary::query
