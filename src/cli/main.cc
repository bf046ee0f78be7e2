// tributary: real-time change-data-capture in one binary. See README.md.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

namespace {
// --listen / --access-key-id / --secret-access-key, shared by `up` and `demo`.
void AddEndpointOptions(CLI::App* cmd, tributary::cli::EndpointArgs* args) {
  cmd->add_option("--listen", args->listen,
                  "HOST:PORT of the endpoint: AWS APIs, /api/*, /metrics and the dashboard at / (default: the "
                  "config's server.listen); port 0 picks a free one; the bound address is printed as 'endpoint "
                  "http://HOST:PORT', the dashboard's as 'dashboard http://HOST:PORT/'");
  cmd->add_option("--access-key-id", args->access_key_id,
                  "Verify SigV4 signatures with this access key id (with --secret-access-key); default: accept any");
  cmd->add_option("--secret-access-key", args->secret_access_key, "The secret for --access-key-id");
  cmd->add_option("--io-threads", args->io_threads, "Endpoint I/O threads (requests run inline on them); default 2")
      ->check(CLI::Range(1, 64));
}
}  // namespace

int main(int argc, char** argv) {
  using namespace tributary::cli;
  CLI::App app{
      "tributary: real-time change-data-capture. A change to a table is queryable with SQL in "
      "under a second.\n"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tributary 0.1.0"));

  DemoArgs demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Run the seed pipeline (built-in config) with a sales generator, a live status line "
              "and the seed queries every few seconds. Ctrl-C flushes and stops.");
  demo_cmd->add_option("-c,--config", demo.config_path, "Pipeline YAML (default: built-in examples/sales-pipeline.yaml)");
  demo_cmd->add_option("--data-dir", demo.data_dir, "Data directory (default: a new temporary directory, kept)");
  demo_cmd->add_option("--duration", demo.duration_s, "Stop after this many seconds (default: run until Ctrl-C)")->check(CLI::NonNegativeNumber);
  demo_cmd->add_option("--rate", demo.rate, "Changes per second the generator writes; 0 = as fast as possible")->check(CLI::NonNegativeNumber)->capture_default_str();
  demo_cmd->add_option("--query-every", demo.query_every_s, "Print the seed queries every N seconds")->check(CLI::PositiveNumber)->capture_default_str();
  demo_cmd->add_option("--seed", demo.seed, "Generator random seed (default: random, printed)");
  demo_cmd->add_option("--report", demo.report_path, "Write the generator's report as JSON to this file");
  demo_cmd->add_flag("-q,--quiet", demo.quiet, "No live status line");
  AddEndpointOptions(demo_cmd, &demo.endpoint);

  UpArgs up;
  auto* up_cmd = app.add_subcommand("up", "Run a configured pipeline (no generator) until Ctrl-C.");
  up_cmd->add_option("-c,--config", up.config_path, "Pipeline YAML")->required();
  up_cmd->add_option("--data-dir", up.data_dir, "Data directory")->required();
  up_cmd->add_option("--duration", up.duration_s, "Stop after this many seconds")->check(CLI::NonNegativeNumber);
  AddEndpointOptions(up_cmd, &up.endpoint);

  StatusArgs status;
  auto* status_cmd = app.add_subcommand("status", "Per-stage counts and lag of a data directory.");
  status_cmd->add_option("--data-dir", status.data_dir, "Data directory")->required();
  status_cmd->add_flag("--json", status.json, "Print JSON");

  AlertsArgs alerts;
  auto* alerts_cmd = app.add_subcommand(
      "alerts", "Recent alerts (newest first) with their sends (webhook, sns, log: sent, pending, dead) and "
                "per-rule counts, from the data directory's alert state; works while `up` runs and after.");
  alerts_cmd->add_option("--data-dir", alerts.data_dir, "Data directory")->required();
  alerts_cmd->add_option("-n,--limit", alerts.limit, "How many alerts to list")->check(CLI::Range(1, 100000))->capture_default_str();
  alerts_cmd->add_option("--rule", alerts.rule, "Only this rule's alerts and counts");
  alerts_cmd->add_flag("--json", alerts.json, "Print JSON: {\"alerts\":[{rule,event_id,time,row,throttled,sends}],\"counts\":{...}}");

  QueryArgs query;
  auto* query_cmd = app.add_subcommand("query", "Run one SQL statement (Athena/Trino dialect shims on DuckDB) over the lake's committed files (see also `tributary sql`).");
  query_cmd->add_option("sql", query.sql, "The SQL statement")->required();
  query_cmd->add_option("--data-dir", query.data_dir, "Data directory")->required();
  query_cmd->add_option("-f,--format", query.format, "Output format")->check(CLI::IsMember({"table", "csv", "json", "jsonl"}))->capture_default_str();

  SqlArgs sql;
  auto* sql_cmd = app.add_subcommand(
      "sql",
      "SQL shell over the lake (Athena/Trino dialect on DuckDB, read-only): line editing and "
      "history on a terminal; -e or stdin for scripts. Statements end with ';'; .help lists the "
      "dot-commands (.tables, .schema, .mode, .output FILE[.parquet], .timer, .quit).");
  sql_cmd->add_option("--data-dir", sql.data_dir, "Data directory")->required();
  sql_cmd->add_option("-e,--execute", sql.execute, "Run these statements (and dot-commands) and exit");
  sql_cmd->add_option("-f,--format,--mode", sql.format, "Output format")->check(CLI::IsMember({"table", "csv", "json", "jsonl"}))->capture_default_str();
  sql_cmd->add_option("-o,--output", sql.output, "Write results to this file instead of stdout; FILE.parquet writes Parquet");
  sql_cmd->add_option("--history", sql.history_path, "History file (default DATA_DIR/sql_history; - for none)");

  CatalogArgs cat;
  auto* cat_cmd = app.add_subcommand(
      "catalog",
      "Inspect the catalog of a data directory: what Glue's GetTables / GetTable / GetPartitions / "
      "GetTableVersions would return, and the registered files. Read-only; works while `tributary "
      "up` runs.");
  cat_cmd->require_subcommand(1);
  cat_cmd->fallthrough();
  cat_cmd->add_option("--data-dir", cat.data_dir, "Data directory")->required();
  cat_cmd->add_flag("--json", cat.json, "Print JSON in the shape of the Glue API response");
  auto* cat_tables = cat_cmd->add_subcommand("tables", "All tables: format, columns, partition keys, schema version, data totals (GetTables)");
  cat_tables->add_option("--database", cat.database, "Only tables of this database");
  auto* cat_show = cat_cmd->add_subcommand("show", "One table: columns with Glue/Athena types, partition keys, location, SerDe and format, parameters (GetTable)");
  auto* cat_partitions = cat_cmd->add_subcommand("partitions", "A table's partitions: values, location, file totals (GetPartitions)");
  auto* cat_files = cat_cmd->add_subcommand("files", "A table's registered data files in commit order: path, partition, rows, size, commit time, source");
  auto* cat_versions = cat_cmd->add_subcommand("versions", "A table's schema versions: number, time, what changed, the schema (GetTableVersions)");
  for (auto* sub : {cat_show, cat_partitions, cat_files, cat_versions}) {
    sub->add_option("table", cat.table, "Table name")->required();
  }

  CrawlArgs crawl;
  auto* crawl_cmd = app.add_subcommand(
      "crawl",
      "Catalogue files Tributary did not write, as Glue's crawler would: JSON lines (plain or "
      "gzip), Parquet or CSV files under PATH, in Hive key=value folders (partition keys named "
      "after the keys) or plain folders (partition_0, partition_1, ...); types merged across "
      "files, ISO-8601 strings typed as timestamps. The files are hard-linked (or copied) into the "
      "lake and registered, so SQL reads exactly them. Re-running registers only new files.");
  crawl_cmd->add_option("path", crawl.path, "Folder to crawl")->required();
  crawl_cmd->add_option("--table", crawl.table, "Table name (lower-case letters, digits, _)")->required();
  crawl_cmd->add_option("--database", crawl.database, "Database name")->capture_default_str();
  crawl_cmd->add_option("--data-dir", crawl.data_dir, "Data directory")->required();
  crawl_cmd->add_flag("--copy", crawl.copy, "Copy the files into the lake instead of hard-linking them");
  crawl_cmd->add_flag("--json", crawl.json, "Print the crawl report as JSON");
  crawl_cmd->add_flag("-q,--quiet", crawl.quiet, "No progress lines");
  crawl_cmd
      ->add_option("--key-columns", crawl.key_columns,
                   "Key columns of the changes (e.g. order_id or pk,sk): SQL then gets "
                   "TABLE_current and TABLE_history when the files hold the change columns "
                   "(cdc_event_type, creation_datetime, sequence_number or event_id)")
      ->delimiter(',');

  GenerateArgs gen;
  auto* gen_cmd = app.add_subcommand("generate", "Write mock sales orders (inserts, updates, deletes) into a table of a data directory.");
  gen_cmd->add_option("--data-dir", gen.data_dir, "Data directory")->required();
  gen_cmd->add_option("-c,--config", gen.config_path, "Pipeline YAML declaring the table (default: built-in)");
  gen_cmd->add_option("--table", gen.table, "Table name (default: the config's first table)");
  gen_cmd->add_option("--rate", gen.rate, "Changes per second; 0 = as fast as possible")->check(CLI::NonNegativeNumber);
  gen_cmd->add_option("--count", gen.count, "Stop after this many changes")->check(CLI::NonNegativeNumber);
  gen_cmd->add_option("--duration", gen.duration_s, "Stop after this many seconds")->check(CLI::NonNegativeNumber);
  gen_cmd->add_option("--seed", gen.seed, "Random seed (default: random, printed)");
  gen_cmd->add_flag("--json", gen.json, "Print the report as JSON");

  CLI11_PARSE(app, argc, argv);

  if (demo_cmd->parsed()) return RunDemo(demo);
  if (up_cmd->parsed()) return RunUp(up);
  if (status_cmd->parsed()) return RunStatus(status);
  if (alerts_cmd->parsed()) return RunAlerts(alerts);
  if (query_cmd->parsed()) return RunQuery(query);
  if (sql_cmd->parsed()) return RunSql(sql);

  if (crawl_cmd->parsed()) return RunCrawl(crawl);
  if (cat_cmd->parsed()) {
    for (auto* sub : cat_cmd->get_subcommands()) cat.action = sub->get_name();
    return RunCatalog(cat);
  }
  if (gen_cmd->parsed()) {
    if (gen.count == 0 && gen.duration_s == 0) {
      std::cerr << "generate: give --count or --duration (or both)\n";
      return 2;
    }
    return RunGenerate(gen);
  }
  return 2;
}
