#include "delivery/delivery_stream.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "core/change_record.h"
#include "core/encoding.h"
#include "delivery/delivery_test_util.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"
#include "transform/cdc_flatten.h"

namespace tributary::delivery {
namespace {

using testing_util::FaultyLakeFs;
using testing_util::IsTempName;
using testing_util::ListLake;
using testing_util::ReadFile;

// 2024-05-01 09:00:00 UTC.
constexpr int64_t kNineAm = 1714554000;

std::string Change(int id, int64_t creation_secs, EventName name = EventName::kInsert) {
  ChangeRecord r;
  r.event_id = "ev-" + std::to_string(id);
  r.event_name = name;
  r.event_source_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x";
  r.approximate_creation_date_time = creation_secs;
  r.keys = {{"order_id", AttributeValue::S("o-" + std::to_string(id))}};
  AttributeMap image = {{"order_id", AttributeValue::S("o-" + std::to_string(id))},
                        {"quantity", AttributeValue::N(int64_t{id})}};
  if (name == EventName::kRemove) {
    r.old_image = image;
  } else {
    r.new_image = image;
  }
  if (name == EventName::kModify) r.old_image = image;
  r.sequence_number = std::to_string(1000 + id);
  return r.ToJson();
}

// A test processor: drops records containing "drop", otherwise passes the data through as the
// row (no partition keys, no column reporting: exercises the generic path).
class PassThrough final : public transform::Processor {
 public:
  std::string_view type() const override { return "pass"; }
  std::string_view arn() const override { return "builtin:pass"; }
  Status Process(std::span<const transform::ProcessorInput> in,
                 std::vector<transform::ProcessorOutput>& out, transform::ColumnSet*) const override {
    out.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      out[i].record_id.assign(in[i].record_id);
      out[i].partition_keys.Clear();
      out[i].event_time_ms.reset();
      bool drop = in[i].data.find("drop") != std::string_view::npos;
      out[i].result = drop ? transform::ProcessingResult::kDropped : transform::ProcessingResult::kOk;
      out[i].data.assign(drop ? std::string_view() : in[i].data);
    }
    return Status::Ok();
  }
};

// Forwards to a real catalog; fails CommitFiles for `fail_table` while fail_commits > 0, and
// any CommitFiles of a file starting at or before `fail_through` (when set).
class FlakyCatalog final : public catalog::Catalog {
 public:
  explicit FlakyCatalog(catalog::Catalog& c) : c_(c) {}
  std::string fail_table;
  std::atomic<int> fail_commits{0};
  std::string fail_through;
  Status EnsureTable(const catalog::TableDef& d) override { return c_.EnsureTable(d); }
  Result<catalog::TableDef> GetTable(std::string_view n) const override { return c_.GetTable(n); }
  Result<std::vector<catalog::TableDef>> ListTables() const override { return c_.ListTables(); }
  Status CommitFiles(std::string_view t, const std::vector<catalog::Column>& o,
                     const std::vector<catalog::DataFile>& f,
                     const catalog::CheckpointUpdate& k) override {
    if (t == fail_table && fail_commits.load() > 0) {
      --fail_commits;
      return Status::Unavailable("injected catalog failure");
    }
    for (const catalog::DataFile& file : f) {
      if (!fail_through.empty() &&
          stream::CompareSequenceNumbers(file.first_sequence, fail_through) <= 0) {
        return Status::Unavailable("injected catalog failure for " + file.first_sequence);
      }
    }
    return c_.CommitFiles(t, o, f, k);
  }
  Result<std::vector<catalog::DataFile>> ListFiles(std::string_view t) const override {
    return c_.ListFiles(t);
  }
  Result<bool> IsFileRegistered(std::string_view p) const override { return c_.IsFileRegistered(p); }
  Result<std::optional<std::string>> GetCheckpoint(std::string_view k) const override {
    return c_.GetCheckpoint(k);
  }
  Status PutCheckpoint(std::string_view k, std::string_view v) override {
    return c_.PutCheckpoint(k, v);
  }
  Result<catalog::TableStats> GetTableStats(std::string_view t) const override {
    return c_.GetTableStats(t);
  }

