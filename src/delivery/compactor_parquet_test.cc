// Compaction into Parquet: JSON-lines inputs, plain and gzip/zstd, become
// one Parquet file typed by the catalog's columns, read back by DuckDB; a value the column type
// cannot hold makes that group merge into JSON lines instead, every row kept.
#include <gtest/gtest.h>

#include "delivery/compactor.h"
#include "delivery/compression.h"
#include "delivery/delivery_test_util.h"
#include "delivery/lake_layout.h"
#include "query/query_engine.h"
#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

using testing_util::ListLake;

constexpr int64_t kElevenAm = 1714561200000;  // 2024-05-01 11:00:00 UTC

class CompactorParquetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "lake";
    catalog::CatalogOptions options;
    options.clock = &clock_;
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string(), options);
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    catalog::TableDef def;
    def.name = "sales";
    def.location = "sales";
    def.partition_keys = {"year", "month", "day", "hour"};
    def.columns = {{"id", catalog::ColumnType::kBigint}, {"s", catalog::ColumnType::kString},
                   {"t", catalog::ColumnType::kTimestamp}};
    ASSERT_OK(catalog_->EnsureTable(def));
  }

  void AddFile(const std::string& text, Compression compression, int64_t rows) {
    std::string dir = "sales/year=2024/month=05/day=01/hour=08";
    std::string name = DataFileName("d1", clock_.NowMillis(), NewFileId());
    std::string data = text;
    if (compression == Compression::kGzip) {
      data.clear();
      ASSERT_OK(CompressGzip(text, kDefaultGzipLevel, data));
      name += ".gz";
    } else if (compression == Compression::kZstd) {
      data.clear();
      ASSERT_OK(CompressZstd(text, kDefaultZstdLevel, data));
      name += ".zst";
    }
    ASSERT_OK(DefaultLakeFs().CreateDirs((root_ / dir).string(), false));
    ASSERT_OK(DefaultLakeFs().WriteFile((root_ / dir / name).string(), data, false));
    catalog::DataFile f;
    f.path = dir + "/" + name;
    f.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", "08"}};
    f.row_count = rows;
    f.size_bytes = static_cast<int64_t>(data.size());
    f.min_event_ms = f.max_event_ms = kElevenAm - 3 * 3600'000;
    ASSERT_OK(catalog_->CommitFiles("sales", {}, {f}, {}));
  }

  CompactorConfig Config() const {
    CompactorConfig c;
    c.lake_root = root_.string();
    c.delivery_name = "d1";
    c.table = "sales";
    c.location = "sales";
    c.options.min_files = 3;
    return c;
  }

  ::tributary::testing::TempDir dir_;
  std::filesystem::path root_;
  ManualClock clock_{kElevenAm};
  std::unique_ptr<catalog::Catalog> catalog_;
};

TEST_F(CompactorParquetTest, MergesJsonLinesPlainAndCompressedIntoOneTypedParquetFile) {
  AddFile("{\"id\":1,\"s\":\"a\",\"t\":\"2024-05-01 08:00:00.123\"}\n{\"id\":2,\"s\":\"b\"}\n", Compression::kNone, 2);
  AddFile("{\"id\":3,\"s\":\"c\",\"t\":\"2024-05-01 08:30:00\"}\n", Compression::kGzip, 1);
  AddFile("{\"id\":4,\"s\":null}\n{\"id\":5,\"s\":\"\\u00e9\"}\n", Compression::kZstd, 2);
  Compactor compactor(Config(), DefaultLakeFs(), *catalog_, clock_, ParquetMerger());
  ASSERT_OK(compactor.RunOnce());
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  const catalog::DataFile& merged = (*files)[0];
  EXPECT_TRUE(merged.path.ends_with(".parquet")) << merged.path;
  EXPECT_EQ(merged.row_count, 5);

  query::QueryEngineOptions options;
  options.lake_root = root_.string();
  options.threads = 1;
  auto engine = query::QueryEngine::Open(options);
  ASSERT_OK(engine);
  auto r = (*engine)->Execute("SELECT id, s, CAST(t AS VARCHAR) AS t, typeof(id) AS ty FROM read_parquet('" +
                              (root_ / merged.path).string() + "') ORDER BY id");
  ASSERT_OK(r);
  ASSERT_EQ(r->rows.size(), 5u);
  EXPECT_EQ(r->rows[0][0], "1");
  EXPECT_EQ(r->rows[0][1], "a");
  EXPECT_EQ(r->rows[0][2], "2024-05-01 08:00:00.123");
  EXPECT_EQ(r->rows[0][3], "BIGINT");
  EXPECT_EQ(r->rows[1][2], std::nullopt);
  EXPECT_EQ(r->rows[2][1], "c");
  EXPECT_EQ(r->rows[3][1], std::nullopt);
  EXPECT_EQ(r->rows[4][1], "\xC3\xA9");
}

TEST_F(CompactorParquetTest, AValueTheColumnCannotHoldMergesTheGroupAsJsonLines) {
  AddFile("{\"id\":1}\n", Compression::kNone, 1);
  AddFile("{\"id\":\"not a number\"}\n", Compression::kNone, 1);
  AddFile("{\"id\":3,\"t\":\"2024-02-30 08:00:00\"}\n", Compression::kGzip, 1);
  Compactor compactor(Config(), DefaultLakeFs(), *catalog_, clock_, ParquetMerger());
  ASSERT_OK(compactor.RunOnce());
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  const catalog::DataFile& merged = (*files)[0];
  EXPECT_TRUE(merged.path.ends_with(".json")) << merged.path;
  EXPECT_TRUE(merged.path.find("-compacted-") != std::string::npos) << merged.path;
  EXPECT_EQ(merged.row_count, 3);
  EXPECT_EQ(testing_util::ReadFile(root_ / merged.path),
            "{\"id\":1}\n{\"id\":\"not a number\"}\n{\"id\":3,\"t\":\"2024-02-30 08:00:00\"}\n");
  for (const std::string& p : ListLake(root_)) {
    EXPECT_FALSE(testing_util::IsTempName(p)) << p;
  }
  EXPECT_EQ(compactor.Stats().compactions, 1);
  EXPECT_EQ(compactor.Stats().errors, 0);
}

}  // namespace
}  // namespace tributary::delivery
