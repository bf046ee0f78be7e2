// Schema evolution through the query engine: files written under older schema versions stay
// readable, with the table's current types, after columns are added, widened, or fall back to
// string/json (catalog::WidenColumnType, docs/catalog.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/catalog.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

namespace fs = std::filesystem;
using catalog::ColumnType;
using ::testing::ElementsAre;
using tributary::testing::TempDir;

class SchemaEvolutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(opened);
    catalog_ = std::move(*opened);
    catalog::TableDef def;
    def.name = "orders";
    def.location = "orders";
    def.partition_keys = {"day"};
    ASSERT_OK(catalog_->EnsureTable(def));
    auto engine = QueryEngine::Open(testing::LakeOptions(lake_.string()));
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  // Writes `lines` as one file of partition day=`day` and commits it with `observed` columns (what
  // delivery's ColumnSet reports for those rows).
  void Commit(const std::string& name, const std::string& day, std::vector<std::string> lines,
              std::vector<catalog::Column> observed) {
    const std::string relative = "orders/day=" + day + "/" + name;
    testing::WriteLines(lake_, relative, lines);
    catalog::DataFile file;
    file.path = relative;
    file.partition_values = {{"day", day}};
    file.row_count = static_cast<int64_t>(lines.size());
    ASSERT_OK(catalog_->CommitFiles("orders", observed, {file}, {}));
  }

  QueryResult Query(const std::string& sql) {
    EXPECT_OK(RefreshViews(*engine_, *catalog_));
    auto result = engine_->Execute(sql);
    EXPECT_OK(result) << sql;
    return result.ok() ? *result : QueryResult{};
  }

  TempDir dir_;
  fs::path lake_ = dir_.path() / "lake";
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(SchemaEvolutionTest, OldFilesReadWithTheNewTypes) {
  // Version 2: the first file.
  Commit("a.json", "01",
         {R"({"id":"a","qty":5,"price":10,"created":"2024-05-01 10:00:00.000","meta":{"k":1}})",
          R"({"id":"b","qty":7,"price":20,"created":"2024-05-01 11:00:00","meta":{"k":2}})"},
         {{"id", ColumnType::kString},
          {"qty", ColumnType::kBigint},
          {"price", ColumnType::kBigint},
          {"created", ColumnType::kTimestamp},
          {"meta", ColumnType::kJson}});
  QueryResult r = Query("SELECT sum(qty), max(created) FROM orders");
  EXPECT_THAT(r.column_types, ElementsAre("HUGEINT", "TIMESTAMP"));
  EXPECT_THAT(r.rows[0], ElementsAre("12", "2024-05-01 11:00:00.000"));

  // Version 3: price widens to double, a new attribute appears.
  Commit("b.json", "02", {R"({"id":"c","qty":1,"price":2.5,"created":"2024-05-02 09:00:00","coupon":"X"})"},
         {{"id", ColumnType::kString},
          {"qty", ColumnType::kBigint},
          {"price", ColumnType::kDouble},
          {"created", ColumnType::kTimestamp},
          {"coupon", ColumnType::kString}});
  r = Query("SELECT id, price, coupon FROM orders ORDER BY id");
  EXPECT_THAT(r.column_types, ElementsAre("VARCHAR", "DOUBLE", "VARCHAR"));
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_THAT(r.rows[0], ElementsAre("a", "10.0", std::nullopt));  // old bigint, read as double
  EXPECT_THAT(r.rows[2], ElementsAre("c", "2.5", "X"));
  r = Query("SELECT sum(price) FROM orders");
  EXPECT_THAT(r.rows[0], ElementsAre("32.5"));

  // Version 4: qty arrives as a string, created as free text, meta as a scalar: qty and created
  // fall back to string, meta stays json.
  Commit("c.json", "02", {R"({"id":"d","qty":"many","created":"yesterday","meta":"none"})"},
         {{"id", ColumnType::kString},
          {"qty", ColumnType::kString},
          {"created", ColumnType::kString},
          {"meta", ColumnType::kString}});
  auto table = catalog_->GetTable("orders");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 4);
  r = Query("SELECT id, qty, created, meta FROM orders ORDER BY id");
  EXPECT_THAT(r.column_types, ElementsAre("VARCHAR", "VARCHAR", "VARCHAR", "JSON"));
  ASSERT_EQ(r.rows.size(), 4u);
  // Old bigint and timestamp values read as their text; old objects stay JSON.
  EXPECT_THAT(r.rows[0], ElementsAre("a", "5", "2024-05-01 10:00:00.000", R"({"k":1})"));
  EXPECT_THAT(r.rows[1], ElementsAre("b", "7", "2024-05-01 11:00:00", R"({"k":2})"));
  EXPECT_THAT(r.rows[2], ElementsAre("c", "1", "2024-05-02 09:00:00", std::nullopt));
  EXPECT_THAT(r.rows[3], ElementsAre("d", "many", "yesterday", R"("none")"));

  // Queries written against the old types still work over every version's files.
  r = Query("SELECT id FROM orders WHERE qty = '7'");
  EXPECT_THAT(r.rows, ElementsAre(ElementsAre("b")));
  r = Query("SELECT sum(try_cast(qty AS BIGINT)) FROM orders");
  EXPECT_THAT(r.rows[0], ElementsAre("13"));
  r = Query("SELECT count(*) FROM orders WHERE try_cast(created AS TIMESTAMP) < TIMESTAMP '2024-05-02'");
  EXPECT_THAT(r.rows[0], ElementsAre("2"));
  r = Query("SELECT id, json_extract_string(meta, '$.k') FROM orders WHERE meta IS NOT NULL "
            "ORDER BY id");
  EXPECT_THAT(r.rows, ElementsAre(ElementsAre("a", "1"), ElementsAre("b", "2"),
                                  ElementsAre("d", std::nullopt)));
  r = Query("SELECT day, count(*) FROM orders GROUP BY day ORDER BY day");
  EXPECT_THAT(r.rows, ElementsAre(ElementsAre("01", "2"), ElementsAre("02", "2")));

  // Every step is in the history.
  auto versions = catalog_->ListSchemaVersions("orders");
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 4u);
  std::vector<std::string> last;
  for (const auto& change : versions->back().changes) {
    last.push_back(catalog::DescribeColumnChange(change));
  }
  EXPECT_THAT(last, ElementsAre("qty: bigint conflicts with string -> string",
                                "created: timestamp conflicts with string -> string"));
}

}  // namespace
}  // namespace tributary::query
