// Control plane through Dispatch: exact JSON for CreateTable/DescribeTable/ListTables/DeleteTable/
// UpdateTable, their validation messages, TTL and tags.
#include <memory>

#include "core/clock.h"
#include "dynamodb/api.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::dynamodb {
namespace {

using ::testing::HasSubstr;

class ControlPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table::TableEngine::Options options;
    options.clock = &clock_;
    options.region = "us-east-1";
    options.account_id = "000000000000";
    auto engine = table::TableEngine::Open(dir_.str(), options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    ctx_.engine = engine_.get();
    ctx_.clock = &clock_;
    registry_ = BuildRegistry();
  }

  ApiResponse Call(std::string_view op, std::string_view body) {
    return Dispatch(registry_, "DynamoDB_20120810." + std::string(op), body, ctx_);
  }
  std::string Ok(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    EXPECT_EQ(r.http_status, 200) << r.body;
    return r.body;
  }
  std::string Message(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    EXPECT_EQ(r.http_status, 400) << r.body;
    return r.error_code + ": " + r.body.substr(r.body.find("\"message\":") + 11, r.body.size() - r.body.find("\"message\":") - 13);
  }

  ManualClock clock_{1700000000123};
  ::tributary::testing::TempDir dir_;
  std::unique_ptr<table::TableEngine> engine_;
  ApiContext ctx_;
  OperationRegistry registry_;
};

constexpr std::string_view kOrders = R"({"TableName":"orders",
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "BillingMode":"PAY_PER_REQUEST",
  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})";

TEST_F(ControlPlaneTest, CreateDescribeListDeleteExactJson) {
  std::string created = Ok("CreateTable", kOrders);
  const std::string desc_tail =
      R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],)"
      R"("TableName":"orders","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)";
  EXPECT_EQ(created.substr(0, 21 + desc_tail.size()), R"({"TableDescription":{)" + desc_tail);
  EXPECT_THAT(created, HasSubstr(R"("TableStatus":"CREATING","CreationDateTime":1700000000.123,)"
                                 R"("ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0},)"
                                 R"("TableSizeBytes":0,"ItemCount":0,"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/orders",)"));
  EXPECT_THAT(created, HasSubstr(R"("BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST","LastUpdateToPayPerRequestDateTime":1700000000.123},)"
                                 R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"},)"
                                 R"("LatestStreamLabel":"2023-11-14T22:13:20.123",)"
                                 R"("LatestStreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2023-11-14T22:13:20.123",)"
                                 R"("DeletionProtectionEnabled":false}})"));

  std::string described = Ok("DescribeTable", R"({"TableName":"orders"})");
  EXPECT_EQ(described.substr(0, 10), R"({"Table":{)");
  EXPECT_THAT(described, HasSubstr(R"("TableStatus":"ACTIVE")"));

  EXPECT_EQ(Message("CreateTable", kOrders), "ResourceInUseException: Table already exists: orders");
  Ok("CreateTable", R"({"TableName":"alpha","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":3}})");
  std::string alpha = Ok("DescribeTable", R"({"TableName":"alpha"})");
  EXPECT_THAT(alpha, HasSubstr(R"("ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":5,"WriteCapacityUnits":3})"));
  EXPECT_THAT(alpha, ::testing::Not(HasSubstr("BillingModeSummary")));
  EXPECT_THAT(alpha, ::testing::Not(HasSubstr("StreamSpecification")));

  EXPECT_EQ(Ok("ListTables", "{}"), R"({"TableNames":["alpha","orders"]})");
  EXPECT_EQ(Ok("ListTables", R"({"Limit":1})"), R"({"LastEvaluatedTableName":"alpha","TableNames":["alpha"]})");
  EXPECT_EQ(Ok("ListTables", R"({"Limit":1,"ExclusiveStartTableName":"alpha"})"), R"({"TableNames":["orders"]})");
  EXPECT_EQ(Message("ListTables", R"({"Limit":101})"),
            "ValidationException: 1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 100");

  std::string deleted = Ok("DeleteTable", R"({"TableName":"orders"})");
  EXPECT_THAT(deleted, HasSubstr(R"("TableStatus":"DELETING")"));
  EXPECT_EQ(Message("DescribeTable", R"({"TableName":"orders"})"),
            "ResourceNotFoundException: Requested resource not found: Table: orders not found");
  EXPECT_EQ(Message("DeleteTable", R"({"TableName":"orders"})"),
            "ResourceNotFoundException: Requested resource not found: Table: orders not found");
}

