// Delivery with Firehose prefixes: dynamic partition keys from the processor, the error output
// per failure kind, path traversal through partition keys, the open-partition bound, and the
// Firehose default prefix.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "delivery/delivery_stream.h"
#include "delivery/delivery_test_util.h"
#include "delivery/error_counts.h"
#include "delivery/error_record.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

using testing_util::ListLake;
using testing_util::ReadFile;

constexpr int64_t kNineAmMs = 1714554000000;  // 2024-05-01 09:00:00 UTC

// Records are "<customer>|<json row>": the row goes out as is with partition key "customer"
// (none when <customer> is "-"), event time 2024-05-01 09:00. "fail|..." is ProcessingFailed;
// while batch_failures > 0, a whole batch fails (like a crashed Lambda).
class KeyedProcessor final : public transform::Processor {
 public:
  mutable std::atomic<int> batch_failures{0};
  std::string_view type() const override { return "keyed"; }
  std::string_view arn() const override { return "arn:aws:lambda:us-east-1:000000000000:function:keyed"; }
  Status Process(std::span<const transform::ProcessorInput> in,
                 std::vector<transform::ProcessorOutput>& out, transform::ColumnSet*) const override {
    if (batch_failures.load() > 0) {
      --batch_failures;
      return Status::Unavailable("the handler process exited with status 1");
    }
    out.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      transform::ProcessorOutput& o = out[i];
      o.record_id.assign(in[i].record_id);
      o.partition_keys.Clear();
      o.event_time_ms = kNineAmMs;
      o.error_code.clear();
      o.error_message.clear();
      const std::string_view data = in[i].data;
      const size_t bar = data.find('|');
      const std::string_view customer = data.substr(0, bar);
      o.data.assign(data.substr(bar + 1));
      o.result = transform::ProcessingResult::kOk;
      if (customer == "fail") {
        o.result = transform::ProcessingResult::kProcessingFailed;
        o.error_code = "Lambda.ProcessingFailed";
        o.error_message = "the handler marked it failed";
      } else if (customer == "nojq") {  // like metadata-extraction failing on a record
        o.result = transform::ProcessingResult::kProcessingFailed;
        o.error_code = "DynamicPartitioning.MetadataExtractionFailed";
        o.error_message = "jq: key 'customer' is null";
      } else if (customer != "-") {
        o.partition_keys.Set("customer", customer);
      }
    }
    return Status::Ok();
  }
};

class DynamicPartitioningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = stream::EmbeddedStreamStore::Open((dir_.path() / "stream").string(),
                                                   SystemClock::Default());
    ASSERT_OK(store);
    store_ = std::move(*store);
    auto s = store_->CreateStream("events-stream", 1);
    ASSERT_OK(s);
    stream_ = *s;
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    root_ = dir_.path() / "lake";
  }

  DeliveryOptions Options() const {
    DeliveryOptions o;
    o.name = "events-delivery";
    o.table = "events";
    o.lake_root = root_.string();
    o.buffering.interval_ms = 20;
    o.prefix = "events/customer=!{partitionKeyFromLambda:customer}/!{timestamp:yyyy/MM/dd}/";
    o.error_output_prefix = "failed/!{firehose:error-output-type}/!{timestamp:yyyy}/";
    return o;
  }

  // Puts `datas` in one PutRecords call, runs a delivery over them and stops it (flushing).
  DeliveryStats Deliver(DeliveryOptions o, const std::vector<std::string>& datas) {
    auto d = DeliveryStream::Create(std::move(o), *stream_, *catalog_, processor_);
    EXPECT_OK(d);
    if (!d.ok()) return {};
    std::vector<stream::PutRecordEntry> entries;
    for (size_t i = 0; i < datas.size(); ++i) entries.push_back({datas[i], "pk", std::nullopt});
    EXPECT_OK(stream_->PutRecords(entries));
    EXPECT_OK((*d)->Start());
    const int64_t want = static_cast<int64_t>(datas.size());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      ShardStats t = (*d)->Stats().Totals();
      if (t.records_read >= want) break;  // all processed; Stop() flushes what is buffered
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_OK((*d)->Stop());
    return (*d)->Stats();
  }

  // Lines of every committed file of `table`.
  std::vector<std::string> Rows(const std::string& table) {
    std::vector<std::string> rows;
    auto files = catalog_->ListFiles(table);
    EXPECT_OK(files);
    if (!files.ok()) return rows;
    for (const catalog::DataFile& f : *files) {
      std::string text = ReadFile(root_ / f.path);
      for (size_t start = 0, nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
        rows.push_back(text.substr(start, nl - start));
      }
    }
    return rows;
  }

  // Every file under the lake root (other than catalog/stream dirs) stays below events/ or
  // failed/: nothing escapes the table folders.
  void ExpectEverythingInsideTheTableFolders() {
    for (const std::string& path : ListLake(root_)) {
      EXPECT_TRUE(path.starts_with("events/") || path.starts_with("failed/")) << path;
      EXPECT_EQ(path.find("/../"), std::string::npos) << path;
    }
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      const std::string name = e.path().filename().string();
      EXPECT_TRUE(name == "lake" || name == "stream" || name.starts_with("catalog.db")) << name;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<stream::EmbeddedStreamStore> store_;
  stream::DataStream* stream_ = nullptr;
  std::unique_ptr<catalog::Catalog> catalog_;
  KeyedProcessor processor_;
  std::filesystem::path root_;
};

