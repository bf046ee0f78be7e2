// The table's change stream: records, images per view type, no-op suppression, sequence
// numbers, shards, trimming, wake-ups, atomicity across reopen and kill -9.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include "table/table_engine.h"
#include "table/table_test_util.h"

namespace tributary::table {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tributary::testing::IsOk;
using ::tributary::testing::StatusIs;
using namespace ::tributary::table::testing;  // NOLINT

using TableStreamTest = EngineFixture;

std::map<std::string, Item> Replay(std::vector<ChangeRecord> records);

TEST_F(TableStreamTest, InsertModifyRemoveImages) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  Item v1{{"pk", Str("a")}, {"n", Num("1")}};
  Item v2{{"pk", Str("a")}, {"n", Num("2")}};
  auto put = engine().PutItem("t1x", v1);
  ASSERT_OK(put);
  EXPECT_TRUE(put->stream_record);
  EXPECT_EQ(put->sequence_number.size(), 21u);
  ASSERT_OK(engine().PutItem("t1x", v2));
  ASSERT_OK(engine().DeleteItem("t1x", {{"pk", Str("a")}}));

  auto records = AllRecords("t1x");
  ASSERT_EQ(records.size(), 3u);
  Item keys{{"pk", Str("a")}};
  EXPECT_EQ(records[0].event_name, EventName::kInsert);
  EXPECT_EQ(records[0].keys, keys);
  EXPECT_EQ(records[0].new_image, v1);
  EXPECT_FALSE(records[0].old_image);
  EXPECT_EQ(records[0].sequence_number, put->sequence_number);
  EXPECT_EQ(records[1].event_name, EventName::kModify);
  EXPECT_EQ(records[1].new_image, v2);
  EXPECT_EQ(records[1].old_image, v1);
  EXPECT_EQ(records[2].event_name, EventName::kRemove);
  EXPECT_FALSE(records[2].new_image);
  EXPECT_EQ(records[2].old_image, v2);
  for (const auto& r : records) {
    EXPECT_EQ(r.aws_region, "eu-west-1");
    EXPECT_EQ(r.event_version, "1.1");
    EXPECT_EQ(r.event_source, "aws:dynamodb");
    EXPECT_EQ(r.approximate_creation_date_time, 1700000000);
    EXPECT_EQ(r.event_id.size(), 32u);
    EXPECT_EQ(r.event_id.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_GT(r.size_bytes, 0);
  }
  EXPECT_NE(records[0].event_id, records[1].event_id);
  EXPECT_LT(records[0].sequence_number, records[1].sequence_number);
  EXPECT_LT(records[1].sequence_number, records[2].sequence_number);
}

TEST_F(TableStreamTest, RecordJsonShape) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  clock_.SetMillis(1700000001999);
  ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("a")}, {"n", Num("1")}}));
  ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("a")}, {"n", Num("2")}}));
  auto records = AllRecords("t1x");
  ASSERT_EQ(records.size(), 2u);
  const ChangeRecord& r = records[1];
  std::string expected = "{\"eventID\":\"" + r.event_id +
                         "\",\"eventName\":\"MODIFY\",\"eventVersion\":\"1.1\",\"eventSource\":\"aws:dynamodb\","
                         "\"awsRegion\":\"eu-west-1\",\"dynamodb\":{\"ApproximateCreationDateTime\":1700000001,"
                         "\"Keys\":{\"pk\":{\"S\":\"a\"}},\"NewImage\":{\"n\":{\"N\":\"2\"},\"pk\":{\"S\":\"a\"}},"
                         "\"OldImage\":{\"n\":{\"N\":\"1\"},\"pk\":{\"S\":\"a\"}},\"SequenceNumber\":\"" +
                         r.sequence_number + "\",\"SizeBytes\":" + std::to_string(r.size_bytes) +
                         ",\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}";
  EXPECT_EQ(r.ToJson(), expected);
  // keys (2+1) + new (1+2 + 2+1) + old (same)
  EXPECT_EQ(r.size_bytes, 3 + 6 + 6);
}

