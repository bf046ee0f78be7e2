// UpdateExpression: parser and evaluator for DynamoDB's update language.
//
//   update  := clause+          each of SET, REMOVE, ADD, DELETE at most once, any order
//   SET     := path '=' value (',' path '=' value)*
//   value   := operand (('+' | '-') operand)?
//   operand := path | :placeholder | if_not_exists(path, operand) | list_append(operand, operand)
//   REMOVE  := path (',' path)*
//   ADD     := path :placeholder (',' ...)*     number addition or set union
//   DELETE  := path :placeholder (',' ...)*     set difference
//
// Parsing resolves placeholders (through the request's ExpressionContext), checks reserved
// words, function names and arities, constant operand types and overlapping paths, with
// DynamoDB's ValidationException messages. Applying evaluates every operand against the item as
// it was before the update (so "SET a = b, b = a" swaps), then applies the actions.
//
// Thread-safety: UpdateExpression is an immutable value after parsing; ApplyUpdate is pure.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/status.h"
#include "table/document_path.h"
#include "table/expression_parser.h"

namespace tributary::table {

struct Operand {
  enum class Kind : uint8_t { kPath, kValue, kIfNotExists, kListAppend, kPlus, kMinus };
  Kind kind = Kind::kValue;
  DocumentPath path;           // kPath
  AttributeValue value;        // kValue
  std::vector<Operand> args;   // functions (2) and arithmetic (2)
};

enum class UpdateActionType : uint8_t { kSet, kRemove, kAdd, kDelete };

struct UpdateAction {
  UpdateActionType type = UpdateActionType::kSet;
  DocumentPath path;
  Operand value;  // SET: the value; ADD/DELETE: a kValue operand; REMOVE: unused
};

struct UpdateExpression {
  std::vector<UpdateAction> actions;
  // The paths the actions write: ProjectPaths(old or new item, UpdatedPaths()) gives
  // ReturnValues UPDATED_OLD / UPDATED_NEW.
  std::vector<DocumentPath> UpdatedPaths() const {
    std::vector<DocumentPath> paths;
    for (const auto& a : actions) paths.push_back(a.path);
    return paths;
  }
};

Result<UpdateExpression> ParseUpdateExpression(std::string_view text, ExpressionContext* ctx);

// Applies `update` to `item` in place (the current item, or just its key when it does not exist).
// On error `item` may be partially updated; callers apply to a copy they can discard.
Status ApplyUpdate(const UpdateExpression& update, Item* item);

}  // namespace tributary::table