 private:
  catalog::Catalog& c_;
};

class DeliveryStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = stream::EmbeddedStreamStore::Open((dir_.path() / "stream").string(),
                                                   SystemClock::Default());
    ASSERT_OK(store);
    store_ = std::move(*store);
    auto s = store_->CreateStream("sales-stream", 2);
    ASSERT_OK(s);
    stream_ = *s;
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    processor_ = std::move(transform::CdcFlattenProcessor::Create({})).value();
    root_ = dir_.path() / "lake";
  }

  DeliveryOptions Options() const {
    DeliveryOptions o;
    o.name = "sales-delivery";
    o.table = "sales";
    o.lake_root = root_.string();
    o.buffering.interval_ms = 20;
    return o;
  }

  std::unique_ptr<DeliveryStream> Make(DeliveryOptions o, const Clock* clock = nullptr,
                                       catalog::Catalog* catalog = nullptr, LakeFs* fs = nullptr,
                                       const transform::Processor* processor = nullptr) {
    auto d = DeliveryStream::Create(std::move(o), *stream_, catalog ? *catalog : *catalog_,
                                    processor ? *processor : *processor_, clock, &metrics_, fs);
    EXPECT_OK(d);
    return d.ok() ? std::move(*d) : nullptr;
  }

  void Put(const std::vector<std::string>& datas) {
    std::vector<stream::PutRecordEntry> entries;
    std::vector<std::string> keys;
    keys.reserve(datas.size());
    for (size_t i = 0; i < datas.size(); ++i) keys.push_back("pk-" + std::to_string(put_count_++));
    for (size_t i = 0; i < datas.size(); ++i) entries.push_back({datas[i], keys[i], std::nullopt});
    ASSERT_OK(stream_->PutRecords(entries));
  }

  // Polls `done` (no fixed sleeps: returns as soon as it holds) for up to 20 s.
  static bool WaitUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return done();
  }

  // Every committed row of `table`, as text lines, in commit order.
  std::vector<std::string> Rows(const std::string& table) {
    std::vector<std::string> rows;
    auto files = catalog_->ListFiles(table);
    EXPECT_OK(files);
    if (!files.ok()) return rows;
    for (const catalog::DataFile& f : *files) {
      std::string text = ReadFile(root_ / f.path);
      EXPECT_EQ(static_cast<int64_t>(text.size()), f.size_bytes) << f.path;
      int64_t n = 0;
      size_t start = 0;
      for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1, ++n) {
        rows.push_back(text.substr(start, nl - start));
      }
      EXPECT_EQ(n, f.row_count) << f.path;
    }
    return rows;
  }

  std::multiset<std::string> EventIds() {
    std::multiset<std::string> ids;
    for (const std::string& row : Rows("sales")) {
      size_t p = row.find("\"event_id\":\"");
      EXPECT_NE(p, std::string::npos) << row;
      if (p == std::string::npos) continue;
      p += 12;
      ids.insert(row.substr(p, row.find('"', p) - p));
    }
    return ids;
  }

  std::set<std::string> Expected(int first, int count) {
    std::set<std::string> ids;
    for (int i = first; i < first + count; ++i) ids.insert("ev-" + std::to_string(i));
    return ids;
  }

  void ExpectNoTempFiles() {
    for (const std::string& p : ListLake(root_)) EXPECT_FALSE(IsTempName(p)) << p;
  }

  void ExpectCheckpointsAtTip() {
    for (const stream::ShardInfo& shard : stream_->ListShards()) {
      auto latest = stream_->LatestSequenceNumber(shard.shard_id);
      ASSERT_OK(latest);
      auto cp = catalog_->GetCheckpoint("delivery/sales-delivery/" + shard.shard_id);
      ASSERT_OK(cp);
      if (latest->empty()) continue;
      EXPECT_EQ(cp->value_or(""), *latest) << shard.shard_id;
    }
  }

  ::tributary::testing::TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<stream::EmbeddedStreamStore> store_;
  stream::DataStream* stream_ = nullptr;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<transform::Processor> processor_;
  MetricsRegistry metrics_;
  int put_count_ = 0;
};

