// GlueExpression: Glue's partition predicate language (GetPartitions' `Expression`), parsed by
// our own small recursive-descent parser and evaluated against one partition's values.
//
//   auto e = GlueExpression::Parse("year = '2024' AND month IN ('05','06') AND NOT day < '10'",
//                                  {"year", "month", "day", "hour"});
//   bool keep = e->Matches({"2024", "05", "11", "00"});   // values in partition-key order
//
// Grammar (keywords case-insensitive, at most 2048 characters as in Glue):
//   expr       := or
//   or         := and ( OR and )*
//   and        := unary ( AND unary )*
//   unary      := NOT unary | '(' expr ')' | predicate
//   predicate  := operand ( '=' | '<>' | '!=' | '<' | '>' | '<=' | '>=' ) operand
//               | operand [NOT] IN '(' operand ( ',' operand )* ')'
//               | operand [NOT] BETWEEN operand AND operand
//               | operand [NOT] LIKE operand
//   operand    := key | `quoted key` | 'string' (with '' for a quote) | number
// Keys must be partition keys of the table. Comparison: when both sides are numbers (a numeric
// literal against a value that parses as a number, e.g. year > 2020) they compare as numbers,
// otherwise as strings (byte order), since Glue partition values are strings. LIKE takes SQL
// patterns ('%' any run, '_' one character).
//
// Errors: InvalidArgument with the position, e.g. "Expression: unknown partition key 'yr' at
// character 1 (partition keys: year, month)"; the Glue API turns it into InvalidInputException.
//
// Thread-safety: an immutable value after Parse(); Matches() may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tributary::lakeapi {

inline constexpr size_t kMaxGlueExpressionLength = 2048;

class GlueExpression {
 public:
  struct Node;

  // An empty (or all-blank) expression matches every partition.
  static Result<GlueExpression> Parse(std::string_view text, const std::vector<std::string>& partition_keys);

  // `values` are the partition's values in partition-key order.
  bool Matches(const std::vector<std::string>& values) const;

 private:
  explicit GlueExpression(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;  // null: match everything
};

// SQL LIKE: '%' matches any run of characters, '_' exactly one (bytes); no escape character.
bool SqlLikeMatch(std::string_view text, std::string_view pattern);

}  // namespace tributary::lakeapi
