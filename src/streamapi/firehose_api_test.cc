// CreateDeliveryStream's mapping onto a delivery configuration, and the Firehose handlers through
// dynamodb::Dispatch over an in-memory FirehoseBackend (the runtime's one is tested end to end in
// tests/e2e/streamapi/test_firehose.py).
#include "streamapi/firehose_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>

#include "core/encoding.h"
#include "testing/test_util.h"

namespace tributary::streamapi {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::StatusIs;

constexpr std::string_view kDest =
    R"("ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::lake","RoleARN":"r")";

TEST(ParseCreateDeliveryStreamTest, MapsExtendedS3DestinationOntoDeliveryConfig) {
  auto spec = ParseCreateDeliveryStream(
      R"({"DeliveryStreamName":"My-Orders.v2","DeliveryStreamType":"KinesisStreamAsSource",
          "KinesisStreamSourceConfiguration":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/orders","RoleARN":"r"},
          "ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::lake","RoleARN":"r",
            "Prefix":"orders/!{partitionKeyFromQuery:customer}/","ErrorOutputPrefix":"failed/!{firehose:error-output-type}/",
            "BufferingHints":{"SizeInMBs":64,"IntervalInSeconds":60},"CompressionFormat":"GZIP",
            "DynamicPartitioningConfiguration":{"Enabled":true},
            "ProcessingConfiguration":{"Enabled":true,"Processors":[
              {"Type":"Lambda","Parameters":[{"ParameterName":"LambdaArn","ParameterValue":"arn:aws:lambda:us-east-1:000000000000:function:enrich:$LATEST"},
                                             {"ParameterName":"NumberOfRetries","ParameterValue":"2"}]},
              {"Type":"MetadataExtraction","Parameters":[{"ParameterName":"MetadataExtractionQuery","ParameterValue":"{customer:.c}"},
                                                         {"ParameterName":"JsonParsingEngine","ParameterValue":"JQ-1.6"}]},
              {"Type":"AppendDelimiterToRecord","Parameters":[]}]}}})",
      "us-east-1", "000000000000");
  ASSERT_OK(spec);
  EXPECT_EQ(spec->type, "KinesisStreamAsSource");
  EXPECT_EQ(spec->source_stream, "orders");
  const config::DeliveryConfig& dc = spec->delivery;
  EXPECT_EQ(dc.table, "my_orders_v2");
  EXPECT_EQ(dc.source.name, "orders");
  EXPECT_EQ(dc.prefix, "orders/!{partitionKeyFromQuery:customer}/");
  EXPECT_EQ(dc.error_output_prefix, "failed/!{firehose:error-output-type}/");
  EXPECT_EQ(dc.buffering.max_bytes, 64 << 20);
  EXPECT_EQ(dc.buffering.interval_ms, 60000);
  EXPECT_EQ(dc.format.compression, config::FileCompression::kGzip);
  EXPECT_EQ(dc.dynamic_partitioning, std::optional<bool>(true));
  EXPECT_EQ(dc.partitioning, config::Partitioning::kArrivalTime);
  ASSERT_EQ(dc.processors.size(), 3u);
  EXPECT_EQ(dc.processors[0].type, "lambda");
  EXPECT_EQ(dc.processors[0].params.at("code"), "lambdas/enrich");
  EXPECT_EQ(dc.processors[0].params.at("function_name"), "enrich");
  EXPECT_EQ(dc.processors[0].params.at("number_of_retries"), "2");
  EXPECT_EQ(dc.processors[1].type, "metadata-extraction");
  EXPECT_EQ(dc.processors[1].params.at("query"), "{customer:.c}");
  EXPECT_EQ(dc.processors[2].type, "append-delimiter");
}

