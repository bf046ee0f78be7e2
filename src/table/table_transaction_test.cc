// TransactWriteItems / TransactGetItems (atomicity, conditions, reasons, stream records, one item
// once) and the TTL sweeper (ExpireItems with a manual clock, service REMOVE records).
#include <thread>

#include "table/table_engine.h"
#include "table/table_test_util.h"

namespace tributary::table {
namespace {

using ::testing::ElementsAre;
using ::tributary::testing::IsOk;
using ::tributary::testing::StatusIs;
using namespace ::tributary::table::testing;  // NOLINT
using Kind = TransactWriteAction::Kind;

using TableTransactionTest = EngineFixture;

TransactWriteAction Put(std::string table, Item item) {
  TransactWriteAction a;
  a.kind = Kind::kPut;
  a.table = std::move(table);
  a.item = std::move(item);
  return a;
}

TransactWriteAction Action(Kind kind, std::string table, Item key, WriteCondition cond = nullptr) {
  TransactWriteAction a;
  a.kind = kind;
  a.table = std::move(table);
  a.item = std::move(key);
  a.condition = std::move(cond);
  return a;
}

Status MustExist(const Item* current) {
  return current != nullptr ? Status::Ok() : Status::FailedPrecondition("The conditional request failed");
}

TEST_F(TableTransactionTest, AllOrNothingAcrossTablesWithStreamRecords) {
  ASSERT_OK(engine().CreateTable(HashTable("accounts")));
  ASSERT_OK(engine().CreateTable(RangeTable("ledger")));
  ASSERT_OK(engine().PutItem("accounts", {{"pk", Str("alice")}, {"balance", Num("100")}}));

  // Update alice, insert a ledger row, condition-check bob (missing) -> cancelled, nothing written.
  std::vector<TransactWriteAction> actions;
  actions.push_back(Action(Kind::kUpdate, "accounts", {{"pk", Str("alice")}}, MustExist));
  const ExpressionAttributeNames no_names;
  const AttributeMap values{{":d", Num("-30")}};
  ExpressionContext ctx(no_names, values);
  auto update = ParseUpdateExpression("ADD balance :d", &ctx);
  ASSERT_OK(update);
  actions[0].update = *update;
  actions.push_back(Put("ledger", {{"pk", Str("alice")}, {"sk", Num("1")}, {"amount", Num("30")}}));
  actions.push_back(Action(Kind::kConditionCheck, "accounts", {{"pk", Str("bob")}}, MustExist));
  actions[2].return_item_on_condition_failure = true;
  std::vector<CancellationReason> reasons;
  Status s = engine().TransactWriteItems(actions, &reasons);
  EXPECT_THAT(s, StatusIs(StatusCode::kAborted));
  EXPECT_EQ(s.message(),
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, "
            "ConditionalCheckFailed]");
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(reasons[2].code, "ConditionalCheckFailed");
  EXPECT_FALSE(reasons[2].item);
  EXPECT_EQ((*engine().GetItem("accounts", {{"pk", Str("alice")}}))->at("balance"), Num("100"));
  EXPECT_FALSE(*engine().GetItem("ledger", {{"pk", Str("alice")}, {"sk", Num("1")}}));
  size_t records_before = AllRecords("accounts").size() + AllRecords("ledger").size();

  // Bob exists now -> everything commits, with one record per changed item.
  ASSERT_OK(engine().PutItem("accounts", {{"pk", Str("bob")}, {"balance", Num("0")}}));
  ASSERT_OK(engine().TransactWriteItems(actions, &reasons));
  EXPECT_EQ((*engine().GetItem("accounts", {{"pk", Str("alice")}}))->at("balance"), Num("70"));
  EXPECT_TRUE(*engine().GetItem("ledger", {{"pk", Str("alice")}, {"sk", Num("1")}}));
  EXPECT_EQ(AllRecords("accounts").size() + AllRecords("ledger").size(), records_before + 3);  // bob put + 2
  EXPECT_EQ(engine().DescribeTable("ledger")->item_count, 1);

  auto gets = engine().TransactGetItems({{"accounts", {{"pk", Str("alice")}}}, {"ledger", {{"pk", Str("x")}, {"sk", Num("1")}}}});
  ASSERT_OK(gets);
  ASSERT_EQ(gets->size(), 2u);
  EXPECT_EQ((*gets)[0]->at("balance"), Num("70"));
  EXPECT_FALSE((*gets)[1]);
}

TEST_F(TableTransactionTest, ValidationAndReasons) {
  ASSERT_OK(engine().CreateTable(HashTable("tbl")));
  std::vector<TransactWriteAction> twice;
  twice.push_back(Put("tbl", {{"pk", Str("a")}}));
  twice.push_back(Action(Kind::kDelete, "tbl", {{"pk", Str("a")}}));
  std::vector<CancellationReason> reasons;
  Status s = engine().TransactWriteItems(twice, &reasons);
  EXPECT_EQ(s, Status::InvalidArgument("Transaction request cannot include multiple operations on one item"));

  std::vector<TransactWriteAction> missing;
  missing.push_back(Put("nope", {{"pk", Str("a")}}));
  EXPECT_THAT(engine().TransactWriteItems(missing, &reasons), StatusIs(StatusCode::kNotFound));

  ASSERT_OK(engine().PutItem("tbl", {{"pk", Str("a")}, {"v", Str("x")}}));
  std::vector<TransactWriteAction> bad_update;
  bad_update.push_back(Action(Kind::kUpdate, "tbl", {{"pk", Str("a")}}));
  const ExpressionAttributeNames no_names;
  const AttributeMap values{{":n", Num("1")}};
  ExpressionContext ctx(no_names, values);
  bad_update[0].update = *ParseUpdateExpression("ADD v :n", &ctx);
  bad_update.push_back(Action(Kind::kConditionCheck, "tbl", {{"pk", Str("a2")}}, [](const Item*) {
    return Status::FailedPrecondition("The conditional request failed");
  }));
  bad_update[1].return_item_on_condition_failure = true;
  s = engine().TransactWriteItems(bad_update, &reasons);
  EXPECT_EQ(s.message(),
            "Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError, "
            "ConditionalCheckFailed]");
  EXPECT_EQ(reasons[0].code, "ValidationError");
  EXPECT_FALSE(reasons[0].message.empty());
}

TEST_F(TableTransactionTest, ConcurrentTransfersKeepTheTotal) {
  ASSERT_OK(engine().CreateTable(HashTable("acc")));
  for (int i = 0; i < 4; ++i) ASSERT_OK(engine().PutItem("acc", {{"pk", Str("k" + std::to_string(i))}, {"n", Num("100")}}));
  auto transfer = [&](int from, int to) {
    std::vector<TransactWriteAction> actions;
    const ExpressionAttributeNames no_names;
    const AttributeMap minus_values{{":d", Num("-1")}}, plus_values{{":d", Num("1")}};
    ExpressionContext minus(no_names, minus_values);
    ExpressionContext plus(no_names, plus_values);
    actions.push_back(Action(Kind::kUpdate, "acc", {{"pk", Str("k" + std::to_string(from))}}));
    actions[0].update = *ParseUpdateExpression("ADD n :d", &minus);
    actions.push_back(Action(Kind::kUpdate, "acc", {{"pk", Str("k" + std::to_string(to))}}));
    actions[1].update = *ParseUpdateExpression("ADD n :d", &plus);
    std::vector<CancellationReason> reasons;
    return engine().TransactWriteItems(actions, &reasons);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) EXPECT_OK(transfer(t, (t + 1 + i % 3) % 4));
    });
  }
  for (auto& th : threads) th.join();
  int64_t total = 0;
  for (int i = 0; i < 4; ++i) {
    int64_t v = 0;
    ASSERT_TRUE(NumberToInt64((*engine().GetItem("acc", {{"pk", Str("k" + std::to_string(i))}}))->at("n").text(), &v));
    total += v;
  }
  EXPECT_EQ(total, 400);
}

