// Figures the tributary-bench scenarios record as they run, written at the end as one JSON file
// (`tributary-bench --json FILE`, `make bench` -> build/bench-results.json) and printed as a
// summary table, so runs can be compared by a script rather than by reading logs.
//
// Thread-safety: Record() may be called from any thread.
#pragma once

#include <string>

namespace tributary::bench {

// One figure of one scenario, e.g. Record("deliver", "events_per_s", 812345, "events/s").
void Record(const std::string& scenario, const std::string& name, double value, const std::string& unit);

// {"environment": {...}, "smoke": bool, "results": [{"scenario","name","value","unit"}, ...]}
std::string ResultsJson(const std::string& environment_header, bool smoke);

// A fixed-width table of every recorded figure.
std::string ResultsTable();

// Versions of the engines under the scenarios and how this binary was built, one per line
// ("DuckDB:", "RocksDB:", "SQLite:", "Compiler:", "Build type:"); tributary-bench appends it to
// EnvironmentHeader().
std::string VersionsHeader();

}  // namespace tributary::bench
