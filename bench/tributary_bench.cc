// tributary-bench: end-to-end benchmark scenarios (leveldb db_bench style).
//
//   tributary-bench --scenario deliver   [--records N] [--prefix P] stream pre-filled -> committed lake
//   tributary-bench --scenario formats   [--records N]            deliver once per file format
//   tributary-bench --scenario freshness [--rate R] [--seconds S] table commit -> visible in SQL
//   tributary-bench --scenario query     [--rows N] [--repeat R] [--dir D]  seed queries, JSON vs Parquet
//   tributary-bench --scenario compaction [--files-per-hour N]     query a day before/after compaction
//   tributary-bench --scenario all --smoke                          tiny inputs (CI keeps them alive)
//
// Figures and the exact commands live in docs/performance.md.
#include <CLI/CLI.hpp>

#include <iostream>

#include "bench_env.h"
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
  std::vector<std::string> formats = {"json", "json+gzip", "json+zstd", "parquet+snappy",
                                      "parquet+zstd"};
  app.add_option("--scenario", scenario, "deliver | formats | freshness | query | compaction | all")
      ->check(CLI::IsMember({"deliver", "formats", "freshness", "query", "compaction", "all"}))
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
  CLI11_PARSE(app, argc, argv);
  if (smoke) {
    deliver.records = 20000;
    fresh.rate = 200;
    fresh.seconds = 2;
    query.rows = 30000;
  }
  std::cout << EnvironmentHeader() << "\n";
  int rc = 0;
  if (scenario == "deliver" || scenario == "all") rc |= RunDeliver(deliver, smoke);
  if (scenario == "formats" || scenario == "all") rc |= RunFormats(deliver, formats, smoke);
  if (scenario == "freshness" || scenario == "all") rc |= RunFreshness(fresh, smoke);
  if (scenario == "query" || scenario == "all") rc |= RunQuery(query, smoke);
  if (scenario == "compaction" || scenario == "all") rc |= RunCompaction(compaction, smoke);
  return rc;
}
