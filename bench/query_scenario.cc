// tributary-bench --scenario query: the seed's three Athena queries, a one-hour query and the
// change-history views over N change rows of the seed table, as JSON lines and as Parquet.
//
// Setup (not measured): a trusted DuckDB (query::RunTrustedStatements) writes N flattened change
// rows (3 changes per order: INSERT, MODIFY, then MODIFY or REMOVE; creation_datetime spread
// evenly over the 24 hours before now, in time order, as Firehose writes them) into Hive folders
// year=/month=/day=/hour=, once as JSON lines and once as Parquet from the same SELECT. The query
// engine then sees them exactly as it sees a delivered lake: the view query::CreateViewSql builds
// for a catalog table over those files (newest hour first, as query::ViewsFromCatalog lists
// them), plus <table>_current/<table>_history keyed by order_id. Two extra lines give the
// before/after ratios in the same run: seed 1 over the files oldest first (the order views used
// before), and seed 3 with now() hidden from the engine's rewrite (sql_rewrite.h).
//
// Each query runs `repeat` times on Parquet and min(2, repeat) times on JSON (the page cache is
// warm after the first run); the median and the minimum are printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "query_scenario.h"
#include "catalog/catalog.h"
#include "cli/seed_queries.h"
#include "core/clock.h"
#include "query/history_views.h"
#include "query/parquet_export.h"
#include "query/query_engine.h"
#include "query/sql_text.h"
#include "query/table_view.h"

namespace tributary::bench {
namespace {

namespace fs = std::filesystem;
constexpr char kTable[] = "p1_kinesis_firehose_destination";

std::vector<catalog::Column> Columns() {
  using catalog::ColumnType;
  return {{"order_id", ColumnType::kString},       {"product_name", ColumnType::kString},
          {"quantity", ColumnType::kBigint},       {"price", ColumnType::kDouble},
          {"customer_id", ColumnType::kString},    {"status", ColumnType::kString},
          {"cdc_event_type", ColumnType::kString}, {"creation_datetime", ColumnType::kTimestamp},
          {"event_id", ColumnType::kString},       {"sequence_number", ColumnType::kString}};
}

// The change rows, partition columns last. `start` is a TIMESTAMP literal's text.
std::string ChangesSelect(int64_t rows, const std::string& start) {
  const int64_t step_us = std::max<int64_t>(1, 24LL * 3600 * 1000000 / rows);
  return "SELECT 'ord-' || lpad(CAST(i // 3 AS VARCHAR), 8, '0') AS order_id, "
         "['Laptop', 'Wireless Mouse', '27in Monitor', 'USB-C Hub', 'Headphones'][CAST(1 + hash(i) % 5 AS BIGINT)] "
         "AS product_name, CAST(1 + hash(i * 7) % 10 AS BIGINT) AS quantity, "
         "round(5 + (hash(i * 13) % 49500) / 100.0, 2)::DOUBLE AS price, "
         "'CUST-' || (1000 + hash(i * 17) % 500) AS customer_id, "
         "['PENDING', 'PROCESSING', 'SHIPPED', 'DELIVERED'][CAST(1 + hash(i * 19) % 4 AS BIGINT)] AS status, "
         "CASE WHEN i % 3 = 0 THEN 'INSERT' WHEN i % 3 = 1 OR hash(i * 23) % 4 <> 0 THEN 'MODIFY' "
         "ELSE 'REMOVE' END AS cdc_event_type, ts AS creation_datetime, "
         "printf('%016x%016x', hash(i * 29), hash(i * 31)) AS event_id, "
         "'1' || lpad(CAST(i AS VARCHAR), 20, '0') AS sequence_number, "
         "strftime(ts, '%Y') AS year, strftime(ts, '%m') AS month, strftime(ts, '%d') AS day, "
         "strftime(ts, '%H') AS hour "
         "FROM (SELECT range AS i, TIMESTAMP '" +
         start + "' + to_microseconds(range * " + std::to_string(step_us) +
         ") AS ts FROM range(" + std::to_string(rows) + "))";
}

std::vector<std::string> FilesUnder(const fs::path& root, const std::string& extension) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      files.push_back(entry.path().lexically_normal().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

uint64_t BytesOf(const std::vector<std::string>& files) {
  uint64_t total = 0;
  for (const std::string& f : files) total += fs::file_size(f);
  return total;
}

struct Query {
  std::string title;
  std::string sql;
};

// Runs each query `repeat` times; prints median and min in ms and the row count.
bool Measure(query::QueryEngine& engine, const std::string& label,
             const std::vector<Query>& queries, int repeat) {
  for (const Query& q : queries) {
    std::vector<double> ms;
    size_t rows = 0;
    for (int r = 0; r < repeat; ++r) {
      auto result = engine.Execute(q.sql);
      if (!result.ok()) {
        std::cerr << "query failed (" << label << ", " << q.title << "): " << result.status().ToString()
                  << "\n";
        return false;
      }
      ms.push_back(static_cast<double>(result->elapsed.count()) / 1000.0);
      rows = result->rows.size();
    }
    std::sort(ms.begin(), ms.end());
    std::printf("   %-8s %-44s median %9.1f ms  min %9.1f ms  (%zu rows, %d runs)\n", label.c_str(),
                q.title.c_str(), ms[ms.size() / 2], ms.front(), rows, repeat);
  }
  return true;
}

}  // namespace

int RunQuery(const QueryParams& params, bool smoke) {
  const int64_t rows = params.rows;
  fs::path dir = params.dir;
  std::string scratch;
  if (dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "tributary-bench-query-XXXXXX").string();
    scratch = mkdtemp(tmpl.data());
    dir = scratch;
  }
  dir = fs::absolute(dir).lexically_normal();
  fs::create_directories(dir);
  const fs::path json_root = dir / "json" / kTable;
  const fs::path parquet_root = dir / "parquet" / kTable;
  const fs::path marker = dir / ("rows-" + std::to_string(rows));
  std::cout << "== query: " << rows << " change rows of " << kTable
            << " (3 changes per order), JSON lines vs Parquet, in " << dir.string() << "\n";

