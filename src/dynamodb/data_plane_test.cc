// The data plane through Dispatch: request JSON in, exact response JSON or exact error out, over a
// real TableEngine in a temp dir.
#include <set>

#include "dynamodb/api.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::dynamodb {
namespace {

using table::KeyAttribute;
using table::TableSpec;

class DataPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table::TableEngine::Options options;
    options.clock = &clock_;
    auto engine = table::TableEngine::Open(dir_.str(), options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    ctx_.engine = engine_.get();
    ctx_.clock = &clock_;
    RegisterDataPlane(registry_);
    TableSpec hash_only;
    hash_only.name = "users";
    hash_only.hash_key = KeyAttribute{"pk", tributary::AttributeType::kS};
    ASSERT_OK(engine_->CreateTable(hash_only));
    TableSpec ranged;
    ranged.name = "orders";
    ranged.hash_key = KeyAttribute{"pk", tributary::AttributeType::kS};
    ranged.range_key = KeyAttribute{"sk", tributary::AttributeType::kN};
    ASSERT_OK(engine_->CreateTable(ranged));
  }

  ApiResponse Call(std::string_view op, std::string_view body) {
    return Dispatch(registry_, "DynamoDB_20120810." + std::string(op), body, ctx_);
  }
  // The body of a successful call.
  std::string Ok(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    EXPECT_EQ(r.http_status, 200) << op << " " << body << " -> " << r.body;
    return r.body;
  }
  // "<code>: <message>" of a failed call.
  std::string Err(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    EXPECT_EQ(r.http_status, 400) << r.body;
    simdjson::dom::parser parser;
    simdjson::dom::element e = parser.parse(r.body).value();
    std::string type(e["__type"].get_string().value());
    std::string message(e["message"].get_string().value());
    return type.substr(type.find('#') + 1) + ": " + message;
  }
  void PutOrders() {
    for (int i = 1; i <= 5; ++i) {
      Ok("PutItem", R"J({"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":")J" + std::to_string(i) +
                        R"J("},"v":{"N":")J" + std::to_string(i * 10) + R"J("},"tag":{"S":"t)J" +
                        std::to_string(i % 2) + R"J("}}})J");
    }
    Ok("PutItem", R"J({"TableName":"orders","Item":{"pk":{"S":"b"},"sk":{"N":"1"}}})J");
  }

  ManualClock clock_{1700000000000};
  ::tributary::testing::TempDir dir_;
  std::unique_ptr<table::TableEngine> engine_;
  OperationRegistry registry_;
  ApiContext ctx_;
};

TEST_F(DataPlaneTest, PutGetDeleteRoundTrip) {
  EXPECT_EQ(Ok("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"},"n":{"N":"007"},"m":{"M":{"a":{"L":[{"S":"x"},{"BOOL":true}]}}}}})J"),
            "{}");
  EXPECT_EQ(Ok("GetItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}}})J"),
            R"J({"Item":{"m":{"M":{"a":{"L":[{"S":"x"},{"BOOL":true}]}}},"n":{"N":"7"},"pk":{"S":"u1"}}})J");
  EXPECT_EQ(Ok("GetItem", R"J({"TableName":"users","Key":{"pk":{"S":"nope"}},"ConsistentRead":true})J"), "{}");
  EXPECT_EQ(Ok("GetItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"ProjectionExpression":"m.a[1], #n","ExpressionAttributeNames":{"#n":"n"}})J"),
            R"J({"Item":{"m":{"M":{"a":{"L":[{"BOOL":true}]}}},"n":{"N":"7"}}})J");
  EXPECT_EQ(Ok("GetItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"AttributesToGet":["n"]})J"),
            R"J({"Item":{"n":{"N":"7"}}})J");
  EXPECT_EQ(Ok("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"},"n":{"N":"8"}},"ReturnValues":"ALL_OLD"})J"),
            R"J({"Attributes":{"m":{"M":{"a":{"L":[{"S":"x"},{"BOOL":true}]}}},"n":{"N":"7"},"pk":{"S":"u1"}}})J");
  EXPECT_EQ(Ok("DeleteItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"ReturnValues":"ALL_OLD"})J"),
            R"J({"Attributes":{"n":{"N":"8"},"pk":{"S":"u1"}}})J");
  EXPECT_EQ(Ok("DeleteItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"ReturnValues":"ALL_OLD"})J"), "{}");
  EXPECT_EQ(Ok("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u2"}},"ReturnConsumedCapacity":"TOTAL"})J"),
            R"J({"ConsumedCapacity":{"TableName":"users","CapacityUnits":1}})J");
}

