#include "lakeapi/glue_expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::lakeapi {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::StatusIs;

const std::vector<std::string> kKeys = {"year", "month", "day", "hour"};

bool Match(std::string_view expr, const std::vector<std::string>& values) {
  auto e = GlueExpression::Parse(expr, kKeys);
  EXPECT_TRUE(e.ok()) << expr << ": " << e.status().ToString();
  return e.ok() && e->Matches(values);
}

std::string ErrorOf(std::string_view expr) {
  auto e = GlueExpression::Parse(expr, kKeys);
  EXPECT_FALSE(e.ok()) << expr;
  return e.ok() ? "" : e.status().message();
}

TEST(GlueExpressionTest, EmptyMatchesEverything) {
  EXPECT_TRUE(Match("", {"2024", "05", "01", "10"}));
  EXPECT_TRUE(Match("   ", {"2024", "05", "01", "10"}));
}

TEST(GlueExpressionTest, Comparisons) {
  const std::vector<std::string> p = {"2024", "05", "01", "10"};
  EXPECT_TRUE(Match("year = '2024'", p));
  EXPECT_FALSE(Match("year = '2023'", p));
  EXPECT_TRUE(Match("year <> '2023'", p));
  EXPECT_TRUE(Match("year != '2023'", p));
  EXPECT_TRUE(Match("hour > '09'", p));
  EXPECT_FALSE(Match("hour < '10'", p));
  EXPECT_TRUE(Match("hour <= '10'", p));
  EXPECT_TRUE(Match("hour >= '10'", p));
  EXPECT_TRUE(Match("'2024' = year", p));
  EXPECT_TRUE(Match("YEAR = \"2024\"", p));   // keys ignore case; both quote styles
  EXPECT_TRUE(Match("`year` = '2024'", p));
}

TEST(GlueExpressionTest, NumbersCompareNumerically) {
  EXPECT_TRUE(Match("hour > 9", {"2024", "05", "01", "10"}));     // '10' > '9' as numbers
  EXPECT_FALSE(Match("hour > '9'", {"2024", "05", "01", "10"}));  // but not as strings
  EXPECT_TRUE(Match("month = 5", {"2024", "05", "01", "10"}));
  EXPECT_TRUE(Match("year BETWEEN 2020 AND 2024", {"2024", "05", "01", "10"}));
}

TEST(GlueExpressionTest, LogicInBetweenLike) {
  const std::vector<std::string> p = {"2024", "05", "01", "10"};
  EXPECT_TRUE(Match("year = '2024' AND month IN ('04', '05')", p));
  EXPECT_FALSE(Match("year = '2024' AND month NOT IN ('04', '05')", p));
  EXPECT_TRUE(Match("year = '2023' OR hour = '10'", p));
  EXPECT_FALSE(Match("NOT hour = '10'", p));
  EXPECT_TRUE(Match("NOT (year = '2023' OR hour = '11')", p));
  EXPECT_TRUE(Match("day BETWEEN '01' AND '03'", p));
  EXPECT_FALSE(Match("day NOT BETWEEN '01' AND '03'", p));
  EXPECT_TRUE(Match("year LIKE '20%'", p));
  EXPECT_TRUE(Match("hour LIKE '1_'", p));
  EXPECT_FALSE(Match("hour NOT LIKE '1_'", p));
  // AND binds tighter than OR.
  EXPECT_TRUE(Match("year = '2023' AND month = '01' OR day = '01'", p));
  EXPECT_FALSE(Match("year = '2023' AND (month = '01' OR day = '01')", p));
  EXPECT_TRUE(Match("year = '2024' and month in ('05') and not day > '05'", p));
}

TEST(GlueExpressionTest, PreciseErrors) {
  EXPECT_THAT(ErrorOf("yr = '2024'"),
              HasSubstr("unknown partition key 'yr' (partition keys: year, month, day, hour) at character 1"));
  EXPECT_THAT(ErrorOf("year = '2024"), HasSubstr("unterminated string literal at character 8"));
  EXPECT_THAT(ErrorOf("year '2024'"), HasSubstr("expected a comparison"));
  EXPECT_THAT(ErrorOf("year = '2024' AND"), HasSubstr("found end of expression at character 18"));
  EXPECT_THAT(ErrorOf("(year = '2024'"), HasSubstr("expected ')'"));
  EXPECT_THAT(ErrorOf("year IN '2024'"), HasSubstr("expected '(' after IN"));
  EXPECT_THAT(ErrorOf("year IN ('2024' '2023')"), HasSubstr("expected ',' or ')' in the IN list"));
  EXPECT_THAT(ErrorOf("year BETWEEN '1' '2'"), HasSubstr("expected AND in BETWEEN"));
  EXPECT_THAT(ErrorOf("year == '1'"), HasSubstr("use ="));
  EXPECT_THAT(ErrorOf("year = '1' ; drop"), HasSubstr("unexpected character ';' at character 12"));
  EXPECT_THAT(ErrorOf("year NOT = '1'"), HasSubstr("expected IN, BETWEEN or LIKE after NOT"));
  EXPECT_THAT(ErrorOf("year = '1' hour"), HasSubstr("unexpected 'hour'"));
  EXPECT_THAT(GlueExpression::Parse(std::string(3000, ' '), kKeys),
              StatusIs(StatusCode::kInvalidArgument));
  std::string deep(500, '(');
  EXPECT_THAT(ErrorOf(deep + "year = '1'" + std::string(500, ')')), HasSubstr("nested too deeply"));
}

TEST(GlueExpressionTest, Like) {
  EXPECT_TRUE(SqlLikeMatch("abc", "abc"));
  EXPECT_TRUE(SqlLikeMatch("abc", "%"));
  EXPECT_TRUE(SqlLikeMatch("", "%"));
  EXPECT_TRUE(SqlLikeMatch("abc", "a%c"));
  EXPECT_TRUE(SqlLikeMatch("abcbc", "%bc"));
  EXPECT_FALSE(SqlLikeMatch("abc", "a_"));
  EXPECT_TRUE(SqlLikeMatch("abc", "_b_"));
  EXPECT_FALSE(SqlLikeMatch("abc", "abcd%"));
  EXPECT_TRUE(SqlLikeMatch("a%c", "a%c"));
}

}  // namespace
}  // namespace tributary::lakeapi