TEST_F(TableTransactionTest, ExpireItemsDeletesPastTtlWithServiceRecords) {
  ASSERT_OK(engine().CreateTable(HashTable("sessions")));
  const int64_t now_s = clock_.NowMillis() / 1000;
  ASSERT_OK(engine().PutItem("sessions", {{"pk", Str("old")}, {"exp", Num(std::to_string(now_s - 10))}}));
  ASSERT_OK(engine().PutItem("sessions", {{"pk", Str("new")}, {"exp", Num(std::to_string(now_s + 100))}}));
  ASSERT_OK(engine().PutItem("sessions", {{"pk", Str("ancient")}, {"exp", Num(std::to_string(now_s - 6 * 365 * 86400))}}));
  ASSERT_OK(engine().PutItem("sessions", {{"pk", Str("str")}, {"exp", Str("1")}}));
  ASSERT_OK(engine().PutItem("sessions", {{"pk", Str("none")}}));

  auto n = engine().ExpireItems();  // TTL not enabled yet
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0);
  ASSERT_OK(engine().SetTimeToLive("sessions", TimeToLive{"exp", true}));
  n = engine().ExpireItems();
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(*engine().GetItem("sessions", {{"pk", Str("old")}}));

  clock_.AdvanceMillis(200 * 1000);
  n = engine().ExpireItems();
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(*engine().GetItem("sessions", {{"pk", Str("new")}}));
  EXPECT_TRUE(*engine().GetItem("sessions", {{"pk", Str("ancient")}}));
  EXPECT_TRUE(*engine().GetItem("sessions", {{"pk", Str("str")}}));
  EXPECT_EQ(engine().DescribeTable("sessions")->item_count, 3);

  std::vector<ChangeRecord> removes;
  for (auto& r : AllRecords("sessions")) {
    if (r.event_name == EventName::kRemove) removes.push_back(r);
  }
  ASSERT_EQ(removes.size(), 2u);
  for (const auto& r : removes) {
    EXPECT_EQ(r.user_identity_type, "Service");
    EXPECT_EQ(r.user_identity_principal_id, "dynamodb.amazonaws.com");
  }
}

}  // namespace
}  // namespace tributary::table
