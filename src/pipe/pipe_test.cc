#include "pipe/pipe.h"

#include <fstream>
#include <map>
#include <set>

#include "core/clock.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"

namespace tributary::pipe {
namespace {

// An in-memory Source for this unit test of Pipe alone (the embedded table source has its own
// tests against the real table engine).
class VectorSource final : public capture::Source {
 public:
  std::string source_arn() const override { return "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x"; }
  Result<std::vector<std::string>> ListShards() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : shards_) out.push_back(k);
    return out;
  }
  Result<std::vector<ChangeRecord>> Read(std::string_view shard, std::string_view after,
                                         size_t max) const override {
    std::vector<ChangeRecord> out;
    auto it = shards_.find(std::string(shard));
    if (it == shards_.end()) return Status::NotFound("no shard");
    for (const auto& r : it->second) {
      if (!after.empty() && std::stoll(r.sequence_number) <= std::stoll(std::string(after))) continue;
      if (out.size() >= max) break;
      out.push_back(r);
    }
    return out;
  }
  uint64_t change_version() const override { return version_; }
  bool WaitForChanges(uint64_t seen, int64_t) const override { return version_ != seen; }

  void SetSizeBytes(int64_t n) {
    for (auto& [shard, records] : shards_) {
      for (auto& r : records) r.size_bytes = n;
    }
  }

  void Add(const std::string& shard, const std::string& order_id, EventName name) {
    ChangeRecord r;
    r.event_id = "e" + std::to_string(next_);
    r.event_name = name;
    r.keys["order_id"] = AttributeValue::S(order_id);
    // As DynamoDB: a REMOVE has the old image only.
    (name == EventName::kRemove ? r.old_image : r.new_image) = r.keys;
    r.sequence_number = std::to_string(next_++);
    shards_[shard].push_back(r);
    ++version_;
  }

 private:
  std::map<std::string, std::vector<ChangeRecord>> shards_;
  int64_t next_ = 100;
  uint64_t version_ = 0;
};

std::vector<stream::StreamRecord> ReadAll(stream::DataStream* s) {
  std::vector<stream::StreamRecord> all;
  for (const auto& shard : s->ListShards()) {
    auto reader = s->OpenReader(shard.shard_id, stream::StartPosition::TrimHorizon());
    EXPECT_OK(reader);
    for (;;) {
      auto batch = (*reader)->Read(1000);
      EXPECT_OK(batch);
      if (batch->records.empty()) break;
      for (auto& r : batch->records) all.push_back(std::move(r));
    }
  }
  return all;
}

