#include "table/update_expression.h"

#include <algorithm>
#include <utility>

namespace tributary::table {

namespace {

class UpdateParser {
 public:
  UpdateParser(std::string_view text, ExpressionContext* ctx) : p_(text, "UpdateExpression", ctx) {}

  Result<UpdateExpression> Parse() {
    TRIB_RETURN_IF_ERROR(p_.Init());
    UpdateExpression update;
    bool seen[4] = {false, false, false, false};
    static constexpr std::string_view kClauses[] = {"SET", "REMOVE", "ADD", "DELETE"};
    while (!p_.AtEnd()) {
      int clause = -1;
      for (int i = 0; i < 4; ++i) {
        if (IsKeyword(p_.Peek(), kClauses[i])) clause = i;
      }
      if (clause < 0) return p_.SyntaxErrorHere();
      if (seen[clause]) {
        return p_.Error("The \"" + std::string(kClauses[clause]) +
                        "\" section can only be used once in an update expression;");
      }
      seen[clause] = true;
      p_.Next();
      auto type = static_cast<UpdateActionType>(clause);
      do {
        TRIB_ASSIGN_OR_RETURN(UpdateAction action, ParseAction(type));
        update.actions.push_back(std::move(action));
      } while (p_.Accept(TokenKind::kComma));
    }
    TRIB_RETURN_IF_ERROR(CheckOverlaps(update));
    return update;
  }

 private:
  Result<UpdateAction> ParseAction(UpdateActionType type) {
    UpdateAction action;
    action.type = type;
    TRIB_ASSIGN_OR_RETURN(action.path, p_.ParsePath());
    switch (type) {
      case UpdateActionType::kSet: {
        if (!p_.Accept(TokenKind::kEqual)) return p_.SyntaxErrorHere();
        TRIB_ASSIGN_OR_RETURN(action.value, ParseSetValue());
        break;
      }
      case UpdateActionType::kRemove:
        break;
      case UpdateActionType::kAdd:
      case UpdateActionType::kDelete: {
        TRIB_ASSIGN_OR_RETURN(const AttributeValue* v, p_.ParseValuePlaceholder());
        bool ok = type == UpdateActionType::kAdd ? (v->type() == AttributeType::kN || v->is_set())
                                                 : v->is_set();
        if (!ok) return OperandTypeError(type == UpdateActionType::kAdd ? "ADD" : "DELETE", *v);
        action.value.kind = Operand::Kind::kValue;
        action.value.value = *v;
        break;
      }
    }
    return action;
  }

  Result<Operand> ParseSetValue() {
    TRIB_ASSIGN_OR_RETURN(Operand left, ParseOperand());
    bool plus = p_.Peek().kind == TokenKind::kPlus;
    if (!plus && p_.Peek().kind != TokenKind::kMinus) return left;
    p_.Next();
    TRIB_ASSIGN_OR_RETURN(Operand right, ParseOperand());
    for (const Operand* o : {&left, &right}) {
      if (o->kind == Operand::Kind::kValue && o->value.type() != AttributeType::kN) {
        return OperandTypeError(plus ? "+" : "-", o->value);
      }
    }
    Operand op;
    op.kind = plus ? Operand::Kind::kPlus : Operand::Kind::kMinus;
    op.args.push_back(std::move(left));
    op.args.push_back(std::move(right));
    return op;
  }

  Result<Operand> ParseOperand() {
    const Token& tok = p_.Peek();
    Operand op;
    if (tok.kind == TokenKind::kValuePlaceholder) {
      TRIB_ASSIGN_OR_RETURN(const AttributeValue* v, p_.ParseValuePlaceholder());
      op.kind = Operand::Kind::kValue;
      op.value = *v;
      return op;
    }
    if (tok.kind == TokenKind::kIdentifier && p_.Peek(1).kind == TokenKind::kLeftParen) {
      return ParseFunction();
    }
    if (tok.kind == TokenKind::kIdentifier || tok.kind == TokenKind::kNamePlaceholder) {
      op.kind = Operand::Kind::kPath;
      TRIB_ASSIGN_OR_RETURN(op.path, p_.ParsePath());
      return op;
    }
    return p_.SyntaxErrorHere();
  }

  Result<Operand> ParseFunction() {
    std::string name(p_.Next().text);
    Operand op;
    if (name == "if_not_exists") {
      op.kind = Operand::Kind::kIfNotExists;
    } else if (name == "list_append") {
      op.kind = Operand::Kind::kListAppend;
    } else if (name == "attribute_exists" || name == "attribute_not_exists" || name == "attribute_type" ||
               name == "begins_with" || name == "contains" || name == "size") {
      return p_.Error("The function is not allowed in an update expression; function: " + name);
    } else {
      return p_.Error("Invalid function name; function: " + name);
    }
    p_.Next();  // '('
    do {
      TRIB_ASSIGN_OR_RETURN(Operand arg, ParseOperand());
      op.args.push_back(std::move(arg));
    } while (p_.Accept(TokenKind::kComma));
    if (!p_.Accept(TokenKind::kRightParen)) return p_.SyntaxErrorHere();
    if (op.args.size() != 2) {
      return p_.Error("Incorrect number of operands for operator or function; operator or function: " +
                      name + ", number of operands: " + std::to_string(op.args.size()));
    }
    if (op.kind == Operand::Kind::kIfNotExists && op.args[0].kind != Operand::Kind::kPath) {
      return p_.Error("Operator or function requires a document path; operator or function: " + name);
    }
    if (op.kind == Operand::Kind::kListAppend) {
      for (const Operand& a : op.args) {
        if (a.kind == Operand::Kind::kValue && a.value.type() != AttributeType::kL) {
          return OperandTypeError(name, a.value);
        }
      }
    }
    return op;
  }

  Status OperandTypeError(std::string_view op, const AttributeValue& v) const {
    return p_.Error("Incorrect operand type for operator or function; operator or function: " +
                    std::string(op) + ", operand type: " + std::string(AttributeTypeName(v.type())));
  }

  // Two actions may not touch the same path, a path and its ancestor, or use a name and an index
  // at the same position.
  Status CheckOverlaps(const UpdateExpression& update) const {
    const auto& a = update.actions;
    for (size_t i = 0; i < a.size(); ++i) {
      for (size_t j = i + 1; j < a.size(); ++j) {
        const DocumentPath& x = a[i].path;
        const DocumentPath& y = a[j].path;
        size_t n = std::min(x.size(), y.size());
        size_t k = 0;
        while (k < n && x[k] == y[k]) ++k;
        if (k == n) {
          return p_.Error("Two document paths overlap with each other; must remove or rewrite one of "
                          "these paths; path one: " +
                          PathForError(x) + ", path two: " + PathForError(y));
        }
        if (x[k].is_index() != y[k].is_index()) {
          return p_.Error("Two document paths conflict with each other; must remove or rewrite one of "
                          "these paths; path one: " +
                          PathForError(x) + ", path two: " + PathForError(y));
        }
      }
    }
    return Status::Ok();
  }

  ExpressionParser p_;
};

}  // namespace

Result<UpdateExpression> ParseUpdateExpression(std::string_view text, ExpressionContext* ctx) {
  return UpdateParser(text, ctx).Parse();
}

}  // namespace tributary::table
