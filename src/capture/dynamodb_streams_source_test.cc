// DynamoDbStreamsSource against (1) Tributary's own DynamoDB / DynamoDB Streams API over a real
// TableEngine, called in process through dynamodb::Dispatch (the same handlers the local endpoint
// serves over HTTP), and (2) a scripted DynamoDB Streams fake for what the embedded table cannot
// produce: shard lineage, paged DescribeStream, expired iterators and trimmed positions.
#include "capture/dynamodb_streams_source.h"

#include <simdjson.h>

#include <map>
#include <set>

#include "core/clock.h"
#include "dynamodb/local_api_caller.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::capture {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::StatusIs;

// Counts calls on the way to the local endpoint's handlers.
class LocalApiCaller final : public AwsJsonCaller {
 public:
  explicit LocalApiCaller(dynamodb::ApiContext ctx) : inner_(std::move(ctx)) {}
  Result<std::string> Call(std::string_view target, std::string_view body) override {
    calls[std::string(target)] += 1;
    return inner_.Call(target, body);
  }
  std::map<std::string, int> calls;

 private:
  dynamodb::LocalApiCaller inner_;
};

class LocalSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table::TableEngine::Options options;
    options.clock = &clock_;
    auto engine = table::TableEngine::Open(dir_.str(), options);
    ASSERT_OK(engine.status());
    engine_ = std::move(engine).value();
    table::TableSpec spec;
    spec.name = "Orders";
    spec.hash_key = {"order_id", AttributeType::kS};
    spec.stream_view_type = StreamViewType::kNewAndOldImages;
    spec.stream_shard_count = 2;
    ASSERT_OK(engine_->CreateTable(spec).status());
    dynamodb::ApiContext ctx;
    ctx.engine = engine_.get();
    ctx.clock = &clock_;
    caller_ = std::make_unique<LocalApiCaller>(ctx);
  }

  void Put(const std::string& id, int64_t amount) {
    Item item;
    item.emplace("order_id", AttributeValue::S(id));
    item.emplace("amount", AttributeValue::N(amount));
    ASSERT_OK(engine_->PutItem("Orders", std::move(item)).status());
  }

  std::unique_ptr<DynamoDbStreamsSource> MakeSource(DynamoDbStreamsSourceOptions o = {}) {
    if (o.table.empty() && o.stream_arn.empty()) o.table = "Orders";
    o.clock = &clock_;
    o.poll_interval_ms = 1;
    auto s = DynamoDbStreamsSource::Create(o, caller_.get(), caller_.get());
    EXPECT_OK(s.status());
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // Reads every listed shard to its current end, like the pipe does, with checkpoints in
  // `positions`. Returns "id:amount:EVENT" per record in read order.
  std::vector<std::string> Drain(DynamoDbStreamsSource& src, std::map<std::string, std::string>& positions,
                                 size_t batch = 3) {
    std::vector<std::string> out;
    for (int pass = 0; pass < 100; ++pass) {
      auto shards = src.ListShards();
      EXPECT_OK(shards.status());
      if (!shards.ok()) return out;
      size_t moved = 0;
      for (const auto& shard : *shards) {
        auto recs = src.Read(shard, positions[shard], batch);
        EXPECT_OK(recs.status());
        if (!recs.ok()) return out;
        for (const auto& r : *recs) {
          const AttributeMap& img = r.new_image ? *r.new_image : *r.old_image;
          out.push_back(img.at("order_id").text() + ":" + img.at("amount").text() + ":" +
                        std::string(EventNameString(r.event_name)));
        }
        if (!recs->empty()) positions[shard] = recs->back().sequence_number;
        moved += recs->size();
      }
      if (moved == 0) break;
    }
    return out;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<table::TableEngine> engine_;
  std::unique_ptr<LocalApiCaller> caller_;
};

TEST_F(LocalSourceTest, ResolvesTheTablesStreamAndReadsEveryShardInOrder) {
  auto src = MakeSource();
  ASSERT_NE(src, nullptr);
  EXPECT_THAT(src->source_arn(), HasSubstr(":table/Orders/stream/"));
  auto shards = src->ListShards();
  ASSERT_OK(shards.status());
  EXPECT_EQ(shards->size(), 2u);
  for (int i = 0; i < 10; ++i) Put("o" + std::to_string(i), i);
  Put("o3", 33);  // a MODIFY after the INSERT, same shard
  std::map<std::string, std::string> positions;
  auto got = Drain(*src, positions);
  std::multiset<std::string> all(got.begin(), got.end());
  EXPECT_EQ(all.size(), 11u);
  EXPECT_EQ(all.count("o3:3:INSERT"), 1u);
  EXPECT_EQ(all.count("o3:33:MODIFY"), 1u);
  auto insert = std::find(got.begin(), got.end(), "o3:3:INSERT");
  auto modify = std::find(got.begin(), got.end(), "o3:33:MODIFY");
  EXPECT_LT(insert, modify);
  // Cached iterators: one GetShardIterator per shard for the whole drain.
  EXPECT_EQ(caller_->calls["DynamoDBStreams_20120810.GetShardIterator"], 2);
}

TEST_F(LocalSourceTest, ResumesAfterACheckpointInANewSource) {
  for (int i = 0; i < 6; ++i) Put("o" + std::to_string(i), i);
  std::map<std::string, std::string> positions;
  {
    auto src = MakeSource();
    ASSERT_NE(src, nullptr);
    EXPECT_EQ(Drain(*src, positions).size(), 6u);
  }
  for (int i = 6; i < 9; ++i) Put("o" + std::to_string(i), i);
  auto src = MakeSource();  // a restart: positions are the pipe's checkpoints
  ASSERT_NE(src, nullptr);
  auto got = Drain(*src, positions);
  std::set<std::string> s(got.begin(), got.end());
  EXPECT_EQ(s, (std::set<std::string>{"o6:6:INSERT", "o7:7:INSERT", "o8:8:INSERT"}));
}

TEST_F(LocalSourceTest, LatestSkipsWhatWasWrittenBefore) {
  Put("old", 1);
  DynamoDbStreamsSourceOptions o;
  o.starting_position = StartingPosition::kLatest;
  auto src = MakeSource(o);
  ASSERT_NE(src, nullptr);
  std::map<std::string, std::string> positions;
  EXPECT_TRUE(Drain(*src, positions).empty());  // takes the LATEST iterators
  Put("new", 2);
  EXPECT_THAT(Drain(*src, positions), ElementsAre("new:2:INSERT"));
}

TEST_F(LocalSourceTest, ExpiredIteratorsAreRenewedAfterTheCheckpoint) {
  Put("a", 1);
  auto src = MakeSource();
  ASSERT_NE(src, nullptr);
  std::map<std::string, std::string> positions;
  EXPECT_EQ(Drain(*src, positions).size(), 1u);
  clock_.AdvanceMillis(16 * 60 * 1000);  // the cached iterators are now expired
  Put("b", 2);
  EXPECT_THAT(Drain(*src, positions), ElementsAre("b:2:INSERT"));
}

TEST_F(LocalSourceTest, BackfillTurnsTheTableIntoInsertsBesideTheStream) {
  for (int i = 0; i < 7; ++i) Put("o" + std::to_string(i), i);
  DynamoDbStreamsSourceOptions o;
  o.starting_position = StartingPosition::kLatest;
  o.backfill_segments = 3;
  auto src = MakeSource(o);
  ASSERT_NE(src, nullptr);
  auto shards = src->ListShards();
  ASSERT_OK(shards.status());
  EXPECT_EQ(shards->size(), 5u);  // 3 segments + 2 stream shards
  std::map<std::string, std::string> positions;
  // Batches of 2: a segment needs several pages, resumed from the previous page's last key.
  auto got = Drain(*src, positions, 2);
  std::set<std::string> s(got.begin(), got.end());
  EXPECT_EQ(s.size(), 7u);
  EXPECT_EQ(got.size(), 7u);
  EXPECT_TRUE(s.count("o4:4:INSERT"));
  // Finished segments are no longer listed; a new source resumes them from the checkpoints and
  // finds them done without re-reading anything.
  EXPECT_EQ(src->ListShards()->size(), 2u);
  auto src2 = MakeSource(o);
  ASSERT_NE(src2, nullptr);
  EXPECT_TRUE(Drain(*src2, positions, 2).empty());
  EXPECT_EQ(src2->ListShards()->size(), 2u);
  Put("o9", 9);
  EXPECT_THAT(Drain(*src2, positions, 2), ElementsAre("o9:9:INSERT"));
}

// ---------------------------------------------------------------------------------------------
// A scripted DynamoDB Streams service: shards with lineage, records per shard, paged
// DescribeStream (one shard per page), iterators "it|<shard>|<index>|<issued ms>", and injected
// ExpiredIterator / TrimmedDataAccess errors.
class FakeStreams final : public AwsJsonCaller {
 public:
  struct Shard {
    std::string id, parent;
    bool closed = false;
    std::vector<std::string> seqs;  // record i has SequenceNumber seqs[i]
    size_t trimmed = 0;             // records before this index are gone
  };
  std::vector<Shard> shards;
  int expire_next_get_records = 0;
  bool ignore_limit = false;
  std::map<std::string, int> calls;

  Shard& Find(std::string_view id) {
    for (auto& s : shards) {
      if (s.id == id) return s;
    }
    throw std::runtime_error("no shard");
  }

  Result<std::string> Call(std::string_view target, std::string_view body) override {
    const std::string op(target.substr(target.find('.') + 1));
    calls[op] += 1;
    simdjson::dom::parser p;
    simdjson::dom::object req = p.parse(body).get_object().value();
    if (op == "DescribeStream") {
      std::string_view start;
      size_t i = 0;
      if (req["ExclusiveStartShardId"].get_string().get(start) == simdjson::SUCCESS) {
        while (i < shards.size() && shards[i].id != start) ++i;
        ++i;
      }
      std::string out = R"({"StreamDescription":{"StreamArn":"arn:s","TableName":"T","Shards":[)";
      if (i < shards.size()) {
        const Shard& s = shards[i];
        out += R"({"ShardId":")" + s.id + "\"";
        if (!s.parent.empty()) out += R"(,"ParentShardId":")" + s.parent + "\"";
        out += R"(,"SequenceNumberRange":{"StartingSequenceNumber":"1")";
        if (s.closed) out += R"(,"EndingSequenceNumber":"999")";
        out += "}}";
      }
      out += "]";
      if (i + 1 < shards.size()) out += R"(,"LastEvaluatedShardId":")" + shards[i].id + "\"";
      return out + "}}";
    }
    if (op == "GetShardIterator") {
      Shard& s = Find(req["ShardId"].get_string().value());
      const std::string_view type = req["ShardIteratorType"].get_string().value();
      size_t index = s.trimmed;
      if (type == "LATEST") index = s.seqs.size();
      if (type == "AFTER_SEQUENCE_NUMBER") {
        const std::string_view seq = req["SequenceNumber"].get_string().value();
        size_t k = 0;
        while (k < s.seqs.size() && s.seqs[k] != seq) ++k;
        if (k < s.trimmed) {
          return Status::OutOfRange("TrimmedDataAccessException: position was trimmed");
        }
        index = k + 1;
      }
      return R"({"ShardIterator":"it|)" + s.id + "|" + std::to_string(index) + "\"}";
    }
    if (op == "GetRecords") {
      if (expire_next_get_records > 0) {
        --expire_next_get_records;
        return Status::InvalidArgument("ExpiredIteratorException: Iterator expired");
      }
      std::string it(req["ShardIterator"].get_string().value());
      const size_t a = it.find('|', 3);
      Shard& s = Find(it.substr(3, a - 3));
      size_t index = std::stoul(it.substr(a + 1));
      const size_t limit = ignore_limit ? 100000 : static_cast<size_t>(req["Limit"].get_int64().value());
      std::string out = R"({"Records":[)";
      size_t n = 0;
      for (; index < s.seqs.size() && n < limit; ++index, ++n) {
        if (n) out += ",";
        out += R"({"eventID":"e)" + s.seqs[index] +
               R"(","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",)"
               R"("dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"k":{"S":")" + s.seqs[index] +
               R"("}},"SequenceNumber":")" + s.seqs[index] + R"(","SizeBytes":5,"StreamViewType":"KEYS_ONLY"}})";
      }
      out += "]";
      if (!(s.closed && index >= s.seqs.size())) {
        out += R"(,"NextShardIterator":"it|)" + s.id + "|" + std::to_string(index) + "\"";
      }
      return out + "}";
    }
    return Status::InvalidArgument("UnknownOperationException: " + op);
  }
};

