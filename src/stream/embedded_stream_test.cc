#include "stream/embedded_stream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "stream/embedded_stream_test_util.h"

namespace tributary::stream {
namespace {

using ::tributary::testing::StatusIs;

using EmbeddedStreamTest = EmbeddedStreamFixture;

// ---- control plane ----

TEST_F(EmbeddedStreamTest, CreateValidatesNameAndShape) {
  EXPECT_THAT(store_->CreateStream("", 1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->CreateStream("bad name", 1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->CreateStream(std::string(129, 'a'), 1),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->CreateStream("s", 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->CreateStream("s", 1025), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->CreateStream("s", 1, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(store_->CreateStream(std::string(128, 'a'), 1024));
}

TEST_F(EmbeddedStreamTest, CreateIsIdempotentForTheSameShape) {
  DataStream* s = MakeStream("orders", 2);
  auto again = store_->CreateStream("orders", 2);
  ASSERT_OK(again);
  EXPECT_EQ(*again, s);
  EXPECT_THAT(store_->CreateStream("orders", 3), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(store_->CreateStream("orders", 2, 48), StatusIs(StatusCode::kAlreadyExists));
  auto got = store_->GetStream("orders");
  ASSERT_OK(got);
  EXPECT_EQ(*got, s);
  EXPECT_EQ(s->name(), "orders");
  EXPECT_THAT(store_->GetStream("nope"), StatusIs(StatusCode::kNotFound));
}

TEST_F(EmbeddedStreamTest, ListDescribeAndDelete) {
  MakeStream("b", 1);
  DataStream* a = MakeStream("a", 3, 48);
  EXPECT_EQ(store_->ListStreams(), (std::vector<std::string>{"a", "b"}));
  auto d = store_->DescribeStream("a");
  ASSERT_OK(d);
  EXPECT_EQ(d->shard_count, 3);
  EXPECT_EQ(d->retention_hours, 48);
  EXPECT_EQ(d->creation_ms, clock_.NowMillis());
  ASSERT_OK(Put(a, {{"k", "v"}}));

  ASSERT_OK(store_->DeleteStream("a"));
  EXPECT_THAT(store_->DeleteStream("a"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->GetStream("a"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(store_->ListStreams(), (std::vector<std::string>{"b"}));
  // The old pointer stays valid and reports the deletion.
  EXPECT_THAT(Put(a, {{"k", "v"}}), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(a->OpenReader(kShard0, StartPosition::TrimHorizon()),
              StatusIs(StatusCode::kNotFound));

  // A new stream with the same name starts empty.
  DataStream* a2 = MakeStream("a", 1);
  EXPECT_TRUE(ReadAll(a2, kShard0, StartPosition::TrimHorizon()).empty());
}

TEST_F(EmbeddedStreamTest, ListShardsSplitsHashKeySpaceLikeKinesis) {
  DataStream* s = MakeStream("s", 2);
  const std::vector<ShardInfo> shards = s->ListShards();
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(shards[1].shard_id, "shardId-000000000001");
  EXPECT_EQ(shards[0].starting_hash_key, 0u);
  EXPECT_EQ(shards[0].ending_hash_key, (uint128{1} << 127) - 1);
  EXPECT_EQ(shards[1].starting_hash_key, uint128{1} << 127);
  EXPECT_EQ(shards[1].ending_hash_key, ~uint128{0});
  EXPECT_EQ(shards[0].starting_sequence_number.size(), 56u);
}

// ---- writes ----

TEST_F(EmbeddedStreamTest, RoutesByMd5OfPartitionKeyOrExplicitHashKey) {
  DataStream* s = MakeStream("s", 2);
  // MD5("a") = 0cc175b9... (shard 0); MD5("b") = 92eb5ffe... (shard 1).
  auto r = Put(s, {{"a", "1"}, {"b", "2"}});
  ASSERT_OK(r);
  EXPECT_EQ((*r)[0].shard_id, kShard0);
  EXPECT_EQ((*r)[1].shard_id, kShard1);

  const PutRecordEntry explicit_entries[] = {{"3", "a", uint128{1} << 127},
                                             {"4", "b", (uint128{1} << 127) - 1}};
  auto e = s->PutRecords(explicit_entries);
  ASSERT_OK(e);
  EXPECT_EQ((*e)[0].shard_id, kShard1);
  EXPECT_EQ((*e)[1].shard_id, kShard0);
  EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::TrimHorizon())),
            (std::vector<std::string>{"1", "4"}));
  EXPECT_EQ(Data(ReadAll(s, kShard1, StartPosition::TrimHorizon())),
            (std::vector<std::string>{"2", "3"}));
}

TEST_F(EmbeddedStreamTest, ValidatesRecordsAndWritesNothingOnError) {
  DataStream* s = MakeStream("s", 1);
  const std::string max_data(1 << 20, 'x');
  const std::string max_key(256, 'k');
  const std::string wide_key = std::string(256, 'k').replace(0, 1, "\xc3\xa9");  // 256 chars
  EXPECT_OK(Put(s, {{max_key, max_data}, {wide_key, ""}}));
  EXPECT_THAT(Put(s, {{"ok", "1"}, {"", "2"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Put(s, {{"ok", "1"}, {max_key + "k", "2"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Put(s, {{"ok", "1"}, {"k", max_data + "x"}}), StatusIs(StatusCode::kInvalidArgument));
  const ProducerCheckpoint empty_key{"", "v"};
  EXPECT_THAT(Put(s, {{"ok", "1"}}, &empty_key), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ReadAll(s, kShard0, StartPosition::TrimHorizon()).size(), 2u);
}

TEST_F(EmbeddedStreamTest, PerShardOrderAndIncreasingSequenceNumbers) {
  DataStream* s = MakeStream("s", 4);
  auto rng = ::tributary::testing::SeededRng();
  std::map<std::string, std::vector<std::string>> expected;  // shard -> data in put order
  std::map<std::string, std::string> seq_of;                 // data -> sequence number
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<std::pair<std::string, std::string>> records;
    for (int i = 0; i < 50; ++i) {
      records.emplace_back("pk" + std::to_string(rng() % 37),
                           "d" + std::to_string(batch) + "-" + std::to_string(i));
    }
    auto results = Put(s, records);
    ASSERT_OK(results);
    ASSERT_EQ(results->size(), records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      expected[(*results)[i].shard_id].push_back(records[i].second);
      seq_of[records[i].second] = (*results)[i].sequence_number;
    }
  }
  size_t total = 0;
  for (const ShardInfo& shard : s->ListShards()) {
    const std::vector<StreamRecord> got = ReadAll(s, shard.shard_id, StartPosition::TrimHorizon());
    EXPECT_EQ(Data(got), expected[shard.shard_id]) << shard.shard_id;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].sequence_number, seq_of[got[i].data]);
      EXPECT_EQ(got[i].sequence_number.size(), 56u);
      EXPECT_EQ(got[i].approximate_arrival_ms, clock_.NowMillis());
      EXPECT_EQ(HashKeyOf(got[i].partition_key) >= shard.starting_hash_key &&
                    HashKeyOf(got[i].partition_key) <= shard.ending_hash_key,
                true);
      if (i > 0) {
        EXPECT_EQ(CompareSequenceNumbers(got[i - 1].sequence_number, got[i].sequence_number), -1);
        EXPECT_LT(got[i - 1].sequence_number, got[i].sequence_number);
      }
    }
    if (!got.empty()) {
      auto latest = s->LatestSequenceNumber(shard.shard_id);
      ASSERT_OK(latest);
      EXPECT_EQ(*latest, got.back().sequence_number);
    }
    total += got.size();
  }
  EXPECT_EQ(total, 1000u);
}

TEST_F(EmbeddedStreamTest, CheckpointIsWrittenWithRecords) {
  DataStream* s = MakeStream("s", 1);
  auto none = s->ReadProducerCheckpoint("pipe");
  ASSERT_OK(none);
  EXPECT_EQ(*none, std::nullopt);
  const ProducerCheckpoint cp1{"pipe", "position-1"};
  ASSERT_OK(Put(s, {{"k", "1"}}, &cp1));
  EXPECT_EQ(*s->ReadProducerCheckpoint("pipe"), "position-1");
  // An empty batch may still advance the checkpoint (events filtered out by the producer).
  const ProducerCheckpoint cp2{"pipe", "position-2"};
  auto r = s->PutRecords({}, &cp2);
  ASSERT_OK(r);
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(*s->ReadProducerCheckpoint("pipe"), "position-2");
  // A rejected batch leaves the checkpoint alone.
  const ProducerCheckpoint cp3{"pipe", "position-3"};
  EXPECT_THAT(Put(s, {{"k", "2"}, {"", "bad"}}, &cp3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(*s->ReadProducerCheckpoint("pipe"), "position-2");
  EXPECT_EQ(ReadAll(s, kShard0, StartPosition::TrimHorizon()).size(), 1u);
  // Checkpoints are per stream.
  DataStream* other = MakeStream("other", 1);
  EXPECT_EQ(*other->ReadProducerCheckpoint("pipe"), std::nullopt);
}

// ---- iterators ----

TEST_F(EmbeddedStreamTest, IteratorTypes) {
  DataStream* s = MakeStream("s", 1);
  auto first = Put(s, {{"k", "r0"}, {"k", "r1"}, {"k", "r2"}});
  ASSERT_OK(first);
  const std::string seq1 = (*first)[1].sequence_number;

  auto latest = s->OpenReader(kShard0, StartPosition::Latest());
  ASSERT_OK(latest);
  auto empty = (*latest)->Read(10);
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->records.empty());
  EXPECT_EQ(empty->millis_behind_latest, 0);

  ASSERT_OK(Put(s, {{"k", "r3"}}));
  auto after_latest = (*latest)->Read(10);
  ASSERT_OK(after_latest);
  EXPECT_EQ(Data(after_latest->records), (std::vector<std::string>{"r3"}));

  EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::TrimHorizon())),
            (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
  EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::At(seq1))),
            (std::vector<std::string>{"r1", "r2", "r3"}));
  EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::After(seq1))),
            (std::vector<std::string>{"r2", "r3"}));
  EXPECT_TRUE(ReadAll(s, kShard0, StartPosition::Latest()).empty());
  // The shard's starting sequence number is before every record.
  EXPECT_EQ(
      ReadAll(s, kShard0, StartPosition::At(s->ListShards()[0].starting_sequence_number)).size(),
      4u);
}

TEST_F(EmbeddedStreamTest, BadPositionsAreRejected) {
  DataStream* s = MakeStream("s", 2);
  DataStream* other = MakeStream("other", 2);
  auto r = Put(s, {{"a", "1"}});  // shard 0
  ASSERT_OK(r);
  const std::string seq = (*r)[0].sequence_number;
  EXPECT_THAT(s->OpenReader("shardId-000000000002", StartPosition::TrimHorizon()),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(s->OpenReader("bogus", StartPosition::TrimHorizon()),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(s->OpenReader(kShard0, StartPosition::At("12345")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(s->OpenReader(kShard1, StartPosition::At(seq)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(other->OpenReader(kShard0, StartPosition::After(seq)),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(EmbeddedStreamTest, AtTimestampUsesArrivalTime) {
  DataStream* s = MakeStream("s", 1);
  const int64_t t0 = clock_.NowMillis();
  ASSERT_OK(Put(s, {{"k", "a0"}, {"k", "a1"}}));
  clock_.AdvanceMillis(1500);
  ASSERT_OK(Put(s, {{"k", "b0"}}));
  clock_.AdvanceMillis(250);
  ASSERT_OK(Put(s, {{"k", "c0"}}));
  clock_.AdvanceMillis(5000);
  ASSERT_OK(Put(s, {{"k", "d0"}}));

  auto at = [&](int64_t ms) { return Data(ReadAll(s, kShard0, StartPosition::AtTimestamp(ms))); };
  EXPECT_EQ(at(0), (std::vector<std::string>{"a0", "a1", "b0", "c0", "d0"}));
  EXPECT_EQ(at(t0), (std::vector<std::string>{"a0", "a1", "b0", "c0", "d0"}));
  EXPECT_EQ(at(t0 + 1), (std::vector<std::string>{"b0", "c0", "d0"}));
  EXPECT_EQ(at(t0 + 1500), (std::vector<std::string>{"b0", "c0", "d0"}));
  EXPECT_EQ(at(t0 + 1501), (std::vector<std::string>{"c0", "d0"}));
  EXPECT_EQ(at(t0 + 1750), (std::vector<std::string>{"c0", "d0"}));
  EXPECT_EQ(at(t0 + 2000), (std::vector<std::string>{"d0"}));
  EXPECT_EQ(at(t0 + 6750), (std::vector<std::string>{"d0"}));
  EXPECT_TRUE(at(t0 + 6751).empty());

  // A future timestamp positions at the tip: later records are read.
  auto reader = s->OpenReader(kShard0, StartPosition::AtTimestamp(t0 + 100000));
  ASSERT_OK(reader);
  ASSERT_OK(Put(s, {{"k", "e0"}}));
  auto batch = (*reader)->Read(10);
  ASSERT_OK(batch);
  EXPECT_EQ(Data(batch->records), (std::vector<std::string>{"e0"}));
}

TEST_F(EmbeddedStreamTest, ReadHonoursMaxRecordsAndReportsMillisBehind) {
  DataStream* s = MakeStream("s", 1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(Put(s, {{"k", std::to_string(i)}}));
    clock_.AdvanceMillis(100);
  }
  auto reader = s->OpenReader(kShard0, StartPosition::TrimHorizon());
  ASSERT_OK(reader);
  auto b1 = (*reader)->Read(2);
  ASSERT_OK(b1);
  EXPECT_EQ(Data(b1->records), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(b1->millis_behind_latest, 300);
  auto b0 = (*reader)->Read(0);
  ASSERT_OK(b0);
  EXPECT_TRUE(b0->records.empty());
  auto b2 = (*reader)->Read(100);
  ASSERT_OK(b2);
  EXPECT_EQ(Data(b2->records), (std::vector<std::string>{"2", "3", "4"}));
  EXPECT_EQ(b2->millis_behind_latest, 0);
  auto b3 = (*reader)->Read(100);
  ASSERT_OK(b3);
  EXPECT_TRUE(b3->records.empty());
  EXPECT_EQ(b3->millis_behind_latest, 0);
}

TEST_F(EmbeddedStreamTest, ResumePositionContinuesWhereAReaderStopped) {
  DataStream* s = MakeStream("s", 1);
  ASSERT_OK(Put(s, {{"k", "old"}}));
  auto latest = s->OpenReader(kShard0, StartPosition::Latest());
  ASSERT_OK(latest);
  ASSERT_TRUE((*latest)->Read(10)->records.empty());
  const std::optional<StartPosition> at_tip = (*latest)->ResumePosition();
  ASSERT_TRUE(at_tip.has_value());
  ASSERT_OK(Put(s, {{"k", "new1"}, {"k", "new2"}}));
  EXPECT_EQ(Data(ReadAll(s, kShard0, *at_tip)), (std::vector<std::string>{"new1", "new2"}));

  auto reader = s->OpenReader(kShard0, StartPosition::TrimHorizon());
  ASSERT_OK(reader);
  ASSERT_EQ((*reader)->Read(2)->records.size(), 2u);  // old, new1
  EXPECT_EQ(Data(ReadAll(s, kShard0, *(*reader)->ResumePosition())),
            (std::vector<std::string>{"new2"}));
}

TEST_F(EmbeddedStreamTest, ReadStopsAroundTenMebibytes) {
  DataStream* s = MakeStream("s", 1);
  const std::string mib(1 << 20, 'x');
  std::vector<std::pair<std::string, std::string>> records(12, {"k", mib});
  ASSERT_OK(Put(s, records));
  auto reader = s->OpenReader(kShard0, StartPosition::TrimHorizon());
  ASSERT_OK(reader);
  auto first = (*reader)->Read(100);
  ASSERT_OK(first);
  EXPECT_EQ(first->records.size(), 10u);
  auto second = (*reader)->Read(100);
  ASSERT_OK(second);
  EXPECT_EQ(second->records.size(), 2u);
}

TEST_F(EmbeddedStreamTest, ArrivalTimesNeverDecreaseWithinAShard) {
  DataStream* s = MakeStream("s", 1);
  ASSERT_OK(Put(s, {{"k", "1"}}));
  clock_.AdvanceMillis(-60000);  // wall clock stepped back
  ASSERT_OK(Put(s, {{"k", "2"}}));
  const std::vector<StreamRecord> got = ReadAll(s, kShard0, StartPosition::TrimHorizon());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].approximate_arrival_ms, got[0].approximate_arrival_ms);
}

// ---- blocking reads ----

TEST_F(EmbeddedStreamTest, WaitForAppendTimesOutWithoutAppends) {
  DataStream* s = MakeStream("s", 1);
  const uint64_t v = s->append_version();
  EXPECT_FALSE(s->WaitForAppend(v, 0));
  EXPECT_FALSE(s->WaitForAppend(v, 20));
  ASSERT_OK(Put(s, {{"k", "1"}}));
  EXPECT_NE(s->append_version(), v);
  EXPECT_TRUE(s->WaitForAppend(v, 0));  // already changed: no wait
}

TEST_F(EmbeddedStreamTest, WaitForAppendWakesUpOnPut) {
  DataStream* s = MakeStream("s", 1);
  auto reader = s->OpenReader(kShard0, StartPosition::Latest());
  ASSERT_OK(reader);
  std::atomic<bool> woke{false};
  std::vector<std::string> seen;
  std::thread consumer([&] {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      const uint64_t v = s->append_version();
      auto batch = (*reader)->Read(10);
      if (!batch.ok()) return;
      if (!batch->records.empty()) {
        seen = Data(batch->records);
        break;
      }
      s->WaitForAppend(v, 30000);
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(20)) return;
    }
    woke = true;
  });
  ASSERT_OK(Put(s, {{"k", "hello"}}));
  consumer.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(seen, (std::vector<std::string>{"hello"}));
}

TEST_F(EmbeddedStreamTest, DeleteWakesWaiters) {
  DataStream* s = MakeStream("s", 1);
  const uint64_t v = s->append_version();
  std::atomic<bool> woke{false};
  std::thread waiter([&] { woke = s->WaitForAppend(v, 30000); });
  ASSERT_OK(store_->DeleteStream("s"));
  waiter.join();
  EXPECT_TRUE(woke);
}

// ---- concurrency ----

TEST_F(EmbeddedStreamTest, ConcurrentProducersLoseNothing) {
  DataStream* s = MakeStream("s", 3);
  constexpr int kThreads = 4;
  constexpr int kBatches = 50;
  constexpr int kPerBatch = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<std::pair<std::string, std::string>> records;
        for (int i = 0; i < kPerBatch; ++i) {
          // Data carries (thread, running index) so per-key order can be checked.
          records.emplace_back("t" + std::to_string(t) + "-k" + std::to_string(i % 5),
                               std::to_string(t) + ":" + std::to_string(b * kPerBatch + i));
        }
        if (!Put(s, records).ok()) ++failures;
      }
    });
  }
  // A concurrent tailing reader on shard 0 must see the same records as a later full read.
  std::vector<std::string> tailed;
  std::atomic<bool> producers_done{false};
  std::thread tail([&] {
    auto reader = s->OpenReader(kShard0, StartPosition::TrimHorizon());
    if (!reader.ok()) return;
    for (;;) {
      const bool done = producers_done.load();
      const uint64_t v = s->append_version();
      auto batch = (*reader)->Read(64);
      if (!batch.ok()) return;
      for (const StreamRecord& r : batch->records) tailed.push_back(r.data);
      if (batch->records.empty()) {
        if (done) break;
        s->WaitForAppend(v, 200);
      }
    }
  });
  for (std::thread& th : threads) th.join();
  producers_done = true;
  tail.join();
  EXPECT_EQ(failures.load(), 0);

  std::set<std::string> all;
  size_t total = 0;
  for (const ShardInfo& shard : s->ListShards()) {
    const std::vector<StreamRecord> got = ReadAll(s, shard.shard_id, StartPosition::TrimHorizon());
    if (shard.shard_id == kShard0) {
      EXPECT_EQ(Data(got), tailed);
    }
    std::map<std::string, int> last_index;  // partition key -> last running index
    for (const StreamRecord& r : got) {
      all.insert(r.data);
      const int index = std::stoi(r.data.substr(r.data.find(':') + 1));
      auto it = last_index.find(r.partition_key);
      if (it != last_index.end()) {
        EXPECT_LT(it->second, index) << r.partition_key;
      }
      last_index[r.partition_key] = index;
    }
    total += got.size();
  }
  EXPECT_EQ(total, size_t{kThreads * kBatches * kPerBatch});
  EXPECT_EQ(all.size(), total);
}

}  // namespace
}  // namespace tributary::stream
