// Delivery on a sick disk (FaultInjectingLakeFs): write errors, a full disk, failed fsyncs and
// renames, and a torn write followed by a crash. In every case delivery retries with backoff and
// stalls (nothing committed, nothing lost, no torn file registered) and resumes exactly once
// when the fault clears, or after a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "core/change_record.h"
#include "delivery/delivery_stream.h"
#include "delivery/delivery_test_util.h"
#include "delivery/fault_injecting_lake_fs.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"
#include "transform/cdc_flatten.h"

namespace tributary::delivery {
namespace {

using testing_util::IsTempName;
using testing_util::ListLake;
using testing_util::ReadFile;

constexpr int64_t kNineAm = 1714554000;  // 2024-05-01 09:00:00 UTC

std::string Change(int id) {
  ChangeRecord r;
  r.event_id = "ev-" + std::to_string(id);
  r.event_name = EventName::kInsert;
  r.event_source_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x";
  r.approximate_creation_date_time = kNineAm + id;
  r.keys = {{"order_id", AttributeValue::S("o-" + std::to_string(id))}};
  r.new_image = {{"order_id", AttributeValue::S("o-" + std::to_string(id))},
                 {"note", AttributeValue::S(std::string(40, 'x'))}};
  r.sequence_number = std::to_string(1000 + id);
  return r.ToJson();
}

class FaultFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = stream::EmbeddedStreamStore::Open((dir_.path() / "stream").string(), SystemClock::Default());
    ASSERT_OK(store);
    store_ = std::move(*store);
    auto s = store_->CreateStream("sales-stream", 1);
    ASSERT_OK(s);
    stream_ = *s;
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    processor_ = std::move(transform::CdcFlattenProcessor::Create({})).value();
    root_ = dir_.path() / "lake";
  }

  std::unique_ptr<DeliveryStream> Make(LakeFs& fs) {
    DeliveryOptions o;
    o.name = "sales-delivery";
    o.table = "sales";
    o.lake_root = root_.string();
    o.buffering.interval_ms = 10;
    auto d = DeliveryStream::Create(std::move(o), *stream_, *catalog_, *processor_, nullptr, &metrics_, &fs);
    EXPECT_OK(d);
    return d.ok() ? std::move(*d) : nullptr;
  }

  void Put(int first, int count) {
    std::vector<std::string> datas, keys;
    for (int i = first; i < first + count; ++i) {
      datas.push_back(Change(i));
      keys.push_back("pk-" + std::to_string(i));
    }
    std::vector<stream::PutRecordEntry> entries;
    for (size_t i = 0; i < datas.size(); ++i) entries.push_back({datas[i], keys[i], std::nullopt});
    ASSERT_OK(stream_->PutRecords(entries));
  }

  static bool WaitUntil(const std::function<bool()>& done, int seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return done();
  }

  // Event ids of every committed row; each committed file must be whole (size and row count as
  // registered, every line a complete JSON object).
  std::multiset<std::string> CommittedIds() {
    std::multiset<std::string> ids;
    auto files = catalog_->ListFiles("sales");
    EXPECT_OK(files);
    if (!files.ok()) return ids;
    for (const catalog::DataFile& f : *files) {
      std::string text = ReadFile(root_ / f.path);
      EXPECT_EQ(static_cast<int64_t>(text.size()), f.size_bytes) << f.path << " is torn";
      int64_t rows = 0;
      size_t start = 0;
      for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1, ++rows) {
        std::string line = text.substr(start, nl - start);
        EXPECT_TRUE(line.starts_with("{") && line.ends_with("}")) << f.path << ": " << line;
        size_t p = line.find("\"event_id\":\"");
        if (p == std::string::npos) continue;
        p += 12;
        ids.insert(line.substr(p, line.find('"', p) - p));
      }
      EXPECT_EQ(start, text.size()) << f.path << " ends without a newline";
      EXPECT_EQ(rows, f.row_count) << f.path;
    }
    return ids;
  }

  std::multiset<std::string> Expected(int first, int count) {
    std::multiset<std::string> ids;
    for (int i = first; i < first + count; ++i) ids.insert("ev-" + std::to_string(i));
    return ids;
  }

  int64_t Registered() {
    auto files = catalog_->ListFiles("sales");
    EXPECT_OK(files);
    return files.ok() ? static_cast<int64_t>(files->size()) : -1;
  }

  int64_t CommitErrors() {
    return metrics_.Snapshot()["tributary_delivery_commit_errors_total{delivery=\"sales-delivery\"}"];
  }

  std::optional<std::string> Checkpoint() {
    auto cp = catalog_->GetCheckpoint("delivery/sales-delivery/shardId-000000000000");
    EXPECT_OK(cp);
    return cp.ok() ? *cp : std::nullopt;
  }

  void ExpectNoTempFiles() {
    for (const std::string& p : ListLake(root_)) EXPECT_FALSE(IsTempName(p)) << p;
  }

  ::tributary::testing::TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<stream::EmbeddedStreamStore> store_;
  stream::DataStream* stream_ = nullptr;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<transform::Processor> processor_;
  MetricsRegistry metrics_;
};

