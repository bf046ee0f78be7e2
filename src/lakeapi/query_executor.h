// QueryExecutor: runs lake SQL off the HTTP threads, for Athena's StartQueryExecution (async) and
// POST /api/query (the caller waits).
//
//   QueryExecutor executor(engine, catalog, options);
//   auto id = executor.Submit({.sql = "SELECT ...", .output_location = "s3://results/q/"});
//   executor.Get(*id)->state   // kQueued -> kRunning -> kSucceeded / kFailed / kCancelled
//   executor.Stop(*id);        // cancels a queued query, interrupts a running one
//
// A fixed pool of `workers` threads takes work from one FIFO queue bounded by `max_queued`
// (Submit then fails with kResourceExhausted); every query is interrupted after `timeout_ms`
// (state kFailed, "Query timeout"). Before each query the engine's views are refreshed from the
// catalog, so new commits are visible at once.
//
// Results: a succeeded Athena query's rows are written as Athena CSV (athena_csv.h) to its output
// location, mapped onto the local disk (MapOutputLocation):
//     s3://BUCKET/KEY/  ->  <results_dir>/BUCKET/KEY/<QueryExecutionId>.csv
// written to a temporary name and renamed, so a file that exists is complete.
//
// Executions live in memory only (they do not survive a restart; the CSV files do): the newest
// `max_executions` are kept, older finished ones are forgotten.
//
// Thread-safety: every method is thread-safe. The destructor interrupts running queries,
// cancels queued ones and joins the workers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/status.h"
#include "query/query_engine.h"

namespace tributary::lakeapi {

enum class QueryState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view QueryStateName(QueryState state);  // "QUEUED", ...

struct QueryExecutorOptions {
  std::string results_dir;         // absolute; where s3:// output locations map to
  int workers = 2;
  size_t max_queued = 64;          // queued (not yet running) queries; more: kResourceExhausted
  int64_t timeout_ms = 300000;     // per query, from the moment it starts running
  size_t max_executions = 1000;    // executions remembered
  size_t max_result_rows = 1000000;  // Athena queries with more rows fail (results are buffered)
  const Clock* clock = nullptr;    // default: SystemClock
};

struct QuerySubmission {
  std::string sql;
  std::string database = "default";
  std::string workgroup = "primary";
  std::string output_location;     // s3://bucket/prefix/ (the folder; the file is <id>.csv)
  std::string client_request_token;  // idempotency: the same token returns the same id
};

// A snapshot of one execution.
struct QueryExecutionInfo {
  std::string id;
  std::string sql;
  std::string database;
  std::string workgroup;
  std::string statement_type;     // "DML" (SELECT ...) or "UTILITY" (SHOW, DESCRIBE, EXPLAIN)
  std::string output_location;    // s3://bucket/prefix/<id>.csv
  std::string result_path;        // the local file behind it
  QueryState state = QueryState::kQueued;
  std::string state_change_reason;
  bool user_error = true;         // for AthenaError.ErrorCategory (user vs system)
  int64_t submitted_ms = 0;
  int64_t started_ms = 0;
  int64_t completed_ms = 0;
  int64_t engine_ms = 0;           // DuckDB execution (Execute() wall time)
  int64_t data_scanned_bytes = 0;  // bytes of the files of the tables the query names
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;  // DuckDB type names (athena_types.h maps them)
  int64_t row_count = 0;
};

// s3://BUCKET/KEY... -> <results_dir>/BUCKET/KEY...; InvalidArgument (with the reason) unless the
// URI is s3:// with a valid bucket name and a key without '.', '..' or empty segments, control
// characters or backslashes. The result is always inside results_dir.
Result<std::string> MapOutputLocation(const std::string& results_dir, std::string_view s3_uri);

class QueryExecutor {
 public:
  // `engine` and `catalog` are borrowed and must outlive the executor.
  QueryExecutor(query::QueryEngine* engine, const catalog::Catalog* catalog, QueryExecutorOptions options);
  ~QueryExecutor();
  QueryExecutor(const QueryExecutor&) = delete;
  QueryExecutor& operator=(const QueryExecutor&) = delete;

  // Queues an Athena query; returns its id (a UUID). InvalidArgument for a bad output location,
  // ResourceExhausted when the queue is full.
  Result<std::string> Submit(const QuerySubmission& submission);
  // NotFound for unknown (or forgotten) ids.
  Result<QueryExecutionInfo> Get(std::string_view id) const;
  // Cancels a queued query or interrupts a running one (state kCancelled); no effect on a
  // finished one. NotFound for unknown ids.
  Status Stop(std::string_view id);
  // Ids, newest first, optionally only one workgroup's.
  std::vector<std::string> List(std::string_view workgroup = {}) const;

  // Runs `sql` on the pool and waits for it (POST /api/query): at most `max_rows` rows (0: all),
  // interrupted after `timeout_ms` (kDeadlineExceeded). ResourceExhausted when the queue is full.
  Result<query::QueryResult> RunAndWait(std::string_view sql, size_t max_rows, int64_t timeout_ms);

  const QueryExecutorOptions& options() const { return options_; }

 private:
  struct Execution;
  struct Task {
    std::function<void()> run;
    std::function<void()> cancel;  // called instead of run when the executor shuts down
  };
  struct Running {
    int64_t deadline_ms;
    std::shared_ptr<query::QueryInterrupt> interrupt;
    std::shared_ptr<bool> timed_out;  // guarded by mu_
  };

  Status Enqueue(Task task);
  void WorkerLoop();
  void WatchdogLoop();
  void RunAthena(const std::shared_ptr<Execution>& execution);
  // Refreshes the views, then executes (retrying once after a refresh, as `tributary query`).
  Result<query::QueryResult> ExecuteFresh(std::string_view sql, const query::ExecuteOptions& options) const;
  int64_t ScannedBytes(std::string_view sql) const;
  uint64_t Track(int64_t timeout_ms, std::shared_ptr<query::QueryInterrupt> interrupt,
                 std::shared_ptr<bool> timed_out);
  void Untrack(uint64_t ticket);
  void ForgetOld();  // mu_ held

  query::QueryEngine* const engine_;
  const catalog::Catalog* const catalog_;
  const QueryExecutorOptions options_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable watchdog_cv_;
  bool stopping_ = false;
  std::deque<Task> queue_;
  std::map<uint64_t, Running> running_;  // ticket -> deadline (for the watchdog)
  uint64_t next_ticket_ = 1;
  std::map<std::string, std::shared_ptr<Execution>, std::less<>> executions_;
  std::deque<std::string> order_;        // ids, oldest first
  std::map<std::string, std::string, std::less<>> tokens_;  // ClientRequestToken -> id
  std::vector<std::thread> workers_;
  std::thread watchdog_;
};

std::string NewUuid();

}  // namespace tributary::lakeapi
