// <table>_current and <table>_history over INSERT/MODIFY/REMOVE/re-INSERT sequences, built from a
// real catalog with recorded key columns (RefreshViews), ordered by sequence number.
#include "query/history_views.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/table_keys.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using tributary::testing::TempDir;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

std::vector<catalog::Column> OrderColumns() {
  using catalog::ColumnType;
  return {{"order_id", ColumnType::kString},        {"price", ColumnType::kDouble},
          {"cdc_event_type", ColumnType::kString},  {"creation_datetime", ColumnType::kTimestamp},
          {"event_id", ColumnType::kString},        {"sequence_number", ColumnType::kString}};
}

std::string Change(const std::string& id, const std::string& type, const std::string& seq,
                   const std::string& time, double price) {
  return "{\"order_id\":\"" + id + "\",\"price\":" + std::to_string(price) +
         ",\"cdc_event_type\":\"" + type + "\",\"creation_datetime\":\"2026-11-24 " + time +
         "\",\"event_id\":\"ev-" + seq + "\",\"sequence_number\":\"" + seq + "\"}";
}

class HistoryViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.path() / "lake";
    auto catalog = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(catalog);
    catalog_ = std::move(catalog).value();
    catalog::TableDef def;
    def.name = "orders";
    def.location = "orders";
    def.partition_keys = {"hour"};
    ASSERT_OK(catalog_->EnsureTable(def));
    auto engine = QueryEngine::Open(testing::LakeOptions(lake_.string()));
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
  }

  // Commits one file of changes in partition hour=`hour`.
  void Commit(const std::string& name, const std::string& hour,
              const std::vector<std::string>& lines) {
    const std::string relative = "orders/hour=" + hour + "/" + name;
    testing::WriteLines(lake_, relative, lines);
    catalog::DataFile file;
    file.path = relative;
    file.partition_values = {{"hour", hour}};
    file.row_count = static_cast<int64_t>(lines.size());
    ASSERT_OK(catalog_->CommitFiles("orders", OrderColumns(), {file}, {}));
  }

  Rows Query(const std::string& sql) {
    auto result = engine_->Execute(sql);
    EXPECT_OK(result) << sql;
    return result.ok() ? result->rows : Rows{};
  }

  TempDir dir_;
  std::filesystem::path lake_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(HistoryViewsTest, CurrentAndHistoryFollowSequenceNumbers) {
  // Files arrive out of order; "10" sorts before "5" as text but after it as a number; o1's
  // first two changes share a millisecond; seq 10 is delivered twice.
  Commit("b.json", "11", {Change("o1", "MODIFY", "10", "11:02:00.000", 12),
                          Change("o2", "INSERT", "12", "11:03:00.000", 25),
                          Change("o3", "REMOVE", "13", "11:04:00.000", 30)});
  Commit("a.json", "10", {Change("o1", "INSERT", "5", "10:00:00.000", 10),
                          Change("o2", "INSERT", "6", "10:00:00.000", 20),
                          Change("o1", "MODIFY", "7", "10:00:00.000", 11),
                          Change("o2", "REMOVE", "8", "10:01:00.000", 20),
                          Change("o3", "INSERT", "11", "10:02:00.000", 30)});
  Commit("c.json", "11", {Change("o1", "MODIFY", "10", "11:02:00.000", 12)});  // duplicate
  ASSERT_OK(catalog::RecordKeyColumns(*catalog_, "orders", {"order_id"}));
  ASSERT_OK(RefreshViews(*engine_, *catalog_));
  EXPECT_THAT(engine_->ViewNames(), ElementsAre("orders", "orders_current", "orders_history"));

  EXPECT_EQ(Query("SELECT order_id, cdc_event_type, price, sequence_number, hour "
                  "FROM orders_current ORDER BY order_id"),
            (Rows{{"o1", "MODIFY", "12.0", "10", "11"}, {"o2", "INSERT", "25.0", "12", "11"}}));

  EXPECT_EQ(
      Query("SELECT order_id, version, cdc_event_type, price, valid_from, valid_to, "
            "ended_by_event, ended_by_event_id, ended_by_sequence_number, is_current "
            "FROM orders_history ORDER BY order_id, version"),
      (Rows{{"o1", "1", "INSERT", "10.0", "2026-11-24 10:00:00.000", "2026-11-24 10:00:00.000",
             "MODIFY", "ev-7", "7", "false"},
            {"o1", "2", "MODIFY", "11.0", "2026-11-24 10:00:00.000", "2026-11-24 11:02:00.000",
             "MODIFY", "ev-10", "10", "false"},
            {"o1", "3", "MODIFY", "12.0", "2026-11-24 11:02:00.000", std::nullopt, std::nullopt,
             std::nullopt, std::nullopt, "true"},
            {"o2", "1", "INSERT", "20.0", "2026-11-24 10:00:00.000", "2026-11-24 10:01:00.000",
             "REMOVE", "ev-8", "8", "false"},
            {"o2", "2", "INSERT", "25.0", "2026-11-24 11:03:00.000", std::nullopt, std::nullopt,
             std::nullopt, std::nullopt, "true"},
            {"o3", "1", "INSERT", "30.0", "2026-11-24 10:02:00.000", "2026-11-24 11:04:00.000",
             "REMOVE", "ev-13", "13", "false"}}));

  // "The trail of changes to the same order over time" is one query.
  EXPECT_EQ(Query("SELECT price, ended_by_event FROM orders_history WHERE order_id = 'o2' "
                  "ORDER BY version"),
            (Rows{{"20.0", "REMOVE"}, {"25.0", std::nullopt}}));
}

