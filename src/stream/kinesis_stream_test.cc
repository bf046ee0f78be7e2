// KinesisDataStream against a scripted Kinesis service (FakeKinesis below): partial-failure
// retries that keep per-key order, paged ListShards, reading and iterator renewal, client-side
// rate limiting, and exactly-once producer checkpoints across a crash between PutRecords and the
// checkpoint. moto_server runs the same code in tests/integration/aws_stream_test.py.
#include "stream/kinesis_stream.h"

#include <simdjson.h>

#include <deque>
#include <map>

#include "core/encoding.h"
#include "core/json_writer.h"
#include "testing/test_util.h"

namespace tributary::stream {
namespace {

using ::testing::ElementsAre;
using testing::StatusIs;

class FakeKinesis final : public AwsJsonCaller {
 public:
  struct Rec {
    std::string seq, pk, data;
    int64_t arrival_ms;
  };
  struct Shard {
    std::string id, parent;
    uint128 lo, hi;
    bool closed = false;
    std::vector<Rec> recs;
  };
  std::vector<Shard> shards;
  const ManualClock* clock = nullptr;
  // PutRecords: entries whose partition key is in `fail_keys` fail this many more times.
  std::map<std::string, int> fail_keys;
  bool crash_after_put = false;  // the next PutRecords lands, then the call "crashes"
  int64_t next_seq = 1;
  std::map<std::string, int> calls;
  std::vector<std::vector<std::string>> put_requests;  // partition keys per PutRecords request

  explicit FakeKinesis(int n) {
    const uint128 max = ~uint128(0);
    const uint128 step = max / n;
    for (int i = 0; i < n; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "shardId-%012d", i);
      shards.push_back({id, "", step * i, i == n - 1 ? max : step * (i + 1) - 1, false, {}});
    }
  }

