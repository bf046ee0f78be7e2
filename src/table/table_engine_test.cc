// TableEngine control plane and data plane (items); streams are in table_stream_test.cc.
#include "table/table_engine.h"

#include "table/table_test_util.h"

namespace tributary::table {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tributary::testing::IsOk;
using ::tributary::testing::StatusIs;
using namespace ::tributary::table::testing;  // NOLINT

using TableEngineTest = EngineFixture;

TEST_F(TableEngineTest, CreateDescribeListDelete) {
  auto created = engine().CreateTable(RangeTable("orders"));
  ASSERT_OK(created);
  EXPECT_EQ(created->arn, "arn:aws:dynamodb:eu-west-1:123456789012:table/orders");
  EXPECT_EQ(created->status, "ACTIVE");
  EXPECT_EQ(created->creation_time_ms, 1700000000123);
  EXPECT_EQ(created->latest_stream_label, "2023-11-14T22:13:20.123");
  EXPECT_EQ(created->latest_stream_arn,
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2023-11-14T22:13:20.123");
  EXPECT_EQ(created->shard_ids.size(), 1u);
  EXPECT_EQ(created->range_key->name, "sk");

  EXPECT_THAT(engine().CreateTable(RangeTable("orders")), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(engine().CreateTable(RangeTable("orders")).status().message(), "Table already exists: orders");
  EXPECT_THAT(engine().CreateTable(RangeTable("x")), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(engine().CreateTable(HashTable("beta", std::nullopt)));
  ASSERT_OK(engine().CreateTable(HashTable("alpha")));

  auto all = engine().ListTables();
  ASSERT_OK(all);
  EXPECT_THAT(all->table_names, ElementsAre("alpha", "beta", "orders"));
  EXPECT_FALSE(all->last_evaluated_table_name);
  auto page = engine().ListTables("", 2);
  ASSERT_OK(page);
  EXPECT_THAT(page->table_names, ElementsAre("alpha", "beta"));
  EXPECT_EQ(page->last_evaluated_table_name, "beta");
  page = engine().ListTables("beta", 2);
  EXPECT_THAT(page->table_names, ElementsAre("orders"));
  EXPECT_FALSE(page->last_evaluated_table_name);

  auto beta = engine().DescribeTable("beta");
  ASSERT_OK(beta);
  EXPECT_FALSE(beta->stream_view_type);
  EXPECT_EQ(beta->latest_stream_arn, "");

  ASSERT_OK(engine().PutItem("orders", {{"pk", Str("a")}, {"sk", Num("1")}}));
  auto deleted = engine().DeleteTable("orders");
  ASSERT_OK(deleted);
  EXPECT_EQ(deleted->status, "DELETING");
  EXPECT_EQ(deleted->item_count, 1);
  EXPECT_EQ(engine().DescribeTable("orders").status(), Status::NotFound("Requested resource not found"));
  EXPECT_THAT(engine().DeleteTable("orders"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(engine().GetItem("orders", {{"pk", Str("a")}, {"sk", Num("1")}}), StatusIs(StatusCode::kNotFound));

  // A re-created table starts empty.
  ASSERT_OK(engine().CreateTable(RangeTable("orders")));
  EXPECT_EQ(engine().DescribeTable("orders")->item_count, 0);
  auto scan = engine().Scan("orders", {});
  ASSERT_OK(scan);
  EXPECT_TRUE(scan->items.empty());
}

TEST_F(TableEngineTest, TablesAndItemsSurviveReopen) {
  ASSERT_OK(engine().CreateTable(RangeTable("orders")));
  ASSERT_OK(engine().PutItem("orders", {{"pk", Str("a")}, {"sk", Num("1")}, {"v", Str("x")}}));
  ASSERT_OK(engine().PutItem("orders", {{"pk", Str("a")}, {"sk", Num("2")}}));
  Reopen();
  auto d = engine().DescribeTable("orders");
  ASSERT_OK(d);
  EXPECT_EQ(d->item_count, 2);
  EXPECT_EQ(d->creation_time_ms, 1700000000123);
  auto item = engine().GetItem("orders", {{"pk", Str("a")}, {"sk", Num("1")}});
  ASSERT_OK(item);
  ASSERT_TRUE(item->has_value());
  EXPECT_EQ((**item).at("v"), Str("x"));
  ASSERT_OK(engine().CreateTable(HashTable("other")));
  Reopen();
  EXPECT_THAT(engine().ListTables()->table_names, ElementsAre("orders", "other"));
}

TEST_F(TableEngineTest, PutGetDelete) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  Item item{{"pk", Str("k")}, {"n", Num("007.50")}, {"m", AttributeValue::M({{"x", AttributeValue::Bool(true)}})}};
  auto put = engine().PutItem("t1x", item);
  ASSERT_OK(put);
  EXPECT_TRUE(put->changed);
  EXPECT_FALSE(put->old_item);

  auto got = engine().GetItem("t1x", {{"pk", Str("k")}});
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, item);
  EXPECT_EQ((**got).at("n").text(), "7.5");  // normalized

  Item replacement{{"pk", Str("k")}, {"other", Str("y")}};
  WriteOptions return_old;
  return_old.return_old_item = true;
  put = engine().PutItem("t1x", replacement, return_old);
  ASSERT_OK(put);
  EXPECT_EQ(put->old_item, item);
  EXPECT_EQ(**engine().GetItem("t1x", {{"pk", Str("k")}}), replacement);
  EXPECT_EQ(engine().DescribeTable("t1x")->item_count, 1);
  EXPECT_EQ(engine().DescribeTable("t1x")->size_bytes, static_cast<int64_t>(ItemSizeBytes(replacement)));

  auto del = engine().DeleteItem("t1x", {{"pk", Str("k")}});
  ASSERT_OK(del);
  EXPECT_TRUE(del->changed);
  EXPECT_EQ(del->old_item, replacement);
  EXPECT_FALSE(engine().GetItem("t1x", {{"pk", Str("k")}})->has_value());
  del = engine().DeleteItem("t1x", {{"pk", Str("k")}});
  ASSERT_OK(del);
  EXPECT_FALSE(del->changed);
  EXPECT_FALSE(del->old_item);
  EXPECT_EQ(engine().DescribeTable("t1x")->item_count, 0);
  EXPECT_EQ(engine().DescribeTable("t1x")->size_bytes, 0);
}

TEST_F(TableEngineTest, KeyValidationMessages) {
  ASSERT_OK(engine().CreateTable(RangeTable("t1x")));
  EXPECT_EQ(engine().PutItem("t1x", {{"pk", Str("a")}}).status().message(),
            "One or more parameter values were invalid: Missing the key sk in the item");
  EXPECT_EQ(engine().PutItem("t1x", {{"pk", Num("1")}, {"sk", Num("1")}}).status().message(),
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N");
  EXPECT_EQ(engine().PutItem("t1x", {{"pk", Str("")}, {"sk", Num("1")}}).status().message(),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
            "contain an empty string value. Key: pk");
  EXPECT_EQ(engine().GetItem("t1x", {{"pk", Str("a")}}).status().message(),
            "The provided key element does not match the schema");
  EXPECT_EQ(engine().DeleteItem("t1x", {{"pk", Str("a")}, {"sk", Str("1")}}).status().message(),
            "The provided key element does not match the schema");
  EXPECT_EQ(engine().PutItem("t1x", {{"pk", Str(std::string(2049, 'h'))}, {"sk", Num("1")}}).status().message(),
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
            "of2048 bytes");
  EXPECT_THAT(engine().PutItem("nope", {{"pk", Str("a")}}), StatusIs(StatusCode::kNotFound));
}

TEST_F(TableEngineTest, ItemSizeLimit) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  Item big{{"pk", Str("k")}, {"blob", Str(std::string(400 * 1024, 'x'))}};
  EXPECT_EQ(engine().PutItem("t1x", big).status().message(), "Item size has exceeded the maximum allowed size");
  big["blob"] = Str(std::string(400 * 1024 - 10, 'x'));
  ASSERT_OK(engine().PutItem("t1x", big));
  UpdateSpec grow{"SET more = :v", {}, {{":v", Str(std::string(100, 'y'))}}};
  EXPECT_EQ(engine().UpdateItem("t1x", {{"pk", Str("k")}}, grow).status().message(),
            "Item size to update has exceeded the maximum allowed size");
}

TEST_F(TableEngineTest, UpdateItemUpsertsAndReturnsImages) {
  ASSERT_OK(engine().CreateTable(RangeTable("t1x")));
  Item key{{"pk", Str("a")}, {"sk", Num("1")}};
  UpdateSpec spec{"SET #c = if_not_exists(#c, :zero) + :one, tags = list_append(if_not_exists(tags, :empty), :t)",
                  {{"#c", "count"}},
                  {{":zero", Num("0")},
                   {":one", Num("1")},
                   {":empty", AttributeValue::L({})},
                   {":t", AttributeValue::L({Str("x")})}}};
  auto r = engine().UpdateItem("t1x", key, spec);
  ASSERT_OK(r);
  EXPECT_TRUE(r->changed);
  EXPECT_FALSE(r->old_item);
  Item expected = key;
  expected["count"] = Num("1");
  expected["tags"] = AttributeValue::L({Str("x")});
  EXPECT_EQ(r->new_item, expected);

  r = engine().UpdateItem("t1x", key, spec);
  ASSERT_OK(r);
  EXPECT_EQ(r->old_item, expected);
  EXPECT_EQ(r->new_item->at("count"), Num("2"));
  EXPECT_EQ(r->new_item->at("tags"), AttributeValue::L({Str("x"), Str("x")}));
  EXPECT_EQ(**engine().GetItem("t1x", key), *r->new_item);

  // No expression: creates the item with just its key.
  Item key2{{"pk", Str("b")}, {"sk", Num("2")}};
  r = engine().UpdateItem("t1x", key2, UpdateSpec{});
  ASSERT_OK(r);
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(**engine().GetItem("t1x", key2), key2);
  EXPECT_EQ(engine().DescribeTable("t1x")->item_count, 2);
}

TEST_F(TableEngineTest, UpdateItemErrors) {
  ASSERT_OK(engine().CreateTable(RangeTable("t1x")));
  Item key{{"pk", Str("a")}, {"sk", Num("1")}};
  EXPECT_EQ(engine().UpdateItem("t1x", key, UpdateSpec{"SET pk = :v", {}, {{":v", Str("x")}}}).status().message(),
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of "
            "the key");
  EXPECT_EQ(engine().UpdateItem("t1x", key, UpdateSpec{"SET sk.x = :v", {}, {{":v", Str("x")}}}).status().message(),
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: sk");
  EXPECT_EQ(engine().UpdateItem("t1x", key, UpdateSpec{"SET a = :x", {}, {{":v", Str("x")}}}).status().message(),
            "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
            "attribute value: :x");
  EXPECT_EQ(engine().UpdateItem("t1x", key, UpdateSpec{"SET a = b + :v", {}, {{":v", Num("1")}}}).status().message(),
            "The provided expression refers to an attribute that does not exist in the item");
  // A failed update writes nothing.
  EXPECT_FALSE(engine().GetItem("t1x", key)->has_value());
}

TEST_F(TableEngineTest, WriteConditionAbortsTheWrite) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  WriteOptions must_not_exist;
  must_not_exist.condition = [](const Item* current) {
    return current == nullptr ? Status::Ok() : Status::FailedPrecondition("The conditional request failed");
  };
  ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("a")}, {"v", Num("1")}}, must_not_exist));
  EXPECT_THAT(engine().PutItem("t1x", {{"pk", Str("a")}, {"v", Num("2")}}, must_not_exist),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ((**engine().GetItem("t1x", {{"pk", Str("a")}})).at("v"), Num("1"));
  EXPECT_THAT(engine().DeleteItem("t1x", {{"pk", Str("a")}}, must_not_exist),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(AllRecords("t1x").size(), 1u);
}

std::vector<std::string> SortKeys(const Page& page) {
  std::vector<std::string> out;
  for (const auto& item : page.items) out.push_back(item.at("sk").text());
  return out;
}

TEST_F(TableEngineTest, QueryOrdersNumbersNumerically) {
  ASSERT_OK(engine().CreateTable(RangeTable("t1x")));
  for (const char* n : {"10", "9", "-1", "100", "2.5", "0", "-20", "1e3", "0.001"}) {
    ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("p")}, {"sk", Num(n)}}));
  }
  ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("other")}, {"sk", Num("5")}}));
  ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("p0")}, {"sk", Num("5")}}));
  QuerySpec q;
  q.hash_value = Str("p");
  auto page = engine().Query("t1x", q);
  ASSERT_OK(page);
  EXPECT_THAT(SortKeys(*page), ElementsAre("-20", "-1", "0", "0.001", "2.5", "9", "10", "100", "1000"));
  EXPECT_FALSE(page->last_evaluated_key);

  q.scan_forward = false;
  page = engine().Query("t1x", q);
  EXPECT_THAT(SortKeys(*page), ElementsAre("1000", "100", "10", "9", "2.5", "0.001", "0", "-1", "-20"));

  q.scan_forward = true;
  q.range = RangeCondition{RangeOp::kBetween, Num("0"), Num("10")};
  EXPECT_THAT(SortKeys(*engine().Query("t1x", q)), ElementsAre("0", "0.001", "2.5", "9", "10"));
  q.range = RangeCondition{RangeOp::kLt, Num("0"), {}};
  EXPECT_THAT(SortKeys(*engine().Query("t1x", q)), ElementsAre("-20", "-1"));
  q.range = RangeCondition{RangeOp::kLe, Num("-1"), {}};
  EXPECT_THAT(SortKeys(*engine().Query("t1x", q)), ElementsAre("-20", "-1"));
  q.range = RangeCondition{RangeOp::kGt, Num("10"), {}};
  EXPECT_THAT(SortKeys(*engine().Query("t1x", q)), ElementsAre("100", "1000"));
  q.range = RangeCondition{RangeOp::kGe, Num("100"), {}};
  EXPECT_THAT(SortKeys(*engine().Query("t1x", q)), ElementsAre("100", "1000"));
  q.range = RangeCondition{RangeOp::kEq, Num("2.50"), {}};
  EXPECT_THAT(SortKeys(*engine().Query("t1x", q)), ElementsAre("2.5"));
  q.range = RangeCondition{RangeOp::kBeginsWith, Num("1"), {}};
  EXPECT_THAT(engine().Query("t1x", q), StatusIs(StatusCode::kInvalidArgument));
  q.range = RangeCondition{RangeOp::kEq, Str("x"), {}};
  EXPECT_THAT(engine().Query("t1x", q), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TableEngineTest, QueryPagesForwardAndBackward) {
  ASSERT_OK(engine().CreateTable(RangeTable("t1x", AttributeType::kS)));
  for (const char* s : {"a", "ab", "abc", "b", "ba", "c"}) {
    ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("p")}, {"sk", Str(s)}}));
  }
  QuerySpec q;
  q.hash_value = Str("p");
  q.range = RangeCondition{RangeOp::kBeginsWith, Str("a"), {}};
  EXPECT_THAT(SortKeys(*engine().Query("t1x", q)), ElementsAre("a", "ab", "abc"));

  for (bool forward : {true, false}) {
    QuerySpec paged;
    paged.hash_value = Str("p");
    paged.limit = 4;
    paged.scan_forward = forward;
    std::vector<std::string> seen;
    int pages = 0;
    while (true) {
      auto page = engine().Query("t1x", paged);
      ASSERT_OK(page);
      ++pages;
      for (auto& s : SortKeys(*page)) seen.push_back(s);
      if (!page->last_evaluated_key) break;
      EXPECT_EQ(page->last_evaluated_key->size(), 2u);
      paged.exclusive_start_key = page->last_evaluated_key;
    }
    EXPECT_EQ(pages, 2);
    if (forward) {
      EXPECT_THAT(seen, ElementsAre("a", "ab", "abc", "b", "ba", "c"));
    } else {
      EXPECT_THAT(seen, ElementsAre("c", "ba", "b", "abc", "ab", "a"));
    }
  }
  QuerySpec bad;
  bad.hash_value = Str("p");
  bad.exclusive_start_key = Item{{"pk", Str("p")}};
  EXPECT_THAT(engine().Query("t1x", bad).status().message(), HasSubstr("The provided starting key is invalid"));
}

