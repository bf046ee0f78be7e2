#include "transform/column_set.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::transform {
namespace {

using catalog::Column;
using catalog::ColumnType;
using ::tributary::testing::StatusIs;

TEST(ColumnSetTest, FirstSeenOrderAndWidening) {
  ColumnSet set;
  set.BeginRow();
  set.Observe("a", ColumnType::kBigint);
  set.ObserveNull("n");
  set.Observe("b", ColumnType::kTimestamp);
  set.BeginRow();
  set.Observe("a", ColumnType::kDouble);   // widens
  set.Observe("c", ColumnType::kBoolean);  // out of order: appended
  set.Observe("b", ColumnType::kString);   // widens timestamp -> string
  set.Observe("n", ColumnType::kJson);     // first typed value
  std::vector<Column> want = {{"a", ColumnType::kDouble},
                              {"n", ColumnType::kJson},
                              {"b", ColumnType::kString},
                              {"c", ColumnType::kBoolean}};
  EXPECT_EQ(set.Columns(), want);
  set.BeginRow();
  set.Observe("a", ColumnType::kBigint);  // narrower: stays double
  EXPECT_EQ(set.Columns()[0].type, ColumnType::kDouble);
  set.Observe("a", ColumnType::kString);  // conflicting: string (catalog::WidenColumnType)
  EXPECT_EQ(set.Columns()[0].type, ColumnType::kString);
}

TEST(ColumnSetTest, MergeAndClear) {
  ColumnSet a, b;
  a.Observe("x", ColumnType::kBigint);
  b.Observe("y", ColumnType::kString);
  b.Observe("x", ColumnType::kDouble);
  a.Merge(b);
  EXPECT_EQ(a.Columns(),
            (std::vector<Column>{{"x", ColumnType::kDouble}, {"y", ColumnType::kString}}));
  a.Clear();
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(a.Columns().empty());
}

TEST(ColumnSetTest, InferColumnsFromRowJson) {
  ColumnSet set;
  ASSERT_OK(InferColumns(
      R"({"s":"x","ts":"2024-05-01 10:00:00.123","i":-5,"big":18446744073709551615,"d":1.5,)"
      R"("b":false,"n":null,"o":{"k":1},"l":[1]})",
      set));
  std::vector<Column> want = {{"s", ColumnType::kString},     {"ts", ColumnType::kTimestamp},
                              {"i", ColumnType::kBigint},     {"big", ColumnType::kDouble},
                              {"d", ColumnType::kDouble},     {"b", ColumnType::kBoolean},
                              {"o", ColumnType::kJson},       {"l", ColumnType::kJson}};
  EXPECT_EQ(set.Columns(), want);
  ASSERT_OK(InferColumns(R"({"ts":"not a time","i":2.5})", set));
  EXPECT_EQ(set.Columns()[1].type, ColumnType::kString);
  EXPECT_EQ(set.Columns()[2].type, ColumnType::kDouble);
  EXPECT_THAT(InferColumns("[1]", set), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InferColumns("{", set), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ColumnSetTest, LooksLikeTimestamp) {
  EXPECT_TRUE(LooksLikeTimestamp("2024-05-01 10:00:00"));
  EXPECT_TRUE(LooksLikeTimestamp("2024-05-01 10:00:00.1"));
  EXPECT_TRUE(LooksLikeTimestamp("2024-05-01 10:00:00.123456789"));
  EXPECT_FALSE(LooksLikeTimestamp("2024-05-01 10:00:00."));
  EXPECT_FALSE(LooksLikeTimestamp("2024-05-01T10:00:00"));
  EXPECT_FALSE(LooksLikeTimestamp("2024-05-01"));
  EXPECT_FALSE(LooksLikeTimestamp("2024-05-01 10:00:00.12x"));
}

}  // namespace
}  // namespace tributary::transform
