// The DynamoDB Streams API through Dispatch, over a real TableEngine with a manual clock:
// exact JSON shapes, validation messages, iterator expiry, trimming, closed shards.
#include <regex>

#include "core/clock.h"
#include "dynamodb/api.h"
#include "dynamodb/streams_iterator.h"
#include "table/table_engine.h"
#include "table/table_stream_admin.h"
#include "testing/test_util.h"

namespace tributary::dynamodb {
namespace {

using table::StreamAdmin;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kArn =
    "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2023-11-14T22:13:20.123";

class StreamsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table::TableEngine::Options options;
    options.clock = &clock_;
    options.region = "eu-west-1";
    options.account_id = "123456789012";
    auto engine = table::TableEngine::Open(dir_.str(), options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    ctx_.engine = engine_.get();
    ctx_.clock = &clock_;
    ctx_.region = "eu-west-1";
    ctx_.account_id = "123456789012";
    registry_ = BuildRegistry();
  }

  void CreateTable(const std::string& name, int shards = 1,
                   std::optional<StreamViewType> view = StreamViewType::kNewAndOldImages) {
    table::TableSpec spec;
    spec.name = name;
    spec.hash_key = {"pk", AttributeType::kS};
    spec.range_key = table::KeyAttribute{"sk", AttributeType::kN};
    spec.stream_view_type = view;
    spec.stream_shard_count = shards;
    ASSERT_TRUE(engine_->CreateTable(spec).ok());
  }

  ApiResponse Call(std::string_view op, std::string_view body) {
    return Dispatch(registry_, std::string(kStreamsTargetPrefix) + std::string(op), body, ctx_);
  }

  // A string member of a successful response.
  std::string Member(const ApiResponse& r, std::string_view key) {
    EXPECT_EQ(r.http_status, 200) << r.body;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(r.body).get(doc) != simdjson::SUCCESS) return "";
    std::string_view s;
    if (doc[key].get_string().get(s) != simdjson::SUCCESS) return "";
    return std::string(s);
  }

  std::string FirstShard(const std::string& arn) {
    auto info = StreamAdmin::DescribeStream(*engine_, arn);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->shards[0].shard_id : "";
  }

  std::string Iterator(const std::string& arn, const std::string& shard, const std::string& type,
                       const std::string& seq = "") {
    std::string body = R"({"StreamArn":")" + arn + R"(","ShardId":")" + shard + R"(","ShardIteratorType":")" + type +
                       "\"" + (seq.empty() ? "" : R"(,"SequenceNumber":")" + seq + "\"") + "}";
    return Member(Call("GetShardIterator", body), "ShardIterator");
  }

  ApiResponse GetRecords(const std::string& iterator, int limit = 0) {
    return Call("GetRecords", R"({"ShardIterator":")" + iterator + "\"" +
                                  (limit > 0 ? ",\"Limit\":" + std::to_string(limit) : "") + "}");
  }

  // Event ids are random per engine: blank them for exact comparisons.
  static std::string BlankIds(const std::string& json) {
    return std::regex_replace(json, std::regex(R"("eventID":"[0-9a-f]{32}")"), R"("eventID":"ID")");
  }
  static std::string BlankIterator(const std::string& json) {
    return std::regex_replace(json, std::regex(R"("NextShardIterator":"[^"]*")"), R"("NextShardIterator":"IT")");
  }

  Item Row(const std::string& pk, int sk, const std::string& v) {
    return {{"pk", AttributeValue::S(pk)}, {"sk", AttributeValue::N(std::to_string(sk)).value()},
            {"v", AttributeValue::S(v)}};
  }

  ManualClock clock_{1700000000123};
  testing::TempDir dir_;
  std::unique_ptr<table::TableEngine> engine_;
  ApiContext ctx_;
  OperationRegistry registry_;
};

TEST_F(StreamsApiTest, ListAndDescribeExactJson) {
  CreateTable("orders");
  CreateTable("plain", 1, std::nullopt);
  ApiResponse list = Call("ListStreams", "{}");
  EXPECT_EQ(list.http_status, 200);
  EXPECT_EQ(list.body, std::string(R"({"Streams":[{"StreamArn":")") + kArn +
                           R"(","StreamLabel":"2023-11-14T22:13:20.123","TableName":"orders"}]})");
  EXPECT_EQ(Call("ListStreams", R"({"TableName":"plain"})").body, R"({"Streams":[]})");
  ApiResponse missing = Call("ListStreams", R"({"TableName":"nope"})");
  EXPECT_EQ(missing.error_code, "ResourceNotFoundException");

  ApiResponse described = Call("DescribeStream", std::string(R"({"StreamArn":")") + kArn + "\"}");
  ASSERT_EQ(described.http_status, 200) << described.body;
  const std::string shard = FirstShard(kArn);
  ASSERT_EQ(shard.size(), 37u);
  EXPECT_EQ(described.body,
            std::string(R"({"StreamDescription":{"CreationRequestDateTime":1700000000.123,"KeySchema":[)") +
                R"({"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)" +
                R"("Shards":[{"SequenceNumberRange":{"StartingSequenceNumber":"100000000000000000001"},"ShardId":")" +
                shard + R"("}],"StreamArn":")" + kArn +
                R"(","StreamLabel":"2023-11-14T22:13:20.123","StreamStatus":"ENABLED",)" +
                R"("StreamViewType":"NEW_AND_OLD_IMAGES","TableName":"orders"}})");
}

