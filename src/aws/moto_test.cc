// The AWS clients against a real moto_server started by the test on a free loopback port:
// S3 objects, listings and multipart uploads; DynamoDB, DynamoDB Streams, Kinesis and Glue
// through JsonClient; SNS Publish delivered to an SQS queue subscription.
#include <simdjson.h>

#include "aws/aws_client.h"
#include "aws/s3_client.h"
#include "aws/xml.h"
#include "testing/moto_server.h"
#include "testing/test_util.h"

namespace tributary::aws {
namespace {

using ::tributary::testing::MotoServer;
using ::tributary::testing::StatusIs;

class MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!MotoServer::Available()) return;
    auto m = MotoServer::Start();
    if (m.ok()) moto_ = std::move(*m).release();
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    if (!MotoServer::Available()) GTEST_SKIP() << "moto_server is not installed";
    ASSERT_NE(moto_, nullptr) << "moto_server did not start";
  }
  static ClientConfig Config(std::string service) {
    ClientConfig c;
    c.service = std::move(service);
    c.region = "us-east-1";
    c.endpoint_url = moto_->url();
    c.credentials = CredentialProvider::Static({"testing", "testing", ""});
    c.max_attempts = 3;
    c.backoff_base_ms = 10;
    return c;
  }
  static MotoServer* moto_;
};
MotoServer* MotoTest::moto_ = nullptr;