TEST(ParseCreateDeliveryStreamTest, DefaultsAndBuiltInLambda) {
  auto plain = ParseCreateDeliveryStream(R"({"DeliveryStreamName":"d",)" + std::string(kDest) + "}}", "r", "a");
  ASSERT_OK(plain);
  EXPECT_EQ(plain->type, "DirectPut");
  EXPECT_EQ(plain->delivery.buffering.max_bytes, 5 << 20);  // Firehose's 5 MiB / 300 s
  EXPECT_EQ(plain->delivery.buffering.interval_ms, 300000);
  ASSERT_EQ(plain->delivery.processors.size(), 1u);  // records delivered as they are
  EXPECT_EQ(plain->delivery.processors[0].type, "jq");
  auto flatten = ParseCreateDeliveryStream(
      R"({"DeliveryStreamName":"d",)" + std::string(kDest) +
          R"(,"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"Lambda","Parameters":[{"ParameterName":"LambdaArn","ParameterValue":"arn:aws:lambda:us-east-1:000000000000:function:cdc-flatten"}]}]}}})",
      "r", "a");
  ASSERT_OK(flatten);
  EXPECT_EQ(flatten->delivery.processors[0].type, "cdc-flatten");
  auto parquet = ParseCreateDeliveryStream(
      R"({"DeliveryStreamName":"d",)" + std::string(kDest) +
          R"(,"DataFormatConversionConfiguration":{"Enabled":true,"OutputFormatConfiguration":{"Serializer":{"ParquetSerDe":{}}}}}})",
      "r", "a");
  ASSERT_OK(parquet);
  EXPECT_EQ(parquet->delivery.format.type, config::FileFormatType::kParquet);
}

TEST(ParseCreateDeliveryStreamTest, RejectsWhatCannotBeExpressed) {
  auto check = [](const std::string& body, const std::string& message) {
    auto r = ParseCreateDeliveryStream(body, "r", "a");
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << body;
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), HasSubstr(message));
    }
  };
  check(R"({"DeliveryStreamName":"bad name",)" + std::string(kDest) + "}}", "DeliveryStreamName");
  check(R"({"DeliveryStreamName":"d"})", "exactly one of ExtendedS3DestinationConfiguration");
  check(R"({"DeliveryStreamName":"d",)" + std::string(kDest) + R"(,"BufferingHints":{"SizeInMBs":5}}})",
        "specify both SizeInMBs and IntervalInSeconds");
  check(R"({"DeliveryStreamName":"d",)" + std::string(kDest) + R"(,"BufferingHints":{"SizeInMBs":500,"IntervalInSeconds":1}}})",
        "SizeInMBs must be between 1 and 128");
  check(R"({"DeliveryStreamName":"d",)" + std::string(kDest) + R"(,"CompressionFormat":"ZIP"}})", "ZIP is not supported");
  check(R"({"DeliveryStreamName":"d","DeliveryStreamType":"KinesisStreamAsSource",)" + std::string(kDest) + "}}",
        "KinesisStreamSourceConfiguration is required");
  check(R"({"DeliveryStreamName":"d",)" + std::string(kDest) +
            R"(,"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"RecordDeAggregation","Parameters":[]}]}}})",
        "RecordDeAggregation is not supported");
  check(R"({"DeliveryStreamName":"d","SplunkDestinationConfiguration":{}})", "only S3 destinations");
}

// A backend that keeps records in memory.
class MemoryBackend final : public FirehoseBackend {
 public:
  Status CreateDeliveryStream(const FirehoseStreamSpec& spec) override {
    if (!streams.emplace(spec.name, spec).second) return Status::AlreadyExists("exists");
    return Status::Ok();
  }
  Status DeleteDeliveryStream(std::string_view name) override {
    return streams.erase(std::string(name)) ? Status::Ok() : Status::NotFound("no");
  }
  std::vector<FirehoseStreamInfo> ListDeliveryStreams() const override {
    std::vector<FirehoseStreamInfo> out;
    for (const auto& [name, spec] : streams) {
      FirehoseStreamInfo info;
      info.name = name;
      info.type = spec.type;
      info.request_json = spec.request_json;
      info.create_ms = spec.create_ms;
      out.push_back(std::move(info));
    }
    return out;
  }
  Result<std::vector<std::string>> PutRecords(std::string_view name, std::span<const std::string_view> records) override {
    auto it = streams.find(std::string(name));
    if (it == streams.end()) return Status::NotFound("no");
    if (it->second.type != kDirectPut) return Status::FailedPrecondition("kinesis source");
    std::vector<std::string> ids;
    for (std::string_view r : records) {
      data[std::string(name)].emplace_back(r);
      ids.push_back("id" + std::to_string(data[std::string(name)].size()));
    }
    return ids;
  }
  std::map<std::string, FirehoseStreamSpec> streams;
  std::map<std::string, std::vector<std::string>> data;
};

