// The Kinesis operations through dynamodb::Dispatch over a real EmbeddedStreamStore (no HTTP):
// shapes, AWS error codes and messages, iterator positions and expiry, partial failures.
#include "streamapi/kinesis_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <list>

#include "core/encoding.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"

namespace tributary::streamapi {
namespace {

using ::testing::HasSubstr;

class KinesisApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Open({}); }

  void Open(KinesisOptions options) {
    store_.reset();
    auto s = stream::EmbeddedStreamStore::Open(dir_.str(), &clock_);
    ASSERT_OK(s);
    store_ = std::move(*s);
    options.store = store_.get();
    options.clock = &clock_;
    registry_ = dynamodb::OperationRegistry();
    RegisterKinesis(registry_, options);
  }

  // Calls the operation; returns the response body, failing the test on an HTTP error.
  std::string Call(std::string_view op, const std::string& body) {
    auto r = Raw(op, body);
    EXPECT_EQ(r.http_status, 200) << op << ": " << r.body;
    return r.body;
  }
  dynamodb::ApiResponse Raw(std::string_view op, const std::string& body) {
    dynamodb::ApiContext ctx;
    ctx.clock = &clock_;
    return dynamodb::Dispatch(registry_, std::string(kKinesisTargetPrefix) + std::string(op), body, ctx);
  }
  // The error code of a failing call, and its message in *message.
  std::string ErrorOf(std::string_view op, const std::string& body, std::string* message = nullptr) {
    auto r = Raw(op, body);
    EXPECT_EQ(r.http_status, 400) << r.body;
    simdjson::dom::element e = parser_.parse(r.body);
    if (message != nullptr) *message = std::string(std::string_view(e["message"]));
    return std::string(std::string_view(e["__type"]));
  }
  simdjson::dom::element Json(const std::string& body) {
    bodies_.push_back(body);
    return parser_.parse(bodies_.back());
  }
  std::string Iterator(const std::string& stream, const std::string& shard, const std::string& type,
                       const std::string& extra = "") {
    std::string body = Call("GetShardIterator", R"({"StreamName":")" + stream + R"(","ShardId":")" + shard +
                                                    R"(","ShardIteratorType":")" + type + "\"" + extra + "}");
    return std::string(std::string_view(Json(body)["ShardIterator"]));
  }

  testing::TempDir dir_;
  ManualClock clock_{1700000000000};
  std::unique_ptr<stream::EmbeddedStreamStore> store_;
  dynamodb::OperationRegistry registry_;
  simdjson::dom::parser parser_;
  std::list<std::string> bodies_;
};

TEST_F(KinesisApiTest, CreateDescribeListAndDelete) {
  Call("CreateStream", R"({"StreamName":"s1","ShardCount":2})");
  EXPECT_EQ(ErrorOf("CreateStream", R"({"StreamName":"s1","ShardCount":2})"), "ResourceInUseException");
  auto d = Json(Call("DescribeStream", R"({"StreamName":"s1"})"))["StreamDescription"];
  EXPECT_EQ(std::string_view(d["StreamStatus"]), "ACTIVE");
  EXPECT_EQ(std::string_view(d["StreamARN"]), "arn:aws:kinesis:us-east-1:000000000000:stream/s1");
  EXPECT_EQ(int64_t(d["RetentionPeriodHours"]), 24);
  simdjson::dom::array shards = d["Shards"];
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(std::string_view(shards.at(0)["ShardId"]), "shardId-000000000000");
  EXPECT_EQ(std::string_view(shards.at(0)["HashKeyRange"]["EndingHashKey"]),
            "170141183460469231731687303715884105727");
  EXPECT_EQ(std::string_view(shards.at(1)["HashKeyRange"]["StartingHashKey"]),
            "170141183460469231731687303715884105728");
  EXPECT_EQ(std::string_view(shards.at(0)["SequenceNumberRange"]["StartingSequenceNumber"]).size(), 56u);
  auto summary = Json(Call("DescribeStreamSummary", R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s1"})"));
  EXPECT_EQ(int64_t(summary["StreamDescriptionSummary"]["OpenShardCount"]), 2);

  Call("CreateStream", R"({"StreamName":"s2","ShardCount":1})");
  auto page = Json(Call("ListStreams", R"({"Limit":1})"));
  EXPECT_EQ(std::string_view(page["StreamNames"].at(0)), "s1");
  EXPECT_TRUE(bool(page["HasMoreStreams"]));
  auto next = Json(Call("ListStreams", R"({"NextToken":")" + std::string(std::string_view(page["NextToken"])) + "\"}"));
  EXPECT_EQ(std::string_view(next["StreamNames"].at(0)), "s2");
  EXPECT_FALSE(bool(next["HasMoreStreams"]));

  Call("DeleteStream", R"({"StreamName":"s2"})");
  std::string message;
  EXPECT_EQ(ErrorOf("DescribeStream", R"({"StreamName":"s2"})", &message), "ResourceNotFoundException");
  EXPECT_EQ(message, "Stream s2 under account 000000000000 not found.");
  EXPECT_EQ(ErrorOf("DeleteStream", R"({"StreamName":"s2"})"), "ResourceNotFoundException");
}