TEST_F(MotoTest, S3ObjectsListingsAndMultipart) {
  auto s3r = S3Client::Create(Config("s3"));
  ASSERT_OK(s3r);
  S3Client& s3 = **s3r;
  ASSERT_OK(s3.CreateBucket("lake"));
  ASSERT_OK(s3.CreateBucket("lake"));  // already ours: fine

  std::string binary("\x00\x01\xff{}\n", 6);
  ASSERT_OK(s3.PutObject("lake", "data/year=2026/month=11/part 1+x.json", binary, "application/octet-stream"));
  auto got = s3.GetObject("lake", "data/year=2026/month=11/part 1+x.json");
  ASSERT_OK(got);
  EXPECT_EQ(*got, binary);
  auto head = s3.HeadObject("lake", "data/year=2026/month=11/part 1+x.json");
  ASSERT_OK(head);
  EXPECT_EQ(head->size, 6);

  for (int i = 0; i < 5; ++i) ASSERT_OK(s3.PutObject("lake", "page/k" + std::to_string(i), "v"));
  auto page = s3.ListObjectsV2("lake", "page/", {}, 2);
  ASSERT_OK(page);
  EXPECT_EQ(page->objects.size(), 2u);
  EXPECT_TRUE(page->truncated);
  auto all = s3.ListAllObjects("lake", "page/");
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[4].key, "page/k4");
  auto dirs = s3.ListObjectsV2("lake", "", {}, 1000, "/");
  ASSERT_OK(dirs);
  EXPECT_EQ(dirs->common_prefixes, (std::vector<std::string>{"data/", "page/"}));

  ASSERT_OK(s3.DeleteObject("lake", "page/k0"));
  ASSERT_OK(s3.DeleteObject("lake", "page/k0"));  // missing: fine
  auto missing = s3.GetObject("lake", "page/k0");
  EXPECT_THAT(missing, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(ErrorCode(missing.status()), "NoSuchKey");
  EXPECT_THAT(s3.HeadObject("lake", "page/k0"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(s3.GetObject("no-such-bucket", "k"), StatusIs(StatusCode::kNotFound));

  // 11 MiB in 5 MiB parts (S3's minimum part size).
  std::string big(11 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  auto etag = s3.Upload("lake", "big/object.json", big, "application/json", 8 << 20, 5 << 20);
  ASSERT_OK(etag);
  EXPECT_NE(etag->find("-3"), std::string::npos) << *etag;  // a multipart ETag names its part count
  auto back = s3.GetObject("lake", "big/object.json");
  ASSERT_OK(back);
  EXPECT_TRUE(*back == big);

  // An aborted upload leaves nothing behind.
  auto upload = s3.CreateMultipartUpload("lake", "big/aborted.json");
  ASSERT_OK(upload);
  ASSERT_OK(s3.UploadPart("lake", "big/aborted.json", *upload, 1, "partial"));
  ASSERT_OK(s3.AbortMultipartUpload("lake", "big/aborted.json", *upload));
  EXPECT_THAT(s3.HeadObject("lake", "big/aborted.json"), StatusIs(StatusCode::kNotFound));
}

TEST_F(MotoTest, JsonServices) {
  auto ddb = JsonClient::Create(Config("dynamodb"));
  ASSERT_OK(ddb);
  ASSERT_OK((*ddb)->Call("DynamoDB_20120810.CreateTable",
                         R"({"TableName":"orders","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
                             "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
                             "BillingMode":"PAY_PER_REQUEST",
                             "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})"));
  ASSERT_OK((*ddb)->Call("DynamoDB_20120810.PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o1"}}})"));
  auto missing = (*ddb)->Call("DynamoDB_20120810.DescribeTable", R"({"TableName":"nope"})");
  EXPECT_THAT(missing, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(ErrorCode(missing.status()), "ResourceNotFoundException");

  ClientConfig streams_config = Config("dynamodb");
  streams_config.endpoint_prefix = "streams.dynamodb";
  auto streams = JsonClient::Create(streams_config);
  ASSERT_OK(streams);
  auto listed = (*streams)->Call("DynamoDBStreams_20120810.ListStreams", R"({"TableName":"orders"})");
  ASSERT_OK(listed);
  EXPECT_NE(listed->find("table/orders/stream/"), std::string::npos) << *listed;

  auto kinesis = JsonClient::Create(Config("kinesis"));
  ASSERT_OK(kinesis);
  ASSERT_OK((*kinesis)->Call("Kinesis_20131202.CreateStream", R"({"StreamName":"changes","ShardCount":2})"));
  auto put = (*kinesis)->Call("Kinesis_20131202.PutRecord",
                              R"({"StreamName":"changes","Data":"aGVsbG8=","PartitionKey":"o1"})");
  ASSERT_OK(put);
  EXPECT_NE(put->find("SequenceNumber"), std::string::npos);
  auto no_stream = (*kinesis)->Call("Kinesis_20131202.DescribeStreamSummary", R"({"StreamName":"nope"})");
  EXPECT_THAT(no_stream, StatusIs(StatusCode::kNotFound));

  auto glue = JsonClient::Create(Config("glue"));
  ASSERT_OK(glue);
  ASSERT_OK((*glue)->Call("AWSGlue.CreateDatabase", R"({"DatabaseInput":{"Name":"lake"}})"));
  auto again = (*glue)->Call("AWSGlue.CreateDatabase", R"({"DatabaseInput":{"Name":"lake"}})");
  EXPECT_THAT(again, StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(ErrorCode(again.status()), "AlreadyExistsException");
  auto table = (*glue)->Call("AWSGlue.GetTable", R"({"DatabaseName":"lake","Name":"nope"})");
  EXPECT_THAT(table, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(ErrorCode(table.status()), "EntityNotFoundException");
}

TEST_F(MotoTest, SnsPublishReachesAnSqsSubscription) {
  auto sns = SnsClient::Create(Config("sns"));
  ASSERT_OK(sns);
  auto topic = (*sns)->CreateTopic("tributary-alerts");
  ASSERT_OK(topic);
  EXPECT_EQ(*topic, "arn:aws:sns:us-east-1:123456789012:tributary-alerts");

  auto sqs = QueryClient::Create(Config("sqs"), "2012-11-05");
  ASSERT_OK(sqs);
  auto created = (*sqs)->Call("CreateQueue", {{"QueueName", "alerts-inbox"}});
  ASSERT_OK(created);
  std::string queue_url = XmlText(*created, "QueueUrl");
  ASSERT_FALSE(queue_url.empty()) << *created;
  ASSERT_OK((*sns)->Subscribe(*topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:alerts-inbox"));

  auto id = (*sns)->Publish(*topic, "Large order", "order o1: 1,000.00 EUR & more");
  ASSERT_OK(id);
  EXPECT_FALSE(id->empty());
  auto received = (*sqs)->Call("ReceiveMessage", {{"QueueUrl", queue_url}, {"MaxNumberOfMessages", "10"}});
  ASSERT_OK(received);
  std::string body = XmlText(*received, "Body");
  // The SNS envelope (JSON) carries the subject and the message.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body;
  std::string_view message, subject, message_id;
  ASSERT_EQ(doc["Message"].get_string().get(message), simdjson::SUCCESS);
  ASSERT_EQ(doc["Subject"].get_string().get(subject), simdjson::SUCCESS);
  ASSERT_EQ(doc["MessageId"].get_string().get(message_id), simdjson::SUCCESS);
  EXPECT_EQ(message, "order o1: 1,000.00 EUR & more");
  EXPECT_EQ(subject, "Large order");
  EXPECT_EQ(message_id, *id);

  auto no_topic = (*sns)->Publish("arn:aws:sns:us-east-1:123456789012:missing", "", "x");
  EXPECT_THAT(no_topic, StatusIs(StatusCode::kNotFound));
}

TEST_F(MotoTest, StoppedServerIsUnavailableAndRestartRecovers) {
  ClientConfig c = Config("kinesis");
  c.max_attempts = 2;
  auto kinesis = JsonClient::Create(c);
  ASSERT_OK(kinesis);
  ASSERT_OK((*kinesis)->Call("Kinesis_20131202.ListStreams", "{}"));
  moto_->Stop();
  auto down = (*kinesis)->Call("Kinesis_20131202.ListStreams", "{}");
  EXPECT_THAT(down, StatusIs(StatusCode::kUnavailable));
  ASSERT_OK(moto_->Restart());
  ASSERT_OK((*kinesis)->Call("Kinesis_20131202.ListStreams", "{}"));  // a fresh connection
}

}  // namespace
}  // namespace tributary::aws