TEST_F(HistoryViewsTest, CompositeKeysAndNewFilesAreFollowed) {
  Commit("a.json", "10", {Change("o1", "INSERT", "1", "10:00:00.000", 1),
                          Change("o1", "INSERT", "2", "10:00:00.000", 2)});
  // Keyed by (order_id, price), the two rows are two items.
  ASSERT_OK(catalog::RecordKeyColumns(*catalog_, "orders", {"order_id", "price"}));
  ASSERT_OK(RefreshViews(*engine_, *catalog_));
  EXPECT_EQ(Query("SELECT count(*) FROM orders_current"), (Rows{{"2"}}));
  // A new commit is visible in the views at the next refresh.
  Commit("b.json", "10", {Change("o1", "REMOVE", "3", "10:05:00.000", 1)});
  ASSERT_OK(RefreshViews(*engine_, *catalog_));
  EXPECT_EQ(Query("SELECT price FROM orders_current"), (Rows{{"2.0"}}));
  EXPECT_EQ(Query("SELECT price, ended_by_event FROM orders_history ORDER BY price"),
            (Rows{{"1.0", "REMOVE"}, {"2.0", std::nullopt}}));
}

TEST(HistoryViewsSqlTest, OnlyForCdcTablesWithRecordedKeys) {
  TableView table{"orders", OrderColumns(), {"hour"}, {}};
  EXPECT_THAT(HistoryViews(table, {}), IsEmpty());
  EXPECT_THAT(HistoryViews(table, {"missing"}), IsEmpty());
  EXPECT_EQ(HistoryViews(table, {"order_id"}).size(), 2u);
  TableView plain{"plain", {{"order_id", catalog::ColumnType::kString}}, {}, {}};
  EXPECT_THAT(HistoryViews(plain, {"order_id"}), IsEmpty());
  // An item attribute named like a column _history adds (DynamoDB items often carry "version").
  TableView versioned = table;
  versioned.columns.push_back({"version", catalog::ColumnType::kBigint});
  EXPECT_THAT(HistoryViews(versioned, {"order_id"}), IsEmpty());
}

TEST_F(HistoryViewsTest, NoRecordedKeysNoViewsAndNamesTakenByTablesAreKept) {
  Commit("a.json", "10", {Change("o1", "INSERT", "1", "10:00:00.000", 1)});
  ASSERT_OK(RefreshViews(*engine_, *catalog_));
  EXPECT_THAT(engine_->ViewNames(), ElementsAre("orders"));
  catalog::TableDef taken;
  taken.name = "orders_history";
  taken.location = "orders_history";
  taken.columns = {{"x", catalog::ColumnType::kString}};
  ASSERT_OK(catalog_->EnsureTable(taken));
  ASSERT_OK(catalog::RecordKeyColumns(*catalog_, "orders", {"order_id"}));
  ASSERT_OK(RefreshViews(*engine_, *catalog_));
  EXPECT_THAT(engine_->ViewNames(), ElementsAre("orders", "orders_current", "orders_history"));
  EXPECT_EQ(Query("SELECT count(*) FROM orders_history"), (Rows{{"0"}}));  // the table's view
}

}  // namespace
}  // namespace tributary::query
