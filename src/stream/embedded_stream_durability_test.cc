// Reopen, crash (kill -9), retention trimming and deletion of the embedded stream store.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

#include "stream/embedded_stream.h"
#include "stream/embedded_stream_test_util.h"

namespace tributary::stream {
namespace {

using ::tributary::testing::StatusIs;

using EmbeddedStreamDurabilityTest = EmbeddedStreamFixture;
constexpr int64_t kHour = 3'600'000;

TEST_F(EmbeddedStreamDurabilityTest, ReopenKeepsDataAndContinuesSequences) {
  DataStream* s = MakeStream("s", 2);
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 20; ++i)
    records.emplace_back("k" + std::to_string(i), "v" + std::to_string(i));
  const ProducerCheckpoint cp{"pipe", "lsn-20"};
  auto first = Put(s, records, &cp);
  ASSERT_OK(first);
  std::map<std::string, std::string> last_seq;  // shard -> newest sequence number
  for (const PutRecordResult& r : *first) last_seq[r.shard_id] = r.sequence_number;
  const std::vector<StreamRecord> before0 = ReadAll(s, kShard0, StartPosition::TrimHorizon());
  const std::vector<StreamRecord> before1 = ReadAll(s, kShard1, StartPosition::TrimHorizon());
  ASSERT_EQ(before0.size() + before1.size(), 20u);

  Reopen();
  auto got = store_->GetStream("s");
  ASSERT_OK(got);
  s = *got;
  EXPECT_EQ(s->ListShards().size(), 2u);
  EXPECT_EQ(*s->ReadProducerCheckpoint("pipe"), "lsn-20");
  const std::vector<StreamRecord> after0 = ReadAll(s, kShard0, StartPosition::TrimHorizon());
  ASSERT_EQ(after0.size(), before0.size());
  for (size_t i = 0; i < after0.size(); ++i) {
    EXPECT_EQ(after0[i].sequence_number, before0[i].sequence_number);
    EXPECT_EQ(after0[i].data, before0[i].data);
    EXPECT_EQ(after0[i].partition_key, before0[i].partition_key);
    EXPECT_EQ(after0[i].approximate_arrival_ms, before0[i].approximate_arrival_ms);
  }
  EXPECT_EQ(*s->LatestSequenceNumber(kShard0), last_seq[kShard0]);

  // New records get larger sequence numbers; positions taken before the restart still work.
  auto second = Put(s, records);
  ASSERT_OK(second);
  for (const PutRecordResult& r : *second) {
    EXPECT_EQ(CompareSequenceNumbers(last_seq[r.shard_id], r.sequence_number), -1);
  }
  for (const char* shard : {kShard0, kShard1}) {
    const std::vector<StreamRecord> fresh =
        ReadAll(s, shard, StartPosition::After(last_seq[shard]));
    const size_t old_count = (shard == std::string(kShard0) ? before0 : before1).size();
    EXPECT_EQ(fresh.size(), old_count) << shard;  // the same keys route the same way
  }
}

TEST_F(EmbeddedStreamDurabilityTest, CheckpointAndRecordsSurviveReopenTogether) {
  DataStream* s = MakeStream("s", 1);
  for (int b = 1; b <= 3; ++b) {
    const ProducerCheckpoint cp{"pipe", std::to_string(b)};
    ASSERT_OK(Put(s, {{"k", "batch" + std::to_string(b)}}, &cp));
  }
  Reopen();
  s = *store_->GetStream("s");
  EXPECT_EQ(*s->ReadProducerCheckpoint("pipe"), "3");
  EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::TrimHorizon())),
            (std::vector<std::string>{"batch1", "batch2", "batch3"}));
}

TEST_F(EmbeddedStreamDurabilityTest, SyncWritesMode) {
  options_.sync_writes = true;
  Reopen();
  DataStream* s = MakeStream("s", 1);
  ASSERT_OK(Put(s, {{"k", "1"}, {"k", "2"}}));
  Reopen();
  EXPECT_EQ(Data(ReadAll(*store_->GetStream("s"), kShard0, StartPosition::TrimHorizon())),
            (std::vector<std::string>{"1", "2"}));
}

TEST_F(EmbeddedStreamDurabilityTest, SecondOpenOfTheSameDirectoryFails) {
  auto second = EmbeddedStreamStore::Open(dir_.str(), &clock_, options_);
  EXPECT_FALSE(second.ok());
}

TEST_F(EmbeddedStreamDurabilityTest, DeleteIsDurableAndOldSequenceNumbersAreForeign) {
  DataStream* s = MakeStream("s", 1);
  auto r = Put(s, {{"k", "1"}});
  ASSERT_OK(r);
  const ProducerCheckpoint cp{"pipe", "x"};
  ASSERT_OK(Put(s, {{"k", "2"}}, &cp));
  ASSERT_OK(store_->DeleteStream("s"));
  Reopen();
  EXPECT_THAT(store_->GetStream("s"), StatusIs(StatusCode::kNotFound));
  DataStream* again = MakeStream("s", 1);
  EXPECT_EQ(*again->ReadProducerCheckpoint("pipe"), std::nullopt);
  EXPECT_TRUE(ReadAll(again, kShard0, StartPosition::TrimHorizon()).empty());
  EXPECT_THAT(again->OpenReader(kShard0, StartPosition::At((*r)[0].sequence_number)),
              StatusIs(StatusCode::kInvalidArgument));
}