std::unique_ptr<DynamoDbStreamsSource> FakeSource(FakeStreams& fake, MetricsRegistry* metrics = nullptr,
                                                  TrimmedPolicy policy = TrimmedPolicy::kFail) {
  DynamoDbStreamsSourceOptions o;
  o.name = "p";
  o.stream_arn = "arn:s";
  o.describe_interval_ms = 0;  // re-describe at every ListShards
  o.metrics = metrics;
  o.on_trimmed = policy;
  auto s = DynamoDbStreamsSource::Create(o, &fake, nullptr);
  EXPECT_OK(s.status());
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(DynamoDbStreamsSourceFakeTest, ChildrenWaitUntilTheParentIsReadToItsEnd) {
  FakeStreams fake;
  fake.shards = {{"shard-parent", "", true, {"10", "11", "12"}, 0},
                 {"shard-child-a", "shard-parent", false, {"20"}, 0},
                 {"shard-child-b", "shard-parent", false, {"30", "31"}, 0}};
  auto src = FakeSource(fake);
  ASSERT_NE(src, nullptr);
  EXPECT_GE(fake.calls["DescribeStream"], 3);  // paged, one shard per page
  EXPECT_THAT(*src->ListShards(), ElementsAre("shard-parent"));
  auto first = src->Read("shard-parent", "", 2);
  ASSERT_OK(first.status());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_THAT(*src->ListShards(), ElementsAre("shard-parent"));  // not at its end yet
  auto rest = src->Read("shard-parent", "11", 2);
  ASSERT_OK(rest.status());
  ASSERT_EQ(rest->size(), 1u);  // and no NextShardIterator: the parent is done
  EXPECT_THAT(*src->ListShards(), ElementsAre("shard-child-a", "shard-child-b"));
  auto child = src->Read("shard-child-b", "", 10);
  ASSERT_OK(child.status());
  EXPECT_EQ(child->size(), 2u);
}

TEST(DynamoDbStreamsSourceFakeTest, AnswersLongerThanTheLimitAreCutAndResumedAfter) {
  FakeStreams fake;
  fake.shards = {{"s1", "", true, {"1", "2", "3", "4", "5"}, 0}};
  fake.ignore_limit = true;  // as moto
  auto src = FakeSource(fake);
  ASSERT_NE(src, nullptr);
  auto a = src->Read("s1", "", 2);
  ASSERT_OK(a.status());
  ASSERT_EQ(a->size(), 2u);
  auto b = src->Read("s1", "2", 2);
  ASSERT_OK(b.status());
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[0].sequence_number, "3");
  EXPECT_THAT(*src->ListShards(), ElementsAre("s1"));  // not drained: "5" is still to come
  auto c = src->Read("s1", "4", 2);
  ASSERT_OK(c.status());
  ASSERT_EQ(c->size(), 1u);
  EXPECT_TRUE(src->ListShards()->empty());
}

