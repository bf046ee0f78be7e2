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
  for (const char* name : {"orders", "orders2"}) {
    TableDef def;
    def.name = name;
    def.location = name;
    ASSERT_OK(c.EnsureTable(def));
  }
  auto none = KeyColumns(c, "orders");
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  ASSERT_OK(RecordKeyColumns(c, "orders", {"customer/id", "order id"}));
  ASSERT_OK(RecordKeyColumns(c, "orders", {"customer/id", "order id"}));  // unchanged: no write
  auto keys = KeyColumns(c, "orders");
  ASSERT_OK(keys);
  EXPECT_THAT(*keys, ElementsAre("customer/id", "order id"));
  auto def = c.GetTable("orders");
  ASSERT_OK(def);
  EXPECT_EQ(def->parameters.at("tributary.key_columns"), "customer%2Fid/order id");
  auto other = KeyColumns(c, "orders2");
  ASSERT_OK(other);
  EXPECT_THAT(*other, IsEmpty());

  ASSERT_OK(RecordKeyColumns(c, "orders", {}));
  keys = KeyColumns(c, "orders");
  ASSERT_OK(keys);
  EXPECT_THAT(*keys, IsEmpty());
  EXPECT_THAT(RecordKeyColumns(c, "orders", {"a", ""}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(KeyColumns(c, "nope"), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace tributary::catalog
