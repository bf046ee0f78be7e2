#include "runtime/pipeline.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <ctime>
#include <regex>
#include <set>
#include <thread>

#include <simdjson.h>

#include "core/change_record.h"
#include "core/encoding.h"
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

// The seed's pipe written as on AWS: a filter on eventName and a partition key path. Only the
// matching changes reach the lake; the others are counted and never re-read.
TEST(PipelineTest, PipeFilterKeepsOnlyMatchingChangesInTheLake) {
  testing::TempDir dir;
  auto cfg = config::DefaultPipelineConfig();
  ASSERT_OK(cfg);
  config::PipeConfig& pipe = cfg->pipes.front();
  EXPECT_EQ(pipe.partition_key, "$.dynamodb.Keys.order_id.S");
  ASSERT_EQ(pipe.filters.size(), 1u);  // the example's pass-everything filter
  pipe.filters = {{R"({"eventName": ["INSERT", "MODIFY"]})", {}}};
  ASSERT_OK(config::ValidatePipelineConfig(*cfg));
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  TableOrderWriter writer(&(*p)->tables(), "P1_OrdersRawTable");
  GeneratorOptions gopt;
  gopt.max_changes = 300;
  gopt.seed = testing::TestSeed();
  SalesGenerator gen(&writer, gopt, SystemClock::Default());
  GeneratorReport report;
  ASSERT_OK(gen.Run(&report));
  ASSERT_GT(report.removes, 0);
  const int64_t kept = report.inserts + report.modifies;
  ASSERT_TRUE(WaitFor([&] {
    auto s = (*p)->Snapshot();
    return s.delivered >= kept && s.captured + s.filtered >= 300;
  })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());
  auto counts = CountsByEvent(**p);
  EXPECT_EQ(counts["INSERT"], report.inserts);
  EXPECT_EQ(counts["MODIFY"], report.modifies);
  EXPECT_EQ(counts.count("REMOVE"), 0u);
  auto snap = (*p)->Snapshot();
  EXPECT_EQ(snap.captured, kept);
  EXPECT_EQ(snap.filtered, report.removes);
  EXPECT_EQ(snap.delivered, kept);
  EXPECT_NE(snap.ToJson().find("\"filtered\":" + std::to_string(report.removes)), std::string::npos);
  EXPECT_TRUE(snap.errors.empty()) << snap.ToJson();
}