TEST(PipeTest, MovesRecordsWithArnAndResumesExactlyOnce) {
  testing::TempDir dir;
  ManualClock clock;
  VectorSource source;
  for (int i = 0; i < 7; ++i) source.Add("shard-a", "o-" + std::to_string(i % 3), EventName::kInsert);
  for (int i = 0; i < 5; ++i) source.Add("shard-b", "p-" + std::to_string(i), EventName::kModify);
  {
    auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
    ASSERT_OK(store);
    auto s = (*store)->CreateStream("orders", 2);
    ASSERT_OK(s);
    auto pipe = Pipe::Create({.name = "p1", .batch_size = 3}, &source, *s, nullptr);
    ASSERT_OK(pipe);
    int64_t moved = 0;
    ASSERT_OK((*pipe)->RunOnce(&moved));
    EXPECT_EQ(moved, 6);  // 3 from each shard
    EXPECT_EQ((*pipe)->stats().positions.at("shard-a"), "102");
  }
  // Reopen: a new pipe resumes from the checkpoints written with the records.
  source.Add("shard-a", "o-9", EventName::kRemove);
  auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
  ASSERT_OK(store);
  auto s = (*store)->GetStream("orders");
  ASSERT_OK(s);
  auto pipe = Pipe::Create({.name = "p1", .batch_size = 3}, &source, *s, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  auto all = ReadAll(*s);
  ASSERT_EQ(all.size(), 13u);
  std::set<std::string> ids;
  std::map<std::string, std::string> shard_of_key;
  for (const auto& r : all) {
    auto rec = ChangeRecord::FromJson(r.data);
    ASSERT_OK(rec);
    EXPECT_EQ(rec->event_source_arn, source.source_arn());
    EXPECT_TRUE(ids.insert(rec->event_id).second) << "duplicate " << rec->event_id;
    EXPECT_EQ(r.partition_key, ItemToJson(rec->keys));
  }
  EXPECT_EQ(ids.size(), 13u);
}

TEST(PipeTest, SameItemAlwaysGoesToTheSameShardInOrder) {
  testing::TempDir dir;
  ManualClock clock;
  VectorSource source;
  for (int i = 0; i < 40; ++i) source.Add("s", "o-" + std::to_string(i % 4), EventName::kModify);
  auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
  ASSERT_OK(store);
  auto s = (*store)->CreateStream("orders", 4);
  ASSERT_OK(s);
  auto pipe = Pipe::Create({.name = "p", .batch_size = 7}, &source, *s, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  std::map<std::string, std::set<std::string>> shards_per_key;
  for (const auto& shard : (*s)->ListShards()) {
    auto reader = (*s)->OpenReader(shard.shard_id, stream::StartPosition::TrimHorizon());
    ASSERT_OK(reader);
    auto batch = (*reader)->Read(1000);
    ASSERT_OK(batch);
    int64_t last = -1;
    for (const auto& r : batch->records) {
      auto rec = ChangeRecord::FromJson(r.data);
      ASSERT_OK(rec);
      shards_per_key[rec->keys.at("order_id").text()].insert(shard.shard_id);
      int64_t seq = std::stoll(rec->sequence_number);
      EXPECT_GT(seq, last);  // per-shard order follows source order
      last = seq;
    }
  }
  ASSERT_EQ(shards_per_key.size(), 4u);
  for (const auto& [k, shards] : shards_per_key) EXPECT_EQ(shards.size(), 1u) << k;
}

TEST(PipeTest, FiltersDropRecordsCountThemAndAdvanceTheCheckpoint) {
  testing::TempDir dir;
  ManualClock clock;
  VectorSource source;
  // A first batch that the filter rejects entirely, then a mixed one.
  for (int i = 0; i < 3; ++i) source.Add("s", "o-" + std::to_string(i), EventName::kModify);
  for (int i = 0; i < 6; ++i) {
    source.Add("s", "p-" + std::to_string(i), i % 2 == 0 ? EventName::kInsert : EventName::kRemove);
  }
  MetricsRegistry metrics;
  PipeOptions options{.name = "f", .batch_size = 3};
  options.filters = {R"({"eventName":["INSERT"]})",
                     R"({"dynamodb":{"Keys":{"order_id":{"S":[{"suffix":"-5"}]}}}})"};
  {
    auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
    ASSERT_OK(store);
    auto s = (*store)->CreateStream("orders", 1);
    ASSERT_OK(s);
    auto pipe = Pipe::Create(options, &source, *s, &metrics);
    ASSERT_OK(pipe);
    int64_t read = 0;
    ASSERT_OK((*pipe)->RunOnce(&read));
    EXPECT_EQ(read, 3);  // all three filtered out ...
    EXPECT_EQ((*pipe)->stats().positions.at("s"), "102");  // ... and the position moved past them
    EXPECT_TRUE(ReadAll(*s).empty());
    ASSERT_OK((*pipe)->Drain());
    PipeStats st = (*pipe)->stats();
    EXPECT_EQ(st.records_moved, 4);  // p-0, p-2, p-4 (INSERT) and p-5 (suffix)
    EXPECT_EQ(st.records_filtered, 5);
    EXPECT_EQ(metrics.Get("tributary_pipe_filtered_records_total{pipe=\"f\"}")->value(), 5);
    EXPECT_EQ(metrics.Get("tributary_pipe_records_total{pipe=\"f\"}")->value(), 4);
  }
  // Reopened, the pipe resumes after the last record read, filtered or not: nothing is re-read.
  source.Add("s", "q-1", EventName::kInsert);
  auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
  ASSERT_OK(store);
  auto s = (*store)->GetStream("orders");
  ASSERT_OK(s);
  auto pipe = Pipe::Create(options, &source, *s, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  EXPECT_EQ((*pipe)->stats().records_moved, 1);
  EXPECT_EQ((*pipe)->stats().records_filtered, 0);
  std::vector<std::string> keys;
  for (const auto& r : ReadAll(*s)) {
    auto rec = ChangeRecord::FromJson(r.data);
    ASSERT_OK(rec);
    keys.push_back(rec->keys.at("order_id").text());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"p-0", "p-2", "p-4", "p-5", "q-1"}));
}

TEST(PipeTest, InvalidFilterIsRejectedAtCreate) {
  testing::TempDir dir;
  ManualClock clock;
  VectorSource source;
  auto store = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
  ASSERT_OK(store);
  auto s = (*store)->CreateStream("orders", 1);
  ASSERT_OK(s);
  PipeOptions options{.name = "f"};
  options.filters = {R"({"eventName":"INSERT"})"};
  EXPECT_THAT(Pipe::Create(options, &source, *s, nullptr).status(),
              testing::StatusIs(StatusCode::kInvalidArgument));
}

struct StreamFixture {
  testing::TempDir dir;
  ManualClock clock;
  std::unique_ptr<stream::EmbeddedStreamStore> store;
  stream::DataStream* target = nullptr;
  stream::DataStream* dlq = nullptr;
  StreamFixture() {
    auto s = stream::EmbeddedStreamStore::Open(dir.str(), &clock, {});
    EXPECT_OK(s);
    store = std::move(*s);
    target = *store->CreateStream("orders", 1);
    dlq = *store->CreateStream("dlq", 1);
  }
};

TEST(PipeTest, InputTemplateAndStaticPartitionKeyShapeTheTargetRecords) {
  StreamFixture f;
  VectorSource source;
  source.Add("s", "o-1", EventName::kInsert);
  PipeOptions options{.name = "t", .partition_key_path = "orders"};
  options.input_template =
      R"({"id": "<$.dynamodb.Keys.order_id.S>", "op": "<$.eventName>", "pipe": "<aws.pipes.pipe-arn>", "at": "<aws.pipes.event.ingestion-time>"})";
  options.context.pipe_arn = "arn:aws:pipes:us-east-1:000000000000:pipe/t";
  options.clock = &f.clock;
  auto pipe = Pipe::Create(options, &source, f.target, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  auto all = ReadAll(f.target);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].partition_key, "orders");
  EXPECT_EQ(all[0].data,
            R"({"id": "o-1", "op": "INSERT", "pipe": "arn:aws:pipes:us-east-1:000000000000:pipe/t", "at": "2023-11-14T22:13:20.000Z"})");
}

