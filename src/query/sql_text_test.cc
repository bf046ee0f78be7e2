#include "query/sql_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::query {
namespace {

using ::testing::HasSubstr;
using tributary::testing::StatusIs;

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

std::string Rewrite(std::string_view sql) {
  auto r = RewriteTrinoDateFormats(sql);
  return r.ok() ? *r : "error: " + r.status().message();
}

TEST(SqlTextTest, RewritesOnlyLiteralFormatsOfRealCalls) {
  EXPECT_EQ(Rewrite("SELECT date_parse(s, '%H:%i') FROM t"),
            "SELECT date_parse(s, '%H:%M') FROM t");
  EXPECT_EQ(Rewrite("SELECT DATE_FORMAT( f(a, b) , /* c */ '%i''%s' )"),
            "SELECT DATE_FORMAT( f(a, b) , /* c */ '%M''%S' )");
  // Nested calls are each rewritten.
  EXPECT_EQ(Rewrite("date_parse(date_format(x, '%i'), '%s')"),
            "date_parse(date_format(x, '%M'), '%S')");
  EXPECT_EQ(Rewrite("SELECT format_datetime(ts, 'yyyy-MM-dd''T''HH:mm'), "
                    "parse_datetime(s, 'dd/MMM/yyyy')"),
            "SELECT format_datetime(ts, '%Y-%m-%dT%H:%M'), parse_datetime(s, '%d/%b/%Y')");
  EXPECT_THAT(RewriteTrinoDateFormats("SELECT format_datetime(ts, 'GGG yyyy')"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Rewrite("SELECT format_datetime(ts, 'GGG yyyy')"),
              HasSubstr("'GGG' is not supported"));
  // Not a literal, a string mentioning the function, a comment, a quoted name: untouched.
  for (const char* sql : {"SELECT date_parse(s, fmt)", "SELECT 'date_parse(s, ''%i'')'",
                          "-- date_parse(s, '%i')\nSELECT 1", "SELECT \"date_parse\"",
                          "SELECT date_parse(s, '%i' || '%s')", "SELECT x.date_parse"}) {
    EXPECT_EQ(Rewrite(sql), sql);
  }
}

TEST(SqlTextTest, SplitsStatementsOutsideStringsAndComments) {
  std::string rest;
  EXPECT_THAT(SplitStatements("SELECT 1; SELECT ';' -- ;\n, 2;\n;; SELECT \"a;b\" /* ; */", &rest),
              ::testing::ElementsAre("SELECT 1", "SELECT ';' -- ;\n, 2"));
  EXPECT_EQ(rest, " SELECT \"a;b\" /* ; */");
  EXPECT_THAT(SplitStatements("SELECT\n  1\n", &rest), ::testing::IsEmpty());
  EXPECT_EQ(rest, "SELECT\n  1\n");
  EXPECT_THAT(SplitStatements("-- only a comment;\n;", &rest), ::testing::IsEmpty());
  EXPECT_EQ(rest, "");
  EXPECT_THAT(SplitStatements("SELECT 'unterminated; still a string", &rest), ::testing::IsEmpty());
}

TEST(SqlTextTest, TranslatesJodaPatterns) {
  auto joda = [](std::string_view pattern) {
    auto r = JodaToDuckDbDateFormat(pattern);
    return r.ok() ? *r : "error: " + r.status().message();
  };
  EXPECT_EQ(joda("yyyy-MM-dd HH:mm:ss.SSS"), "%Y-%m-%d %H:%M:%S.%g");
  EXPECT_EQ(joda("yy M d H m s"), "%y %-m %-d %-H %-M %-S");
  EXPECT_EQ(joda("EEE, d MMM yyyy hh:mm a"), "%a, %-d %b %Y %I:%M %p");
  EXPECT_EQ(joda("EEEE MMMM D DDD e w xxxx"), "%A %B %-j %j %u %V %G");
  EXPECT_EQ(joda("SSSSSS SSSSSSSSS Z ZZ ZZZ z"), "%f %n +0000 +00:00 UTC UTC");
  // Quoted text, '' and '%' are literal.
  EXPECT_EQ(joda("'at' HH 'o''clock' '' 100%"), "at %H o'clock ' 100%%");
  for (const char* bad : {"G", "C", "K", "k", "S", "SS", "SSSS", "ddd", "q", "xx"}) {
    EXPECT_THAT(joda(bad), HasSubstr("is not supported")) << bad;
  }
}

}  // namespace
}  // namespace tributary::query
