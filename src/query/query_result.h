// QueryResult: the rows of one SQL statement as text, independent of DuckDB.
//
// Values are DuckDB's text rendering with two Athena-style exceptions: TIMESTAMP values always
// carry milliseconds ("2024-05-01 10:00:00.120") and TIMESTAMP WITH TIME ZONE values are written
// in UTC with a " UTC" suffix ("2024-05-01 10:00:00.120 UTC").
//
// Thread-safety: a value type.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tributary::query {

struct QueryResult {
  std::vector<std::string> column_names;
  // DuckDB SQL type names, one per column: "VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN", "TIMESTAMP",
  // "TIMESTAMP WITH TIME ZONE", "DATE", "JSON", "DECIMAL(18,3)", "VARCHAR[]", ...
  std::vector<std::string> column_types;
  // rows[r][c]; std::nullopt is SQL NULL.
  std::vector<std::vector<std::optional<std::string>>> rows;
  // True when the statement produced more rows than the caller's max_rows.
  bool truncated = false;
  // Wall time of Execute(), screening and rendering included.
  std::chrono::microseconds elapsed{0};
};

}  // namespace tributary::query
