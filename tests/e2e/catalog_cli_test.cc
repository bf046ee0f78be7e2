// `tributary catalog ...` through the real binary: a data directory whose catalog is built with
// the Catalog API (two schema versions, two partitions), inspected as text and as Glue-shaped
// JSON; the same commands beside a running `tributary up`; and the errors.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "catalog/catalog.h"
#include "config/pipeline_config.h"
#include "core/dynamo_json.h"
#include "process.h"
#include "runtime/data_dir.h"
#include "testing/test_util.h"

namespace tributary::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Parses `text` as JSON (the whole output of a --json command).
simdjson::dom::element ParseJson(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(text).get(e), simdjson::SUCCESS) << text;
  return e;
}

std::string Str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : "<not a string>";
}

class CatalogCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cfg = config::DefaultPipelineConfig();
    ASSERT_OK(cfg);
    auto layout = runtime::DataDirLayout::ForConfig(data_, *cfg);
    ASSERT_OK(layout);
    ASSERT_OK(layout->Create());
    lake_ = layout->lake_root;
    auto opened = catalog::Catalog::Open(layout->catalog_path);
    ASSERT_OK(opened);
    auto& catalog = **opened;
    catalog::TableDef def;
    def.name = "orders";
    def.location = "orders";
    def.partition_keys = {"day"};
    def.parameters = {{"owner", "tests"}};
    ASSERT_OK(catalog.EnsureTable(def));
    Commit(catalog, "day=01/a.json", {{"day", "01"}},
           {R"({"id":"a","qty":1,"meta":{"k":1}})", R"({"id":"b","qty":2,"meta":{"k":2}})"},
           {{"id", catalog::ColumnType::kString},
            {"qty", catalog::ColumnType::kBigint},
            {"meta", catalog::ColumnType::kJson}});
    Commit(catalog, "day=02/b.json", {{"day", "02"}}, {R"({"id":"c","qty":2.5})"},
           {{"id", catalog::ColumnType::kString}, {"qty", catalog::ColumnType::kDouble}});
  }

  void Commit(catalog::Catalog& catalog, const std::string& relative,
              std::vector<std::pair<std::string, std::string>> values, const std::vector<std::string>& lines,
              const std::vector<catalog::Column>& observed) {
    const fs::path path = fs::path(lake_) / "orders" / relative;
    fs::create_directories(path.parent_path());
    std::ofstream out(path);
    for (const auto& line : lines) out << line << "\n";
    out.close();
    catalog::DataFile file;
    file.path = "orders/" + relative;
    file.partition_values = std::move(values);
    file.row_count = static_cast<int64_t>(lines.size());
    file.size_bytes = static_cast<int64_t>(fs::file_size(path));
    file.source = "test";
    ASSERT_OK(catalog.CommitFiles("orders", observed, {file}, {}));
  }

  ProcessResult Catalog(std::vector<std::string> args) {
    args.insert(args.begin(), {BinaryPath(), "catalog"});
    args.push_back("--data-dir");
    args.push_back(data_);
    return e2e::Run(args, 60);
  }

  testing::TempDir dir_;
  std::string data_ = dir_.str() + "/data";
  std::string lake_;
};

