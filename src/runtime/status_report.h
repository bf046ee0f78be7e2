// The status report of a data directory as JSON: what `tributary status --json` prints and
// GET /api/status serves (the dashboard's pipeline-health source):
//
//   {"data_dir": "...", "running": true,
//    "stages": <PipelineSnapshot::ToJson(): per-stage counters, lag, per pipe and per delivery
//               figures, errors; null when no process has written status.json>,
//    "tables": [{"name", "files", "rows", "bytes", "partitions", "last_commit_ms",
//                "compactions", "compacted_files_in", "compacted_files_out", "retired_pending"}]}
//
// Thread-safety: as thread-safe as `catalog` (the SQLite catalog is).
#pragma once

#include <string>
#include <string_view>

#include "catalog/catalog.h"

namespace tributary::runtime {

// `stages_json`: a PipelineSnapshot's JSON (empty: null).
std::string StatusReportJson(std::string_view data_dir, bool running, std::string_view stages_json,
                             const catalog::Catalog& catalog);

}  // namespace tributary::runtime
