// Tables, validation, checkpoints, stats, persistence and schema migrations.
#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "catalog/catalog_schema.h"
#include "catalog/catalog_test_util.h"
#include "catalog/sqlite_catalog.h"
#include "catalog/sqlite_db.h"

namespace tributary::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::SalesFile;
using testing_util::SalesTable;
using ::tributary::testing::StatusIs;

class CatalogTest : public testing_util::CatalogTestBase {};

TEST_F(CatalogTest, CreateGetListTables) {
  TableDef def = SalesTable();
  def.columns = {{"order_id", ColumnType::kString}, {"amount", ColumnType::kDouble}};
  ASSERT_OK(catalog_->EnsureTable(def));
  ASSERT_OK(catalog_->EnsureTable(SalesTable("audit")));

  auto got = catalog_->GetTable("sales");
  ASSERT_OK(got);
  EXPECT_EQ(got->database, "default");
  EXPECT_EQ(got->name, "sales");
  EXPECT_EQ(got->location, "sales");
  EXPECT_EQ(got->format, "json");
  EXPECT_THAT(got->partition_keys, ElementsAre("year", "month", "day", "hour"));
  EXPECT_EQ(got->columns, def.columns);
  EXPECT_EQ(got->schema_version, 1);
  EXPECT_EQ(got->created_ms, 1700000000000);
  EXPECT_EQ(got->updated_ms, 1700000000000);

  auto tables = catalog_->ListTables();
  ASSERT_OK(tables);
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[0].name, "audit");
  EXPECT_EQ((*tables)[1].name, "sales");
  EXPECT_EQ((*tables)[1].columns, def.columns);
}

TEST_F(CatalogTest, GetMissingTableIsNotFound) {
  auto got = catalog_->GetTable("nope");
  EXPECT_THAT(got, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(got.status().message(), "table 'nope' does not exist in the catalog");
  EXPECT_THAT(catalog_->ListFiles("nope"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->GetTableStats("nope"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->CommitFiles("nope", {}, {}, {}), StatusIs(StatusCode::kNotFound));
  auto tables = catalog_->ListTables();
  ASSERT_OK(tables);
  EXPECT_TRUE(tables->empty());
}

TEST_F(CatalogTest, TableNameValidation) {
  for (const std::string& bad :
       std::vector<std::string>{"", "Sales", "sales-2024", "sales table", "sales.x", "caf\xc3\xa9",
                                std::string(256, 'a')}) {
    TableDef def = SalesTable();
    def.name = bad;
    EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  TableDef def = SalesTable(std::string(255, 'a'));
  EXPECT_OK(catalog_->EnsureTable(def));
  EXPECT_OK(catalog_->EnsureTable(SalesTable("p1_kinesis_firehose_destination_2")));
}

TEST_F(CatalogTest, OtherDefinitionValidation) {
  TableDef def = SalesTable();
  def.database = "Default";
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kInvalidArgument));
  def = SalesTable();
  def.location = "";
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kInvalidArgument));
  def.location = "/abs/sales";
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kInvalidArgument));
  def = SalesTable();
  def.partition_keys = {"year", "year"};
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kInvalidArgument));
  def.partition_keys = {""};
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kInvalidArgument));
  def = SalesTable();
  def.columns = {{"", ColumnType::kString}};
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kInvalidArgument));
  auto tables = catalog_->ListTables();
  ASSERT_OK(tables);
  EXPECT_TRUE(tables->empty());
}