TEST_F(StreamsApiTest, PaginationOfStreamsAndShards) {
  CreateTable("aaa", 2);
  CreateTable("bbb", 1);
  ApiResponse first = Call("ListStreams", R"({"Limit":1})");
  const std::string last = Member(first, "LastEvaluatedStreamArn");
  EXPECT_THAT(last, HasSubstr("table/aaa/stream/"));
  ApiResponse second = Call("ListStreams", R"({"Limit":1,"ExclusiveStartStreamArn":")" + last + "\"}");
  EXPECT_THAT(second.body, HasSubstr("table/bbb/stream/"));
  EXPECT_THAT(second.body, Not(HasSubstr("LastEvaluatedStreamArn")));

  const std::string arn = last;
  ApiResponse page = Call("DescribeStream", R"({"StreamArn":")" + arn + R"(","Limit":1})");
  ASSERT_EQ(page.http_status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("\"LastEvaluatedShardId\""));
  auto info = StreamAdmin::DescribeStream(*engine_, arn);
  ASSERT_TRUE(info.ok());
  ApiResponse rest = Call("DescribeStream", R"({"StreamArn":")" + arn + R"(","ExclusiveStartShardId":")" +
                                                info->shards[0].shard_id + "\"}");
  EXPECT_THAT(rest.body, HasSubstr(info->shards[1].shard_id));
  EXPECT_THAT(rest.body, Not(HasSubstr(info->shards[0].shard_id)));
}

