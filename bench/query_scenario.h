// tributary-bench --scenario query (see query_scenario.cc and docs/performance.md).
#pragma once

#include <cstdint>
#include <string>

namespace tributary::bench {

struct QueryParams {
  int64_t rows = 10000000;  // change rows (3 per order)
  int repeat = 5;           // runs per query on Parquet (JSON: at most 2)
  int threads = 0;          // DuckDB threads; 0 = one per core
  std::string dir;          // data directory; reused when it already holds `rows` rows
  bool keep = false;        // keep the scratch directory
};
// Prints per-query median/min times on Parquet and JSON lines. Returns 1 if setup or a query
// fails.
int RunQuery(const QueryParams& params, bool smoke);

}  // namespace tributary::bench