TEST_F(DataPlaneTest, ConditionsAndReturnValuesOnConditionCheckFailure) {
  Ok("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"},"n":{"N":"1"}}})J");
  ApiResponse r = Call("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"}},"ConditionExpression":"attribute_not_exists(pk)"})J");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.body,
            R"J({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})J");
  r = Call("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"}},"ConditionExpression":"n > :v","ExpressionAttributeValues":{":v":{"N":"5"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"})J");
  EXPECT_EQ(r.body,
            R"J({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"n":{"N":"1"},"pk":{"S":"u1"}}})J");
  Ok("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"},"n":{"N":"2"}},"ConditionExpression":"n BETWEEN :a AND :b AND NOT contains(pk, :x)","ExpressionAttributeValues":{":a":{"N":"0"},":b":{"N":"1"},":x":{"S":"zz"}}})J");
  EXPECT_EQ(Err("DeleteItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"ConditionExpression":"n IN (:a, :b)","ExpressionAttributeValues":{":a":{"N":"0"},":b":{"N":"1"}}})J"),
            "ConditionalCheckFailedException: The conditional request failed");
  Ok("DeleteItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"ConditionExpression":"attribute_type(n, :t) AND size(pk) = :two","ExpressionAttributeValues":{":t":{"S":"N"},":two":{"N":"2"}}})J");
  // Legacy Expected.
  Ok("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"},"n":{"N":"1"}},"Expected":{"pk":{"Exists":false}}})J");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"}},"Expected":{"n":{"Value":{"N":"2"}}}})J"),
            "ConditionalCheckFailedException: The conditional request failed");
  Ok("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"},"n":{"N":"3"}},"Expected":{"n":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"2"}]},"x":{"ComparisonOperator":"NULL"}}})J");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"u1"}},"Expected":{"n":{"Exists":true}}})J"),
            "ValidationException: One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: n");
}

TEST_F(DataPlaneTest, UpdateItemReturnValues) {
  EXPECT_EQ(Ok("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"UpdateExpression":"SET a = :one, b = :s","ExpressionAttributeValues":{":one":{"N":"1"},":s":{"S":"x"}},"ReturnValues":"ALL_NEW"})J"),
            R"J({"Attributes":{"a":{"N":"1"},"b":{"S":"x"},"pk":{"S":"u1"}}})J");
  EXPECT_EQ(Ok("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"UpdateExpression":"SET a = a + :one REMOVE b","ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_OLD"})J"),
            R"J({"Attributes":{"a":{"N":"1"},"b":{"S":"x"}}})J");
  EXPECT_EQ(Ok("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"UpdateExpression":"ADD a :one","ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"})J"),
            R"J({"Attributes":{"a":{"N":"3"}}})J");
  EXPECT_EQ(Ok("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"UpdateExpression":"SET a = :one","ConditionExpression":"a = :three","ExpressionAttributeValues":{":one":{"N":"1"},":three":{"N":"3"}},"ReturnValues":"ALL_OLD"})J"),
            R"J({"Attributes":{"a":{"N":"3"},"pk":{"S":"u1"}}})J");
  EXPECT_EQ(Err("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"UpdateExpression":"SET a = :one","ConditionExpression":"a = :one","ExpressionAttributeValues":{":one":{"N":"5"}}})J"),
            "ConditionalCheckFailedException: The conditional request failed");
  // Legacy AttributeUpdates.
  EXPECT_EQ(Ok("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"AttributeUpdates":{"a":{"Action":"ADD","Value":{"N":"10"}},"s":{"Value":{"SS":["x"]}},"l":{"Action":"ADD","Value":{"L":[{"S":"e"}]}}},"ReturnValues":"ALL_NEW"})J"),
            R"J({"Attributes":{"a":{"N":"11"},"l":{"L":[{"S":"e"}]},"pk":{"S":"u1"},"s":{"SS":["x"]}}})J");
  EXPECT_EQ(Ok("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"AttributeUpdates":{"a":{"Action":"DELETE"},"s":{"Action":"DELETE","Value":{"SS":["x"]}}},"ReturnValues":"ALL_NEW"})J"),
            R"J({"Attributes":{"l":{"L":[{"S":"e"}]},"pk":{"S":"u1"}}})J");
  EXPECT_EQ(Err("UpdateItem", R"J({"TableName":"users","Key":{"pk":{"S":"u1"}},"UpdateExpression":"SET pk = :one","ExpressionAttributeValues":{":one":{"S":"x"}}})J"),
            "ValidationException: One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key");
}