TEST_F(ControlPlaneTest, CreateTableValidation) {
  EXPECT_EQ(Message("CreateTable", "{}"),
            "ValidationException: 3 validation errors detected: Value null at 'attributeDefinitions' failed to satisfy "
            "constraint: Member must not be null; Value null at 'tableName' failed to satisfy constraint: Member must "
            "not be null; Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(Message("CreateTable", R"({"TableName":"ttt","AttributeDefinitions":[{"AttributeName":"x","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})"),
            "ValidationException: One or more parameter values were invalid: Some index key attributes are not defined "
            "in AttributeDefinitions. Keys: [id], AttributeDefinitions: [x]");
  EXPECT_EQ(Message("CreateTable", R"({"TableName":"ttt","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})"),
            "ValidationException: One or more parameter values were invalid: Number of attributes in KeySchema does "
            "not exactly match number of attributes defined in AttributeDefinitions");
  EXPECT_EQ(Message("CreateTable", R"({"TableName":"ttt","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PROVISIONED"})"),
            "ValidationException: One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED");
  EXPECT_EQ(Message("CreateTable", R"({"TableName":"ttt","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]})"),
            "ValidationException: One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED");
  EXPECT_EQ(Message("CreateTable", R"({"TableName":"ttt","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"})"),
            "ValidationException: Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  EXPECT_EQ(Message("CreateTable", R"({"TableName":"ttt","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"X"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})"),
            "ValidationException: 1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' "
            "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]");
  EXPECT_EQ(Message("CreateTable", R"({"TableName":"ab","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})"),
            "ValidationException: 1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3");
}

constexpr std::string_view kWithIndexes = R"({"TableName":"orders",
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
    {"AttributeName":"status","AttributeType":"S"},{"AttributeName":"amount","AttributeType":"N"}],
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "BillingMode":"PAY_PER_REQUEST",
  "GlobalSecondaryIndexes":[{"IndexName":"by_status","KeySchema":[{"AttributeName":"status","KeyType":"HASH"}],
     "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["note"]}}],
  "LocalSecondaryIndexes":[{"IndexName":"by_amount","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
     {"AttributeName":"amount","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]})";

TEST_F(ControlPlaneTest, IndexesInDescriptionsAndUpdateTable) {
  std::string created = Ok("CreateTable", kWithIndexes);
  EXPECT_THAT(created, HasSubstr(
      R"("LocalSecondaryIndexes":[{"IndexName":"by_amount","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)"
      R"({"AttributeName":"amount","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"},"IndexSizeBytes":0,)"
      R"("ItemCount":0,"IndexArn":"arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/by_amount"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"by_status","KeySchema":[{"AttributeName":"status","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["note"]},"IndexStatus":"CREATING",)"
      R"("ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0},)"
      R"("IndexSizeBytes":0,"ItemCount":0,"IndexArn":"arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/by_status"}])"));
  EXPECT_THAT(Ok("DescribeTable", R"({"TableName":"orders"})"), HasSubstr(R"("IndexStatus":"ACTIVE")"));

  ASSERT_TRUE(engine_->PutItem("orders", {{"pk", AttributeValue::S("a")}, {"sk", AttributeValue::N(1)},
                                          {"region", AttributeValue::S("eu")}}).ok());
  std::string updated = Ok("UpdateTable", R"({"TableName":"orders",
      "AttributeDefinitions":[{"AttributeName":"region","AttributeType":"S"}],
      "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"by_region","KeySchema":[{"AttributeName":"region","KeyType":"HASH"}],
        "Projection":{"ProjectionType":"ALL"}}}]})");
  EXPECT_THAT(updated, HasSubstr(R"("IndexName":"by_region")"));
  EXPECT_THAT(updated, HasSubstr(R"({"AttributeName":"region","AttributeType":"S"})"));
  table::QuerySpec q;
  q.index_name = "by_region";
  q.hash_value = AttributeValue::S("eu");
  EXPECT_EQ(engine_->Query("orders", q)->items.size(), 1u);

  Ok("UpdateTable", R"({"TableName":"orders","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"by_region"}}]})");
  EXPECT_THAT(Ok("DescribeTable", R"({"TableName":"orders"})"), ::testing::Not(HasSubstr("by_region")));
  EXPECT_EQ(Message("UpdateTable", R"({"TableName":"orders","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"by_region"}}]})"),
            "ResourceNotFoundException: Requested resource not found: Index: by_region not found");
  EXPECT_EQ(Message("UpdateTable", R"({"TableName":"orders"})"),
            "ValidationException: At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
  std::string prov = Ok("UpdateTable", R"({"TableName":"orders","BillingMode":"PROVISIONED",
      "ProvisionedThroughput":{"ReadCapacityUnits":4,"WriteCapacityUnits":2}})");
  EXPECT_THAT(prov, HasSubstr(R"("ReadCapacityUnits":4,"WriteCapacityUnits":2})"));
  EXPECT_EQ(Message("UpdateTable", R"({"TableName":"nope","BillingMode":"PAY_PER_REQUEST"})"),
            "ResourceNotFoundException: Requested resource not found: Table: nope not found");
}

