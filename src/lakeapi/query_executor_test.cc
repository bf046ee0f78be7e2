#include "lakeapi/query_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lakeapi/lake_test_util.h"

namespace tributary::lakeapi {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::tributary::testing::StatusIs;
using testing_util::kLongQuery;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(MapOutputLocationTest, MapsUnderTheResultsDir) {
  EXPECT_EQ(*MapOutputLocation("/d/s3", "s3://my-bucket/athena/results/"), "/d/s3/my-bucket/athena/results/");
  EXPECT_EQ(*MapOutputLocation("/d/s3", "s3://my-bucket/athena"), "/d/s3/my-bucket/athena/");
  EXPECT_EQ(*MapOutputLocation("/d/s3", "s3://my.bucket"), "/d/s3/my.bucket/");
  EXPECT_EQ(*MapOutputLocation("/d/s3", "s3://b12/a=1/x y/"), "/d/s3/b12/a=1/x y/");
}

TEST(MapOutputLocationTest, RefusesEscapesAndBadNames) {
  for (const char* bad : {"s3://bucket/../../etc/", "s3://bucket/a/../../x", "s3://bucket/./x", "s3://bucket//x",
                          "s3://../x", "s3://..", "s3://Bucket/x", "s3://b/x", "s3://bucket\\x/y", "file:///etc/",
                          "/tmp/x", "s3://bucket/a\\b", "s3://bucket/a\nb", "s3://-bucket/x", "s3://bu..cket/x",
                          "s3:/bucket/x", ""}) {
    auto r = MapOutputLocation("/d/s3", bad);
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(MapOutputLocation("/d/s3", "s3://bucket/../x").status().message(), HasSubstr("'..'"));
}

TEST(NewUuidTest, Version4Format) {
  const std::string a = NewUuid(), b = NewUuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
}

class QueryExecutorTest : public testing_util::LakeTestBase {};

TEST_F(QueryExecutorTest, SucceedsAndWritesAthenaCsv) {
  auto executor = MakeExecutor();
  QuerySubmission s;
  s.sql = "SELECT id, price, note FROM orders WHERE hour = '11' ORDER BY id";
  s.output_location = "s3://results-bucket/q/";
  auto id = executor->Submit(s);
  ASSERT_OK(id);
  auto info = WaitDone(*executor, *id);
  ASSERT_EQ(info.state, QueryState::kSucceeded) << info.state_change_reason;
  EXPECT_EQ(info.output_location, "s3://results-bucket/q/" + *id + ".csv");
  EXPECT_EQ(info.result_path, results_ + "/results-bucket/q/" + *id + ".csv");
  EXPECT_EQ(info.row_count, 3);
  EXPECT_EQ(info.column_names, (std::vector<std::string>{"id", "price", "note"}));
  EXPECT_EQ(info.column_types, (std::vector<std::string>{"VARCHAR", "DOUBLE", "VARCHAR"}));
  EXPECT_EQ(info.statement_type, "DML");
  EXPECT_GT(info.data_scanned_bytes, 0);
  EXPECT_GE(info.completed_ms, info.started_ms);
  EXPECT_EQ(ReadAll(info.result_path),
            "\"id\",\"price\",\"note\"\n"
            "\"o3\",\"300.5\",\"say \"\"hi\"\", ok\"\n"
            "\"o4\",\"400.5\",\n"
            "\"o5\",\"500.5\",\"say \"\"hi\"\", ok\"\n");
  // No temporary files left behind.
  size_t files = 0;
  for (auto& e : fs::directory_iterator(fs::path(info.result_path).parent_path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(QueryExecutorTest, BadSqlFailsWithReason) {
  auto executor = MakeExecutor();
  QuerySubmission s;
  s.sql = "SELECT no_such_column FROM orders";
  s.output_location = "s3://results-bucket/";
  auto id = executor->Submit(s);
  ASSERT_OK(id);
  auto info = WaitDone(*executor, *id);
  EXPECT_EQ(info.state, QueryState::kFailed);
  EXPECT_THAT(info.state_change_reason, HasSubstr("no_such_column"));
  EXPECT_TRUE(info.user_error);
  EXPECT_FALSE(fs::exists(info.result_path));

  s.sql = "COPY orders TO '" + lake_ + "/x.csv'";
  id = executor->Submit(s);
  ASSERT_OK(id);
  info = WaitDone(*executor, *id);
  EXPECT_EQ(info.state, QueryState::kFailed);
  EXPECT_THAT(info.state_change_reason, HasSubstr("not allowed"));
  EXPECT_FALSE(fs::exists(lake_ + "/x.csv"));
}

TEST_F(QueryExecutorTest, BadOutputLocationIsRefusedAtSubmit) {
  auto executor = MakeExecutor();
  QuerySubmission s;
  s.sql = "SELECT 1";
  s.output_location = "s3://results-bucket/../../escape/";
  EXPECT_THAT(executor->Submit(s), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(executor->List().empty());
}

TEST_F(QueryExecutorTest, StopInterruptsARunningQuery) {
  auto executor = MakeExecutor();
  QuerySubmission s;
  s.sql = kLongQuery;
  s.output_location = "s3://results-bucket/";
  auto id = executor->Submit(s);
  ASSERT_OK(id);
  for (int i = 0; i < 500 && executor->Get(*id)->state == QueryState::kQueued; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK(executor->Stop(*id));
  auto info = WaitDone(*executor, *id);
  EXPECT_EQ(info.state, QueryState::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_THAT(executor->Stop("nope"), StatusIs(StatusCode::kNotFound));
}

TEST_F(QueryExecutorTest, TimeoutFailsTheQuery) {
  QueryExecutorOptions options;
  options.timeout_ms = 200;
  auto executor = MakeExecutor(options);
  QuerySubmission s;
  s.sql = kLongQuery;
  s.output_location = "s3://results-bucket/";
  auto id = executor->Submit(s);
  ASSERT_OK(id);
  auto info = WaitDone(*executor, *id);
  EXPECT_EQ(info.state, QueryState::kFailed);
  EXPECT_THAT(info.state_change_reason, HasSubstr("Query timeout"));

  auto r = executor->RunAndWait(kLongQuery, 0, 200);
  EXPECT_THAT(r, StatusIs(StatusCode::kDeadlineExceeded));
}

TEST_F(QueryExecutorTest, QueueIsBoundedAndStopCancelsQueued) {
  QueryExecutorOptions options;
  options.workers = 1;
  options.max_queued = 1;
  auto executor = MakeExecutor(options);
  QuerySubmission s;
  s.sql = kLongQuery;
  s.output_location = "s3://results-bucket/";
  auto running = executor->Submit(s);
  ASSERT_OK(running);
  for (int i = 0; i < 500 && executor->Get(*running)->state == QueryState::kQueued; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.sql = "SELECT 1";
  auto queued = executor->Submit(s);
  ASSERT_OK(queued);
  EXPECT_THAT(executor->Submit(s), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(executor->Get(*queued)->state, QueryState::kQueued);
  ASSERT_OK(executor->Stop(*queued));
  EXPECT_EQ(executor->Get(*queued)->state, QueryState::kCancelled);
  ASSERT_OK(executor->Stop(*running));
  EXPECT_EQ(WaitDone(*executor, *running).state, QueryState::kCancelled);
  EXPECT_EQ(executor->List(), (std::vector<std::string>{*queued, *running}));  // newest first
}

TEST_F(QueryExecutorTest, ClientRequestTokenIsIdempotentAndOldExecutionsAreForgotten) {
  QueryExecutorOptions options;
  options.max_executions = 3;
  auto executor = MakeExecutor(options);
  QuerySubmission s;
  s.sql = "SELECT 1";
  s.output_location = "s3://results-bucket/";
  s.client_request_token = std::string(32, 't');
  auto a = executor->Submit(s);
  auto b = executor->Submit(s);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
  s.client_request_token.clear();
  std::vector<std::string> ids = {*a};
  for (int i = 0; i < 4; ++i) {
    WaitDone(*executor, ids.back());
    ids.push_back(*executor->Submit(s));
  }
  WaitDone(*executor, ids.back());
  auto listed = executor->List();
  EXPECT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed.front(), ids.back());
  EXPECT_THAT(executor->Get(ids.front()), StatusIs(StatusCode::kNotFound));
}

TEST_F(QueryExecutorTest, RunAndWaitReturnsRows) {
  auto executor = MakeExecutor();
  auto r = executor->RunAndWait("SELECT count(*) AS n, sum(price) AS total FROM orders", 0, 10000);
  ASSERT_OK(r);
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(*r->rows[0][0], "6");
  auto limited = executor->RunAndWait("SELECT id FROM orders", 2, 10000);
  ASSERT_OK(limited);
  EXPECT_EQ(limited->rows.size(), 2u);
  EXPECT_TRUE(limited->truncated);
  EXPECT_THAT(executor->RunAndWait("SELEC 1", 0, 10000), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tributary::lakeapi