TEST(DynamoDbStreamsSourceFakeTest, ExpiredIteratorIsRenewedAfterTheSamePosition) {
  FakeStreams fake;
  fake.shards = {{"s1", "", false, {"1", "2", "3"}, 0}};
  auto src = FakeSource(fake);
  ASSERT_NE(src, nullptr);
  auto a = src->Read("s1", "", 1);
  ASSERT_OK(a.status());
  ASSERT_EQ(a->size(), 1u);
  fake.expire_next_get_records = 1;
  auto b = src->Read("s1", "1", 5);
  ASSERT_OK(b.status());
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[0].sequence_number, "2");
  EXPECT_EQ(fake.calls["GetShardIterator"], 2);
}

TEST(DynamoDbStreamsSourceFakeTest, TrimmedPositionIsALoudErrorByDefault) {
  FakeStreams fake;
  fake.shards = {{"s1", "", false, {"1", "2", "3", "4"}, 3}};
  MetricsRegistry metrics;
  auto src = FakeSource(fake, &metrics);
  ASSERT_NE(src, nullptr);
  auto r = src->Read("s1", "1", 10);
  EXPECT_THAT(r.status(), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(r.status().message(), HasSubstr("LOST"));
  EXPECT_EQ(metrics.Get("tributary_source_trimmed_total{source=\"p\"}")->value(), 1);
  // It stays stopped: the next attempt fails the same way instead of skipping ahead.
  EXPECT_THAT(src->Read("s1", "1", 10).status(), StatusIs(StatusCode::kOutOfRange));
}

TEST(DynamoDbStreamsSourceFakeTest, TrimmedPositionCanRestartAtTrimHorizon) {
  FakeStreams fake;
  fake.shards = {{"s1", "", false, {"1", "2", "3", "4"}, 3}};
  MetricsRegistry metrics;
  auto src = FakeSource(fake, &metrics, TrimmedPolicy::kRestartAtTrimHorizon);
  ASSERT_NE(src, nullptr);
  auto r = src->Read("s1", "1", 10);
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].sequence_number, "4");
  EXPECT_EQ(metrics.Get("tributary_source_trimmed_total{source=\"p\"}")->value(), 1);
}

}  // namespace
}  // namespace tributary::capture