TEST_F(ControlPlaneTest, TimeToLive) {
  Ok("CreateTable", kOrders);
  EXPECT_EQ(Ok("DescribeTimeToLive", R"({"TableName":"orders"})"),
            R"({"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}})");
  EXPECT_EQ(Ok("UpdateTimeToLive", R"({"TableName":"orders","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})"),
            R"({"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})");
  EXPECT_EQ(Ok("DescribeTimeToLive", R"({"TableName":"orders"})"),
            R"({"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"exp"}})");
  EXPECT_EQ(Message("UpdateTimeToLive", R"({"TableName":"orders","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})"),
            "ValidationException: TimeToLive is already enabled");
  Ok("UpdateTimeToLive", R"({"TableName":"orders","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}})");
  EXPECT_EQ(Message("UpdateTimeToLive", R"({"TableName":"orders","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}})"),
            "ValidationException: TimeToLive is already disabled");
  EXPECT_EQ(Message("DescribeTimeToLive", R"({"TableName":"nope"})"),
            "ResourceNotFoundException: Requested resource not found: Table: nope not found");
}

TEST_F(ControlPlaneTest, Tags) {
  Ok("CreateTable", kOrders);
  const std::string arn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders";
  EXPECT_EQ(Ok("TagResource", R"({"ResourceArn":")" + arn + R"(","Tags":[{"Key":"env","Value":"dev"},{"Key":"a","Value":"1"}]})"), "{}");
  EXPECT_EQ(Ok("ListTagsOfResource", R"({"ResourceArn":")" + arn + R"("})"),
            R"({"Tags":[{"Key":"a","Value":"1"},{"Key":"env","Value":"dev"}]})");
  EXPECT_EQ(Ok("UntagResource", R"({"ResourceArn":")" + arn + R"(","TagKeys":["a"]})"), "{}");
  EXPECT_EQ(Ok("ListTagsOfResource", R"({"ResourceArn":")" + arn + R"("})"), R"({"Tags":[{"Key":"env","Value":"dev"}]})");
  EXPECT_EQ(Message("ListTagsOfResource", R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/nope"})"),
            "ResourceNotFoundException: Requested resource not found: ResourcArn: "
            "arn:aws:dynamodb:us-east-1:000000000000:table/nope not found");
  EXPECT_EQ(Message("TagResource", R"({"ResourceArn":"bogus","Tags":[]})"),
            "ValidationException: Invalid TableArn: Invalid ResourceArn provided as input bogus");
}

}  // namespace
}  // namespace tributary::dynamodb

namespace tributary::dynamodb {
namespace {

TEST_F(ControlPlaneTest, UpdateTableStreamSpecification) {
  Ok("CreateTable", R"({"TableName":"plain","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
     "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})");
  std::string on = Ok("UpdateTable", R"({"TableName":"plain","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}})");
  EXPECT_THAT(on, HasSubstr(R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"})"));
  EXPECT_THAT(on, HasSubstr(R"("LatestStreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/plain/stream/)"));
  EXPECT_THAT(Message("UpdateTable", R"({"TableName":"plain","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}})"),
              HasSubstr("ResourceInUseException: Table already has an enabled stream"));
  std::string off = Ok("UpdateTable", R"({"TableName":"plain","StreamSpecification":{"StreamEnabled":false}})");
  EXPECT_THAT(off, ::testing::Not(HasSubstr("StreamSpecification")));
  EXPECT_THAT(off, HasSubstr("LatestStreamArn"));
}

}  // namespace
}  // namespace tributary::dynamodb

namespace tributary::dynamodb {
namespace {

TEST_F(ControlPlaneTest, AccountQueries) {
  EXPECT_EQ(Ok("DescribeLimits", "{}"),
            R"({"AccountMaxReadCapacityUnits":80000,"AccountMaxWriteCapacityUnits":80000,)"
            R"("TableMaxReadCapacityUnits":40000,"TableMaxWriteCapacityUnits":40000})");
  EXPECT_EQ(Ok("DescribeEndpoints", "{}"),
            R"({"Endpoints":[{"Address":"dynamodb.us-east-1.amazonaws.com","CachePeriodInMinutes":1440}]})");
  Ok("CreateTable", kOrders);
  EXPECT_EQ(Ok("DescribeContinuousBackups", R"({"TableName":"orders"})"),
            R"({"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",)"
            R"("PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}})");
  EXPECT_EQ(Message("DescribeContinuousBackups", R"({"TableName":"nope"})"),
            "TableNotFoundException: Table not found: nope");
}

}  // namespace
}  // namespace tributary::dynamodb
