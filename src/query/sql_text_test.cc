#include "query/sql_text.h"

#include <gtest/gtest.h>

namespace tributary::query {
namespace {

TEST(SqlTextTest, QuotesIdentifiersAndLiterals) {
  EXPECT_EQ(QuoteIdentifier("price"), "\"price\"");
  EXPECT_EQ(QuoteIdentifier("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(QuoteStringLiteral("/lake/o'brien.json"), "'/lake/o''brien.json'");
  EXPECT_EQ(QuoteStringLiteral("back\\slash"), "'back\\slash'");
}

TEST(SqlTextTest, TrimStatementDropsWhitespaceAndSemicolons) {
  EXPECT_EQ(TrimStatement("  SELECT 1 ;; \n"), "SELECT 1");
  EXPECT_EQ(TrimStatement("SELECT 1 -- note\n"), "SELECT 1 -- note");
  EXPECT_EQ(TrimStatement(" ; "), "");
}

TEST(SqlTextTest, FindsDeniedCallsHoweverSpelled) {
  EXPECT_EQ(FindDeniedFunctionCall("SELECT * FROM enable_logging(storage := 'file')"),
            "enable_logging");
  EXPECT_EQ(FindDeniedFunctionCall("from ENABLE_Logging ()"), "enable_logging");
  EXPECT_EQ(FindDeniedFunctionCall("FROM \"enable_logging\"(x)"), "enable_logging");
  EXPECT_EQ(FindDeniedFunctionCall("FROM system.main.checkpoint/* c */\n()"), "checkpoint");
  EXPECT_EQ(FindDeniedFunctionCall("FROM query -- x\n ('SELECT 1')"), "query");
  EXPECT_EQ(FindDeniedFunctionCall("FROM query_table('t')"), "query_table");
  EXPECT_EQ(FindDeniedFunctionCall("SELECT arrow_scan(1, 2, 3)"), "arrow_scan");
  // Inside a string literal it still counts (conservative).
  EXPECT_EQ(FindDeniedFunctionCall("SELECT 'enable_profiling()'"), "enable_profiling");
}

TEST(SqlTextTest, AllowsOrdinaryUsesOfTheSameWords) {
  EXPECT_EQ(FindDeniedFunctionCall("SELECT query, checkpoint FROM t WHERE query = 'x'"),
            std::nullopt);
  EXPECT_EQ(FindDeniedFunctionCall("SELECT myquery(1), query_count(2) FROM t"), std::nullopt);
  EXPECT_EQ(FindDeniedFunctionCall("SELECT * FROM read_json('/lake/x.json')"), std::nullopt);
  EXPECT_EQ(FindDeniedFunctionCall("SELECT query AS q FROM t"), std::nullopt);
}

TEST(SqlTextTest, AcceptsOnlyStatementsThatRead) {
  for (const char* sql :
       {"SELECT 1", "  -- c\n /* d */ ((SELECT 1))", "with x as (select 1) select * from x",
        "FROM t", "VALUES (1)", "SHOW TABLES", "DESCRIBE t", "summarize t", "EXPLAIN SELECT 1",
        "explain analyze select 1", "EXPLAIN (SELECT 1)", "PIVOT t ON k USING sum(v)"}) {
    EXPECT_EQ(FindNonReadOnlyStatement(sql), std::nullopt) << sql;
  }
  EXPECT_EQ(FindNonReadOnlyStatement("COPY t TO 'x'"), "COPY");
  EXPECT_EQ(FindNonReadOnlyStatement("(copy t to 'x')"), "COPY");
  EXPECT_EQ(FindNonReadOnlyStatement("EXPLAIN ANALYZE COPY t TO 'x'"), "EXPLAIN COPY");
  EXPECT_EQ(FindNonReadOnlyStatement("EXPLAIN EXPLAIN SELECT 1"), "EXPLAIN EXPLAIN");
  EXPECT_EQ(FindNonReadOnlyStatement("export database 'x'"), "EXPORT");
  EXPECT_EQ(FindNonReadOnlyStatement("PRAGMA version"), "PRAGMA");
  EXPECT_EQ(FindNonReadOnlyStatement("\"select\" 1"), "\"SELECT\"");
  EXPECT_EQ(FindNonReadOnlyStatement("SET x = 1"), "SET");
}

TEST(SqlTextTest, TranslatesMySqlDateFormatCodes) {
  EXPECT_EQ(MysqlToDuckDbDateFormat("%Y-%m-%d %H:%i:%s"), "%Y-%m-%d %H:%M:%S");
  EXPECT_EQ(MysqlToDuckDbDateFormat("%M %W %T %r"), "%B %A %H:%M:%S %I:%M:%S %p");
  EXPECT_EQ(MysqlToDuckDbDateFormat("%c/%e %k:%l %h %f"), "%-m/%-d %-H:%-I %I %f");
  EXPECT_EQ(MysqlToDuckDbDateFormat("100%% %i%"), "100%% %M%");
}

TEST(SqlTextTest, RewritesOnlyLiteralFormatsOfRealCalls) {
  EXPECT_EQ(RewriteTrinoDateFormats("SELECT date_parse(s, '%H:%i') FROM t"),
            "SELECT date_parse(s, '%H:%M') FROM t");
  EXPECT_EQ(RewriteTrinoDateFormats("SELECT DATE_FORMAT( f(a, b) , /* c */ '%i''%s' )"),
            "SELECT DATE_FORMAT( f(a, b) , /* c */ '%M''%S' )");
  // Nested calls are each rewritten.
  EXPECT_EQ(RewriteTrinoDateFormats("date_parse(date_format(x, '%i'), '%s')"),
            "date_parse(date_format(x, '%M'), '%S')");
  // Not a literal, a string mentioning the function, a comment, a quoted name: untouched.
  for (const char* sql : {"SELECT date_parse(s, fmt)", "SELECT 'date_parse(s, ''%i'')'",
                          "-- date_parse(s, '%i')\nSELECT 1", "SELECT \"date_parse\"",
                          "SELECT date_parse(s, '%i' || '%s')", "SELECT x.date_parse"}) {
    EXPECT_EQ(RewriteTrinoDateFormats(sql), sql);
  }
}

}  // namespace
}  // namespace tributary::query
