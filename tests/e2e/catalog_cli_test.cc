// `tributary catalog ...` through the real binary: a data directory whose catalog is built with
// the Catalog API (two schema versions, two partitions), inspected as text and as Glue-shaped
// JSON; the same commands beside a running `tributary up`; and the errors.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <zlib.h>

#include "catalog/catalog.h"
#include "config/pipeline_config.h"
#include "core/dynamo_json.h"
#include "process.h"
#include "query/parquet_export.h"
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
  EXPECT_EQ(Str(parts.at(0)["Parameters"]["recordCount"]), "2");
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

// ---- tributary crawl -------------------------------------------------------------------------

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

void WriteGzip(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
}

class CrawlCliTest : public CatalogCliTest {
 protected:
  ProcessResult Crawl(const std::string& path, const std::string& table,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {BinaryPath(), "crawl", path, "--table", table, "--data-dir",
                                     data_, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return e2e::Run(args, 120);
  }
  std::string Query(const std::string& sql) {
    auto r = e2e::Run({BinaryPath(), "query", "--data-dir", data_, "--format", "csv", sql}, 60);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }
  // "name:type,..." of the table's data columns, and its partition keys, from `catalog show --json`.
  std::pair<std::string, std::string> Schema(const std::string& table) {
    auto show = Catalog({"show", table, "--json"});
    EXPECT_EQ(show.exit_code, 0) << show.output;
    simdjson::dom::parser parser;
    simdjson::dom::element t = ParseJson(parser, show.output)["Table"];
    std::string columns, keys;
    for (auto c : t["StorageDescriptor"]["Columns"].get_array()) {
      columns += (columns.empty() ? "" : ",") + Str(c["Name"]) + ":" + Str(c["Type"]);
    }
    for (auto k : t["PartitionKeys"].get_array()) {
      keys += (keys.empty() ? "" : ",") + Str(k["Name"]) + ":" + Str(k["Type"]);
    }
    return {columns, keys};
  }
  std::string src_ = dir_.str() + "/source";
};

// Firehose's default layout (YYYY/MM/DD/HH/, files without extension, some gzip): Glue's
// partition_0..partition_3, types merged across files, ISO strings typed as timestamps; SQL reads
// exactly the crawled rows; a re-crawl registers only the new hour.
TEST_F(CrawlCliTest, FirehoseLayoutJsonAndGzipThenIncremental) {
  WriteText(src_ + "/2024/05/01/10/sales-1-2024-05-01-10-00-00-aaa",
            R"({"order_id":"o1","qty":1,"created_at":"2024-05-01T10:00:00Z","meta":{"k":"x"}})" "\n"
            R"({"order_id":"o2","qty":2,"created_at":"2024-05-01T10:30:00.250Z","note":"05/01/2024"})" "\n");
  WriteGzip(src_ + "/2024/05/01/11/sales-1-2024-05-01-11-00-00-bbb.gz",
            R"({"order_id":"o3","qty":2.5,"created_at":"2024-05-01 11:00:00","flag":true})" "\n");
  WriteText(src_ + "/2024/05/01/11/_SUCCESS", "");
  WriteText(src_ + "/.hidden/x.json", "{\"order_id\":\"hidden\"}\n");

  auto r = Crawl(src_, "firehose_sales");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"created\":true"));
  EXPECT_THAT(r.output, HasSubstr("\"files_registered\":2"));
  EXPECT_THAT(r.output, HasSubstr("\"rows\":3"));
  auto [columns, keys] = Schema("firehose_sales");
  EXPECT_EQ(columns, "order_id:string,qty:double,created_at:timestamp,meta:string,note:string,flag:boolean");
  EXPECT_EQ(keys, "partition_0:string,partition_1:string,partition_2:string,partition_3:string");

  EXPECT_EQ(Query("SELECT order_id, qty, created_at, partition_3 FROM firehose_sales ORDER BY order_id"),
            "order_id,qty,created_at,partition_3\n"
            "o1,1.0,2024-05-01 10:00:00.000,10\n"
            "o2,2.0,2024-05-01 10:30:00.250,10\n"
            "o3,2.5,2024-05-01 11:00:00.000,11\n");
  EXPECT_EQ(Query("SELECT count(*) AS n FROM firehose_sales WHERE partition_0 = '2024' AND "
                  "partition_3 = '11' AND flag"),
            "n\n1\n");
  EXPECT_EQ(Query("SELECT json_extract_scalar(meta, '$.k') AS k FROM firehose_sales WHERE order_id = 'o1'"),
            "k\nx\n");

  // Incremental: a new hour folder; the old files are not registered twice.
  WriteText(src_ + "/2024/05/01/12/sales-1-2024-05-01-12-00-00-ccc",
            R"({"order_id":"o4","qty":4,"created_at":"2024-05-01T12:00:00Z","coupon":"SPRING"})" "\n");
  r = Crawl(src_, "firehose_sales");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"created\":false"));
  EXPECT_THAT(r.output, HasSubstr("\"files_registered\":1"));
  EXPECT_THAT(r.output, HasSubstr("\"files_already_registered\":2"));
  EXPECT_EQ(Query("SELECT count(*) AS n, count(coupon) AS c FROM firehose_sales"), "n,c\n4,1\n");
  // Nothing new; a crawled file that grew is reported, not re-read (Glue's new-folders-only).
  {
    std::ofstream grow(src_ + "/2024/05/01/10/sales-1-2024-05-01-10-00-00-aaa", std::ios::app);
    grow << R"({"order_id":"o5"})" << "\n";
  }
  r = Crawl(src_, "firehose_sales");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"files_registered\":0"));
  EXPECT_THAT(r.output, HasSubstr("1 already crawled file(s) changed size since their crawl"));
  auto partitions = Catalog({"partitions", "firehose_sales"});
  EXPECT_THAT(partitions.output, HasSubstr("(3 rows)"));
  auto versions = Catalog({"versions", "firehose_sales"});
  EXPECT_THAT(versions.output, HasSubstr("added coupon string"));
}

