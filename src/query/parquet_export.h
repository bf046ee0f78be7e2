// WriteParquet: a query result to a Parquet file, for the shell's `.output FILE.parquet` and
// `tributary sql --output FILE.parquet`.
//
// The sandboxed QueryEngine never writes: user SQL cannot name a file to write. The result it
// returned is written here, outside the user's SQL, by a separate in-memory DuckDB database that
// runs only statements built by this function (CREATE TABLE with the result's column names and
// types, INSERTs of its values as quoted literals, COPY TO the named file). That database can
// touch nothing but the output file's directory (enable_external_access=false,
// allowed_directories=[that directory], extensions off, configuration locked).
//
// Values round-trip through their text form, so types come back as the query produced them
// (TIMESTAMP to milliseconds, as results print); a column whose type name DuckDB cannot parse
// back is written as VARCHAR.
//
// Thread-safety: reentrant (each call opens its own database).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "query/query_result.h"

namespace tributary::query {

// Writes `result` to `path` (replaced if it exists). `path` must be absolute and its directory
// must exist. InvalidArgument for a bad path; the DuckDB error for a failed write.
Status WriteParquet(const QueryResult& result, const std::string& path);

// For tools and benchmarks only (bench/ builds its 10-million-row lakes with it): runs
// `statements` in order in a fresh in-memory DuckDB that can read and write `directory` and
// nothing else (same confinement as above, but no statement filter). Never pass text that came
// from a user. Returns the first statement's error.
Status RunTrustedStatements(const std::string& directory, const std::vector<std::string>& statements);

}  // namespace tributary::query
