// tributary-bench --scenario compaction: query time on a day of data before and after
// compaction. A day (24 hour partitions) of sales-order rows is laid out the way delivery leaves
// it with a short buffering interval: many small JSON-lines files per hour, each registered in
// the catalog. The same queries run through the query engine (views over the catalog's files)
// before and after the Compactor merges every closed hour into one file; prints the median of
// each query and the ratio.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "delivery/compactor.h"
#include "delivery/lake_layout.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "scenarios.h"

namespace tributary::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kDayStartMs = 1714521600000;  // 2024-05-01 00:00:00 UTC

std::string Row(std::mt19937_64& rng, int64_t id, int64_t event_ms) {
  static const char* kStatus[] = {"PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"};
  static const char* kProduct[] = {"Laptop", "Phone", "Headphones", "Monitor", "Keyboard", "Mouse"};
  const int64_t secs = event_ms / 1000;
  char ts[32];
  std::snprintf(ts, sizeof ts, "2024-05-01 %02lld:%02lld:%02lld.%03lld", static_cast<long long>(secs / 3600 % 24),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                static_cast<long long>(event_ms % 1000));
  char price[32];
  std::snprintf(price, sizeof price, "%.2f", static_cast<double>(rng() % 100000) / 100.0);
  return std::string("{\"order_id\":\"o-") + std::to_string(id) + "\",\"customer_id\":\"c-" +
         std::to_string(rng() % 5000) + "\",\"product_name\":\"" + kProduct[rng() % 6] +
         "\",\"quantity\":" + std::to_string(1 + rng() % 9) + ",\"price\":" + price + ",\"status\":\"" +
         kStatus[rng() % 5] + "\",\"cdc_event_type\":\"INSERT\",\"creation_datetime\":\"" + ts + "\"}\n";
}

