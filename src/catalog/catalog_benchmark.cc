// CommitFiles cost: the upper bound on how often delivery can commit. Each commit is one
// BEGIN IMMEDIATE transaction with synchronous=FULL, i.e. at least one fsync of the WAL, so the
// figure depends mostly on the disk. Set TRIBUTARY_BENCH_DIR to measure on a given file system
// (the default temp dir may be tmpfs, where fsync is free).
//
//   cmake --build build --target catalog_benchmark && ./build/src/catalog/catalog_benchmark
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "catalog/catalog.h"

namespace tributary::catalog {
namespace {

class BenchCatalog {
 public:
  BenchCatalog() {
    const char* env = std::getenv("TRIBUTARY_BENCH_DIR");
    std::filesystem::path base = env ? env : std::filesystem::temp_directory_path();
    dir_ = base / ("tributary-catalog-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto catalog = Catalog::Open((dir_ / "catalog.db").string());
    if (!catalog.ok()) std::abort();
    catalog_ = std::move(*catalog);
    TableDef def;
    def.name = "sales";
    def.location = "sales";
    def.partition_keys = {"year", "month", "day", "hour"};
    def.columns = {{"order_id", ColumnType::kString}, {"amount", ColumnType::kDouble}};
    if (!catalog_->EnsureTable(def).ok()) std::abort();
  }
  ~BenchCatalog() {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }
  Catalog& catalog() { return *catalog_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

DataFile MakeFile(int64_t n) {
  DataFile file;
  file.path = "sales/year=2024/month=05/day=01/hour=10/part-" + std::to_string(n) + ".json";
  file.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", "10"}};
  file.row_count = 500;
  file.size_bytes = 150000;
  file.min_event_ms = 1714557600000 + n;
  file.max_event_ms = 1714557600500 + n;
  file.source = "stream/sales-stream/shardId-000000000000";
  file.first_sequence = std::to_string(n * 500);
  file.last_sequence = std::to_string(n * 500 + 499);
  return file;
}

// The delivery hot path: one file, the observed columns (unchanged) and the shard's checkpoint.
void BM_CommitFiles(benchmark::State& state) {
  const int files_per_commit = static_cast<int>(state.range(0));
  BenchCatalog bench;
  const std::vector<Column> observed = {{"order_id", ColumnType::kString},
                                        {"amount", ColumnType::kDouble}};
  int64_t n = 0;
  for (auto _ : state) {
    std::vector<DataFile> files;
    for (int i = 0; i < files_per_commit; ++i) files.push_back(MakeFile(n++));
    Status s = bench.catalog().CommitFiles(
        "sales", observed, files,
        {"delivery/sales/shardId-000000000000", files.back().last_sequence});
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(n);
  state.counters["commits/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CommitFiles)->Arg(1)->Arg(10)->UseRealTime();

void BM_IsFileRegistered(benchmark::State& state) {
  BenchCatalog bench;
  std::vector<DataFile> files;
  for (int64_t i = 0; i < 1000; ++i) files.push_back(MakeFile(i));
  if (!bench.catalog().CommitFiles("sales", {}, files, {}).ok()) std::abort();
  const std::string path = MakeFile(500).path;
  for (auto _ : state) benchmark::DoNotOptimize(bench.catalog().IsFileRegistered(path));
}
BENCHMARK(BM_IsFileRegistered);

}  // namespace
}  // namespace tributary::catalog
