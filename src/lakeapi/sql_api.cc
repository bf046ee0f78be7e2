#include "lakeapi/sql_api.h"

#include <simdjson.h>

#include "core/json_writer.h"
#include "lakeapi/athena_api.h"

namespace tributary::lakeapi {

namespace {

SqlApiResponse Error(int status, std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.String(code);
  w.Key("message");
  w.String(message);
  w.EndObject();
  return {status, w.Take()};
}

}  // namespace

SqlApiResponse HandleSqlQuery(QueryExecutor& executor, const SqlApiOptions& options, std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.type() != simdjson::dom::element_type::OBJECT) {
    return Error(400, "bad_request", "the body must be a JSON object like {\"sql\": \"SELECT 1\"}");
  }
  std::string_view sql;
  if (root["sql"].get_string().get(sql) != simdjson::SUCCESS || sql.empty()) {
    return Error(400, "bad_request", "\"sql\" must be a non-empty string");
  }
  size_t max_rows = options.max_rows;
  auto requested = root["max_rows"];
  if (requested.error() == simdjson::SUCCESS) {
    int64_t n = 0;
    if (requested.get_int64().get(n) != simdjson::SUCCESS || n < 1) {
      return Error(400, "bad_request", "\"max_rows\" must be a positive integer");
    }
    max_rows = std::min(max_rows, static_cast<size_t>(n));
  }
  auto result = executor.RunAndWait(sql, max_rows, options.timeout_ms);
  if (!result.ok()) {
    switch (result.status().code()) {
      case StatusCode::kInvalidArgument: return Error(400, "query_error", result.status().message());
      case StatusCode::kDeadlineExceeded: return Error(504, "timeout", result.status().message());
      case StatusCode::kResourceExhausted: return Error(429, "busy", result.status().message());
      case StatusCode::kUnavailable:
      case StatusCode::kCancelled: return Error(503, "unavailable", result.status().message());
      default: return Error(500, "internal", result.status().message());
    }
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("columns");
  w.BeginArray();
  for (size_t c = 0; c < result->column_names.size(); ++c) {
    w.BeginObject();
    w.Key("name");
    w.String(result->column_names[c]);
    w.Key("type");
    w.String(result->column_types[c]);
    w.Key("athena_type");
    w.String(AthenaTypeOf(result->column_types[c]).name);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rows");
  w.BeginArray();
  bool truncated = result->truncated;
  size_t rows = 0;
  for (const auto& row : result->rows) {
    if (w.str().size() > options.max_bytes) {
      truncated = true;
      break;
    }
    w.BeginArray();
    for (const auto& v : row) {
      if (v) {
        w.String(*v);
      } else {
        w.Null();
      }
    }
    w.EndArray();
    ++rows;
  }
  w.EndArray();
  w.Key("row_count");
  w.Uint(rows);
  w.Key("truncated");
  w.Bool(truncated);
  w.Key("elapsed_ms");
  w.Int(std::chrono::duration_cast<std::chrono::milliseconds>(result->elapsed).count());
  w.EndObject();
  return {200, w.Take()};
}

}  // namespace tributary::lakeapi