TEST_F(DeliveryStreamTest, DeliversEveryRecordOnceIntoHourPartitions) {
  std::vector<std::string> datas;
  for (int i = 0; i < 200; ++i) {
    EventName name = i % 3 == 0 ? EventName::kInsert : (i % 3 == 1 ? EventName::kModify : EventName::kRemove);
    datas.push_back(Change(i, kNineAm - 1800 + i * 18, name));  // 08:30 .. 09:29:42
  }
  Put(datas);
  auto d = Make(Options());
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 200; }));
  ASSERT_OK(d->Stop());

  auto ids = EventIds();
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), Expected(0, 200));
  ExpectNoTempFiles();
  ExpectCheckpointsAtTip();
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  std::set<std::string> hours;
  for (const catalog::DataFile& f : *files) {
    ASSERT_EQ(f.partition_values.size(), 4u);
    hours.insert(f.partition_values[3].second);
    std::string folder = "sales/year=2024/month=05/day=01/hour=" + f.partition_values[3].second + "/";
    EXPECT_TRUE(f.path.starts_with(folder + "sales-delivery-1-")) << f.path;
    EXPECT_TRUE(f.source.starts_with("stream/sales-stream/shardId-")) << f.source;
    EXPECT_LE(f.min_event_ms, f.max_event_ms);
    EXPECT_EQ(stream::CompareSequenceNumbers(f.first_sequence, f.last_sequence) <= 0, true);
  }
  EXPECT_EQ(hours, (std::set<std::string>{"08", "09"}));
  // Rows land in the partition of their own event time.
  for (const catalog::DataFile& f : *files) {
    std::string text = ReadFile(root_ / f.path);
    EXPECT_NE(text.find("\"creation_datetime\":\"2024-05-01 " + f.partition_values[3].second + ":"),
              std::string::npos);
  }
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  std::map<std::string, catalog::ColumnType> types;
  for (const catalog::Column& c : table->columns) types[c.name] = c.type;
  EXPECT_EQ(types["quantity"], catalog::ColumnType::kBigint);
  EXPECT_EQ(types["creation_datetime"], catalog::ColumnType::kTimestamp);
  EXPECT_EQ(types["old_quantity"], catalog::ColumnType::kBigint);
  EXPECT_EQ(types["order_id"], catalog::ColumnType::kString);

  DeliveryStats stats = d->Stats();
  ASSERT_EQ(stats.shards.size(), 2u);
  ShardStats t = stats.Totals();
  EXPECT_EQ(t.records_read, 200);
  EXPECT_EQ(t.records_failed, 0);
  EXPECT_EQ(t.files_committed, static_cast<int64_t>(files->size()));
  EXPECT_GT(t.last_commit_ms, 0);
  EXPECT_EQ(t.millis_behind_latest, 0);
  EXPECT_EQ(t.buffered_records, 0);
  EXPECT_TRUE(t.last_error.empty()) << t.last_error;
  for (const ShardStats& s : stats.shards) {
    auto latest = stream_->LatestSequenceNumber(s.shard_id);
    ASSERT_OK(latest);
    EXPECT_EQ(s.last_committed_sequence, *latest);
  }
  auto snap = metrics_.Snapshot();
  EXPECT_EQ(snap["tributary_delivery_rows_delivered_total{delivery=\"sales-delivery\"}"], 200);
  EXPECT_EQ(snap["tributary_delivery_records_read_total{delivery=\"sales-delivery\"}"], 200);
  EXPECT_EQ(snap["tributary_delivery_files_committed_total{delivery=\"sales-delivery\"}"],
            static_cast<int64_t>(files->size()));
}

TEST_F(DeliveryStreamTest, RestartContinuesExactlyAfterTheCheckpoint) {
  std::vector<std::string> first, second;
  for (int i = 0; i < 60; ++i) first.push_back(Change(i, kNineAm));
  for (int i = 60; i < 100; ++i) second.push_back(Change(i, kNineAm));
  Put(first);
  {
    auto d = Make(Options());
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 60; }));
  }  // destructor: Stop(flush)
  Put(second);
  auto d = Make(Options());
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 40; }));
  ASSERT_OK(d->Stop());
  EXPECT_EQ(d->Stats().Totals().records_read, 40);  // nothing re-read
  auto ids = EventIds();
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), Expected(0, 100));
  ExpectCheckpointsAtTip();
}

TEST_F(DeliveryStreamTest, StopWithoutFlushLosesNothing) {
  ManualClock clock;
  DeliveryOptions o = Options();
  o.buffering.interval_ms = 60000;  // never due on the manual clock
  std::vector<std::string> datas;
  for (int i = 0; i < 30; ++i) datas.push_back(Change(i, kNineAm));
  Put(datas);
  {
    auto d = Make(o, &clock);
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().buffered_records == 30; }));
    ASSERT_OK(d->Stop(/*flush=*/false));  // like a crash: the buffer is gone
    EXPECT_EQ(d->Stats().Totals().commits, 0);
  }
  EXPECT_TRUE(EventIds().empty());
  auto d = Make(Options());
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 30; }));
  ASSERT_OK(d->Stop());
  auto ids = EventIds();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), Expected(0, 30));
  EXPECT_EQ(ids.size(), 30u);
}