TEST_F(DynamicPartitioningTest, KeysFromTheProcessorNameFoldersAndCatalogPartitions) {
  DeliveryStats stats = Deliver(Options(), {R"(acme|{"id":1})", R"(globex|{"id":2})",
                                            R"(acme|{"id":3})"});
  EXPECT_EQ(stats.Totals().rows_delivered, 3);
  auto table = catalog_->GetTable("events");
  ASSERT_OK(table);
  EXPECT_EQ(table->location, "events");
  EXPECT_EQ(table->partition_keys,
            (std::vector<std::string>{"customer", "partition_1", "partition_2", "partition_3"}));
  auto files = catalog_->ListFiles("events");
  ASSERT_OK(files);
  std::set<std::string> folders;
  for (const catalog::DataFile& f : *files) {
    folders.insert(f.path.substr(0, f.path.rfind('/')));
    ASSERT_EQ(f.partition_values.size(), 4u);
    EXPECT_EQ(f.partition_values[1], (std::pair<std::string, std::string>{"partition_1", "2024"}));
    EXPECT_EQ(f.partition_values[3], (std::pair<std::string, std::string>{"partition_3", "01"}));
  }
  EXPECT_EQ(folders, (std::set<std::string>{"events/customer=acme/2024/05/01",
                                            "events/customer=globex/2024/05/01"}));
  ExpectEverythingInsideTheTableFolders();
}