TEST_F(StreamsApiTest, RecordsHaveDynamoDbShapeAndNoOpsEmitNothing) {
  CreateTable("orders");
  ASSERT_TRUE(engine_->PutItem("orders", Row("a", 1, "x")).ok());
  ASSERT_TRUE(engine_->PutItem("orders", Row("a", 1, "x")).ok());  // no-op: no record
  table::UpdateSpec update;
  update.update_expression = "SET v = :v";
  update.expression_attribute_values = {{":v", AttributeValue::S("y")}};
  Item key_b{{"pk", AttributeValue::S("b")}, {"sk", AttributeValue::N("2").value()}};
  clock_.AdvanceMillis(999);
  ASSERT_TRUE(engine_->UpdateItem("orders", key_b, update).ok());  // creates: one INSERT
  ASSERT_TRUE(engine_->UpdateItem("orders", key_b, update).ok());  // same value: no record
  ASSERT_TRUE(engine_->DeleteItem("orders", key_b).ok());
  ASSERT_TRUE(engine_->DeleteItem("orders", key_b).ok());  // missing: no record

  const std::string it = Iterator(kArn, FirstShard(kArn), "TRIM_HORIZON");
  ASSERT_FALSE(it.empty());
  ApiResponse r = GetRecords(it);
  ASSERT_EQ(r.http_status, 200) << r.body;
  const std::string common = R"("eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-west-1",)";
  EXPECT_EQ(BlankIterator(BlankIds(r.body)),
            std::string(R"({"NextShardIterator":"IT","Records":[)") +
                R"({"eventID":"ID","eventName":"INSERT",)" + common +
                R"("dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},)" +
                R"("NewImage":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"x"}},"SequenceNumber":"100000000000000000001",)" +
                R"("SizeBytes":16,"StreamViewType":"NEW_AND_OLD_IMAGES"}},)" +
                R"({"eventID":"ID","eventName":"INSERT",)" + common +
                R"("dynamodb":{"ApproximateCreationDateTime":1700000001,"Keys":{"pk":{"S":"b"},"sk":{"N":"2"}},)" +
                R"("NewImage":{"pk":{"S":"b"},"sk":{"N":"2"},"v":{"S":"y"}},"SequenceNumber":"100000000000000000002",)" +
                R"("SizeBytes":16,"StreamViewType":"NEW_AND_OLD_IMAGES"}},)" +
                R"({"eventID":"ID","eventName":"REMOVE",)" + common +
                R"("dynamodb":{"ApproximateCreationDateTime":1700000001,"Keys":{"pk":{"S":"b"},"sk":{"N":"2"}},)" +
                R"("OldImage":{"pk":{"S":"b"},"sk":{"N":"2"},"v":{"S":"y"}},"SequenceNumber":"100000000000000000003",)" +
                R"("SizeBytes":16,"StreamViewType":"NEW_AND_OLD_IMAGES"}}]})");
  EXPECT_THAT(r.body, Not(HasSubstr("eventSourceARN")));

  // The next iterator continues after the last record; nothing new yet.
  const std::string next = Member(r, "NextShardIterator");
  ApiResponse empty = GetRecords(next);
  EXPECT_EQ(BlankIterator(empty.body), R"({"NextShardIterator":"IT","Records":[]})");
  ASSERT_TRUE(engine_->PutItem("orders", Row("c", 3, "z")).ok());
  ApiResponse more = GetRecords(Member(empty, "NextShardIterator"));
  EXPECT_THAT(more.body, HasSubstr(R"("SequenceNumber":"100000000000000000004")"));
  EXPECT_THAT(more.body, Not(HasSubstr(R"("SequenceNumber":"100000000000000000003")")));
}