// ---- retention ----

TEST_F(EmbeddedStreamDurabilityTest, TrimExpiredDeletesOnlyExpiredRecords) {
  DataStream* s = MakeStream("s", 1, 24);
  const int64_t t0 = clock_.NowMillis();
  auto a = Put(s, {{"k", "a0"}, {"k", "a1"}, {"k", "a2"}});
  ASSERT_OK(a);
  clock_.AdvanceMillis(12 * kHour);
  auto b = Put(s, {{"k", "b0"}, {"k", "b1"}});
  ASSERT_OK(b);
  EXPECT_EQ(*store_->TrimExpired(), 0);

  auto old_reader = s->OpenReader(kShard0, StartPosition::TrimHorizon());
  ASSERT_OK(old_reader);
  clock_.AdvanceMillis(12 * kHour + 1);  // a* are now older than 24 h, b* are not
  auto trimmed = store_->TrimExpired();
  ASSERT_OK(trimmed);
  EXPECT_EQ(*trimmed, 3);
  EXPECT_EQ(*store_->TrimExpired(), 0);

  auto check = [&] {
    EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::TrimHorizon())),
              (std::vector<std::string>{"b0", "b1"}));
    EXPECT_THAT(s->OpenReader(kShard0, StartPosition::At((*a)[0].sequence_number)),
                StatusIs(StatusCode::kOutOfRange));
    EXPECT_THAT(s->OpenReader(kShard0, StartPosition::After((*a)[1].sequence_number)),
                StatusIs(StatusCode::kOutOfRange));
    EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::After((*a)[2].sequence_number))),
              (std::vector<std::string>{"b0", "b1"}));
    EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::At((*b)[0].sequence_number))),
              (std::vector<std::string>{"b0", "b1"}));
    EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::AtTimestamp(t0))),
              (std::vector<std::string>{"b0", "b1"}));
    EXPECT_EQ(*s->LatestSequenceNumber(kShard0), (*b)[1].sequence_number);
  };
  check();
  // A reader positioned inside the trimmed range learns about it.
  EXPECT_THAT((*old_reader)->Read(10), StatusIs(StatusCode::kOutOfRange));
  old_reader->reset();

  Reopen();  // the trim horizon is durable
  s = *store_->GetStream("s");
  check();

  clock_.AdvanceMillis(24 * kHour);
  EXPECT_EQ(*store_->TrimExpired(), 2);
  EXPECT_TRUE(ReadAll(s, kShard0, StartPosition::TrimHorizon()).empty());
  EXPECT_EQ(*s->LatestSequenceNumber(kShard0), "");
  EXPECT_THAT(s->OpenReader(kShard0, StartPosition::At((*b)[1].sequence_number)),
              StatusIs(StatusCode::kOutOfRange));
  auto tail = s->OpenReader(kShard0, StartPosition::After((*b)[1].sequence_number));
  ASSERT_OK(tail);

  Reopen();  // everything trimmed: counters must still not be reused
  s = *store_->GetStream("s");
  auto c = Put(s, {{"k", "c0"}});
  ASSERT_OK(c);
  EXPECT_EQ(CompareSequenceNumbers((*b)[1].sequence_number, (*c)[0].sequence_number), -1);
  EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::TrimHorizon())),
            (std::vector<std::string>{"c0"}));
  EXPECT_EQ(Data(ReadAll(s, kShard0, StartPosition::After((*b)[1].sequence_number))),
            (std::vector<std::string>{"c0"}));
}

TEST_F(EmbeddedStreamDurabilityTest, SetRetentionHoursPersistsAndDrivesTrimming) {
  DataStream* s = MakeStream("s", 1, 48);
  ASSERT_OK(Put(s, {{"k", "a"}}));
  clock_.AdvanceMillis(30 * kHour);
  EXPECT_EQ(*store_->TrimExpired(), 0);
  ASSERT_OK(store_->SetRetentionHours("s", 24));
  EXPECT_EQ(store_->DescribeStream("s")->retention_hours, 24);
  EXPECT_THAT(store_->SetRetentionHours("s", 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->SetRetentionHours("nope", 24), StatusIs(StatusCode::kNotFound));
  Reopen();
  EXPECT_EQ(store_->DescribeStream("s")->retention_hours, 24);
  EXPECT_EQ(*store_->TrimExpired(), 1);
  // CreateStream stays idempotent against the retention now in force.
  EXPECT_OK(store_->CreateStream("s", 1, 24));
}

TEST_F(EmbeddedStreamDurabilityTest, TrimCountsAcrossShardsAndStreams) {
  DataStream* s = MakeStream("s", 4, 1);
  DataStream* keep = MakeStream("keep", 2, 48);
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 100; ++i) records.emplace_back("k" + std::to_string(i), "v");
  ASSERT_OK(Put(s, records));
  ASSERT_OK(Put(keep, records));
  clock_.AdvanceMillis(2 * kHour);
  ASSERT_OK(Put(s, {{"late", "v"}}));
  EXPECT_EQ(*store_->TrimExpired(), 100);
  size_t left = 0;
  for (const ShardInfo& shard : s->ListShards()) {
    left += ReadAll(s, shard.shard_id, StartPosition::TrimHorizon()).size();
  }
  EXPECT_EQ(left, 1u);
  size_t kept = 0;
  for (const ShardInfo& shard : keep->ListShards()) {
    kept += ReadAll(keep, shard.shard_id, StartPosition::TrimHorizon()).size();
  }
  EXPECT_EQ(kept, 100u);
}