TEST_F(CatalogCliTest, TablesShowPartitionsFilesVersionsAsText) {
  auto tables = Catalog({"tables"});
  ASSERT_EQ(tables.exit_code, 0) << tables.output;
  EXPECT_THAT(tables.output, HasSubstr("orders"));
  EXPECT_THAT(tables.output, HasSubstr("default"));

  auto show = Catalog({"show", "orders"});
  ASSERT_EQ(show.exit_code, 0) << show.output;
  EXPECT_THAT(show.output, HasSubstr("default.orders"));
  EXPECT_THAT(show.output, HasSubstr("file://" + lake_ + "/orders/"));
  EXPECT_THAT(show.output, HasSubstr("org.openx.data.jsonserde.JsonSerDe"));
  EXPECT_THAT(show.output, HasSubstr("Schema version   3"));
  EXPECT_THAT(show.output, HasSubstr("owner = tests"));
  EXPECT_THAT(show.output, HasSubstr("3 rows"));

  auto partitions = Catalog({"partitions", "orders"});
  ASSERT_EQ(partitions.exit_code, 0) << partitions.output;
  EXPECT_THAT(partitions.output, HasSubstr("orders/day=01/"));
  EXPECT_THAT(partitions.output, HasSubstr("orders/day=02/"));
  EXPECT_THAT(partitions.output, HasSubstr("(2 rows)"));

  auto files = Catalog({"files", "orders"});
  ASSERT_EQ(files.exit_code, 0) << files.output;
  EXPECT_THAT(files.output, HasSubstr("orders/day=01/a.json"));
  EXPECT_THAT(files.output, HasSubstr("total: 2 files, 3 rows"));

  auto versions = Catalog({"versions", "orders"});
  ASSERT_EQ(versions.exit_code, 0) << versions.output;
  EXPECT_THAT(versions.output, HasSubstr("version 1"));
  EXPECT_THAT(versions.output, HasSubstr("table created"));
  EXPECT_THAT(versions.output, HasSubstr("added qty bigint"));
  EXPECT_THAT(versions.output, HasSubstr("version 3"));
  EXPECT_THAT(versions.output, HasSubstr("widened qty bigint -> double"));
  EXPECT_THAT(versions.output, HasSubstr("schema: id string, qty double, meta json"));
}

