#include "catalog/partition_spec.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::catalog {
namespace {

using ::tributary::testing::StatusIs;

TEST(PartitionSpecTest, FormatsHiveLayout) {
  EXPECT_EQ(FormatPartitionSpec({}), "");
  EXPECT_EQ(FormatPartitionSpec({{"year", "2024"}, {"month", "05"}, {"day", "01"}}),
            "year=2024/month=05/day=01");
}

TEST(PartitionSpecTest, EscapesLikeHive) {
  EXPECT_EQ(EscapePathName("a/b=c"), "a%2Fb%3Dc");
  EXPECT_EQ(EscapePathName("50%:#"), "50%25%3A%23");
  EXPECT_EQ(EscapePathName("plain-text_1.2 x"), "plain-text_1.2 x");
  EXPECT_EQ(EscapePathName(std::string("\n")), "%0A");
}

TEST(PartitionSpecTest, RoundTripsAwkwardValues) {
  PartitionValues values = {
      {"customer", "a/b=c%d"}, {"empty", ""}, {"utf8", "caf\xc3\xa9"}, {"k=ey", "x:y"}};
  std::string spec = FormatPartitionSpec(values);
  auto parsed = ParsePartitionSpec(spec);
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, values);
}

TEST(PartitionSpecTest, RejectsMalformed) {
  EXPECT_THAT(ParsePartitionSpec("year"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(ParsePartitionSpec("year=20%2"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(ParsePartitionSpec("year=20%zz"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(UnescapePathName("%"), StatusIs(StatusCode::kDataLoss));
}

TEST(PartitionSpecTest, JoinAndSplitNames) {
  EXPECT_EQ(JoinEscaped({}), "");
  std::vector<std::string> names = {"year", "a/b", "c%d"};
  EXPECT_EQ(JoinEscaped(names), "year/a%2Fb/c%25d");
  auto split = SplitEscaped(JoinEscaped(names));
  ASSERT_OK(split);
  EXPECT_EQ(*split, names);
  auto empty = SplitEscaped("");
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace tributary::catalog
