// `tributary query` (SQL over the lake) and `tributary generate` (mock sales into a table).
#include <atomic>
#include <iostream>
#include <thread>

#include "catalog/catalog.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "runtime/data_dir.h"
#include "runtime/pipeline.h"
#include "runtime/sales_generator.h"
#include "runtime/table_order_writer.h"

namespace tributary::cli {

int RunQuery(const QueryArgs& args) {
  auto format = query::ParseResultFormat(args.format);
  if (!format.ok()) return ReportError("query", format.status());
  auto layout = runtime::DataDirLayout::Load(args.data_dir);
  if (!layout.ok()) return ReportError("query", layout.status());
  auto catalog = catalog::Catalog::Open(layout->catalog_path);
  if (!catalog.ok()) return ReportError("query", catalog.status());
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions(layout->lake_root));
  if (!engine.ok()) return ReportError("query", engine.status());
  std::vector<std::string> warnings;
  Status s = query::RefreshViews(**engine, **catalog, &warnings);
  if (!s.ok()) return ReportError("query", s);
  for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
  auto result = (*engine)->Execute(args.sql);
  if (!result.ok()) {
    // A file may have been renamed into place between listing and reading: refresh once.
    if (query::RefreshViews(**engine, **catalog).ok()) result = (*engine)->Execute(args.sql);
  }
  if (!result.ok()) return ReportError("query", result.status());
  std::cout << query::FormatResult(*result, *format);
  return 0;
}

int RunGenerate(const GenerateArgs& args) {
  InstallStopHandlers();
  auto cfg = LoadConfigOrDefault(args.config_path);
  if (!cfg.ok()) return ReportError("generate", cfg.status());
  std::string table = args.table;
  if (table.empty()) {
    if (cfg->tables.empty()) return ReportError("generate", Status::InvalidArgument("the config declares no table"));
    table = cfg->tables.front().name;
  }
  runtime::PipelineOptions popt;
  popt.data_dir = args.data_dir;
  popt.start_pipes = false;
  auto pipeline = runtime::Pipeline::Open(*cfg, popt);
  if (!pipeline.ok()) return ReportError("generate", pipeline.status());
  runtime::TableOrderWriter writer(&(*pipeline)->tables(), table);
  runtime::GeneratorOptions gopt;
  gopt.rate_per_second = args.rate;
  gopt.max_changes = args.count;
  gopt.duration_ms = static_cast<int64_t>(args.duration_s * 1000);
  gopt.seed = args.seed;
  runtime::SalesGenerator generator(&writer, gopt, SystemClock::Default());
  runtime::GeneratorReport report;
  std::atomic<bool> done{false};
  Status s;
  std::thread worker([&] {
    s = generator.Run(&report);
    done = true;
  });
  while (!done.load()) {
    if (WaitForStop(100)) generator.Stop();
  }
  worker.join();
  if (args.json) {
    std::cout << report.ToJson() << "\n";
  } else {
    std::cout << "generate: " << report.ToText() << "\n";
  }
  if (!s.ok()) return ReportError("generate", s);
  return 0;
}

}  // namespace tributary::cli
