// A small lexer for DuckDB SQL text, shared by the textual rewrites and checks of sql_text.h and
// sql_rewrite.h. Internal to the query library.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::query::sql_lexer {

// A lexical token of DuckDB SQL, enough to find function calls and their literal arguments.
// Punctuation tokens are one byte each (">=" is two tokens).
struct Token {
  enum Kind { kWord, kString, kOtherString, kQuotedIdentifier, kComment, kSpace, kPunct };
  Kind kind;
  size_t begin;
  size_t end;  // one past the last byte
};

// Identifier characters: ASCII letters, digits, '_' and any non-ASCII byte (DuckDB allows UTF-8
// letters in bare identifiers).
bool IsWordChar(unsigned char c);
char Lower(char c);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Splits SQL into tokens. Unterminated strings and comments run to the end of the text.
std::vector<Token> Tokenize(std::string_view sql);

// Whitespace and comments.
bool Insignificant(const Token& t);

// Index of the next significant token at or after `i` (tokens.size() if none).
size_t NextSignificant(const std::vector<Token>& tokens, size_t i);

// The content of a plain '...' literal, quotes undoubled.
std::string UnquoteString(std::string_view literal);

}  // namespace tributary::query::sql_lexer
