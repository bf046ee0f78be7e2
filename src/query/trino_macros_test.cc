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

TEST_F(TrinoMacrosTest, FormatAndParseDatetimeTakeJodaPatterns) {
  EXPECT_EQ(Eval("format_datetime(TIMESTAMP '2024-05-01 10:07:09.123', "
                 "'yyyy-MM-dd HH:mm:ss.SSS')"),
            "VARCHAR: 2024-05-01 10:07:09.123");
  EXPECT_EQ(Eval("format_datetime(TIMESTAMP '2024-05-01 10:07:09', 'EEE, d MMM yyyy hh:mm a')"),
            "VARCHAR: Wed, 1 May 2024 10:07 AM");
  EXPECT_EQ(Eval("format_datetime(from_unixtime(0), 'yyyy-MM-dd''T''HH:mm:ssZZ')"),
            "VARCHAR: 1970-01-01T00:00:00+00:00");
  EXPECT_EQ(Eval("format_datetime(DATE '2024-05-05', 'EEEE MMMM d')"),
            "VARCHAR: Sunday May 5");
  EXPECT_EQ(Eval("parse_datetime('2024-05-01 10:07', 'yyyy-MM-dd HH:mm')"),
            "TIMESTAMP WITH TIME ZONE: 2024-05-01 10:07:00.000 UTC");
  EXPECT_EQ(Eval("format_datetime(CAST(NULL AS TIMESTAMP), 'yyyy')"), "VARCHAR: NULL");
  EXPECT_THAT(Eval("format_datetime(TIMESTAMP '2024-05-01', 'GG yyyy')"),
              ::testing::HasSubstr("'GG' is not supported"));
}

TEST_F(TrinoMacrosTest, DateAddKeepsTheTypeAndTakesTrinoUnits) {
  EXPECT_EQ(Eval("date_add('day', 1, DATE '2024-02-28')"), "DATE: 2024-02-29");
  EXPECT_EQ(Eval("date_add('month', 1, DATE '2024-01-31')"), "DATE: 2024-02-29");
  EXPECT_EQ(Eval("date_add('quarter', -1, DATE '2024-05-31')"), "DATE: 2024-02-29");
  EXPECT_EQ(Eval("date_add('YEAR', 1, DATE '2024-02-29')"), "DATE: 2025-02-28");
  EXPECT_EQ(Eval("date_add('week', 2, DATE '2024-05-01')"), "DATE: 2024-05-15");
  EXPECT_EQ(Eval("date_add('hour', -2, TIMESTAMP '2024-05-01 01:00:00')"),
            "TIMESTAMP: 2024-04-30 23:00:00.000");
  EXPECT_EQ(Eval("date_add('millisecond', 1500, TIMESTAMP '2024-05-01 00:00:00')"),
            "TIMESTAMP: 2024-05-01 00:00:01.500");
  EXPECT_EQ(Eval("date_add('minute', 90, from_unixtime(0))"),
            "TIMESTAMP WITH TIME ZONE: 1970-01-01 01:30:00.000 UTC");
  EXPECT_EQ(Eval("date_add('second', 1, CAST(NULL AS TIMESTAMP))"), "TIMESTAMP: NULL");
  EXPECT_EQ(Eval("date_add('day', CAST(NULL AS BIGINT), DATE '2024-05-01')"), "DATE: NULL");
  // Trino: "'hour' is not a valid DATE field".
  EXPECT_THAT(Eval("date_add('hour', 1, DATE '2024-05-01')"),
              ::testing::HasSubstr("'hour' is not a valid DATE field"));
  EXPECT_THAT(Eval("date_add('fortnight', 1, TIMESTAMP '2024-05-01')"),
              ::testing::HasSubstr("'fortnight' is not a valid TIMESTAMP field"));
  // DuckDB's own two-argument form still works.
  EXPECT_EQ(Eval("date_add(TIMESTAMP '2024-05-01 00:00:00', INTERVAL 1 HOUR)"),
            "TIMESTAMP: 2024-05-01 01:00:00.000");
}

TEST_F(TrinoMacrosTest, DateDiffCountsWholeUnits) {
  // Trino counts whole units: 10:59 -> 11:01 is 0 hours (DuckDB's date_diff would say 1).
  EXPECT_EQ(Eval("date_diff('hour', TIMESTAMP '2024-01-01 10:59', TIMESTAMP '2024-01-01 11:01')"),
            "BIGINT: 0");
  EXPECT_EQ(Eval("date_diff('day', DATE '2024-01-01', DATE '2024-03-01')"), "BIGINT: 60");
  EXPECT_EQ(Eval("date_diff('day', TIMESTAMP '2024-01-01 10:00', TIMESTAMP '2024-01-02 09:59')"),
            "BIGINT: 0");
  EXPECT_EQ(Eval("date_diff('second', TIMESTAMP '2024-01-01 10:00:30', "
                 "TIMESTAMP '2024-01-01 10:00:00')"),
            "BIGINT: -30");
  EXPECT_EQ(Eval("date_diff('millisecond', TIMESTAMP '2024-01-01 10:00', "
                 "TIMESTAMP '2024-01-01 10:00:01.5')"),
            "BIGINT: 1500");
  EXPECT_EQ(Eval("date_diff('month', DATE '2024-01-31', DATE '2024-02-29')"), "BIGINT: 1");
  EXPECT_EQ(Eval("date_diff('month', DATE '2024-02-29', DATE '2024-03-28')"), "BIGINT: 0");
  EXPECT_EQ(Eval("date_diff('Year', DATE '2023-06-01', DATE '2024-05-31')"), "BIGINT: 0");
  EXPECT_EQ(Eval("date_diff('day', DATE '2024-01-01', CAST(NULL AS DATE))"), "BIGINT: NULL");
  EXPECT_THAT(Eval("date_diff('days', DATE '2024-01-01', DATE '2024-01-02')"),
              ::testing::HasSubstr("'days' is not a valid TIMESTAMP field"));
}