TEST_F(TableStreamTest, NoOpWritesEmitNothing) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  Item item{{"pk", Str("a")}, {"n", Num("1")}, {"s", AttributeValue::SS({"x", "y"}).value()}};
  ASSERT_OK(engine().PutItem("t1x", item));
  uint64_t version = engine().stream_version();

  Item same{{"pk", Str("a")}, {"n", Num("1.0")}, {"s", AttributeValue::SS({"y", "x"}).value()}};
  auto put = engine().PutItem("t1x", same);
  ASSERT_OK(put);
  EXPECT_FALSE(put->changed);
  EXPECT_FALSE(put->stream_record);
  auto upd = engine().UpdateItem("t1x", {{"pk", Str("a")}}, UpdateSpec{"SET n = :one REMOVE absent", {}, {{":one", Num("1")}}});
  ASSERT_OK(upd);
  EXPECT_FALSE(upd->changed);
  EXPECT_EQ(upd->old_item, upd->new_item);
  auto del = engine().DeleteItem("t1x", {{"pk", Str("nope")}});
  ASSERT_OK(del);
  EXPECT_FALSE(del->stream_record);
  EXPECT_EQ(engine().stream_version(), version);
  EXPECT_EQ(AllRecords("t1x").size(), 1u);
}

TEST_F(TableStreamTest, ViewTypes) {
  struct Case {
    StreamViewType view;
    bool has_new;
    bool has_old;
  };
  for (const Case& c : {Case{StreamViewType::kKeysOnly, false, false}, Case{StreamViewType::kNewImage, true, false},
                        Case{StreamViewType::kOldImage, false, true},
                        Case{StreamViewType::kNewAndOldImages, true, true}}) {
    std::string name = "t_" + std::string(StreamViewTypeName(c.view));
    ASSERT_OK(engine().CreateTable(RangeTable(name, AttributeType::kN, c.view)));
    Item key{{"pk", Str("a")}, {"sk", Num("1")}};
    ASSERT_OK(engine().PutItem(name, {{"pk", Str("a")}, {"sk", Num("1")}, {"v", Num("1")}}));
    ASSERT_OK(engine().UpdateItem(name, key, UpdateSpec{"SET v = v + :one", {}, {{":one", Num("1")}}}));
    ASSERT_OK(engine().DeleteItem(name, key));
    auto records = AllRecords(name);
    ASSERT_EQ(records.size(), 3u) << name;
    for (const ChangeRecord& r : records) {
      EXPECT_EQ(r.stream_view_type, c.view);
      EXPECT_EQ(r.keys, key);
    }
    EXPECT_EQ(records[0].new_image.has_value(), c.has_new) << name;
    EXPECT_FALSE(records[0].old_image) << name;  // INSERT never has OldImage
    EXPECT_EQ(records[1].new_image.has_value(), c.has_new) << name;
    EXPECT_EQ(records[1].old_image.has_value(), c.has_old) << name;
    EXPECT_FALSE(records[2].new_image) << name;  // REMOVE never has NewImage
    EXPECT_EQ(records[2].old_image.has_value(), c.has_old) << name;
    if (c.has_new) {
      EXPECT_EQ(records[1].new_image->at("v"), Num("2"));
    }
    if (c.has_old) {
      EXPECT_EQ(records[2].old_image->at("v"), Num("2"));
    }
  }
}

TEST_F(TableStreamTest, NoStreamTable) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", std::nullopt)));
  auto put = engine().PutItem("t1x", {{"pk", Str("a")}});
  ASSERT_OK(put);
  EXPECT_TRUE(put->changed);
  EXPECT_FALSE(put->stream_record);
  EXPECT_THAT(engine().ListStreamShards("t1x"), StatusIs(StatusCode::kNotFound));
}

