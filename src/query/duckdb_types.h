// Names for DuckDB C API types and statement kinds (internal to src/query/).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "query/duckdb_api.h"

namespace tributary::query::duckdb {

// SQL type name of a logical type, e.g. "BIGINT", "DECIMAL(18,3)", "VARCHAR[]", "JSON",
// "STRUCT(\"k\" VARCHAR)", "TIMESTAMP WITH TIME ZONE"; "UNKNOWN" for nullptr.
std::string TypeName(duckdb_logical_type type);

// True for types whose values duckdb_value_varchar renders (others come back as nullptr, and
// BLOB crashes it). Only needed for results that cannot be rendered in SQL (EXPLAIN).
bool ValueVarcharSupports(duckdb_type id);

// "COPY", "CREATE", "SET", ... for error messages.
std::string_view StatementTypeName(duckdb_statement_type type);

}  // namespace tributary::query::duckdb
