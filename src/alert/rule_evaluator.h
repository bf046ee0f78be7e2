// RuleEvaluator: runs alert predicates over newly committed data files with DuckDB, through a
// query::QueryEngine of its own (one thread), so it is sandboxed exactly like user SQL: it can
// read only the lake, runs only reading statements, and sees a table through the same typed view
// (catalog columns, Hive partition columns) as `tributary query`, but over just the files of the
// commits being evaluated.
//
//   SELECT <event id>, to_json(<table>) FROM <table over the new files> WHERE (<predicate>)
//
// The event id is the row's `event_id` column (the seed's CDC rows have it), else an MD5 of the
// row's JSON, so a replay of the same rows gives the same ids.
//
// Thread-safety: not thread-safe; one owner (the alert engine's evaluator thread, or the opening
// thread before it starts).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "query/query_engine.h"
#include "query/table_view.h"

namespace tributary::alert {

struct RuleMatch {
  std::string event_id;
  std::string row_json;  // the row as a JSON object (columns and partition columns)
};

class RuleEvaluator {
 public:
  // `lake_root`: absolute, the folder the catalog's paths are relative to.
  static Result<std::unique_ptr<RuleEvaluator>> Open(const std::string& lake_root);

  // InvalidArgument with DuckDB's parser message when `predicate` is not one SQL expression; when
  // `table` is given (its columns known), also binder errors such as an unknown column.
  Status CheckPredicate(std::string_view predicate, const catalog::TableDef* table);

  // The rows of `view` (a table over some files) for which `predicate` is true, in file order.
  Result<std::vector<RuleMatch>> Matches(const query::TableView& view, std::string_view predicate);

 private:
  explicit RuleEvaluator(std::unique_ptr<query::QueryEngine> engine) : engine_(std::move(engine)) {}
  Status UseView(const query::TableView& view);

  std::unique_ptr<query::QueryEngine> engine_;
};

}  // namespace tributary::alert
