#include "query/catalog_views.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tributary::testing::StatusIs;
using tributary::testing::TempDir;

// An in-memory catalog holding fixed tables and files; only the read side is implemented.
class FakeCatalog : public catalog::Catalog {
 public:
  // Files in commit order; event_ms (if given) is each file's max_event_ms.
  void Add(catalog::TableDef def, std::vector<std::string> paths, std::vector<int64_t> event_ms = {}) {
    std::vector<catalog::DataFile> files;
    for (size_t i = 0; i < paths.size(); ++i) {
      catalog::DataFile file;
      file.path = std::move(paths[i]);
      if (i < event_ms.size()) file.max_event_ms = event_ms[i];
      files.push_back(std::move(file));
    }
    files_[def.name] = std::move(files);
    tables_.push_back(std::move(def));
  }

  Status EnsureTable(const catalog::TableDef&) override { return Status::Unimplemented("fake"); }
  Result<catalog::TableDef> GetTable(std::string_view name) const override {
    for (const auto& table : tables_) {
      if (table.name == name) return table;
    }
    return Status::NotFound(std::string(name));
  }
  Result<std::vector<catalog::TableDef>> ListTables() const override { return tables_; }
  Status CommitFiles(std::string_view, const std::vector<catalog::Column>&,
                     const std::vector<catalog::DataFile>&,
                     const catalog::CheckpointUpdate&) override {
    return Status::Unimplemented("fake");
  }
  Result<std::vector<catalog::DataFile>> ListFiles(std::string_view table) const override {
    auto it = files_.find(std::string(table));
    if (it == files_.end()) return Status::NotFound(std::string(table));
    return it->second;
  }
  Result<bool> IsFileRegistered(std::string_view) const override { return false; }
  Result<std::optional<std::string>> GetCheckpoint(std::string_view) const override {
    return std::optional<std::string>();
  }
  Status PutCheckpoint(std::string_view, std::string_view) override {
    return Status::Unimplemented("fake");
  }
  Result<catalog::TableStats> GetTableStats(std::string_view) const override {
    return catalog::TableStats{};
  }

 private:
  std::vector<catalog::TableDef> tables_;
  std::map<std::string, std::vector<catalog::DataFile>> files_;
};

catalog::TableDef SeedDef() {
  catalog::TableDef def;
  def.name = testing::kSeedTable;
  def.location = testing::kSeedTable;
  def.partition_keys = {"year", "month", "day", "hour"};
  def.columns = testing::SeedColumns();
  return def;
}

class CatalogViewsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& relative) {
    return testing::WriteLines(dir_.path(), relative,
                               {testing::SeedRow(relative, "INSERT", 1714557600000, 1)});
  }

  TempDir dir_;
  FakeCatalog catalog_;
};

TEST_F(CatalogViewsTest, OneViewPerTableWithAbsolutePaths) {
  const std::string a = "p1/year=2024/month=05/day=01/hour=10/a.json";
  const std::string b = "p1/year=2024/month=05/day=01/hour=11/b.json";
  Write(a);
  Write(b);
  catalog_.Add(SeedDef(), {a, b});
  catalog::TableDef empty;
  empty.name = "empty_table";
  empty.columns = {{"x", catalog::ColumnType::kBigint}};
  catalog_.Add(empty, {});

  std::vector<std::string> warnings;
  auto views = ViewsFromCatalog(catalog_, dir_.str() + "/", &warnings);
  ASSERT_OK(views);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(views->size(), 2u);
  const TableView& seed = (*views)[0];
  EXPECT_EQ(seed.name, testing::kSeedTable);
  EXPECT_EQ(seed.columns, testing::SeedColumns());
  EXPECT_THAT(seed.partition_keys, ElementsAre("year", "month", "day", "hour"));
  // Newest first (no event times here: the latest commit first).
  EXPECT_THAT(seed.files, ElementsAre((dir_.path() / b).string(), (dir_.path() / a).string()));
  EXPECT_EQ((*views)[1].name, "empty_table");
  EXPECT_TRUE((*views)[1].files.empty());
}