// Target parameters from YAML: LATEST skips what the table held before the pipe first ran, a
// partition key path that selects nothing sends the record to the dead-letter file, the rest
// reach SQL.
TEST(PipelineTest, PipeStartingPositionAndDeadLetterFromYaml) {
  testing::TempDir dir;
  auto cfg = config::ParsePipelineConfig(R"(tables:
  - name: Orders
    hash_key: {name: order_id, type: S}
    stream: {}
streams: [{name: orders-stream}]
pipes:
  - name: orders-pipe
    source: table:Orders
    target: stream:orders-stream
    starting_position: LATEST
    partition_key: $.dynamodb.NewImage.customer_id.S
    dead_letter: file:dead-letter/orders-pipe.jsonl
    maximum_batching_window_seconds: 0
deliveries:
  - {name: orders-firehose, source: stream:orders-stream, table: orders, buffering: {interval_ms: 20}}
)",
                                         (dir.path() / "pipeline.yaml").string());
  ASSERT_OK(cfg);
  auto p = Pipeline::Open(*cfg, {.data_dir = (dir.path() / "data").string()});
  ASSERT_OK(p);
  auto put = [&](const std::string& id, bool with_customer) {
    Item item = {{"order_id", AttributeValue::S(id)}};
    if (with_customer) item["customer_id"] = AttributeValue::S("c-" + id);
    ASSERT_OK((*p)->tables().PutItem("Orders", item));
  };
  put("before-1", true);
  put("before-2", true);
  ASSERT_OK((*p)->Start());  // the pipe's LATEST position is fixed when Start returns
  put("after-1", true);
  put("after-2", false);  // no customer_id: no partition key
  put("after-3", true);
  ASSERT_TRUE(WaitFor([&] {
    auto s = (*p)->Snapshot();
    return s.delivered >= 2 && s.dead_lettered >= 1;
  })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());
  auto snap = (*p)->Snapshot();
  EXPECT_EQ(snap.captured, 2);
  EXPECT_EQ(snap.dead_lettered, 1);
  EXPECT_EQ(snap.delivered, 2);
  std::ifstream dlq(dir.path() / "data" / "dead-letter" / "orders-pipe.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(dlq, line));
  EXPECT_NE(line.find(R"("pipeArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-pipe")"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find(R"("order_id":{"S":"after-2"})"), std::string::npos) << line;
  EXPECT_FALSE(std::getline(dlq, line));
}

TEST(PipelineTest, ParquetFormatFromTheConfigFlowsToSql) {
  testing::TempDir dir;
  auto cfg = config::DefaultPipelineConfig();
  ASSERT_OK(cfg);
  config::FormatConfig& format = cfg->deliveries.front().format;
  format.type = config::FileFormatType::kParquet;
  format.compression = config::FileCompression::kZstd;
  ASSERT_OK(config::ValidatePipelineConfig(*cfg));
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  TableOrderWriter writer(&(*p)->tables(), "P1_OrdersRawTable");
  GeneratorOptions gopt;
  gopt.max_changes = 300;
  gopt.seed = testing::TestSeed();
  SalesGenerator gen(&writer, gopt, SystemClock::Default());
  GeneratorReport report;
  ASSERT_OK(gen.Run(&report));
  ASSERT_TRUE(WaitFor([&] { return (*p)->Snapshot().delivered >= 300; }))
      << (*p)->Snapshot().ToJson();
  auto counts = CountsByEvent(**p);
  EXPECT_EQ(counts["INSERT"], report.inserts);
  EXPECT_EQ(counts["MODIFY"], report.modifies);
  EXPECT_EQ(counts["REMOVE"], report.removes);
  auto table = (*p)->catalog().GetTable("p1_kinesis_firehose_destination");
  ASSERT_OK(table);
  EXPECT_EQ(table->format, "parquet+zstd");
  auto files = (*p)->catalog().ListFiles("p1_kinesis_firehose_destination");
  ASSERT_OK(files);
  ASSERT_FALSE(files->empty());
  for (const catalog::DataFile& f : *files) EXPECT_TRUE(f.path.ends_with(".parquet")) << f.path;
  {
    // The change-history views work over Parquet files too.
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

// A Firehose transformation Lambda, written as for AWS: it receives cdc-flatten's rows, adds
// fields, sets partition keys, fails and drops some records.
constexpr char kOrdersHandler[] = R"PY(import base64
import json


def lambda_handler(event, context):
    print("got %d records from %s" % (len(event["records"]), event["sourceKinesisStreamArn"]))
    output = []
    for record in event["records"]:
        row = json.loads(base64.b64decode(record["data"]))
        if row["quantity"] % 4 == 0:
            output.append({"recordId": record["recordId"], "result": "Dropped"})
            continue
        if row["quantity"] % 4 == 1:
            output.append({"recordId": record["recordId"], "result": "ProcessingFailed",
                           "data": record["data"]})
            continue
        row["total_cents"] = row["quantity"] * 250
        row["processed_by"] = context.function_name
        ts = row["creation_datetime"]
        output.append({
            "recordId": record["recordId"],
            "result": "Ok",
            "data": base64.b64encode((json.dumps(row) + "\n").encode()).decode(),
            "metadata": {"partitionKeys": {"customer_id": row["customer_id"], "year": ts[0:4],
                                           "month": ts[5:7], "day": ts[8:10],
                                           "hour": ts[11:13]}},
        })
    return {"records": output}
)PY";

TEST(PipelineTest, LambdaProcessorRowsAndErrorsLandInTheLakeAndCatalog) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "handlers" / "orders");
  std::ofstream(dir.path() / "handlers" / "orders" / "lambda_function.py") << kOrdersHandler;
  auto cfg = config::ParsePipelineConfig(R"(tables:
  - name: Orders
    hash_key: {name: order_id, type: S}
    stream: {}
streams: [{name: orders-stream}]
pipes:
  - {name: orders-pipe, source: table:Orders, target: stream:orders-stream}
deliveries:
  - name: orders-firehose
    source: stream:orders-stream
    table: orders
    buffering: {interval_ms: 20}
    processors:
      - type: cdc-flatten
      - type: lambda
        handler: lambda_function.lambda_handler
        code: handlers/orders
        runtime: python3.12
        function_name: enrich-orders
        number_of_retries: 1
)",
                                         (dir.path() / "pipeline.yaml").string());
  ASSERT_OK(cfg);
  auto p = Pipeline::Open(*cfg, {.data_dir = (dir.path() / "data").string()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  for (int i = 1; i <= 12; ++i) {
    Item item = {{"order_id", AttributeValue::S("o-" + std::to_string(i))},
                 {"customer_id", AttributeValue::S("c-" + std::to_string(i % 3))},
                 {"quantity", AttributeValue::N(int64_t{i})}};
    ASSERT_OK((*p)->tables().PutItem("Orders", item));
  }
  // quantity % 4: 0 -> Dropped (3), 1 -> ProcessingFailed (3), else delivered (6).
  ASSERT_TRUE(WaitFor([&] {
    auto s = (*p)->Snapshot();
    return s.delivered >= 6 && s.failed >= 3;
  })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());
  EXPECT_EQ((*p)->Snapshot().delivered, 6);
  EXPECT_EQ((*p)->Snapshot().failed, 3);

  auto engine = query::QueryEngine::Open(query::LakeQueryOptions((*p)->lake_root()));
  ASSERT_OK(engine);
  ASSERT_OK(query::RefreshViews(**engine, (*p)->catalog()));
  auto rows = (*engine)->Execute(
      "SELECT order_id, customer_id, quantity, total_cents, processed_by, cdc_event_type "
      "FROM orders ORDER BY quantity");
  ASSERT_OK(rows);
  std::vector<std::string> got;
  for (const auto& r : rows->rows) {
    got.push_back(*r[0] + "," + *r[1] + "," + *r[2] + "," + *r[3] + "," + *r[4] + "," + *r[5]);
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "o-2,c-2,2,500,enrich-orders,INSERT", "o-3,c-0,3,750,enrich-orders,INSERT",
                     "o-6,c-0,6,1500,enrich-orders,INSERT", "o-7,c-1,7,1750,enrich-orders,INSERT",
                     "o-10,c-1,10,2500,enrich-orders,INSERT",
                     "o-11,c-2,11,2750,enrich-orders,INSERT"}));
  // The rows sit in the hour partitions the Lambda's partition keys named.
  auto files = (*p)->catalog().ListFiles("orders");
  ASSERT_OK(files);
  ASSERT_FALSE(files->empty());
  for (const auto& f : *files) EXPECT_NE(f.path.find("year="), std::string::npos) << f.path;

  auto errors = (*engine)->Execute(
      "SELECT errorCode, lambdaArn, attemptsMade, decode(from_base64(rawData)) FROM orders_errors");
  ASSERT_OK(errors);
  ASSERT_EQ(errors->rows.size(), 3u);
  std::set<std::string> failed_orders;
  for (const auto& r : errors->rows) {
    EXPECT_EQ(*r[0], "Lambda.ProcessingFailed");
    EXPECT_EQ(*r[1], "arn:aws:lambda:us-east-1:000000000000:function:enrich-orders");
    EXPECT_EQ(*r[2], "1");
    // rawData is the original stream record (the DynamoDB change), not the flattened row.
    const std::string& raw = *r[3];
    EXPECT_NE(raw.find("\"eventName\":\"INSERT\""), std::string::npos) << raw;
    size_t at = raw.find("\"order_id\":{\"S\":\"");
    ASSERT_NE(at, std::string::npos) << raw;
    at += 17;
    failed_orders.insert(raw.substr(at, raw.find('"', at) - at));
  }
  EXPECT_EQ(failed_orders, (std::set<std::string>{"o-1", "o-5", "o-9"}));

  // The handler's print() went to its log.
  std::ifstream log(dir.path() / "data" / "processors" / "orders-firehose" / "step-2" /
                    "enrich-orders.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("from arn:aws:kinesis:us-east-1:000000000000:stream/orders-stream"),
            std::string::npos)
      << text;
}

