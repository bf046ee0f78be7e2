// ParquetWriter round trips: files written by our own writer, read back by DuckDB (the engine
// the query side uses), for every type, nulls, unicode, codecs, row groups and statistics.
#include "delivery/parquet_writer.h"

#include <gtest/gtest.h>

#include <optional>

#include "query/query_engine.h"
#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

using catalog::Column;
using catalog::ColumnType;
using Row = std::vector<std::optional<std::string>>;

class ParquetWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    query::QueryEngineOptions options;
    options.lake_root = dir_.str();
    options.threads = 1;
    auto engine = query::QueryEngine::Open(options);
    ASSERT_OK(engine.status());
    engine_ = std::move(*engine);
  }

  // Writes `lines` (JSON lines) as dir/name; returns the absolute path.
  std::string Write(const std::string& name, const std::vector<Column>& columns,
                    const std::string& lines, const ParquetWriterOptions& options = {}) {
    const std::string path = dir_.str() + "/" + name;
    Result<int64_t> size = WriteParquetFile(DefaultLakeFs(), path, columns, lines, options, false);
    EXPECT_OK(size.status());
    return path;
  }

  query::QueryResult Query(const std::string& sql) {
    Result<query::QueryResult> r = engine_->Execute(sql);
    EXPECT_OK(r.status()) << sql;
    return r.ok() ? *r : query::QueryResult{};
  }

  testing::TempDir dir_;
  std::unique_ptr<query::QueryEngine> engine_;
};

const std::vector<Column> kAllTypes = {{"n", ColumnType::kBigint},    {"s", ColumnType::kString},
                                       {"d", ColumnType::kDouble},    {"b", ColumnType::kBoolean},
                                       {"t", ColumnType::kTimestamp}, {"j", ColumnType::kJson}};

const char kAllTypesRows[] =
    R"({"n":1,"s":"plain","d":1.5,"b":true,"t":"2024-05-01 10:00:00.123","j":{"a":[1,2]}})"
    "\n"
    R"({"n":2,"s":"","d":-0.25,"b":false,"t":"2024-05-01 10:00:00","j":"text"})"
    "\n"
    R"({"n":3,"s":null,"d":null,"b":null,"t":null,"j":null})"
    "\n"
    R"({"n":4})"
    "\n"
    R"({"extra":"ignored","n":5,"s":"caf\u00e9 \u65e5\u672c \ud83d\ude00","d":7,"t":"1969-12-31T23:59:59.999999Z","j":[true,null]})"
    "\n"
    R"({"j":3.25,"t":"2024-02-29 23:59:59.123456789","d":1e300,"s":"tab\tquote\"","n":-9223372036854775808,"b":true})"
    "\n";

TEST_F(ParquetWriterTest, EveryTypeNullsUnicodeAndEmptyStringsRoundTrip) {
  const std::string path = Write("all.parquet", kAllTypes, kAllTypesRows);
  query::QueryResult r =
      Query("SELECT n, s, d, b, t, j FROM read_parquet('" + path + "') ORDER BY n NULLS LAST");
  EXPECT_EQ(r.column_types, (std::vector<std::string>{"BIGINT", "VARCHAR", "DOUBLE", "BOOLEAN",
                                                      "TIMESTAMP", "JSON"}));
  ASSERT_EQ(r.rows.size(), 6u);
  using std::nullopt;
  EXPECT_EQ(r.rows[0], (Row{"-9223372036854775808", "tab\tquote\"", "1e+300", "true",
                            "2024-02-29 23:59:59.123", "3.25"}));
  EXPECT_EQ(r.rows[1],
            (Row{"1", "plain", "1.5", "true", "2024-05-01 10:00:00.123", R"({"a":[1,2]})"}));
  EXPECT_EQ(r.rows[2], (Row{"2", "", "-0.25", "false", "2024-05-01 10:00:00.000", "\"text\""}));
  EXPECT_EQ(r.rows[3], (Row{"3", nullopt, nullopt, nullopt, nullopt, nullopt}));
  EXPECT_EQ(r.rows[4], (Row{"4", nullopt, nullopt, nullopt, nullopt, nullopt}));
  EXPECT_EQ(r.rows[5], (Row{"5", "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80", "7.0",
                            nullopt, "1969-12-31 23:59:59.999", "[true,null]"}));
  // Microseconds are kept (the query layer renders milliseconds).
  query::QueryResult micros =
      Query("SELECT epoch_us(t) FROM read_parquet('" + path + "') WHERE n = 5 OR n < 0 ORDER BY n");
  ASSERT_EQ(micros.rows.size(), 2u);
  EXPECT_EQ(micros.rows[0][0], "1709251199123456");
  EXPECT_EQ(micros.rows[1][0], "-1");
}

