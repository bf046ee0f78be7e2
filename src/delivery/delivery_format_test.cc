// Delivery in every file format, end to end: a real DeliveryStream (cdc-flatten, two shards)
// writes JSON lines (plain, gzip, zstd) or Parquet (every codec) into the lake, and the files are
// read back the way users read them: DuckDB through the catalog's views, and zcat / zstdcat.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <functional>
#include <map>
#include <thread>

#include "core/change_record.h"
#include "delivery/compression.h"
#include "delivery/delivery_stream.h"
#include "delivery/delivery_test_util.h"
#include "delivery/file_format.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "stream/embedded_stream.h"
#include "testing/test_util.h"
#include "transform/cdc_flatten.h"

namespace tributary::delivery {
namespace {

using testing_util::IsTempName;
using testing_util::ListLake;
using testing_util::ReadFile;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

// 2024-05-01 09:00:00 UTC.
constexpr int64_t kNineAm = 1714554000;

std::string Change(int id) {
  ChangeRecord r;
  r.event_id = "ev-" + std::to_string(id);
  r.event_name = EventName::kInsert;
  r.event_source_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x";
  r.approximate_creation_date_time = kNineAm + (id % 2) * 3600 + id;  // two hours
  r.keys = {{"order_id", AttributeValue::S("o-" + std::to_string(id))}};
  r.new_image = {{"order_id", AttributeValue::S("o-" + std::to_string(id))},
                 {"quantity", AttributeValue::N(int64_t{id})},
                 {"note", AttributeValue::S(id % 3 == 0 ? "" : "caf\xC3\xA9 \xE2\x9C\x93")}};
  if (id % 5 == 0) r.new_image->erase("note");  // a column some rows lack
  r.sequence_number = std::to_string(1000 + id);
  return r.ToJson();
}

// Runs `cmd` and returns its standard output.
std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

class DeliveryFormatTest : public ::testing::Test {
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
    std::filesystem::create_directories(root_);
    auto engine = query::QueryEngine::Open(query::LakeQueryOptions(root_.string()));
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  DeliveryOptions Options(FileFormat format) const {
    DeliveryOptions o;
    o.name = "sales-delivery";
    o.table = "sales";
    o.lake_root = root_.string();
    o.buffering.interval_ms = 20;
    o.format = format;
    return o;
  }

  // Delivers changes [first, first + count) with `format` and stops.
  void Deliver(FileFormat format, int first, int count) {
    auto d = DeliveryStream::Create(Options(format), *stream_, *catalog_, *processor_, nullptr,
                                    nullptr, nullptr);
    ASSERT_OK(d);
    std::vector<std::string> datas;
    std::vector<std::string> keys;
    for (int i = first; i < first + count; ++i) {
      datas.push_back(Change(i));
      keys.push_back("pk-" + std::to_string(i));
    }
    std::vector<stream::PutRecordEntry> entries;
    for (size_t i = 0; i < datas.size(); ++i) entries.push_back({datas[i], keys[i], std::nullopt});
    ASSERT_OK(stream_->PutRecords(entries));
    ASSERT_OK((*d)->Start());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while ((*d)->Stats().Totals().rows_delivered < count &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ((*d)->Stats().Totals().rows_delivered, count);
    ASSERT_OK((*d)->Stop());
  }

  Rows Query(const std::string& sql) {
    EXPECT_OK(query::RefreshViews(*engine_, *catalog_));
    auto result = engine_->Execute(sql);
    EXPECT_OK(result) << sql;
    return result.ok() ? result->rows : Rows{};
  }

  // Checks the catalog's files against the lake: sizes, extensions, no temp files.
  std::vector<catalog::DataFile> CheckFiles(const std::vector<std::string>& extensions) {
    for (const std::string& p : ListLake(root_)) EXPECT_FALSE(IsTempName(p)) << p;
    auto files = catalog_->ListFiles("sales");
    EXPECT_OK(files);
    if (!files.ok()) return {};
    for (const catalog::DataFile& f : *files) {
      EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(root_ / f.path)), f.size_bytes)
          << f.path;
      bool known = false;
      for (const std::string& e : extensions) known = known || f.path.ends_with(e);
      EXPECT_TRUE(known) << f.path;
    }
    return *files;
  }

  ::tributary::testing::TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<stream::EmbeddedStreamStore> store_;
  stream::DataStream* stream_ = nullptr;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<transform::Processor> processor_;
  std::unique_ptr<query::QueryEngine> engine_;
};

constexpr int kRows = 300;
// sum of 0..299, count of ids with a note (not a multiple of 5), of empty notes (multiples of 3
// but not of 15).
const Rows kExpectedSummary = {{"300", "300", "44850", "240", "80", "2"}};
const char kSummarySql[] =
    "SELECT count(*), count(DISTINCT event_id), sum(quantity), count(note), "
    "count(*) FILTER (WHERE note = ''), count(DISTINCT hour) FROM sales";

struct FormatCase {
  FileType type;
  Compression compression;
  std::string extension;
  std::string catalog_format;
};

class EveryFormatTest : public DeliveryFormatTest,
                        public ::testing::WithParamInterface<FormatCase> {};

TEST_P(EveryFormatTest, DeliversAndReadsBack) {
  const FormatCase& c = GetParam();
  FileFormat format;
  format.type = c.type;
  format.compression = c.compression;
  ASSERT_OK(format.Validate());
  EXPECT_EQ(format.Extension(), c.extension);
  EXPECT_EQ(format.CatalogFormat(), c.catalog_format);
  Deliver(format, 0, kRows);

  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->format, c.catalog_format);
  std::vector<catalog::DataFile> files = CheckFiles({c.extension});
  ASSERT_FALSE(files.empty());
  int64_t rows = 0;
  for (const catalog::DataFile& f : files) rows += f.row_count;
  EXPECT_EQ(rows, kRows);

