// The end-to-end benchmark scenarios of tributary-bench. Each prints its parameters and results
// and returns 0, or 1 when the run itself failed (not when a figure is slow: figures are for
// docs/performance.md, not pass/fail).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tributary::bench {

// A realistic sales change record (INSERT/MODIFY/REMOVE mix of orders) as the pipe writes it into
// the stream: record `i` of a run, timestamps around now_s. Shared by deliver and limit.
std::string SalesRecordJson(std::mt19937_64& rng, int64_t i, int64_t now_s);

struct DeliverParams {
  int64_t records = 1000000;
  int64_t interval_ms = 200;
  bool sync = true;  // fdatasync files before each commit (the default, durable setting)
  std::string prefix;  // a Firehose prefix (e.g. "bench_table/!{timestamp:yyyy/MM/dd/HH}/");
                       // empty: the default Hive layout
  std::string format = "json";  // data file format, as the catalog writes it: json, json+gzip,
                                // json+zstd, parquet+snappy, parquet+zstd, ...
};
struct DeliverResult {
  double events_per_s = 0;
  int64_t bytes = 0;  // committed file bytes (data + errors)
  int64_t files = 0;
};
// A one-shard stream pre-filled with `records` change records (a realistic INSERT/MODIFY/REMOVE
// mix of sales orders) is delivered by one worker thread: cdc-flatten, partitioning, JSON-lines
// files, fsync, catalog commits. Prints events/s from start until the last row is committed.
int RunDeliver(const DeliverParams& params, bool smoke, DeliverResult* result = nullptr);

// The deliver scenario once per format in `formats` (same records, same settings); prints each
// format's events/s and bytes written as ratios to the first (JSON lines).
int RunFormats(const DeliverParams& params, const std::vector<std::string>& formats, bool smoke);

struct FreshnessParams {
  double rate = 1000;
  double seconds = 20;
  int64_t poll_ms = 50;
};
// The demo's pipeline with default settings; the generator writes `rate` changes/s; a poller
// queries SQL every poll_ms and records, for each change, when it first became visible. Prints
// p50/p90/p99/max of (visible in SQL - written to the table).
int RunFreshness(const FreshnessParams& params, bool smoke);

struct CompactionParams {
  int64_t files_per_hour = 360;  // a 10 s buffering interval
  int64_t rows_per_file = 100;
  int runs = 5;
  std::string format = "parquet";  // the compacted files' format: parquet (compaction's default) | json
};
// A day of small JSON-lines files (24 hour partitions x files_per_hour) registered in a catalog;
// the same queries through the query engine before and after compaction merges each hour into
// one file. Prints the median time of each query and the speedup (bench/compaction_scenario.cc).
int RunCompaction(const CompactionParams& params, bool smoke);

}  // namespace tributary::bench
