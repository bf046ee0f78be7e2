// Secondary indexes: maintenance in the item write, sparse GSIs, projections, Query/Scan on an
// index with paging, UpdateTable create (backfill) / delete, persistence; tags and TTL settings.
#include <atomic>
#include <set>
#include <thread>

#include "table/table_engine.h"
#include "table/table_test_util.h"

namespace tributary::table {
namespace {

using ::testing::ElementsAre;
using ::tributary::testing::IsOk;
using ::tributary::testing::StatusIs;
using namespace ::tributary::table::testing;  // NOLINT

using TableIndexTest = EngineFixture;

TableSpec OrdersWithIndexes() {
  TableSpec spec = RangeTable("orders");
  IndexSpec by_status;
  by_status.name = "by_status";
  by_status.hash_key = {"status", AttributeType::kS};
  by_status.range_key = KeyAttribute{"amount", AttributeType::kN};
  by_status.projection = ProjectionType::kKeysOnly;
  spec.indexes.push_back(by_status);
  IndexSpec by_amount;
  by_amount.name = "by_amount";
  by_amount.local = true;
  by_amount.hash_key = {"pk", AttributeType::kS};
  by_amount.range_key = KeyAttribute{"amount", AttributeType::kN};
  by_amount.projection = ProjectionType::kInclude;
  by_amount.non_key_attributes = {"note"};
  spec.indexes.push_back(by_amount);
  return spec;
}

Item Order(std::string pk, int sk, std::optional<std::string> status, int amount) {
  Item item{{"pk", Str(std::move(pk))}, {"sk", Num(std::to_string(sk))}, {"amount", Num(std::to_string(amount))},
            {"note", Str("n")}, {"other", Str("o")}};
  if (status) item["status"] = Str(*status);
  return item;
}

std::vector<std::string> Pks(const Page& page) {
  std::vector<std::string> out;
  for (const auto& item : page.items) out.push_back(item.at("pk").text() + "/" + item.at("sk").text());
  return out;
}

TEST_F(TableIndexTest, GsiIsSparseAndFollowsUpdates) {
  ASSERT_OK(engine().CreateTable(OrdersWithIndexes()));
  ASSERT_OK(engine().PutItem("orders", Order("a", 1, "OPEN", 30)));
  ASSERT_OK(engine().PutItem("orders", Order("b", 1, "OPEN", 10)));
  ASSERT_OK(engine().PutItem("orders", Order("c", 1, std::nullopt, 20)));  // not in by_status

  QuerySpec q;
  q.index_name = "by_status";
  q.hash_value = Str("OPEN");
  auto page = engine().Query("orders", q);
  ASSERT_OK(page);
  EXPECT_THAT(Pks(*page), ElementsAre("b/1", "a/1"));  // by amount
  // KEYS_ONLY: table keys + index keys.
  EXPECT_EQ(page->items[0].size(), 4u);
  EXPECT_FALSE(page->items[0].count("note"));

  // Moving an item out of the partition, and deleting one.
  UpdateSpec set_closed{"SET #s = :c", {{"#s", "status"}}, {{":c", Str("CLOSED")}}};
  ASSERT_OK(engine().UpdateItem("orders", {{"pk", Str("a")}, {"sk", Num("1")}}, set_closed));
  ASSERT_OK(engine().DeleteItem("orders", {{"pk", Str("b")}, {"sk", Num("1")}}));
  page = engine().Query("orders", q);
  ASSERT_OK(page);
  EXPECT_TRUE(page->items.empty());
  q.hash_value = Str("CLOSED");
  page = engine().Query("orders", q);
  EXPECT_THAT(Pks(*page), ElementsAre("a/1"));

  auto d = engine().DescribeTable("orders");
  ASSERT_OK(d);
  ASSERT_EQ(d->indexes.size(), 2u);
  EXPECT_EQ(d->indexes[0].item_count, 1);  // by_status: a
  EXPECT_EQ(d->indexes[1].item_count, 2);  // by_amount: a, c
  EXPECT_EQ(d->indexes[0].arn, "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/by_status");

  // A wrong index key type is rejected and writes nothing.
  Item bad = Order("d", 1, "OPEN", 1);
  bad["status"] = Num("5");
  auto put = engine().PutItem("orders", bad);
  EXPECT_THAT(put, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(put.status().message(),
            "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N "
            "IndexName: by_status");
  EXPECT_FALSE(*engine().GetItem("orders", {{"pk", Str("d")}, {"sk", Num("1")}}));
}

TEST_F(TableIndexTest, LsiProjectionAndPaging) {
  ASSERT_OK(engine().CreateTable(OrdersWithIndexes()));
  for (int i = 0; i < 7; ++i) ASSERT_OK(engine().PutItem("orders", Order("p", i, "OPEN", 100 - i)));
  QuerySpec q;
  q.index_name = "by_amount";
  q.hash_value = Str("p");
  q.range = RangeCondition{RangeOp::kGe, Num("95"), {}};
  q.limit = 2;
  std::vector<std::string> all;
  int pages = 0;
  while (true) {
    auto page = engine().Query("orders", q);
    ASSERT_OK(page);
    ++pages;
    for (const auto& item : page->items) {
      EXPECT_TRUE(item.count("note"));    // INCLUDE
      EXPECT_FALSE(item.count("other"));
    }
    auto p = Pks(*page);
    all.insert(all.end(), p.begin(), p.end());
    if (!page->last_evaluated_key) break;
    // LastEvaluatedKey: table keys + index keys.
    EXPECT_EQ(page->last_evaluated_key->size(), 3u);
    q.exclusive_start_key = page->last_evaluated_key;
  }
  EXPECT_THAT(all, ElementsAre("p/5", "p/4", "p/3", "p/2", "p/1", "p/0"));
  EXPECT_EQ(pages, 3);

  // Fetching the table's items through the LSI (Select=ALL_ATTRIBUTES).
  QuerySpec fetch;
  fetch.index_name = "by_amount";
  fetch.hash_value = Str("p");
  fetch.fetch_table_items = true;
  auto full = engine().Query("orders", fetch);
  ASSERT_OK(full);
  ASSERT_EQ(full->items.size(), 7u);
  EXPECT_TRUE(full->items[0].count("other"));
  EXPECT_EQ(full->items[0].at("sk"), Num("6"));  // lowest amount first

  ScanSpec scan;
  scan.index_name = "by_status";
  scan.limit = 4;
  std::set<std::string> seen;
  while (true) {
    auto page = engine().Scan("orders", scan);
    ASSERT_OK(page);
    for (auto& p : Pks(*page)) seen.insert(p);
    if (!page->last_evaluated_key) break;
    scan.exclusive_start_key = page->last_evaluated_key;
  }
  EXPECT_EQ(seen.size(), 7u);

  q.index_name = "nope";
  auto missing = engine().Query("orders", q);
  EXPECT_EQ(missing.status().message(), "The table does not have the specified index: nope");
}

TEST_F(TableIndexTest, UpdateTableBackfillsAndDropsIndexesAndSurvivesReopen) {
  ASSERT_OK(engine().CreateTable(RangeTable("tbl")));
  for (int i = 0; i < 5; ++i) {
    Item item{{"pk", Str("k" + std::to_string(i))}, {"sk", Num("1")}};
    if (i % 2 == 0) item["g"] = Str("even");
    ASSERT_OK(engine().PutItem("tbl", item));
  }
  TableUpdate update;
  IndexSpec g;
  g.name = "by_g";
  g.hash_key = {"g", AttributeType::kS};
  update.create_indexes.push_back(g);
  update.attribute_definitions = {{"g", AttributeType::kS}};
  auto d = engine().UpdateTable("tbl", update);
  ASSERT_OK(d);
  ASSERT_EQ(d->indexes.size(), 1u);
  EXPECT_EQ(d->indexes[0].status, "CREATING");
  EXPECT_EQ(d->indexes[0].item_count, 3);

  Reopen();
  auto described = engine().DescribeTable("tbl");
  ASSERT_OK(described);
  ASSERT_EQ(described->indexes.size(), 1u);
  EXPECT_EQ(described->indexes[0].status, "ACTIVE");
  EXPECT_EQ(described->indexes[0].spec, g);
  QuerySpec q;
  q.index_name = "by_g";
  q.hash_value = Str("even");
  auto page = engine().Query("tbl", q);
  ASSERT_OK(page);
  EXPECT_EQ(page->items.size(), 3u);
  // New writes after reopen maintain it.
  ASSERT_OK(engine().PutItem("tbl", {{"pk", Str("z")}, {"sk", Num("1")}, {"g", Str("even")}}));
  EXPECT_EQ(engine().Query("tbl", q)->items.size(), 4u);

  TableUpdate drop;
  drop.delete_indexes = {"by_g"};
  ASSERT_OK(engine().UpdateTable("tbl", drop));
  EXPECT_THAT(engine().Query("tbl", q), StatusIs(StatusCode::kInvalidArgument));
  drop.delete_indexes = {"by_g"};
  EXPECT_THAT(engine().UpdateTable("tbl", drop), StatusIs(StatusCode::kNotFound));

  TableUpdate billing;
  billing.billing_mode = BillingMode::kProvisioned;
  billing.throughput = Throughput{5, 7};
  auto b = engine().UpdateTable("tbl", billing);
  ASSERT_OK(b);
  EXPECT_EQ(b->billing_mode, BillingMode::kProvisioned);
  EXPECT_EQ(b->throughput, (Throughput{5, 7}));
}

TEST_F(TableIndexTest, DeleteTableRemovesIndexEntries) {
  ASSERT_OK(engine().CreateTable(OrdersWithIndexes()));
  ASSERT_OK(engine().PutItem("orders", Order("a", 1, "OPEN", 30)));
  ASSERT_OK(engine().DeleteTable("orders"));
  ASSERT_OK(engine().CreateTable(OrdersWithIndexes()));
  QuerySpec q;
  q.index_name = "by_status";
  q.hash_value = Str("OPEN");
  EXPECT_TRUE(engine().Query("orders", q)->items.empty());
  EXPECT_EQ(engine().DescribeTable("orders")->indexes[0].item_count, 0);
}

TEST_F(TableIndexTest, IndexValidation) {
  TableSpec spec = HashTable("hhh");
  IndexSpec lsi;
  lsi.name = "lsi1";
  lsi.local = true;
  lsi.hash_key = {"pk", AttributeType::kS};
  lsi.range_key = KeyAttribute{"x", AttributeType::kS};
  spec.indexes.push_back(lsi);
  EXPECT_EQ(engine().CreateTable(spec).status().message(),
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is "
            "required when specifying a LocalSecondaryIndex");
  TableSpec dup = RangeTable("rrr");
  IndexSpec g;
  g.name = "gsi";
  g.hash_key = {"x", AttributeType::kS};
  dup.indexes = {g, g};
  EXPECT_EQ(engine().CreateTable(dup).status().message(),
            "One or more parameter values were invalid: Duplicate index name: gsi");
  dup.indexes = {g};
  dup.indexes[0].projection = ProjectionType::kInclude;
  EXPECT_EQ(engine().CreateTable(dup).status().message(),
            "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not "
            "specified");
}

TEST_F(TableIndexTest, TagsAndTtlSettingsPersist) {
  ASSERT_OK(engine().CreateTable(HashTable("tbl")));
  ASSERT_OK(engine().TagTable("tbl", {{"env", "dev"}, {"team", "a"}}));
  ASSERT_OK(engine().UntagTable("tbl", {"team", "missing"}));
  ASSERT_OK(engine().SetTimeToLive("tbl", TimeToLive{"expires", true}));
  Reopen();
  auto tags = engine().ListTags("tbl");
  ASSERT_OK(tags);
  EXPECT_EQ(*tags, (std::map<std::string, std::string>{{"env", "dev"}}));
  EXPECT_EQ(engine().DescribeTable("tbl")->ttl, (TimeToLive{"expires", true}));
  EXPECT_THAT(engine().TagTable("nope", {}), StatusIs(StatusCode::kNotFound));
}

TEST_F(TableIndexTest, BackfillRacesWritersAndDeleteTableWithoutLosingEntries) {
  ASSERT_OK(engine().CreateTable(HashTable("race")));
  ASSERT_OK(engine().CreateTable(HashTable("doomed")));
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load() && i < 2000; ++i) {
      ASSERT_OK(engine().PutItem("race", {{"pk", Str("k" + std::to_string(i))}, {"g", Str(i % 2 ? "odd" : "even")}}));
      written.store(i + 1);
    }
  });
  std::thread deleter([&] {
    // DeleteTable (tables_mu_ then alive_mu) racing UpdateTable on another table.
    EXPECT_OK(engine().DeleteTable("doomed"));
  });
  while (written.load() < 50) std::this_thread::yield();
  TableUpdate update;
  IndexSpec g;
  g.name = "by_g";
  g.hash_key = {"g", AttributeType::kS};
  update.create_indexes.push_back(g);
  ASSERT_OK(engine().UpdateTable("race", update));
  stop.store(true);
  writer.join();
  deleter.join();
  const int n = written.load();
  QuerySpec q;
  q.index_name = "by_g";
  size_t found = 0;
  for (const char* v : {"odd", "even"}) {
    q.hash_value = Str(v);
    q.exclusive_start_key.reset();
    while (true) {
      auto page = engine().Query("race", q);
      ASSERT_OK(page);
      found += page->items.size();
      if (!page->last_evaluated_key) break;
      q.exclusive_start_key = page->last_evaluated_key;
    }
  }
  EXPECT_EQ(found, static_cast<size_t>(n));
  EXPECT_EQ(engine().DescribeTable("race")->indexes[0].item_count, n);
}

}  // namespace
}  // namespace tributary::table
