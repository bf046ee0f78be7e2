// Fixtures shared by the catalog tests.
#pragma once

#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "testing/test_util.h"

namespace tributary::catalog::testing_util {

inline TableDef SalesTable(std::string name = "sales") {
  TableDef def;
  def.name = name;
  def.location = name;
  def.partition_keys = {"year", "month", "day", "hour"};
  return def;
}

inline DataFile SalesFile(std::string path, std::string hour = "10", int64_t rows = 10) {
  DataFile file;
  file.path = std::move(path);
  file.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", hour}};
  file.row_count = rows;
  file.size_bytes = rows * 100;
  file.min_event_ms = 1714557600000;
  file.max_event_ms = 1714557600000 + rows;
  file.source = "stream/sales-stream/shardId-000000000000";
  file.first_sequence = "100";
  file.last_sequence = "109";
  return file;
}

class CatalogTestBase : public ::testing::Test {
 protected:
  std::string db_path() const { return (dir_.path() / "catalog.db").string(); }

  std::unique_ptr<Catalog> OpenCatalog() {
    CatalogOptions options;
    options.clock = &clock_;
    auto catalog = Catalog::Open(db_path(), options);
    EXPECT_THAT(catalog, ::tributary::testing::IsOk());
    return catalog.ok() ? std::move(*catalog) : nullptr;
  }

  void SetUp() override {
    catalog_ = OpenCatalog();
    ASSERT_NE(catalog_, nullptr);
  }

  ::tributary::testing::TempDir dir_;
  ManualClock clock_{1700000000000};
  std::unique_ptr<Catalog> catalog_;
};

}  // namespace tributary::catalog::testing_util
