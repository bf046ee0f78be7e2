// Tokens of DynamoDB's expression language (update, condition, key condition, projection and
// filter expressions share one lexical grammar), and the reserved-word table.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tributary::table {

enum class TokenKind : uint8_t {
  kIdentifier,        // name, keyword or function name: [A-Za-z_][A-Za-z0-9_]*
  kNamePlaceholder,   // #name
  kValuePlaceholder,  // :value
  kNumber,            // unsigned integer literal (list index)
  kDot,
  kComma,
  kLeftBracket,
  kRightBracket,
  kLeftParen,
  kRightParen,
  kEqual,
  kNotEqual,  // <>
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kPlus,
  kMinus,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // a view into the expression; "<EOF>" for kEnd
  size_t offset = 0;      // byte offset in the expression
};

// `expression_kind` names the parameter in error messages ("UpdateExpression", ...). A character
// outside the language yields 'Invalid <kind>: Syntax error; token: "<c>", near: "..."'.
Result<std::vector<Token>> Tokenize(std::string_view expression, std::string_view expression_kind);

// 'Invalid <kind>: Syntax error; token: "<token>", near: "<previous token .. this token>"'.
Status SyntaxError(std::string_view expression, std::string_view expression_kind,
                   const std::vector<Token>& tokens, size_t index);

// Case-insensitive membership in DynamoDB's reserved words.
bool IsReservedWord(std::string_view word);
// Case-insensitive keyword comparison; `upper_keyword` is upper case.
bool IsKeyword(const Token& token, std::string_view upper_keyword);

}  // namespace tributary::table
