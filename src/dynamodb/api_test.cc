#include "dynamodb/api.h"

#include "testing/test_util.h"

namespace tributary::dynamodb {
namespace {

TEST(DispatchTest, ProtocolErrorsHaveAwsShapes) {
  OperationRegistry registry;
  registry.Add("DynamoDB_20120810.Echo", [](simdjson::dom::element, ApiContext&) -> ApiResult {
    return std::string("{}");
  });
  registry.Add("DynamoDB_20120810.Fail", [](simdjson::dom::element, ApiContext&) -> ApiResult {
    return ApiError::Validation("1 validation error detected");
  });
  ApiContext ctx;
  ApiResponse ok = Dispatch(registry, "DynamoDB_20120810.Echo", "{}", ctx);
  EXPECT_EQ(ok.http_status, 200);
  EXPECT_EQ(ok.body, "{}");

  ApiResponse unknown = Dispatch(registry, "DynamoDB_20120810.Nope", "{}", ctx);
  EXPECT_EQ(unknown.http_status, 400);
  EXPECT_EQ(unknown.error_code, "UnknownOperationException");
  EXPECT_EQ(unknown.body, R"({"__type":"com.amazon.coral.service#UnknownOperationException","message":""})");

  ApiResponse bad = Dispatch(registry, "DynamoDB_20120810.Echo", "{not json", ctx);
  EXPECT_EQ(bad.http_status, 400);
  EXPECT_EQ(bad.error_code, "SerializationException");

  ApiResponse v = Dispatch(registry, "DynamoDB_20120810.Fail", "{}", ctx);
  EXPECT_EQ(v.body, R"({"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected"})");
  EXPECT_EQ(v.error_code, "ValidationException");
}

TEST(ApiErrorTest, FromStatusUsesDynamoDbNamespaces) {
  EXPECT_EQ(ApiError::FromStatus(Status::NotFound("x")).type,
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
  EXPECT_EQ(ApiError::FromStatus(Status::NotFound("x")).message, "Requested resource not found");
  EXPECT_EQ(ApiError::FromStatus(Status::InvalidArgument("bad")).type,
            "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(ApiError::FromStatus(Status::FailedPrecondition("c")).code(), "ConditionalCheckFailedException");
  EXPECT_EQ(ApiError::FromStatus(Status::Internal("boom")).http_status, 500);
}

}  // namespace
}  // namespace tributary::dynamodb