TEST(PipelineTest, LambdaInvocationFailuresAreRetriedThenLandAsErrorsWithTheTraceback) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "h");
  std::ofstream(dir.path() / "h" / "fails.py")
      << "def handler(event, context):\n    raise ValueError('cannot enrich %d records' % "
         "len(event['records']))\n";
  auto cfg = config::ParsePipelineConfig(R"(tables:
  - name: Orders
    hash_key: {name: order_id, type: S}
    stream: {}
streams: [{name: s}]
pipes:
  - {name: p, source: table:Orders, target: stream:s}
deliveries:
  - name: d
    source: stream:s
    table: orders
    buffering: {interval_ms: 20}
    processor: {type: lambda, handler: fails.handler, code: h, number_of_retries: 1}
)",
                                         (dir.path() / "pipeline.yaml").string());
  ASSERT_OK(cfg);
  auto p = Pipeline::Open(*cfg, {.data_dir = (dir.path() / "data").string()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  ASSERT_OK((*p)->tables().PutItem("Orders", {{"order_id", AttributeValue::S("o-1")}}));
  ASSERT_TRUE(WaitFor([&] { return (*p)->Snapshot().failed >= 1; })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());
  EXPECT_EQ((*p)->Snapshot().delivered, 0);
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions((*p)->lake_root()));
  ASSERT_OK(engine);
  ASSERT_OK(query::RefreshViews(**engine, (*p)->catalog()));
  auto errors = (*engine)->Execute(
      "SELECT errorCode, attemptsMade, errorMessage, lambdaArn FROM orders_errors");
  ASSERT_OK(errors);
  ASSERT_EQ(errors->rows.size(), 1u);
  const auto& r = errors->rows[0];
  EXPECT_EQ(*r[0], "Processor.InvocationFailed");
  EXPECT_EQ(*r[1], "2");  // the first attempt and number_of_retries: 1
  EXPECT_NE(r[2]->find("Lambda.FunctionError"), std::string::npos) << *r[2];
  EXPECT_NE(r[2]->find("ValueError: cannot enrich 1 records"), std::string::npos) << *r[2];
  EXPECT_NE(r[2]->find("Traceback (most recent call last)"), std::string::npos) << *r[2];
  EXPECT_EQ(*r[3], "arn:aws:lambda:us-east-1:000000000000:function:d-transform");
}