  Result<std::string> Call(std::string_view target, std::string_view body) override {
    const std::string op(target.substr(target.find('.') + 1));
    calls[op] += 1;
    simdjson::dom::parser p;
    simdjson::dom::object req = p.parse(body).get_object().value();
    if (op == "DescribeStreamSummary") {
      return std::string(R"({"StreamDescriptionSummary":{"StreamName":"s","StreamStatus":"ACTIVE"}})");
    }
    if (op == "ListShards") {
      // One shard per page.
      size_t i = 0;
      std::string_view token;
      if (req["NextToken"].get_string().get(token) == simdjson::SUCCESS) i = std::stoul(std::string(token));
      const Shard& s = shards[i];
      std::string out = R"({"Shards":[{"ShardId":")" + s.id + "\"";
      if (!s.parent.empty()) out += R"(,"ParentShardId":")" + s.parent + "\"";
      out += R"(,"HashKeyRange":{"StartingHashKey":")" + Uint128ToDecimal(s.lo) + R"(","EndingHashKey":")" +
             Uint128ToDecimal(s.hi) + R"("},"SequenceNumberRange":{"StartingSequenceNumber":"0")";
      if (s.closed) out += R"(,"EndingSequenceNumber":"99999")";
      out += "}}]";
      if (i + 1 < shards.size()) out += R"(,"NextToken":")" + std::to_string(i + 1) + "\"";
      return out + "}";
    }
    if (op == "PutRecords") {
      JsonWriter w;
      w.BeginObject();
      w.Key("Records");
      w.BeginArray();
      int failed = 0;
      std::vector<std::string> keys;
      simdjson::dom::array entries = req["Records"].get_array().value();
      for (simdjson::dom::element e : entries) {
        const std::string pk(e["PartitionKey"].get_string().value());
        keys.push_back(pk);
        w.BeginObject();
        auto f = fail_keys.find(pk);
        if (f != fail_keys.end() && f->second > 0) {
          --f->second;
          ++failed;
          w.Key("ErrorCode");
          w.String("ProvisionedThroughputExceededException");
          w.Key("ErrorMessage");
          w.String("Rate exceeded for shard");
        } else {
          Shard& s = Route(HashKeyOf(pk));
          Rec r{std::to_string(next_seq++), pk, Base64Decode(e["Data"].get_string().value()).value(),
                clock ? clock->NowMillis() : 0};
          s.recs.push_back(r);
          w.Key("ShardId");
          w.String(s.id);
          w.Key("SequenceNumber");
          w.String(r.seq);
        }
        w.EndObject();
      }
      w.EndArray();
      w.Key("FailedRecordCount");
      w.Int(failed);
      w.EndObject();
      put_requests.push_back(keys);
      if (crash_after_put) {
        crash_after_put = false;
        return Status::Unavailable("connection reset (simulated crash)");
      }
      return w.Take();
    }
    if (op == "GetShardIterator") {
      Shard& s = Find(req["ShardId"].get_string().value());
      const std::string_view type = req["ShardIteratorType"].get_string().value();
      size_t i = 0;
      if (type == "LATEST") i = s.recs.size();
      if (type == "AFTER_SEQUENCE_NUMBER" || type == "AT_SEQUENCE_NUMBER") {
        const std::string seq(req["StartingSequenceNumber"].get_string().value());
        while (i < s.recs.size() && CompareSequenceNumbers(s.recs[i].seq, seq) < 0) ++i;
        if (type == "AFTER_SEQUENCE_NUMBER" && i < s.recs.size() && s.recs[i].seq == seq) ++i;
      }
      if (type == "AT_TIMESTAMP") {
        const double ts = req["Timestamp"].get_double().value();
        while (i < s.recs.size() && static_cast<double>(s.recs[i].arrival_ms) / 1000.0 < ts) ++i;
      }
      return R"({"ShardIterator":")" + s.id + "|" + std::to_string(i) + "\"}";
    }
    if (op == "GetRecords") {
      const std::string it(req["ShardIterator"].get_string().value());
      if (it == "expired") return Status::InvalidArgument("ExpiredIteratorException: Iterator expired");
      Shard& s = Find(it.substr(0, it.find('|')));
      size_t i = std::stoul(it.substr(it.find('|') + 1));
      const size_t limit = static_cast<size_t>(req["Limit"].get_int64().value());
      JsonWriter w;
      w.BeginObject();
      w.Key("Records");
      w.BeginArray();
      for (size_t n = 0; i < s.recs.size() && n < limit; ++i, ++n) {
        w.BeginObject();
        w.Key("SequenceNumber");
        w.String(s.recs[i].seq);
        w.Key("PartitionKey");
        w.String(s.recs[i].pk);
        w.Key("Data");
        w.String(Base64Encode(s.recs[i].data));
        w.Key("ApproximateArrivalTimestamp");
        w.Double(static_cast<double>(s.recs[i].arrival_ms) / 1000.0);
        w.EndObject();
      }
      w.EndArray();
      if (!(s.closed && i >= s.recs.size())) {
        w.Key("NextShardIterator");
        w.String(expire_next ? "expired" : s.id + "|" + std::to_string(i));
        expire_next = false;
      }
      w.Key("MillisBehindLatest");
      w.Int(i < s.recs.size() ? 1000 : 0);
      w.EndObject();
      return w.Take();
    }
    return Status::InvalidArgument("UnknownOperationException: " + op);
  }

  Shard& Find(std::string_view id) {
    for (auto& s : shards) {
      if (s.id == id) return s;
    }
    throw std::runtime_error("no shard");
  }
  Shard& Route(uint128 h) {
    for (auto& s : shards) {
      if (!s.closed && h >= s.lo && h <= s.hi) return s;
    }
    throw std::runtime_error("no open shard");
  }
  std::vector<std::string> AllData() const {
    std::vector<std::string> out;
    for (const auto& s : shards) {
      for (const auto& r : s.recs) out.push_back(r.data);
    }
    return out;
  }
  bool expire_next = false;
};

class MemoryCheckpoints final : public ProducerCheckpointStore {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = values.find(std::string(key));
    if (it == values.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Put(std::string_view key, std::string_view value) override {
    values[std::string(key)] = std::string(value);
    return Status::Ok();
  }
  std::map<std::string, std::string> values;
};

class KinesisStreamTest : public ::testing::Test {
 protected:
  std::unique_ptr<KinesisDataStream> Open(FakeKinesis& fake) {
    fake.clock = &clock_;
    KinesisStreamOptions o;
    o.name = "s";
    o.clock = &clock_;
    o.sleep = [this](int64_t ms) { clock_.AdvanceMillis(ms); slept_ms_ += ms; };
    o.checkpoints = &checkpoints_;
    o.list_interval_ms = 0;
    auto s = KinesisDataStream::Open(o, &fake);
    EXPECT_OK(s.status());
    return s.ok() ? std::move(s).value() : nullptr;
  }

