// JsonClient / QueryClient / SnsClient / S3Client against a scripted loopback server: request
// shapes, error mapping, retries with backoff, connection reuse.
#include <atomic>
#include <set>

#include "aws/aws_client.h"
#include "aws/s3_client.h"
#include "testing/test_http_server.h"
#include "aws/transport.h"
#include "testing/test_util.h"

namespace tributary::aws {
namespace {

using ::tributary::testing::ScriptedResponse;
using ::tributary::testing::SeenRequest;
using ::tributary::testing::TestHttpServer;
using ::tributary::testing::StatusIs;

ClientConfig Config(const std::string& service, const std::string& url) {
  ClientConfig c;
  c.service = service;
  c.region = "eu-west-1";
  c.endpoint_url = url;
  c.credentials = CredentialProvider::Static({"AKIDTEST", "secret", ""});
  c.backoff_base_ms = 1;
  c.backoff_cap_ms = 5;
  c.max_attempts = 4;
  return c;
}

ScriptedResponse JsonError(int status, const std::string& type, const std::string& message) {
  return {status, {{"Content-Type", "application/x-amz-json-1.1"}},
          R"({"__type":")" + type + R"(","message":")" + message + R"("})"};
}

TEST(JsonClientTest, SendsASignedJsonRequest) {
  TestHttpServer server([](const SeenRequest&) { return ScriptedResponse{200, {}, R"({"StreamNames":[]})"}; });
  auto client = JsonClient::Create(Config("kinesis", server.url()));
  ASSERT_OK(client);
  auto body = (*client)->Call("Kinesis_20131202.ListStreams", "{}");
  ASSERT_OK(body);
  EXPECT_EQ(*body, R"({"StreamNames":[]})");
  auto streams = JsonClient::Create(Config("dynamodb", server.url()));
  ASSERT_OK(streams);
  ASSERT_OK((*streams)->Call("DynamoDBStreams_20120810.ListStreams", "{}"));

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/");
  EXPECT_EQ(seen[0].body, "{}");
  EXPECT_EQ(seen[0].Header("x-amz-target"), "Kinesis_20131202.ListStreams");
  EXPECT_EQ(seen[0].Header("content-type"), "application/x-amz-json-1.1");
  EXPECT_EQ(seen[0].Header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[0].Header("x-amz-content-sha256"), "");  // only S3 sends it
  std::string auth = seen[0].Header("authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/eu-west-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                      "Signature="),
            std::string::npos)
      << auth;
  EXPECT_EQ(seen[1].Header("content-type"), "application/x-amz-json-1.0");
}

TEST(JsonClientTest, RetriesServerErrorsAndThrottlingThenSucceeds) {
  std::atomic<int> n{0};
  TestHttpServer server([&](const SeenRequest&) -> ScriptedResponse {
    switch (n++) {
      case 0: return {500, {}, "oops"};
      case 1: return JsonError(503, "ServiceUnavailable", "busy");
      case 2: return JsonError(400, "ProvisionedThroughputExceededException", "slow down");
      default: return {200, {}, "{}"};
    }
  });
  auto client = JsonClient::Create(Config("kinesis", server.url()));
  ASSERT_OK(client);
  ASSERT_OK((*client)->Call("Kinesis_20131202.PutRecords", "{}"));
  ClientStats s = (*client)->stats();
  EXPECT_EQ(s.calls, 1);
  EXPECT_EQ(s.attempts, 4);
  EXPECT_EQ(s.retries, 3);
  EXPECT_EQ(s.failures, 0);
}

TEST(JsonClientTest, GivesUpAfterMaxAttemptsWithTheRightCode) {
  TestHttpServer throttled([](const SeenRequest&) {
    return JsonError(400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "too fast");
  });
  auto client = JsonClient::Create(Config("dynamodb", throttled.url()));
  ASSERT_OK(client);
  auto r = (*client)->Call("DynamoDB_20120810.PutItem", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(ErrorCode(r.status()), "ProvisionedThroughputExceededException");
  EXPECT_EQ(ErrorCode(r.status().WithContext("PutItem orders")), "ProvisionedThroughputExceededException");
  EXPECT_EQ(throttled.requests().size(), 4u);

  TestHttpServer down([](const SeenRequest&) { return ScriptedResponse{502, {}, "<html>bad gateway</html>"}; });
  auto c2 = JsonClient::Create(Config("kinesis", down.url()));
  ASSERT_OK(c2);
  r = (*c2)->Call("Kinesis_20131202.GetRecords", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(down.requests().size(), 4u);
}

TEST(JsonClientTest, ClientErrorsAreNotRetried) {
  std::atomic<int> n{0};
  TestHttpServer server([&](const SeenRequest& r) -> ScriptedResponse {
    ++n;
    std::string target = r.Header("x-amz-target");
    if (target.find("Missing") != std::string::npos) {
      return JsonError(400, "ResourceNotFoundException", "Stream x under account 1 not found.");
    }
    if (target.find("Expired") != std::string::npos) {
      return {400, {{"x-amzn-ErrorType", "ExpiredIteratorException:http://internal.amazon.com/"}}, ""};
    }
    if (target.find("Trimmed") != std::string::npos) {
      return JsonError(400, "TrimmedDataAccessException", "trimmed");
    }
    return JsonError(400, "com.amazon.coral.validate#ValidationException", "1 validation error");
  });
  auto client = JsonClient::Create(Config("kinesis", server.url()));
  ASSERT_OK(client);
  auto r = (*client)->Call("Kinesis_20131202.Missing", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(r.status().message(), "ResourceNotFoundException: Stream x under account 1 not found.");
  EXPECT_EQ(ErrorCode(r.status()), "ResourceNotFoundException");
  r = (*client)->Call("Kinesis_20131202.Expired", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorCode(r.status()), "ExpiredIteratorException");
  r = (*client)->Call("Kinesis_20131202.Trimmed", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kOutOfRange));
  EXPECT_EQ(ErrorCode(r.status()), "TrimmedDataAccessException");
  r = (*client)->Call("Kinesis_20131202.PutRecord", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorCode(r.status()), "ValidationException");
  EXPECT_EQ(n.load(), 4);
}

TEST(JsonClientTest, ConnectionRefusedIsUnavailableAfterRetries) {
  auto client = JsonClient::Create(Config("kinesis", "http://127.0.0.1:" + std::to_string(::tributary::testing::UnusedPort())));
  ASSERT_OK(client);
  auto r = (*client)->Call("Kinesis_20131202.ListStreams", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(ErrorCode(r.status()), "");
  EXPECT_EQ((*client)->stats().attempts, 4);
}

TEST(JsonClientTest, ReusesConnections) {
  TestHttpServer server([](const SeenRequest&) { return ScriptedResponse{200, {}, "{}"}; });
  auto client = JsonClient::Create(Config("glue", server.url()));
  ASSERT_OK(client);
  for (int i = 0; i < 5; ++i) ASSERT_OK((*client)->Call("AWSGlue.GetDatabases", "{}"));
  std::set<int> ports;
  for (const auto& r : server.requests()) ports.insert(r.remote_port);
  EXPECT_EQ(ports.size(), 1u);
}

TEST(JsonClientTest, ExpiredTokenRefreshesCredentialsOnce) {
  std::atomic<int> n{0};
  TestHttpServer server([&](const SeenRequest&) {
    ++n;
    return JsonError(400, "ExpiredTokenException", "The security token included in the request is expired");
  });
  auto client = JsonClient::Create(Config("kinesis", server.url()));
  ASSERT_OK(client);
  auto r = (*client)->Call("Kinesis_20131202.ListStreams", "{}");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(n.load(), 2);
}

TEST(ClientConfigTest, EndpointsAndBadUrls) {
  ClientConfig c;
  c.service = "kinesis";
  c.region = "eu-central-1";
  c.credentials = CredentialProvider::Static({"A", "B", ""});
  auto client = JsonClient::Create(c);
  ASSERT_OK(client);
  if (std::getenv("AWS_ENDPOINT_URL") == nullptr && std::getenv("AWS_ENDPOINT_URL_KINESIS") == nullptr) {
    EXPECT_EQ((*client)->endpoint(), "https://kinesis.eu-central-1.amazonaws.com");
  }
  EXPECT_EQ(DefaultEndpointUrl("streams.dynamodb", "cn-north-1"), "https://streams.dynamodb.cn-north-1.amazonaws.com.cn");
  c.endpoint_url = "localhost:4566";
  EXPECT_THAT(JsonClient::Create(c), StatusIs(StatusCode::kInvalidArgument));
  c.endpoint_url = "http://[::1]:70000";
  EXPECT_THAT(JsonClient::Create(c), StatusIs(StatusCode::kInvalidArgument));
  auto e = ParseEndpoint("http://[::1]:4566/base/");
  ASSERT_OK(e);
  EXPECT_EQ(e->HostHeader(), "[::1]:4566");
  EXPECT_EQ(e->base_path, "/base");
  e = ParseEndpoint("https://s3.amazonaws.com");
  ASSERT_OK(e);
  EXPECT_EQ(e->HostHeader(), "s3.amazonaws.com");
  c.service = "";
  EXPECT_THAT(JsonClient::Create(c), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SnsClientTest, PublishIsAFormEncodedQueryCall) {
  TestHttpServer server([](const SeenRequest& r) -> ScriptedResponse {
    if (r.body.find("Action=Publish") == std::string::npos) return {400, {}, ""};
    return {200, {{"Content-Type", "text/xml"}},
            "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
            "<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult></PublishResponse>"};
  });
  ClientConfig c = Config("ignored", server.url());
  auto sns = SnsClient::Create(c);
  ASSERT_OK(sns);
  auto id = (*sns)->Publish("arn:aws:sns:eu-west-1:123456789012:alerts", "Big order", "order 7 = 1,000 & more");
  ASSERT_OK(id);
  EXPECT_EQ(*id, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].Header("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(seen[0].body,
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A123456789012%3Aalerts"
            "&Message=order%207%20%3D%201%2C000%20%26%20more&Subject=Big%20order");
  EXPECT_NE(seen[0].Header("authorization").find("/eu-west-1/sns/aws4_request"), std::string::npos);
}

TEST(SnsClientTest, XmlErrorsMap) {
  TestHttpServer server([](const SeenRequest&) -> ScriptedResponse {
    return {404, {}, "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist"
                     "</Message></Error></ErrorResponse>"};
  });
  auto sns = SnsClient::Create(Config("sns", server.url()));
  ASSERT_OK(sns);
  auto r = (*sns)->Publish("arn:aws:sns:eu-west-1:1:x", "", "m");
  EXPECT_THAT(r, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(r.status().message(), "NotFound: Topic does not exist");
}

TEST(S3ClientTest, PathStyleRequestsAndXml) {
  TestHttpServer server([](const SeenRequest& r) -> ScriptedResponse {
    if (r.method == "PUT" && r.query.empty()) return {200, {{"ETag", "\"abc\""}}, ""};
    if (r.method == "GET" && r.query.find("list-type=2") != std::string::npos) {
      if (r.query.find("continuation-token") == std::string::npos) {
        return {200, {}, "<ListBucketResult><Name>b</Name><Prefix>p/</Prefix><IsTruncated>true</IsTruncated>"
                         "<Contents><Key>p/a&amp;b.json</Key><Size>3</Size><ETag>&quot;e1&quot;</ETag></Contents>"
                         "<NextContinuationToken>tok/2=</NextContinuationToken></ListBucketResult>"};
      }
      return {200, {}, "<ListBucketResult><IsTruncated>false</IsTruncated>"
                       "<Contents><Key>p/c.json</Key><Size>10</Size></Contents></ListBucketResult>"};
    }
    if (r.method == "GET") return {404, {}, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist."
                                            "</Message></Error>"};
    if (r.method == "HEAD") return {404, {}, ""};
    if (r.method == "POST" && r.query == "uploads=") {
      return {200, {}, "<InitiateMultipartUploadResult><UploadId>up1</UploadId></InitiateMultipartUploadResult>"};
    }
    if (r.method == "PUT") return {200, {{"ETag", "\"part\""}}, ""};
    if (r.method == "POST") {
      // CompleteMultipartUpload: first an error inside a 200, then success.
      static std::atomic<int> n{0};
      if (n++ == 0) return {200, {}, "<Error><Code>InternalError</Code><Message>retry</Message></Error>"};
      return {200, {}, "<CompleteMultipartUploadResult><ETag>\"whole-2\"</ETag></CompleteMultipartUploadResult>"};
    }
    return {204, {}, ""};
  });
  auto s3 = S3Client::Create(Config("s3", server.url()));
  ASSERT_OK(s3);
  auto etag = (*s3)->PutObject("bucket", "data/year=2026/a b+c.json", "{}\n", "application/json");
  ASSERT_OK(etag);
  EXPECT_EQ(*etag, "\"abc\"");
  auto objects = (*s3)->ListAllObjects("bucket", "p/");
  ASSERT_OK(objects);
  ASSERT_EQ(objects->size(), 2u);
  EXPECT_EQ((*objects)[0].key, "p/a&b.json");
  EXPECT_EQ((*objects)[0].etag, "\"e1\"");
  EXPECT_EQ((*objects)[1].size, 10);
  auto got = (*s3)->GetObject("bucket", "missing");
  EXPECT_THAT(got, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(ErrorCode(got.status()), "NoSuchKey");
  EXPECT_THAT((*s3)->HeadObject("bucket", "missing"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK((*s3)->DeleteObject("bucket", "k"));
  auto whole = (*s3)->Upload("bucket", "big", std::string(25, 'x'), "", 10, 10);
  ASSERT_OK(whole);
  EXPECT_EQ(*whole, "\"whole-2\"");

  auto seen = server.requests();
  EXPECT_EQ(seen[0].path, "/bucket/data/year%3D2026/a%20b%2Bc.json");
  EXPECT_EQ(seen[0].Header("x-amz-content-sha256"), "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356");
  EXPECT_NE(seen[0].Header("authorization").find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,"),
            std::string::npos);
  EXPECT_EQ(seen[2].query, "list-type=2&max-keys=1000&prefix=p%2F&continuation-token=tok%2F2%3D");
  int parts = 0;
  for (const auto& r : seen) parts += r.query.rfind("partNumber=", 0) == 0;
  EXPECT_EQ(parts, 3);
  EXPECT_NE(seen.back().body.find("<Part><PartNumber>3</PartNumber><ETag>&quot;part&quot;</ETag></Part>"),
            std::string::npos);
}

}  // namespace
}  // namespace tributary::aws
