#include "query/table_view.h"

#include <gtest/gtest.h>

namespace tributary::query {
namespace {

using catalog::ColumnType;

TEST(TableViewTest, MapsCatalogTypesToDuckDb) {
  EXPECT_EQ(DuckDbTypeName(ColumnType::kString), "VARCHAR");
  EXPECT_EQ(DuckDbTypeName(ColumnType::kBigint), "BIGINT");
  EXPECT_EQ(DuckDbTypeName(ColumnType::kDouble), "DOUBLE");
  EXPECT_EQ(DuckDbTypeName(ColumnType::kBoolean), "BOOLEAN");
  EXPECT_EQ(DuckDbTypeName(ColumnType::kTimestamp), "TIMESTAMP");
  EXPECT_EQ(DuckDbTypeName(ColumnType::kJson), "JSON");
}

TEST(TableViewTest, ReadsExactlyTheListedFilesWithExplicitColumns) {
  TableView view{
      "sales",
      {{"id", ColumnType::kString}, {"price", ColumnType::kDouble}},
      {"year", "month"},
      {"/lake/sales/year=2024/month=05/a.json", "/lake/sales/year=2024/month=05/o'b.json"}};
  EXPECT_EQ(CreateViewSql(view),
            "CREATE OR REPLACE VIEW \"sales\" AS SELECT \"id\", \"price\", \"year\", \"month\" "
            "FROM read_json(['/lake/sales/year=2024/month=05/a.json', "
            "'/lake/sales/year=2024/month=05/o''b.json'], "
            "columns={'id': 'VARCHAR', 'price': 'DOUBLE'}, format='newline_delimited', "
            "records=true, hive_partitioning=true, hive_types_autocast=false)");
}

TEST(TableViewTest, WithoutPartitionKeysHiveFoldersAreNotColumns) {
  TableView view{"t", {{"a", ColumnType::kBigint}}, {}, {"/lake/t/year=2024/x.json"}};
  EXPECT_NE(CreateViewSql(view).find("hive_partitioning=false"), std::string::npos);
}

TEST(TableViewTest, NoFilesGivesATypedEmptyView) {
  TableView view{
      "we\"ird", {{"a", ColumnType::kTimestamp}, {"year", ColumnType::kBigint}}, {"year"}, {}};
  // A data column that shares a partition key's name is dropped: the partition value wins.
  EXPECT_EQ(CreateViewSql(view),
            "CREATE OR REPLACE VIEW \"we\"\"ird\" AS SELECT CAST(NULL AS TIMESTAMP) AS \"a\", "
            "CAST(NULL AS VARCHAR) AS \"year\" WHERE false");
}

TEST(TableViewTest, CsvTablesAreReadByHeaderNameAndCast) {
  EXPECT_TRUE(IsCsvFile("/lake/t/a.csv"));
  EXPECT_TRUE(IsCsvFile("/lake/t/a.csv.gz"));
  EXPECT_FALSE(IsCsvFile("/lake/t/a.json"));
  TableView view{"t", {{"id", ColumnType::kBigint}}, {"dt"}, {"/lake/t/dt=1/a.csv"}};
  EXPECT_EQ(CreateViewSql(view),
            "CREATE OR REPLACE VIEW \"t\" AS SELECT CAST(\"id\" AS BIGINT) AS \"id\", \"dt\" FROM "
            "(SELECT CAST(NULL AS VARCHAR) AS \"id\", CAST(NULL AS VARCHAR) AS \"dt\" WHERE false "
            "UNION ALL BY NAME SELECT * FROM read_csv(['/lake/t/dt=1/a.csv'], header=true, "
            "all_varchar=true, union_by_name=true, hive_partitioning=true, "
            "hive_types_autocast=false))");
}

}  // namespace
}  // namespace tributary::query
