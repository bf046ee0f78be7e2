#include "catalog/table_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using tributary::testing::StatusIs;
using tributary::testing::TempDir;

TEST(TableKeysTest, RecordsReadsAndForgetsKeyColumns) {
  TempDir dir;
  auto catalog = Catalog::Open((dir.path() / "catalog.db").string());
  ASSERT_OK(catalog);
  Catalog& c = **catalog;
  auto none = KeyColumns(c, "orders");
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  ASSERT_OK(RecordKeyColumns(c, "orders", {"customer/id", "order id"}));
  ASSERT_OK(RecordKeyColumns(c, "orders", {"customer/id", "order id"}));  // unchanged: no write
  auto keys = KeyColumns(c, "orders");
  ASSERT_OK(keys);
  EXPECT_THAT(*keys, ElementsAre("customer/id", "order id"));
  auto other = KeyColumns(c, "orders2");
  ASSERT_OK(other);
  EXPECT_THAT(*other, IsEmpty());

  ASSERT_OK(RecordKeyColumns(c, "orders", {}));
  keys = KeyColumns(c, "orders");
  ASSERT_OK(keys);
  EXPECT_THAT(*keys, IsEmpty());
  EXPECT_THAT(RecordKeyColumns(c, "orders", {"a", ""}), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tributary::catalog