// Every failure kind lands under the error prefix with Firehose's JSON and is counted per code.
TEST_F(DynamicPartitioningTest, FailuresGoToTheErrorPrefixPerType) {
  DeliveryStats stats = Deliver(Options(), {
                                               R"(acme|{"id":1})",
                                               R"(-|{"id":2})",              // no key
                                               R"(../../etc|{"id":3})",      // traversal
                                               R"(..|{"id":4})",             // traversal
                                               R"(fail|{"id":5})",           // ProcessingFailed
                                               R"(acme|not json)",           // invalid output
                                               R"(nojq|{"id":7})",           // extraction failed
                                           });
  ShardStats t = stats.Totals();
  EXPECT_EQ(t.rows_delivered, 1);
  EXPECT_EQ(t.records_failed, 6);
  EXPECT_EQ(t.failed_by_code,
            (std::map<std::string, int64_t>{{std::string(kMissingPartitionKeyCode), 2},
                                            {std::string(kInvalidPartitionValueCode), 2},
                                            {"Lambda.ProcessingFailed", 1},
                                            {std::string(kOutputErrorCode), 1}}));
  auto errors_table = catalog_->GetTable("events_errors");
  ASSERT_OK(errors_table);
  EXPECT_EQ(errors_table->location, "failed");
  auto files = catalog_->ListFiles("events_errors");
  ASSERT_OK(files);
  // Error folders use the arrival time (now), like Firehose's.
  const std::string year = std::to_string(transform::ToUtc(SystemClock::Default()->NowMillis()).year);
  std::set<std::string> folders;
  for (const catalog::DataFile& f : *files) folders.insert(f.path.substr(0, f.path.rfind('/')));
  EXPECT_EQ(folders, (std::set<std::string>{"failed/partitioning-failed/" + year,
                                            "failed/processing-failed/" + year}));
  std::map<std::string, std::string> by_raw;  // rawData -> the error line
  for (const std::string& line : Rows("events_errors")) {
    size_t p = line.find("\"rawData\":\"") + 11;
    auto raw = Base64Decode(line.substr(p, line.find('"', p) - p));
    ASSERT_OK(raw);
    by_raw[*raw] = line;
    EXPECT_NE(line.find("\"attemptsMade\":1,\"arrivalTimestamp\":"), std::string::npos) << line;
    EXPECT_NE(line.find("\"attemptEndingTimestamp\":"), std::string::npos) << line;
  }
  ASSERT_EQ(by_raw.size(), 6u);
  EXPECT_NE(by_raw["nojq|{\"id\":7}"].find("\"errorOutputType\":\"partitioning-failed\""),
            std::string::npos);
  const std::string& traversal = by_raw["../../etc|{\"id\":3}"];
  EXPECT_NE(traversal.find("\"errorCode\":\"DynamicPartitioning.InvalidPartitionKeyValue\","
                           "\"errorMessage\":\"!{partitionKeyFromLambda:customer}: the value "
                           "contains '/' (a partition value is one folder level)\""),
            std::string::npos)
      << traversal;
  EXPECT_EQ(traversal.find("lambdaArn"), std::string::npos) << traversal;  // processing-failed only
  EXPECT_NE(traversal.find("\"errorOutputType\":\"partitioning-failed\""), std::string::npos);
  EXPECT_NE(by_raw["-|{\"id\":2}"].find("\"errorCode\":\"DynamicPartitioning.MetadataExtractionFailed\""),
            std::string::npos);
  const std::string& failed = by_raw["fail|{\"id\":5}"];
  EXPECT_NE(failed.find("\"errorCode\":\"Lambda.ProcessingFailed\",\"errorMessage\":\"the handler "
                        "marked it failed\""),
            std::string::npos)
      << failed;
  EXPECT_NE(failed.find("\"lambdaArn\":\"arn:aws:lambda:us-east-1:000000000000:function:keyed\""),
            std::string::npos)
      << failed;
  EXPECT_NE(failed.find("\"errorOutputType\":\"processing-failed\""), std::string::npos);
  ExpectEverythingInsideTheTableFolders();
}

