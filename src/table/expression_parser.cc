#include "table/expression_parser.h"

#include <cctype>

namespace tributary::table {

namespace {

bool ValidPlaceholderKey(std::string_view key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (size_t i = 1; i < key.size(); ++i) {
    if (!std::isalnum(static_cast<unsigned char>(key[i])) && key[i] != '_') return false;
  }
  return true;
}

template <typename Map>
Status CheckUsed(const Map& provided, const std::set<std::string, std::less<>>& used,
                 std::string_view which) {
  std::string unused;
  for (const auto& entry : provided) {
    if (used.count(entry.first)) continue;
    if (!unused.empty()) unused += ", ";
    unused += entry.first;
  }
  if (unused.empty()) return Status::Ok();
  return Status::InvalidArgument("Value provided in " + std::string(which) +
                                 " unused in expressions: keys: {" + unused + "}");
}

}  // namespace

Status ExpressionContext::ValidateKeys() const {
  for (const auto& [key, value] : names_) {
    if (!ValidPlaceholderKey(key, '#')) {
      return Status::InvalidArgument("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
                                     key + "\"");
    }
  }
  for (const auto& [key, value] : values_) {
    if (!ValidPlaceholderKey(key, ':')) {
      return Status::InvalidArgument(
          "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
    }
  }
  return Status::Ok();
}

Result<std::string> ExpressionContext::ResolveName(std::string_view placeholder) {
  auto it = names_.find(placeholder);
  if (it == names_.end()) {
    return Status::InvalidArgument(
        "An expression attribute name used in the document path is not defined; attribute name: " +
        std::string(placeholder));
  }
  used_names_.emplace(placeholder);
  return it->second;
}

Result<const AttributeValue*> ExpressionContext::ResolveValue(std::string_view placeholder) {
  auto it = values_.find(placeholder);
  if (it == values_.end()) {
    return Status::InvalidArgument(
        "An expression attribute value used in expression is not defined; attribute value: " +
        std::string(placeholder));
  }
  used_values_.emplace(placeholder);
  return &it->second;
}

Status ExpressionContext::CheckAllUsed() const {
  TRIB_RETURN_IF_ERROR(CheckUsed(names_, used_names_, "ExpressionAttributeNames"));
  return CheckUsed(values_, used_values_, "ExpressionAttributeValues");
}

Status ExpressionParser::Init() {
  bool blank = true;
  for (char c : text_) {
    if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
  }
  if (blank) return Error("The expression can not be empty;");
  TRIB_ASSIGN_OR_RETURN(tokens_, Tokenize(text_, kind_));
  pos_ = 0;
  return Status::Ok();
}

bool ExpressionParser::Accept(TokenKind kind) {
  if (Peek().kind != kind) return false;
  Next();
  return true;
}

Status ExpressionParser::SyntaxErrorHere() const { return SyntaxError(text_, kind_, tokens_, pos_); }

Status ExpressionParser::Error(std::string_view message) const {
  return Status::InvalidArgument("Invalid " + std::string(kind_) + ": " + std::string(message));
}

Result<std::string> ExpressionParser::ParseName() {
  const Token& tok = Peek();
  if (tok.kind == TokenKind::kNamePlaceholder) {
    auto name = ctx_->ResolveName(tok.text);
    if (!name.ok()) return Error(name.status().message());
    Next();
    return std::move(name).value();
  }
  if (tok.kind == TokenKind::kIdentifier) {
    if (IsReservedWord(tok.text)) {
      return Error("Attribute name is a reserved keyword; reserved keyword: " + std::string(tok.text));
    }
    Next();
    return std::string(tok.text);
  }
  return SyntaxErrorHere();
}

Result<DocumentPath> ExpressionParser::ParsePath() {
  DocumentPath path;
  TRIB_ASSIGN_OR_RETURN(std::string first, ParseName());
  path.push_back({std::move(first), -1});
  while (true) {
    if (Accept(TokenKind::kDot)) {
      TRIB_ASSIGN_OR_RETURN(std::string name, ParseName());
      path.push_back({std::move(name), -1});
    } else if (Accept(TokenKind::kLeftBracket)) {
      const Token& tok = Peek();
      if (tok.kind != TokenKind::kNumber || tok.text.size() > 9) return SyntaxErrorHere();
      int64_t index = 0;
      for (char c : tok.text) index = index * 10 + (c - '0');
      Next();
      if (!Accept(TokenKind::kRightBracket)) return SyntaxErrorHere();
      path.push_back({std::string(), index});
    } else {
      break;
    }
    if (path.size() > kMaxPathDepth) {
      return Error("The document path has too many nesting levels; nesting levels: " +
                   std::to_string(path.size()));
    }
  }
  return path;
}

Result<const AttributeValue*> ExpressionParser::ParseValuePlaceholder() {
  const Token& tok = Peek();
  if (tok.kind != TokenKind::kValuePlaceholder) return SyntaxErrorHere();
  auto value = ctx_->ResolveValue(tok.text);
  if (!value.ok()) return Error(value.status().message());
  Next();
  return value;
}

}  // namespace tributary::table
