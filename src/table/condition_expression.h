// ConditionExpression / FilterExpression: parser and evaluator for DynamoDB's condition language.
//
//   condition  := or
//   or         := and ('OR' and)*
//   and        := not ('AND' not)*
//   not        := 'NOT' not | primary
//   primary    := '(' condition ')'
//               | attribute_exists(path) | attribute_not_exists(path) | attribute_type(path, :t)
//               | begins_with(path, operand) | contains(path, operand)
//               | operand comparator operand            comparator: = <> < <= > >=
//               | operand 'BETWEEN' operand 'AND' operand
//               | operand 'IN' '(' operand (',' operand)* ')'
//   operand    := path | :placeholder | size(path)
//
// Parsing resolves placeholders through the request's ExpressionContext and checks what DynamoDB
// checks before reading anything (function names and arities, document-path arguments, constant
// operand types, BETWEEN bounds, IN operand count, redundant parentheses), with DynamoDB's
// ValidationException messages. Evaluation follows DynamoDB: comparing with a missing attribute
// is false (except <>, which is true), ordering comparisons need operands of the same scalar type.
//
// The legacy parameters (Expected, QueryFilter, ScanFilter) build the same tree directly, so one
// evaluator serves both.
//
// Thread-safety: Condition is an immutable value after parsing; evaluation is pure.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/status.h"
#include "table/document_path.h"
#include "table/expression_parser.h"

namespace tributary::table {

struct ConditionOperand {
  enum class Kind : uint8_t { kPath, kValue, kSize };
  Kind kind = Kind::kValue;
  DocumentPath path;     // kPath, kSize
  AttributeValue value;  // kValue
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct Condition {
  enum class Kind : uint8_t {
    kCompare,             // operands[0] op operands[1]
    kBetween,             // operands[0] BETWEEN operands[1] AND operands[2]
    kIn,                  // operands[0] IN (operands[1..])
    kAnd,                 // children (2 or more)
    kOr,                  // children (2 or more)
    kNot,                 // children[0]
    kAttributeExists,     // operands[0] (a path)
    kAttributeNotExists,  // operands[0] (a path)
    kAttributeType,       // operands[0] (a path), operands[1] (S type name)
    kBeginsWith,          // operands[0], operands[1]
    kContains,            // operands[0], operands[1]
    kTrue,                // always true (an empty legacy condition)
  };
  Kind kind = Kind::kTrue;
  CompareOp op = CompareOp::kEq;
  std::vector<ConditionOperand> operands;
  std::vector<Condition> children;
};

// `kind` names the parameter in errors: "ConditionExpression" or "FilterExpression".
Result<Condition> ParseConditionExpression(std::string_view text, std::string_view kind, ExpressionContext* ctx);

// DynamoDB's limit on an expression's length: "Invalid <kind>: Expression size has exceeded the
// maximum allowed size; expression size: <bytes>".
inline constexpr size_t kMaxExpressionBytes = 4096;
Status CheckExpressionSize(std::string_view text, std::string_view kind);

// True when `item` (nullptr = no item) satisfies `cond`.
bool EvaluateCondition(const Condition& cond, const Item* item);

// Helpers shared with the key-condition parser and the legacy-parameter translation.
ConditionOperand PathOperand(std::string name);
ConditionOperand ValueOperand(AttributeValue value);
// "{N:5}": DynamoDB's rendering of a value in a few error messages.
std::string AttributeValueForError(const AttributeValue& value);
// Orders two values of the same scalar type (S and B bytewise, N numerically): <0, 0, >0.
// Returns false when the values are not both S, both N or both B.
bool CompareScalars(const AttributeValue& a, const AttributeValue& b, int* result);

}  // namespace tributary::table