// `tributary status` shows failed records per errorCode; the totals survive a restart, and a
// crash between an errors commit and the totals' write is repaired from the committed files.
TEST_F(DynamicPartitioningTest, FailedCountsPerCodeSurviveRestarts) {
  using Counts = std::map<std::string, int64_t>;
  DeliveryStats first =
      Deliver(Options(), {R"(fail|{"id":1})", R"(nojq|{"id":2})", R"(acme|{"id":3})"});
  EXPECT_EQ(first.Totals().failed_by_code,
            (Counts{{"Lambda.ProcessingFailed", 1}, {std::string(kMissingPartitionKeyCode), 1}}));
  ASSERT_EQ(first.shards.size(), 1u);
  const std::string errors_key = "delivery/events-delivery/" + first.shards[0].shard_id + "/errors";
  auto stored = catalog_->GetCheckpoint(ErrorCountsKey(errors_key));
  ASSERT_OK(stored);
  ASSERT_TRUE(stored->has_value());
  auto parsed = ParseErrorCounts(**stored);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->through, *catalog_->GetCheckpoint(errors_key).value());

  // A new process (a new DeliveryStream on the same catalog): the totals continue.
  DeliveryStats second = Deliver(Options(), {R"(fail|{"id":4})", R"(acme|{"id":5})"});
  EXPECT_EQ(second.Totals().records_failed, 1);  // this process
  EXPECT_EQ(second.Totals().failed_by_code,
            (Counts{{"Lambda.ProcessingFailed", 2}, {std::string(kMissingPartitionKeyCode), 1}}));

  // The totals' write was lost after the last errors commit (a crash between the two): the
  // stored totals are the first run's; the next start counts the missing record from the files.
  ASSERT_OK(catalog_->PutCheckpoint(ErrorCountsKey(errors_key), **stored));
  DeliveryStats third = Deliver(Options(), {R"(acme|{"id":6})"});
  EXPECT_EQ(third.Totals().records_failed, 0);
  EXPECT_EQ(third.Totals().failed_by_code,
            (Counts{{"Lambda.ProcessingFailed", 2}, {std::string(kMissingPartitionKeyCode), 1}}));
  // Totals never written (a lake from an older version): all counted from the files.
  ASSERT_OK(catalog_->PutCheckpoint(ErrorCountsKey(errors_key), R"({"through":"","counts":{}})"));
  DeliveryStats fourth = Deliver(Options(), {});
  EXPECT_EQ(fourth.Totals().failed_by_code,
            (Counts{{"Lambda.ProcessingFailed", 2}, {std::string(kMissingPartitionKeyCode), 1}}));
  // Bad stored totals are an error naming them, not silently zero.
  EXPECT_FALSE(ParseErrorCounts(R"({"through":"1","counts":{"x":"many"}})").ok());
  EXPECT_FALSE(ParseErrorCounts("[]").ok());
}

TEST_F(DynamicPartitioningTest, WholeBatchFailureAfterRetriesFailsEveryRecord) {
  DeliveryOptions o = Options();
  o.processor_retries = 1;
  processor_.batch_failures = 2;  // the first attempt and its one retry
  DeliveryStats stats = Deliver(o, {R"(acme|{"id":1})", R"(acme|{"id":2})"});
  EXPECT_EQ(stats.Totals().records_failed, 2);
  EXPECT_EQ(stats.Totals().failed_by_code,
            (std::map<std::string, int64_t>{{std::string(kBatchErrorCode), 2}}));
  for (const std::string& line : Rows("events_errors")) {
    EXPECT_NE(line.find("\"attemptsMade\":2,"), std::string::npos) << line;
    EXPECT_NE(line.find("the handler process exited with status 1"), std::string::npos) << line;
  }
}

TEST_F(DynamicPartitioningTest, OpenPartitionBoundFlushesEarlyAndLosesNothing) {
  DeliveryOptions o = Options();
  o.max_open_partitions = 2;
  o.buffering.interval_ms = 60000;  // only the bound (and the final stop) flush
  std::vector<std::string> datas;
  for (int i = 0; i < 10; ++i) datas.push_back("c" + std::to_string(i % 5) + "|{\"id\":" + std::to_string(i) + "}");
  DeliveryStats stats = Deliver(o, datas);
  ShardStats t = stats.Totals();
  EXPECT_EQ(t.rows_delivered, 10);
  EXPECT_EQ(t.records_failed, 0);
  EXPECT_GE(t.partition_limit_flushes, 4);
  auto files = catalog_->ListFiles("events");
  ASSERT_OK(files);
  EXPECT_GE(files->size(), 5u);
  EXPECT_EQ(Rows("events").size(), 10u);
}

TEST_F(DynamicPartitioningTest, OpenPartitionBoundWithFirehoseBehaviourFailsTheRest) {
  DeliveryOptions o = Options();
  o.max_open_partitions = 2;
  o.partition_limit_action = PartitionLimitAction::kError;
  o.buffering.interval_ms = 60000;
  DeliveryStats stats = Deliver(o, {R"(a|{"id":1})", R"(b|{"id":2})", R"(c|{"id":3})",
                                    R"(a|{"id":4})", R"(d|{"id":5})"});
  ShardStats t = stats.Totals();
  EXPECT_EQ(t.rows_delivered, 3);
  EXPECT_EQ(t.failed_by_code,
            (std::map<std::string, int64_t>{{std::string(kActivePartitionsExceededCode), 2}}));
}