TEST_F(DeliveryStreamTest, CrashBetweenCommitAndRenameIsFinishedByRecovery) {
  FaultyLakeFs fs;
  fs.fail_renames = 1000000;  // every rename "crashes"
  std::vector<std::string> datas;
  for (int i = 0; i < 20; ++i) datas.push_back(Change(i, kNineAm));
  Put(datas);
  {
    auto d = Make(Options(), nullptr, nullptr, &fs);
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 20; }));
    ASSERT_OK(d->Stop(false));
  }
  auto lake = ListLake(root_);
  ASSERT_FALSE(lake.empty());
  for (const std::string& p : lake) EXPECT_TRUE(IsTempName(p)) << p;
  // An uncommitted temp file from a crash before the commit.
  std::string orphan_dir = (root_ / "sales/year=2024/month=05/day=01/hour=09").string();
  ASSERT_OK(DefaultLakeFs().WriteFile(
      orphan_dir + "/_sales-delivery-1-2024-05-01-09-00-00-orphan.json", "{\"x\":1}\n", false));

  auto d = Make(Options());
  auto report = d->Recover();
  ASSERT_OK(report);
  EXPECT_EQ(report->renamed, static_cast<int64_t>(lake.size()));
  EXPECT_EQ(report->deleted, 1);
  ExpectNoTempFiles();
  ASSERT_OK(d->Start());
  ASSERT_OK(d->Stop());
  EXPECT_EQ(d->Stats().Totals().records_read, 0);  // everything was committed already
  auto ids = EventIds();
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), Expected(0, 20));
}

TEST_F(DeliveryStreamTest, FlushesBySizeBeforeTheInterval) {
  ManualClock clock;
  DeliveryOptions o = Options();
  o.buffering.interval_ms = 60000;
  o.buffering.max_records = 10;
  std::vector<std::string> datas;
  for (int i = 0; i < 25; ++i) datas.push_back(Change(i, kNineAm));
  auto one_shard = store_->CreateStream("one", 1);
  ASSERT_OK(one_shard);
  stream_ = *one_shard;
  Put(datas);
  auto d = Make(o, &clock);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] {
    ShardStats t = d->Stats().Totals();
    return t.rows_delivered == 20 && t.buffered_records == 5;
  }));
  EXPECT_EQ(d->Stats().Totals().commits, 2);
  ASSERT_OK(d->Stop());  // the last 5 on stop
  EXPECT_EQ(EventIds().size(), 25u);
  EXPECT_EQ(d->Stats().Totals().commits, 3);

  // By bytes: every record exceeds a 1-byte buffer.
  DeliveryOptions by_bytes = o;
  by_bytes.name = "bytes-delivery";
  by_bytes.table = "bytes_table";
  by_bytes.buffering.max_records = 100000;
  by_bytes.buffering.max_bytes = 1;
  by_bytes.read_batch_records = 1;
  auto b = Make(by_bytes, &clock);
  ASSERT_OK(b->Start());
  ASSERT_TRUE(WaitUntil([&] { return b->Stats().Totals().commits == 25; }));
  ASSERT_OK(b->Stop());
}

TEST_F(DeliveryStreamTest, FlushesWhenTheOldestRecordReachesTheInterval) {
  ManualClock clock;
  DeliveryOptions o = Options();
  o.buffering.interval_ms = 1000;
  std::vector<std::string> datas;
  for (int i = 0; i < 5; ++i) datas.push_back(Change(i, kNineAm));
  Put(datas);
  auto d = Make(o, &clock);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().buffered_records == 5; }));
  clock.AdvanceMillis(999);
  // Give the workers several wake-ups (every <= 50 ms) to (wrongly) flush early.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(d->Stats().Totals().commits, 0);
  EXPECT_EQ(metrics_.Snapshot()["tributary_delivery_commits_total{delivery=\"sales-delivery\"}"], 0);
  clock.AdvanceMillis(1);
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 5; }));
  ASSERT_OK(d->Stop());
}