TEST_F(DataPlaneTest, ValidationMessages) {
  EXPECT_EQ(Err("GetItem", R"J({"TableName":"x","Key":{"pk":{"S":"a"}}})J"),
            "ValidationException: 1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"a b","ReturnValues":"NOPE"})J"),
            "ValidationException: 3 validation errors detected: Value 'a b' at 'tableName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'NOPE' at 'returnValues' failed to "
            "satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
            "Value null at 'item' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(Err("GetItem", R"J({"TableName":"nosuch","Key":{"pk":{"S":"a"}}})J"),
            "ResourceNotFoundException: Requested resource not found");
  EXPECT_EQ(Err("GetItem", R"J({"TableName":"users","Key":{"id":{"S":"a"}}})J"),
            "ValidationException: The provided key element does not match the schema");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"id":{"S":"a"}}})J"),
            "ValidationException: One or more parameter values were invalid: Missing the key pk in the item");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_NEW"})J"),
            "ValidationException: ReturnValues can only be ALL_OLD or NONE");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":x":{"S":"x"}}})J"),
            "ValidationException: Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"ConditionExpression":"pk = :x"})J"),
            "ValidationException: Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :x");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"ConditionExpression":"#s = :x","ExpressionAttributeValues":{":x":{"S":"x"}}})J"),
            "ValidationException: Invalid ConditionExpression: An expression attribute name used in the document path is "
            "not defined; attribute name: #s");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"ConditionExpression":"status = :x","ExpressionAttributeValues":{":x":{"S":"x"}}})J"),
            "ValidationException: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"ConditionExpression":"a = = :x","ExpressionAttributeValues":{":x":{"S":"x"}}})J"),
            "ValidationException: Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= =\"");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"Expected":{"a":{"Exists":false}},"ConditionExpression":"attribute_exists(a)"})J"),
            "ValidationException: Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"}},"ExpressionAttributeValues":{":x":{"S":"x"}}})J"),
            "ValidationException: ExpressionAttributeValues can only be specified when using expressions");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"},"s":{"SS":[]}}})J"),
            "ValidationException: One or more parameter values were invalid: An string set  may not be empty");
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":""}}})J"),
            "ValidationException: One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk");
  std::string big(400 * 1024, 'x');
  EXPECT_EQ(Err("PutItem", R"J({"TableName":"users","Item":{"pk":{"S":"a"},"b":{"S":")J" + big + R"J("}}})J"),
            "ValidationException: Item size has exceeded the maximum allowed size");
  EXPECT_EQ(Err("GetItem", R"J({"TableName":"users","Key":{"pk":{"S":"a"}},"ProjectionExpression":"a, a.b"})J"),
            "ValidationException: Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a], path two: [a, b]");
}

