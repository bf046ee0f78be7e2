// POST /api/query: SQL over the lake for the dashboard and scripts, as JSON.
//
//   request   {"sql": "SELECT ...", "max_rows": 100}            (max_rows optional)
//   200       {"columns": [{"name": "n", "type": "BIGINT", "athena_type": "bigint"}],
//              "rows": [["12"], [null]], "row_count": 2, "truncated": false, "elapsed_ms": 3}
//   4xx/5xx   {"error": "<code>", "message": "..."}
//
// Values are strings (QueryResult's text: timestamps with milliseconds) or null. The query runs on
// the QueryExecutor's workers (the HTTP thread waits for it) and is sandboxed exactly like
// `tributary query` (QueryEngine: read-only statements, files only under the lake, settings
// locked). Limits: at most `max_rows` rows (request value capped by the server's), at most
// `max_bytes` of response (rows beyond are dropped, "truncated": true) and `timeout_ms`
// (504 "timeout").
//
// Errors: 400 "bad_request" (body not JSON, no "sql"), 400 "query_error" (SQL errors and refused
// statements, with the engine's message), 429 "busy" (queue full), 504 "timeout", 500 "internal".
//
// Thread-safety: thread-safe (the executor is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lakeapi/query_executor.h"

namespace tributary::lakeapi {

struct SqlApiOptions {
  size_t max_rows = 10000;
  size_t max_bytes = 8 * 1024 * 1024;
  int64_t timeout_ms = 30000;
};

struct SqlApiResponse {
  int http_status = 200;
  std::string body;  // application/json
};

SqlApiResponse HandleSqlQuery(QueryExecutor& executor, const SqlApiOptions& options, std::string_view body);

}  // namespace tributary::lakeapi