TEST_F(DynamicPartitioningTest, FirehoseDefaultPrefixWithoutAPrefix) {
  DeliveryOptions o = Options();
  o.prefix.clear();
  o.error_output_prefix.clear();
  o.default_prefix = DefaultPrefix::kFirehose;
  DeliveryStats stats = Deliver(o, {R"(acme|{"id":1})"});
  EXPECT_EQ(stats.Totals().rows_delivered, 1);
  auto table = catalog_->GetTable("events");
  ASSERT_OK(table);
  EXPECT_EQ(table->partition_keys,
            (std::vector<std::string>{"partition_0", "partition_1", "partition_2", "partition_3"}));
  auto files = catalog_->ListFiles("events");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_TRUE((*files)[0].path.starts_with("events/2024/05/01/09/events-delivery-1-")) << (*files)[0].path;
}

TEST_F(DynamicPartitioningTest, StaticPrefixGetsTheDefaultTimeFolders) {
  DeliveryOptions o = Options();
  o.prefix = "lake-data/events";  // no '/' and no expression: the rule appends '/' + hive folders
  o.error_output_prefix = "oops";  // no expression: <type>/YYYY/MM/dd/HH/ appended
  DeliveryStats stats = Deliver(o, {R"(acme|{"id":1})", R"(fail|{"id":2})"});
  EXPECT_EQ(stats.Totals().rows_delivered, 1);
  auto files = catalog_->ListFiles("events");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_TRUE((*files)[0].path.starts_with("lake-data/events/year=2024/month=05/day=01/hour=09/"))
      << (*files)[0].path;
  auto errors = catalog_->ListFiles("events_errors");
  ASSERT_OK(errors);
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_TRUE((*errors)[0].path.starts_with("oops/processing-failed/")) << (*errors)[0].path;
}

TEST(DynamicPartitioningOptionsTest, NormalizeRejectsUnusableLayouts) {
  auto error = [](std::function<void(DeliveryOptions&)> edit) {
    DeliveryOptions o;
    o.name = "d";
    o.table = "t";
    o.lake_root = "/tmp/lake";
    edit(o);
    Status s = o.Normalize();
    return s.ok() ? std::string("<ok>") : s.message();
  };
  EXPECT_EQ(error([](DeliveryOptions& o) { o.prefix = "!{timestamp:yyyy}/"; }),
            "delivery stream 'd': prefix '!{timestamp:yyyy}/': must start with a folder without "
            "expressions (the table's location, e.g. 'sales/')");
  EXPECT_EQ(error([](DeliveryOptions& o) { o.error_output_prefix = "e/!{timestamp:yyyy}/"; }),
            "delivery stream 'd': error_output_prefix 'e/!{timestamp:yyyy}/' has expressions, so "
            "it must contain !{firehose:error-output-type}");
  EXPECT_EQ(error([](DeliveryOptions& o) {
              o.error_output_prefix = "e/!{firehose:error-output-type}/!{timestamp:'..'}/";
            }),
            "delivery stream 'd': error_output_prefix 'e/processing-failed/..' has a segment "
            "starting with '.' or '_' (readers skip such names)");
  EXPECT_EQ(error([](DeliveryOptions& o) {
              o.prefix = "t/!{timestamp:yyyy}/";
              o.error_output_prefix = "t/e/!{firehose:error-output-type}/";
            }),
            "delivery stream 'd': table location 't' and error location 't/e' must not contain "
            "each other");
  EXPECT_EQ(error([](DeliveryOptions& o) {
              o.prefix = "t/!{timestamp:yyyy}/";
              o.location = "other";
            }),
            "delivery stream 'd': table location 'other' differs from the prefix's location 't'");
  EXPECT_EQ(error([](DeliveryOptions& o) { o.max_open_partitions = 0; }),
            "delivery stream 'd': max_open_partitions must be positive");
}

}  // namespace
}  // namespace tributary::delivery
