// End-to-end tests: drive the real `tributary` binary, then check the lake through SQL against
// independent oracles (the generator's report, the table's contents, the table's own stream).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "catalog/catalog.h"
#include "core/dynamo_json.h"
#include "process.h"
#include "query/catalog_views.h"
#include "query/query_engine.h"
#include "runtime/data_dir.h"
#include "table/table_engine.h"
#include "testing/test_util.h"

namespace tributary::e2e {
namespace {

constexpr const char* kTable = "P1_OrdersRawTable";
constexpr const char* kSqlTable = "p1_kinesis_firehose_destination";

using Row = std::map<std::string, std::optional<std::string>>;

// All rows of a SQL query, by column name, run in process over the data dir's catalog.
std::vector<Row> Sql(const std::string& data_dir, const std::string& sql) {
  auto layout = runtime::DataDirLayout::Load(data_dir);
  EXPECT_OK(layout);
  auto catalog = catalog::Catalog::Open(layout->catalog_path);
  EXPECT_OK(catalog);
  auto engine = query::QueryEngine::Open(query::LakeQueryOptions(layout->lake_root));
  EXPECT_OK(engine);
  EXPECT_OK(query::RefreshViews(**engine, **catalog));
  auto r = (*engine)->Execute(sql);
  EXPECT_OK(r) << sql;
  std::vector<Row> rows;
  if (!r.ok()) return rows;
  for (const auto& values : r->rows) {
    Row row;
    for (size_t i = 0; i < values.size(); ++i) row[r->column_names[i]] = values[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::map<std::string, Item> TableItems(table::TableEngine& engine) {
  std::map<std::string, Item> out;
  table::ScanSpec scan;
  for (;;) {
    auto page = engine.Scan(kTable, scan);
    EXPECT_OK(page);
    if (!page.ok()) break;
    for (auto& item : page->items) out[item.at("order_id").text()] = std::move(item);
    if (!page->last_evaluated_key) break;
    scan.exclusive_start_key = page->last_evaluated_key;
  }
  return out;
}

std::set<std::string> TableStreamEventIds(table::TableEngine& engine) {
  std::set<std::string> ids;
  auto shards = engine.ListStreamShards(kTable);
  EXPECT_OK(shards);
  for (const auto& shard : *shards) {
    std::string after;
    for (;;) {
      auto records = engine.ReadStream(kTable, shard.shard_id, after, 1000);
      EXPECT_OK(records);
      if (!records.ok() || records->empty()) break;
      for (const auto& r : *records) ids.insert(r.event_id);
      after = records->back().sequence_number;
    }
  }
  return ids;
}

// The newest lake row of every order must equal the table: same attributes for live orders,
// REMOVE for deleted ones; and every item in the table has rows.
void ExpectLatestRowsMatchTable(const std::string& data_dir) {
  auto latest = Sql(data_dir, std::string("SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY order_id "
                                          "ORDER BY sequence_number DESC) AS rn FROM ") +
                                  kSqlTable + ") WHERE rn = 1");
  auto engine = table::TableEngine::Open(data_dir + "/table", {});
  ASSERT_OK(engine);
  auto items = TableItems(**engine);
  ASSERT_FALSE(items.empty());
  std::set<std::string> seen;
  for (const auto& row : latest) {
    const std::string id = *row.at("order_id");
    seen.insert(id);
    auto it = items.find(id);
    if (*row.at("cdc_event_type") == "REMOVE") {
      EXPECT_EQ(it, items.end()) << id << " was deleted but is still in the table";
      continue;
    }
    ASSERT_NE(it, items.end()) << id << " is in the lake but not in the table";
    const Item& item = it->second;
    for (const char* attr : {"product_name", "customer_id", "status", "order_date", "updated_at"}) {
      EXPECT_EQ(row.at(attr).value_or("NULL"), item.at(attr).text()) << id << "." << attr;
    }
    EXPECT_EQ(row.at("quantity").value_or("NULL"), item.at("quantity").text()) << id;
    EXPECT_DOUBLE_EQ(std::stod(row.at("price").value_or("0")), std::stod(item.at("price").text())) << id;
  }
  for (const auto& [id, item] : items) EXPECT_TRUE(seen.count(id)) << id << " has no row in the lake";
}

TEST(DemoEndToEnd, LakeMatchesGeneratorAndTable) {
  testing::TempDir dir;
  std::string data = dir.str() + "/data";
  std::string report_path = dir.str() + "/report.json";
  auto r = e2e::Run({BinaryPath(), "demo", "--duration", "6", "--rate", "400", "--data-dir", data, "--report",
                report_path, "--quiet", "--query-every", "2", "--seed", std::to_string(testing::TestSeed())});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("matches the generator exactly"), std::string::npos) << r.output;

  // The generator's report is the oracle for counts per event type.
  std::string report = ReadWholeFile(report_path);
  simdjson::dom::parser parser;
  simdjson::dom::element rep;
  ASSERT_EQ(parser.parse(report).get(rep), simdjson::SUCCESS) << report;
  int64_t inserts = 0, modifies = 0, removes = 0;
  ASSERT_EQ(rep["inserts"].get_int64().get(inserts), simdjson::SUCCESS);
  ASSERT_EQ(rep["modifies"].get_int64().get(modifies), simdjson::SUCCESS);
  ASSERT_EQ(rep["removes"].get_int64().get(removes), simdjson::SUCCESS);
  EXPECT_GT(inserts, 100);
  EXPECT_GT(modifies, 50);
  EXPECT_GT(removes, 10);

  // Counts through the real CLI.
  auto q = e2e::Run({BinaryPath(), "query", "--data-dir", data, "--format", "csv",
                std::string("SELECT cdc_event_type, count(*) AS n FROM ") + kSqlTable + " GROUP BY 1 ORDER BY 1"});
  ASSERT_EQ(q.exit_code, 0) << q.output;
  EXPECT_EQ(q.output, "cdc_event_type,n\nINSERT," + std::to_string(inserts) + "\nMODIFY," +
                          std::to_string(modifies) + "\nREMOVE," + std::to_string(removes) + "\n");

  ExpectLatestRowsMatchTable(data);

  // The seed queries, unchanged, return correct rows.
  auto all = Sql(data, std::string("SELECT * FROM ") + kSqlTable);
  auto q1 = Sql(data, std::string("SELECT * FROM ") + kSqlTable +
                          " WHERE cdc_event_type = 'MODIFY' ORDER BY creation_datetime DESC LIMIT 10");
  ASSERT_EQ(q1.size(), 10u);
  std::string newest_modify;
  for (const auto& row : all) {
    if (row.at("cdc_event_type") == "MODIFY") newest_modify = std::max(newest_modify, *row.at("creation_datetime"));
  }
  EXPECT_EQ(*q1[0].at("creation_datetime"), newest_modify);
  for (size_t i = 0; i < q1.size(); ++i) {
    EXPECT_EQ(*q1[i].at("cdc_event_type"), "MODIFY");
    EXPECT_TRUE(q1[i].at("old_status").has_value());  // MODIFY rows carry the old image
    if (i > 0) {
      EXPECT_GE(*q1[i - 1].at("creation_datetime"), *q1[i].at("creation_datetime"));
    }
  }
  auto q2 = Sql(data, std::string("SELECT COUNT(*) AS n FROM ") + kSqlTable +
                          " WHERE cdc_event_type = 'INSERT' AND date(creation_datetime) = current_date");
  const std::string today = FormatUtcMillis(SystemClock::Default()->NowMillis()).substr(0, 10);
  int64_t inserted_today = 0;
  for (const auto& row : all) {
    if (row.at("cdc_event_type") == "INSERT" && row.at("creation_datetime")->substr(0, 10) == today) ++inserted_today;
  }
  ASSERT_EQ(q2.size(), 1u);
  EXPECT_EQ(std::stoll(*q2[0].at("n")), inserted_today);
  auto q3 = Sql(data, std::string("SELECT * FROM ") + kSqlTable +
                          " WHERE price > 300 AND creation_datetime >= now() - interval '10' minute");
  int64_t expensive = 0;
  for (const auto& row : all) {
    if (row.at("price") && std::stod(*row.at("price")) > 300) ++expensive;
  }
  EXPECT_EQ(static_cast<int64_t>(q3.size()), expensive);  // all rows are from the last minute
  for (const auto& row : q3) EXPECT_GT(std::stod(*row.at("price")), 300);
}

TEST(CrashEndToEnd, KillNineAtAnyMomentLosesAndDuplicatesNothing) {
  testing::TempDir dir;
  std::string data = dir.str() + "/data";
  std::string config = SourceDir() + "/examples/sales-pipeline.yaml";
  std::mt19937_64 rng(testing::TestSeed());
  // Round 1: the demo writes and delivers at full speed; kill -9 it mid-stream.
  // Rounds 2-3: `up` recovers and resumes; kill -9 it again at random moments.
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> args =
        round == 0 ? std::vector<std::string>{BinaryPath(), "demo", "--duration", "60", "--rate", "0",
                                              "--data-dir", data, "--quiet", "--query-every", "1"}
                   : std::vector<std::string>{BinaryPath(), "up", "-c", config, "--data-dir", data};
    pid_t pid = Spawn(args, dir.str() + "/round" + std::to_string(round) + ".log");
    int kill_after_ms = std::uniform_int_distribution<int>(round == 0 ? 1500 : 300, round == 0 ? 3000 : 1200)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
    KillHard(pid);
  }
  // A generator run between crashes (the table is free while nothing runs).
  auto gen = e2e::Run({BinaryPath(), "generate", "--data-dir", data, "--count", "500", "--json"});
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  // Final clean run: everything still pending is delivered, then a clean stop.
  auto up = e2e::Run({BinaryPath(), "up", "-c", config, "--data-dir", data, "--duration", "4"});
  ASSERT_EQ(up.exit_code, 0) << up.output;

  // Oracle: every record of the table's own stream is in the lake exactly once.
  std::set<std::string> expected;
  {
    auto engine = table::TableEngine::Open(data + "/table", {});
    ASSERT_OK(engine);
    expected = TableStreamEventIds(**engine);
  }
  ASSERT_GT(expected.size(), 1000u);
  auto rows = Sql(data, std::string("SELECT event_id, count(*) AS n FROM ") + kSqlTable + " GROUP BY 1");
  std::set<std::string> delivered;
  for (const auto& row : rows) {
    EXPECT_EQ(*row.at("n"), "1") << "duplicate delivery of " << *row.at("event_id");
    delivered.insert(*row.at("event_id"));
  }
  EXPECT_EQ(delivered.size(), expected.size());
  std::vector<std::string> missing;
  std::set_difference(expected.begin(), expected.end(), delivered.begin(), delivered.end(),
                      std::back_inserter(missing));
  EXPECT_TRUE(missing.empty()) << missing.size() << " changes never reached the lake, e.g. " << missing.front();
  ExpectLatestRowsMatchTable(data);
  // No temporary file survives recovery.
  auto status = e2e::Run({BinaryPath(), "status", "--data-dir", data});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find(kSqlTable), std::string::npos) << status.output;
}

// The seed's pipe with a narrower filter, through the binary: deletions never reach the lake,
// `tributary status` counts them as filtered, and lake + filtered = every change the table made.
TEST(CliEndToEnd, PipeFilterKeepsDeletesOutOfTheLake) {
  testing::TempDir dir;
  const std::string data = dir.str() + "/data";
  const std::string config = dir.str() + "/pipeline.yaml";
  {
    std::ifstream in(SourceDir() + "/examples/sales-pipeline.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string all = R"('{"eventName": ["INSERT", "MODIFY", "REMOVE"]}')";
    const size_t at = text.find(all);
    ASSERT_NE(at, std::string::npos) << "the example's filter changed";
    text.replace(at, all.size(), R"('{"eventName": ["INSERT", "MODIFY"]}')");
    std::ofstream(config) << text;
  }
  auto create = e2e::Run({BinaryPath(), "up", "-c", config, "--data-dir", data, "--duration", "1"});
  ASSERT_EQ(create.exit_code, 0) << create.output;
  auto gen = e2e::Run({BinaryPath(), "generate", "--data-dir", data, "--count", "400"});
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  auto up = e2e::Run({BinaryPath(), "up", "-c", config, "--data-dir", data, "--duration", "3"});
  ASSERT_EQ(up.exit_code, 0) << up.output;

  size_t changes = 0;
  {
    auto engine = table::TableEngine::Open(data + "/table", {});
    ASSERT_OK(engine);
    changes = TableStreamEventIds(**engine).size();
  }
  int64_t in_lake = 0;
  for (const auto& row : Sql(data, std::string("SELECT cdc_event_type, count(*) AS n FROM ") +
                                       kSqlTable + " GROUP BY 1")) {
    EXPECT_NE(*row.at("cdc_event_type"), "REMOVE");
    in_lake += std::stoll(*row.at("n"));
  }
  auto status = e2e::Run({BinaryPath(), "status", "--data-dir", data});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  const size_t f = status.output.find("(filtered out ");
  ASSERT_NE(f, std::string::npos) << status.output;
  std::string digits;
  for (size_t i = f + 14; i < status.output.size() && status.output[i] != ')'; ++i) {
    if (status.output[i] != ',') digits += status.output[i];
  }
  const int64_t filtered = std::stoll(digits);
  EXPECT_GT(filtered, 0);
  EXPECT_EQ(in_lake + filtered, static_cast<int64_t>(changes)) << status.output;
}

TEST(CliEndToEnd, ErrorsAreClear) {
  testing::TempDir dir;
  std::string bad = dir.str() + "/bad.yaml";
  {
    std::ofstream out(bad);
    out << "tables:\n  - name: T1x\n    hash_key: {name: id, type: S}\n    stream: {view_type: NEW_IMAGE, shard: 2}\n";
  }
  auto r = e2e::Run({BinaryPath(), "up", "-c", bad, "--data-dir", dir.str() + "/d"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(bad + ":4:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean 'shards'"), std::string::npos) << r.output;

  auto q = e2e::Run({BinaryPath(), "query", "--data-dir", dir.str() + "/nowhere", "SELECT 1"});
  EXPECT_EQ(q.exit_code, 2);
  EXPECT_NE(q.output.find("not a Tributary data directory"), std::string::npos) << q.output;

  auto g = e2e::Run({BinaryPath(), "generate", "--data-dir", dir.str() + "/d"});
  EXPECT_EQ(g.exit_code, 2) << g.output;
  // A second process on a running pipeline's data dir gets a clear refusal; SIGTERM then stops
  // the pipeline cleanly (flush, exit 0).
  std::string data = dir.str() + "/live";
  std::string config = SourceDir() + "/examples/sales-pipeline.yaml";
  pid_t up = Spawn({BinaryPath(), "up", "-c", config, "--data-dir", data}, dir.str() + "/up.log");
  for (int i = 0; i < 200 && ReadWholeFile(dir.str() + "/up.log").find("Ctrl-C stops") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto busy = e2e::Run({BinaryPath(), "generate", "--data-dir", data, "--count", "5"});
  EXPECT_EQ(busy.exit_code, 1) << busy.output;
  EXPECT_NE(busy.output.find("in use by another tributary process"), std::string::npos) << busy.output;
  kill(up, SIGTERM);
  EXPECT_EQ(Wait(up, 30), 0) << ReadWholeFile(dir.str() + "/up.log");
  EXPECT_NE(ReadWholeFile(dir.str() + "/up.log").find("stopped cleanly"), std::string::npos);

  auto h = e2e::Run({BinaryPath(), "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("demo"), std::string::npos);
}

}  // namespace
}  // namespace tributary::e2e
