#include "query/sql_rewrite.h"

#include <gmock/gmock.h>
#include <filesystem>
#include <gtest/gtest.h>

#include "query/parquet_export.h"
#include "query/query_engine.h"
#include "query/table_view.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

std::string Now(std::string_view sql) { return RewriteCurrentTimestampComparisons(sql); }

TEST(SqlRewriteTest, CastsNowInComparisons) {
  EXPECT_EQ(Now("SELECT * FROM t WHERE price > 300 AND creation_datetime >= now() - interval '10' minute"),
            "SELECT * FROM t WHERE price > 300 AND creation_datetime >= CAST(now() AS TIMESTAMP) - "
            "interval '10' minute");
  EXPECT_EQ(Now("WHERE x<current_timestamp"), "WHERE x<CAST(current_timestamp AS TIMESTAMP)");
  EXPECT_EQ(Now("WHERE x <> (NOW ( ))"), "WHERE x <> (CAST(NOW ( ) AS TIMESTAMP))");
  EXPECT_EQ(Now("WHERE x != now()"), "WHERE x != CAST(now() AS TIMESTAMP)");
  EXPECT_EQ(Now("WHERE x = now()"), "WHERE x = CAST(now() AS TIMESTAMP)");
  // Operator after the operand, with interval terms and parentheses.
  EXPECT_EQ(Now("WHERE (now() - interval '1' hour) <= x"),
            "WHERE (CAST(now() AS TIMESTAMP) - interval '1' hour) <= x");
  EXPECT_EQ(Now("WHERE now() + INTERVAL 2 DAYS > x"),
            "WHERE CAST(now() AS TIMESTAMP) + INTERVAL 2 DAYS > x");
  // BETWEEN, both bounds.
  EXPECT_EQ(Now("WHERE x BETWEEN current_timestamp - interval '1' day AND now() AND y = 1"),
            "WHERE x BETWEEN CAST(current_timestamp AS TIMESTAMP) - interval '1' day AND "
            "CAST(now() AS TIMESTAMP) AND y = 1");
  // The last argument of date_add / date_trunc in a comparison.
  EXPECT_EQ(Now("WHERE x > date_add('minute', -10, now())"),
            "WHERE x > date_add('minute', -10, CAST(now() AS TIMESTAMP))");
  EXPECT_EQ(Now("WHERE date_trunc('day', now()) <= x"),
            "WHERE date_trunc('day', CAST(now() AS TIMESTAMP)) <= x");
}

TEST(SqlRewriteTest, LeavesOtherUsesAlone) {
  for (const char* sql : {
           "SELECT now()",
           "SELECT now(), current_timestamp FROM t",
           "SELECT to_unixtime(now()) > 5",            // a function argument
           "SELECT * FROM t WHERE y AND now() IS NOT NULL",  // AND of a boolean, not BETWEEN
           "SELECT CAST(now() AS VARCHAR) = 'x'",       // already inside a CAST
           "SELECT x > 'now()' -- now() > x",           // string and comment
           "SELECT t.now() > 1",                        // after '.'
           "SELECT now > 1 FROM t",                     // a column named now
           "SELECT f(x => now())",
           "SELECT list_filter(l, x -> now())",
           "SELECT x > date_add('minute', now(), -10)",  // not the last argument
           "SELECT coalesce(a, now()) > x",
       }) {
    EXPECT_EQ(Now(sql), sql) << sql;
  }
}

TEST(SqlRewriteTest, StripsQualifiersOfKnownTables) {
  const std::set<std::string> dbs = {"default", "sales"};
  const std::set<std::string> tables = {"orders", "orders_current", "we\"ird"};
  auto strip = [&](std::string_view sql) { return StripCatalogQualifiers(sql, dbs, tables); };
  EXPECT_EQ(strip("SELECT * FROM default.orders"), "SELECT * FROM orders");
  EXPECT_EQ(strip("SELECT * FROM \"default\".\"orders\""), "SELECT * FROM \"orders\"");
  EXPECT_EQ(strip("SELECT * FROM awsdatacatalog.default.orders"), "SELECT * FROM orders");
  EXPECT_EQ(strip("SELECT * FROM \"AwsDataCatalog\".\"default\".\"Orders\""),
            "SELECT * FROM \"Orders\"");
  EXPECT_EQ(strip("SELECT * FROM AWSDATACATALOG.Sales.orders_current"),
            "SELECT * FROM orders_current");
  EXPECT_EQ(strip("SELECT default.orders.price FROM default.orders"),
            "SELECT orders.price FROM orders");
  EXPECT_EQ(strip("SELECT * FROM default.\"we\"\"ird\""), "SELECT * FROM \"we\"\"ird\"");
  // Unknown database, unknown table, strings, comments and spaced dots stay.
  for (const char* sql : {"SELECT * FROM other.orders", "SELECT * FROM default.nope",
                          "SELECT 'default.orders'", "SELECT 1 -- default.orders",
                          "SELECT * FROM x.default.orders", "SELECT * FROM awsdatacatalog.x.orders",
                          "SELECT o.price FROM orders o"}) {
    EXPECT_EQ(strip(sql), sql) << sql;
  }
}