TEST_F(DataPlaneTest, QueryKeyConditionsFiltersAndPaging) {
  PutOrders();
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p AND sk BETWEEN :lo AND :hi","ExpressionAttributeValues":{":p":{"S":"a"},":lo":{"N":"2"},":hi":{"N":"3"}},"ProjectionExpression":"sk"})J"),
            R"J({"Items":[{"sk":{"N":"2"}},{"sk":{"N":"3"}}],"Count":2,"ScannedCount":2})J");
  // Limit counts items read before the filter; LastEvaluatedKey resumes.
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","FilterExpression":"tag = :t","ExpressionAttributeValues":{":p":{"S":"a"},":t":{"S":"t1"}},"Limit":2,"ProjectionExpression":"sk"})J"),
            R"J({"Items":[{"sk":{"N":"1"}}],"Count":1,"ScannedCount":2,"LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"2"}}})J");
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","FilterExpression":"tag = :t","ExpressionAttributeValues":{":p":{"S":"a"},":t":{"S":"t1"}},"Limit":2,"ProjectionExpression":"sk","ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"2"}}})J"),
            R"J({"Items":[{"sk":{"N":"3"}}],"Count":1,"ScannedCount":2,"LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"4"}}})J");
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p AND sk > :two","ExpressionAttributeValues":{":p":{"S":"a"},":two":{"N":"2"}},"Select":"COUNT"})J"),
            R"J({"Count":3,"ScannedCount":3})J");
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"ScanIndexForward":false,"Limit":1,"ProjectionExpression":"v"})J"),
            R"J({"Items":[{"v":{"N":"50"}}],"Count":1,"ScannedCount":1,"LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"5"}}})J");
  // A page that stops at Limit has a LastEvaluatedKey even on the partition's last item.
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"b"}},"Limit":1})J"),
            R"J({"Items":[{"pk":{"S":"b"},"sk":{"N":"1"}}],"Count":1,"ScannedCount":1,"LastEvaluatedKey":{"pk":{"S":"b"},"sk":{"N":"1"}}})J");
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"b"}},"Limit":1,"ExclusiveStartKey":{"pk":{"S":"b"},"sk":{"N":"1"}}})J"),
            R"J({"Items":[],"Count":0,"ScannedCount":0})J");
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"sk":{"ComparisonOperator":"NOT_NULL"}}})J"),
            "ValidationException: QueryFilter can only contain non-key attributes: Primary key attribute: sk");
  // Legacy KeyConditions + QueryFilter.
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"sk":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"4"}]}},"QueryFilter":{"v":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"40"}]}},"AttributesToGet":["sk"]})J"),
            R"J({"Items":[{"sk":{"N":"5"}}],"Count":1,"ScannedCount":2})J");
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders","KeyConditionExpression":"sk = :s","ExpressionAttributeValues":{":s":{"N":"1"}}})J"),
            "ValidationException: Query condition missed key schema element: pk");
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p OR sk = :s","ExpressionAttributeValues":{":p":{"S":"a"},":s":{"N":"1"}}})J"),
            "ValidationException: Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","FilterExpression":"sk = :s","ExpressionAttributeValues":{":p":{"S":"a"},":s":{"N":"1"}}})J"),
            "ValidationException: Filter Expression can only contain non-primary key attributes: Primary key attribute: sk");
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"Limit":0})J"),
            "ValidationException: 1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
            "must have value greater than or equal to 1");
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders"})J"),
            "ValidationException: Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders","IndexName":"byTag","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}})J"),
            "ValidationException: The table does not have the specified index: byTag");
}

