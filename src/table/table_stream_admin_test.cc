// Stream lifecycle: enable/disable, closed shards, new streams on re-enable, persistence across
// reopen, retention of disabled streams.
#include "table/table_stream_admin.h"

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "table/item_codec.h"
#include "table/table_engine.h"
#include "table/table_stream.h"
#include "table/table_test_util.h"

namespace tributary::table {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::StatusIs;
using namespace ::tributary::table::testing;  // NOLINT

using StreamAdminTest = EngineFixture;

Item Row(std::string pk, std::string n) { return {{"pk", Str(std::move(pk))}, {"n", Num(n)}}; }

std::vector<ChangeRecord> ReadAll(const TableEngine& engine, const StreamInfo& s) {
  std::vector<ChangeRecord> all;
  for (const auto& shard : s.shards) {
    auto read = StreamAdmin::ReadShard(engine, s.stream_arn, shard.shard_id, ShardPosition{}, 1000);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (read.ok()) all.insert(all.end(), read->records.begin(), read->records.end());
  }
  return all;
}

TEST_F(StreamAdminTest, CreateTableStreamIsListedEnabled) {
  ASSERT_OK(engine().CreateTable(RangeTable("orders")));
  auto streams = StreamAdmin::ListTableStreams(engine(), "orders");
  ASSERT_OK(streams);
  ASSERT_EQ(streams->size(), 1u);
  const StreamInfo& s = (*streams)[0];
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.stream_label, "2023-11-14T22:13:20.123");
  EXPECT_EQ(s.stream_arn, "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2023-11-14T22:13:20.123");
  EXPECT_EQ(s.creation_ms, 1700000000123);
  EXPECT_EQ(s.hash_key.name, "pk");
  ASSERT_TRUE(s.range_key);
  EXPECT_EQ(s.range_key->name, "sk");
  ASSERT_EQ(s.shards.size(), 1u);
  EXPECT_EQ(s.shards[0].shard_id.size(), 37u);
  EXPECT_EQ(s.shards[0].ending_sequence_number, "");
  EXPECT_EQ(s.shards[0].parent_shard_id, "");
  EXPECT_EQ(s.shards[0].starting_sequence_number.size(), 21u);
  auto described = StreamAdmin::DescribeStream(engine(), s.stream_arn);
  ASSERT_OK(described);
  EXPECT_EQ(described->stream_arn, s.stream_arn);
}

