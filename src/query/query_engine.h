// QueryEngine: SQL over the lake. The only class in Tributary that talks to DuckDB.
//
// One in-memory DuckDB database per engine. Each catalog table is a view over exactly its
// committed JSON-lines files (ReplaceViews); users query the views with Athena (Trino) SQL:
// session time zone UTC, integer division like Trino, and Trino function names DuckDB lacks
// provided as macros (trino_macros.h, docs/sql-compatibility.md).
//
// Security. The SQL endpoint runs text from users, so Open() confines DuckDB before any user SQL
// can run:
//   - extensions are never installed or auto-loaded (autoinstall/autoload_known_extensions off,
//     community and unsigned extensions off);
//   - enable_external_access=false with allowed_directories=[lake_root/] (plus temp_directory if
//     one is configured, which DuckDB adds itself): files and URLs outside
//     the lake cannot be read or written (read_csv('/etc/passwd'), COPY ... TO '/tmp/x',
//     ATTACH 'x.db', INSTALL/LOAD and http:// all fail with a Permission Error);
//   - lock_configuration=true: no SET/RESET/PRAGMA can undo any of the above.
// Because DuckDB would still let COPY/EXPORT write *inside* an allowed directory, Execute() also
// accepts only statements that read: the leading keyword must be SELECT, WITH, FROM, VALUES,
// TABLE, SHOW, DESCRIBE, SUMMARIZE, PIVOT or EXPLAIN [ANALYZE] of one of those (checked on the
// text, before DuckDB prepares anything), the prepared statement must be a SELECT or EXPLAIN, and
// calls to the few table functions with side effects are refused (sql_text.h).
// Views are created through an internal connection; since every view reads files under the lake
// root, ReplaceViews keeps working after the lock.
//
// Thread-safety: thread-safe. Execute() may run concurrently from many threads (each call uses
// its own DuckDB connection); ReplaceViews() calls are serialized and swap views atomically, so a
// query sees either the old or the new set of views.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/history_views.h"
#include "query/query_interrupt.h"
#include "query/query_result.h"
#include "query/table_view.h"

namespace tributary::query {

struct QueryEngineOptions {
  // Absolute path of the lake: the only directory SQL may read. Must not be "/". Keep the data
  // directory's other contents (catalog database, stream logs) outside it.
  std::string lake_root;
  // DuckDB worker threads; 0 = one per core.
  int threads = 0;
  // DuckDB memory limit, e.g. "1GB"; empty = DuckDB's default (80% of RAM).
  std::string memory_limit;
  // Where DuckDB may spill when a query outgrows memory_limit; empty = never spill (such a query
  // fails instead). DuckDB lets SQL read its own temp directory, so do not point it at anything
  // but a dedicated folder.
  std::string temp_directory;
};

// Default options for everything but the lake root.
inline QueryEngineOptions LakeQueryOptions(std::string lake_root) {
  QueryEngineOptions o;
  o.lake_root = std::move(lake_root);
  return o;
}

struct ExecuteOptions {
  // Keep at most this many rows (QueryResult::truncated tells if more existed); 0 = all.
  size_t max_rows = 0;
  // When set, another thread may stop the query with interrupt->Interrupt(); Execute() then
  // returns kCancelled. Borrowed for the call.
  QueryInterrupt* interrupt = nullptr;
};

class QueryEngine {
 public:
  // Opens the in-memory database, installs the Trino macros and locks the configuration.
  static Result<std::unique_ptr<QueryEngine>> Open(const QueryEngineOptions& options);
  ~QueryEngine();
  QueryEngine(const QueryEngine&) = delete;
  QueryEngine& operator=(const QueryEngine&) = delete;

  // Makes the set of views equal to `views`: creates or replaces the views whose definition
  // changed, drops views that are no longer listed, leaves identical ones alone (so calling it
  // after every catalog commit is cheap). All-or-nothing, in one DuckDB transaction.
  // InvalidArgument if a name is empty or repeated (case-insensitively) or a file is not an
  // absolute, normalized path under the lake root. `derived` views (SQL over the table views,
  // e.g. history_views.h) are part of the same set; they are created after the table views.
  //
  // `databases` are the catalog's database names (Glue's), besides "default" which is always
  // known: Execute() accepts table names qualified as Athena users write them,
  // `<database>.<view>` and `awsdatacatalog.<database>.<view>` (sql_rewrite.h), for any view.
  Status ReplaceViews(const std::vector<TableView>& views,
                      const std::vector<DerivedView>& derived = {},
                      const std::vector<std::string>& databases = {});

  // Runs one statement, after the textual rewrites that make Athena SQL run unchanged and fast:
  // Trino date formats (sql_text.h), qualified table names and now()/current_timestamp in
  // comparisons (sql_rewrite.h). InvalidArgument (with DuckDB's message) for SQL errors, statements that
  // do not only read, denied functions, and refused file access; kCancelled when
  // options.interrupt was interrupted.
  Result<QueryResult> Execute(std::string_view sql, const ExecuteOptions& options = {}) const;

  // Names of the views currently defined, sorted.
  std::vector<std::string> ViewNames() const;

  // Normalized lake root, without a trailing slash.
  const std::string& lake_root() const { return lake_root_; }

  // "v1.5.6".
  static std::string DuckDbVersion();

 private:
  struct Handles;  // DuckDB database and the internal connection

  QueryEngine(std::string lake_root, std::unique_ptr<Handles> handles);
  Status RunInternal(const std::string& sql);

  // Constant after construction.
  const std::string lake_root_;
  const std::unique_ptr<Handles> handles_;

  mutable std::mutex views_mu_;
  std::map<std::string, std::string> view_sql_;  // guarded by views_mu_: name -> CREATE VIEW SQL
  // Guarded by views_mu_, lower-case: names a qualified table name may use (sql_rewrite.h).
  std::set<std::string> databases_ = {"default"};
  std::set<std::string> view_names_;
};

}  // namespace tributary::query
