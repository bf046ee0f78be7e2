#include "query/parquet_export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using tributary::testing::StatusIs;
using tributary::testing::TempDir;

TEST(ParquetExportTest, ResultRoundTripsWithItsTypes) {
  TempDir dir;
  auto engine = QueryEngine::Open(testing::LakeOptions(dir.str()));
  ASSERT_OK(engine);
  const std::string select =
      "SELECT 42::BIGINT AS n, 2.5::DOUBLE AS d, 'it''s, \"x\"' AS s, NULL::VARCHAR AS nothing, "
      "TIMESTAMP '2024-05-01 10:00:00.123' AS ts, from_unixtime(0) AS tz, true AS b, "
      "['a', 'b'] AS l, json_parse('{\"k\": [1]}') AS j, DATE '2024-05-01' AS day, "
      "12.34::DECIMAL(9,2) AS money, {'x': 1} AS st, 1 AS n";
  auto expected = (*engine)->Execute(select + " UNION ALL " + select);
  ASSERT_OK(expected);
  const std::string path = (dir.path() / "out.parquet").string();
  ASSERT_OK(WriteParquet(*expected, path));
  ASSERT_OK(WriteParquet(*expected, path));  // replaces
  auto back = (*engine)->Execute("SELECT * FROM read_parquet('" + path + "')");
  ASSERT_OK(back);
  EXPECT_EQ(back->rows, expected->rows);
  EXPECT_EQ(back->column_types, expected->column_types);
  EXPECT_EQ(back->column_names.back(), "n_13");  // duplicate names made unique
}

TEST(ParquetExportTest, RefusesBadPaths) {
  TempDir dir;
  QueryResult result;
  result.column_names = {"a"};
  result.column_types = {"BIGINT"};
  result.rows = {{"1"}};
  EXPECT_THAT(WriteParquet(result, "relative.parquet"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(WriteParquet(result, (dir.path() / "no/such/dir/x.parquet").string()),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_FALSE(fs::exists(dir.path() / "no"));
}

}  // namespace
}  // namespace tributary::query