  ManualClock clock_;
  MemoryCheckpoints checkpoints_;
  int64_t slept_ms_ = 0;
};

// Entries viewing strings that live until the end of the test.
std::vector<PutRecordEntry> Entries(const std::vector<std::pair<std::string, std::string>>& kv) {
  static std::deque<std::string> storage;
  std::vector<PutRecordEntry> out;
  for (const auto& [k, v] : kv) {
    const std::string& key = storage.emplace_back(k);
    const std::string& value = storage.emplace_back(v);
    out.push_back({value, key, std::nullopt});
  }
  return out;
}

TEST_F(KinesisStreamTest, ListsEveryPageOfShards) {
  FakeKinesis fake(3);
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  auto shards = s->ListShardsOrError();
  ASSERT_OK(shards.status());
  ASSERT_EQ(shards->size(), 3u);
  EXPECT_EQ((*shards)[2].shard_id, "shardId-000000000002");
  EXPECT_EQ((*shards)[2].ending_hash_key, ~uint128(0));
}

TEST_F(KinesisStreamTest, PartialFailuresRetryOnlyTheFailedEntriesAndKeepKeyOrder) {
  FakeKinesis fake(1);
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  fake.fail_keys["a"] = 2;  // a's first record fails twice
  const std::vector<std::pair<std::string, std::string>> kv = {
      {"a", "a1"}, {"b", "b1"}, {"a", "a2"}, {"c", "c1"}, {"a", "a3"}, {"b", "b2"}};
  std::vector<std::string> keep;
  auto entries = Entries(kv);
  auto put = s->PutRecords(entries);
  ASSERT_OK(put.status());
  // Per key the order is the batch order, although a1 failed twice.
  std::vector<std::string> a, b;
  for (const auto& d : fake.AllData()) {
    if (d[0] == 'a') a.push_back(d);
    if (d[0] == 'b') b.push_back(d);
  }
  EXPECT_THAT(a, ElementsAre("a1", "a2", "a3"));
  EXPECT_THAT(b, ElementsAre("b1", "b2"));
  EXPECT_EQ(fake.AllData().size(), 6u);  // nothing duplicated
  // Wave 1 {a1,b1,c1} + two retries of {a1} + wave 2 {a2,b2} + wave 3 {a3}.
  EXPECT_THAT(fake.put_requests[1], ElementsAre("a"));
  EXPECT_THAT(fake.put_requests[2], ElementsAre("a"));
  EXPECT_EQ(fake.put_requests.size(), 5u);
  EXPECT_EQ(s->put_stats().entries_retried, 2);
  EXPECT_FALSE((*put)[0].sequence_number.empty());
}

TEST_F(KinesisStreamTest, GivesUpAfterMaxAttemptsWithThrottling) {
  FakeKinesis fake(1);
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  fake.fail_keys["a"] = 1000;
  auto entries = Entries({{"a", "x"}});
  EXPECT_THAT(s->PutRecords(entries).status(), StatusIs(StatusCode::kResourceExhausted));
}

TEST_F(KinesisStreamTest, PacesWritesToThePerShardLimits) {
  FakeKinesis fake(1);
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  // 2500 records on one shard at 1000 records/s: at least ~1.5 s of waiting.
  std::vector<std::pair<std::string, std::string>> kv;
  for (int i = 0; i < 2500; ++i) kv.push_back({"k" + std::to_string(i), "v"});
  auto entries = Entries(kv);
  ASSERT_OK(s->PutRecords(entries).status());
  EXPECT_GE(slept_ms_, 1400);
  EXPECT_LE(slept_ms_, 2600);
  EXPECT_EQ(fake.AllData().size(), 2500u);
}

TEST_F(KinesisStreamTest, ReadsAShardAndRenewsAnExpiredIterator) {
  FakeKinesis fake(1);
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  auto entries = Entries({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  ASSERT_OK(s->PutRecords(entries).status());
  auto reader = s->OpenReader("shardId-000000000000", StartPosition::TrimHorizon());
  ASSERT_OK(reader.status());
  fake.expire_next = true;
  auto first = (*reader)->Read(2);
  ASSERT_OK(first.status());
  ASSERT_EQ(first->records.size(), 2u);
  auto second = (*reader)->Read(10);  // the iterator it got back has expired
  ASSERT_OK(second.status());
  ASSERT_EQ(second->records.size(), 1u);
  EXPECT_EQ(second->records[0].data, "3");
  EXPECT_EQ(second->millis_behind_latest, 0);
}

TEST_F(KinesisStreamTest, ClosedShardIsDrainedThenEmpty) {
  FakeKinesis fake(1);
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  auto entries = Entries({{"a", "1"}});
  ASSERT_OK(s->PutRecords(entries).status());
  fake.shards[0].closed = true;
  auto reader = s->OpenReader("shardId-000000000000", StartPosition::TrimHorizon());
  ASSERT_OK(reader.status());
  EXPECT_EQ((*reader)->Read(10)->records.size(), 1u);
  const int calls = fake.calls["GetRecords"];
  EXPECT_TRUE((*reader)->Read(10)->records.empty());
  EXPECT_EQ(fake.calls["GetRecords"], calls);  // no more calls once drained
}

TEST_F(KinesisStreamTest, CrashBetweenPutRecordsAndCheckpointDoesNotDuplicate) {
  FakeKinesis fake(2);
  auto entries = Entries({{"a", "a1"}, {"b", "b1"}, {"c", "c1"}});
  {
    auto s = Open(fake);
    ASSERT_NE(s, nullptr);
    ProducerCheckpoint cp{"pipe/p/shard-1", "100"};
    ASSERT_OK(s->PutRecords(entries, &cp).status());
    EXPECT_EQ(checkpoints_.values["pipe/p/shard-1"], "100");
    // The next batch lands in Kinesis but the process dies before the checkpoint is written.
    auto next = Entries({{"a", "a2"}, {"d", "d1"}});
    fake.crash_after_put = true;
    ProducerCheckpoint cp2{"pipe/p/shard-1", "200"};
    EXPECT_FALSE(s->PutRecords(next, &cp2).ok());
    EXPECT_EQ(checkpoints_.values["pipe/p/shard-1"], "100");
  }
  clock_.AdvanceMillis(1000);
  // A new process: the pipe reads its checkpoint (100) and re-puts the same batch.
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  auto pos = s->ReadProducerCheckpoint("pipe/p/shard-1");
  ASSERT_OK(pos.status());
  EXPECT_EQ(pos->value_or(""), "100");
  auto next = Entries({{"a", "a2"}, {"d", "d1"}});
  ProducerCheckpoint cp2{"pipe/p/shard-1", "200"};
  ASSERT_OK(s->PutRecords(next, &cp2).status());
  EXPECT_EQ(s->put_stats().entries_deduplicated, 2);
  auto more = Entries({{"a", "a3"}});
  ProducerCheckpoint cp3{"pipe/p/shard-1", "300"};
  ASSERT_OK(s->PutRecords(more, &cp3).status());
  std::vector<std::string> all = fake.AllData();
  std::sort(all.begin(), all.end());
  EXPECT_THAT(all, ElementsAre("a1", "a2", "a3", "b1", "c1", "d1"));
  EXPECT_EQ(checkpoints_.values["pipe/p/shard-1"], "300");
  EXPECT_EQ(checkpoints_.values["pipe/p/shard-1#intent"], "");
}

TEST_F(KinesisStreamTest, FailedBatchRetriedInProcessPutsOnlyWhatIsMissing) {
  FakeKinesis fake(1);
  auto s = Open(fake);
  ASSERT_NE(s, nullptr);
  fake.fail_keys["b"] = 1000;  // b never gets through: the batch fails after a1 landed
  auto entries = Entries({{"a", "a1"}, {"b", "b1"}});
  ProducerCheckpoint cp{"k", "1"};
  EXPECT_FALSE(s->PutRecords(entries, &cp).ok());
  fake.fail_keys.clear();
  ASSERT_OK(s->PutRecords(entries, &cp).status());
  std::vector<std::string> all = fake.AllData();
  std::sort(all.begin(), all.end());
  EXPECT_THAT(all, ElementsAre("a1", "b1"));
}

}  // namespace
}  // namespace tributary::stream
