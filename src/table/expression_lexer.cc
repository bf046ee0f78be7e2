#include "table/expression_lexer.h"

#include <cctype>

namespace tributary::table {

namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Length of the UTF-8 sequence starting at expr[pos] (1 for ASCII or a stray byte), so an error
// echoes whole characters and stays valid UTF-8.
size_t Utf8Length(std::string_view expr, size_t pos) {
  unsigned char lead = static_cast<unsigned char>(expr[pos]);
  size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  size_t len = 1;
  while (len < n && pos + len < expr.size() &&
         (static_cast<unsigned char>(expr[pos + len]) & 0xC0) == 0x80) {
    ++len;
  }
  return len;
}

Status CharError(std::string_view expr, std::string_view kind, size_t pos) {
  size_t start = pos;
  while (start > 0 && !std::isspace(static_cast<unsigned char>(expr[start - 1]))) --start;
  size_t end = pos + Utf8Length(expr, pos);
  while (end < expr.size() && !std::isspace(static_cast<unsigned char>(expr[end]))) ++end;
  return Status::InvalidArgument("Invalid " + std::string(kind) + ": Syntax error; token: \"" +
                                 std::string(expr.substr(pos, Utf8Length(expr, pos))) + "\", near: \"" +
                                 std::string(expr.substr(start, end - start)) + "\"");
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view expr, std::string_view kind) {
  std::vector<Token> tokens;
  tokens.reserve(expr.size() / 2 + 2);
  size_t i = 0;
  while (i < expr.size()) {
    char c = expr[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    size_t start = i;
    auto emit = [&](TokenKind k, size_t len) {
      tokens.push_back({k, expr.substr(start, len), start});
      i = start + len;
    };
    if (c == '#' || c == ':') {
      size_t j = i + 1;
      while (j < expr.size() && IsNameChar(expr[j])) ++j;
      if (j == i + 1) return CharError(expr, kind, i);
      emit(c == '#' ? TokenKind::kNamePlaceholder : TokenKind::kValuePlaceholder, j - i);
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < expr.size() && std::isdigit(static_cast<unsigned char>(expr[j]))) ++j;
      // A name may not start with a digit; "1abc" lexes as a number followed by a name, which the
      // parser rejects with a syntax error at the number.
      emit(TokenKind::kNumber, j - i);
      continue;
    }
    if (IsNameChar(c)) {
      size_t j = i;
      while (j < expr.size() && IsNameChar(expr[j])) ++j;
      emit(TokenKind::kIdentifier, j - i);
      continue;
    }
    char next = i + 1 < expr.size() ? expr[i + 1] : '\0';
    switch (c) {
      case '.': emit(TokenKind::kDot, 1); break;
      case ',': emit(TokenKind::kComma, 1); break;
      case '[': emit(TokenKind::kLeftBracket, 1); break;
      case ']': emit(TokenKind::kRightBracket, 1); break;
      case '(': emit(TokenKind::kLeftParen, 1); break;
      case ')': emit(TokenKind::kRightParen, 1); break;
      case '=': emit(TokenKind::kEqual, 1); break;
      case '+': emit(TokenKind::kPlus, 1); break;
      case '-': emit(TokenKind::kMinus, 1); break;
      case '<':
        if (next == '>') {
          emit(TokenKind::kNotEqual, 2);
        } else if (next == '=') {
          emit(TokenKind::kLessEqual, 2);
        } else {
          emit(TokenKind::kLess, 1);
        }
        break;
      case '>':
        if (next == '=') {
          emit(TokenKind::kGreaterEqual, 2);
        } else {
          emit(TokenKind::kGreater, 1);
        }
        break;
      default:
        return CharError(expr, kind, i);
    }
  }
  tokens.push_back({TokenKind::kEnd, "<EOF>", expr.size()});
  return tokens;
}

Status SyntaxError(std::string_view expr, std::string_view kind, const std::vector<Token>& tokens,
                   size_t index) {
  const Token& tok = tokens[index];
  size_t start = index > 0 ? tokens[index - 1].offset : tok.offset;
  size_t end = tok.kind == TokenKind::kEnd ? expr.size() : tok.offset + tok.text.size();
  return Status::InvalidArgument("Invalid " + std::string(kind) + ": Syntax error; token: \"" +
                                 std::string(tok.text) + "\", near: \"" +
                                 std::string(expr.substr(start, end - start)) + "\"");
}

bool IsKeyword(const Token& token, std::string_view upper_keyword) {
  if (token.kind != TokenKind::kIdentifier || token.text.size() != upper_keyword.size()) return false;
  for (size_t i = 0; i < upper_keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(token.text[i])) != upper_keyword[i]) return false;
  }
  return true;
}

}  // namespace tributary::table
