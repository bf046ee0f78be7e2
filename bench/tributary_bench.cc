// tributary-bench: end-to-end benchmark scenarios (leveldb db_bench style).
//
//   tributary-bench --scenario deliver   [--records N] [--prefix P] stream pre-filled -> committed lake
//   tributary-bench --scenario formats   [--records N]            deliver once per file format
//   tributary-bench --scenario freshness [--rate R] [--seconds S] table commit -> visible in SQL
//   tributary-bench --scenario query     [--rows N] [--repeat R] [--dir D]  seed queries, JSON vs Parquet
//   tributary-bench --scenario compaction [--files-per-hour N]     query a day before/after compaction
//   tributary-bench --scenario pipeline  [--changes N] [--writers W] table API -> committed lake
//   tributary-bench --scenario limit     [--events N]             parse-transform-append ceiling
//   tributary-bench --scenario memory    [--memory-rate R] [--memory-seconds S]  peak RSS under load
//   tributary-bench ... --json FILE      every figure as JSON (make bench: build/bench-results.json)
//   tributary-bench --scenario all --smoke                          tiny inputs (CI keeps them alive)
//
// Figures and the exact commands live in docs/performance.md.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

#include "bench_env.h"
#include "bench_results.h"
#include "pipeline_scenarios.h"
#include "query_scenario.h"
#include "scenarios.h"

int main(int argc, char** argv) {
  using namespace tributary::bench;
  CLI::App app{"tributary-bench: end-to-end benchmark scenarios"};
  std::string scenario = "all";
  bool smoke = false;
  DeliverParams deliver;
  FreshnessParams fresh;
  QueryParams query;
  CompactionParams compaction;
  PipelineParams pipeline;
  LimitParams limit;
  MemoryParams memory;
  std::string json_path;
  std::vector<std::string> formats = {"json", "json+gzip", "json+zstd", "parquet+snappy",
                                      "parquet+zstd"};
  app.add_option("--scenario", scenario, "deliver | formats | freshness | query | compaction | pipeline | limit | memory | all")
      ->check(CLI::IsMember({"deliver", "formats", "freshness", "query", "compaction", "pipeline", "limit",
                             "memory", "all"}))
      ->capture_default_str();
  app.add_flag("--smoke", smoke, "Tiny inputs, for CI: checks the scenarios run, measures nothing");
  app.add_option("--records", deliver.records, "deliver: change records pre-filled in the stream")->capture_default_str();
  app.add_flag("!--no-sync", deliver.sync, "deliver: skip fdatasync before commits (not durable)");
  app.add_option("--interval-ms", deliver.interval_ms, "deliver: buffering interval")->capture_default_str();
  app.add_option("--prefix", deliver.prefix,
                 "deliver: a Firehose prefix, e.g. 'bench_table/!{timestamp:yyyy/MM/dd/HH}/' (default: Hive layout)");
  app.add_option("--format", deliver.format,
                 "deliver: data file format (json, json+gzip, json+zstd, parquet+snappy, parquet+zstd, ...)")
      ->capture_default_str();
  app.add_option("--formats", formats, "formats: the formats to compare, the first is the baseline")
      ->capture_default_str();
  app.add_option("--rate", fresh.rate, "freshness: changes per second written to the table")->capture_default_str();
  app.add_option("--seconds", fresh.seconds, "freshness: how long to write")->capture_default_str();
  app.add_option("--poll-ms", fresh.poll_ms, "freshness: how often the SQL poller queries")->capture_default_str();
  app.add_option("--rows", query.rows, "query: change rows in the lake")->capture_default_str();
  app.add_option("--repeat", query.repeat, "query: runs per query (Parquet; JSON at most 2)")->capture_default_str();
  app.add_option("--threads", query.threads, "query: DuckDB threads (0 = one per core)")->capture_default_str();
  app.add_option("--dir", query.dir, "query: data directory, reused if it already holds --rows rows");
  app.add_flag("--keep", query.keep, "query: keep the scratch data directory");
  app.add_option("--files-per-hour", compaction.files_per_hour, "compaction: small files per hour partition")
      ->capture_default_str();
  app.add_option("--rows-per-file", compaction.rows_per_file, "compaction: rows per small file")->capture_default_str();
  app.add_option("--compaction-format", compaction.format, "compaction: format of the merged files (json | parquet)")
      ->check(CLI::IsMember({"json", "parquet"}))
      ->capture_default_str();
  app.add_option("--changes", pipeline.changes, "pipeline: changes written through the table API")->capture_default_str();
  app.add_option("--writers", pipeline.writers, "pipeline: generator threads")->capture_default_str();
  app.add_option("--events", limit.events, "limit: events through parse-transform-append")->capture_default_str();
  app.add_option("--memory-rate", memory.rate, "memory: target changes/s")->capture_default_str();
  app.add_option("--memory-seconds", memory.seconds, "memory: how long to write")->capture_default_str();
  app.add_option("--memory-writers", memory.writers, "memory: generator threads")->capture_default_str();
  app.add_option("--json", json_path, "write every recorded figure and the environment to this JSON file");
  CLI11_PARSE(app, argc, argv);
  if (smoke) {
    deliver.records = 20000;
    fresh.rate = 200;
    fresh.seconds = 2;
    query.rows = 30000;
    pipeline.changes = 5000;
    limit.events = 20000;
    limit.pool = 2000;
    memory.rate = 1000;
    memory.seconds = 1;
  }
  const std::string env = EnvironmentHeader() + VersionsHeader();
  std::cout << env << "\n";
  int rc = 0;
  DeliverResult delivered;
  double limit_rate = 0, pipeline_rate = 0;
  if (scenario == "limit" || scenario == "all") rc |= RunLimit(limit, smoke, &limit_rate);
  if (scenario == "deliver" || scenario == "all") rc |= RunDeliver(deliver, smoke, &delivered);
  if (scenario == "formats" || scenario == "all") rc |= RunFormats(deliver, formats, smoke);
  if (scenario == "freshness" || scenario == "all") rc |= RunFreshness(fresh, smoke);
  if (scenario == "query" || scenario == "all") rc |= RunQuery(query, smoke);
  if (scenario == "compaction" || scenario == "all") rc |= RunCompaction(compaction, smoke);
  if (scenario == "pipeline" || scenario == "all") rc |= RunPipeline(pipeline, smoke, &pipeline_rate);
  if (scenario == "memory" || scenario == "all") rc |= RunMemory(memory, smoke);
  if (delivered.events_per_s > 0) Record("deliver", "events_per_s", delivered.events_per_s, "events/s");
  if (limit_rate > 0 && delivered.events_per_s > 0) {
    Record("deliver", "fraction_of_limit", delivered.events_per_s / limit_rate, "ratio");
  }
  if (limit_rate > 0 && pipeline_rate > 0) Record("pipeline", "fraction_of_limit", pipeline_rate / limit_rate, "ratio");
  std::cout << ResultsTable() << (smoke ? "   (smoke run: not a measurement)\n" : "") << "\n";
  if (!json_path.empty()) {
    std::ofstream out(json_path, std::ios::trunc);
    out << ResultsJson(env, smoke);
    if (!out) return std::cerr << "cannot write " << json_path << "\n", 1;
    std::cout << "results: " << json_path << "\n";
  }
  return rc;
}
