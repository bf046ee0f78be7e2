// `tributary demo`: the seed pipeline end to end, with a generator, a live status line and the
// seed queries every few seconds.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/seed_queries.h"
#include "cli/signals.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "runtime/pipeline.h"
#include "runtime/sales_generator.h"
#include "runtime/table_order_writer.h"

namespace tributary::cli {
namespace {

using Steady = std::chrono::steady_clock;
constexpr size_t kShownRows = 5;

void PrintSeedQueries(query::QueryEngine& engine, runtime::Pipeline& pipeline) {
  Status s = query::RefreshViews(engine, pipeline.catalog());
  if (!s.ok()) {
    std::cout << "  (views not ready: " << s.message() << ")\n";
    return;
  }
  for (const auto& q : kSeedQueries) {
    query::ExecuteOptions eo;
    eo.max_rows = kShownRows;
    auto r = engine.Execute(q.sql, eo);
    std::cout << "\n-- " << q.title << "\n" << q.sql << ";\n";
    if (!r.ok()) {
      std::cout << "  (" << r.status().message() << ")\n";
      continue;
    }
    std::cout << query::FormatTable(*r);
  }
  std::cout << std::flush;
}

std::string StatusLine(const runtime::PipelineSnapshot& s, int64_t written, double elapsed_s) {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "[%5.1fs] written %s | captured %s | delivered %s | failed %s | files %s | lag %lld ms",
                elapsed_s, Thousands(written).c_str(), Thousands(s.captured).c_str(),
                Thousands(s.delivered).c_str(), Thousands(s.failed).c_str(),
                Thousands(s.files).c_str(), static_cast<long long>(s.lag_ms));
  return buf;
}

}  // namespace

int RunDemo(const DemoArgs& args) {
  InstallStopHandlers();
  auto cfg = LoadConfigOrDefault(args.config_path);
  if (!cfg.ok()) return ReportError("demo", cfg.status());
  if (cfg->tables.empty()) return ReportError("demo", Status::InvalidArgument("the config declares no table"));
  const std::string table = cfg->tables.front().name;

  std::string data_dir = args.data_dir;
  if (data_dir.empty()) {
    std::string tmpl = "/tmp/tributary-demo-XXXXXX";
    if (!mkdtemp(tmpl.data())) return ReportError("demo", Status::Internal("cannot create a temporary directory"));
    data_dir = tmpl;
  }
  runtime::PipelineOptions popt;
  popt.data_dir = data_dir;
  auto pipeline = runtime::Pipeline::Open(*cfg, popt);
  if (!pipeline.ok()) return ReportError("demo", pipeline.status());
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions((*pipeline)->lake_root()));
  if (!engine.ok()) return ReportError("demo", engine.status());

  std::cout << "Tributary demo: " << (args.config_path.empty() ? std::string(config::kDefaultPipelineFileName) : args.config_path)
            << " (built-in)\n"
            << "  data dir   " << (*pipeline)->data_dir() << "\n"
            << "  table      " << table << " -> pipe -> stream -> delivery -> SQL table "
            << (cfg->deliveries.empty() ? std::string("-") : cfg->deliveries.front().table) << "\n"
            << "  generator  " << (args.rate > 0 ? Thousands(static_cast<int64_t>(args.rate)) + " changes/s" : std::string("as fast as possible"))
            << (args.duration_s > 0 ? ", for " + std::to_string(static_cast<int>(args.duration_s)) + " s" : std::string(", until Ctrl-C"))
            << "\n\n";
  Status started = (*pipeline)->Start();
  if (!started.ok()) return ReportError("demo", started);
  auto endpoint = StartEndpoint(*cfg, args.endpoint, **pipeline, "demo");
  if (!endpoint.ok()) {
    (void)(*pipeline)->Stop();
    return ReportError("demo", endpoint.status());
  }

  runtime::TableOrderWriter writer(&(*pipeline)->tables(), table);
  runtime::GeneratorOptions gopt;
  gopt.rate_per_second = args.rate;
  gopt.seed = args.seed;
  gopt.duration_ms = static_cast<int64_t>(args.duration_s * 1000);
  runtime::SalesGenerator generator(&writer, gopt, SystemClock::Default());
  runtime::GeneratorReport report;
  Status gen_status;
  std::thread gen_thread([&] { gen_status = generator.Run(&report); });

  const auto start = Steady::now();
  auto next_query = start + std::chrono::milliseconds(static_cast<int64_t>(args.query_every_s * 1000));
  auto last_plain_line = start;
  const bool tty = StdoutIsTty() && !args.quiet;
  bool generator_done = false;
  while (!StopRequested()) {
    WaitForStop(250);
    double elapsed = std::chrono::duration<double>(Steady::now() - start).count();
    if (args.duration_s > 0 && elapsed >= args.duration_s) break;
    auto snap = (*pipeline)->Snapshot();
    std::string line = StatusLine(snap, generator.changes_so_far(), elapsed);
    if (tty) {
      std::cout << "\r\033[K" << line << std::flush;
    } else if (!args.quiet && Steady::now() - last_plain_line >= std::chrono::seconds(2)) {
      std::cout << line << "\n" << std::flush;
      last_plain_line = Steady::now();
    }
    if (Steady::now() >= next_query) {
      if (tty) std::cout << "\n";
      PrintSeedQueries(**engine, **pipeline);
      std::cout << "\n";
      next_query = Steady::now() + std::chrono::milliseconds(static_cast<int64_t>(args.query_every_s * 1000));
    }
    (void)generator_done;
  }
  if (tty) std::cout << "\n";
  std::cout << (StopRequested() ? "Stopping (flushing buffered changes)...\n" : "Duration reached; stopping...\n");
  generator.Stop();
  gen_thread.join();
  if (*endpoint) (*endpoint)->Stop();
  Status stopped = (*pipeline)->Stop();
  if (!stopped.ok()) return ReportError("demo", stopped);
  if (!gen_status.ok()) std::cerr << "generator: " << gen_status.message() << "\n";

  std::cout << "\nGenerator: " << report.ToText() << "\n";
  PrintSeedQueries(**engine, **pipeline);

  // Does the lake hold exactly what the generator did?
  int exit_code = 0;
  const std::string sql_table = cfg->deliveries.empty() ? "p1_kinesis_firehose_destination" : cfg->deliveries.front().table;
  auto counts = (*engine)->Execute("SELECT cdc_event_type, count(*) FROM " + sql_table + " GROUP BY 1 ORDER BY 1");
  if (counts.ok()) {
    std::map<std::string, int64_t> lake;
    for (const auto& row : counts->rows) {
      if (row[0] && row[1]) lake[*row[0]] = std::stoll(*row[1]);
    }
    bool match = lake["INSERT"] == report.inserts && lake["MODIFY"] == report.modifies &&
                 lake["REMOVE"] == report.removes;
    std::cout << "\nLake: " << Thousands(lake["INSERT"]) << " INSERT, " << Thousands(lake["MODIFY"])
              << " MODIFY, " << Thousands(lake["REMOVE"]) << " REMOVE -> "
              << (match ? "matches the generator exactly" : "DOES NOT MATCH the generator") << "\n";
    if (!match) exit_code = 1;
  }
  std::cout << "\nThe data stays in " << (*pipeline)->data_dir() << "; try:\n  tributary query --data-dir "
            << (*pipeline)->data_dir()
            << " \"SELECT status, count(*) FROM " << sql_table << " GROUP BY 1\"\n";
  if (!args.report_path.empty()) {
    std::ofstream out(args.report_path);
    out << report.ToJson() << "\n";
  }
  return exit_code;
}

}  // namespace tributary::cli