TEST_F(TableStreamTest, ReadFromPositionsAndLatest) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  std::string shard = engine().ListStreamShards("t1x")->at(0).shard_id;
  EXPECT_EQ(*engine().LatestSequence("t1x", shard), "");
  EXPECT_EQ(engine().ListStreamShards("t1x")->at(0).starting_sequence_number, "");
  std::vector<std::string> seqs;
  for (int i = 0; i < 10; ++i) {
    seqs.push_back(engine().PutItem("t1x", {{"pk", Str("k" + std::to_string(i))}})->sequence_number);
  }
  EXPECT_EQ(*engine().LatestSequence("t1x", shard), seqs.back());
  EXPECT_EQ(engine().ListStreamShards("t1x")->at(0).starting_sequence_number, seqs.front());
  auto first = engine().ReadStream("t1x", shard, "", 3);
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 3u);
  auto rest = engine().ReadStream("t1x", shard, first->back().sequence_number, 100);
  ASSERT_OK(rest);
  ASSERT_EQ(rest->size(), 7u);
  EXPECT_EQ(rest->front().sequence_number, seqs[3]);
  EXPECT_TRUE(engine().ReadStream("t1x", shard, seqs.back(), 100)->empty());
  EXPECT_THAT(engine().ReadStream("t1x", "shardId-nope", "", 1), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(engine().ReadStream("t1x", shard, "42", 1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine().ReadStream("t1x", shard, "", 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TableStreamTest, SequenceNumbersNeverReused) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  std::string last;
  for (int i = 0; i < 5; ++i) {
    auto put = engine().PutItem("t1x", {{"pk", Str("k" + std::to_string(i))}});
    ASSERT_OK(put);
    EXPECT_GT(put->sequence_number, last);
    last = put->sequence_number;
  }
  Reopen();
  auto put = engine().PutItem("t1x", {{"pk", Str("after-reopen")}});
  EXPECT_GT(put->sequence_number, last);
  last = put->sequence_number;

  // Trim everything, reopen: numbers continue above the trimmed ones.
  clock_.AdvanceMillis(25LL * 3600 * 1000);
  EXPECT_EQ(*engine().TrimStream(), 6);
  EXPECT_TRUE(AllRecords("t1x").empty());
  Reopen();
  put = engine().PutItem("t1x", {{"pk", Str("after-trim")}});
  EXPECT_GT(put->sequence_number, last);
  last = put->sequence_number;

  // Delete the table (and its records), reopen: a new table's numbers are still higher.
  ASSERT_OK(engine().DeleteTable("t1x"));
  Reopen();
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  put = engine().PutItem("t1x", {{"pk", Str("new-table")}});
  EXPECT_GT(put->sequence_number, last);
}

TEST_F(TableStreamTest, ItemsKeepTheirShardAndOrder) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", StreamViewType::kNewImage, 4)));
  auto shards = engine().ListStreamShards("t1x");
  ASSERT_OK(shards);
  ASSERT_EQ(shards->size(), 4u);
  std::map<std::string, std::string> shard_of;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 40; ++i) {
      std::string pk = "item" + std::to_string(i);
      auto put = engine().PutItem("t1x", {{"pk", Str(pk)}, {"round", AttributeValue::N(round)}});
      ASSERT_OK(put);
      auto [it, inserted] = shard_of.emplace(pk, put->shard_id);
      EXPECT_EQ(it->second, put->shard_id) << pk;
    }
  }
  std::set<std::string> used;
  for (auto& [pk, shard] : shard_of) used.insert(shard);
  EXPECT_GT(used.size(), 1u);
  // Within each shard, each item's rounds appear in order.
  for (const auto& shard : *shards) {
    auto records = engine().ReadStream("t1x", shard.shard_id, "", 1000);
    ASSERT_OK(records);
    std::map<std::string, int64_t> last_round;
    std::string last_seq;
    for (const auto& r : *records) {
      EXPECT_GT(r.sequence_number, last_seq);
      last_seq = r.sequence_number;
      std::string pk = r.keys.at("pk").text();
      EXPECT_EQ(shard_of[pk], shard.shard_id);
      int64_t round = 0;
      ASSERT_TRUE(NumberToInt64(r.new_image->at("round").text(), &round));
      auto [it, inserted] = last_round.emplace(pk, round);
      if (!inserted) {
        EXPECT_EQ(round, it->second + 1);
        it->second = round;
      }
    }
  }
  // Reopen keeps the assignment.
  Reopen();
  auto put = engine().PutItem("t1x", {{"pk", Str("item7")}, {"round", AttributeValue::N(99)}});
  EXPECT_EQ(put->shard_id, shard_of["item7"]);
}

TEST_F(TableStreamTest, TrimmingUsesTheClock) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  std::string shard = engine().ListStreamShards("t1x")->at(0).shard_id;
  std::vector<std::string> seqs;
  for (int hour = 0; hour < 4; ++hour) {
    seqs.push_back(engine().PutItem("t1x", {{"pk", Str("k" + std::to_string(hour))}})->sequence_number);
    clock_.AdvanceMillis(3600 * 1000);
  }
  // Now = start + 4h. Nothing is older than 24 h.
  EXPECT_EQ(*engine().TrimStream(), 0);
  clock_.AdvanceMillis(21LL * 3600 * 1000);  // start + 25h: records at 0h are older than 24h
  EXPECT_EQ(*engine().TrimStream(), 1);
  clock_.AdvanceMillis(3600 * 1000 - 1);  // just under start + 26h: the 1h record goes
  EXPECT_EQ(*engine().TrimStream(), 1);
  auto left = engine().ReadStream("t1x", shard, "", 100);
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ(left->front().sequence_number, seqs[2]);
  // Reading after a trimmed position is TrimmedDataAccess; at the horizon it is fine.
  EXPECT_THAT(engine().ReadStream("t1x", shard, seqs[0], 100), StatusIs(StatusCode::kOutOfRange));
  EXPECT_EQ(engine().ReadStream("t1x", shard, seqs[1], 100)->size(), 2u);
  Reopen();
  EXPECT_THAT(engine().ReadStream("t1x", shard, seqs[0], 100), StatusIs(StatusCode::kOutOfRange));
  EXPECT_EQ(*engine().TrimStream(), 0);
}