// Through the engine, over a Parquet table view as delivery writes it: events one minute apart
// from 3 hours ago to 3 hours ahead.
class RewriteEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string file = dir_.str() + "/events/data.parquet";
    std::filesystem::create_directories(dir_.str() + "/events");
    ASSERT_OK(RunTrustedStatements(
        dir_.str(), {"COPY (SELECT range AS id, CAST(now() AS TIMESTAMP) - INTERVAL 3 HOUR + "
                     "to_minutes(range) AS ts, CAST(now() AS TIMESTAMPTZ) - INTERVAL 3 HOUR + "
                     "to_minutes(range) AS tstz, 'x' || range AS s FROM range(361)) TO '" +
                         file + "' (FORMAT parquet, ROW_GROUP_SIZE 2048)"}));
    auto engine = QueryEngine::Open(LakeQueryOptions(dir_.str()));
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
    using catalog::ColumnType;
    const TableView view{"events",
                         {{"id", ColumnType::kBigint}, {"ts", ColumnType::kTimestamp}, {"s", ColumnType::kString}},
                         {},
                         {file}};
    ASSERT_OK(engine_->ReplaceViews({view}, {{"events_copy", "SELECT * FROM events"}}, {"Sales"}));
  }

  std::string Scalar(const std::string& sql) {
    auto r = engine_->Execute(sql);
    EXPECT_OK(r) << sql;
    if (!r.ok() || r->rows.size() != 1 || r->rows[0].size() != 1) return "error";
    return r->rows[0][0].value_or("NULL");
  }

  tributary::testing::TempDir dir_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(RewriteEngineTest, NowComparisonsGiveTheSameRowsAsWithoutTheRewrite) {
  // coalesce(now(), now()) is a function argument, so it is not rewritten: the reference.
  for (const std::string cmp : {">=", ">", "<", "<=", "=", "<>"}) {
    for (const std::string offset : {"", " - interval '10' minute", " + interval '2' hour"}) {
      const std::string got = Scalar("SELECT count(*) FROM events WHERE ts " + cmp + " now()" + offset);
      const std::string want =
          Scalar("SELECT count(*) FROM events WHERE ts " + cmp + " coalesce(now(), now())" + offset);
      EXPECT_EQ(got, want) << cmp << offset;
    }
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM events WHERE ts BETWEEN now() - interval '1' hour AND "
                   "current_timestamp"),
            Scalar("SELECT count(*) FROM events WHERE ts BETWEEN coalesce(now(), now()) - interval "
                   "'1' hour AND coalesce(current_timestamp, now())"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM events WHERE ts > date_add('minute', -10, now())"),
            Scalar("SELECT count(*) FROM events WHERE ts > coalesce(now(), now()) - interval '10' minute"));
  // TIMESTAMP WITH TIME ZONE, DATE and text on the other side convert the same way in UTC. (The
  // event 30 minutes before the setup is older than now() - 30 minutes: 210 of 361.)
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet('" + dir_.str() +
                   "/events/data.parquet') WHERE tstz >= now() - interval '30' minute"),
            "210");
  EXPECT_EQ(Scalar("SELECT current_date <= now() AND '2000-01-01 00:00:00+02' < now()"), "true");
  EXPECT_EQ(Scalar("SELECT count(*) FROM events WHERE ts >= now() - interval '30' minute"), "210");
  // What a query returns keeps its type.
  auto r = engine_->Execute("SELECT now() AS n, current_timestamp AS c");
  ASSERT_OK(r);
  EXPECT_EQ(r->column_types, (std::vector<std::string>{"TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE"}));
}

TEST_F(RewriteEngineTest, NowBoundIsPushedIntoTheParquetScan) {
  auto r = engine_->Execute("EXPLAIN SELECT * FROM events WHERE ts >= now() - interval '10' minute");
  ASSERT_OK(r);
  std::string plan;
  for (const auto& row : r->rows) {
    for (const auto& v : row) plan += v.value_or("") + "\n";
  }
  // The bound reaches the scan as a filter on the column itself (so row groups can be skipped),
  // not as a filter on CAST(ts AS TIMESTAMP WITH TIME ZONE) above it.
  EXPECT_THAT(plan, ::testing::HasSubstr("ts>="));
  EXPECT_THAT(plan, ::testing::Not(::testing::HasSubstr("TIME ZONE")));
}

TEST_F(RewriteEngineTest, QualifiedTableNamesAsAthenaUsersWriteThem) {
  for (const std::string name :
       {"events", "default.events", "\"default\".\"events\"", "awsdatacatalog.default.events",
        "\"AwsDataCatalog\".\"default\".\"events\"", "sales.events", "AwsDataCatalog.SALES.Events",
        "default.events_copy"}) {
    EXPECT_EQ(Scalar("SELECT count(*) FROM " + name), "361") << name;
  }
  EXPECT_EQ(Scalar("SELECT max(default.events.id) FROM default.events"), "360");
  EXPECT_THAT(engine_->Execute("SELECT * FROM nosuchdb.events"),
              tributary::testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->Execute("SELECT * FROM default.nosuchtable"),
              tributary::testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tributary::query
