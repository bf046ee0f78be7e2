#include "query/query_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/clock.h"
#include "query/query_test_util.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tributary::testing::StatusIs;
using tributary::testing::TempDir;
using namespace tributary::query::testing;  // NOLINT

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

class QueryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = QueryEngine::Open(testing::LakeOptions(dir_.str()));
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
  }

  // Runs `sql` and returns its rows; fails the test on error.
  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql) {
    auto result = engine_->Execute(sql);
    EXPECT_OK(result) << sql;
    return result.ok() ? result->rows : std::vector<std::vector<std::optional<std::string>>>{};
  }

  // The single value of a one-row, one-column query ("NULL" for NULL).
  std::string Scalar(const std::string& sql) {
    auto rows = Rows(sql);
    if (rows.size() != 1 || rows[0].size() != 1) {
      ADD_FAILURE() << sql << ": expected one value, got " << rows.size() << " rows";
      return "";
    }
    return rows[0][0].value_or("NULL");
  }

  std::string Write(const std::string& relative, const std::vector<std::string>& lines) {
    return WriteLines(dir_.path(), relative, lines);
  }

  TempDir dir_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(QueryEngineTest, OpenValidatesTheLakeRoot) {
  EXPECT_THAT(QueryEngine::Open(testing::LakeOptions("relative/lake")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(QueryEngine::Open(testing::LakeOptions("/")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(QueryEngine::Open(testing::LakeOptions("")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(QueryEngine::DuckDbVersion(), "v1.5.6");
  EXPECT_EQ(engine_->lake_root(), dir_.path().lexically_normal().string());
}

TEST_F(QueryEngineTest, ResultCarriesNamesTypesNullsAndElapsedTime) {
  auto result = engine_->Execute(
      "SELECT 42 AS answer, 'x' AS s, NULL::VARCHAR AS n, 2.5::DOUBLE AS d, true AS b, "
      "1.50::DECIMAL(10,2) AS dec, '{\"a\":1}'::JSON AS j");
  ASSERT_OK(result);
  EXPECT_THAT(result->column_names, ElementsAre("answer", "s", "n", "d", "b", "dec", "j"));
  EXPECT_THAT(result->column_types, ElementsAre("INTEGER", "VARCHAR", "VARCHAR", "DOUBLE",
                                                "BOOLEAN", "DECIMAL(10,2)", "JSON"));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_THAT(result->rows[0],
              ElementsAre("42", "x", std::nullopt, "2.5", "true", "1.50", "{\"a\":1}"));
  EXPECT_GT(result->elapsed.count(), 0);
  EXPECT_FALSE(result->truncated);
}

TEST_F(QueryEngineTest, RendersEveryTypeAsText) {
  auto result = engine_->Execute(
      "SELECT [1, 2] AS l, {'k': 'v'} AS s, MAP {'a': 1} AS m, "
      "'00000000-0000-0000-0000-000000000001'::UUID AS u, 'ab'::BLOB AS bl, "
      "TIMESTAMP '2024-05-01 10:00:00.12' AS ts, TIMESTAMPTZ '2024-05-01 12:00:00.5+02' AS tz, "
      "DATE '2024-05-01' AS d, INTERVAL 90 MINUTE AS i, 'a'::ENUM('a', 'b') AS e, "
      "1 AS a, 2 AS a");
  ASSERT_OK(result);
  EXPECT_THAT(result->column_types,
              ElementsAre("INTEGER[]", "STRUCT(\"k\" VARCHAR)", "MAP(VARCHAR, INTEGER)", "UUID",
                          "BLOB", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE", "INTERVAL",
                          "ENUM", "INTEGER", "INTEGER"));
  // Duplicate names are kept as written.
  EXPECT_EQ(result->column_names[10], "a");
  EXPECT_EQ(result->column_names[11], "a");
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_THAT(result->rows[0],
              ElementsAre("[1, 2]", "{'k': v}", "{a=1}", "00000000-0000-0000-0000-000000000001",
                          "ab", "2024-05-01 10:00:00.120", "2024-05-01 10:00:00.500 UTC",
                          "2024-05-01", "01:30:00", "a", "1", "2"));
}

TEST_F(QueryEngineTest, MaxRowsTruncates) {
  auto result = engine_->Execute("SELECT * FROM range(10) ORDER BY 1", {.max_rows = 3});
  ASSERT_OK(result);
  EXPECT_TRUE(result->truncated);
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[2][0], "2");
  result = engine_->Execute("SELECT * FROM range(3)", {.max_rows = 3});
  ASSERT_OK(result);
  EXPECT_FALSE(result->truncated);
  EXPECT_EQ(result->rows.size(), 3u);
}

TEST_F(QueryEngineTest, AcceptsTrailingSemicolonsCommentsAndReadOnlyStatements) {
  EXPECT_EQ(Scalar("SELECT 1;"), "1");
  EXPECT_EQ(Scalar("SELECT 2 -- trailing comment"), "2");
  EXPECT_EQ(Scalar("SELECT 3; -- comment after the semicolon"), "3");
  EXPECT_EQ(Scalar("FROM (VALUES (4))"), "4");
  EXPECT_OK(engine_->Execute("EXPLAIN SELECT 1"));
  EXPECT_OK(engine_->Execute("SHOW TABLES"));
  EXPECT_OK(engine_->Execute("DESCRIBE SELECT 1 AS x"));
  EXPECT_OK(engine_->Execute("SUMMARIZE SELECT 1 AS x"));
}

TEST_F(QueryEngineTest, SqlErrorsAreInvalidArgumentWithDuckDbsMessage) {
  auto result = engine_->Execute("SELEC 1");
  EXPECT_THAT(result, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(result.status().message(), HasSubstr("syntax error"));
  result = engine_->Execute("SELECT * FROM no_such_table");
  EXPECT_THAT(result, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(result.status().message(), HasSubstr("no_such_table"));
  EXPECT_THAT(engine_->Execute("SELECT 1; SELECT 2"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->Execute("  ; "), StatusIs(StatusCode::kInvalidArgument));
  // Runtime errors too.
  EXPECT_THAT(engine_->Execute("SELECT CAST('x' AS INTEGER)"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(QueryEngineTest, SessionIsUtcWithTrinoIntegerDivision) {
  // Even if the process runs in another zone, every connection's zone is UTC.
  EXPECT_EQ(Scalar("SELECT current_setting('TimeZone')"), "UTC");
  EXPECT_EQ(Scalar("SELECT current_date = CAST(now() AT TIME ZONE 'UTC' AS DATE)"), "true");
  EXPECT_EQ(Scalar("SELECT 7 / 2"), "3");
  EXPECT_EQ(Scalar("SELECT 7.0 / 2"), "3.5");
}

TEST(QueryEngineTimeZoneTest, UtcEvenWhenTheProcessZoneIsNot) {
  const char* old = std::getenv("TZ");
  const std::string saved = old != nullptr ? old : "";
  setenv("TZ", "Asia/Tokyo", 1);
  TempDir dir;
  auto engine = QueryEngine::Open(testing::LakeOptions(dir.str()));
  if (old != nullptr) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  ASSERT_OK(engine);
  auto result = (*engine)->Execute(
      "SELECT current_setting('TimeZone'), "
      "strftime(TIMESTAMPTZ '2024-05-01 23:30:00+00', '%Y-%m-%d %H:%M')");
  ASSERT_OK(result);
  EXPECT_THAT(result->rows[0], ElementsAre("UTC", "2024-05-01 23:30"));
}

// The seed's three queries over data built around the real current time.
TEST_F(QueryEngineTest, SeedQueries) {
  const int64_t now = SystemClock::Default()->NowMillis();
  const int64_t today = now - now % kDay;  // 00:00:00.000 UTC today
  std::vector<std::string> files;
  // Twelve MODIFY rows a minute apart ending 30 minutes ago, in three files.
  for (int f = 0; f < 3; ++f) {
    std::vector<std::string> lines;
    for (int i = 0; i < 4; ++i) {
      const int n = f * 4 + i;
      const int64_t t = now - 30 * kMinute - (11 - n) * kMinute;
      lines.push_back(SeedRow("m" + std::to_string(n), "MODIFY", t, 100 + n));
    }
    files.push_back(
        Write(HivePath(kSeedTable, now - 30 * kMinute, "m" + std::to_string(f) + ".json"), lines));
  }
  // INSERTs: two today (one at midnight, one now), one yesterday; one REMOVE today.
  files.push_back(
      Write(HivePath(kSeedTable, today, "i0.json"), {SeedRow("i0", "INSERT", today, 50)}));
  files.push_back(
      Write(HivePath(kSeedTable, now, "i1.json"),
            {SeedRow("i1", "INSERT", now - 1000, 350), SeedRow("r0", "REMOVE", now - 2000, 999)}));
  files.push_back(Write(HivePath(kSeedTable, today - kHour, "y0.json"),
                        {SeedRow("y0", "INSERT", today - kHour, 500)}));
  // An expensive row from 20 minutes ago must not count as recent.
  files.push_back(Write(HivePath(kSeedTable, now - 20 * kMinute, "old.json"),
                        {SeedRow("old", "MODIFY", now - 20 * kMinute, 400)}));
  ASSERT_OK(engine_->ReplaceViews({SeedView(files)}));

  // 1. Latest ten MODIFYs, newest first.
  auto latest = engine_->Execute(
      "SELECT * FROM p1_kinesis_firehose_destination WHERE cdc_event_type = 'MODIFY' "
      "ORDER BY creation_datetime DESC LIMIT 10;");
  ASSERT_OK(latest);
  EXPECT_THAT(latest->column_names,
              ElementsAre("id", "cdc_event_type", "creation_datetime", "price", "event_id", "year",
                          "month", "day", "hour"));
  ASSERT_EQ(latest->rows.size(), 10u);
  EXPECT_EQ(latest->rows[0][0], "old");
  for (int n = 11, r = 1; r < 10; --n, ++r) {
    EXPECT_EQ(latest->rows[r][0], "m" + std::to_string(n)) << "row " << r;
  }
  EXPECT_EQ(latest->rows[1][2], FormatUtcMillis(now - 30 * kMinute));
  EXPECT_EQ(latest->rows[1][3], "111.0");

  // 2. INSERTs today (UTC): midnight and now, not yesterday's.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM p1_kinesis_firehose_destination "
                   "WHERE cdc_event_type = 'INSERT' AND date(creation_datetime) = current_date"),
            "2");

  // 3. Expensive rows of the last ten minutes.
  auto recent = engine_->Execute(
      "SELECT * FROM p1_kinesis_firehose_destination "
      "WHERE price > 300 AND creation_datetime >= now() - interval '10' minute");
  ASSERT_OK(recent);
  std::vector<std::string> ids;
  for (const auto& row : recent->rows) ids.push_back(row[0].value_or("NULL"));
  std::sort(ids.begin(), ids.end());
  EXPECT_THAT(ids, ElementsAre("i1", "r0"));
}

TEST_F(QueryEngineTest, PartitionColumnsAreStringsLikeGlue) {
  const std::string file = Write("t/year=2024/month=05/day=01/hour=09/a.json",
                                 {R"({"id":"a","creation_datetime":"2024-05-01 09:15:00"})"});
  ASSERT_OK(engine_->ReplaceViews({SeedView({file})}));
  auto result = engine_->Execute(
      "SELECT year, month, hour, typeof(year), creation_datetime FROM "
      "p1_kinesis_firehose_destination WHERE year = '2024' AND month = '05'");
  ASSERT_OK(result);
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_THAT(result->rows[0],
              ElementsAre("2024", "05", "09", "VARCHAR", "2024-05-01 09:15:00.000"));
  EXPECT_EQ(result->column_types[0], "VARCHAR");
}

TEST_F(QueryEngineTest, EmptyTableIsATypedViewWithNoRows) {
  ASSERT_OK(engine_->ReplaceViews({SeedView({})}));
  auto result = engine_->Execute("SELECT * FROM p1_kinesis_firehose_destination");
  ASSERT_OK(result);
  EXPECT_TRUE(result->rows.empty());
  EXPECT_THAT(result->column_types,
              ElementsAre("VARCHAR", "VARCHAR", "TIMESTAMP", "DOUBLE", "VARCHAR", "VARCHAR",
                          "VARCHAR", "VARCHAR", "VARCHAR"));
  // The seed queries run (and find nothing) on an empty table.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM p1_kinesis_firehose_destination "
                   "WHERE cdc_event_type = 'INSERT' AND date(creation_datetime) = current_date"),
            "0");
  EXPECT_OK(
      engine_->Execute("SELECT * FROM p1_kinesis_firehose_destination WHERE price > 300 "
                       "AND creation_datetime >= now() - interval '10' minute"));
}

TEST_F(QueryEngineTest, ColumnsMissingFromOlderFilesReadAsNull) {
  using catalog::ColumnType;
  const std::string old_file =
      Write("w/year=2024/month=05/day=01/hour=10/old.json", {R"({"id":"a","price":1})"});
  const std::string new_file =
      Write("w/year=2024/month=05/day=01/hour=11/new.json",
            {R"({"id":"b","price":2.5,"qty":3,"in_stock":true,"doc":{"k":[1,2]},"ignored":"x"})"});
  TableView view{"widened",
                 {{"id", ColumnType::kString},
                  {"price", ColumnType::kDouble},
                  {"qty", ColumnType::kBigint},
                  {"in_stock", ColumnType::kBoolean},
                  {"doc", ColumnType::kJson}},
                 {"year", "month", "day", "hour"},
                 {old_file, new_file}};
  ASSERT_OK(engine_->ReplaceViews({view}));
  auto result = engine_->Execute(
      "SELECT id, price, qty, in_stock, doc, doc->>'$.k[1]' AS k1 FROM widened ORDER BY id");
  ASSERT_OK(result);
  EXPECT_THAT(result->column_types,
              ElementsAre("VARCHAR", "DOUBLE", "BIGINT", "BOOLEAN", "JSON", "VARCHAR"));
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_THAT(result->rows[0],
              ElementsAre("a", "1.0", std::nullopt, std::nullopt, std::nullopt, std::nullopt));
  EXPECT_THAT(result->rows[1], ElementsAre("b", "2.5", "3", "true", "{\"k\":[1,2]}", "2"));
}

TEST_F(QueryEngineTest, ReplaceViewsSwapsAddsAndDrops) {
  const std::string a = Write("s/year=2024/month=05/day=01/hour=10/a.json",
                              {SeedRow("a", "INSERT", 1714557600000, 1)});
  const std::string b = Write("s/year=2024/month=05/day=01/hour=10/b.json",
                              {SeedRow("b", "INSERT", 1714557600000, 2)});
  TableView other{"other", {{"x", catalog::ColumnType::kBigint}}, {}, {}};
  ASSERT_OK(engine_->ReplaceViews({SeedView({a}), other}));
  EXPECT_THAT(engine_->ViewNames(), ElementsAre("other", kSeedTable));
  EXPECT_EQ(Scalar("SELECT count(*) FROM p1_kinesis_firehose_destination"), "1");

  ASSERT_OK(engine_->ReplaceViews({SeedView({a, b})}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM p1_kinesis_firehose_destination"), "2");
  EXPECT_THAT(engine_->ViewNames(), ElementsAre(kSeedTable));
  EXPECT_THAT(engine_->Execute("SELECT * FROM other"), StatusIs(StatusCode::kInvalidArgument));
  // Unchanged definitions are a no-op.
  ASSERT_OK(engine_->ReplaceViews({SeedView({a, b})}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM p1_kinesis_firehose_destination"), "2");
}

TEST_F(QueryEngineTest, ReplaceViewsValidatesNamesAndPaths) {
  EXPECT_THAT(engine_->ReplaceViews({TableView{"", {}, {}, {}}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(
      engine_->ReplaceViews(
          {SeedView({}), TableView{"P1_Kinesis_Firehose_Destination", SeedColumns(), {}, {}}}),
      StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->ReplaceViews({SeedView({"/etc/passwd"})}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->ReplaceViews({SeedView({dir_.str() + "/../x.json"})}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->ReplaceViews({SeedView({dir_.str() + "x/a.json"})}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(engine_->ViewNames().empty());
}

TEST_F(QueryEngineTest, ViewsWithQuotesInNamesAndPaths) {
  const std::string file = Write("q/o'brien \"x\"/a.json", {R"({"v":1})"});
  ASSERT_OK(engine_->ReplaceViews(
      {TableView{"we\"ird name", {{"v", catalog::ColumnType::kBigint}}, {}, {file}}}));
  EXPECT_EQ(Scalar("SELECT v FROM \"we\"\"ird name\""), "1");
}

TEST_F(QueryEngineTest, ConcurrentQueriesWhileViewsChange) {
  std::vector<std::string> files;
  for (int i = 0; i < 20; ++i) {
    files.push_back(Write(HivePath(kSeedTable, 1714557600000, "f" + std::to_string(i) + ".json"),
                          {SeedRow("r" + std::to_string(i), "INSERT", 1714557600000, i)}));
  }
  ASSERT_OK(engine_->ReplaceViews({SeedView({files[0]})}));
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto r = engine_->Execute("SELECT count(*) FROM p1_kinesis_firehose_destination");
        if (!r.ok() || r->rows.size() != 1) ++failures;
      }
    });
  }
  for (size_t n = 1; n <= files.size(); ++n) {
    ASSERT_OK(engine_->ReplaceViews(
        {SeedView(std::vector<std::string>(files.begin(), files.begin() + n))}));
  }
  stop = true;
  for (auto& thread : readers) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM p1_kinesis_firehose_destination"), "20");
}

// A few hundred small files must stay interactive. The bound is loose so the test is not flaky
// on a busy machine; the measured time is printed.
TEST_F(QueryEngineTest, HundredsOfSmallFilesQueryQuickly) {
  std::vector<std::string> files;
  const int64_t base = 1714557600000;
  for (int i = 0; i < 300; ++i) {
    const int64_t t = base + i * kMinute;
    std::vector<std::string> lines;
    for (int j = 0; j < 5; ++j) {
      lines.push_back(
          SeedRow("r" + std::to_string(i * 5 + j), j % 2 ? "MODIFY" : "INSERT", t, i + j));
    }
    files.push_back(Write(HivePath(kSeedTable, t, "f" + std::to_string(i) + ".json"), lines));
  }
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK(engine_->ReplaceViews({SeedView(files)}));
  const auto views_done = std::chrono::steady_clock::now();
  ASSERT_OK(engine_->ReplaceViews({SeedView(files)}));  // unchanged: cached
  const auto cached_done = std::chrono::steady_clock::now();
  auto result = engine_->Execute(
      "SELECT * FROM p1_kinesis_firehose_destination WHERE cdc_event_type = 'MODIFY' "
      "ORDER BY creation_datetime DESC LIMIT 10");
  ASSERT_OK(result);
  EXPECT_EQ(result->rows.size(), 10u);
  EXPECT_EQ(Scalar("SELECT count(*) FROM p1_kinesis_firehose_destination"), "1500");
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("300 files: create views %.1f ms, unchanged ReplaceViews %.3f ms, query %.1f ms\n",
              ms(views_done - start), ms(cached_done - views_done), result->elapsed.count() / 1e3);
  EXPECT_LT(result->elapsed, std::chrono::seconds(2));
}

}  // namespace
}  // namespace tributary::query