  const int64_t now_ms = SystemClock::Default()->NowMillis();
  if (!fs::exists(marker)) {
    fs::remove_all(dir / "json");
    fs::remove_all(dir / "parquet");
    const int64_t start_ms = now_ms / 1000 * 1000 - 24LL * 3600 * 1000;
    const std::string start = FormatUtcMillis(start_ms);
    const auto t0 = std::chrono::steady_clock::now();
    // The rows once in a table, then one JSON-lines file per hour (DuckDB's JSON COPY cannot
    // partition) and a partitioned Parquet copy of the same table.
    std::vector<std::string> statements = {"CREATE TABLE changes AS " + ChangesSelect(rows, start)};
    constexpr int64_t kHourMs = 3600 * 1000;
    for (int64_t h = start_ms / kHourMs; h <= (start_ms + 24 * kHourMs - 1) / kHourMs; ++h) {
      const std::string t = FormatUtcMillis(h * kHourMs);  // "YYYY-MM-DD HH:00:00.000"
      const std::string y = t.substr(0, 4), m = t.substr(5, 2), d = t.substr(8, 2),
                        hh = t.substr(11, 2);
      const fs::path folder =
          json_root / ("year=" + y) / ("month=" + m) / ("day=" + d) / ("hour=" + hh);
      fs::create_directories(folder);
      statements.push_back("COPY (SELECT * EXCLUDE (year, month, day, hour) FROM changes WHERE year = '" +
                           y + "' AND month = '" + m + "' AND day = '" + d + "' AND hour = '" + hh +
                           "') TO " + query::QuoteStringLiteral((folder / "data_0.json").string()) +
                           " (FORMAT json)");
    }
    fs::create_directories(parquet_root.parent_path());
    statements.push_back("COPY changes TO " + query::QuoteStringLiteral(parquet_root.string()) +
                         " (FORMAT parquet, PARTITION_BY (year, month, day, hour))");
    Status s = query::RunTrustedStatements(dir.string(), statements);
    if (!s.ok()) {
      std::cerr << "setup failed: " << s.ToString() << "\n";
      return 1;
    }
    std::printf("   setup: wrote both copies in %.1f s (not measured below)\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    std::FILE* f = std::fopen(marker.c_str(), "w");
    if (f != nullptr) std::fclose(f);
  } else {
    std::printf("   setup: reusing the data in %s (data ends at its creation time, so the\n"
                "   'last 10 minutes' query may find nothing)\n", dir.c_str());
  }
  // Newest hour first, as query::ViewsFromCatalog lists a table's files (newest data first).
  std::vector<std::string> json_files = FilesUnder(json_root, ".json");
  std::vector<std::string> parquet_files = FilesUnder(parquet_root, ".parquet");
  std::reverse(json_files.begin(), json_files.end());
  std::reverse(parquet_files.begin(), parquet_files.end());
  std::printf("   JSON: %zu files, %.1f MB; Parquet: %zu files, %.1f MB\n", json_files.size(),
              static_cast<double>(BytesOf(json_files)) / 1e6, parquet_files.size(),
              static_cast<double>(BytesOf(parquet_files)) / 1e6);

  query::QueryEngineOptions options = query::LakeQueryOptions(dir.string());
  options.threads = params.threads;
  auto json_engine = query::QueryEngine::Open(options);
  auto parquet_engine = query::QueryEngine::Open(options);
  if (!json_engine.ok() || !parquet_engine.ok()) {
    std::cerr << "cannot open the query engine\n";
    return 1;
  }
  const query::TableView json_view{kTable, Columns(), {"year", "month", "day", "hour"}, json_files};
  // The same files oldest first (the order views used before), for seed 1's before/after ratio.
  const std::string oldest_first = std::string(kTable) + "_oldest_first";
  auto reversed = [&](query::TableView v) {
    v.name = oldest_first;
    std::reverse(v.files.begin(), v.files.end());
    return v;
  };
  Status s = (*json_engine)->ReplaceViews({json_view, reversed(json_view)},
                                          query::HistoryViews(json_view, {"order_id"}));
  // The Parquet table: the view the engine builds for a delivered Parquet table (table_view.h:
  // read_parquet of the listed files, union by name with a typed empty row, cast to the
  // catalog's types).
  const query::TableView parquet_view{kTable, Columns(), {"year", "month", "day", "hour"}, parquet_files};
  if (s.ok()) {
    s = (*parquet_engine)->ReplaceViews({parquet_view, reversed(parquet_view)},
                                        query::HistoryViews(parquet_view, {"order_id"}));
  }
  if (!s.ok()) {
    std::cerr << "views: " << s.ToString() << "\n";
    return 1;
  }

  // Both copies hold the same rows.
  const std::string check = std::string("SELECT count(*), sum(CAST(price * 100 AS BIGINT)), "
                                        "count(DISTINCT sequence_number) FROM ") + kTable;
  auto a = (*json_engine)->Execute(check);
  auto b = (*parquet_engine)->Execute(check);
  if (!a.ok() || !b.ok() || a->rows != b->rows || a->rows[0][0] != std::to_string(rows)) {
    std::cerr << "the JSON and Parquet copies differ or are incomplete: "
              << (a.ok() ? a->rows[0][0].value_or("NULL") + "/" + a->rows[0][1].value_or("NULL")
                         : a.status().ToString())
              << " vs "
              << (b.ok() ? b->rows[0][0].value_or("NULL") + "/" + b->rows[0][1].value_or("NULL")
                         : b.status().ToString())
              << "\n";
    return 1;
  }

  const std::string hour = FormatUtcMillis(now_ms - 12LL * 3600 * 1000);  // "YYYY-MM-DD HH:..."
  std::vector<Query> queries;
  for (const auto& seed : cli::kSeedQueries) queries.push_back({std::string(seed.title), std::string(seed.sql)});
  // Seed 3 as DuckDB would run it without the engine's now() rewrite (sql_rewrite.h): a
  // function argument is never rewritten, so coalesce(now(), now()) keeps TIMESTAMP WITH TIME
  // ZONE and DuckDB casts the column instead.
  queries.push_back({"(seed 1 over the files oldest first)",
                     "SELECT * FROM " + oldest_first +
                         " WHERE cdc_event_type = 'MODIFY' ORDER BY creation_datetime DESC LIMIT 10"});
  queries.push_back({"(seed 3 without the now() rewrite)",
                     std::string("SELECT * FROM ") + kTable +
                         " WHERE price > 300 AND creation_datetime >= coalesce(now(), now()) - "
                         "interval '10' minute"});
  queries.push_back({"one hour (partition pruning)",
                     std::string("SELECT count(*), avg(price) FROM ") + kTable + " WHERE year = '" +
                         hour.substr(0, 4) + "' AND month = '" + hour.substr(5, 2) +
                         "' AND day = '" + hour.substr(8, 2) + "' AND hour = '" +
                         hour.substr(11, 2) + "'"});
  queries.push_back({"_current: count of live orders",
                     std::string("SELECT count(*) FROM ") + kTable + "_current"});
  queries.push_back({"_current: one order",
                     std::string("SELECT * FROM ") + kTable + "_current WHERE order_id = 'ord-00000042'"});
  queries.push_back({"_history: one order's trail",
                     std::string("SELECT version, cdc_event_type, price, valid_from, valid_to, "
                                 "ended_by_event FROM ") +
                         kTable + "_history WHERE order_id = 'ord-00000042' ORDER BY version"});
  queries.push_back({"_history: count versions, closed ones",
                     std::string("SELECT count(*), count(valid_to) FROM ") + kTable + "_history"});

  const int repeat = smoke ? 1 : std::max(1, params.repeat);
  bool ok = Measure(**parquet_engine, "parquet", queries, repeat) &&
            Measure(**json_engine, "json", queries, smoke ? 1 : std::min(2, repeat));
  std::cout << "\n";
  if (!scratch.empty() && !params.keep) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }
  return ok ? 0 : 1;
}

}  // namespace tributary::bench
