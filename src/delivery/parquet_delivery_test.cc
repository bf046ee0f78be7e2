// Parquet delivery at the edges, end to end through SQL: rows the Parquet schema cannot hold go to
// the error prefix as format-conversion-failed while the rest of the batch commits, and Parquet
// (and mixed JSON + Parquet) tables on Firehose prefix layouts (no Hive "key=" folders) are
// queryable with their partition values. A real DeliveryStream with the real jq processor
// (program "."), read back with DuckDB through the catalog's views.
#include <gtest/gtest.h>

#include <chrono>
#include <simdjson.h>
#include <thread>

#include "core/encoding.h"
#include "delivery/delivery_stream.h"
#include "delivery/delivery_test_util.h"
#include "delivery/error_record.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"
#include "transform/processor.h"

namespace tributary::delivery {
namespace {

using testing_util::IsTempName;
using testing_util::ListLake;
using testing_util::ReadFile;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

class ParquetDeliveryTest : public ::testing::Test {
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
    auto p = transform::ProcessorRegistry::Default().Create("jq", {{"program", "."}});
    ASSERT_OK(p);
    processor_ = std::move(*p);
    root_ = dir_.path() / "lake";
    std::filesystem::create_directories(root_);
    auto engine = query::QueryEngine::Open(query::LakeQueryOptions(root_.string()));
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  DeliveryOptions Options(FileType type) const {
    DeliveryOptions o;
    o.name = "events-delivery";
    o.table = "events";
    o.lake_root = root_.string();
    o.buffering.interval_ms = 20;
    o.format.type = type;
    o.format.compression = FileFormat::DefaultCompression(type);
    o.time_source = TimeSource::kArrivalTime;
    // Firehose folders without "key=": the keys are partition_0 (year) and partition_1 (month).
    o.prefix = "events/!{timestamp:yyyy}/!{timestamp:MM}/";
    o.error_output_prefix = "failed/!{firehose:error-output-type}/!{timestamp:yyyy}/";
    return o;
  }

  // Puts `datas`, runs a delivery over them until every record is read, stops it (flushing).
  DeliveryStats Deliver(DeliveryOptions o, const std::vector<std::string>& datas) {
    auto d = DeliveryStream::Create(std::move(o), *stream_, *catalog_, *processor_);
    EXPECT_OK(d);
    if (!d.ok()) return {};
    std::vector<stream::PutRecordEntry> entries;
    for (const std::string& data : datas) entries.push_back({data, "pk", std::nullopt});
    EXPECT_OK(stream_->PutRecords(entries));
    EXPECT_OK((*d)->Start());
    const int64_t want = static_cast<int64_t>(datas.size());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while ((*d)->Stats().Totals().records_read < want &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_OK((*d)->Stop());
    return (*d)->Stats();
  }

  Rows Query(const std::string& sql) {
    EXPECT_OK(query::RefreshViews(*engine_, *catalog_));
    auto result = engine_->Execute(sql);
    EXPECT_OK(result) << sql;
    return result.ok() ? result->rows : Rows{};
  }

  ::tributary::testing::TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<stream::EmbeddedStreamStore> store_;
  stream::DataStream* stream_ = nullptr;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<transform::Processor> processor_;
  std::unique_ptr<query::QueryEngine> engine_;
};

std::string Row(int i, std::string_view ts) {
  return R"({"id":"r)" + std::to_string(i) + R"(","n":)" + std::to_string(i) + R"(,"ts":")" +
         std::string(ts) + R"("})";
}