TEST_F(TableStreamTest, WaitForStreamRecordsWakesOnCommit) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x")));
  uint64_t seen = engine().stream_version();
  EXPECT_FALSE(engine().WaitForStreamRecords(seen, 0));
  std::thread writer([this] { ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("a")}})); });
  // Generous timeout; returns as soon as the write commits.
  EXPECT_TRUE(engine().WaitForStreamRecords(seen, 60000));
  writer.join();
  EXPECT_NE(engine().stream_version(), seen);
  EXPECT_TRUE(engine().WaitForStreamRecords(seen, 0));
}

TEST_F(TableStreamTest, BatchWriteItemIsOneAtomicWrite) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", StreamViewType::kNewAndOldImages, 4)));
  ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("same")}, {"v", Num("1")}}));
  ASSERT_OK(engine().PutItem("t1x", {{"pk", Str("gone")}, {"v", Num("1")}}));
  uint64_t version = engine().stream_version();
  std::vector<WriteRequest> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(WriteRequest::Put({{"pk", Str("b" + std::to_string(i))}}));
  batch.push_back(WriteRequest::Put({{"pk", Str("same")}, {"v", Num("1")}}));  // no-op
  batch.push_back(WriteRequest::Delete({{"pk", Str("gone")}}));
  batch.push_back(WriteRequest::Delete({{"pk", Str("never")}}));  // no-op
  auto results = engine().BatchWriteItem("t1x", batch);
  ASSERT_OK(results);
  ASSERT_EQ(results->size(), 23u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE((*results)[i].stream_record);
    EXPECT_EQ((*results)[i].shard_id.empty(), false);
  }
  EXPECT_FALSE((*results)[20].changed);
  EXPECT_TRUE((*results)[21].stream_record);
  EXPECT_FALSE((*results)[22].changed);
  EXPECT_EQ(engine().stream_version(), version + 1);  // one commit
  auto records = AllRecords("t1x");
  EXPECT_EQ(records.size(), 2u + 21u);
  EXPECT_EQ(engine().DescribeTable("t1x")->item_count, 21);
  EXPECT_FALSE(engine().GetItem("t1x", {{"pk", Str("gone")}})->has_value());

  // Duplicate keys or one invalid request: nothing is written.
  std::vector<WriteRequest> dup = {WriteRequest::Put({{"pk", Str("x")}}), WriteRequest::Delete({{"pk", Str("x")}})};
  EXPECT_EQ(engine().BatchWriteItem("t1x", dup).status().message(),
            "Provided list of item keys contains duplicates");
  std::vector<WriteRequest> bad = {WriteRequest::Put({{"pk", Str("ok")}}), WriteRequest::Put({{"nopk", Str("x")}})};
  EXPECT_THAT(engine().BatchWriteItem("t1x", bad), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_FALSE(engine().GetItem("t1x", {{"pk", Str("ok")}})->has_value());
  EXPECT_EQ(AllRecords("t1x").size(), 23u);
  Reopen();
  EXPECT_EQ(Replay(AllRecords("t1x")).size(), 21u);
}

// Replays records (in sequence order) into a map of key -> item.
std::map<std::string, Item> Replay(std::vector<ChangeRecord> records) {
  std::sort(records.begin(), records.end(),
            [](const ChangeRecord& a, const ChangeRecord& b) { return a.sequence_number < b.sequence_number; });
  std::map<std::string, Item> state;
  for (const auto& r : records) {
    std::string key = ItemToJson(r.keys);
    if (r.event_name == EventName::kRemove) {
      state.erase(key);
    } else {
      state[key] = *r.new_image;
    }
  }
  return state;
}

