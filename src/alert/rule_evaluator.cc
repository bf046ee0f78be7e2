#include "alert/rule_evaluator.h"

#include <simdjson.h>

#include "query/sql_text.h"

namespace tributary::alert {

namespace {

// The predicate is always used inside parentheses, so only an expression parses.
constexpr std::string_view kParsePrefix = "SELECT * FROM t WHERE (";

bool HasColumn(const query::TableView& view, std::string_view name) {
  for (const auto& c : view.columns) {
    if (c.name == name) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<RuleEvaluator>> RuleEvaluator::Open(const std::string& lake_root) {
  query::QueryEngineOptions options = query::LakeQueryOptions(lake_root);
  options.threads = 1;  // keeps file order; alert batches are small
  options.memory_limit = "256MB";
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<query::QueryEngine> engine, query::QueryEngine::Open(options));
  return std::unique_ptr<RuleEvaluator>(new RuleEvaluator(std::move(engine)));
}

Status RuleEvaluator::CheckPredicate(std::string_view predicate, const catalog::TableDef* table) {
  // Parse only (no table needed): DuckDB's json_serialize_sql reports parser errors with their
  // position instead of failing.
  const std::string sql = std::string(kParsePrefix) + std::string(predicate) + ")";
  TRIB_ASSIGN_OR_RETURN(query::QueryResult parsed,
                        engine_->Execute("SELECT json_serialize_sql(" + query::QuoteStringLiteral(sql) + ")"));
  if (parsed.rows.size() != 1 || parsed.rows[0].size() != 1 || !parsed.rows[0][0]) {
    return Status::Internal("json_serialize_sql returned no row");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(*parsed.rows[0][0]).get(doc) == simdjson::SUCCESS) {
    bool error = false;
    if (doc["error"].get(error) == simdjson::SUCCESS && error) {
      std::string_view message = "syntax error";
      if (doc["error_message"].get(message) != simdjson::SUCCESS) message = "syntax error";
      std::string where;
      std::string_view position;
      if (doc["position"].get(position) == simdjson::SUCCESS) {
        const long at = std::strtol(std::string(position).c_str(), nullptr, 10) -
                        static_cast<long>(kParsePrefix.size());
        if (at >= 0) where = " (at character " + std::to_string(at + 1) + " of the predicate)";
      }
      return Status::InvalidArgument("not a SQL predicate: " + std::string(message) + where);
    }
    // It parsed: it must still be the one SELECT we wrote, with the predicate as its WHERE and
    // nothing after it ("x) UNION SELECT ... WHERE (y" or "x) LIMIT (1" parse too).
    simdjson::dom::array statements;
    simdjson::dom::element node;
    std::string_view type;
    std::string_view from;
    simdjson::dom::array modifiers;
    simdjson::dom::array groups;
    bool shape_ok = doc["statements"].get(statements) == simdjson::SUCCESS && statements.size() == 1 &&
                    statements.at(0)["node"].get(node) == simdjson::SUCCESS &&
                    node["type"].get(type) == simdjson::SUCCESS && type == "SELECT_NODE" &&
                    node["from_table"]["table_name"].get(from) == simdjson::SUCCESS && from == "t" &&
                    node["modifiers"].get(modifiers) == simdjson::SUCCESS && modifiers.size() == 0 &&
                    node["group_expressions"].get(groups) == simdjson::SUCCESS && groups.size() == 0 &&
                    node["having"].is_null() && node["qualify"].is_null();
    if (!shape_ok) return Status::InvalidArgument("not a SQL predicate: only one expression may be given");
  }
  if (table == nullptr || table->columns.empty()) return Status::Ok();
  query::TableView view;
  view.name = table->name;
  view.columns = table->columns;
  view.partition_keys = table->partition_keys;
  TRIB_RETURN_IF_ERROR(UseView(view));
  auto bound = engine_->Execute("SELECT * FROM " + query::QuoteIdentifier(table->name) + " WHERE (" +
                                std::string(predicate) + ") LIMIT 0");
  if (!bound.ok()) return Status::InvalidArgument(bound.status().message());
  return Status::Ok();
}

Status RuleEvaluator::UseView(const query::TableView& view) { return engine_->ReplaceViews({view}); }

Result<std::vector<RuleMatch>> RuleEvaluator::Matches(const query::TableView& view, std::string_view predicate) {
  TRIB_RETURN_IF_ERROR(UseView(view));
  const std::string table = query::QuoteIdentifier(view.name);
  const std::string row = "to_json(" + table + ")::VARCHAR";
  const std::string id = HasColumn(view, "event_id")
                             ? "COALESCE(CAST(" + table + ".\"event_id\" AS VARCHAR), md5(" + row + "))"
                             : "md5(" + row + ")";
  TRIB_ASSIGN_OR_RETURN(query::QueryResult result,
                        engine_->Execute("SELECT " + id + ", " + row + " FROM " + table + " WHERE (" +
                                         std::string(predicate) + ")"));
  std::vector<RuleMatch> out;
  out.reserve(result.rows.size());
  for (auto& r : result.rows) {
    if (r.size() != 2 || !r[0] || !r[1]) continue;
    out.push_back(RuleMatch{std::move(*r[0]), std::move(*r[1])});
  }
  return out;
}

}  // namespace tributary::alert
