// The `tributary` subcommands. Each returns the process exit code: 0 success, 1 runtime failure,
// 2 usage or configuration error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/endpoint.h"

namespace tributary::cli {

struct DemoArgs {
  std::string config_path;   // empty: the built-in examples/sales-pipeline.yaml
  std::string data_dir;      // empty: a new temporary directory
  double duration_s = 0;     // 0: until Ctrl-C
  double rate = 200;         // changes per second; 0 = as fast as possible
  double query_every_s = 5;  // print the seed queries this often
  uint64_t seed = 0;
  std::string report_path;   // write the generator's report (JSON) here at the end
  bool quiet = false;        // no live status line (for scripts)
  EndpointArgs endpoint;
};
int RunDemo(const DemoArgs& args);

struct UpArgs {
  std::string config_path;
  std::string data_dir;
  double duration_s = 0;
  EndpointArgs endpoint;
};
int RunUp(const UpArgs& args);

struct StatusArgs {
  std::string data_dir;
  bool json = false;
};
int RunStatus(const StatusArgs& args);

struct QueryArgs {
  std::string data_dir;
  std::string sql;
  std::string format = "table";  // table | csv | json | jsonl
};
int RunQuery(const QueryArgs& args);

// `tributary sql`: interactive shell (libedit) on a terminal; otherwise runs --execute text or
// stdin as a script, stopping at the first error (exit 1). See cli/sql_shell.h.
struct SqlArgs {
  std::string data_dir;
  std::string execute;           // -e/--execute: statements and dot-commands to run
  std::string format = "table";  // table | csv | json | jsonl
  std::string output;            // results to this file; *.parquet = Parquet
  std::string history_path;      // default DIR/sql_history; "-" = none
};
int RunSql(const SqlArgs& args);

struct CatalogArgs {
  std::string action;    // tables | show | partitions | files | versions
  std::string table;     // all but tables
  std::string data_dir;
  std::string database;  // tables: only this database
  bool json = false;     // Glue API shapes (glue_json.h)
};
int RunCatalog(const CatalogArgs& args);

struct CrawlArgs {
  std::string path;                  // the folder to crawl
  std::string table;
  std::string database = "default";
  std::string data_dir;
  bool copy = false;                 // copy files into the lake instead of hard-linking
  bool json = false;                 // print the report as JSON
  bool quiet = false;                // no progress lines
  // Key columns (hash key, then range key) recorded as the table parameter tributary.key_columns,
  // so SQL gets <table>_current/_history when the columns allow them; empty: leave as recorded.
  std::vector<std::string> key_columns;
};
int RunCrawl(const CrawlArgs& args);

struct GenerateArgs {
  std::string config_path;  // empty: the built-in config
  std::string data_dir;
  std::string table;        // default: the config's first table
  double rate = 0;
  int64_t count = 0;
  double duration_s = 0;
  uint64_t seed = 0;
  bool json = false;
};
int RunGenerate(const GenerateArgs& args);

// `tributary alerts`: the most recent alerts (newest first) and per-rule counts from
// DIR/alerts.db (docs/alerts.md).
struct AlertsArgs {
  std::string data_dir;
  int limit = 20;
  std::string rule;   // only this rule
  bool json = false;  // {"alerts":[{rule,event_id,time,row,throttled,sends}],"counts":{...}}
};
int RunAlerts(const AlertsArgs& args);

}  // namespace tributary::cli