TEST_F(CatalogCliTest, JsonHasGlueShapes) {
  simdjson::dom::parser parser;
  auto show = Catalog({"show", "orders", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.output;
  simdjson::dom::element table = ParseJson(parser, show.output)["Table"];
  EXPECT_EQ(Str(table["Name"]), "orders");
  EXPECT_EQ(Str(table["DatabaseName"]), "default");
  EXPECT_EQ(Str(table["TableType"]), "EXTERNAL_TABLE");
  EXPECT_EQ(Str(table["VersionId"]), "3");
  simdjson::dom::element sd = table["StorageDescriptor"];
  EXPECT_EQ(Str(sd["Location"]), "file://" + lake_ + "/orders/");
  EXPECT_EQ(Str(sd["InputFormat"]), "org.apache.hadoop.mapred.TextInputFormat");
  EXPECT_EQ(Str(sd["SerdeInfo"]["SerializationLibrary"]), "org.openx.data.jsonserde.JsonSerDe");
  std::vector<std::string> columns;
  for (auto c : sd["Columns"].get_array()) columns.push_back(Str(c["Name"]) + ":" + Str(c["Type"]));
  // json has no Athena column type: it is a string holding the JSON text.
  EXPECT_EQ(columns, (std::vector<std::string>{"id:string", "qty:double", "meta:string"}));
  std::vector<std::string> keys;
  for (auto k : table["PartitionKeys"].get_array()) keys.push_back(Str(k["Name"]) + ":" + Str(k["Type"]));
  EXPECT_EQ(keys, (std::vector<std::string>{"day:string"}));
  EXPECT_EQ(Str(table["Parameters"]["classification"]), "json");
  EXPECT_EQ(Str(table["Parameters"]["recordCount"]), "3");
  EXPECT_EQ(Str(table["Parameters"]["compressionType"]), "none");
  EXPECT_EQ(Str(table["Parameters"]["owner"]), "tests");

  auto tables = Catalog({"tables", "--json"});
  ASSERT_EQ(tables.exit_code, 0) << tables.output;
  simdjson::dom::array list = ParseJson(parser, tables.output)["TableList"].get_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(Str(list.at(0)["Name"]), "orders");
  auto other_db = Catalog({"tables", "--database", "other", "--json"});
  ASSERT_EQ(other_db.exit_code, 0) << other_db.output;
  EXPECT_EQ(ParseJson(parser, other_db.output)["TableList"].get_array().size(), 0u);

  auto partitions = Catalog({"partitions", "orders", "--json"});
  ASSERT_EQ(partitions.exit_code, 0) << partitions.output;
  simdjson::dom::array parts = ParseJson(parser, partitions.output)["Partitions"].get_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(Str(parts.at(0)["Values"].at(0)), "01");
  EXPECT_EQ(Str(parts.at(0)["StorageDescriptor"]["Location"]), "file://" + lake_ + "/orders/day=01/");
  EXPECT_EQ(Str(parts.at(0)["Parameters"]["numRows"]), "2");
  EXPECT_EQ(Str(parts.at(1)["Values"].at(0)), "02");

  auto files = Catalog({"files", "orders", "--json"});
  ASSERT_EQ(files.exit_code, 0) << files.output;
  simdjson::dom::array fl = ParseJson(parser, files.output)["Files"].get_array();
  ASSERT_EQ(fl.size(), 2u);
  EXPECT_EQ(Str(fl.at(0)["Path"]), "orders/day=01/a.json");
  int64_t rows = 0;
  ASSERT_EQ(fl.at(0)["RowCount"].get_int64().get(rows), simdjson::SUCCESS);
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(Str(fl.at(1)["PartitionValues"]["day"]), "02");

  auto versions = Catalog({"versions", "orders", "--json"});
  ASSERT_EQ(versions.exit_code, 0) << versions.output;
  simdjson::dom::array vs = ParseJson(parser, versions.output)["TableVersions"].get_array();
  ASSERT_EQ(vs.size(), 3u);
  EXPECT_EQ(Str(vs.at(0)["VersionId"]), "3");  // newest first, as Glue lists them
  EXPECT_EQ(Str(vs.at(0)["Changes"].at(0)), "widened qty bigint -> double");
  EXPECT_EQ(vs.at(2)["Table"]["StorageDescriptor"]["Columns"].get_array().size(), 0u);
}

TEST_F(CatalogCliTest, Errors) {
  auto missing = Catalog({"show", "nope"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr("table 'nope' does not exist in the catalog"));

  auto no_dir = e2e::Run({BinaryPath(), "catalog", "tables", "--data-dir", dir_.str() + "/nowhere"});
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_THAT(no_dir.output, HasSubstr("not a Tributary data directory"));

  // Inspecting never creates a catalog.
  fs::remove(data_ + "/catalog.db");
  auto gone = Catalog({"tables"});
  EXPECT_EQ(gone.exit_code, 2);
  EXPECT_THAT(gone.output, HasSubstr("does not exist"));
  EXPECT_FALSE(fs::exists(data_ + "/catalog.db"));

  auto no_table = Catalog({"show"});
  EXPECT_NE(no_table.exit_code, 0);
  EXPECT_THAT(no_table.output, HasSubstr("table is required"));
  auto help = e2e::Run({BinaryPath(), "catalog", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* sub : {"tables", "show", "partitions", "files", "versions", "--json"}) {
    EXPECT_THAT(help.output, HasSubstr(sub));
  }
}

// While `tributary up` runs (and holds the data directory), the catalog is still readable.
TEST(CatalogCliLiveTest, WorksBesideARunningPipeline) {
  testing::TempDir dir;
  const std::string data = dir.str() + "/live";
  const std::string log = dir.str() + "/up.log";
  pid_t up = Spawn({BinaryPath(), "up", "-c", SourceDir() + "/examples/sales-pipeline.yaml",
                    "--data-dir", data, "--listen", "127.0.0.1:0"},
                   log);
  for (int i = 0; i < 400 && ReadWholeFile(log).find("Ctrl-C stops") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto tables = e2e::Run({BinaryPath(), "catalog", "tables", "--data-dir", data});
  EXPECT_EQ(tables.exit_code, 0) << tables.output;
  EXPECT_THAT(tables.output, HasSubstr("p1_kinesis_firehose_destination"));
  auto show = e2e::Run({BinaryPath(), "catalog", "show", "p1_kinesis_firehose_destination", "--json",
                   "--data-dir", data});
  EXPECT_EQ(show.exit_code, 0) << show.output;
  EXPECT_THAT(show.output, HasSubstr("\"PartitionKeys\":[{\"Name\":\"year\""));
  kill(up, SIGTERM);
  EXPECT_EQ(Wait(up, 30), 0) << ReadWholeFile(log);
}

}  // namespace
}  // namespace tributary::e2e
