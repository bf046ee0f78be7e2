// Shared machinery for DynamoDB expression parsers: placeholder resolution with use tracking
// (ExpressionContext) and a token cursor that parses document paths (ExpressionParser). The
// update expression parser builds on it today; condition, key condition, filter and projection
// parsers are meant to reuse it, and to share one ExpressionContext per request so that
// "unused placeholder" is checked across all of a request's expressions.
//
// Thread-safety: ExpressionContext and ExpressionParser are owned by one request on one thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/status.h"
#include "table/document_path.h"
#include "table/expression_lexer.h"

namespace tributary::table {

using ExpressionAttributeNames = std::map<std::string, std::string, std::less<>>;

inline constexpr size_t kMaxPathDepth = 32;

class ExpressionContext {
 public:
  // Both maps must outlive the context.
  ExpressionContext(const ExpressionAttributeNames& names, const AttributeMap& values)
      : names_(names), values_(values) {}

  // Keys must look like "#name" / ":value":
  // 'ExpressionAttributeNames contains invalid key: Syntax error; key: "x"'.
  Status ValidateKeys() const;
  // Bare messages (the parser prefixes "Invalid <Kind>: "):
  // "An expression attribute name used in the document path is not defined; attribute name: #x"
  Result<std::string> ResolveName(std::string_view placeholder);
  // "An expression attribute value used in expression is not defined; attribute value: :x"
  Result<const AttributeValue*> ResolveValue(std::string_view placeholder);
  // After every expression of the request is parsed:
  // "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :b}".
  Status CheckAllUsed() const;

 private:
  const ExpressionAttributeNames& names_;
  const AttributeMap& values_;
  std::set<std::string, std::less<>> used_names_;
  std::set<std::string, std::less<>> used_values_;
};

class ExpressionParser {
 public:
  // `kind` names the request parameter in errors, e.g. "UpdateExpression".
  ExpressionParser(std::string_view text, std::string_view kind, ExpressionContext* ctx)
      : text_(text), kind_(kind), ctx_(ctx) {}

  // Tokenizes; "The expression can not be empty;" for a blank expression.
  Status Init();

  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return tokens_[i < tokens_.size() ? i : tokens_.size() - 1];
  }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool Accept(TokenKind kind);
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }
  // Index of the next token (how many have been consumed).
  size_t position() const { return pos_; }

  // 'Invalid <Kind>: Syntax error; token: "<current>", near: "..."'.
  Status SyntaxErrorHere() const;
  // "Invalid <Kind>: <message>".
  Status Error(std::string_view message) const;

  // name ( '.' name | '[' index ']' )*, where name is an identifier that is not a reserved word
  // or a #placeholder.
  Result<DocumentPath> ParsePath();
  // Resolves the :placeholder at the cursor and advances.
  Result<const AttributeValue*> ParseValuePlaceholder();

  std::string_view kind() const { return kind_; }
  ExpressionContext* context() const { return ctx_; }

 private:
  Result<std::string> ParseName();

  std::string_view text_;
  std::string_view kind_;
  ExpressionContext* ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace tributary::table
