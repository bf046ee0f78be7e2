// A pipeline whose pipe reads a DynamoDB stream through the DynamoDB Streams API instead of an
// embedded table: here the API of ANOTHER embedded TableEngine ("upstream"), served in process
// by dynamodb::LocalApiCaller, the same handlers `tributary up` serves over HTTP (the HTTP
// variant is tests/integration/aws_stream_test.py). Checks every change reaches SQL exactly
// once across a restart, and the Scan backfill of items written before the pipe started.
#include <chrono>
#include <thread>

#include "dynamodb/local_api_caller.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "runtime/pipeline.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::runtime {
namespace {

template <typename F>
bool WaitFor(F cond, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

class AwsPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = table::TableEngine::Open(upstream_dir_.str() + "/table", {});
    ASSERT_OK(engine.status());
    upstream_ = std::move(engine).value();
    table::TableSpec spec;
    spec.name = "Orders";
    spec.hash_key = {"order_id", AttributeType::kS};
    spec.stream_view_type = StreamViewType::kNewAndOldImages;
    spec.stream_shard_count = 2;
    ASSERT_OK(upstream_->CreateTable(spec).status());
  }

  Result<std::unique_ptr<Pipeline>> Open(std::string_view source_extra = "", std::string_view pipe_extra = "") {
    std::string yaml = R"(streams:
  - name: Changes
    shards: 2
pipes:
  - name: FromUpstream
    source: {type: dynamodb-streams, table: Orders, poll_interval_ms: 5)" +
                       std::string(source_extra) + R"(}
    target: stream:Changes)" + std::string(pipe_extra) + R"(
deliveries:
  - name: OrdersLake
    source: stream:Changes
    buffering: {interval_ms: 50}
    compaction: {enabled: false}
)";
    auto cfg = config::ParsePipelineConfig(yaml, "aws.yaml");
    if (!cfg.ok()) return cfg.status();
    PipelineOptions o;
    o.data_dir = dir_.str();
    o.aws_caller_factory = [this](std::string_view service, const config::AwsEndpointConfig&,
                                  std::string_view) -> Result<std::unique_ptr<AwsJsonCaller>> {
      services_.push_back(std::string(service));
      dynamodb::ApiContext ctx;
      ctx.engine = upstream_.get();
      ctx.clock = SystemClock::Default();
      return std::unique_ptr<AwsJsonCaller>(new dynamodb::LocalApiCaller(ctx));
    };
    return Pipeline::Open(*cfg, o);
  }

  void Put(const std::string& id, int64_t amount) {
    Item item;
    item.emplace("order_id", AttributeValue::S(id));
    item.emplace("amount", AttributeValue::N(amount));
    ASSERT_OK(upstream_->PutItem("Orders", std::move(item)).status());
  }

  // cdc_event_type -> rows, and the number of distinct (order_id, amount, type) rows.
  std::map<std::string, int64_t> Counts(Pipeline& p, int64_t* distinct = nullptr) {
    auto engine = query::QueryEngine::Open(query::LakeQueryOptions(p.lake_root()));
    EXPECT_OK(engine.status());
    std::map<std::string, int64_t> out;
    if (!engine.ok()) return out;
    EXPECT_OK(query::RefreshViews(**engine, p.catalog()));
    auto r = (*engine)->Execute("SELECT cdc_event_type, count(*) FROM orders_lake GROUP BY 1");
    EXPECT_OK(r.status());
    if (r.ok()) {
      for (const auto& row : r->rows) out[*row[0]] = std::stoll(*row[1]);
    }
    if (distinct) {
      auto d = (*engine)->Execute(
          "SELECT count(*) FROM (SELECT DISTINCT order_id, amount, cdc_event_type FROM orders_lake)");
      EXPECT_OK(d.status());
      if (d.ok()) *distinct = std::stoll(*d->rows[0][0]);
    }
    return out;
  }

  testing::TempDir upstream_dir_;
  testing::TempDir dir_;
  std::unique_ptr<table::TableEngine> upstream_;
  std::vector<std::string> services_;
};

TEST_F(AwsPipelineTest, StreamChangesReachSqlExactlyOnceAcrossARestart) {
  {
    auto p = Open();
    ASSERT_OK(p.status());
    EXPECT_EQ(services_, (std::vector<std::string>{"streams.dynamodb", "dynamodb"}));
    ASSERT_OK((*p)->Start());
    for (int i = 0; i < 40; ++i) Put("o" + std::to_string(i), i);
    for (int i = 0; i < 10; ++i) Put("o" + std::to_string(i), 100 + i);
    ASSERT_OK(upstream_->DeleteItem("Orders", {{"order_id", AttributeValue::S("o39")}}).status());
    ASSERT_TRUE(WaitFor([&] { return (*p)->Snapshot().delivered >= 51; })) << (*p)->Snapshot().ToJson();
    ASSERT_OK((*p)->Stop());
  }
  for (int i = 40; i < 60; ++i) Put("o" + std::to_string(i), i);  // while the pipeline is down
  auto p = Open();
  ASSERT_OK(p.status());
  ASSERT_OK((*p)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*p)->Snapshot().delivered >= 20; })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());
  int64_t distinct = 0;
  auto counts = Counts(**p, &distinct);
  EXPECT_EQ(counts["INSERT"], 60);
  EXPECT_EQ(counts["MODIFY"], 10);
  EXPECT_EQ(counts["REMOVE"], 1);
  EXPECT_EQ(distinct, 71);
  EXPECT_TRUE((*p)->Snapshot().errors.empty()) << (*p)->Snapshot().ToJson();
}

TEST_F(AwsPipelineTest, BackfillBringsExistingItemsBesideNewChanges) {
  for (int i = 0; i < 25; ++i) Put("old" + std::to_string(i), i);
  auto p = Open(", backfill: {segments: 3}", "\n    starting_position: LATEST");
  ASSERT_OK(p.status());
  ASSERT_OK((*p)->Start());
  ASSERT_TRUE(WaitFor([&] { return (*p)->Snapshot().delivered >= 25; })) << (*p)->Snapshot().ToJson();
  Put("new", 1);
  Put("old3", 1000);
  ASSERT_TRUE(WaitFor([&] { return (*p)->Snapshot().delivered >= 27; })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());
  auto counts = Counts(**p);
  EXPECT_EQ(counts["INSERT"], 26);  // 25 backfilled + 1 new
  EXPECT_EQ(counts["MODIFY"], 1);
}

}  // namespace
}  // namespace tributary::runtime