// A Hive layout of Parquet files (written by DuckDB here) and one of CSV files: partition keys
// named after the folders, Glue types from the files' own schemas.
TEST_F(CrawlCliTest, HiveLayoutParquetAndCsv) {
  const std::string pq = src_ + "/pq";
  fs::create_directories(pq + "/year=2024/month=05");
  fs::create_directories(pq + "/year=2024/month=06");
  ASSERT_OK(query::RunTrustedStatements(
      pq, {"COPY (SELECT 1::INTEGER AS id, 'a' AS name, 1.5::DOUBLE AS price, "
           "TIMESTAMP '2024-05-01 10:00:00' AS at, true AS ok) TO '" + pq +
               "/year=2024/month=05/part-0.parquet' (FORMAT parquet)",
           "COPY (SELECT 2::BIGINT AS id, 'b' AS name, 2::BIGINT AS price, "
           "TIMESTAMP '2024-06-01 10:00:00' AS at, [1, 2] AS tags) TO '" + pq +
               "/year=2024/month=06/part-0.parquet' (FORMAT parquet)"}));
  auto r = Crawl(pq, "hive_parquet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"format\":\"parquet\""));
  auto [columns, keys] = Schema("hive_parquet");
  EXPECT_EQ(columns, "id:bigint,name:string,price:double,at:timestamp,ok:boolean,tags:string");
  EXPECT_EQ(keys, "year:string,month:string");
  auto files = Catalog({"files", "hive_parquet"});
  EXPECT_THAT(files.output, HasSubstr("hive_parquet/year=2024/month=05/part-0.parquet"));
  // SQL over the crawled Parquet: each file read by name, cast to the merged types.
  EXPECT_EQ(Query("SELECT id, name, price, \"at\", ok, tags, month FROM hive_parquet ORDER BY id"),
            "id,name,price,at,ok,tags,month\n"
            "1,a,1.5,2024-05-01 10:00:00.000,true,,05\n"
            "2,b,2.0,2024-06-01 10:00:00.000,,\"[1,2]\",06\n");
  EXPECT_EQ(Query("SELECT count(*) AS n FROM default.hive_parquet WHERE month = '06'"), "n\n1\n");

  const std::string csv = src_ + "/csv";
  WriteText(csv + "/dt=2024-05-01/a.csv", "id,city,amount,seen_at\n1,Oslo,3,2024-05-01 10:00:00\n2,Rome,4.5,2024-05-01 11:00:00\n");
  WriteText(csv + "/dt=2024-05-02/b.csv", "id,city,amount,seen_at\n3,Lima,5,not a time\n");
  r = Crawl(csv, "hive_csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"rows\":3"));
  std::tie(columns, keys) = Schema("hive_csv");
  EXPECT_EQ(columns, "id:bigint,city:string,amount:double,seen_at:string");
  EXPECT_EQ(keys, "dt:string");
  // SQL over the crawled CSV: by header name, typed, with the Hive partition column.
  EXPECT_EQ(Query("SELECT id, city, amount, seen_at, dt FROM hive_csv ORDER BY id"),
            "id,city,amount,seen_at,dt\n"
            "1,Oslo,3.0,2024-05-01 10:00:00,2024-05-01\n"
            "2,Rome,4.5,2024-05-01 11:00:00,2024-05-01\n"
            "3,Lima,5.0,not a time,2024-05-02\n");
  EXPECT_EQ(Query("SELECT sum(amount) AS s FROM hive_csv WHERE dt = '2024-05-01'"), "s\n7.5\n");
  auto show = Catalog({"show", "hive_csv"});
  EXPECT_THAT(show.output, HasSubstr("LazySimpleSerDe"));
  EXPECT_THAT(show.output, HasSubstr("skip.header.line.count = 1"));
}