TEST(PipeTest, BatchingWindowHoldsAPartialBatchUntilItExpires) {
  StreamFixture f;
  VectorSource source;
  for (int i = 0; i < 3; ++i) source.Add("s", "o-" + std::to_string(i), EventName::kInsert);
  PipeOptions options{.name = "w", .batch_size = 5, .maximum_batching_window_ms = 2000};
  options.clock = &f.clock;
  auto pipe = Pipe::Create(options, &source, f.target, nullptr);
  ASSERT_OK(pipe);
  int64_t read = 0;
  ASSERT_OK((*pipe)->RunOnce(&read));
  EXPECT_EQ(read, 0);  // 3 < batch_size: the window starts
  f.clock.AdvanceMillis(1999);
  ASSERT_OK((*pipe)->RunOnce(&read));
  EXPECT_EQ(read, 0);
  f.clock.AdvanceMillis(1);
  ASSERT_OK((*pipe)->RunOnce(&read));
  EXPECT_EQ(read, 3);  // the window expired
  for (int i = 0; i < 6; ++i) source.Add("s", "p-" + std::to_string(i), EventName::kInsert);
  ASSERT_OK((*pipe)->RunOnce(&read));
  EXPECT_EQ(read, 5);  // a full batch goes at once
  ASSERT_OK((*pipe)->RunOnce(&read));
  EXPECT_EQ(read, 0);  // the last one waits again ...
  ASSERT_OK((*pipe)->Drain());  // ... unless drained
  EXPECT_EQ(ReadAll(f.target).size(), 9u);
}

TEST(PipeTest, LatestStartsAfterWhatExistsAndKeepsItsPlaceAcrossRestarts) {
  StreamFixture f;
  VectorSource source;
  for (int i = 0; i < 4; ++i) source.Add("s", "old-" + std::to_string(i), EventName::kInsert);
  PipeOptions options{.name = "l", .start_at_latest = true};
  {
    auto pipe = Pipe::Create(options, &source, f.target, nullptr);
    ASSERT_OK(pipe);
    ASSERT_OK((*pipe)->Drain());
    EXPECT_EQ((*pipe)->stats().records_moved, 0);
  }
  source.Add("s", "new-1", EventName::kInsert);
  auto pipe = Pipe::Create(options, &source, f.target, nullptr);  // restarted: not LATEST again
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  auto all = ReadAll(f.target);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(ChangeRecord::FromJson(all[0].data)->keys.at("order_id").text(), "new-1");
}