TEST_F(StreamAdminTest, DisableClosesShardsThatStayReadable) {
  ASSERT_OK(engine().CreateTable(HashTable("tab1", StreamViewType::kNewImage, 2)));
  for (int i = 0; i < 6; ++i) ASSERT_OK(engine().PutItem("tab1", Row("k" + std::to_string(i), "1")));
  auto before = StreamAdmin::ListTableStreams(engine(), "tab1");
  ASSERT_OK(before);
  const std::string arn = (*before)[0].stream_arn;

  EXPECT_THAT(StreamAdmin::EnableStream(engine(), "tab1", StreamViewType::kKeysOnly),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(StreamAdmin::EnableStream(engine(), "tab1", StreamViewType::kKeysOnly).message(),
            "Table already has an enabled stream: " + arn);
  clock_.AdvanceMillis(1000);
  ASSERT_OK(StreamAdmin::DisableStream(engine(), "tab1"));
  EXPECT_THAT(StreamAdmin::DisableStream(engine(), "tab1"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(StreamAdmin::DisableStream(engine(), "tab1").message(), "Table already has no stream");

  // Writes after disabling emit nothing.
  auto put = engine().PutItem("tab1", Row("k0", "2"));
  ASSERT_OK(put);
  EXPECT_FALSE(put->stream_record);
  // The capture view (ListStreamShards / ReadStream) still has the closed shards' records.
  auto listed = engine().ListStreamShards("tab1");
  ASSERT_OK(listed);
  EXPECT_EQ(AllRecords("tab1").size(), 6u);

  auto after = StreamAdmin::DescribeStream(engine(), arn);
  ASSERT_OK(after);
  EXPECT_FALSE(after->enabled);
  ASSERT_EQ(after->shards.size(), 2u);
  for (const auto& shard : after->shards) {
    EXPECT_FALSE(shard.ending_sequence_number.empty()) << shard.shard_id;
    EXPECT_LE(shard.starting_sequence_number, shard.ending_sequence_number);
  }
  auto records = ReadAll(engine(), *after);
  EXPECT_EQ(records.size(), 6u);
  for (const auto& shard : after->shards) {
    auto read = StreamAdmin::ReadShard(engine(), arn, shard.shard_id, ShardPosition{}, 1000);
    ASSERT_OK(read);
    EXPECT_TRUE(read->closed_and_drained);
  }
  auto table = engine().DescribeTable("tab1");
  ASSERT_OK(table);
  EXPECT_FALSE(table->stream_view_type);
  EXPECT_EQ(table->latest_stream_arn, arn);  // the latest stream, now disabled
}

TEST_F(StreamAdminTest, ReEnableMakesANewStreamAndKeepsTheOldOne) {
  ASSERT_OK(engine().CreateTable(HashTable("tab2")));
  ASSERT_OK(engine().PutItem("tab2", Row("a", "1")));
  clock_.AdvanceMillis(10);
  ASSERT_OK(StreamAdmin::DisableStream(engine(), "tab2"));
  ASSERT_OK(engine().PutItem("tab2", Row("a", "2")));  // no stream: no record
  clock_.AdvanceMillis(10);
  ASSERT_OK(StreamAdmin::EnableStream(engine(), "tab2", StreamViewType::kKeysOnly));
  ASSERT_OK(engine().PutItem("tab2", Row("a", "3")));

  auto check = [&] {
    auto streams = StreamAdmin::ListTableStreams(engine(), "tab2");
    ASSERT_OK(streams);
    ASSERT_EQ(streams->size(), 2u);
    const StreamInfo& old_stream = (*streams)[0];
    const StreamInfo& new_stream = (*streams)[1];
    EXPECT_FALSE(old_stream.enabled);
    EXPECT_TRUE(new_stream.enabled);
    EXPECT_NE(old_stream.stream_arn, new_stream.stream_arn);
    EXPECT_NE(old_stream.shards[0].shard_id, new_stream.shards[0].shard_id);
    EXPECT_EQ(new_stream.view_type, StreamViewType::kKeysOnly);
    EXPECT_EQ(new_stream.stream_label, "2023-11-14T22:13:20.143");
    auto old_records = ReadAll(engine(), old_stream);
    ASSERT_EQ(old_records.size(), 1u);
    EXPECT_EQ(old_records[0].new_image->at("n"), Num("1"));
    auto new_records = ReadAll(engine(), new_stream);
    ASSERT_EQ(new_records.size(), 1u);
    EXPECT_EQ(new_records[0].event_name, EventName::kModify);
    EXPECT_FALSE(new_records[0].new_image);  // KEYS_ONLY
    // The embedded table source's view: the old stream's closed shard, then the new one.
    auto all = AllRecords("tab2");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].sequence_number, old_records[0].sequence_number);
    EXPECT_EQ(all[1].sequence_number, new_records[0].sequence_number);
    auto table = engine().DescribeTable("tab2");
    ASSERT_OK(table);
    EXPECT_EQ(table->latest_stream_arn, new_stream.stream_arn);
    EXPECT_EQ(table->shard_ids, std::vector<std::string>{new_stream.shards[0].shard_id});
  };
  check();
  Reopen();
  check();
  // Sequence numbers keep growing across reopen, in the new stream's shard.
  auto put = engine().PutItem("tab2", Row("a", "4"));
  ASSERT_OK(put);
  EXPECT_TRUE(put->stream_record);
  EXPECT_EQ(AllRecords("tab2").size(), 3u);
}

TEST_F(StreamAdminTest, DisabledStreamLeavesTheListAfterRetention) {
  ASSERT_OK(engine().CreateTable(HashTable("tab3")));
  ASSERT_OK(engine().PutItem("tab3", Row("a", "1")));
  ASSERT_OK(StreamAdmin::DisableStream(engine(), "tab3"));
  clock_.AdvanceMillis(23 * 3600 * 1000);
  ASSERT_OK(engine().TrimStream());
  auto streams = StreamAdmin::ListTableStreams(engine(), "tab3");
  ASSERT_OK(streams);
  ASSERT_EQ(streams->size(), 1u);
  const std::string arn = (*streams)[0].stream_arn;
  const std::string shard = (*streams)[0].shards[0].shard_id;
  clock_.AdvanceMillis(2 * 3600 * 1000);
  auto trimmed = engine().TrimStream();
  ASSERT_OK(trimmed);
  EXPECT_EQ(*trimmed, 1);
  streams = StreamAdmin::ListTableStreams(engine(), "tab3");
  ASSERT_OK(streams);
  EXPECT_TRUE(streams->empty());
  EXPECT_THAT(engine().ListStreamShards("tab3"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(StreamAdmin::DescribeStream(engine(), arn), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(StreamAdmin::ReadShard(engine(), arn, shard, ShardPosition{}, 10), StatusIs(StatusCode::kNotFound));
}

TEST_F(StreamAdminTest, TrimmedPositionsAndLatest) {
  ASSERT_OK(engine().CreateTable(HashTable("tab4")));
  auto first = engine().PutItem("tab4", Row("a", "1"));
  ASSERT_OK(first);
  clock_.AdvanceMillis(25 * 3600 * 1000);
  auto second = engine().PutItem("tab4", Row("a", "2"));
  ASSERT_OK(second);
  ASSERT_OK(engine().TrimStream());
  auto streams = StreamAdmin::ListTableStreams(engine(), "tab4");
  ASSERT_OK(streams);
  const StreamInfo& s = (*streams)[0];
  EXPECT_EQ(s.shards[0].starting_sequence_number, second->sequence_number);
  const std::string& shard = s.shards[0].shard_id;
  auto from_horizon = StreamAdmin::ReadShard(engine(), s.stream_arn, shard, ShardPosition{}, 10);
  ASSERT_OK(from_horizon);
  ASSERT_EQ(from_horizon->records.size(), 1u);
  EXPECT_EQ(from_horizon->records[0].sequence_number, second->sequence_number);
  EXPECT_FALSE(from_horizon->closed_and_drained);
  // Before the trim horizon: TrimmedDataAccessException.
  EXPECT_THAT(StreamAdmin::ReadShard(engine(), s.stream_arn, shard, ShardPosition{false, 0}, 10),
              StatusIs(StatusCode::kOutOfRange));
  auto latest = StreamAdmin::LatestPosition(engine(), s.stream_arn, shard);
  ASSERT_OK(latest);
  auto none = StreamAdmin::ReadShard(engine(), s.stream_arn, shard, *latest, 10);
  ASSERT_OK(none);
  EXPECT_TRUE(none->records.empty());
  EXPECT_THAT(StreamAdmin::ReadShard(engine(), s.stream_arn, "shardId-nope", ShardPosition{}, 10),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(StreamAdminTest, RollOverRecordsLineage) {
  ASSERT_OK(engine().CreateTable(HashTable("tab5", StreamViewType::kNewAndOldImages, 2)));
  for (int i = 0; i < 8; ++i) ASSERT_OK(engine().PutItem("tab5", Row("k" + std::to_string(i), "1")));
  clock_.AdvanceMillis(4 * 3600 * 1000);
  ASSERT_OK(StreamAdmin::RollOverShards(engine(), "tab5"));
  for (int i = 0; i < 8; ++i) ASSERT_OK(engine().PutItem("tab5", Row("k" + std::to_string(i), "2")));

  auto check = [&] {
    auto streams = StreamAdmin::ListTableStreams(engine(), "tab5");
    ASSERT_OK(streams);
    ASSERT_EQ(streams->size(), 1u);
    const StreamInfo& s = (*streams)[0];
    ASSERT_EQ(s.shards.size(), 4u);
    for (int i = 0; i < 2; ++i) {
      const StreamShardInfo& parent = s.shards[i];
      const StreamShardInfo& child = s.shards[i + 2];
      EXPECT_EQ(parent.parent_shard_id, "");
      EXPECT_FALSE(parent.ending_sequence_number.empty());
      EXPECT_EQ(child.parent_shard_id, parent.shard_id);
      EXPECT_EQ(child.ending_sequence_number, "");
      EXPECT_GT(child.starting_sequence_number, parent.ending_sequence_number);
      auto old_part = StreamAdmin::ReadShard(engine(), s.stream_arn, parent.shard_id, ShardPosition{}, 1000);
      auto new_part = StreamAdmin::ReadShard(engine(), s.stream_arn, child.shard_id, ShardPosition{}, 1000);
      ASSERT_OK(old_part);
      ASSERT_OK(new_part);
      EXPECT_TRUE(old_part->closed_and_drained);
      EXPECT_EQ(old_part->records.size(), new_part->records.size());  // same items, same slot
      for (const auto& r : old_part->records) EXPECT_EQ(r.event_name, EventName::kInsert);
      for (const auto& r : new_part->records) EXPECT_EQ(r.event_name, EventName::kModify);
    }
    EXPECT_EQ(ReadAll(engine(), s).size(), 16u);
    EXPECT_EQ(AllRecords("tab5").size(), 16u);  // the capture view: parents, then children
    auto table = engine().DescribeTable("tab5");
    ASSERT_OK(table);
    EXPECT_EQ(table->shard_ids, (std::vector<std::string>{s.shards[2].shard_id, s.shards[3].shard_id}));
  };
  check();
  Reopen();
  check();

  // Past retention the parents are trimmed and leave the description; the children stay.
  clock_.AdvanceMillis(25 * 3600 * 1000);
  ASSERT_OK(engine().TrimStream());
  auto streams = StreamAdmin::ListTableStreams(engine(), "tab5");
  ASSERT_OK(streams);
  ASSERT_EQ((*streams)[0].shards.size(), 2u);
  EXPECT_FALSE((*streams)[0].shards[0].parent_shard_id.empty());
  EXPECT_THAT(StreamAdmin::RollOverShards(engine(), "nope"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK(StreamAdmin::DisableStream(engine(), "tab5"));
  EXPECT_THAT(StreamAdmin::RollOverShards(engine(), "tab5"), StatusIs(StatusCode::kInvalidArgument));
}

// Writers racing with disable / enable / rollover: every write that reports a stream record is
// in exactly the shard it names, once, and nothing else is.
TEST_F(StreamAdminTest, LifecycleRacingWritersLosesNothing) {
  ASSERT_OK(engine().CreateTable(HashTable("tab6", StreamViewType::kNewAndOldImages, 3)));
  std::atomic<bool> stop{false};
  std::atomic<int> puts{0};
  std::mutex mu;
  std::map<std::string, std::string> written;  // sequence number -> shard id
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      // While the lifecycle races, then 100 more once it is over (the stream ends enabled).
      int after_stop = 0;
      for (int i = 0; after_stop < 100; ++i) {
        if (stop.load()) ++after_stop;
        std::this_thread::yield();  // let the exclusive lifecycle lock in (shared_mutex favours readers)
        auto r = engine().PutItem("tab6", Row("w" + std::to_string(w) + "-" + std::to_string(i % 50),
                                              std::to_string(i)));
        ASSERT_OK(r);
        puts.fetch_add(1);
        if (r->stream_record) {
          std::lock_guard lock(mu);
          EXPECT_TRUE(written.emplace(r->sequence_number, r->shard_id).second);
        }
      }
    });
  }
  for (int round = 0; round < 15; ++round) {
    // Let the writers make progress between lifecycle changes, so the two really interleave.
    const int seen = puts.load();
    while (puts.load() < seen + 20) std::this_thread::yield();
    clock_.AdvanceMillis(7);
    if (round % 3 == 2) {
      ASSERT_OK(StreamAdmin::RollOverShards(engine(), "tab6"));
    } else {
      ASSERT_OK(StreamAdmin::DisableStream(engine(), "tab6"));
      std::this_thread::yield();
      ASSERT_OK(StreamAdmin::EnableStream(engine(), "tab6", StreamViewType::kNewAndOldImages));
    }
  }
  stop = true;
  for (auto& t : writers) t.join();

  auto streams = StreamAdmin::ListTableStreams(engine(), "tab6");
  ASSERT_OK(streams);
  std::map<std::string, std::string> read;
  for (const auto& s : *streams) {
    for (const auto& shard : s.shards) {
      auto r = StreamAdmin::ReadShard(engine(), s.stream_arn, shard.shard_id, ShardPosition{}, 1000000);
      ASSERT_OK(r);
      for (const auto& rec : r->records) EXPECT_TRUE(read.emplace(rec.sequence_number, shard.shard_id).second);
    }
  }
  EXPECT_EQ(read, written);
  EXPECT_GE(written.size(), 300u);  // the stream is enabled after the last round
}

TEST(StreamRecordCodecTest, ServiceRemovalCarriesUserIdentity) {
  Item key{{"pk", Str("a")}};
  std::string keys = EncodeItem(key);
  StreamRecordInput in;
  in.event_name = EventName::kRemove;
  in.view_type = StreamViewType::kNewAndOldImages;
  in.create_ms = 1700000000999;
  in.keys = keys;
  in.old_image = &keys;
  in.size_bytes = 4;
  in.by_service = true;
  std::string encoded;
  EncodeStreamRecord(in, &encoded);
  auto r = DecodeStreamRecord(encoded, 7, "eu-west-1");
  ASSERT_OK(r);
  EXPECT_EQ(r->user_identity_type, "Service");
  EXPECT_EQ(r->user_identity_principal_id, "dynamodb.amazonaws.com");
  EXPECT_EQ(r->approximate_creation_date_time, 1700000000);  // whole seconds, rounded down
  EXPECT_THAT(r->ToJson(), HasSubstr(R"("userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"})"));
  in.by_service = false;
  encoded.clear();
  EncodeStreamRecord(in, &encoded);
  r = DecodeStreamRecord(encoded, 7, "eu-west-1");
  ASSERT_OK(r);
  EXPECT_EQ(r->user_identity_type, "");
  EXPECT_THAT(r->ToJson(), ::testing::Not(HasSubstr("userIdentity")));
}

TEST(StreamArnTest, Parse) {
  std::string table, label;
  EXPECT_TRUE(StreamAdmin::ParseStreamArn("arn:aws:dynamodb:us-east-1:000000000000:table/t.x-1/stream/2024-01-01T00:00:00.000",
                                          &table, &label));
  EXPECT_EQ(table, "t.x-1");
  EXPECT_EQ(label, "2024-01-01T00:00:00.000");
  EXPECT_FALSE(StreamAdmin::ParseStreamArn("arn:aws:dynamodb:us-east-1:0:table/t", &table, &label));
  EXPECT_FALSE(StreamAdmin::ParseStreamArn("garbage", &table, &label));
}

}  // namespace
}  // namespace tributary::table