TEST_F(CatalogTest, EnsureExistingTable) {
  TableDef def = SalesTable();
  def.columns = {{"order_id", ColumnType::kString}};
  ASSERT_OK(catalog_->EnsureTable(def));
  // Same definition again: no change, no version bump.
  ASSERT_OK(catalog_->EnsureTable(def));
  auto got = catalog_->GetTable("sales");
  ASSERT_OK(got);
  EXPECT_EQ(got->schema_version, 1);

  // Columns given to EnsureTable are merged like observed columns.
  clock_.AdvanceMillis(5);
  def.columns = {{"amount", ColumnType::kBigint}};
  ASSERT_OK(catalog_->EnsureTable(def));
  got = catalog_->GetTable("sales");
  ASSERT_OK(got);
  EXPECT_EQ(got->schema_version, 2);
  EXPECT_EQ(got->updated_ms, 1700000000005);
  EXPECT_EQ(got->created_ms, 1700000000000);
  EXPECT_EQ(got->columns, (std::vector<Column>{{"order_id", ColumnType::kString},
                                               {"amount", ColumnType::kBigint}}));
}

TEST_F(CatalogTest, EnsureConflictingTableIsFailedPrecondition) {
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  TableDef def = SalesTable();
  def.location = "elsewhere";
  Status s = catalog_->EnsureTable(def);
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("'sales'"));
  EXPECT_THAT(s.message(), HasSubstr("elsewhere"));

  def = SalesTable();
  def.partition_keys = {"year", "month", "day"};
  s = catalog_->EnsureTable(def);
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("[year, month, day, hour]"));
  EXPECT_THAT(s.message(), HasSubstr("[year, month, day]"));

  def = SalesTable();
  def.database = "other";
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(CatalogTest, EnsureTableWithAnotherFormatSwitchesTheFormatOfNewFiles) {
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  TableDef def = SalesTable();
  def.format = "parquet+zstd";
  ASSERT_OK(catalog_->EnsureTable(def));
  auto got = catalog_->GetTable("sales");
  ASSERT_OK(got);
  EXPECT_EQ(got->format, "parquet+zstd");
  // The other properties still have to match.
  def.location = "elsewhere";
  EXPECT_THAT(catalog_->EnsureTable(def), StatusIs(StatusCode::kFailedPrecondition));
  got = catalog_->GetTable("sales");
  ASSERT_OK(got);
  EXPECT_EQ(got->format, "parquet+zstd");
}

TEST_F(CatalogTest, Checkpoints) {
  auto cp = catalog_->GetCheckpoint("delivery/sales/shard-0");
  ASSERT_OK(cp);
  EXPECT_FALSE(cp->has_value());
  ASSERT_OK(catalog_->PutCheckpoint("delivery/sales/shard-0", "100"));
  ASSERT_OK(catalog_->PutCheckpoint("delivery/sales/shard-0", "200"));
  ASSERT_OK(catalog_->PutCheckpoint("delivery/sales/shard-1", ""));
  cp = catalog_->GetCheckpoint("delivery/sales/shard-0");
  ASSERT_OK(cp);
  EXPECT_EQ(cp->value_or(""), "200");
  cp = catalog_->GetCheckpoint("delivery/sales/shard-1");
  ASSERT_OK(cp);
  ASSERT_TRUE(cp->has_value());
  EXPECT_EQ(**cp, "");
  EXPECT_THAT(catalog_->PutCheckpoint("", "x"), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(CatalogTest, StatsUseAggregates) {
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  auto stats = catalog_->GetTableStats("sales");
  ASSERT_OK(stats);
  EXPECT_EQ(stats->files, 0);
  EXPECT_EQ(stats->rows, 0);
  EXPECT_EQ(stats->partitions, 0);
  EXPECT_EQ(stats->last_commit_ms, 0);

  ASSERT_OK(catalog_->CommitFiles(
      "sales", {}, {SalesFile("sales/a.json", "10", 10), SalesFile("sales/b.json", "11", 5)}, {}));
  clock_.AdvanceMillis(1000);
  DataFile late = SalesFile("sales/c.json", "11", 1);
  late.max_event_ms = 1800000000000;
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {late}, {}));

  stats = catalog_->GetTableStats("sales");
  ASSERT_OK(stats);
  EXPECT_EQ(stats->files, 3);
  EXPECT_EQ(stats->rows, 16);
  EXPECT_EQ(stats->bytes, 1600);
  EXPECT_EQ(stats->partitions, 2);
  EXPECT_EQ(stats->max_event_ms, 1800000000000);
  EXPECT_EQ(stats->last_commit_ms, 1700000001000);
}