// A change log exported by an AWS pipeline (Firehose layout, the seed's flattened CDC rows, with
// a bigint sequence_number as a crawler types it) crawled with --key-columns: SQL gets
// <table>_current and <table>_history. A snapshot without change columns gets a clear reason.
TEST_F(CrawlCliTest, KeyColumnsGiveCrawledChangeLogsHistoryViews) {
  auto row = [](const char* id, const char* event, const char* at, int seq, double price) {
    return std::string("{\"order_id\":\"") + id + "\",\"cdc_event_type\":\"" + event +
           "\",\"creation_datetime\":\"" + at + "\",\"sequence_number\":" + std::to_string(seq) +
           ",\"event_id\":\"e" + std::to_string(seq) + "\",\"price\":" + std::to_string(price) + "}\n";
  };
  WriteText(src_ + "/cdc/2024/05/01/10/f1",
            row("o1", "INSERT", "2024-05-01 10:00:00", 9, 10) + row("o2", "INSERT", "2024-05-01 10:00:01", 10, 20) +
                row("o1", "MODIFY", "2024-05-01 10:00:02", 11, 11));
  WriteText(src_ + "/cdc/2024/05/01/11/f2",
            row("o2", "REMOVE", "2024-05-01 11:00:00", 100, 20) + row("o1", "MODIFY", "2024-05-01 11:00:01", 101, 12));
  auto r = Crawl(src_ + "/cdc", "orders_log", {"--key-columns", "order_id"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"history_views\":true"));
  auto [columns, keys] = Schema("orders_log");
  EXPECT_THAT(columns, HasSubstr("sequence_number:bigint"));
  // Sequence 100 > 11 > 9 as numbers (not as text, where "100" < "11").
  EXPECT_EQ(Query("SELECT order_id, price FROM orders_log_current"), "order_id,price\no1,12.0\n");
  EXPECT_EQ(Query("SELECT version, cdc_event_type, valid_from, valid_to, ended_by_event FROM "
                  "awsdatacatalog.default.orders_log_history WHERE order_id = 'o1' ORDER BY version"),
            "version,cdc_event_type,valid_from,valid_to,ended_by_event\n"
            "1,INSERT,2024-05-01 10:00:00.000,2024-05-01 10:00:02.000,MODIFY\n"
            "2,MODIFY,2024-05-01 10:00:02.000,2024-05-01 11:00:01.000,MODIFY\n"
            "3,MODIFY,2024-05-01 11:00:01.000,,\n");
  auto show = Catalog({"show", "orders_log"});
  EXPECT_THAT(show.output, HasSubstr("tributary.key_columns = order_id"));

  // The keys stay recorded on an incremental crawl without the flag.
  WriteText(src_ + "/cdc/2024/05/01/12/f3", row("o3", "INSERT", "2024-05-01 12:00:00", 200, 30));
  r = Crawl(src_ + "/cdc", "orders_log");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"history_views\":true"));
  EXPECT_EQ(Query("SELECT count(*) AS n FROM orders_log_current"), "n\n2\n");

  // A snapshot: keys but no change columns.
  WriteText(src_ + "/snap/a.json", "{\"order_id\":\"o1\",\"price\":1}\n");
  r = Crawl(src_ + "/snap", "orders_snap", {"--key-columns", "order_id"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"history_views\":false"));
  EXPECT_THAT(r.output, HasSubstr("no orders_snap_current/_history views: the table has no column "
                                  "cdc_event_type, creation_datetime, sequence_number or event_id"));
  auto q = e2e::Run({BinaryPath(), "query", "--data-dir", data_, "SELECT * FROM orders_snap_current"}, 60);
  EXPECT_NE(q.exit_code, 0);
}