TEST_F(DeliveryStreamTest, FailedRecordsLandInTheErrorsTable) {
  Put({Change(1, kNineAm), "not json at all", Change(2, kNineAm), R"({"eventName":"UPSERT"})"});
  auto d = Make(Options());
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] {
    ShardStats t = d->Stats().Totals();
    return t.rows_delivered == 2 && t.records_failed == 2;
  }));
  ASSERT_OK(d->Stop());
  ExpectCheckpointsAtTip();
  std::vector<std::string> errors = Rows("sales_errors");
  ASSERT_EQ(errors.size(), 2u);
  std::set<std::string> raw;
  for (const std::string& e : errors) {
    EXPECT_NE(e.find("\"attemptsMade\":1,\"arrivalTimestamp\":"), std::string::npos) << e;
    EXPECT_NE(e.find("\"errorCode\":\"Processor.ProcessingFailed\""), std::string::npos) << e;
    EXPECT_NE(e.find("\"errorMessage\":\"cdc-flatten: "), std::string::npos) << e;
    EXPECT_NE(e.find("\"attemptEndingTimestamp\":"), std::string::npos) << e;
    EXPECT_NE(e.find("\"lambdaArn\":\"builtin:cdc-flatten\""), std::string::npos) << e;
    EXPECT_NE(e.find("\"errorOutputType\":\"processing-failed\""), std::string::npos) << e;
    size_t p = e.find("\"rawData\":\"") + 11;
    auto decoded = Base64Decode(e.substr(p, e.find('"', p) - p));
    ASSERT_OK(decoded);
    raw.insert(*decoded);
  }
  EXPECT_EQ(raw, (std::set<std::string>{"not json at all", R"({"eventName":"UPSERT"})"}));
  auto files = catalog_->ListFiles("sales_errors");
  ASSERT_OK(files);
  for (const catalog::DataFile& f : *files) {
    EXPECT_TRUE(f.path.starts_with("errors/processing-failed/")) << f.path;
  }
  auto table = catalog_->GetTable("sales_errors");
  ASSERT_OK(table);
  EXPECT_EQ(table->columns.size(), 9u);  // FailedRecordColumns(), errorOutputType last
  EXPECT_EQ(table->columns.back().name, "errorOutputType");
}

TEST_F(DeliveryStreamTest, FailedRecordsAreNotDuplicatedAfterACrashBetweenTheTwoCommits) {
  auto one = store_->CreateStream("one", 1);
  ASSERT_OK(one);
  stream_ = *one;
  Put({Change(1, kNineAm), "broken", Change(2, kNineAm), "broken too", Change(3, kNineAm)});
  FlakyCatalog flaky(*catalog_);
  flaky.fail_table = "sales";
  flaky.fail_commits = 1000000;  // the data step never succeeds: the process "crashes" after it
  {
    auto d = Make(Options(), nullptr, &flaky);
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_failed == 2; }));
    ASSERT_OK(d->Stop(false));
    EXPECT_EQ(d->Stats().Totals().rows_delivered, 0);
  }
  // Restart with small flushes, so the first commits end before the errors checkpoint.
  DeliveryOptions o = Options();
  o.buffering.max_records = 1;
  auto d = Make(o);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 3; }));
  ASSERT_OK(d->Stop());
  EXPECT_EQ(Rows("sales_errors").size(), 2u);  // not written a second time
  EXPECT_EQ(d->Stats().Totals().records_failed, 0);
  EXPECT_GE(d->Stats().Totals().commits, 3);
  EXPECT_EQ(EventIds().size(), 3u);
  ExpectCheckpointsAtTip();
}

TEST_F(DeliveryStreamTest, GenericProcessorDroppedRecordsAndInferredColumns) {
  PassThrough pass;
  Put({"{\"a\": 1,\n \"t\": \"2024-05-01 10:00:00\"}", "drop me", "{\"a\": 2.5, \"b\": true}",
       "[1,2]", "drop"});
  auto d = Make(Options(), nullptr, nullptr, nullptr, &pass);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] {
    ShardStats t = d->Stats().Totals();
    return t.rows_delivered == 2 && t.records_dropped == 2 && t.records_failed == 1;
  }));
  ASSERT_OK(d->Stop());
  ExpectCheckpointsAtTip();
  std::multiset<std::string> rows;
  for (const std::string& r : Rows("sales")) rows.insert(r);
  EXPECT_EQ(rows, (std::multiset<std::string>{R"({"a":1,"t":"2024-05-01 10:00:00"})",
                                              R"({"a": 2.5, "b": true})"}));
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  std::map<std::string, catalog::ColumnType> types;
  for (const catalog::Column& c : table->columns) types[c.name] = c.type;
  EXPECT_EQ(types["a"], catalog::ColumnType::kDouble);
  EXPECT_EQ(types["t"], catalog::ColumnType::kTimestamp);
  EXPECT_EQ(types["b"], catalog::ColumnType::kBoolean);
  auto errors = Rows("sales_errors");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("Processor.InvalidOutput"), std::string::npos) << errors[0];
}

