// `tributary crawl PATH --table NAME`: catalogue files Tributary did not write (catalog/crawler.h,
// docs/catalog.md), then they are queryable with `tributary query` / `sql` like any table.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "catalog/catalog.h"
#include "catalog/crawler.h"
#include "catalog/table_keys.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "core/json_writer.h"
#include "query/file_schema_reader.h"
#include "query/history_views.h"
#include "runtime/data_dir.h"

namespace tributary::cli {

int RunCrawl(const CrawlArgs& args) {
  auto layout = runtime::DataDirLayout::Load(args.data_dir);
  if (!layout.ok()) return ReportError("crawl", layout.status());
  catalog::CatalogOptions catalog_options;
  catalog_options.create_if_missing = false;
  auto catalog = catalog::Catalog::Open(layout->catalog_path, catalog_options);
  if (!catalog.ok()) return ReportError("crawl", catalog.status());
  std::error_code ec;
  const std::string source = std::filesystem::absolute(args.path, ec).lexically_normal().string();
  if (!std::filesystem::is_directory(source, ec)) {
    return ReportError("crawl", Status::NotFound(source + " is not a folder"));
  }
  auto reader = query::DuckDbFileSchemaReader::Open(source);
  if (!reader.ok()) return ReportError("crawl", reader.status());

  catalog::CrawlOptions options;
  options.source = source;
  options.table = args.table;
  options.database = args.database;
  options.lake_root = layout->lake_root;
  options.copy = args.copy;
  auto last = std::chrono::steady_clock::now();
  const auto start = last;
  options.progress = [&](const catalog::CrawlProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (args.quiet || now - last < std::chrono::seconds(1)) return;
    last = now;
    std::cerr << "crawl: " << p.phase << " " << Thousands(std::string_view(p.phase) == "reading" ? p.files_read : p.files_done)
              << "/" << Thousands(p.files_total) << " files, " << Thousands(p.rows) << " rows ("
              << std::chrono::duration_cast<std::chrono::seconds>(now - start).count() << " s)\n";
  };
  auto report = catalog::Crawl(**catalog, **reader, options);
  if (!report.ok()) return ReportError("crawl", report.status());
  // Change-history views: keys recorded now or by an earlier crawl; say why a table gets none.
  std::string no_history = "no key columns";
  if (!args.key_columns.empty()) {
    Status s = catalog::RecordKeyColumns(**catalog, args.table, args.key_columns);
    if (!s.ok()) return ReportError("crawl", s);
  }
  {
    auto keys = catalog::KeyColumns(**catalog, args.table);
    auto table = (*catalog)->GetTable(args.table);
    if (!keys.ok()) return ReportError("crawl", keys.status());
    if (!table.ok()) return ReportError("crawl", table.status());
    const query::TableView shape{table->name, table->columns, table->partition_keys, {}};
    no_history = query::WhyNoHistoryViews(shape, *keys);
    if (!keys->empty() && !no_history.empty()) {
      report->warnings.push_back("no " + args.table + "_current/_history views: " + no_history);
    }
  }
  for (const auto& w : report->warnings) std::cerr << "warning: " << w << "\n";
  if (args.json) {
    JsonWriter out;
    out.BeginObject();
    out.Key("table");
    out.String(args.table);
    out.Key("created");
    out.Bool(report->created);
    out.Key("format");
    out.String(report->format);
    out.Key("compression");
    out.String(report->compression);
    out.Key("partition_keys");
    out.BeginArray();
    for (const auto& k : report->partition_keys) out.String(k);
    out.EndArray();
    out.Key("files_found");
    out.Int(report->files_found);
    out.Key("files_registered");
    out.Int(report->files_registered);
    out.Key("files_already_registered");
    out.Int(report->files_already);
    out.Key("files_copied");
    out.Int(report->files_copied);
    out.Key("rows");
    out.Int(report->rows);
    out.Key("bytes");
    out.Int(report->bytes);
    out.Key("schema_version");
    out.Int(report->schema_version);
    out.Key("history_views");
    out.Bool(no_history.empty());
    out.Key("warnings");
    out.BeginArray();
    for (const auto& w : report->warnings) out.String(w);
    out.EndArray();
    out.EndObject();
    std::cout << out.str() << "\n";
    return 0;
  }
  std::string keys;
  for (const auto& k : report->partition_keys) keys += (keys.empty() ? "" : ", ") + k;
  std::cout << "crawl: " << (report->created ? "created" : "updated") << " table " << args.database
            << "." << args.table << " (" << report->format
            << (report->compression != "none" ? ", " + report->compression : std::string())
            << "; partition keys: " << (keys.empty() ? "none" : keys) << "; schema version "
            << report->schema_version << ")\n"
            << "crawl: " << Thousands(report->files_registered) << " new files registered ("
            << Thousands(report->rows) << " rows, " << Thousands(report->bytes) << " bytes; "
            << Thousands(report->files_copied) << " copied, the rest hard-linked into the lake), "
            << Thousands(report->files_already) << " already registered\n"
            << (no_history.empty() ? "crawl: change history in SQL: " + args.table + "_current, " +
                                         args.table + "_history\n"
                                   : std::string())
            << "crawl: `tributary catalog show " << args.table << " --data-dir " << args.data_dir
            << "` shows the table\n";
  return 0;
}

}  // namespace tributary::cli