TEST_F(TrinoMacrosTest, ElementAtAndCardinality) {
  EXPECT_EQ(Eval("element_at(ARRAY[10, 20, 30], 1)"), "INTEGER: 10");
  EXPECT_EQ(Eval("element_at(ARRAY[10, 20, 30], -1)"), "INTEGER: 30");
  EXPECT_EQ(Eval("element_at(ARRAY[10, 20, 30], 4)"), "INTEGER: NULL");
  EXPECT_EQ(Eval("element_at(ARRAY['a', NULL], 2)"), "VARCHAR: NULL");
  EXPECT_EQ(Eval("element_at(map(ARRAY['a', 'b'], ARRAY[1, 2]), 'b')"), "INTEGER: 2");
  EXPECT_EQ(Eval("element_at(map(ARRAY['a', 'b'], ARRAY[1, 2]), 'z')"), "INTEGER: NULL");
  EXPECT_EQ(Eval("cardinality(ARRAY[1, 2, 3])"), "BIGINT: 3");
  EXPECT_EQ(Eval("cardinality(CAST(ARRAY[] AS INTEGER[]))"), "BIGINT: 0");
  EXPECT_EQ(Eval("cardinality(map(ARRAY['a', 'b'], ARRAY[1, 2]))"), "BIGINT: 2");
  EXPECT_EQ(Eval("cardinality(CAST(NULL AS INTEGER[]))"), "BIGINT: NULL");
  // A JSON array (how the lake stores DynamoDB lists and sets).
  EXPECT_EQ(Eval("cardinality(json_parse('[\"x\", \"y\"]'))"), "BIGINT: 2");
}

TEST_F(TrinoMacrosTest, IntegerDivisionTruncatesLikeTrino) {
  EXPECT_EQ(Eval("7 / 2"), "INTEGER: 3");
  EXPECT_EQ(Eval("-7 / 2"), "INTEGER: -3");
  EXPECT_EQ(Eval("CAST(7 AS BIGINT) / CAST(2 AS BIGINT)"), "BIGINT: 3");
  EXPECT_EQ(Eval("sum(x) / count(*) FROM (VALUES (1), (2)) AS t(x)"), "HUGEINT: 1");
  EXPECT_EQ(Eval("7.0 / 2"), "DOUBLE: 3.5");  // Trino: DECIMAL 3.5, the same value
  EXPECT_EQ(Eval("CAST(7 AS DOUBLE) / 2"), "DOUBLE: 3.5");
  EXPECT_EQ(Eval("avg(x) FROM (VALUES (1), (2)) AS t(x)"), "DOUBLE: 1.5");
}

TEST_F(TrinoMacrosTest, RegexpReplaceReplacesEveryMatch) {
  // Trino's documented examples.
  EXPECT_EQ(Eval("regexp_replace('1a 2b 14m', '\\d+[ab] ')"), "VARCHAR: 14m");
  EXPECT_EQ(Eval("regexp_replace('1a 2b 14m', '(\\d+)([ab]) ', '3c$2 ')"),
            "VARCHAR: 3ca 3cb 14m");
  EXPECT_EQ(Eval("regexp_replace(CAST(NULL AS VARCHAR), 'a', 'b')"), "VARCHAR: NULL");
  EXPECT_EQ(Eval("millisecond(TIMESTAMP '2024-01-01 10:00:05.123')"), "BIGINT: 123");
  EXPECT_EQ(Eval("approx_distinct(x, 0.01) FROM (SELECT range % 5 AS x FROM range(100))"),
            "BIGINT: 5");
}

TEST_F(TrinoMacrosTest, EveryMacroIsInstalled) {
  for (const std::string& macro : TrinoCompatibilityMacros()) {
    const size_t start = macro.find("MACRO ") + 6;
    const std::string name = macro.substr(start, macro.find('(', start) - start);
    auto result =
        engine_->Execute("SELECT count(*) > 0 FROM duckdb_functions() WHERE function_name = '" +
                         name + "' AND function_type = 'macro'");  // one row per overload
    ASSERT_OK(result);
    EXPECT_EQ(result->rows[0][0], "true") << name;
  }
}

}  // namespace
}  // namespace tributary::query