std::map<std::string, Item> ScanAll(TableEngine& engine, const std::string& table) {
  std::map<std::string, Item> state;
  auto page = engine.Scan(table, {});
  EXPECT_TRUE(page.ok());
  for (auto& item : page->items) state[ItemToJson(Item{{"pk", item.at("pk")}})] = item;
  return state;
}

TEST_F(TableStreamTest, EveryItemHasItsRecordAfterReopen) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", StreamViewType::kNewAndOldImages, 3)));
  auto rng = ::tributary::testing::SeededRng();
  for (int i = 0; i < 500; ++i) {
    std::string pk = "k" + std::to_string(rng() % 50);
    switch (rng() % 3) {
      case 0: ASSERT_OK(engine().PutItem("t1x", {{"pk", Str(pk)}, {"v", AttributeValue::N(i)}})); break;
      case 1:
        ASSERT_OK(engine().UpdateItem("t1x", {{"pk", Str(pk)}},
                                      UpdateSpec{"ADD c :one", {}, {{":one", Num("1")}}}));
        break;
      default: ASSERT_OK(engine().DeleteItem("t1x", {{"pk", Str(pk)}})); break;
    }
  }
  Reopen();
  auto replayed = Replay(AllRecords("t1x"));
  EXPECT_EQ(replayed, ScanAll(engine(), "t1x"));
  EXPECT_EQ(engine().DescribeTable("t1x")->item_count, static_cast<int64_t>(replayed.size()));
}

// Runs only as the child of KillNineKeepsItemsAndRecordsTogether (a fresh exec of this binary):
// writes as fast as it can and reports each acknowledged write on a pipe until it is killed.
TEST(TableStreamCrashChild, WriteUntilKilled) {
  const char* dir = std::getenv("TRIBUTARY_TABLE_CRASH_DIR");
  const char* fd_text = std::getenv("TRIBUTARY_TABLE_CRASH_FD");
  if (dir == nullptr || fd_text == nullptr) GTEST_SKIP() << "helper process for the kill -9 test";
  int fd = std::atoi(fd_text);
  auto engine = TableEngine::Open(dir, TableEngine::Options{});
  ASSERT_OK(engine);
  for (uint32_t i = 0;; ++i) {
    std::string pk = "k" + std::to_string(i % 97);
    ASSERT_OK((*engine)->PutItem("t1x", {{"pk", Str(pk)}, {"i", AttributeValue::N(i)}}));
    ASSERT_EQ(write(fd, &i, sizeof(i)), static_cast<ssize_t>(sizeof(i)));
  }
}

// Kills a writer process with SIGKILL mid-stream, reopens, and checks that the table equals the
// replay of its stream and holds every acknowledged write.
TEST_F(TableStreamTest, KillNineKeepsItemsAndRecordsTogether) {
  ASSERT_OK(engine().CreateTable(HashTable("t1x", StreamViewType::kNewAndOldImages, 2)));
  engine_.reset();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    setenv("TRIBUTARY_TABLE_CRASH_DIR", dir_.str().c_str(), 1);
    setenv("TRIBUTARY_TABLE_CRASH_FD", std::to_string(fds[1]).c_str(), 1);
    execl("/proc/self/exe", "table_test", "--gtest_filter=TableStreamCrashChild.WriteUntilKilled",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  uint32_t acked = 0;
  uint32_t got = 0;
  bool any = false;
  while (acked < 3000 && read(fds[0], &got, sizeof(got)) == sizeof(got)) {
    acked = got;
    any = true;
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  while (read(fds[0], &got, sizeof(got)) == sizeof(got)) acked = got;  // acks sent before death
  close(fds[0]);
  ASSERT_TRUE(any);
  ASSERT_GE(acked, 3000u);

  Reopen();
  auto table = ScanAll(engine(), "t1x");
  EXPECT_EQ(Replay(AllRecords("t1x")), table);
  // Every acknowledged write is durable: for each key, the last acknowledged value (or a later
  // one) is in the table.
  for (uint32_t i = acked - 96; i <= acked; ++i) {
    auto item = table.find(ItemToJson(Item{{"pk", Str("k" + std::to_string(i % 97))}}));
    ASSERT_NE(item, table.end());
    int64_t v = 0;
    ASSERT_TRUE(NumberToInt64(item->second.at("i").text(), &v));
    EXPECT_GE(v, static_cast<int64_t>(i));
  }
}

}  // namespace
}  // namespace tributary::table