double MedianMs(query::QueryEngine& engine, const std::string& sql, int runs, std::string* result) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = SteadyClock::now();
    auto r = engine.Execute(sql);
    times.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
    if (!r.ok()) {
      std::cerr << "compaction: query failed: " << r.status().ToString() << "\n";
      return -1;
    }
    if (result != nullptr && !r->rows.empty() && !r->rows[0].empty()) *result = r->rows[0][0].value_or("NULL");
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int RunCompaction(const CompactionParams& params, bool smoke) {
  namespace fs = std::filesystem;
  const int hours = smoke ? 2 : 24;
  const int64_t files_per_hour = smoke ? 5 : params.files_per_hour;
  const int64_t rows_per_file = smoke ? 20 : params.rows_per_file;
  std::cout << "== compaction: " << hours << " hour partitions x " << files_per_hour << " files x " << rows_per_file
            << " rows, queries before and after compaction (median of " << params.runs << ")\n";
  const fs::path dir = fs::temp_directory_path() / ("tributary-bench-compaction-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "lake");
  const std::string lake = (dir / "lake").string();
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove_all(dir, ec);
  };
  auto catalog_or = catalog::Catalog::Open((dir / "catalog.db").string());
  if (!catalog_or.ok()) {
    std::cerr << catalog_or.status().ToString() << "\n";
    return 1;
  }
  catalog::Catalog& catalog = **catalog_or;
  catalog::TableDef def;
  def.name = "sales";
  def.location = "sales";
  def.partition_keys = {"year", "month", "day", "hour"};
  def.columns = {{"order_id", catalog::ColumnType::kString},     {"customer_id", catalog::ColumnType::kString},
                 {"product_name", catalog::ColumnType::kString}, {"quantity", catalog::ColumnType::kBigint},
                 {"price", catalog::ColumnType::kDouble},        {"status", catalog::ColumnType::kString},
                 {"cdc_event_type", catalog::ColumnType::kString}, {"creation_datetime", catalog::ColumnType::kTimestamp}};
  if (Status s = catalog.EnsureTable(def); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  std::mt19937_64 rng(42);
  int64_t id = 0;
  int64_t bytes = 0;
  for (int h = 0; h < hours; ++h) {
    char hour[3];
    std::snprintf(hour, sizeof hour, "%02d", h);
    const std::string dir_rel = std::string("sales/year=2024/month=05/day=01/hour=") + hour;
    fs::create_directories(fs::path(lake) / dir_rel);
    std::vector<catalog::DataFile> files;
    for (int64_t f = 0; f < files_per_hour; ++f) {
      std::string data;
      const int64_t event_ms = kDayStartMs + h * 3600'000LL + f * (3600'000LL / files_per_hour);
      for (int64_t r = 0; r < rows_per_file; ++r) data += Row(rng, id++, event_ms + r);
      catalog::DataFile file;
      file.path = dir_rel + "/" + delivery::DataFileName("sales-delivery", event_ms, delivery::NewFileId());
      if (Status s = delivery::DefaultLakeFs().WriteFile(lake + "/" + file.path, data, false); !s.ok()) {
        std::cerr << s.ToString() << "\n";
        return 1;
      }
      file.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", hour}};
      file.row_count = rows_per_file;
      file.size_bytes = static_cast<int64_t>(data.size());
      file.min_event_ms = event_ms;
      file.max_event_ms = event_ms + rows_per_file;
      file.source = "bench";
      bytes += file.size_bytes;
      files.push_back(std::move(file));
    }
    if (Status s = catalog.CommitFiles("sales", {}, files, {}); !s.ok()) {
      std::cerr << s.ToString() << "\n";
      return 1;
    }
  }
  std::cout << "data: " << id << " rows, " << hours * files_per_hour << " files, " << bytes / (1 << 20) << " MiB\n";

  const std::vector<std::pair<std::string, std::string>> queries = {
      {"count", "SELECT count(*) FROM sales"},
      {"aggregate by hour", "SELECT hour, count(*), sum(price) FROM sales GROUP BY hour ORDER BY hour"},
      {"filter one hour", "SELECT count(*) FROM sales WHERE hour = '13' AND price > 500"},
      {"top products", "SELECT product_name, sum(quantity * price) AS revenue FROM sales GROUP BY 1 ORDER BY 2 DESC"},
  };
  auto run_all = [&](std::vector<double>& out, std::vector<std::string>& results) -> bool {
    query::QueryEngineOptions options;
    options.lake_root = lake;
    auto engine = query::QueryEngine::Open(options);
    if (!engine.ok()) {
      std::cerr << engine.status().ToString() << "\n";
      return false;
    }
    auto start = SteadyClock::now();
    if (Status s = query::RefreshViews(**engine, catalog); !s.ok()) {
      std::cerr << s.ToString() << "\n";
      return false;
    }
    out.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
    for (const auto& [name, sql] : queries) {
      std::string first;
      double ms = MedianMs(**engine, sql, params.runs, &first);
      if (ms < 0) return false;
      out.push_back(ms);
      results.push_back(first);
    }
    return true;
  };
  std::vector<double> before, after;
  std::vector<std::string> before_results, after_results;
  if (!run_all(before, before_results)) return cleanup(), 1;

  delivery::CompactorConfig cc;
  cc.lake_root = lake;
  cc.delivery_name = "sales-delivery";
  cc.table = "sales";
  cc.location = "sales";
  cc.sync = false;
  cc.options.grace_period_ms = 0;
  auto merger = delivery::FileMergerFor(params.format);
  if (!merger.ok()) {
    std::cerr << merger.status().ToString() << "\n";
    return cleanup(), 1;
  }
  delivery::Compactor compactor(cc, delivery::DefaultLakeFs(), catalog, *SystemClock::Default(), **merger);
  auto start = SteadyClock::now();
  if (Status s = compactor.RunOnce(); !s.ok()) {
    std::cerr << "compaction failed: " << s.ToString() << "\n";
    return cleanup(), 1;
  }
  const double compact_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  auto stats = compactor.Stats();
  std::cout << "compaction (" << params.format << "): " << stats.files_in << " files -> " << stats.files_out
            << " files in " << compact_ms << " ms (" << stats.bytes_in / (1 << 20) << " MiB -> "
            << stats.bytes_out / (1 << 20) << " MiB)\n";
  if (!run_all(after, after_results)) return cleanup(), 1;

  std::printf("  %-20s %12s %12s %8s\n", "query", "before ms", "after ms", "speedup");
  std::printf("  %-20s %12.1f %12.1f %7.1fx\n", "refresh views", before[0], after[0], before[0] / after[0]);
  int rc = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    std::printf("  %-20s %12.1f %12.1f %7.1fx\n", queries[i].first.c_str(), before[i + 1], after[i + 1],
                before[i + 1] / after[i + 1]);
    if (before_results[i] != after_results[i]) {
      std::cerr << "compaction: '" << queries[i].first << "' returned " << after_results[i] << " after, "
                << before_results[i] << " before\n";
      rc = 1;
    }
  }
  cleanup();
  return rc;
}

}  // namespace tributary::bench
