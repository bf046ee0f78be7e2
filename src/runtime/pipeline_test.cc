#include "runtime/pipeline.h"

#include <chrono>
#include <thread>

#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "runtime/data_dir.h"
#include "runtime/table_order_writer.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::runtime {
namespace {

using ::tributary::testing::StatusIs;

// Polls `cond` until it holds or `timeout` passes (no fixed sleeps that race).
template <typename F>
bool WaitFor(F cond, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

std::map<std::string, int64_t> CountsByEvent(Pipeline& p) {
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions(p.lake_root()));
  EXPECT_OK(engine);
  EXPECT_OK(query::RefreshViews(**engine, p.catalog()));
  auto r = (*engine)->Execute(
      "SELECT cdc_event_type, count(*) FROM p1_kinesis_firehose_destination GROUP BY 1");
  EXPECT_OK(r);
  std::map<std::string, int64_t> out;
  if (r.ok()) {
    for (const auto& row : r->rows) out[*row[0]] = std::stoll(*row[1]);
  }
  return out;
}

TEST(PipelineTest, ChangesFlowFromTableToSql) {
  testing::TempDir dir;
  auto cfg = config::DefaultPipelineConfig();
  ASSERT_OK(cfg);
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  TableOrderWriter writer(&(*p)->tables(), "P1_OrdersRawTable");
  GeneratorOptions gopt;
  gopt.max_changes = 500;
  gopt.seed = testing::TestSeed();
  SalesGenerator gen(&writer, gopt, SystemClock::Default());
  GeneratorReport report;
  ASSERT_OK(gen.Run(&report));
  ASSERT_TRUE(WaitFor([&] { return (*p)->Snapshot().delivered >= 500; }))
      << (*p)->Snapshot().ToJson();
  auto counts = CountsByEvent(**p);
  EXPECT_EQ(counts["INSERT"], report.inserts);
  EXPECT_EQ(counts["MODIFY"], report.modifies);
  EXPECT_EQ(counts["REMOVE"], report.removes);
  {
    // The source table's key was recorded, so the change-history views exist: one current row
    // per live order, one history row per INSERT or MODIFY.
    auto engine = query::QueryEngine::Open(query::LakeQueryOptions((*p)->lake_root()));
    ASSERT_OK(engine);
    ASSERT_OK(query::RefreshViews(**engine, (*p)->catalog()));
    auto r = (*engine)->Execute(
        "SELECT (SELECT count(*) FROM p1_kinesis_firehose_destination_current), "
        "(SELECT count(*) FROM p1_kinesis_firehose_destination_history)");
    ASSERT_OK(r);
    EXPECT_EQ(r->rows[0][0], std::to_string(report.inserts - report.removes));
    EXPECT_EQ(r->rows[0][1], std::to_string(report.inserts + report.modifies));
  }
  ASSERT_OK((*p)->Stop());
  auto snap = (*p)->Snapshot();
  EXPECT_EQ(snap.captured, 500);
  EXPECT_EQ(snap.delivered, 500);
  EXPECT_TRUE(snap.errors.empty()) << snap.ToJson();
}

TEST(PipelineTest, RepeatedRestartsLoseAndDuplicateNothing) {
  testing::TempDir dir;
  auto cfg = config::DefaultPipelineConfig();
  ASSERT_OK(cfg);
  GeneratorReport total;
  GeneratorOptions gopt;
  gopt.seed = testing::TestSeed();
  gopt.order_prefix = "r-";
  for (int round = 0; round < 3; ++round) {
    auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
    ASSERT_OK(p);
    ASSERT_OK((*p)->Start());
    TableOrderWriter writer(&(*p)->tables(), "P1_OrdersRawTable");
    gopt.max_changes = 300;
    gopt.seed += 1;
    gopt.order_prefix = "r" + std::to_string(round) + "-";
    SalesGenerator gen(&writer, gopt, SystemClock::Default());
    GeneratorReport report;
    ASSERT_OK(gen.Run(&report));
    total.inserts += report.inserts;
    total.modifies += report.modifies;
    total.removes += report.removes;
    // Stop right after writing, while changes are still in flight: Stop() must move and commit
    // them, and the next run must not deliver them again.
    ASSERT_OK((*p)->Stop());
  }
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  ASSERT_TRUE(WaitFor([&] {
    auto c = CountsByEvent(**p);
    return c["INSERT"] + c["MODIFY"] + c["REMOVE"] >= total.changes();
  }));
  ASSERT_OK((*p)->Stop());
  auto counts = CountsByEvent(**p);
  EXPECT_EQ(counts["INSERT"], total.inserts);
  EXPECT_EQ(counts["MODIFY"], total.modifies);
  EXPECT_EQ(counts["REMOVE"], total.removes);
}

TEST(PipelineTest, LayoutIsRecordedAndLakeIsSeparate) {
  testing::TempDir dir;
  auto cfg = config::DefaultPipelineConfig();
  ASSERT_OK(cfg);
  {
    auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
    ASSERT_OK(p);
  }
  auto layout = DataDirLayout::Load(dir.str());
  ASSERT_OK(layout);
  EXPECT_EQ(layout->lake_root, dir.str() + "/lake");
  EXPECT_EQ(layout->catalog_path, dir.str() + "/catalog.db");
  EXPECT_THAT(DataDirLayout::Load(dir.str() + "/nope"), StatusIs(StatusCode::kNotFound));
  auto bad = *cfg;
  bad.deliveries[0].destination.path = ".";
  EXPECT_THAT(DataDirLayout::ForConfig(dir.str(), bad), StatusIs(StatusCode::kInvalidArgument));
}

TEST(PipelineTest, ProcessorParameterErrorsPointAtTheirYamlLine) {
  testing::TempDir dir;
  auto cfg = config::ParsePipelineConfig(R"(tables:
  - name: Orders
    hash_key: {name: id, type: S}
    stream: {}
streams: [{name: s}]
deliveries:
  - name: d
    source: stream:s
    processors:
      - type: decompress
      - type: cdc-flatten
        image: both
)",
                                         "pipeline.yaml");
  ASSERT_OK(cfg);
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "pipeline.yaml:12:16: delivery 'd': processor 'cdc-flatten' parameter 'image': 'both' "
            "is not new or old");
}

}  // namespace
}  // namespace tributary::runtime
