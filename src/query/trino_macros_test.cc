// Each Trino name shimmed for Athena queries, checked against the value Trino returns.
#include "query/trino_macros.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

using tributary::testing::TempDir;

class TrinoMacrosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = QueryEngine::Open(testing::LakeOptions(dir_.str()));
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
  }

  // "type: value" of a one-value query.
  std::string Eval(const std::string& expression) {
    auto result = engine_->Execute("SELECT " + expression);
    if (!result.ok()) return "error: " + result.status().message();
    return result->column_types[0] + ": " + result->rows[0][0].value_or("NULL");
  }

  TempDir dir_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(TrinoMacrosTest, DateIsACastToDate) {
  EXPECT_EQ(Eval("date(TIMESTAMP '2024-05-01 23:59:59.999')"), "DATE: 2024-05-01");
  EXPECT_EQ(Eval("date('2024-05-01')"), "DATE: 2024-05-01");
}

TEST_F(TrinoMacrosTest, FromIso8601) {
  EXPECT_EQ(Eval("from_iso8601_timestamp('2024-05-01T10:00:00.123Z')"),
            "TIMESTAMP WITH TIME ZONE: 2024-05-01 10:00:00.123 UTC");
  EXPECT_EQ(Eval("from_iso8601_timestamp('2024-05-01T12:00:00+02:00')"),
            "TIMESTAMP WITH TIME ZONE: 2024-05-01 10:00:00.000 UTC");
  EXPECT_EQ(Eval("from_iso8601_date('2024-05-01')"), "DATE: 2024-05-01");
}

TEST_F(TrinoMacrosTest, DateParseTranslatesMySqlFormatCodes) {
  EXPECT_EQ(Eval("date_parse('2024-05-01 10:07:09', '%Y-%m-%d %H:%i:%s')"),
            "TIMESTAMP: 2024-05-01 10:07:09.000");
  EXPECT_EQ(Eval("date_parse('2024-05-01 10:07:09.123', '%Y-%m-%d %T.%f')"),
            "TIMESTAMP: 2024-05-01 10:07:09.123");
  EXPECT_EQ(Eval("date_parse('01/May/2024 03:04:05 PM', '%d/%b/%Y %r')"),
            "TIMESTAMP: 2024-05-01 15:04:05.000");
  EXPECT_EQ(Eval("date_parse('May 1 2024', '%M %e %Y')"), "TIMESTAMP: 2024-05-01 00:00:00.000");
  EXPECT_EQ(Eval("date_parse('100%2024', '100%%%Y')"), "TIMESTAMP: 2024-01-01 00:00:00.000");
  EXPECT_EQ(Eval("date_format(TIMESTAMP '2024-05-01 10:07:09', '%Y/%m/%d %H:%i:%s %W')"),
            "VARCHAR: 2024/05/01 10:07:09 Wednesday");
}

TEST_F(TrinoMacrosTest, UnixTime) {
  EXPECT_EQ(Eval("from_unixtime(1714557600)"),
            "TIMESTAMP WITH TIME ZONE: 2024-05-01 10:00:00.000 UTC");
  EXPECT_EQ(Eval("from_unixtime(1714557600.5)"),
            "TIMESTAMP WITH TIME ZONE: 2024-05-01 10:00:00.500 UTC");
  EXPECT_EQ(Eval("to_unixtime(TIMESTAMP '2024-05-01 10:00:00.5')"), "DOUBLE: 1714557600.5");
  EXPECT_EQ(Eval("to_unixtime(from_unixtime(1714557600))"), "DOUBLE: 1714557600.0");
}

TEST_F(TrinoMacrosTest, ToIso8601) {
  EXPECT_EQ(Eval("to_iso8601(TIMESTAMP '2024-05-01 10:00:00.12')"),
            "VARCHAR: 2024-05-01T10:00:00.120");
  EXPECT_EQ(Eval("to_iso8601(TIMESTAMPTZ '2024-05-01 12:00:00+02')"),
            "VARCHAR: 2024-05-01T10:00:00.000Z");
  EXPECT_EQ(Eval("to_iso8601(DATE '2024-05-01')"), "VARCHAR: 2024-05-01");
}

