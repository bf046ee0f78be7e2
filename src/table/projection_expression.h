// ProjectionExpression: a comma-separated list of document paths ("a, b.c, l[2], #n"). Applying
// one is ProjectPaths (document_path.h): nested parts keep their place, missing paths are left out.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "table/document_path.h"
#include "table/expression_parser.h"

namespace tributary::table {

// Overlapping paths ("a, a.b") are DynamoDB's "Two document paths overlap ..." error.
Result<std::vector<DocumentPath>> ParseProjectionExpression(std::string_view text, ExpressionContext* ctx);

// The overlap / conflict check shared with other path lists: "Invalid <kind>: Two document paths
// overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]".
Status CheckPathOverlaps(const std::vector<DocumentPath>& paths, const ExpressionParser& parser);

}  // namespace tributary::table