TEST_F(DataPlaneTest, QuerySeesARecreatedTablesNewKeySchema) {
  PutOrders();
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"b"}}})J"),
            R"J({"Items":[{"pk":{"S":"b"},"sk":{"N":"1"}}],"Count":1,"ScannedCount":1})J");
  ASSERT_OK(engine_->DeleteTable("orders"));
  TableSpec other;
  other.name = "orders";
  other.hash_key = KeyAttribute{"id", tributary::AttributeType::kS};
  other.range_key = KeyAttribute{"pk", tributary::AttributeType::kS};
  ASSERT_OK(engine_->CreateTable(other));
  Ok("PutItem", R"J({"TableName":"orders","Item":{"id":{"S":"b"},"pk":{"S":"x"}}})J");
  // "pk = :p" is now a sort-key condition without the partition key.
  EXPECT_EQ(Err("Query", R"J({"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"b"}}})J"),
            "ValidationException: Query condition missed key schema element: id");
  EXPECT_EQ(Ok("Query", R"J({"TableName":"orders","KeyConditionExpression":"id = :p AND pk = :x","ExpressionAttributeValues":{":p":{"S":"b"},":x":{"S":"x"}}})J"),
            R"J({"Items":[{"id":{"S":"b"},"pk":{"S":"x"}}],"Count":1,"ScannedCount":1})J");
}

TEST_F(DataPlaneTest, QueryAndScanASecondaryIndex) {
  TableSpec spec;
  spec.name = "indexed";
  spec.hash_key = KeyAttribute{"pk", tributary::AttributeType::kS};
  table::IndexSpec gsi;
  gsi.name = "byTag";
  gsi.hash_key = KeyAttribute{"tag", tributary::AttributeType::kS};
  gsi.range_key = KeyAttribute{"n", tributary::AttributeType::kN};
  gsi.projection = table::ProjectionType::kKeysOnly;
  spec.indexes.push_back(gsi);
  spec.attribute_definitions = {spec.hash_key, gsi.hash_key, *gsi.range_key};
  ASSERT_OK(engine_->CreateTable(spec));
  for (int i = 0; i < 4; ++i) {
    Ok("PutItem", R"J({"TableName":"indexed","Item":{"pk":{"S":"k)J" + std::to_string(i) +
                      R"J("},"tag":{"S":"red"},"n":{"N":")J" + std::to_string(i) + R"J("},"x":{"S":"big"}}})J");
  }
  Ok("PutItem", R"J({"TableName":"indexed","Item":{"pk":{"S":"untagged"}}})J");
  EXPECT_EQ(Ok("Query", R"J({"TableName":"indexed","IndexName":"byTag","KeyConditionExpression":"tag = :t AND n >= :one","ExpressionAttributeValues":{":t":{"S":"red"},":one":{"N":"1"}},"Limit":2})J"),
            R"J({"Items":[{"n":{"N":"1"},"pk":{"S":"k1"},"tag":{"S":"red"}},{"n":{"N":"2"},"pk":{"S":"k2"},"tag":{"S":"red"}}],"Count":2,"ScannedCount":2,"LastEvaluatedKey":{"n":{"N":"2"},"pk":{"S":"k2"},"tag":{"S":"red"}}})J");
  EXPECT_EQ(Ok("Query", R"J({"TableName":"indexed","IndexName":"byTag","KeyConditionExpression":"tag = :t","ExpressionAttributeValues":{":t":{"S":"red"}},"ExclusiveStartKey":{"n":{"N":"2"},"pk":{"S":"k2"},"tag":{"S":"red"}},"ProjectionExpression":"pk"})J"),
            R"J({"Items":[{"pk":{"S":"k3"}}],"Count":1,"ScannedCount":1})J");
  EXPECT_EQ(Ok("Scan", R"J({"TableName":"indexed","IndexName":"byTag","Select":"COUNT"})J"), R"J({"Count":4,"ScannedCount":4})J");
  EXPECT_EQ(Err("Query", R"J({"TableName":"indexed","IndexName":"byTag","KeyConditionExpression":"pk = :t","ExpressionAttributeValues":{":t":{"S":"red"}}})J"),
            "ValidationException: Query condition missed key schema element: tag");
  EXPECT_EQ(Err("Query", R"J({"TableName":"indexed","IndexName":"byTag","ConsistentRead":true,"KeyConditionExpression":"tag = :t","ExpressionAttributeValues":{":t":{"S":"red"}}})J"),
            "ValidationException: Consistent reads are not supported on global secondary indexes");
}