TEST_F(CatalogViewsTest, ListsTheNewestDataFirst) {
  // Commit order a, b, c (a compaction of older data committed late), d (no event times).
  std::vector<std::string> paths;
  for (const char* name : {"a", "b", "c", "d"}) {
    paths.push_back(std::string("t/") + name + ".json");
    Write(paths.back());
  }
  catalog::TableDef def;
  def.name = "t";
  def.columns = {{"x", catalog::ColumnType::kBigint}};
  catalog_.Add(def, paths, {100, 300, 200, 0});
  auto views = ViewsFromCatalog(catalog_, dir_.str());
  ASSERT_OK(views);
  std::vector<std::string> names;
  for (const std::string& f : (*views)[0].files) names.push_back(fs::path(f).filename().string());
  EXPECT_THAT(names, ElementsAre("b.json", "c.json", "a.json", "d.json"));
}

TEST_F(CatalogViewsTest, UsesTheTemporaryNameUntilTheRename) {
  const std::string registered = "p1/year=2024/month=05/day=01/hour=10/part-1.json";
  const std::string temporary = "p1/year=2024/month=05/day=01/hour=10/_part-1.json";
  Write(temporary);
  catalog_.Add(SeedDef(), {registered});
  auto views = ViewsFromCatalog(catalog_, dir_.str());
  ASSERT_OK(views);
  EXPECT_THAT((*views)[0].files, ElementsAre((dir_.path() / temporary).string()));

  // The engine reads the temporary file, then the final one after the rename and a refresh.
  auto engine = QueryEngine::Open(testing::LakeOptions(dir_.str()));
  ASSERT_OK(engine);
  ASSERT_OK(RefreshViews(**engine, catalog_));
  auto count =
      (*engine)->Execute("SELECT count(*), min(hour) FROM " + std::string(testing::kSeedTable));
  ASSERT_OK(count);
  EXPECT_THAT(count->rows[0], ElementsAre("1", "10"));
  fs::rename(dir_.path() / temporary, dir_.path() / registered);
  ASSERT_OK(RefreshViews(**engine, catalog_));
  count = (*engine)->Execute("SELECT count(*) FROM " + std::string(testing::kSeedTable));
  ASSERT_OK(count);
  EXPECT_EQ(count->rows[0][0], "1");
}

TEST_F(CatalogViewsTest, SkipsMissingFilesWithAWarning) {
  const std::string present = "p1/year=2024/month=05/day=01/hour=10/a.json";
  Write(present);
  catalog_.Add(SeedDef(), {"p1/year=2024/month=05/day=01/hour=10/gone.json", present});
  std::vector<std::string> warnings;
  auto views = ViewsFromCatalog(catalog_, dir_.str(), &warnings);
  ASSERT_OK(views);
  EXPECT_THAT((*views)[0].files, ElementsAre((dir_.path() / present).string()));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("gone.json"));
}