TEST_F(KinesisApiTest, ValidationErrorsUseAwsWording) {
  std::string message;
  EXPECT_EQ(ErrorOf("CreateStream", R"({"StreamName":"bad name","ShardCount":1})", &message), "ValidationException");
  EXPECT_THAT(message, HasSubstr("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  EXPECT_EQ(ErrorOf("PutRecord", R"({"StreamName":"s","Data":"QQ==","PartitionKey":""})", &message),
            "ValidationException");
  EXPECT_THAT(message, HasSubstr("at 'partitionKey' failed to satisfy constraint: Member must have length greater "
                                 "than or equal to 1"));
  EXPECT_EQ(ErrorOf("PutRecord", R"({"StreamName":"s","Data":"QQ==","PartitionKey":")" + std::string(257, 'k') + "\"}"),
            "ValidationException");
  EXPECT_EQ(ErrorOf("PutRecord", R"({"StreamName":"s","Data":"QQ==","PartitionKey":"k","ExplicitHashKey":"-1"})", &message),
            "InvalidArgumentException");
  EXPECT_THAT(message, HasSubstr("ExplicitHashKey must be in the range: [0, 2^128-1]"));
  const std::string big = Base64Encode(std::string((1 << 20) + 1, 'x'));
  EXPECT_EQ(ErrorOf("PutRecord", R"({"StreamName":"s","Data":")" + big + R"(","PartitionKey":"k"})", &message),
            "ValidationException");
  EXPECT_THAT(message, HasSubstr("Member must have length less than or equal to 1048576"));
  // 501 records.
  std::string records;
  for (int i = 0; i < 501; ++i) records += std::string(i ? "," : "") + R"({"Data":"QQ==","PartitionKey":"k"})";
  EXPECT_EQ(ErrorOf("PutRecords", R"({"StreamName":"s","Records":[)" + records + "]}", &message), "ValidationException");
  EXPECT_THAT(message, HasSubstr("Member must have length less than or equal to 500"));
  // 6 records of 1 MiB: over 5 MiB in total.
  const std::string mib = Base64Encode(std::string(1 << 20, 'y'));
  records.clear();
  for (int i = 0; i < 6; ++i) records += std::string(i ? "," : "") + R"({"Data":")" + mib + R"(","PartitionKey":"k"})";
  EXPECT_EQ(ErrorOf("PutRecords", R"({"StreamName":"s","Records":[)" + records + "]}", &message),
            "InvalidArgumentException");
  EXPECT_EQ(message, "Records size exceeds 5 MB limit");
  EXPECT_EQ(ErrorOf("PutRecord", R"({"StreamName":"nope","Data":"QQ==","PartitionKey":"k"})"),
            "ResourceNotFoundException");
  EXPECT_EQ(ErrorOf("PutRecord", R"({"Data":"QQ==","PartitionKey":"k"})"), "InvalidArgumentException");
}

