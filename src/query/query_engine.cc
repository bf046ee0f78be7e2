#include "query/query_engine.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <set>
#include <utility>

#include "query/duckdb_api.h"
#include "query/duckdb_handles.h"
#include "query/duckdb_types.h"
#include "query/sql_rewrite.h"
#include "query/sql_text.h"
#include "query/trino_macros.h"

namespace tributary::query {
namespace {

namespace fs = std::filesystem;

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// SELECT <column i as text> ... FROM (<sql>) LIMIT n: renders every column in SQL, which works
// for all types (lists, structs, UUIDs...), gives timestamps Athena's millisecond form, and stops
// DuckDB from materializing rows the caller does not want. Columns are addressed by position
// (#i), so duplicate or odd names do not matter. The newline before ')' ends a trailing comment.
std::string RenderingSql(std::string_view sql, const std::vector<duckdb_type>& types,
                         size_t limit) {
  std::string out = "SELECT ";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out += ", ";
    const std::string ref = "#" + std::to_string(i + 1);
    switch (types[i]) {
      case DUCKDB_TYPE_TIMESTAMP:
        out += "strftime(" + ref + ", '%Y-%m-%d %H:%M:%S.%g')";
        break;
      case DUCKDB_TYPE_TIMESTAMP_TZ:  // the session zone is locked to UTC
        out += "strftime(" + ref + ", '%Y-%m-%d %H:%M:%S.%g UTC')";
        break;
      default:
        out += "CAST(" + ref + " AS VARCHAR)";
    }
  }
  out += " FROM (\n";
  out += sql;
  out += "\n) AS tributary_result";
  if (limit > 0) out += " LIMIT " + std::to_string(limit);
  return out;
}

Status PrepareError(duckdb::PreparedStatement& statement) {
  const char* message = duckdb_prepare_error(statement.get());
  return Status::InvalidArgument(message != nullptr ? message
                                                    : "DuckDB could not prepare the query");
}

// Copies rows [0, limit) of a materialized result as text (limit 0 = all).
void CopyRows(duckdb_result* result, size_t limit, QueryResult& out) {
  const idx_t columns = duckdb_column_count(result);
  idx_t rows = duckdb_row_count(result);
  if (limit > 0 && rows > limit) {
    rows = limit;
    out.truncated = true;
  }
  out.rows.reserve(rows);
  for (idx_t r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>>& row = out.rows.emplace_back();
    row.reserve(columns);
    for (idx_t c = 0; c < columns; ++c) {
      if (duckdb_value_is_null(result, c, r)) {
        row.emplace_back(std::nullopt);
        continue;
      }
      char* text = duckdb_value_varchar(result, c, r);
      if (text == nullptr) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(duckdb::TakeString(text));
      }
    }
  }
}

}  // namespace

struct QueryEngine::Handles {
  duckdb::Database db;
  duckdb::Connection internal;  // views and setup; guarded by QueryEngine::views_mu_
};

void QueryInterrupt::Interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  interrupted_ = true;
  if (connection_ != nullptr) duckdb_interrupt(static_cast<duckdb_connection>(connection_));
}

bool QueryInterrupt::interrupted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return interrupted_;
}

bool QueryInterrupt::Attach(void* connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (interrupted_) return false;
  connection_ = connection;
  return true;
}

void QueryInterrupt::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  connection_ = nullptr;
}

QueryEngine::QueryEngine(std::string lake_root, std::unique_ptr<Handles> handles)
    : lake_root_(std::move(lake_root)), handles_(std::move(handles)) {}

QueryEngine::~QueryEngine() = default;

std::string QueryEngine::DuckDbVersion() { return duckdb_library_version(); }

