// Test fixture for src/lakeapi: a temporary data dir with a catalog, a lake holding one small
// partitioned JSON-lines table ("orders", 2 hours x 3 rows), a QueryEngine and a QueryExecutor.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "lakeapi/query_executor.h"
#include "query/query_engine.h"
#include "testing/test_util.h"

namespace tributary::lakeapi::testing_util {

class LakeTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    lake_ = (dir_.path() / "lake").string();
    results_ = (dir_.path() / "s3").string();
    fs::create_directories(lake_);
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    catalog::TableDef orders;
    orders.name = "orders";
    orders.location = "orders";
    orders.partition_keys = {"year", "month", "day", "hour"};
    ASSERT_OK(catalog_->EnsureTable(orders));
    std::vector<catalog::DataFile> files;
    int id = 0;
    for (const char* hour : {"10", "11"}) {
      catalog::DataFile f;
      f.path = std::string("orders/year=2024/month=05/day=01/hour=") + hour + "/part-0.json";
      fs::create_directories(fs::path(lake_) / fs::path(f.path).parent_path());
      std::ofstream out(fs::path(lake_) / f.path);
      for (int i = 0; i < 3; ++i, ++id) {
        out << "{\"id\":\"o" << id << "\",\"price\":" << (id * 100 + 0.5) << ",\"note\":"
            << (id == 4 ? std::string("null") : "\"say \\\"hi\\\", ok\"") << ",\"at\":\"2024-05-01 " << hour
            << ":0" << i << ":00.000\"}\n";
      }
      out.close();
      f.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", hour}};
      f.row_count = 3;
      f.size_bytes = static_cast<int64_t>(fs::file_size(fs::path(lake_) / f.path));
      files.push_back(f);
    }
    ASSERT_OK(catalog_->CommitFiles("orders",
                                    {{"id", catalog::ColumnType::kString},
                                     {"price", catalog::ColumnType::kDouble},
                                     {"note", catalog::ColumnType::kString},
                                     {"at", catalog::ColumnType::kTimestamp}},
                                    files, {}));
    auto e = query::QueryEngine::Open(query::LakeQueryOptions(lake_));
    ASSERT_OK(e);
    engine_ = std::move(*e);
  }

  std::unique_ptr<QueryExecutor> MakeExecutor(QueryExecutorOptions options = {}) {
    options.results_dir = results_;
    return std::make_unique<QueryExecutor>(engine_.get(), catalog_.get(), options);
  }

  // Polls until the execution leaves QUEUED/RUNNING (at most ~30 s).
  QueryExecutionInfo WaitDone(QueryExecutor& executor, const std::string& id) {
    for (int i = 0; i < 3000; ++i) {
      auto info = executor.Get(id);
      EXPECT_OK(info);
      if (!info.ok()) return {};
      if (info->state != QueryState::kQueued && info->state != QueryState::kRunning) return *info;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "query " << id << " did not finish";
    return {};
  }

  ::tributary::testing::TempDir dir_;
  std::string lake_;
  std::string results_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<query::QueryEngine> engine_;
};

// A query that runs for minutes unless interrupted.
inline constexpr char kLongQuery[] = "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1";

}  // namespace tributary::lakeapi::testing_util
