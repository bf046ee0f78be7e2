// Text renderings of a QueryResult for the CLI and the HTTP API.
//
//   kTable      aligned columns like psql: header, a dashed separator, numbers right-aligned,
//               NULL shown as "NULL", control characters escaped, "(N rows)" footer.
//   kCsv        RFC 4180: header row, fields quoted when they hold , " CR or LF (quotes doubled),
//               lines end with "\n". NULL is an empty field; an empty string is "".
//   kJson       one array of objects: {"column": value, ...}.
//   kJsonLines  one object per line.
// In JSON, numeric columns are bare numbers (non-finite doubles become strings), BOOLEAN columns
// are true/false, JSON columns are embedded as JSON, NULL is null, everything else a string.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "query/query_result.h"

namespace tributary::query {

enum class ResultFormat { kTable, kCsv, kJson, kJsonLines };

// "table" | "csv" | "json" | "jsonl" (also "ndjson", "jsonlines"); case-insensitive.
Result<ResultFormat> ParseResultFormat(std::string_view name);

std::string FormatResult(const QueryResult& result, ResultFormat format);
std::string FormatTable(const QueryResult& result);
std::string FormatCsv(const QueryResult& result);
std::string FormatJson(const QueryResult& result);
std::string FormatJsonLines(const QueryResult& result);

// True for DuckDB's integer, floating point and DECIMAL(p,s) type names.
bool IsNumericType(std::string_view duckdb_type);

// The Athena/Trino name of a DuckDB type, for Athena-style column metadata: VARCHAR -> varchar,
// DOUBLE -> double, FLOAT -> real, TIMESTAMP -> timestamp, "TIMESTAMP WITH TIME ZONE" ->
// "timestamp with time zone", DECIMAL(p,s) -> decimal(p,s), X[] -> array(x), JSON -> json;
// others lower-cased.
std::string TrinoTypeName(std::string_view duckdb_type);

}  // namespace tributary::query
