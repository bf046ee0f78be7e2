#include "query/result_format.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::query {
namespace {

using tributary::testing::StatusIs;

QueryResult Sample() {
  QueryResult r;
  r.column_names = {"id", "price", "ok", "doc", "note"};
  r.column_types = {"VARCHAR", "DOUBLE", "BOOLEAN", "JSON", "VARCHAR"};
  r.rows = {{"a", "10.5", "true", "{\"k\":[1]}", "plain"},
            {"bé", "300.0", "false", std::nullopt, "has, comma \"q\"\nline"},
            {std::nullopt, "inf", std::nullopt, "2", ""}};
  return r;
}

TEST(ResultFormatTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseResultFormat("TABLE"), ResultFormat::kTable);
  EXPECT_EQ(*ParseResultFormat("csv"), ResultFormat::kCsv);
  EXPECT_EQ(*ParseResultFormat("json"), ResultFormat::kJson);
  EXPECT_EQ(*ParseResultFormat("ndjson"), ResultFormat::kJsonLines);
  EXPECT_EQ(*ParseResultFormat("jsonl"), ResultFormat::kJsonLines);
  EXPECT_THAT(ParseResultFormat("xml"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ResultFormatTest, TableAlignsAndRightAlignsNumbers) {
  EXPECT_EQ(FormatTable(Sample()),
            " id   | price | ok    | doc       | note\n"
            "------+-------+-------+-----------+----------------------\n"
            " a    |  10.5 | true  | {\"k\":[1]} | plain\n"
            " bé   | 300.0 | false | NULL      | has, comma \"q\"\\nline\n"
            " NULL |   inf | NULL  | 2         | \n"
            "(3 rows)\n");
}

TEST(ResultFormatTest, TableFooterCountsRows) {
  QueryResult r;
  r.column_names = {"n"};
  r.column_types = {"BIGINT"};
  EXPECT_EQ(FormatTable(r), " n\n---\n(0 rows)\n");
  r.rows = {{"7"}};
  r.truncated = true;
  EXPECT_EQ(FormatTable(r), " n\n---\n 7\n(1 row, truncated)\n");
}

TEST(ResultFormatTest, CsvFollowsRfc4180) {
  EXPECT_EQ(FormatCsv(Sample()),
            "id,price,ok,doc,note\n"
            "a,10.5,true,\"{\"\"k\"\":[1]}\",plain\n"
            "bé,300.0,false,,\"has, comma \"\"q\"\"\nline\"\n"
            ",inf,,2,\"\"\n");
}

TEST(ResultFormatTest, JsonTypesValuesByColumn) {
  EXPECT_EQ(FormatJson(Sample()),
            "[{\"id\":\"a\",\"price\":10.5,\"ok\":true,\"doc\":{\"k\":[1]},\"note\":\"plain\"},"
            "{\"id\":\"bé\",\"price\":300.0,\"ok\":false,\"doc\":null,"
            "\"note\":\"has, comma \\\"q\\\"\\nline\"},"
            "{\"id\":null,\"price\":\"inf\",\"ok\":null,\"doc\":2,\"note\":\"\"}]\n");
  QueryResult empty;
  empty.column_names = {"x"};
  empty.column_types = {"BIGINT"};
  EXPECT_EQ(FormatJson(empty), "[]\n");
}

TEST(ResultFormatTest, JsonLinesIsOneObjectPerLine) {
  QueryResult r;
  r.column_names = {"n", "d"};
  r.column_types = {"BIGINT", "DECIMAL(10,2)"};
  r.rows = {{"1", "1.50"}, {"-2", std::nullopt}};
  EXPECT_EQ(FormatJsonLines(r), "{\"n\":1,\"d\":1.50}\n{\"n\":-2,\"d\":null}\n");
  EXPECT_EQ(FormatResult(r, ResultFormat::kJsonLines), FormatJsonLines(r));
}

TEST(ResultFormatTest, TypeNames) {
  EXPECT_TRUE(IsNumericType("BIGINT"));
  EXPECT_TRUE(IsNumericType("DECIMAL(18,3)"));
  EXPECT_TRUE(IsNumericType("DOUBLE"));
  EXPECT_FALSE(IsNumericType("VARCHAR"));
  EXPECT_FALSE(IsNumericType("TIMESTAMP"));
  EXPECT_EQ(TrinoTypeName("VARCHAR"), "varchar");
  EXPECT_EQ(TrinoTypeName("FLOAT"), "real");
  EXPECT_EQ(TrinoTypeName("TIMESTAMP WITH TIME ZONE"), "timestamp with time zone");
  EXPECT_EQ(TrinoTypeName("DECIMAL(10,2)"), "decimal(10,2)");
  EXPECT_EQ(TrinoTypeName("VARCHAR[]"), "array(varchar)");
  EXPECT_EQ(TrinoTypeName("JSON"), "json");
}

}  // namespace
}  // namespace tributary::query
