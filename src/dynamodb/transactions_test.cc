// TransactWriteItems / TransactGetItems through Dispatch: exact JSON of successes and of
// TransactionCanceledException, validation, ClientRequestToken idempotency.
#include <memory>

#include "core/clock.h"
#include "dynamodb/api.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::dynamodb {
namespace {

class TransactionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table::TableEngine::Options options;
    options.clock = &clock_;
    auto engine = table::TableEngine::Open(dir_.str(), options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    ctx_.engine = engine_.get();
    ctx_.clock = &clock_;
    registry_ = BuildRegistry();
    ASSERT_EQ(Call("CreateTable", R"({"TableName":"acc","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})").http_status, 200);
    ASSERT_EQ(Call("PutItem", R"({"TableName":"acc","Item":{"id":{"S":"a"},"n":{"N":"10"}}})").http_status, 200);
  }

  ApiResponse Call(std::string_view op, std::string_view body) {
    return Dispatch(registry_, "DynamoDB_20120810." + std::string(op), body, ctx_);
  }
  std::string Get(std::string_view id) {
    return Call("GetItem", R"({"TableName":"acc","Key":{"id":{"S":")" + std::string(id) + R"("}}})").body;
  }

  ManualClock clock_{1700000000000};
  ::tributary::testing::TempDir dir_;
  std::unique_ptr<table::TableEngine> engine_;
  ApiContext ctx_;
  OperationRegistry registry_;
};

constexpr std::string_view kTransfer = R"json({"TransactItems":[
  {"Update":{"TableName":"acc","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD n :m",
     "ConditionExpression":"n >= :amt","ExpressionAttributeValues":{":m":{"N":"-5"},":amt":{"N":"5"}}}},
  {"Put":{"TableName":"acc","Item":{"id":{"S":"b"},"n":{"N":"5"}},"ConditionExpression":"attribute_not_exists(id)"}}],
  "ClientRequestToken":"tok-1"})json";

TEST_F(TransactionsTest, WritesAllOrNothingAndReportsReasons) {
  ApiResponse ok = Call("TransactWriteItems", kTransfer);
  EXPECT_EQ(ok.http_status, 200) << ok.body;
  EXPECT_EQ(ok.body, "{}");
  EXPECT_EQ(Get("a"), R"({"Item":{"id":{"S":"a"},"n":{"N":"5"}}})");
  EXPECT_EQ(Get("b"), R"({"Item":{"id":{"S":"b"},"n":{"N":"5"}}})");

  // Same token, same request: the same result, not applied again.
  EXPECT_EQ(Call("TransactWriteItems", kTransfer).body, "{}");
  EXPECT_EQ(Get("a"), R"({"Item":{"id":{"S":"a"},"n":{"N":"5"}}})");

  // Same token, different request.
  std::string other(kTransfer);
  other.replace(other.find(R"("N":"-5")"), 8, R"("N":"-1")");
  ApiResponse mismatch = Call("TransactWriteItems", other);
  EXPECT_EQ(mismatch.error_code, "IdempotentParameterMismatchException");

  // Without the token: b exists now, so the Put's condition fails; nothing is applied.
  std::string again(kTransfer);
  again.replace(again.find(R"(,
  "ClientRequestToken":"tok-1")"), std::string(R"(,
  "ClientRequestToken":"tok-1")").size(), "");
  again.replace(again.find(R"("TableName":"acc","Item")"), 0, R"("ReturnValuesOnConditionCheckFailure":"ALL_OLD",)");
  ApiResponse cancelled = Call("TransactWriteItems", again);
  EXPECT_EQ(cancelled.http_status, 400);
  EXPECT_EQ(cancelled.body,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
            R"("message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",)"
            R"("CancellationReasons":[{"Code":"None"},{"Item":{"id":{"S":"b"},"n":{"N":"5"}},"Code":"ConditionalCheckFailed",)"
            R"("Message":"The conditional request failed"}]})");
  EXPECT_EQ(Get("a"), R"({"Item":{"id":{"S":"a"},"n":{"N":"5"}}})");

  ApiResponse get = Call("TransactGetItems", R"({"TransactItems":[
      {"Get":{"TableName":"acc","Key":{"id":{"S":"a"}},"ProjectionExpression":"n"}},
      {"Get":{"TableName":"acc","Key":{"id":{"S":"zzz"}}}}]})");
  EXPECT_EQ(get.body, R"({"Responses":[{"Item":{"n":{"N":"5"}}},{}]})");
}

TEST_F(TransactionsTest, Validation) {
  ApiResponse twice = Call("TransactWriteItems", R"({"TransactItems":[
      {"Put":{"TableName":"acc","Item":{"id":{"S":"x"}}}},{"Delete":{"TableName":"acc","Key":{"id":{"S":"x"}}}}]})");
  EXPECT_EQ(twice.body, R"({"__type":"com.amazon.coral.validate#ValidationException",)"
                        R"("message":"Transaction request cannot include multiple operations on one item"})");
  ApiResponse missing = Call("TransactWriteItems", "{}");
  EXPECT_EQ(missing.body, R"({"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error )"
                          R"(detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null"})");
  ApiResponse check = Call("TransactWriteItems", R"({"TransactItems":[{"ConditionCheck":{"TableName":"acc","Key":{"id":{"S":"x"}}}}]})");
  EXPECT_EQ(check.body, R"({"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error )"
                        R"(detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed )"
                        R"(to satisfy constraint: Member must not be null"})");
  std::string many = R"({"TransactItems":[)";
  for (int i = 0; i < 101; ++i) {
    if (i > 0) many += ",";
    many += R"({"Put":{"TableName":"acc","Item":{"id":{"S":"k)" + std::to_string(i) + R"("}}}})";
  }
  many += "]}";
  EXPECT_EQ(Call("TransactWriteItems", many).error_code, "ValidationException");
  ApiResponse no_table = Call("TransactWriteItems", R"({"TransactItems":[{"Put":{"TableName":"nope","Item":{"id":{"S":"x"}}}}]})");
  EXPECT_EQ(no_table.error_code, "ResourceNotFoundException");
}

}  // namespace
}  // namespace tributary::dynamodb