TEST_F(TrinoMacrosTest, DayOfWeekIsIso) {
  // 2024-05-05 was a Sunday: Trino says 7 (DuckDB's dayofweek says 0).
  EXPECT_EQ(Eval("day_of_week(DATE '2024-05-05')"), "BIGINT: 7");
  EXPECT_EQ(Eval("dow(TIMESTAMP '2024-05-06 10:00:00')"), "BIGINT: 1");
  EXPECT_EQ(Eval("day_of_month(DATE '2024-05-05')"), "BIGINT: 5");
  EXPECT_EQ(Eval("day_of_year(DATE '2024-02-01')"), "BIGINT: 32");
  EXPECT_EQ(Eval("week_of_year(DATE '2024-01-01')"), "BIGINT: 1");
  EXPECT_EQ(Eval("year_of_week(DATE '2024-12-30')"), "BIGINT: 2025");
  EXPECT_EQ(Eval("last_day_of_month(DATE '2024-02-10')"), "DATE: 2024-02-29");
  EXPECT_EQ(Eval("current_timezone()"), "VARCHAR: UTC");
}

TEST_F(TrinoMacrosTest, Json) {
  const std::string doc = R"('{"a": {"b": "x", "n": 5, "t": true}, "l": [1, 2]}')";
  EXPECT_EQ(Eval("json_extract_scalar(" + doc + ", '$.a.b')"), "VARCHAR: x");
  EXPECT_EQ(Eval("json_extract_scalar(" + doc + ", '$.a.n')"), "VARCHAR: 5");
  EXPECT_EQ(Eval("json_extract_scalar(" + doc + ", '$.a.t')"), "VARCHAR: true");
  EXPECT_EQ(Eval("json_extract_scalar(" + doc + ", '$.l[1]')"), "VARCHAR: 2");
  // Objects, arrays and missing paths are NULL, as in Trino.
  EXPECT_EQ(Eval("json_extract_scalar(" + doc + ", '$.a')"), "VARCHAR: NULL");
  EXPECT_EQ(Eval("json_extract_scalar(" + doc + ", '$.l')"), "VARCHAR: NULL");
  EXPECT_EQ(Eval("json_extract_scalar(" + doc + ", '$.zz')"), "VARCHAR: NULL");
  EXPECT_EQ(Eval("json_parse('{\"a\": [1, 2]}')"), "JSON: {\"a\":[1,2]}");
  EXPECT_EQ(Eval("json_format(json_parse('[1, 2]'))"), "VARCHAR: [1,2]");
}

TEST_F(TrinoMacrosTest, AggregatesAndStrings) {
  EXPECT_EQ(Eval("approx_distinct(x) FROM (SELECT range % 7 AS x FROM range(1000))"), "BIGINT: 7");
  EXPECT_EQ(Eval("approx_percentile(x, 0.5) FROM (SELECT range AS x FROM range(101))"),
            "BIGINT: 50");
  EXPECT_EQ(Eval("regexp_like('order-123', '\\d+')"), "BOOLEAN: true");
  EXPECT_EQ(Eval("regexp_like('order', '^\\d+$')"), "BOOLEAN: false");
  EXPECT_EQ(Eval("levenshtein_distance('kitten', 'sitting')"), "BIGINT: 3");
  EXPECT_EQ(Eval("array_join(['a', 'b'], ',')"), "VARCHAR: a,b");
}

TEST_F(TrinoMacrosTest, EveryMacroIsInstalled) {
  for (const std::string& macro : TrinoCompatibilityMacros()) {
    const size_t start = macro.find("MACRO ") + 6;
    const std::string name = macro.substr(start, macro.find('(', start) - start);
    auto result =
        engine_->Execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = '" + name +
                         "' AND function_type = 'macro'");
    ASSERT_OK(result);
    EXPECT_EQ(result->rows[0][0], "1") << name;
  }
}

}  // namespace
}  // namespace tributary::query