  EXPECT_EQ(Query(kSummarySql), kExpectedSummary);
  EXPECT_EQ(Query("SELECT note FROM sales WHERE quantity = 7"),
            (Rows{{"caf\xC3\xA9 \xE2\x9C\x93"}}));
  EXPECT_EQ(Query("SELECT typeof(creation_datetime), typeof(quantity) FROM sales LIMIT 1"),
            (Rows{{"TIMESTAMP", "BIGINT"}}));
  EXPECT_EQ(Query("SELECT creation_datetime FROM sales WHERE quantity = 3"),
            (Rows{{"2024-05-01 10:00:03.000"}}));

  // Standard tools read the compressed JSON files.
  const std::string first = (root_ / files[0].path).string();
  if (c.compression == Compression::kGzip && c.type == FileType::kJson) {
    if (!RunCommand("command -v zcat").empty()) {  // the tool users would reach for
      EXPECT_EQ(CountLines(RunCommand("zcat '" + first + "'")), files[0].row_count);
    }
    std::string back;
    ASSERT_OK(DecompressGzip(ReadFile(first), back));
    EXPECT_EQ(CountLines(back), files[0].row_count);
  }
  if (c.compression == Compression::kZstd && c.type == FileType::kJson) {
    if (!RunCommand("command -v zstdcat").empty()) {  // the tool users would reach for
      EXPECT_EQ(CountLines(RunCommand("zstdcat '" + first + "'")), files[0].row_count);
    }
    std::string back;
    ASSERT_OK(DecompressZstd(ReadFile(first), back));
    EXPECT_EQ(CountLines(back), files[0].row_count);
  }
  if (c.type == FileType::kParquet) {
    // A delivered file is self-describing: its schema is the catalog's at commit time.
    auto r =
        engine_->Execute("SELECT name, type, converted_type FROM parquet_schema('" + first +
                         "') "
                         "WHERE name IN ('quantity', 'creation_datetime', 'note') ORDER BY name");
    ASSERT_OK(r);
    EXPECT_EQ(r->rows, (Rows{{"creation_datetime", "INT64", std::nullopt},
                             {"note", "BYTE_ARRAY", "UTF8"},
                             {"quantity", "INT64", std::nullopt}}));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Formats, EveryFormatTest,
    ::testing::Values(
        FormatCase{FileType::kJson, Compression::kNone, ".json", "json"},
        FormatCase{FileType::kJson, Compression::kGzip, ".json.gz", "json+gzip"},
        FormatCase{FileType::kJson, Compression::kZstd, ".json.zst", "json+zstd"},
        FormatCase{FileType::kParquet, Compression::kNone, ".parquet", "parquet+none"},
        FormatCase{FileType::kParquet, Compression::kSnappy, ".parquet", "parquet+snappy"},
        FormatCase{FileType::kParquet, Compression::kGzip, ".parquet", "parquet+gzip"},
        FormatCase{FileType::kParquet, Compression::kZstd, ".parquet", "parquet+zstd"}),
    [](const ::testing::TestParamInfo<FormatCase>& info) {
      std::string name = info.param.catalog_format;
      for (char& ch : name) {
        if (ch == '+') ch = '_';
      }
      return name;
    });

TEST_F(DeliveryFormatTest, FormatChangedBetweenRunsMixesFilesInOneTable) {
  Deliver(FileFormat{}, 0, 100);
  FileFormat gz;
  gz.compression = Compression::kGzip;
  Deliver(gz, 100, 100);
  FileFormat parquet;
  parquet.type = FileType::kParquet;
  parquet.compression = Compression::kZstd;
  Deliver(parquet, 200, 100);

  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->format, "parquet+zstd");
  std::vector<catalog::DataFile> files = CheckFiles({".json", ".json.gz", ".parquet"});
  int json = 0, gzip = 0, pq = 0;
  for (const catalog::DataFile& f : files) {
    json += f.path.ends_with(".json");
    gzip += f.path.ends_with(".json.gz");
    pq += f.path.ends_with(".parquet");
  }
  EXPECT_GT(json, 0);
  EXPECT_GT(gzip, 0);
  EXPECT_GT(pq, 0);
  EXPECT_EQ(Query(kSummarySql), kExpectedSummary);
}