TEST_F(FaultFsTest, WriteErrorsStallWithBackoffThenResumeExactlyOnce) {
  FaultInjectingLakeFs fs;
  fs.FailWritesWith(EIO);
  Put(0, 50);
  auto d = Make(fs);
  ASSERT_OK(d->Start());
  // Four failed attempts: the first, then after ~100, ~200 and ~400 ms of backoff.
  ASSERT_TRUE(WaitUntil([&] { return fs.failed_write_times().size() >= 4; }));
  auto times = fs.failed_write_times();
  auto gap_ms = [&](size_t i) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(times[i] - times[i - 1]).count();
  };
  EXPECT_GE(gap_ms(1), 90);
  EXPECT_GE(gap_ms(2), 190);
  EXPECT_GE(gap_ms(3), 390);
  // Stalled: nothing committed, the checkpoint did not move, the partial temp files were removed,
  // and the error is reported.
  EXPECT_EQ(Registered(), 0);
  EXPECT_FALSE(Checkpoint().has_value());
  // The next attempt may be writing its temp file right now; between attempts (the backoff is
  // ~800 ms by now) the lake must be empty again, so leftovers would make this time out.
  ASSERT_TRUE(WaitUntil([&] { return ListLake(root_).empty(); })) << ListLake(root_).size() << " files left";
  ShardStats t = d->Stats().Totals();
  EXPECT_EQ(t.rows_delivered, 0);
  EXPECT_EQ(t.buffered_records, 50);
  EXPECT_NE(t.last_error.find("Input/output error"), std::string::npos) << t.last_error;
  EXPECT_GE(CommitErrors(), 3);

  fs.Heal();
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 50; }));
  Put(50, 10);  // and it keeps going
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 60; }));
  ASSERT_OK(d->Stop());
  EXPECT_EQ(CommittedIds(), Expected(0, 60));
  ExpectNoTempFiles();
}

TEST_F(FaultFsTest, FullDiskStallsAndResumesWhenSpaceIsFreed) {
  FaultInjectingLakeFs fs;
  auto d = Make(fs);
  ASSERT_OK(d->Start());
  Put(0, 20);
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 20; }));
  // The disk fills up: room for a few hundred bytes, far less than the next batch.
  fs.SetFreeSpace(static_cast<int64_t>(ReadFile(root_ / catalog_->ListFiles("sales")->front().path).size()) + 300);
  const std::optional<std::string> checkpoint = Checkpoint();
  const int64_t files_before = Registered();
  Put(20, 100);
  ASSERT_TRUE(WaitUntil([&] { return fs.injected_failures() >= 3; }));
  EXPECT_EQ(Registered(), files_before);
  EXPECT_EQ(Checkpoint(), checkpoint);
  ShardStats t = d->Stats().Totals();
  EXPECT_EQ(t.rows_delivered, 20);
  EXPECT_NE(t.last_error.find("No space left on device"), std::string::npos) << t.last_error;
  // The partial file each failed attempt left is removed (its space comes back): between attempts
  // nothing but the committed files is on disk (an attempt in flight may hold one temp file, so
  // wait for a backoff window; leftovers would accumulate and make this time out).
  auto temp_files = [&] {
    std::vector<std::string> temps;
    for (const std::string& p : ListLake(root_)) {
      if (IsTempName(p)) temps.push_back(p);
    }
    return temps;
  };
  EXPECT_LE(temp_files().size(), 1u);
  ASSERT_TRUE(WaitUntil([&] { return temp_files().empty(); })) << temp_files().size() << " temp files left";
  EXPECT_EQ(CommittedIds(), Expected(0, 20));

  fs.SetFreeSpace(FaultInjectingLakeFs::kUnlimited);  // space freed
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 120; }));
  ASSERT_OK(d->Stop());
  EXPECT_EQ(CommittedIds(), Expected(0, 120));
  ExpectNoTempFiles();
}