TEST_F(StreamsApiTest, IteratorTypesAndLimit) {
  CreateTable("orders");
  std::vector<std::string> seqs;
  for (int i = 0; i < 5; ++i) {
    auto w = engine_->PutItem("orders", Row("k" + std::to_string(i), i, "v"));
    ASSERT_TRUE(w.ok());
    seqs.push_back(w->sequence_number);
  }
  const std::string shard = FirstShard(kArn);
  auto seq_of = [&](const ApiResponse& r) {
    std::vector<std::string> out;
    std::regex re(R"re("SequenceNumber":"(\d+)")re");
    for (std::sregex_iterator it(r.body.begin(), r.body.end(), re), end; it != end; ++it) out.push_back((*it)[1]);
    return out;
  };
  EXPECT_EQ(seq_of(GetRecords(Iterator(kArn, shard, "AT_SEQUENCE_NUMBER", seqs[2]))),
            (std::vector<std::string>{seqs[2], seqs[3], seqs[4]}));
  EXPECT_EQ(seq_of(GetRecords(Iterator(kArn, shard, "AFTER_SEQUENCE_NUMBER", seqs[2]))),
            (std::vector<std::string>{seqs[3], seqs[4]}));
  ApiResponse limited = GetRecords(Iterator(kArn, shard, "TRIM_HORIZON"), 2);
  EXPECT_EQ(seq_of(limited), (std::vector<std::string>{seqs[0], seqs[1]}));
  EXPECT_EQ(seq_of(GetRecords(Member(limited, "NextShardIterator"))),
            (std::vector<std::string>{seqs[2], seqs[3], seqs[4]}));
  const std::string latest = Iterator(kArn, shard, "LATEST");
  EXPECT_TRUE(seq_of(GetRecords(latest)).empty());
  auto w = engine_->PutItem("orders", Row("new", 9, "v"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(seq_of(GetRecords(latest)), (std::vector<std::string>{w->sequence_number}));
}

TEST_F(StreamsApiTest, ValidationMessages) {
  CreateTable("orders");
  const std::string shard = FirstShard(kArn);
  ApiResponse bad_type = Call("GetShardIterator", R"({"StreamArn":")" + std::string(kArn) + R"(","ShardId":")" +
                                                      shard + R"(","ShardIteratorType":"SIDEWAYS"})");
  EXPECT_EQ(bad_type.body,
            R"({"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: )"
            R"(Value 'SIDEWAYS' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value )"
            R"(set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]"})");
  ApiResponse nothing = Call("GetShardIterator", "{}");
  EXPECT_EQ(nothing.body,
            R"({"__type":"com.amazon.coral.validate#ValidationException","message":"3 validation errors detected: )"
            R"(Value null at 'streamArn' failed to satisfy constraint: Member must not be null; Value null at )"
            R"('shardId' failed to satisfy constraint: Member must not be null; Value null at 'shardIteratorType' )"
            R"(failed to satisfy constraint: Member must not be null"})");
  ApiResponse no_seq = Call("GetShardIterator", R"({"StreamArn":")" + std::string(kArn) + R"(","ShardId":")" +
                                                    shard + R"(","ShardIteratorType":"AFTER_SEQUENCE_NUMBER"})");
  EXPECT_EQ(no_seq.error_code, "ValidationException");
  ApiResponse limit = Call("DescribeStream", R"({"StreamArn":")" + std::string(kArn) + R"(","Limit":101})");
  EXPECT_EQ(limit.body,
            R"({"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: )"
            R"(Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"})");
  ApiResponse records_limit = GetRecords(Iterator(kArn, shard, "LATEST"), 1001);
  EXPECT_THAT(records_limit.body, HasSubstr("Member must have value less than or equal to 1000"));

  ApiResponse garbage = GetRecords("arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/x|1|AAAA");
  EXPECT_EQ(garbage.body,
            R"({"__type":"com.amazon.coral.validate#ValidationException","message":"Invalid ShardIterator"})");
  // A valid iterator with one character changed is rejected too.
  std::string it = Iterator(kArn, shard, "TRIM_HORIZON");
  it[it.size() - 3] = it[it.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(GetRecords(it).error_code, "ValidationException");

  ApiResponse unknown_stream = Call("DescribeStream",
      R"({"StreamArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2020-01-01T00:00:00.000"})");
  EXPECT_EQ(unknown_stream.http_status, 400);
  EXPECT_EQ(unknown_stream.error_code, "ResourceNotFoundException");
  EXPECT_THAT(unknown_stream.body, HasSubstr("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"));
  ApiResponse unknown_shard = Call("GetShardIterator", R"({"StreamArn":")" + std::string(kArn) +
                                                           R"(","ShardId":"shardId-00000000000000000000-00000000",)"
                                                           R"("ShardIteratorType":"LATEST"})");
  EXPECT_EQ(unknown_shard.error_code, "ResourceNotFoundException");
}