TEST_F(CatalogViewsTest, RejectsPathsOutsideTheLake) {
  catalog_.Add(SeedDef(), {"../outside.json"});
  EXPECT_THAT(ViewsFromCatalog(catalog_, dir_.str()), StatusIs(StatusCode::kDataLoss));
  FakeCatalog absolute;
  absolute.Add(SeedDef(), {"/etc/passwd"});
  EXPECT_THAT(ViewsFromCatalog(absolute, dir_.str()), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(ViewsFromCatalog(catalog_, "relative"), StatusIs(StatusCode::kInvalidArgument));
}

// End to end with the real SQLite catalog: commits widen the schema and add files; refreshing
// the engine's views shows the new rows and columns.
TEST_F(CatalogViewsTest, RealCatalogCommitsBecomeQueryable) {
  auto opened = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
  ASSERT_OK(opened);
  catalog::Catalog& catalog = **opened;
  catalog::TableDef def = SeedDef();
  def.columns.clear();
  ASSERT_OK(catalog.EnsureTable(def));

  const fs::path lake = dir_.path() / "lake";
  auto engine = QueryEngine::Open(testing::LakeOptions(lake.string()));
  ASSERT_OK(engine);
  ASSERT_OK(RefreshViews(**engine, catalog));
  auto rows = (*engine)->Execute("SELECT count(*) FROM " + std::string(testing::kSeedTable));
  ASSERT_OK(rows);
  EXPECT_EQ(rows->rows[0][0], "0");

  auto commit = [&](const std::string& name, const std::string& line,
                    std::vector<catalog::Column> observed) {
    const std::string relative =
        std::string(testing::kSeedTable) + "/year=2024/month=05/day=01/hour=10/" + name;
    testing::WriteLines(lake, relative, {line});
    catalog::DataFile file;
    file.path = relative;
    file.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", "10"}};
    file.row_count = 1;
    return catalog.CommitFiles(testing::kSeedTable, observed, {file}, catalog::CheckpointUpdate{});
  };
  ASSERT_OK(
      commit("a.json", testing::SeedRow("a", "INSERT", 1714557600000, 10), testing::SeedColumns()));
  std::vector<catalog::Column> wider = testing::SeedColumns();
  wider.push_back({"qty", catalog::ColumnType::kBigint});
  ASSERT_OK(commit("b.json", R"({"id":"b","cdc_event_type":"MODIFY","qty":4})", wider));

  ASSERT_OK(RefreshViews(**engine, catalog));
  rows = (*engine)->Execute("SELECT id, qty, hour FROM " + std::string(testing::kSeedTable) +
                            " ORDER BY id");
  ASSERT_OK(rows);
  EXPECT_EQ(rows->column_types[1], "BIGINT");
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_THAT(rows->rows[0], ElementsAre("a", std::nullopt, "10"));
  EXPECT_THAT(rows->rows[1], ElementsAre("b", "4", "10"));
}

TEST_F(CatalogViewsTest, NonHiveFoldersTakeTheirPartitionValuesFromTheCatalog) {
  // Firehose's YYYY/MM/DD/HH/ layout: the keys are partition_0..3 (Glue's names) and the folders
  // do not carry them, so the view joins each row's file to its catalog values.
  auto opened = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
  ASSERT_OK(opened);
  catalog::Catalog& catalog = **opened;
  catalog::TableDef def;
  def.name = "events";
  def.location = "events";
  def.partition_keys = {"customer", "partition_1", "partition_2"};
  ASSERT_OK(catalog.EnsureTable(def));
  const fs::path lake = dir_.path() / "lake";
  auto commit = [&](const std::string& folder, const std::string& customer,
                    const std::string& year, const std::string& month, const std::string& line) {
    const std::string relative = "events/" + folder + "/f.json";
    testing::WriteLines(lake, relative, {line});
    catalog::DataFile file;
    file.path = relative;
    file.partition_values = {{"customer", customer}, {"partition_1", year}, {"partition_2", month}};
    file.row_count = 1;
    return catalog.CommitFiles("events", {{"id", catalog::ColumnType::kString}}, {file},
                               catalog::CheckpointUpdate{});
  };
  ASSERT_OK(commit("customer=acme/2024/05", "acme", "2024", "05", R"({"id":"a"})"));
  // A value escaped in its folder name reads back raw from the catalog.
  ASSERT_OK(commit("customer=a%2Fb/2024/06", "a/b", "2024", "06", R"({"id":"b"})"));
  auto engine = QueryEngine::Open(testing::LakeOptions(lake.string()));
  ASSERT_OK(engine);
  ASSERT_OK(RefreshViews(**engine, catalog));
  auto rows = (*engine)->Execute(
      "SELECT id, customer, partition_1, partition_2 FROM events WHERE partition_2 = '06'");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_THAT(rows->rows[0], ElementsAre("b", "a/b", "2024", "06"));
  rows = (*engine)->Execute("SELECT count(*) FROM events WHERE partition_1 = '2024'");
  ASSERT_OK(rows);
  EXPECT_EQ(rows->rows[0][0], "2");
}

}  // namespace
}  // namespace tributary::query