Result<std::unique_ptr<QueryEngine>> QueryEngine::Open(const QueryEngineOptions& options) {
  fs::path root = fs::path(options.lake_root).lexically_normal();
  if (options.lake_root.empty() || !root.is_absolute()) {
    return Status::InvalidArgument("query engine: lake root must be an absolute path, got '" +
                                   options.lake_root + "'");
  }
  std::string root_str = root.string();
  while (root_str.size() > 1 && root_str.back() == '/') root_str.pop_back();
  if (root_str == "/") {
    return Status::InvalidArgument("query engine: the lake root cannot be '/'");
  }

  duckdb::Config config;
  if (duckdb_create_config(config.out()) != DuckDBSuccess) {
    return Status::Internal("duckdb_create_config failed");
  }
  std::vector<std::pair<std::string, std::string>> settings = {
      {"autoinstall_known_extensions", "false"}, {"autoload_known_extensions", "false"},
      {"allow_community_extensions", "false"},   {"allow_unsigned_extensions", "false"},
      {"allow_persistent_secrets", "false"},     {"temp_directory", options.temp_directory},
  };
  if (options.threads > 0) settings.emplace_back("threads", std::to_string(options.threads));
  if (!options.memory_limit.empty()) settings.emplace_back("memory_limit", options.memory_limit);
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config.get(), name.c_str(), value.c_str()) != DuckDBSuccess) {
      return Status::InvalidArgument("query engine: bad DuckDB setting " + name + "=" + value);
    }
  }

  auto handles = std::make_unique<Handles>();
  char* open_error = nullptr;
  if (duckdb_open_ext(nullptr, handles->db.out(), config.get(), &open_error) != DuckDBSuccess) {
    std::string message = open_error != nullptr ? open_error : "unknown error";
    if (open_error != nullptr) duckdb_free(open_error);
    handles->db.Reset();
    return Status::Internal("query engine: cannot open DuckDB: " + message);
  }
  if (duckdb_connect(handles->db.get(), handles->internal.out()) != DuckDBSuccess) {
    return Status::Internal("query engine: cannot connect to DuckDB");
  }

  std::unique_ptr<QueryEngine> engine(new QueryEngine(root_str, std::move(handles)));
  std::vector<std::string> setup = {
      "SET GLOBAL TimeZone = 'UTC'",
      "SET GLOBAL integer_division = true",  // Trino: 7 / 2 = 3
  };
  for (const std::string& macro : TrinoCompatibilityMacros()) setup.push_back(macro);
  // Last: confine file access to the lake, then lock every setting.
  setup.push_back("SET GLOBAL allowed_directories = [" + QuoteStringLiteral(root_str + "/") + "]");
  setup.push_back("SET GLOBAL enable_external_access = false");
  setup.push_back("SET GLOBAL lock_configuration = true");
  for (const std::string& sql : setup) {
    Status s = engine->RunInternal(sql);
    if (!s.ok()) return Status::Internal("query engine setup failed: " + s.message());
  }
  return engine;
}

Status QueryEngine::RunInternal(const std::string& sql) {
  duckdb::QueryResultHandle result;
  if (duckdb_query(handles_->internal.get(), sql.c_str(), result.out()) != DuckDBSuccess) {
    return Status::InvalidArgument(result.error());
  }
  return Status::Ok();
}

Status QueryEngine::ReplaceViews(const std::vector<TableView>& views,
                                 const std::vector<DerivedView>& derived,
                                 const std::vector<std::string>& databases) {
  std::map<std::string, std::string> wanted;  // name -> SQL
  std::set<std::string> lowered;
  const std::string prefix = lake_root_ + "/";
  for (const TableView& view : views) {
    if (view.name.empty()) return Status::InvalidArgument("view name is empty");
    if (!lowered.insert(Lowercase(view.name)).second) {
      return Status::InvalidArgument("two views named '" + view.name + "' (names ignore case)");
    }
    for (const std::string& file : view.files) {
      if (file.compare(0, prefix.size(), prefix) != 0 ||
          fs::path(file).lexically_normal().string() != file) {
        return Status::InvalidArgument("view " + view.name + ": file '" + file +
                                       "' is not a normalized path under the lake root " +
                                       lake_root_);
      }
    }
    wanted.emplace(view.name, CreateViewSql(view));
  }
  std::vector<std::string> derived_names;
  for (const DerivedView& view : derived) {
    if (view.name.empty()) return Status::InvalidArgument("view name is empty");
    if (!lowered.insert(Lowercase(view.name)).second) {
      return Status::InvalidArgument("two views named '" + view.name + "' (names ignore case)");
    }
    wanted.emplace(view.name, "CREATE OR REPLACE VIEW " + QuoteIdentifier(view.name) + " AS " +
                                  view.select_sql);
    derived_names.push_back(view.name);
  }
  auto is_derived = [&](const std::string& name) {
    return std::find(derived_names.begin(), derived_names.end(), name) != derived_names.end();
  };

  std::lock_guard<std::mutex> lock(views_mu_);
  databases_ = {"default"};
  for (const std::string& db : databases) databases_.insert(Lowercase(db));
  std::vector<std::string> statements;
  for (const auto& [name, sql] : view_sql_) {
    if (wanted.count(name) == 0)
      statements.push_back("DROP VIEW IF EXISTS " + QuoteIdentifier(name));
  }
  // Table views first: DuckDB binds a view's SQL when it is created.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [name, sql] : wanted) {
      if (is_derived(name) != (pass == 1)) continue;
      auto it = view_sql_.find(name);
      if (it == view_sql_.end() || it->second != sql) statements.push_back(sql);
    }
  }
  if (statements.empty()) return Status::Ok();

  TRIB_RETURN_IF_ERROR(RunInternal("BEGIN TRANSACTION"));
  for (const std::string& sql : statements) {
    Status s = RunInternal(sql);
    if (!s.ok()) {
      (void)RunInternal("ROLLBACK");
      return s.WithContext("replacing views");
    }
  }
  TRIB_RETURN_IF_ERROR(RunInternal("COMMIT"));
  view_sql_ = std::move(wanted);
  view_names_ = std::move(lowered);
  return Status::Ok();
}

std::vector<std::string> QueryEngine::ViewNames() const {
  std::lock_guard<std::mutex> lock(views_mu_);
  std::vector<std::string> names;
  for (const auto& [name, sql] : view_sql_) names.push_back(name);
  return names;
}