TEST_F(DeliveryFormatTest, TargetFileBytesSplitsACommitIntoSeveralFiles) {
  for (FileType type : {FileType::kJson, FileType::kParquet}) {
    SCOPED_TRACE(std::string(FileTypeName(type)));
    FileFormat format;
    format.type = type;
    format.compression = FileFormat::DefaultCompression(type);
    format.target_file_bytes = 4096;
    const int first = type == FileType::kJson ? 0 : 1000;
    Deliver(format, first, 600);
    auto files = catalog_->ListFiles("sales");
    ASSERT_OK(files);
    int64_t rows = 0;
    size_t count = 0;
    for (const catalog::DataFile& f : *files) {
      if (f.path.ends_with(type == FileType::kJson ? ".json" : ".parquet")) {
        rows += f.row_count;
        ++count;
        // JSON files never pass the target; Parquet ones land near it (the size is estimated
        // from the previous file's compression ratio).
        EXPECT_LE(f.size_bytes, type == FileType::kJson ? 4096 : 3 * 4096) << f.path;
      }
    }
    EXPECT_EQ(rows, 600);
    EXPECT_GE(count, 6u);  // ~600 rows of ~300 JSON bytes cannot fit in two partitions' files
    // Each piece of a split records its own sequence range: within a partition folder (of
    // this shard), no two files' ranges overlap.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> ranges;
    for (const catalog::DataFile& f : *files) {
      ASSERT_LE(stream::CompareSequenceNumbers(f.first_sequence, f.last_sequence), 0) << f.path;
      ranges[f.source + " " + f.path.substr(0, f.path.rfind('/'))].emplace_back(f.first_sequence,
                                                                                f.last_sequence);
    }
    for (auto& [dir, list] : ranges) {
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return stream::CompareSequenceNumbers(a.first, b.first) < 0;
      });
      for (size_t i = 1; i < list.size(); ++i) {
        EXPECT_LT(stream::CompareSequenceNumbers(list[i - 1].second, list[i].first), 0)
            << dir << ": [" << list[i - 1].first << ", " << list[i - 1].second << "] and ["
            << list[i].first << ", " << list[i].second << "]";
      }
    }
  }
  EXPECT_EQ(Query("SELECT count(*), count(DISTINCT event_id) FROM sales"),
            (Rows{{"1200", "1200"}}));
}

TEST(FileFormatTest, ValidatesCompressionPerTypeAndTargets) {
  FileFormat f;
  EXPECT_OK(f.Validate());
  f.compression = Compression::kSnappy;
  EXPECT_THAT(f.Validate(), testing::StatusIs(StatusCode::kInvalidArgument));
  f.type = FileType::kParquet;
  EXPECT_OK(f.Validate());
  f.compression_level = 3;
  EXPECT_THAT(f.Validate(), testing::StatusIs(StatusCode::kInvalidArgument));
  f.compression = Compression::kZstd;
  EXPECT_OK(f.Validate());
  f.compression_level = 20;
  EXPECT_THAT(f.Validate(), testing::StatusIs(StatusCode::kInvalidArgument));
  f.compression_level = 0;
  f.target_file_bytes = 100;
  EXPECT_THAT(f.Validate(), testing::StatusIs(StatusCode::kInvalidArgument));
  f.target_file_bytes = 1 << 20;
  EXPECT_OK(f.Validate());
  EXPECT_THAT(ParseFileType("orc"), testing::StatusIs(StatusCode::kInvalidArgument));
  for (const char* text : {"json", "json+gzip", "json+zstd", "parquet+none", "parquet+snappy",
                           "parquet+gzip", "parquet+zstd"}) {
    Result<FileFormat> parsed = FileFormat::Parse(text);
    ASSERT_OK(parsed.status());
    EXPECT_EQ(parsed->CatalogFormat(), text);
  }
  EXPECT_EQ(FileFormat::Parse("parquet")->CatalogFormat(), "parquet+snappy");
  EXPECT_THAT(FileFormat::Parse("json+snappy"), testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(FileFormat::Parse("csv"), testing::StatusIs(StatusCode::kInvalidArgument));
}

TEST(FileFormatTest, SplitForTargetCutsAtLineBoundaries) {
  FileFormat f;
  f.target_file_bytes = 1024;
  FileEncoder encoder(f);
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += "{\"n\":" + std::to_string(1000 + i) + "}\n";  // 11 B
  lines += std::string(2000, 'x') + "\n";  // one line past the target: a piece of its own
  lines += "{\"n\":1}\n";
  std::vector<std::string_view> pieces = encoder.SplitForTarget(lines);
  ASSERT_EQ(pieces.size(), 4u);
  std::string joined;
  for (std::string_view p : pieces) {
    EXPECT_TRUE(p.ends_with('\n'));
    joined.append(p);
  }
  EXPECT_EQ(joined, lines);
  EXPECT_EQ(CountLines(pieces[0]), 93);  // 93 * 11 = 1023 <= 1024
  EXPECT_EQ(pieces[2].size(), 2001u);
  f.target_file_bytes = 0;
  EXPECT_EQ(FileEncoder(f).SplitForTarget(lines).size(), 1u);
}

}  // namespace
}  // namespace tributary::delivery