TEST_F(StreamsApiTest, IteratorsExpireAfterFifteenMinutes) {
  CreateTable("orders");
  const std::string it = Iterator(kArn, FirstShard(kArn), "TRIM_HORIZON");
  clock_.AdvanceMillis(kShardIteratorLifetimeMs);
  EXPECT_EQ(GetRecords(it).http_status, 200);
  clock_.AdvanceMillis(1);
  ApiResponse expired = GetRecords(it);
  EXPECT_EQ(expired.body,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"Iterator expired. )"
            R"(The iterator was created at time Tue Nov 14 22:13:20 UTC 2023 while right now it is Tue Nov 14 )"
            R"(22:28:20 UTC 2023 which is further in the future than the tolerated delay of 900000 milliseconds."})");
}

TEST_F(StreamsApiTest, TrimmedDataAccess) {
  CreateTable("orders");
  auto old_write = engine_->PutItem("orders", Row("a", 1, "x"));
  ASSERT_TRUE(old_write.ok());
  clock_.AdvanceMillis(25LL * 3600 * 1000);
  auto new_write = engine_->PutItem("orders", Row("a", 1, "y"));
  ASSERT_TRUE(new_write.ok());
  ASSERT_TRUE(engine_->TrimStream().ok());
  const std::string shard = FirstShard(kArn);
  ApiResponse trimmed = GetRecords(Iterator(kArn, shard, "AT_SEQUENCE_NUMBER", old_write->sequence_number));
  EXPECT_EQ(trimmed.error_code, "TrimmedDataAccessException");
  EXPECT_THAT(trimmed.body, HasSubstr("com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException"));
  ApiResponse horizon = GetRecords(Iterator(kArn, shard, "TRIM_HORIZON"));
  EXPECT_THAT(horizon.body, HasSubstr(new_write->sequence_number));
  EXPECT_THAT(horizon.body, Not(HasSubstr(old_write->sequence_number)));
}

TEST_F(StreamsApiTest, DisabledStreamDrainsAndEnds) {
  CreateTable("orders");
  ASSERT_TRUE(engine_->PutItem("orders", Row("a", 1, "x")).ok());
  const std::string shard = FirstShard(kArn);
  const std::string it = Iterator(kArn, shard, "TRIM_HORIZON");
  clock_.AdvanceMillis(5000);
  ASSERT_TRUE(StreamAdmin::DisableStream(*engine_, "orders").ok());
  ASSERT_TRUE(engine_->PutItem("orders", Row("a", 1, "y")).ok());  // no stream: no record
  ApiResponse described = Call("DescribeStream", std::string(R"({"StreamArn":")") + kArn + "\"}");
  EXPECT_THAT(described.body, HasSubstr(R"("StreamStatus":"DISABLED")"));
  EXPECT_THAT(described.body, HasSubstr(R"("SequenceNumberRange":{"EndingSequenceNumber":"100000000000000000001",)"
                                        R"("StartingSequenceNumber":"100000000000000000001"})"));
  ApiResponse r = GetRecords(it);
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("eventName":"INSERT")"));
  EXPECT_THAT(r.body, Not(HasSubstr("NextShardIterator")));  // closed and drained
  clock_.AdvanceMillis(1000);
  ASSERT_TRUE(StreamAdmin::EnableStream(*engine_, "orders", StreamViewType::kKeysOnly).ok());
  ApiResponse list = Call("ListStreams", R"({"TableName":"orders"})");
  EXPECT_THAT(list.body, HasSubstr("2023-11-14T22:13:20.123"));
  EXPECT_THAT(list.body, HasSubstr("2023-11-14T22:13:26.123"));
}