TEST_F(ParquetWriterTest, EveryCodecReadsBackTheSame) {
  std::string lines;
  for (int i = 0; i < 5000; ++i) {
    lines += "{\"n\":" + std::to_string(i) + ",\"s\":\"value-" + std::to_string(i % 17) +
             "\",\"d\":" + std::to_string(i) + ".5}\n";
  }
  const std::vector<Column> columns = {
      {"n", ColumnType::kBigint}, {"s", ColumnType::kString}, {"d", ColumnType::kDouble}};
  int64_t uncompressed_size = 0;
  for (Compression c :
       {Compression::kNone, Compression::kSnappy, Compression::kGzip, Compression::kZstd}) {
    SCOPED_TRACE(std::string(CompressionName(c)));
    ParquetWriterOptions options;
    options.compression = c;
    const std::string path =
        Write(std::string(CompressionName(c)) + ".parquet", columns, lines, options);
    query::QueryResult r = Query(
        "SELECT count(*), sum(n), count(DISTINCT s), sum(d) FROM "
        "read_parquet('" +
        path + "')");
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0], (Row{"5000", "12497500", "17", "12500000.0"}));
    query::QueryResult codec =
        Query("SELECT DISTINCT compression FROM parquet_metadata('" + path + "')");
    ASSERT_EQ(codec.rows.size(), 1u);
    const std::string want[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"};
    EXPECT_EQ(codec.rows[0][0], want[static_cast<int>(c) == 0    ? 0
                                     : c == Compression::kSnappy ? 1
                                     : c == Compression::kGzip   ? 2
                                                                 : 3]);
    const int64_t size = static_cast<int64_t>(std::filesystem::file_size(path));
    if (c == Compression::kNone) {
      uncompressed_size = size;
    } else {
      EXPECT_LT(size, uncompressed_size);
    }
  }
}

TEST_F(ParquetWriterTest, ManyRowGroupsAndPagesWithStatisticsForPruning) {
  std::string lines;
  for (int i = 0; i < 10000; ++i) {
    lines += "{\"n\":" + std::to_string(i) + ",\"s\":\"k" + std::to_string(100000 + i) +
             "\",\"b\":" + (i % 3 == 0 ? "true" : "false") +
             (i % 10 == 0 ? "" : ",\"d\":" + std::to_string(i * 2)) + "}\n";
  }
  ParquetWriterOptions options;
  options.compression = Compression::kZstd;
  options.row_group_rows = 1000;
  options.page_bytes = 512;  // many pages per column chunk
  const std::vector<Column> columns = {{"n", ColumnType::kBigint},
                                       {"s", ColumnType::kString},
                                       {"b", ColumnType::kBoolean},
                                       {"d", ColumnType::kDouble}};
  const std::string path = Write("groups.parquet", columns, lines, options);
  const std::string file = "'" + path + "'";

  query::QueryResult all = Query(
      "SELECT count(*), count(d), sum(n), min(s), max(s), "
      "count(*) FILTER (WHERE b) FROM read_parquet(" +
      file + ")");
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(all.rows[0], (Row{"10000", "9000", "49995000", "k100000", "k109999", "3334"}));

  query::QueryResult groups = Query(
      "SELECT count(DISTINCT row_group_id), sum(row_group_num_rows) / 4 FROM parquet_metadata(" +
      file + ")");
  EXPECT_EQ(groups.rows[0], (Row{"10", "10000"}));

  // Per row group statistics, as a reader sees them.
  query::QueryResult stats = Query(
      "SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM "
      "parquet_metadata(" +
      file + ") WHERE row_group_id = 3 ORDER BY column_id");
  ASSERT_EQ(stats.rows.size(), 4u);
  EXPECT_EQ(stats.rows[0], (Row{"n", "3000", "3999", "0"}));
  EXPECT_EQ(stats.rows[1], (Row{"s", "k103000", "k103999", "0"}));
  EXPECT_EQ(stats.rows[2], (Row{"b", "false", "true", "0"}));
  EXPECT_EQ(stats.rows[3], (Row{"d", "6002.0", "7998.0", "100"}));

  // A filter on n: the statistics above let DuckDB skip the other row groups.
  query::QueryResult pruned = Query("SELECT count(*), sum(n) FROM read_parquet(" + file +
                                    ") WHERE n BETWEEN 4100 AND 4199");
  EXPECT_EQ(pruned.rows[0], (Row{"100", "414950"}));
}