TEST_F(DeliveryStreamTest, OptionsAreValidated) {
  DeliveryOptions o = Options();
  o.lake_root = "relative";
  EXPECT_THAT(DeliveryStream::Create(o, *stream_, *catalog_, *processor_),
              ::tributary::testing::StatusIs(StatusCode::kInvalidArgument));
  o = Options();
  o.location = "../outside";
  EXPECT_THAT(DeliveryStream::Create(o, *stream_, *catalog_, *processor_),
              ::tributary::testing::StatusIs(StatusCode::kInvalidArgument));
  o = Options();
  o.error_prefix = "errors";
  EXPECT_THAT(DeliveryStream::Create(o, *stream_, *catalog_, *processor_),
              ::tributary::testing::StatusIs(StatusCode::kInvalidArgument));
  o = Options();
  o.name = "_hidden";
  EXPECT_THAT(DeliveryStream::Create(o, *stream_, *catalog_, *processor_),
              ::tributary::testing::StatusIs(StatusCode::kInvalidArgument));
  auto d = Make(Options());
  ASSERT_OK(d->Start());
  EXPECT_THAT(d->Start(), ::tributary::testing::StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(d->Recover(), ::tributary::testing::StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(d->Stop());
  ASSERT_OK(d->Stop());  // idempotent
}


// --- Pipelined commits: the worker fills a second buffer while the committer commits the first.

class PipelinedCommitTest : public DeliveryStreamTest {
 protected:
  void SetUp() override {
    DeliveryStreamTest::SetUp();
    auto one = store_->CreateStream("one", 1);
    ASSERT_OK(one);
    stream_ = *one;
    shard_ = stream_->ListShards().at(0).shard_id;
  }

  // Flushes every 10 records; never by time (manual clock).
  DeliveryOptions TenPerCommit() const {
    DeliveryOptions o = Options();
    o.buffering.interval_ms = 60000;
    o.buffering.max_records = 10;
    return o;
  }

  void PutChanges(int first, int count) {
    std::vector<std::string> datas;
    for (int i = first; i < first + count; ++i) datas.push_back(Change(i, kNineAm));
    Put(datas);
  }

  std::optional<std::string> Checkpoint() {
    auto cp = catalog_->GetCheckpoint("delivery/sales-delivery/" + shard_);
    EXPECT_OK(cp);
    return cp.ok() ? *cp : std::nullopt;
  }

  // Committed data files cover increasing, disjoint sequence ranges (commits ran in order).
  void ExpectFilesInSequenceOrder() {
    auto files = catalog_->ListFiles("sales");
    ASSERT_OK(files);
    for (size_t i = 1; i < files->size(); ++i) {
      EXPECT_LT(stream::CompareSequenceNumbers((*files)[i - 1].last_sequence,
                                               (*files)[i].first_sequence),
                0)
          << (*files)[i].path;
    }
  }

  void ExpectExactly(int count) {
    auto ids = EventIds();
    EXPECT_EQ(ids.size(), static_cast<size_t>(count));
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), Expected(0, count));
  }

  std::string shard_;
  ManualClock clock_;
  FaultyLakeFs fs_;
};

