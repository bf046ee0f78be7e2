#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "testing/test_util.h"

namespace tributary::catalog {
namespace {

using ::tributary::testing::StatusIs;

constexpr ColumnType kAll[] = {ColumnType::kString,  ColumnType::kBigint,    ColumnType::kDouble,
                               ColumnType::kBoolean, ColumnType::kTimestamp, ColumnType::kJson};

TEST(ColumnTypeTest, NamesRoundTrip) {
  EXPECT_EQ(ColumnTypeName(ColumnType::kString), "string");
  EXPECT_EQ(ColumnTypeName(ColumnType::kBigint), "bigint");
  EXPECT_EQ(ColumnTypeName(ColumnType::kDouble), "double");
  EXPECT_EQ(ColumnTypeName(ColumnType::kBoolean), "boolean");
  EXPECT_EQ(ColumnTypeName(ColumnType::kTimestamp), "timestamp");
  EXPECT_EQ(ColumnTypeName(ColumnType::kJson), "json");
  for (ColumnType t : kAll) {
    auto parsed = ParseColumnType(ColumnTypeName(t));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, t);
  }
}

TEST(ColumnTypeTest, ParseIsCaseInsensitive) {
  auto parsed = ParseColumnType("BigInt");
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, ColumnType::kBigint);
  parsed = ParseColumnType("TIMESTAMP");
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, ColumnType::kTimestamp);
}

TEST(ColumnTypeTest, ParseRejectsUnknown) {
  EXPECT_THAT(ParseColumnType("varchar"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseColumnType(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseColumnType("string "), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ColumnTypeTest, Widening) {
  for (ColumnType t : kAll) EXPECT_EQ(WidenColumnType(t, t), t);
  EXPECT_EQ(WidenColumnType(ColumnType::kBigint, ColumnType::kDouble), ColumnType::kDouble);
  EXPECT_EQ(WidenColumnType(ColumnType::kDouble, ColumnType::kBigint), ColumnType::kDouble);
  EXPECT_EQ(WidenColumnType(ColumnType::kTimestamp, ColumnType::kString), ColumnType::kString);
  EXPECT_EQ(WidenColumnType(ColumnType::kString, ColumnType::kTimestamp), ColumnType::kString);
  // Conflicting scalars fall back to string (Glue's fallback; older values stay comparable).
  EXPECT_EQ(WidenColumnType(ColumnType::kString, ColumnType::kBigint), ColumnType::kString);
  EXPECT_EQ(WidenColumnType(ColumnType::kBoolean, ColumnType::kBigint), ColumnType::kString);
  EXPECT_EQ(WidenColumnType(ColumnType::kTimestamp, ColumnType::kBigint), ColumnType::kString);
  EXPECT_EQ(WidenColumnType(ColumnType::kBoolean, ColumnType::kDouble), ColumnType::kString);
  EXPECT_EQ(WidenColumnType(ColumnType::kJson, ColumnType::kString), ColumnType::kJson);
  // Symmetric, json absorbs everything, and the result holds both (widening is monotonic).
  for (ColumnType a : kAll) {
    EXPECT_EQ(WidenColumnType(a, ColumnType::kJson), ColumnType::kJson);
    for (ColumnType b : kAll) {
      const ColumnType w = WidenColumnType(a, b);
      EXPECT_EQ(w, WidenColumnType(b, a));
      EXPECT_EQ(WidenColumnType(w, a), w);
      EXPECT_EQ(WidenColumnType(w, b), w);
      for (ColumnType c : kAll) {  // associative: the order values arrive in does not matter
        EXPECT_EQ(WidenColumnType(WidenColumnType(a, b), c), WidenColumnType(a, WidenColumnType(b, c)));
      }
    }
  }
}

TEST(ColumnTypeTest, GlueTypeNames) {
  EXPECT_EQ(GlueTypeName(ColumnType::kString), "string");
  EXPECT_EQ(GlueTypeName(ColumnType::kBigint), "bigint");
  EXPECT_EQ(GlueTypeName(ColumnType::kDouble), "double");
  EXPECT_EQ(GlueTypeName(ColumnType::kBoolean), "boolean");
  EXPECT_EQ(GlueTypeName(ColumnType::kTimestamp), "timestamp");
  EXPECT_EQ(GlueTypeName(ColumnType::kJson), "string");
}

TEST(ColumnTypeTest, DescribesChanges) {
  ColumnChange added{ColumnChange::Kind::kAdded, "qty", ColumnType::kBigint, ColumnType::kString,
                     ColumnType::kBigint};
  EXPECT_EQ(DescribeColumnChange(added), "added qty bigint");
  ColumnChange widened{ColumnChange::Kind::kWidened, "qty", ColumnType::kDouble,
                       ColumnType::kBigint, ColumnType::kDouble};
  EXPECT_EQ(DescribeColumnChange(widened), "widened qty bigint -> double");
  ColumnChange conflict{ColumnChange::Kind::kWidened, "qty", ColumnType::kString,
                        ColumnType::kDouble, ColumnType::kBoolean};
  EXPECT_EQ(DescribeColumnChange(conflict), "qty: double conflicts with boolean -> string");
}

}  // namespace
}  // namespace tributary::catalog