std::string SourceDir() {
  if (const char* dir = std::getenv("TRIBUTARY_SOURCE_DIR")) return dir;
  return TRIBUTARY_SOURCE_DIR_DEFAULT;
}

// examples/lambda-pipeline.yaml with its handler, examples/handlers/enrich/lambda_function.py,
// exactly as shipped.
TEST(PipelineTest, ShippedLambdaExampleRuns) {
  testing::TempDir dir;
  auto cfg = config::LoadPipelineConfig(SourceDir() + "/examples/lambda-pipeline.yaml");
  ASSERT_OK(cfg);
  cfg->server.port = 0;
  for (auto& d : cfg->deliveries) d.buffering.interval_ms = 20;
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  auto order = [](const std::string& id, int64_t qty) {
    return Item{{"order_id", AttributeValue::S(id)},
                {"product_name", AttributeValue::S("Wireless Mouse")},
                {"quantity", AttributeValue::N(qty)},
                {"price", *AttributeValue::N("19.99")},
                {"customer_id", AttributeValue::S("CUST-7")},
                {"status", AttributeValue::S("PENDING")}};
  };
  table::TableEngine& t = (*p)->tables();
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-1", 2)));
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("TEST-1", 1)));  // dropped
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-2", 0)));   // ProcessingFailed
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-1", 3)));   // MODIFY
  ASSERT_TRUE(WaitFor([&] {
    auto s = (*p)->Snapshot();
    return s.delivered >= 2 && s.failed >= 1;
  })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions((*p)->lake_root()));
  ASSERT_OK(engine);
  ASSERT_OK(query::RefreshViews(**engine, (*p)->catalog()));
  auto rows = (*engine)->Execute(
      "SELECT order_id, cdc_event_type, quantity, order_total, enriched_by FROM enriched_orders "
      "ORDER BY sequence_number");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(*rows->rows[0][0] + "," + *rows->rows[0][1] + "," + *rows->rows[0][2] + "," +
                *rows->rows[0][3] + "," + *rows->rows[0][4],
            "ORD-1,INSERT,2,39.98,enrich-orders");
  EXPECT_EQ(*rows->rows[1][0] + "," + *rows->rows[1][1] + "," + *rows->rows[1][3],
            "ORD-1,MODIFY,59.97");
  auto errors = (*engine)->Execute("SELECT errorCode FROM enriched_orders_errors");
  ASSERT_OK(errors);
  ASSERT_EQ(errors->rows.size(), 1u);
  EXPECT_EQ(*errors->rows[0][0], "Lambda.ProcessingFailed");
  std::ifstream log(dir.path() / "processors" / "P1_OrdersFirehose" / "step-2" /
                    "enrich-orders.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("cannot price order ORD-2"), std::string::npos) << text;
}