TEST_F(ParquetWriterTest, SchemaHasLogicalTypes) {
  const std::string path = Write("schema.parquet", kAllTypes, kAllTypesRows);
  query::QueryResult r = Query(
      "SELECT name, type, repetition_type, converted_type, logical_type "
      "FROM parquet_schema('" +
      path + "') ORDER BY name");
  ASSERT_EQ(r.rows.size(), 7u);
  // Sorted by name: b, d, j, n, s, schema (the root), t.
  EXPECT_EQ(r.rows[0][0], "b");
  EXPECT_EQ(r.rows[0][1], "BOOLEAN");
  EXPECT_EQ(r.rows[0][2], "OPTIONAL");
  EXPECT_EQ(r.rows[2][0], "j");
  EXPECT_EQ(r.rows[2][3], "JSON");
  EXPECT_EQ(r.rows[4][0], "s");
  EXPECT_EQ(r.rows[4][3], "UTF8");
  EXPECT_EQ(r.rows[6][0], "t");
  EXPECT_EQ(r.rows[6][1], "INT64");
  ASSERT_TRUE(r.rows[6][4].has_value());
  EXPECT_NE(r.rows[6][4]->find("isAdjustedToUTC=0"), std::string::npos) << *r.rows[6][4];
  EXPECT_NE(r.rows[6][4]->find("MICROS"), std::string::npos) << *r.rows[6][4];
  query::QueryResult meta =
      Query("SELECT num_rows, created_by FROM parquet_file_metadata('" + path + "')");
  EXPECT_EQ(meta.rows[0], (Row{"6", "tributary version 0.1.0"}));
}

TEST_F(ParquetWriterTest, EmptyFileHasTheSchemaAndNoRows) {
  const std::string path = Write("empty.parquet", kAllTypes, "");
  query::QueryResult r = Query("SELECT count(*) FROM read_parquet('" + path + "')");
  EXPECT_EQ(r.rows[0][0], "0");
}

TEST(ParquetWriterErrorsTest, BadValuesAreErrorsAndTheRowIsNotAdded) {
  ParquetWriter writer({{"n", ColumnType::kBigint}, {"t", ColumnType::kTimestamp}});
  ASSERT_OK(writer.AddRow(R"({"n":1,"t":"2024-05-01 00:00:00"})"));
  EXPECT_THAT(writer.AddRow(R"({"n":"abc"})"), testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(writer.AddRow(R"({"n":1.5})"), testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(writer.AddRow(R"({"n":18446744073709551615})"),
              testing::StatusIs(StatusCode::kInvalidArgument));
  Status bad_time = writer.AddRow(R"({"n":2,"t":"2024-13-01 00:00:00"})");
  EXPECT_THAT(bad_time, testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(bad_time.message().find("column 't'"), std::string::npos) << bad_time.message();
  EXPECT_THAT(writer.AddRow("[1,2]"), testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(writer.AddRow("{\"n\":"), testing::StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(writer.AddRow(R"({"n":2.0})"));  // an integral double fits a bigint
  EXPECT_EQ(writer.rows(), 2);
  Status lines = writer.AddJsonLines("{\"n\":3}\n\n{\"n\":true}\n");
  EXPECT_NE(lines.message().find("line 3"), std::string::npos) << lines.message();
  EXPECT_EQ(writer.rows(), 3);
  ASSERT_OK(writer.Finish().status());
  EXPECT_THAT(writer.Finish(), testing::StatusIs(StatusCode::kFailedPrecondition));
}

TEST(ParquetWriterErrorsTest, SchemaMustHaveDistinctNamedColumns) {
  ParquetWriter repeated({{"a", ColumnType::kBigint}, {"a", ColumnType::kString}});
  EXPECT_THAT(repeated.AddRow("{}"), testing::StatusIs(StatusCode::kInvalidArgument));
  ParquetWriter none({});
  EXPECT_THAT(none.Finish(), testing::StatusIs(StatusCode::kInvalidArgument));
}

TEST(ParseTimestampMicrosTest, AcceptsTheCatalogShapesAndRejectsImpossibleDates) {
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01T00:00:01.5Z"), 1500000);
  EXPECT_EQ(*ParseTimestampMicros("2024-05-01 10:00:00.123"), 1714557600123000);
  EXPECT_EQ(*ParseTimestampMicros("2000-02-29 00:00:00"), 951782400000000);
  EXPECT_EQ(*ParseTimestampMicros("1969-12-31 23:59:59.999999999"), -1);
  for (const char* bad :
       {"", "2024-05-01", "2024-05-01 10:00", "2023-02-29 00:00:00", "2024-04-31 00:00:00",
        "2024-05-01 24:00:00", "2024-05-01 10:00:00.", "2024-05-01 10:00:00.1234567890",
        "2024-05-01 10:00:00+01:00", "2024/05/01 10:00:00"}) {
    EXPECT_THAT(ParseTimestampMicros(bad), testing::StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace tributary::delivery
