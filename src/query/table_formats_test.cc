// Views over tables whose files mix formats: JSON lines (plain, .gz, .zst) and Parquet files
// written by delivery's own writer, with per-file schemas from different commit times.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "delivery/compression.h"
#include "delivery/parquet_writer.h"
#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "query/table_view.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

using catalog::Column;
using catalog::ColumnType;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

class TableFormatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = QueryEngine::Open(testing::LakeOptions(dir_.str()));
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
  }

  std::string Path(const std::string& relative) {
    const std::filesystem::path p = dir_.path() / relative;
    std::filesystem::create_directories(p.parent_path());
    return p.lexically_normal().string();
  }
  void WriteBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  std::string Json(const std::string& relative, const std::string& lines, delivery::Compression c) {
    const std::string path = Path(relative);
    std::string bytes;
    if (c == delivery::Compression::kGzip) {
      EXPECT_OK(delivery::CompressGzip(lines, 6, bytes));
    } else if (c == delivery::Compression::kZstd) {
      EXPECT_OK(delivery::CompressZstd(lines, 3, bytes));
    } else {
      bytes = lines;
    }
    WriteBytes(path, bytes);
    return path;
  }
  std::string Parquet(const std::string& relative, const std::vector<Column>& columns,
                      const std::string& lines) {
    const std::string path = Path(relative);
    delivery::ParquetWriter writer(columns);
    EXPECT_OK(writer.AddJsonLines(lines));
    auto bytes = writer.Finish();
    EXPECT_OK(bytes.status());
    if (bytes.ok()) WriteBytes(path, *bytes);
    return path;
  }

  Rows Query(const std::string& sql) {
    auto result = engine_->Execute(sql);
    EXPECT_OK(result) << sql;
    return result.ok() ? result->rows : Rows{};
  }

  tributary::testing::TempDir dir_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(TableFormatsTest, OneViewOverJsonGzipZstdAndParquetFilesWithEvolvingSchemas) {
  using delivery::Compression;
  std::vector<std::string> files;
  files.push_back(Json("t/hour=01/a.json", "{\"id\":1,\"v\":10}\n", Compression::kNone));
  files.push_back(
      Json("t/hour=01/b.json.gz", "{\"id\":2,\"v\":20,\"note\":\"g\"}\n", Compression::kGzip));
  files.push_back(
      Json("t/hour=02/c.json.zst", "{\"id\":3,\"v\":30.5,\"note\":\"z\"}\n", Compression::kZstd));
  // An early Parquet file: v was still a bigint and note did not exist.
  files.push_back(Parquet("t/hour=02/d.parquet",
                          {{"id", ColumnType::kBigint}, {"v", ColumnType::kBigint}},
                          "{\"id\":4,\"v\":40}\n"));
  // A later one with every column, and a value in a column the catalog calls json.
  files.push_back(Parquet("t/hour=03/e.parquet",
                          {{"id", ColumnType::kBigint},
                           {"v", ColumnType::kDouble},
                           {"note", ColumnType::kString},
                           {"extra", ColumnType::kJson}},
                          "{\"id\":5,\"v\":50.25,\"note\":\"p\",\"extra\":{\"k\":[1]}}\n"
                          "{\"id\":6}\n"));
  TableView view{"t",
                 {{"id", ColumnType::kBigint},
                  {"v", ColumnType::kDouble},
                  {"note", ColumnType::kString},
                  {"extra", ColumnType::kJson},
                  {"never_in_parquet", ColumnType::kTimestamp}},
                 {"hour"},
                 files};
  ASSERT_OK(engine_->ReplaceViews({view}));
  auto result = engine_->Execute("SELECT * FROM t ORDER BY id");
  ASSERT_OK(result);
  EXPECT_THAT(result->column_types, ::testing::ElementsAre("BIGINT", "DOUBLE", "VARCHAR", "JSON",
                                                           "TIMESTAMP", "VARCHAR"));
  using std::nullopt;
  EXPECT_EQ(result->rows, (Rows{{"1", "10.0", nullopt, nullopt, nullopt, "01"},
                                {"2", "20.0", "g", nullopt, nullopt, "01"},
                                {"3", "30.5", "z", nullopt, nullopt, "02"},
                                {"4", "40.0", nullopt, nullopt, nullopt, "02"},
                                {"5", "50.25", "p", "{\"k\":[1]}", nullopt, "03"},
                                {"6", nullopt, nullopt, nullopt, nullopt, "03"}}));
  // Partition filters and aggregates work across both branches.
  EXPECT_EQ(Query("SELECT count(*), sum(v) FROM t WHERE hour = '02'"), (Rows{{"2", "70.5"}}));
}

TEST_F(TableFormatsTest, ParquetOnlyTableWithoutPartitionKeys) {
  const std::string file =
      Parquet("p/x.parquet", {{"s", ColumnType::kString}, {"t", ColumnType::kTimestamp}},
              "{\"s\":\"caf\\u00e9\",\"t\":\"2024-05-01 10:00:00.5\"}\n");
  TableView view{"p", {{"s", ColumnType::kString}, {"t", ColumnType::kTimestamp}}, {}, {file}};
  const std::string sql = CreateViewSql(view);
  EXPECT_EQ(sql.find("read_json"), std::string::npos) << sql;
  EXPECT_NE(sql.find("hive_partitioning=false"), std::string::npos) << sql;
  ASSERT_OK(engine_->ReplaceViews({view}));
  EXPECT_EQ(Query("SELECT s, t FROM p"), (Rows{{"caf\xC3\xA9", "2024-05-01 10:00:00.500"}}));
}

TEST_F(TableFormatsTest, ParquetColumnNamedLikeAPartitionKeyYieldsToTheFolder) {
  const std::string file =
      Parquet("k/year=2024/x.parquet", {{"year", ColumnType::kBigint}, {"a", ColumnType::kBigint}},
              "{\"year\":1999,\"a\":1}\n");
  TableView view{
      "k", {{"year", ColumnType::kBigint}, {"a", ColumnType::kBigint}}, {"year"}, {file}};
  ASSERT_OK(engine_->ReplaceViews({view}));
  EXPECT_EQ(Query("SELECT a, year FROM k"), (Rows{{"1", "2024"}}));
}

}  // namespace
}  // namespace tributary::query
