#include "query/query_interrupt.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "query/query_engine.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

using ::tributary::testing::StatusIs;

class QueryInterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = QueryEngine::Open(LakeQueryOptions(dir_.path().string()));
    ASSERT_OK(e);
    engine_ = std::move(*e);
  }
  ::tributary::testing::TempDir dir_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(QueryInterruptTest, InterruptedBeforeTheCallCancelsAtOnce) {
  QueryInterrupt interrupt;
  interrupt.Interrupt();
  ExecuteOptions options;
  options.interrupt = &interrupt;
  EXPECT_THAT(engine_->Execute("SELECT 1", options), StatusIs(StatusCode::kCancelled));
  EXPECT_TRUE(interrupt.interrupted());
}

TEST_F(QueryInterruptTest, InterruptStopsARunningQuery) {
  QueryInterrupt interrupt;
  ExecuteOptions options;
  options.interrupt = &interrupt;
  Result<QueryResult> result = Status::Internal("not run");
  const auto start = std::chrono::steady_clock::now();
  std::thread t([&] {
    result = engine_->Execute(
        "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1", options);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  interrupt.Interrupt();
  t.join();
  EXPECT_THAT(result, StatusIs(StatusCode::kCancelled));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  // The engine still answers.
  EXPECT_OK(engine_->Execute("SELECT 1"));
}

TEST_F(QueryInterruptTest, NoInterruptRunsNormally) {
  QueryInterrupt interrupt;
  ExecuteOptions options;
  options.interrupt = &interrupt;
  auto r = engine_->Execute("SELECT 42 AS x", options);
  ASSERT_OK(r);
  EXPECT_EQ(*r->rows[0][0], "42");
}

}  // namespace
}  // namespace tributary::query