// ---- kill -9 ----
//
// The parent re-executes this test binary running only CrashWriterChild, which appends batches
// of 10 records with a checkpoint "<batch number>" (sync_writes=false) and reports each
// acknowledged batch number on a pipe. The parent kills it with SIGKILL at a random moment, then
// checks that every acknowledged batch is present, and that records and checkpoint agree exactly
// (no half batch, no batch without its checkpoint).

constexpr int kCrashBatchSize = 10;

TEST(EmbeddedStreamCrashTest, CrashWriterChild) {
  const char* dir = std::getenv("TRIBUTARY_STREAM_CRASH_DIR");
  const char* fd_text = std::getenv("TRIBUTARY_STREAM_CRASH_FD");
  if (dir == nullptr || fd_text == nullptr) GTEST_SKIP() << "only runs as the crash test's child";
  const int fd = std::atoi(fd_text);
  auto store = EmbeddedStreamStore::Open(dir, SystemClock::Default(), {});
  if (!store.ok()) _exit(2);
  auto stream = (*store)->CreateStream("s", 2);
  if (!stream.ok()) _exit(3);
  std::vector<std::string> keys;
  for (int i = 0; i < kCrashBatchSize; ++i) keys.push_back("pk" + std::to_string(i));
  for (uint32_t b = 1;; ++b) {
    const std::string data = std::to_string(b);
    std::vector<PutRecordEntry> entries;
    for (int i = 0; i < kCrashBatchSize; ++i) entries.push_back({data, keys[i], std::nullopt});
    const ProducerCheckpoint cp{"pipe", std::to_string(b)};
    if (!(*stream)->PutRecords(entries, &cp).ok()) _exit(4);
    if (write(fd, &b, sizeof b) != sizeof b) _exit(5);
  }
}

TEST(EmbeddedStreamCrashTest, KillNineLosesNoAcknowledgedBatch) {
  ::tributary::testing::TempDir dir;
  auto rng = ::tributary::testing::SeededRng();
  const uint32_t kill_after = 20 + static_cast<uint32_t>(rng() % 400);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    setenv("TRIBUTARY_STREAM_CRASH_DIR", dir.str().c_str(), 1);
    setenv("TRIBUTARY_STREAM_CRASH_FD", std::to_string(fds[1]).c_str(), 1);
    execl("/proc/self/exe", "stream_test",
          "--gtest_filter=EmbeddedStreamCrashTest.CrashWriterChild", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  uint32_t acked = 0;
  uint32_t b = 0;
  while (acked < kill_after && read(fds[0], &b, sizeof b) == sizeof b) acked = b;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  while (read(fds[0], &b, sizeof b) == sizeof b) acked = b;  // acks sent before it died
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << status;
  ASSERT_GE(acked, kill_after);

  auto store = EmbeddedStreamStore::Open(dir.str(), SystemClock::Default(), {});
  ASSERT_OK(store);
  auto stream = (*store)->GetStream("s");
  ASSERT_OK(stream);
  auto cp = (*stream)->ReadProducerCheckpoint("pipe");
  ASSERT_OK(cp);
  ASSERT_TRUE(cp->has_value());
  const uint32_t committed = static_cast<uint32_t>(std::stoul(**cp));
  EXPECT_GE(committed, acked);
  std::map<uint32_t, int> per_batch;
  for (const ShardInfo& shard : (*stream)->ListShards()) {
    for (const StreamRecord& r :
         EmbeddedStreamFixture::ReadAll(*stream, shard.shard_id, StartPosition::TrimHorizon())) {
      ++per_batch[static_cast<uint32_t>(std::stoul(r.data))];
    }
  }
  ASSERT_EQ(per_batch.size(), committed);
  for (const auto& [batch, count] : per_batch) {
    EXPECT_LE(batch, committed);
    EXPECT_EQ(count, kCrashBatchSize) << "batch " << batch;
  }
  // After the crash, writing continues with fresh sequence numbers.
  const PutRecordEntry entry{"after", "pk", std::nullopt};
  EXPECT_OK((*stream)->PutRecords(std::span<const PutRecordEntry>(&entry, 1)));
}

}  // namespace
}  // namespace tributary::stream