TEST_F(TableEngineTest, ScanPages) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  ASSERT_OK(engine().CreateTable(HashTable("t2x")));
  for (int i = 0; i < 25; ++i) {
    ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("k" + std::to_string(i))}}));
    ASSERT_OK(engine().PutItem("t2x", {{"pk", Str("other" + std::to_string(i))}}));
  }
  ScanSpec scan;
  scan.limit = 10;
  std::set<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = engine().Scan("t1x", scan);
    ASSERT_OK(page);
    ++pages;
    for (const auto& item : page->items) EXPECT_TRUE(seen.insert(item.at("pk").text()).second);
    if (!page->last_evaluated_key) break;
    scan.exclusive_start_key = page->last_evaluated_key;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 25u);
}

TEST_F(TableEngineTest, ScanStopsAtOneMegabyte) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", std::nullopt)));
  for (int i = 0; i < 12; ++i) {
    ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("k" + std::to_string(i))}, {"v", Str(std::string(100000, 'x'))}}));
  }
  auto page = engine().Scan("t1x", {});
  ASSERT_OK(page);
  EXPECT_EQ(page->items.size(), 11u);
  ASSERT_TRUE(page->last_evaluated_key);
  ScanSpec next;
  next.exclusive_start_key = page->last_evaluated_key;
  EXPECT_EQ(engine().Scan("t1x", next)->items.size(), 1u);
}

}  // namespace
}  // namespace tributary::table