TEST(PipeTest, RejectedRecordsGoToTheDeadLetterQueueAndThePipeGoesOn) {
  StreamFixture f;
  VectorSource source;
  source.Add("s", "o-1", EventName::kInsert);
  source.Add("s", "o-2", EventName::kRemove);  // NewImage.status missing: no partition key
  source.Add("s", "o-3", EventName::kInsert);
  PipeOptions options{.name = "d", .partition_key_path = "$.dynamodb.NewImage.order_id.S"};
  // Without a dead-letter queue the record stops the shard, with a precise error.
  VectorSource stuck;
  stuck.Add("s", "x", EventName::kRemove);
  {
    StreamFixture g;
    auto pipe = Pipe::Create(options, &stuck, g.target, nullptr);
    ASSERT_OK(pipe);
    Status s = (*pipe)->Drain();
    EXPECT_THAT(s, testing::StatusIs(StatusCode::kInvalidArgument));
    EXPECT_NE(s.message().find("record 100 of shard s"), std::string::npos) << s.ToString();
  }
  auto dlq = DeadLetterQueue::ToStream(f.dlq);
  options.dead_letter = dlq.get();
  options.context.pipe_arn = "arn:aws:pipes:us-east-1:000000000000:pipe/d";
  options.clock = &f.clock;
  auto pipe = Pipe::Create(options, &source, f.target, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  EXPECT_EQ((*pipe)->stats().records_dead_lettered, 1);
  EXPECT_EQ((*pipe)->stats().records_moved, 2);  // o-1 and o-3
  auto dead = ReadAll(f.dlq);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].partition_key, "s");
  auto entry = ChangeRecord::FromJson(dead[0].data);  // not a record: the failure shape
  EXPECT_FALSE(entry.ok());
  const std::string& d = dead[0].data;
  for (const char* part :
       {R"("version":"1.0")", R"("timestamp":"2023-11-14T22:13:20.000Z")",
        R"("pipeArn":"arn:aws:pipes:us-east-1:000000000000:pipe/d")",
        R"("condition":"RecordRejected")", R"("errorCode":"InvalidArgument")",
        R"("DDBStreamBatchInfo":{"shardId":"s","startSequenceNumber":"101","endSequenceNumber":"101")",
        R"("batchSize":1,"streamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x"})",
        R"("record":{"eventID":"e101","eventName":"REMOVE")"}) {
    EXPECT_NE(d.find(part), std::string::npos) << part << " in " << d;
  }
}

TEST(PipeTest, DeadLetterFileGetsOneJsonLinePerRejectedRecord) {
  StreamFixture f;
  VectorSource source;
  source.Add("s", "o-1", EventName::kRemove);
  source.Add("s", "o-2", EventName::kRemove);
  const std::string path = f.dir.str() + "/dlq/d.jsonl";
  auto dlq = DeadLetterQueue::ToFile(path);
  PipeOptions options{.name = "d", .partition_key_path = "$.dynamodb.NewImage.order_id.S"};
  options.dead_letter = dlq.get();
  auto pipe = Pipe::Create(options, &source, f.target, nullptr);
  ASSERT_OK(pipe);
  ASSERT_OK((*pipe)->Drain());
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_NE(line.find(R"("errorMessage":"partition key path $.dynamodb.NewImage.order_id.S selects nothing in the event")"),
              std::string::npos)
        << line;
  }
  EXPECT_EQ(lines, 2);
  EXPECT_TRUE(ReadAll(f.target).empty());
  EXPECT_EQ((*pipe)->stats().positions.at("s"), "101");
}

TEST(PipeTest, ABatchClosesAtSixMegabytes) {
  StreamFixture f;
  VectorSource source;
  for (int i = 0; i < 10; ++i) source.Add("s", "o-" + std::to_string(i), EventName::kInsert);
  source.SetSizeBytes(2'000'000);  // as the table reports big items; 2 fit in 6 MB with framing
  PipeOptions options{.name = "b", .batch_size = 100, .maximum_batching_window_ms = 60000};
  options.clock = &f.clock;
  auto pipe = Pipe::Create(options, &source, f.target, nullptr);
  ASSERT_OK(pipe);
  int64_t read = 0;
  ASSERT_OK((*pipe)->RunOnce(&read));
  EXPECT_EQ(read, 2);  // a batch full by size goes at once, despite the window
  ASSERT_OK((*pipe)->RunOnce(&read));
  EXPECT_EQ(read, 2);
  ASSERT_OK((*pipe)->Drain());
  EXPECT_EQ((*pipe)->stats().records_moved, 10);
  EXPECT_EQ((*pipe)->stats().batches, 5);
}

}  // namespace
}  // namespace tributary::pipe