TEST_F(StreamsApiTest, RolledOverShardsDescribeLineage) {
  CreateTable("orders");
  auto first = engine_->PutItem("orders", Row("a", 1, "x"));
  ASSERT_TRUE(first.ok());
  const std::string parent = FirstShard(kArn);
  clock_.AdvanceMillis(4 * 3600 * 1000);
  ASSERT_TRUE(StreamAdmin::RollOverShards(*engine_, "orders").ok());
  auto second = engine_->PutItem("orders", Row("a", 1, "y"));
  ASSERT_TRUE(second.ok());
  auto info = StreamAdmin::DescribeStream(*engine_, kArn);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->shards.size(), 2u);
  const std::string child = info->shards[1].shard_id;
  ApiResponse described = Call("DescribeStream", std::string(R"({"StreamArn":")") + kArn + "\"}");
  EXPECT_THAT(described.body,
              HasSubstr(R"({"SequenceNumberRange":{"EndingSequenceNumber":")" + first->sequence_number +
                        R"(","StartingSequenceNumber":")" + first->sequence_number + R"("},"ShardId":")" + parent +
                        R"("},{"ParentShardId":")" + parent + R"(","SequenceNumberRange":{"StartingSequenceNumber":")" +
                        second->sequence_number + R"("},"ShardId":")" + child + R"("}])"));
  // The parent drains and ends; the child has the newer record.
  ApiResponse old_part = GetRecords(Iterator(kArn, parent, "TRIM_HORIZON"));
  EXPECT_THAT(old_part.body, HasSubstr(first->sequence_number));
  EXPECT_THAT(old_part.body, Not(HasSubstr(second->sequence_number)));
  EXPECT_THAT(old_part.body, Not(HasSubstr("NextShardIterator")));
  ApiResponse new_part = GetRecords(Iterator(kArn, child, "TRIM_HORIZON"));
  EXPECT_THAT(new_part.body, HasSubstr(second->sequence_number));
  EXPECT_THAT(new_part.body, Not(HasSubstr(first->sequence_number)));
  EXPECT_THAT(new_part.body, HasSubstr("NextShardIterator"));
}

TEST_F(StreamsApiTest, OneMegabytePerResponse) {
  CreateTable("orders");
  const std::string big(300 * 1024, 'x');
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(engine_->PutItem("orders", Row("k", i, big)).ok());
  ApiResponse first = GetRecords(Iterator(kArn, FirstShard(kArn), "TRIM_HORIZON"));
  ASSERT_EQ(first.http_status, 200);
  EXPECT_LE(first.body.size(), 1024u * 1024 + 4096);
  size_t n1 = 0;
  for (size_t p = first.body.find("eventID"); p != std::string::npos; p = first.body.find("eventID", p + 1)) ++n1;
  EXPECT_EQ(n1, 3u);
  ApiResponse second = GetRecords(Member(first, "NextShardIterator"));
  size_t n2 = 0;
  for (size_t p = second.body.find("eventID"); p != std::string::npos; p = second.body.find("eventID", p + 1)) ++n2;
  EXPECT_EQ(n2, 2u);
}

TEST(ShardIteratorTest, RoundTripsAndRejectsForgeries) {
  ShardIteratorState s{kArn, "shardId-00000001700000000123-0000ab00", {false, 42}, 1700000000123};
  std::string text = EncodeShardIterator(s);
  EXPECT_EQ(text.rfind(std::string(kArn) + "|1|", 0), 0u);
  auto back = DecodeShardIterator(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stream_arn, s.stream_arn);
  EXPECT_EQ(back->shard_id, s.shard_id);
  EXPECT_FALSE(back->position.trim_horizon);
  EXPECT_EQ(back->position.after, 42u);
  EXPECT_EQ(back->created_ms, s.created_ms);
  // Same payload under another stream's ARN: the checksum covers the ARN.
  std::string moved = text;
  moved.replace(moved.find("orders"), 6, "orderz");
  EXPECT_FALSE(DecodeShardIterator(moved).ok());
  EXPECT_FALSE(DecodeShardIterator("").ok());
  EXPECT_FALSE(DecodeShardIterator("|1|").ok());
}

}  // namespace
}  // namespace tributary::dynamodb