TEST_F(ParquetDeliveryTest, RowsTheSchemaCannotHoldGoToFormatConversionFailed) {
  // "2024-02-30 ..." looks like a timestamp (the column is typed timestamp) but is no date: the
  // Parquet writer refuses those two rows; the other 18 of the same batch and file commit.
  std::vector<std::string> datas;
  for (int i = 0; i < 20; ++i) {
    datas.push_back(Row(i, i == 4 || i == 13 ? "2024-02-30 10:00:00" : "2024-05-01 10:00:00"));
  }
  DeliveryStats stats = Deliver(Options(FileType::kParquet), datas);
  ShardStats t = stats.Totals();
  EXPECT_EQ(t.rows_delivered, 18);
  EXPECT_EQ(t.records_failed, 2);
  EXPECT_EQ(t.failed_by_code[std::string(kEncodingErrorCode)], 2);
  EXPECT_EQ(t.last_error, "");

  EXPECT_EQ(Query("SELECT count(*), sum(n), min(ts)::VARCHAR FROM events"),
            (Rows{{"18", std::to_string(190 - 4 - 13), "2024-05-01 10:00:00"}}));

  // The failed records: Firehose's failure JSON in the format-conversion-failed folder, rawData
  // the row as the processor produced it, traced to its sequence number.
  auto files = catalog_->ListFiles("events_errors");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  const std::string& path = (*files)[0].path;
  EXPECT_TRUE(path.starts_with("failed/format-conversion-failed/")) << path;
  std::string text = ReadFile(root_ / path);
  simdjson::dom::parser parser;
  std::vector<std::string> raw;
  for (size_t start = 0, nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(text.substr(start, nl - start)).get(doc), simdjson::SUCCESS);
    EXPECT_EQ(std::string(doc["errorCode"].get_string().value()), kEncodingErrorCode);
    EXPECT_EQ(std::string(doc["errorOutputType"].get_string().value()), "format-conversion-failed");
    EXPECT_NE(std::string(doc["errorMessage"].get_string().value()).find("column 'ts'"),
              std::string::npos);
    EXPECT_EQ(doc["attemptsMade"].get_int64().value(), 1);
    EXPECT_GT(doc["arrivalTimestamp"].get_int64().value(), 0);
    EXPECT_FALSE(std::string(doc["sequenceNumber"].get_string().value()).empty());
    auto decoded = Base64Decode(doc["rawData"].get_string().value());
    ASSERT_OK(decoded);
    raw.push_back(*decoded);
  }
  EXPECT_EQ(raw, (std::vector<std::string>{Row(4, "2024-02-30 10:00:00"),
                                           Row(13, "2024-02-30 10:00:00")}));
  EXPECT_EQ(Query("SELECT count(*) FROM events_errors WHERE errorCode = '" +
                  std::string(kEncodingErrorCode) + "'"),
            (Rows{{"2"}}));
  for (const std::string& p : ListLake(root_)) EXPECT_FALSE(IsTempName(p)) << p;

  // A later batch whose rows all fail commits no data file but still moves the checkpoint.
  DeliveryStats again = Deliver(Options(FileType::kParquet), {Row(50, "2024-02-31 00:00:00")});
  EXPECT_EQ(again.Totals().records_failed, 1);
  EXPECT_EQ(again.Totals().rows_delivered, 0);
  EXPECT_EQ(Query("SELECT count(*) FROM events"), (Rows{{"18"}}));
  EXPECT_EQ(Query("SELECT count(*) FROM events_errors"), (Rows{{"3"}}));
}

TEST_F(ParquetDeliveryTest, ParquetAndMixedTablesOnFirehosePrefixesAreQueryable) {
  // JSON lines first, then Parquet, into the same Firehose-prefix table (yyyy/MM folders).
  std::vector<std::string> json_rows;
  std::vector<std::string> parquet_rows;
  for (int i = 0; i < 10; ++i) json_rows.push_back(Row(i, "2024-05-01 10:00:00"));
  for (int i = 10; i < 25; ++i) parquet_rows.push_back(Row(i, "2024-05-01 11:00:00.5"));
  EXPECT_EQ(Deliver(Options(FileType::kJson), json_rows).Totals().rows_delivered, 10);
  EXPECT_EQ(Deliver(Options(FileType::kParquet), parquet_rows).Totals().rows_delivered, 15);
  auto files = catalog_->ListFiles("events");
  ASSERT_OK(files);
  int parquet = 0;
  for (const catalog::DataFile& f : *files) {
    EXPECT_EQ(f.path.find('='), std::string::npos) << f.path;  // no Hive folders
    parquet += f.path.ends_with(".parquet") ? 1 : 0;
  }
  EXPECT_GT(parquet, 0);
  EXPECT_LT(parquet, static_cast<int>(files->size()));

  // Every row carries its partition values (arrival year and month) from the catalog,
  // whichever format its file has.
  EXPECT_EQ(Query("SELECT count(*), sum(n), count(partition_0), count(partition_1) FROM events "
                  "WHERE length(partition_0) = 4 AND length(partition_1) = 2"),
            (Rows{{"25", "300", "25", "25"}}));
  const Rows month = Query("SELECT min(partition_1) FROM events WHERE n = 0");
  ASSERT_EQ(month.size(), 1u);
  EXPECT_EQ(Query("SELECT typeof(ts), typeof(n), count(*) FROM events WHERE partition_1 = '" +
                  month[0][0].value_or("") + "' AND ts > TIMESTAMP '2024-05-01 10:30:00' "
                  "GROUP BY ALL"),
            (Rows{{"TIMESTAMP", "BIGINT", "15"}}));
  EXPECT_EQ(Query("SELECT id FROM events WHERE n = 24"), (Rows{{"r24"}}));
  EXPECT_EQ(Query("SELECT count(*) FROM events WHERE partition_0 = '1999'"), (Rows{{"0"}}));
}

}  // namespace
}  // namespace tributary::delivery
