#include "table/projection_expression.h"

#include <algorithm>

#include "table/condition_expression.h"

namespace tributary::table {

Status CheckPathOverlaps(const std::vector<DocumentPath>& paths, const ExpressionParser& parser) {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const DocumentPath& x = paths[i];
      const DocumentPath& y = paths[j];
      size_t n = std::min(x.size(), y.size());
      size_t k = 0;
      while (k < n && x[k] == y[k]) ++k;
      if (k == n) {
        return parser.Error(
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
            PathForError(x) + ", path two: " + PathForError(y));
      }
      if (x[k].is_index() != y[k].is_index()) {
        return parser.Error(
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
            PathForError(x) + ", path two: " + PathForError(y));
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<DocumentPath>> ParseProjectionExpression(std::string_view text, ExpressionContext* ctx) {
  TRIB_RETURN_IF_ERROR(CheckExpressionSize(text, "ProjectionExpression"));
  ExpressionParser p(text, "ProjectionExpression", ctx);
  TRIB_RETURN_IF_ERROR(p.Init());
  std::vector<DocumentPath> paths;
  do {
    TRIB_ASSIGN_OR_RETURN(DocumentPath path, p.ParsePath());
    paths.push_back(std::move(path));
  } while (p.Accept(TokenKind::kComma));
  if (!p.AtEnd()) return p.SyntaxErrorHere();
  TRIB_RETURN_IF_ERROR(CheckPathOverlaps(paths, p));
  return paths;
}

}  // namespace tributary::table