TEST_F(CatalogTest, ReopenPersistsEverything) {
  TableDef def = SalesTable();
  def.columns = {{"order_id", ColumnType::kString}};
  ASSERT_OK(catalog_->EnsureTable(def));
  ASSERT_OK(catalog_->CommitFiles("sales", {{"amount", ColumnType::kDouble}},
                                  {SalesFile("sales/year=2024/a.json")}, {"cp", "109"}));
  auto before = catalog_->ListFiles("sales");
  ASSERT_OK(before);
  catalog_.reset();

  catalog_ = OpenCatalog();
  ASSERT_NE(catalog_, nullptr);
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 2);
  EXPECT_EQ(table->columns, (std::vector<Column>{{"order_id", ColumnType::kString},
                                                 {"amount", ColumnType::kDouble}}));
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, (*before)[0].path);
  EXPECT_EQ((*files)[0].partition_values, (*before)[0].partition_values);
  auto cp = catalog_->GetCheckpoint("cp");
  ASSERT_OK(cp);
  EXPECT_EQ(cp->value_or(""), "109");
}

TEST_F(CatalogTest, SchemaVersionIsRecorded) {
  auto db = SqliteDb::Open(db_path(), SqliteOpenOptions{});
  ASSERT_OK(db);
  auto stmt = (*db)->PrepareUncached("PRAGMA user_version");
  ASSERT_OK(stmt);
  ASSERT_OK((*stmt)->Step());
  EXPECT_EQ((*stmt)->ColumnInt64(0), LatestCatalogSchemaVersion());
  auto migrations = (*db)->PrepareUncached("SELECT COUNT(*), MAX(version) FROM schema_migrations");
  ASSERT_OK(migrations);
  ASSERT_OK((*migrations)->Step());
  EXPECT_EQ((*migrations)->ColumnInt64(0), LatestCatalogSchemaVersion());
  EXPECT_EQ((*migrations)->ColumnInt64(1), LatestCatalogSchemaVersion());
}

TEST_F(CatalogTest, RefusesNewerSchema) {
  {
    auto db = SqliteDb::Open(db_path(), SqliteOpenOptions{});
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec("PRAGMA user_version = 99"));
  }
  auto catalog = Catalog::Open(db_path());
  EXPECT_THAT(catalog, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(catalog.status().message(), HasSubstr("99"));
}

TEST_F(CatalogTest, OpenFailsForMissingDirectory) {
  auto catalog = Catalog::Open((dir_.path() / "no" / "such" / "catalog.db").string());
  EXPECT_FALSE(catalog.ok());
}

TEST_F(CatalogTest, OpenFailsForGarbageFile) {
  std::string path = (dir_.path() / "garbage.db").string();
  FILE* f = fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string junk(4096, 'x');
  fwrite(junk.data(), 1, junk.size(), f);
  fclose(f);
  auto catalog = Catalog::Open(path);
  EXPECT_THAT(catalog, StatusIs(StatusCode::kDataLoss));
}

TEST(ValidationTest, FilePaths) {
  EXPECT_OK(ValidateFilePath("sales/year=2024/part-0001.json"));
  EXPECT_OK(ValidateFilePath("a.json"));
  for (const char* bad : {"", "/abs/a.json", "sales/_tmp.json", "sales/.hidden", "_x.json",
                          "sales//a.json", "sales/../a.json", "sales/"}) {
    EXPECT_THAT(ValidateFilePath(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  // Only the final name is restricted.
  EXPECT_OK(ValidateFilePath("_staging_dir/a.json"));
}

}  // namespace
}  // namespace tributary::catalog