TEST_F(KinesisApiTest, ProduceAndConsumeWithEveryIteratorType) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  std::vector<std::string> seqs;
  for (int i = 0; i < 3; ++i) {
    auto r = Json(Call("PutRecord", R"({"StreamName":"s","Data":")" + Base64Encode("r" + std::to_string(i)) +
                                        R"(","PartitionKey":"k"})"));
    EXPECT_EQ(std::string_view(r["ShardId"]), "shardId-000000000000");
    seqs.emplace_back(std::string_view(r["SequenceNumber"]));
    EXPECT_EQ(seqs.back().size(), 56u);
  }
  auto read = [&](const std::string& iterator) {
    auto r = Json(Call("GetRecords", R"({"ShardIterator":")" + iterator + "\"}"));
    std::vector<std::string> data;
    for (simdjson::dom::element rec : simdjson::dom::array(r["Records"])) {
      data.push_back(*Base64Decode(std::string_view(rec["Data"])));
      EXPECT_EQ(std::string_view(rec["PartitionKey"]), "k");
    }
    return std::make_pair(data, std::string(std::string_view(r["NextShardIterator"])));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(read(Iterator("s", "shardId-000000000000", "TRIM_HORIZON")).first, (V{"r0", "r1", "r2"}));
  EXPECT_EQ(read(Iterator("s", "shardId-000000000000", "AT_SEQUENCE_NUMBER", R"(,"StartingSequenceNumber":")" + seqs[1] + "\"")).first,
            (V{"r1", "r2"}));
  EXPECT_EQ(read(Iterator("s", "shardId-000000000000", "AFTER_SEQUENCE_NUMBER", R"(,"StartingSequenceNumber":")" + seqs[1] + "\"")).first,
            (V{"r2"}));
  const std::string latest = Iterator("s", "shardId-000000000000", "LATEST");
  clock_.AdvanceMillis(5000);
  Call("PutRecord", R"({"StreamName":"s","Data":")" + Base64Encode("r3") + R"(","PartitionKey":"k"})");
  auto [after_latest, next] = read(latest);
  EXPECT_EQ(after_latest, (V{"r3"}));
  EXPECT_TRUE(read(next).first.empty());
  EXPECT_EQ(read(Iterator("s", "shardId-000000000000", "AT_TIMESTAMP", R"(,"Timestamp":1700000002.5)")).first, (V{"r3"}));
  // Reading in pages with Limit.
  auto page = Json(Call("GetRecords", R"({"ShardIterator":")" + Iterator("s", "shardId-000000000000", "TRIM_HORIZON") +
                                          R"(","Limit":2})"));
  EXPECT_EQ(simdjson::dom::array(page["Records"]).size(), 2u);
  EXPECT_EQ(int64_t(page["MillisBehindLatest"]), 5000);

  std::string message;
  EXPECT_EQ(ErrorOf("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000007","ShardIteratorType":"LATEST"})", &message),
            "ResourceNotFoundException");
  EXPECT_EQ(message, "Shard shardId-000000000007 in stream s under account 000000000000 does not exist");
  EXPECT_EQ(ErrorOf("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER"})"),
            "InvalidArgumentException");
  EXPECT_EQ(ErrorOf("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"NEWEST"})"),
            "ValidationException");
  EXPECT_EQ(ErrorOf("GetRecords", R"({"ShardIterator":"bm90IGFuIGl0ZXJhdG9y"})", &message), "InvalidArgumentException");
  EXPECT_EQ(message, "Invalid ShardIterator.");
}

TEST_F(KinesisApiTest, IteratorsExpireAfterTheirTtl) {
  KinesisOptions options;
  options.iterator_ttl_ms = 1000;
  Open(options);
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  const std::string it = Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  clock_.AdvanceMillis(1000);
  auto next = Json(Call("GetRecords", R"({"ShardIterator":")" + it + "\"}"));
  const std::string fresh{std::string_view(next["NextShardIterator"])};
  clock_.AdvanceMillis(1001);
  std::string message;
  EXPECT_EQ(ErrorOf("GetRecords", R"({"ShardIterator":")" + fresh + "\"}", &message), "ExpiredIteratorException");
  EXPECT_THAT(message, HasSubstr("which is further in the future than the tolerated delay of 1000 milliseconds."));
}

