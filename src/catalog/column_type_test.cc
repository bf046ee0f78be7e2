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
  EXPECT_EQ(WidenColumnType(ColumnType::kString, ColumnType::kBigint), ColumnType::kJson);
  EXPECT_EQ(WidenColumnType(ColumnType::kBoolean, ColumnType::kBigint), ColumnType::kJson);
  EXPECT_EQ(WidenColumnType(ColumnType::kTimestamp, ColumnType::kBigint), ColumnType::kJson);
  EXPECT_EQ(WidenColumnType(ColumnType::kJson, ColumnType::kString), ColumnType::kJson);
  // Symmetric, and json absorbs everything.
  for (ColumnType a : kAll) {
    EXPECT_EQ(WidenColumnType(a, ColumnType::kJson), ColumnType::kJson);
    for (ColumnType b : kAll) EXPECT_EQ(WidenColumnType(a, b), WidenColumnType(b, a));
  }
}

}  // namespace
}  // namespace tributary::catalog