// The issue's "Done means" for Lambda: a handler written for Firehose
// (examples/handlers/firehose_orders/lambda_function.py: base64 decode, add fields, set
// metadata.partitionKeys, mark some records ProcessingFailed, drop some) runs unchanged in
// examples/firehose-lambda-pipeline.yaml, whose prefix uses !{partitionKeyFromLambda:...} and
// whose error output prefix uses !{firehose:error-output-type}; objects land where Firehose would
// put them, named as Firehose names them, and the failed records carry Firehose's failure JSON.
TEST(PipelineTest, FirehoseLambdaExampleLandsWhereFirehoseWould) {
  testing::TempDir dir;
  auto cfg = config::LoadPipelineConfig(SourceDir() + "/examples/firehose-lambda-pipeline.yaml");
  ASSERT_OK(cfg);
  cfg->server.port = 0;
  for (auto& d : cfg->deliveries) d.buffering.interval_ms = 20;
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str()});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  auto order = [](const std::string& id, const std::string& customer, int64_t qty,
                  const std::string& date) {
    Item item{{"order_id", AttributeValue::S(id)},
              {"customer_id", AttributeValue::S(customer)},
              {"quantity", AttributeValue::N(qty)},
              {"price", *AttributeValue::N("19.99")}};
    if (!date.empty()) item.emplace("order_date", AttributeValue::S(date));
    return item;
  };
  table::TableEngine& t = (*p)->tables();
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-1", "CUST-7", 2, "2024-05-01T10:00:00Z")));
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-2", "CUST-9", 1, "2024-06-30T23:59:00Z")));
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("TEST-1", "CUST-7", 1, "2024-05-01")));  // Dropped
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-3", "CUST-7", 0, "2024-05-01")));  // failed
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-4", "CUST-7", 5, "")));            // failed
  ASSERT_OK(t.PutItem("P1_OrdersRawTable", order("ORD-1", "CUST-7", 3, "2024-05-01T10:00:00Z")));
  ASSERT_OK(t.DeleteItem("P1_OrdersRawTable", {{"order_id", AttributeValue::S("ORD-2")}}));  // Dropped
  ASSERT_TRUE(WaitFor([&] {
    auto s = (*p)->Snapshot();
    return s.delivered >= 3 && s.failed >= 2;
  })) << (*p)->Snapshot().ToJson();
  ASSERT_OK((*p)->Stop());

  // Firehose's object name: <DeliveryStreamName>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>.
  const std::regex firehose_name(
      "P1_OrdersFirehose-1-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d-"
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.json");
  auto files = (*p)->catalog().ListFiles("orders");
  ASSERT_OK(files);
  std::set<std::string> folders;
  for (const catalog::DataFile& f : *files) {
    const std::filesystem::path path(f.path);
    folders.insert(path.parent_path().string());
    EXPECT_TRUE(std::regex_match(path.filename().string(), firehose_name)) << f.path;
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path((*p)->lake_root()) / f.path));
  }
  EXPECT_EQ(folders, (std::set<std::string>{"orders/customer=CUST-7/2024/05/01",
                                            "orders/customer=CUST-9/2024/06/30"}));

  // The failed records: orders-errors/processing-failed/<arrival yyyy/MM/dd>/, Firehose's JSON.
  auto error_files = (*p)->catalog().ListFiles("orders_errors");
  ASSERT_OK(error_files);
  std::set<std::string> failed_orders;
  simdjson::dom::parser parser;
  for (const catalog::DataFile& f : *error_files) {
    const std::filesystem::path path(f.path);
    EXPECT_TRUE(std::regex_match(path.filename().string(), firehose_name)) << f.path;
    std::ifstream in(std::filesystem::path((*p)->lake_root()) / f.path);
    for (std::string line; std::getline(in, line);) {
      simdjson::dom::element doc;
      ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
      EXPECT_EQ(std::string(doc["errorCode"].get_string().value()), "Lambda.ProcessingFailed");
      EXPECT_EQ(doc["attemptsMade"].get_int64().value(), 1);
      EXPECT_EQ(std::string(doc["lambdaArn"].get_string().value()),
                "arn:aws:lambda:us-east-1:000000000000:function:orders-transform");
      EXPECT_FALSE(std::string(doc["errorMessage"].get_string().value()).empty());
      EXPECT_GT(doc["attemptEndingTimestamp"].get_int64().value(), 0);
      const int64_t arrival_ms = doc["arrivalTimestamp"].get_int64().value();
      const std::time_t arrival_s = static_cast<std::time_t>(arrival_ms / 1000);
      std::tm tm{};
      gmtime_r(&arrival_s, &tm);
      char day[16];
      std::strftime(day, sizeof(day), "%Y/%m/%d", &tm);
      EXPECT_EQ(path.parent_path().string(),
                std::string("orders-errors/processing-failed/") + day);
      // rawData: the original record, as Firehose sent it to the Lambda.
      auto raw = Base64Decode(doc["rawData"].get_string().value());
      ASSERT_OK(raw);
      auto change = ChangeRecord::FromJson(*raw);
      ASSERT_OK(change);
      failed_orders.insert(change->keys.at("order_id").text());
    }
  }
  EXPECT_EQ(failed_orders, (std::set<std::string>{"ORD-3", "ORD-4"}));

  // Through SQL: the rows with the handler's fields and their partition values.
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions((*p)->lake_root()));
  ASSERT_OK(engine);
  ASSERT_OK(query::RefreshViews(**engine, (*p)->catalog()));
  auto rows = (*engine)->Execute(
      "SELECT order_id, event_name, order_total, enriched_by, customer, partition_1, partition_2, "
      "partition_3 FROM orders ORDER BY order_id, order_total");
  ASSERT_OK(rows);
  std::vector<std::string> got;
  for (const auto& r : rows->rows) {
    std::string line;
    for (const auto& v : r) line += (line.empty() ? "" : ",") + v.value_or("NULL");
    got.push_back(line);
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "ORD-1,INSERT,39.98,orders-transform,CUST-7,2024,05,01",
                     "ORD-1,MODIFY,59.97,orders-transform,CUST-7,2024,05,01",
                     "ORD-2,INSERT,19.99,orders-transform,CUST-9,2024,06,30"}));
  auto stats = (*p)->Snapshot();
  EXPECT_EQ(stats.failed, 2) << stats.ToJson();
}