TEST_F(PipelinedCommitTest, RecordsAreProcessedWhileACommitIsInFlight) {
  auto d = Make(TenPerCommit(), &clock_, nullptr, &fs_);
  fs_.HoldWrites();
  PutChanges(0, 10);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return fs_.held_writes() == 1; }));  // commit 1 is staging
  PutChanges(10, 5);
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_read == 15; }));
  ShardStats t = d->Stats().Totals();
  EXPECT_EQ(t.buffered_records, 15);  // 10 in flight + 5 in the next buffer
  EXPECT_EQ(t.rows_delivered, 0);     // only what has committed counts
  EXPECT_EQ(t.commits, 0);
  EXPECT_EQ(t.files_committed, 0);
  EXPECT_EQ(t.last_commit_ms, 0);
  EXPECT_EQ(d->Stats().shards[0].last_committed_sequence, "");
  EXPECT_EQ(Checkpoint(), std::nullopt);

  // The second buffer falls due while commit 1 still runs: the worker waits (backpressure) and
  // reads no further.
  PutChanges(15, 10);
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_read == 20; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(d->Stats().Totals().records_read, 20);
  EXPECT_EQ(d->Stats().Totals().buffered_records, 20);
  EXPECT_EQ(fs_.held_writes(), 1);

  fs_.ReleaseWrites();
  ASSERT_TRUE(WaitUntil([&] {
    ShardStats s = d->Stats().Totals();
    return s.rows_delivered == 20 && s.buffered_records == 5;
  }));
  t = d->Stats().Totals();
  EXPECT_EQ(t.commits, 2);
  EXPECT_EQ(t.records_read, 25);
  EXPECT_GT(t.last_commit_ms, 0);
  auto ids = EventIds();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), Expected(0, 20));
  EXPECT_EQ(d->Stats().shards[0].last_committed_sequence, Checkpoint().value_or("?"));

  ASSERT_OK(d->Stop());
  ExpectExactly(25);
  ExpectFilesInSequenceOrder();
  ExpectCheckpointsAtTip();
  ExpectNoTempFiles();
  t = d->Stats().Totals();
  EXPECT_EQ(t.commits, 3);
  EXPECT_EQ(t.buffered_records, 0);
  EXPECT_EQ(t.rows_delivered, 25);
  auto snap = metrics_.Snapshot();
  EXPECT_EQ(snap["tributary_delivery_rows_delivered_total{delivery=\"sales-delivery\"}"], 25);
}

TEST_F(PipelinedCommitTest, FailedCommitsAreRetriedInOrderWithTheSameData) {
  FlakyCatalog flaky(*catalog_);
  flaky.fail_table = "sales";
  flaky.fail_commits = 1;  // a data step (after its errors step succeeded)
  fs_.fail_writes = 1;     // a torn temp file
  fs_.fail_syncs = 1;      // a directory sync
  DeliveryOptions o = Options();  // real clock: flushes by size and by time
  o.buffering.max_records = 10;
  std::vector<std::string> datas;
  int rows = 0, broken = 0;
  for (int i = 0; i < 60; ++i) {
    if (i % 7 == 3) {
      datas.push_back("broken " + std::to_string(i));
      ++broken;
    } else {
      datas.push_back(Change(rows++, kNineAm));
    }
  }
  auto d = Make(o, nullptr, &flaky, &fs_);
  ASSERT_OK(d->Start());
  for (size_t i = 0; i < datas.size(); i += 6) {  // appends while commits fail and retry
    Put(std::vector<std::string>(datas.begin() + i,
                                 datas.begin() + std::min(datas.size(), i + 6)));
  }
  ASSERT_TRUE(WaitUntil([&] {
    ShardStats t = d->Stats().Totals();
    return t.rows_delivered == rows && t.records_failed == broken;
  }));
  ASSERT_OK(d->Stop());
  ShardStats t = d->Stats().Totals();
  EXPECT_EQ(t.rows_delivered, rows);
  EXPECT_EQ(t.records_failed, broken);
  EXPECT_EQ(t.buffered_records, 0);
  auto snap = metrics_.Snapshot();
  EXPECT_EQ(snap["tributary_delivery_commit_errors_total{delivery=\"sales-delivery\"}"], 3);
  ExpectExactly(rows);
  ExpectFilesInSequenceOrder();
  EXPECT_EQ(Rows("sales_errors").size(), static_cast<size_t>(broken));
  ExpectCheckpointsAtTip();
  ExpectNoTempFiles();
}

