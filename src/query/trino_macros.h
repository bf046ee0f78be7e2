// Trino (Athena engine v3) function names that DuckDB lacks, provided as DuckDB macros so
// Athena queries run unchanged. docs/sql-compatibility.md lists them with known differences.
//
// Thread-safety: returns an immutable list.
#pragma once

#include <string>
#include <vector>

namespace tributary::query {

// The CREATE MACRO statements, in dependency order. QueryEngine runs them once at start-up,
// before the configuration is locked.
const std::vector<std::string>& TrinoCompatibilityMacros();

}  // namespace tributary::query