TEST_F(DataPlaneTest, ScanSegmentsCoverTheTableOnce) {
  PutOrders();
  EXPECT_EQ(Ok("Scan", R"J({"TableName":"orders","Select":"COUNT"})J"), R"J({"Count":6,"ScannedCount":6})J");
  EXPECT_EQ(Ok("Scan", R"J({"TableName":"orders","ScanFilter":{"v":{"ComparisonOperator":"NOT_NULL"}},"Select":"COUNT"})J"),
            R"J({"Count":5,"ScannedCount":6})J");
  std::multiset<std::string> seen;
  for (int segment = 0; segment < 3; ++segment) {
    std::string start;
    for (int guard = 0; guard < 20; ++guard) {
      std::string body = R"J({"TableName":"orders","Limit":1,"Segment":)J" + std::to_string(segment) +
                         R"J(,"TotalSegments":3)J" + start + "}";
      ApiResponse r = Call("Scan", body);
      ASSERT_EQ(r.http_status, 200) << r.body;
      simdjson::dom::parser parser;
      simdjson::dom::element e = parser.parse(r.body).value();
      for (simdjson::dom::element item : e["Items"].get_array()) {
        seen.insert(std::string(simdjson::minify(item["pk"])) + std::string(simdjson::minify(item["sk"])));
      }
      simdjson::dom::element lek;
      if (e["LastEvaluatedKey"].get(lek) != simdjson::SUCCESS) break;
      start = R"J(,"ExclusiveStartKey":)J" + simdjson::minify(lek);
    }
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 6u);
  EXPECT_EQ(Err("Scan", R"J({"TableName":"orders","Segment":3,"TotalSegments":3})J"),
            "ValidationException: The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            "Segment: 3 is not less than TotalSegments: 3");
}

TEST_F(DataPlaneTest, BatchWriteAndGet) {
  EXPECT_EQ(Ok("BatchWriteItem", R"J({"RequestItems":{"users":[{"PutRequest":{"Item":{"pk":{"S":"a"},"x":{"N":"1"}}}},{"PutRequest":{"Item":{"pk":{"S":"b"}}}}],"orders":[{"PutRequest":{"Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}})J"),
            R"J({"UnprocessedItems":{}})J");
  EXPECT_EQ(Ok("BatchGetItem", R"J({"RequestItems":{"users":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"zz"}},{"pk":{"S":"b"}}],"ProjectionExpression":"#k","ExpressionAttributeNames":{"#k":"pk"}}}})J"),
            R"J({"Responses":{"users":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}]},"UnprocessedKeys":{}})J");
  EXPECT_EQ(Err("BatchWriteItem", R"J({"RequestItems":{"users":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]}})J"),
            "ValidationException: Provided list of item keys contains duplicates");
  std::string many;
  for (int i = 0; i < 26; ++i) {
    many += std::string(i ? "," : "") + R"J({"PutRequest":{"Item":{"pk":{"S":"k)J" + std::to_string(i) + R"J("}}}})J";
  }
  EXPECT_EQ(Err("BatchWriteItem", R"J({"RequestItems":{"users":[)J" + many + "]}}"),
            "ValidationException: 1 validation error detected: Value '{users=[...]}' at 'requestItems' failed to satisfy "
            "constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member "
            "must have length greater than or equal to 1]");
  EXPECT_EQ(Err("BatchGetItem", R"J({"RequestItems":{"users":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"a"}}]}}})J"),
            "ValidationException: Provided list of item keys contains duplicates");
  EXPECT_EQ(Ok("BatchWriteItem", R"J({"RequestItems":{"users":[{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]},"ReturnConsumedCapacity":"TOTAL"})J"),
            R"J({"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"users","CapacityUnits":1}]})J");
}

}  // namespace
}  // namespace tributary::dynamodb