TEST_F(KinesisApiTest, PutRecordsReportsThrottledEntriesPerRecord) {
  KinesisOptions options;
  options.shard_records_per_second = 3;
  Open(options);
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  std::string records;
  for (int i = 0; i < 5; ++i) {
    records += std::string(i ? "," : "") + R"({"Data":")" + Base64Encode("v" + std::to_string(i)) + R"(","PartitionKey":"k"})";
  }
  auto r = Json(Call("PutRecords", R"({"StreamName":"s","Records":[)" + records + "]}"));
  EXPECT_EQ(int64_t(r["FailedRecordCount"]), 2);
  simdjson::dom::array out = r["Records"];
  ASSERT_EQ(out.size(), 5u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(std::string_view(out.at(i)["SequenceNumber"]).size(), 56u);
  for (size_t i = 3; i < 5; ++i) {
    EXPECT_EQ(std::string_view(out.at(i)["ErrorCode"]), "ProvisionedThroughputExceededException");
    EXPECT_EQ(std::string_view(out.at(i)["ErrorMessage"]),
              "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.");
  }
  EXPECT_EQ(ErrorOf("PutRecord", R"({"StreamName":"s","Data":"QQ==","PartitionKey":"k"})"),
            "ProvisionedThroughputExceededException");
  clock_.AdvanceMillis(1000);  // a new second: room again
  Call("PutRecord", R"({"StreamName":"s","Data":"QQ==","PartitionKey":"k"})");
  auto got = Json(Call("GetRecords", R"({"ShardIterator":")" + Iterator("s", "shardId-000000000000", "TRIM_HORIZON") + "\"}"));
  EXPECT_EQ(simdjson::dom::array(got["Records"]).size(), 4u);
}

TEST_F(KinesisApiTest, ListShardsPagesAndFilters) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":5})");
  auto first = Json(Call("ListShards", R"({"StreamName":"s","MaxResults":2})"));
  EXPECT_EQ(simdjson::dom::array(first["Shards"]).size(), 2u);
  const std::string token{std::string_view(first["NextToken"])};
  std::string message;
  EXPECT_EQ(ErrorOf("ListShards", R"({"StreamName":"s","NextToken":")" + token + "\"}", &message), "InvalidArgumentException");
  EXPECT_EQ(message, "NextToken and StreamName cannot be provided together.");
  auto rest = Json(Call("ListShards", R"({"NextToken":")" + token + "\"}"));
  simdjson::dom::array shards = rest["Shards"];
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(std::string_view(shards.at(0)["ShardId"]), "shardId-000000000002");
  auto after = Json(Call("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000003"}})"));
  EXPECT_EQ(simdjson::dom::array(after["Shards"]).size(), 1u);
}

TEST_F(KinesisApiTest, RetentionAndTags) {
  Call("CreateStream", R"({"StreamName":"s","ShardCount":1,"Tags":{"team":"data"}})");
  Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":48})");
  std::string message;
  EXPECT_EQ(ErrorOf("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":30})", &message),
            "InvalidArgumentException");
  EXPECT_THAT(message, HasSubstr("can not be shorter than existing retention period (48 hours)"));
  EXPECT_EQ(ErrorOf("DecreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":12})", &message),
            "InvalidArgumentException");
  EXPECT_THAT(message, HasSubstr("Minimum allowed retention period is 24 hours"));
  Call("DecreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":36})");
  EXPECT_EQ(int64_t(Json(Call("DescribeStreamSummary", R"({"StreamName":"s"})"))["StreamDescriptionSummary"]["RetentionPeriodHours"]), 36);

  Call("AddTagsToStream", R"({"StreamName":"s","Tags":{"env":"dev","owner":"me"}})");
  auto tags = Json(Call("ListTagsForStream", R"({"StreamName":"s","Limit":2})"));
  simdjson::dom::array list = tags["Tags"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(std::string_view(list.at(0)["Key"]), "env");
  EXPECT_TRUE(bool(tags["HasMoreTags"]));
  Call("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["env","team"]})");
  auto left = Json(Call("ListTagsForStream", R"({"StreamName":"s"})"));
  ASSERT_EQ(simdjson::dom::array(left["Tags"]).size(), 1u);
  EXPECT_EQ(std::string_view(left["Tags"].at(0)["Key"]), "owner");
}

TEST_F(KinesisApiTest, ProtectedStreamsCannotBeDeleted) {
  KinesisOptions options;
  options.protected_streams = {"orders"};
  Open(options);
  Call("CreateStream", R"({"StreamName":"orders","ShardCount":1})");
  EXPECT_EQ(ErrorOf("DeleteStream", R"({"StreamName":"orders"})"), "ResourceInUseException");
  EXPECT_OK(store_->GetStream("orders"));
}

}  // namespace
}  // namespace tributary::streamapi