TEST_F(PipelinedCommitTest, StopWithACommitInFlightFlushesEverything) {
  auto d = Make(TenPerCommit(), &clock_, nullptr, &fs_);
  fs_.HoldWrites();
  PutChanges(0, 10);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return fs_.held_writes() == 1; }));
  PutChanges(10, 7);
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_read == 17; }));
  std::atomic<bool> stopped{false};
  Status stop_status;
  std::thread stopper([&] {
    stop_status = d->Stop(/*flush=*/true);
    stopped = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(stopped.load());  // waits for the commit in flight
  fs_.ReleaseWrites();
  stopper.join();
  ASSERT_OK(stop_status);
  ShardStats t = d->Stats().Totals();
  EXPECT_EQ(t.rows_delivered, 17);
  EXPECT_EQ(t.commits, 2);
  EXPECT_EQ(t.buffered_records, 0);
  EXPECT_FALSE(t.running);
  ExpectExactly(17);
  ExpectFilesInSequenceOrder();
  ExpectCheckpointsAtTip();
  ExpectNoTempFiles();
}

TEST_F(PipelinedCommitTest, AGivenUpCommitBlocksEveryLaterCommit) {
  PutChanges(0, 10);
  FlakyCatalog flaky(*catalog_);
  flaky.fail_through = *stream_->LatestSequenceNumber(shard_);  // only commit 1 fails
  {
    auto d = Make(TenPerCommit(), &clock_, &flaky, &fs_);
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return !d->Stats().Totals().last_error.empty(); }));
    PutChanges(10, 5);  // processed into the next buffer while commit 1 keeps failing
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_read == 15; }));
    // A flushing stop retries commit 1 a few times, then gives up: the 5 later records must not
    // be committed (the checkpoint would pass the uncommitted 10).
    EXPECT_THAT(d->Stop(), ::tributary::testing::StatusIs(StatusCode::kUnavailable));
    ShardStats t = d->Stats().Totals();
    EXPECT_EQ(t.rows_delivered, 0);
    EXPECT_EQ(t.commits, 0);
    EXPECT_EQ(t.buffered_records, 15);
  }
  EXPECT_EQ(Checkpoint(), std::nullopt);
  EXPECT_TRUE(EventIds().empty());
  auto d = Make(TenPerCommit(), &clock_);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 10; }));
  ASSERT_OK(d->Stop());
  ExpectExactly(15);
  ExpectCheckpointsAtTip();
}

TEST_F(PipelinedCommitTest, StopWithoutFlushMidCommitThenRestartHasNoDuplicates) {
  PutChanges(0, 10);
  {
    auto d = Make(TenPerCommit(), &clock_, nullptr, &fs_);
    fs_.HoldWrites();
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return fs_.held_writes() == 1; }));
    PutChanges(10, 5);
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_read == 15; }));
    std::thread stopper([&] { EXPECT_OK(d->Stop(/*flush=*/false)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fs_.ReleaseWrites();  // the commit in flight completes; the next buffer is dropped
    stopper.join();
    EXPECT_EQ(d->Stats().Totals().rows_delivered, 10);
    EXPECT_EQ(d->Stats().Totals().buffered_records, 5);
  }  // the destructor's flushing stop finds the workers already stopped
  EXPECT_EQ(EventIds().size(), 10u);
  PutChanges(15, 3);
  auto d = Make(TenPerCommit(), &clock_);
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_read == 8; }));
  ASSERT_OK(d->Stop());
  ExpectExactly(18);
  ExpectFilesInSequenceOrder();
  ExpectCheckpointsAtTip();
  ExpectNoTempFiles();
}

TEST_F(PipelinedCommitTest, CrashDuringStagingThenRestartHasNoDuplicates) {
  PutChanges(0, 10);
  {
    auto d = Make(TenPerCommit(), &clock_, nullptr, &fs_);
    fs_.HoldWrites();
    ASSERT_OK(d->Start());
    ASSERT_TRUE(WaitUntil([&] { return fs_.held_writes() == 1; }));
    PutChanges(10, 5);
    ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().records_read == 15; }));
    // The write in flight tears and its cleanup never happens, as if the process died there.
    fs_.fail_writes = 1;
    fs_.fail_removes = 1000000;
    std::thread stopper([&] { EXPECT_OK(d->Stop(/*flush=*/false)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fs_.ReleaseWrites();
    stopper.join();
    EXPECT_EQ(d->Stats().Totals().rows_delivered, 0);
  }
  auto lake = ListLake(root_);
  ASSERT_EQ(lake.size(), 1u);
  EXPECT_TRUE(IsTempName(lake[0])) << lake[0];
  EXPECT_EQ(Checkpoint(), std::nullopt);
  auto d = Make(TenPerCommit(), &clock_);
  ASSERT_OK(d->Start());  // recovery deletes the torn temp file
  ASSERT_TRUE(WaitUntil([&] { return d->Stats().Totals().rows_delivered == 10; }));
  ASSERT_OK(d->Stop());
  ExpectExactly(15);
  ExpectFilesInSequenceOrder();
  ExpectCheckpointsAtTip();
  ExpectNoTempFiles();
}

}  // namespace
}  // namespace tributary::delivery