Result<QueryResult> QueryEngine::Execute(std::string_view sql,
                                         const ExecuteOptions& options) const {
  const auto start = std::chrono::steady_clock::now();
  const std::string_view trimmed = TrimStatement(sql);
  if (trimmed.empty()) return Status::InvalidArgument("empty query");
  TRIB_ASSIGN_OR_RETURN(std::string statement, RewriteTrinoDateFormats(trimmed));
  {
    std::lock_guard<std::mutex> lock(views_mu_);
    statement = StripCatalogQualifiers(statement, databases_, view_names_);
  }
  statement = RewriteCurrentTimestampComparisons(statement);

  duckdb::Connection connection;
  if (duckdb_connect(handles_->db.get(), connection.out()) != DuckDBSuccess) {
    return Status::Unavailable("query engine: cannot open a DuckDB connection");
  }
  if (auto keyword = FindNonReadOnlyStatement(statement)) {
    // Report a typo as DuckDB's syntax error, anything else as refused. DuckDB's parser expands
    // PRAGMA statements (import_database reads files), so text mentioning one is not parsed.
    duckdb::ExtractedStatements parsed;
    if (Lowercase(statement).find("pragma") == std::string::npos &&
        duckdb_extract_statements(connection.get(), statement.c_str(), parsed.out()) == 0) {
      const char* error = duckdb_extract_statements_error(parsed.get());
      return Status::InvalidArgument(error != nullptr ? error : "syntax error");
    }
    return Status::InvalidArgument(*keyword +
                                   " statements are not allowed: the lake is read-only (use "
                                   "SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE or "
                                   "EXPLAIN)");
  }
  if (auto denied = FindDeniedFunctionCall(statement)) {
    return Status::InvalidArgument("function " + *denied + "() is not allowed in lake queries");
  }
  duckdb::PreparedStatement prepared;
  if (duckdb_prepare(connection.get(), statement.c_str(), prepared.out()) != DuckDBSuccess) {
    return PrepareError(prepared);
  }
  const duckdb_statement_type type = duckdb_prepared_statement_type(prepared.get());
  if (type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    return Status::InvalidArgument(std::string(duckdb::StatementTypeName(type)) +
                                   " statements are not allowed: the lake is read-only "
                                   "(use SELECT, SHOW, DESCRIBE or EXPLAIN)");
  }

  QueryResult out;
  const idx_t column_count = duckdb_prepared_statement_column_count(prepared.get());
  std::vector<duckdb_type> type_ids;
  for (idx_t c = 0; c < column_count; ++c) {
    auto column_type =
        duckdb::AdoptType(duckdb_prepared_statement_column_logical_type(prepared.get(), c));
    type_ids.push_back(column_type.get() != nullptr ? duckdb_get_type_id(column_type.get())
                                                    : DUCKDB_TYPE_INVALID);
    out.column_types.push_back(duckdb::TypeName(column_type.get()));
    out.column_names.push_back(duckdb::TakeString(
        const_cast<char*>(duckdb_prepared_statement_column_name(prepared.get(), c))));
  }

  // Prefer rendering in SQL; fall back to the statement as written when it cannot be wrapped
  // (EXPLAIN, or a trailing comment after a semicolon).
  const size_t limit = options.max_rows > 0 ? options.max_rows + 1 : 0;
  bool rendered_in_sql = false;
  if (type == DUCKDB_STATEMENT_TYPE_SELECT) {
    duckdb::PreparedStatement wrapped;
    if (duckdb_prepare(connection.get(), RenderingSql(statement, type_ids, limit).c_str(),
                       wrapped.out()) == DuckDBSuccess &&
        duckdb_prepared_statement_type(wrapped.get()) == DUCKDB_STATEMENT_TYPE_SELECT &&
        duckdb_prepared_statement_column_count(wrapped.get()) == column_count) {
      prepared = std::move(wrapped);
      rendered_in_sql = true;
    }
  }
  if (!rendered_in_sql) {
    for (size_t c = 0; c < type_ids.size(); ++c) {
      if (!duckdb::ValueVarcharSupports(type_ids[c])) {
        return Status::InvalidArgument("cannot render column " + std::to_string(c + 1) +
                                       " of type " + out.column_types[c] + "; cast it to VARCHAR");
      }
    }
  }

  duckdb::QueryResultHandle result;
  if (options.interrupt != nullptr && !options.interrupt->Attach(connection.get())) {
    return Status::Cancelled("query interrupted");
  }
  const bool executed = duckdb_execute_prepared(prepared.get(), result.out()) == DuckDBSuccess;
  if (options.interrupt != nullptr) {
    options.interrupt->Detach();
    if (options.interrupt->interrupted()) return Status::Cancelled("query interrupted");
  }
  if (!executed) return Status::InvalidArgument(result.error());
  CopyRows(result.get(), options.max_rows, out);
  out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return out;
}

}  // namespace tributary::query