TEST_F(FaultFsTest, FailedFsyncIsNeverCommittedAndTheFileIsRewritten) {
  FaultInjectingLakeFs fs;
  fs.FailSyncsWith(EIO);
  Put(0, 30);
  auto d = Make(fs);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return fs.injected_failures() >= 2; }));
  // The data reached the page cache but not the disk: it must not be registered.
  EXPECT_EQ(Registered(), 0);
  EXPECT_FALSE(Checkpoint().has_value());
  const int64_t writes_before = fs.writes();
  fs.Heal();
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 30; }));
  ASSERT_OK(d->Stop());
  // After an fsync error the page cache may have dropped the data, so the retry rewrites the file
  // from memory rather than fsyncing again.
  EXPECT_GT(fs.writes(), writes_before);
  EXPECT_EQ(CommittedIds(), Expected(0, 30));
  ExpectNoTempFiles();
}

TEST_F(FaultFsTest, FailedRenamesAfterTheCommitAreFinishedLaterWithoutDuplicates) {
  FaultInjectingLakeFs fs;
  fs.FailRenamesWith(EIO);
  Put(0, 25);
  auto d = Make(fs);
  ASSERT_OK(d->Start());
  // The commit is the truth: rows count as delivered though the files keep their temp names.
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 25; }));
  for (const std::string& p : ListLake(root_)) EXPECT_TRUE(IsTempName(p)) << p;
  Put(25, 5);
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 30; }));
  fs.Heal();
  Put(30, 5);  // the next commit retries the pending renames first
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 35; }));
  ASSERT_OK(d->Stop());
  ExpectNoTempFiles();
  EXPECT_EQ(CommittedIds(), Expected(0, 35));
}

TEST_F(FaultFsTest, TornWriteThenCrashIsNeverCommittedAndRecoveryRedelivers) {
  Put(0, 40);
  {
    FaultInjectingLakeFs fs;
    auto d = Make(fs);
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 40; }));
    fs.CrashOnWrite(1, 17);  // the next file is cut after 17 bytes, then the "process" dies
    Put(40, 40);
    ASSERT_TRUE(WaitUntil([&] { return fs.crashed(); }));
    (void)d->Stop(false);  // the dead process's threads end; nothing more reaches the disk
    const std::string torn = fs.torn_path();
    ASSERT_FALSE(torn.empty());
    EXPECT_EQ(ReadFile(torn).size(), 17u);
    EXPECT_TRUE(IsTempName(torn.substr(root_.string().size() + 1))) << torn;
  }
  // The torn file is not registered; what was committed before the crash is whole.
  EXPECT_EQ(CommittedIds(), Expected(0, 40));
  // Restart on a healthy disk: recovery deletes the torn temp file, the records after the
  // checkpoint are delivered again, once.
  FaultInjectingLakeFs healthy;
  auto d = Make(healthy);
  auto report = d->Recover();
  ASSERT_OK(report);
  EXPECT_EQ(report->deleted, 1);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 40; }));
  ASSERT_OK(d->Stop());
  EXPECT_EQ(CommittedIds(), Expected(0, 80));
  ExpectNoTempFiles();
}

TEST_F(FaultFsTest, StopGivesUpOnAFaultyDiskWithoutLosingTheBatch) {
  FaultInjectingLakeFs fs;
  fs.FailWritesWith(EIO);
  Put(0, 10);
  {
    auto d = Make(fs);
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return fs.injected_failures() >= 1; }));
    Status s = d->Stop();  // a flushing stop retries a few times, then reports the error
    EXPECT_FALSE(s.ok());
  }
  EXPECT_EQ(Registered(), 0);
  EXPECT_TRUE(ListLake(root_).empty());
  fs.Heal();
  auto d = Make(fs);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 10; }));
  ASSERT_OK(d->Stop());
  EXPECT_EQ(CommittedIds(), Expected(0, 10));
}

}  // namespace
}  // namespace tributary::delivery