// The per-stage figures `status`, /api/status and the dashboard show, and the gauges and
// histograms /metrics exposes, agree with what was written and delivered.
TEST(PipelineTest, StageFiguresLagAndLatencyMetrics) {
  testing::TempDir dir;
  auto cfg = config::DefaultPipelineConfig();
  ASSERT_OK(cfg);
  MetricsRegistry metrics;
  auto p = Pipeline::Open(*cfg, {.data_dir = dir.str(), .metrics = &metrics});
  ASSERT_OK(p);
  ASSERT_OK((*p)->Start());
  TableOrderWriter writer(&(*p)->tables(), "P1_OrdersRawTable");
  GeneratorOptions gopt;
  gopt.max_changes = 300;
  gopt.seed = testing::TestSeed();
  SalesGenerator gen(&writer, gopt, SystemClock::Default());
  GeneratorReport report;
  ASSERT_OK(gen.Run(&report));
  const int64_t changes = report.inserts + report.modifies + report.removes;
  ASSERT_TRUE(WaitFor([&] {
    auto s = (*p)->Snapshot();
    return s.delivered == changes && s.lag_records == 0;
  })) << (*p)->Snapshot().ToJson();
  PipelineSnapshot snap = (*p)->Snapshot();
  // (table_changes comes from the tables' counters, which live in MetricsRegistry::Default().)
  EXPECT_EQ(snap.capture_backlog, 0);
  ASSERT_EQ(snap.pipes.size(), 1u);
  EXPECT_EQ(snap.pipes[0].name, "P1_OrdersPipe");
  EXPECT_EQ(snap.pipes[0].stream, "P1_OrdersStream");
  EXPECT_EQ(snap.pipes[0].records, changes);
  ASSERT_EQ(snap.deliveries.size(), 1u);
  const auto& d = snap.deliveries[0];
  EXPECT_EQ(d.name, "P1_OrdersFirehose");
  EXPECT_EQ(d.stream, "P1_OrdersStream");
  EXPECT_EQ(d.table, "p1_kinesis_firehose_destination");
  EXPECT_EQ(d.records_read, changes);
  EXPECT_EQ(d.rows, changes);
  EXPECT_EQ(d.files, snap.files);
  EXPECT_GT(d.bytes, 0);
  EXPECT_GT(d.commits, 0);
  EXPECT_EQ(d.buffered, 0);
  EXPECT_EQ(d.lag_records, 0);
  EXPECT_EQ(d.retention_ms, 24 * 3'600'000LL);
  EXPECT_EQ(d.retention_headroom_ms, d.retention_ms - d.lag_ms);
  EXPECT_GT(d.commit_p50_ms, 0);
  EXPECT_GE(d.commit_p99_ms, d.commit_p50_ms);
  EXPECT_GT(d.latency_p50_ms, 0);
  EXPECT_GE(d.latency_p99_ms, d.latency_p50_ms);

  const auto hist = metrics.HistogramSnapshot();
  const std::string labels = "{delivery=\"P1_OrdersFirehose\"}";
  ASSERT_TRUE(hist.count("tributary_delivery_commit_seconds" + labels));
  EXPECT_EQ(hist.at("tributary_delivery_commit_seconds" + labels).count, d.commits);
  EXPECT_EQ(hist.at("tributary_delivery_latency_seconds" + labels).count, d.commits);
  const std::string text = metrics.PrometheusText();
  EXPECT_NE(text.find("# TYPE tributary_delivery_lag_records gauge\ntributary_delivery_lag_records" + labels + " 0\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("tributary_delivery_retention_headroom_seconds" + labels + " "), std::string::npos);
  EXPECT_NE(text.find("# HELP tributary_pipe_records_total "), std::string::npos);
  EXPECT_NE(text.find("tributary_delivery_latency_seconds_bucket{delivery=\"P1_OrdersFirehose\",le=\"+Inf\"} "),
            std::string::npos);

  // The JSON carries the same figures (status.json, `tributary status`, GET /api/status).
  const std::string json = snap.ToJson();
  for (const char* key : {"\"pipes\":[{\"name\":\"P1_OrdersPipe\"", "\"lag_records\":0", "\"retention_headroom_ms\":",
                          "\"commit_p99_ms\":", "\"latency_p50_ms\":"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
  ASSERT_OK((*p)->Stop());
}

}  // namespace
}  // namespace tributary::runtime