class FirehoseApiTest : public ::testing::Test {
 protected:
  void Register(int64_t records_per_second) {
    FirehoseOptions o;
    o.backend = &backend_;
    o.clock = &clock_;
    o.records_per_second = records_per_second;
    registry_ = dynamodb::OperationRegistry();
    RegisterFirehose(registry_, o);
  }
  dynamodb::ApiResponse Call(std::string_view op, const std::string& body) {
    dynamodb::ApiContext ctx;
    ctx.clock = &clock_;
    return dynamodb::Dispatch(registry_, std::string(kFirehoseTargetPrefix) + std::string(op), body, ctx);
  }
  ManualClock clock_{1700000000000};
  MemoryBackend backend_;
  dynamodb::OperationRegistry registry_;
  simdjson::dom::parser parser_;
};

TEST_F(FirehoseApiTest, PutRecordBatchDecodesAndReportsThrottledEntries) {
  Register(3);
  ASSERT_EQ(Call("CreateDeliveryStream", R"({"DeliveryStreamName":"d",)" + std::string(kDest) + "}}").http_status, 200);
  std::string records;
  for (int i = 0; i < 5; ++i) records += std::string(i ? "," : "") + R"({"Data":")" + Base64Encode("r" + std::to_string(i)) + "\"}";
  auto r = Call("PutRecordBatch", R"({"DeliveryStreamName":"d","Records":[)" + records + "]}");
  ASSERT_EQ(r.http_status, 200) << r.body;
  simdjson::dom::element body = parser_.parse(r.body);
  EXPECT_EQ(int64_t(body["FailedPutCount"]), 2);
  EXPECT_EQ(std::string_view(body["RequestResponses"].at(0)["RecordId"]), "id1");
  EXPECT_EQ(std::string_view(body["RequestResponses"].at(4)["ErrorCode"]), "ServiceUnavailableException");
  EXPECT_EQ(backend_.data["d"], (std::vector<std::string>{"r0", "r1", "r2"}));
  auto single = Call("PutRecord", R"({"DeliveryStreamName":"d","Record":{"Data":"QQ=="}})");
  EXPECT_EQ(single.http_status, 400);
  EXPECT_THAT(single.body, HasSubstr("ServiceUnavailableException"));
  clock_.AdvanceMillis(1000);
  EXPECT_EQ(Call("PutRecord", R"({"DeliveryStreamName":"d","Record":{"Data":"QQ=="}})").http_status, 200);
  EXPECT_EQ(backend_.data["d"].back(), "A");
}

TEST_F(FirehoseApiTest, ErrorsUseFirehoseShapes) {
  Register(0);
  auto missing = Call("DescribeDeliveryStream", R"({"DeliveryStreamName":"nope"})");
  EXPECT_EQ(missing.http_status, 400);
  EXPECT_EQ(missing.error_code, "ResourceNotFoundException");
  EXPECT_THAT(missing.body, HasSubstr("Firehose nope under account 000000000000 not found."));
  ASSERT_EQ(Call("CreateDeliveryStream", R"({"DeliveryStreamName":"d",)" + std::string(kDest) + "}}").http_status, 200);
  EXPECT_EQ(Call("CreateDeliveryStream", R"({"DeliveryStreamName":"d",)" + std::string(kDest) + "}}").error_code,
            "ResourceInUseException");
  EXPECT_EQ(Call("PutRecord", R"({"DeliveryStreamName":"d","Record":{"Data":"not base64!"}})").error_code,
            "SerializationException");
  auto list = Call("ListDeliveryStreams", "{}");
  EXPECT_THAT(list.body, HasSubstr(R"("DeliveryStreamNames":["d"])"));
  auto desc = Call("DescribeDeliveryStream", R"({"DeliveryStreamName":"d"})");
  EXPECT_THAT(desc.body, HasSubstr(R"("ExtendedS3DestinationDescription":{"BucketARN":"arn:aws:s3:::lake")"));
}

}  // namespace
}  // namespace tributary::streamapi