TEST_F(CrawlCliTest, BadInputGivesPreciseErrors) {
  // Empty folder.
  fs::create_directories(src_ + "/empty/sub");
  auto r = Crawl(src_ + "/empty", "t1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("no data files under " + src_ + "/empty"));
  // Missing folder.
  r = Crawl(src_ + "/missing", "t1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("missing"));
  // Mixed formats.
  WriteText(src_ + "/mixed/a/x.json", "{\"a\":1}\n");
  fs::create_directories(src_ + "/mixed/b");
  ASSERT_OK(query::RunTrustedStatements(src_ + "/mixed", {"COPY (SELECT 1 AS a) TO '" + src_ +
                                                               "/mixed/b/y.parquet' (FORMAT parquet)"}));
  r = Crawl(src_ + "/mixed", "t1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("mixed file formats"));
  EXPECT_THAT(r.output, HasSubstr("b/y.parquet' is parquet but 'a/x.json' is json"));
  // Unreadable content: a truncated gzip file and a corrupt Parquet file.
  WriteText(src_ + "/badgz/x.gz", std::string("\x1f\x8b\x08\x00garbage", 12));
  r = Crawl(src_ + "/badgz", "t1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr(src_ + "/badgz/x.gz"));
  WriteText(src_ + "/badpq/x.parquet", "PAR1 this is not parquet");
  r = Crawl(src_ + "/badpq", "t1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("cannot read " + src_ + "/badpq/x.parquet as parquet"));
  WriteText(src_ + "/badjson/x.json", "{\"a\":1}\n{\"a\": nope}\n");
  r = Crawl(src_ + "/badjson", "t1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("cannot read " + src_ + "/badjson/x.json as json"));
  // Files at different depths.
  WriteText(src_ + "/depth/a/x.json", "{\"a\":1}\n");
  WriteText(src_ + "/depth/y.json", "{\"a\":1}\n");
  r = Crawl(src_ + "/depth", "t1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("different folder depths"));
  // Nothing was registered by any failed crawl.
  auto tables = Catalog({"tables"});
  EXPECT_THAT(tables.output, ::testing::Not(HasSubstr("t1")));
  // A table not created by the crawler, and the lake itself.
  WriteText(src_ + "/ok/x.json", "{\"a\":1}\n");
  r = Crawl(src_ + "/ok", "orders");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("table 'orders' already exists and was not created by the crawler"));
  r = Crawl(lake_, "t2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("overlap"));
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
