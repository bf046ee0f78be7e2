// Schema version history, partitions listing, table parameters, and the upgrade of a catalog that
// predates the history.
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/catalog_schema.h"
#include "catalog/catalog_test_util.h"
#include "catalog/glue_json.h"
#include "catalog/sqlite_db.h"

namespace tributary::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::SalesFile;
using testing_util::SalesTable;
using ::tributary::testing::StatusIs;

using Kind = ColumnChange::Kind;

class CatalogHistoryTest : public testing_util::CatalogTestBase {
 protected:
  std::vector<SchemaVersion> Versions(std::string_view table = "sales") {
    auto versions = catalog_->ListSchemaVersions(table);
    EXPECT_OK(versions);
    return versions.ok() ? *versions : std::vector<SchemaVersion>{};
  }
  static std::vector<std::string> Describe(const SchemaVersion& v) {
    std::vector<std::string> out;
    for (const ColumnChange& c : v.changes) out.push_back(DescribeColumnChange(c));
    return out;
  }
};

TEST_F(CatalogHistoryTest, EveryChangeIsAVersionWithTimeAndWhatChanged) {
  TableDef def = SalesTable();
  def.columns = {{"order_id", ColumnType::kString}};
  ASSERT_OK(catalog_->EnsureTable(def));

  clock_.AdvanceMillis(1000);
  // New attribute -> new column; bigint then double in one commit -> double.
  ASSERT_OK(catalog_->CommitFiles(
      "sales",
      {{"order_id", ColumnType::kString}, {"qty", ColumnType::kBigint}, {"price", ColumnType::kBigint}},
      {SalesFile("sales/a.json")}, {}));
  clock_.AdvanceMillis(1000);
  // Nothing new: no version.
  ASSERT_OK(catalog_->CommitFiles("sales", {{"qty", ColumnType::kBigint}},
                                  {SalesFile("sales/b.json")}, {}));
  clock_.AdvanceMillis(1000);
  // Numeric widening, and a conflict that falls back to string.
  ASSERT_OK(catalog_->CommitFiles(
      "sales", {{"price", ColumnType::kDouble}, {"qty", ColumnType::kString}},
      {SalesFile("sales/c.json")}, {}));

  std::vector<SchemaVersion> versions = Versions();
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[0].created_ms, 1700000000000);
  EXPECT_EQ(versions[0].note, "table created");
  EXPECT_THAT(Describe(versions[0]), ElementsAre("added order_id string"));
  EXPECT_EQ(versions[0].columns, (std::vector<Column>{{"order_id", ColumnType::kString}}));

  EXPECT_EQ(versions[1].version, 2);
  EXPECT_EQ(versions[1].created_ms, 1700000001000);
  EXPECT_THAT(versions[1].note, HasSubstr("sales/a.json"));
  EXPECT_THAT(Describe(versions[1]), ElementsAre("added qty bigint", "added price bigint"));
  EXPECT_EQ(versions[1].columns,
            (std::vector<Column>{{"order_id", ColumnType::kString},
                                 {"qty", ColumnType::kBigint},
                                 {"price", ColumnType::kBigint}}));

  EXPECT_EQ(versions[2].version, 3);
  EXPECT_EQ(versions[2].created_ms, 1700000003000);
  EXPECT_THAT(Describe(versions[2]), ElementsAre("qty: bigint conflicts with string -> string",
                                                 "widened price bigint -> double"));
  EXPECT_EQ(versions[2].changes[1],
            (ColumnChange{Kind::kWidened, "price", ColumnType::kDouble, ColumnType::kBigint,
                          ColumnType::kDouble}));
  EXPECT_EQ(versions[2].columns,
            (std::vector<Column>{{"order_id", ColumnType::kString},
                                 {"qty", ColumnType::kString},
                                 {"price", ColumnType::kDouble}}));

  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 3);
  EXPECT_EQ(table->columns, versions.back().columns);
}

TEST_F(CatalogHistoryTest, EnsureTableThatAddsColumnsIsAVersion) {
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  TableDef more = SalesTable();
  more.columns = {{"a", ColumnType::kBoolean}};
  clock_.AdvanceMillis(5);
  ASSERT_OK(catalog_->EnsureTable(more));
  ASSERT_OK(catalog_->EnsureTable(more));  // the same again: no version
  std::vector<SchemaVersion> versions = Versions();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_TRUE(versions[0].changes.empty());
  EXPECT_TRUE(versions[0].columns.empty());
  EXPECT_THAT(Describe(versions[1]), ElementsAre("added a boolean"));
}

TEST_F(CatalogHistoryTest, FailedCommitRecordsNoVersion) {
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/a.json")}, {}));
  // The same path again fails the whole transaction, the schema change included.
  EXPECT_THAT(catalog_->CommitFiles("sales", {{"x", ColumnType::kBigint}},
                                    {SalesFile("sales/a.json")}, {}),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(Versions().size(), 1u);
  EXPECT_EQ(catalog_->GetTable("sales")->schema_version, 1);
}

TEST_F(CatalogHistoryTest, MissingTable) {
  EXPECT_THAT(catalog_->ListSchemaVersions("nope"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->ListPartitions("nope"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->SetTableParameters("nope", {{"a", "b"}}),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(CatalogHistoryTest, PartitionsWithTotals) {
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/a.json", "11", 5)}, {}));
  clock_.AdvanceMillis(7);
  ASSERT_OK(catalog_->CommitFiles(
      "sales", {}, {SalesFile("sales/b.json", "10", 3), SalesFile("sales/c.json", "11", 2)}, {}));
  auto partitions = catalog_->ListPartitions("sales");
  ASSERT_OK(partitions);
  ASSERT_EQ(partitions->size(), 2u);
  const PartitionInfo& h10 = (*partitions)[0];
  EXPECT_EQ(h10.values.back(), (std::pair<std::string, std::string>{"hour", "10"}));
  EXPECT_EQ(h10.location, "sales/year=2024/month=05/day=01/hour=10");
  EXPECT_EQ(h10.created_ms, 1700000000007);
  EXPECT_EQ(h10.files, 1);
  EXPECT_EQ(h10.rows, 3);
  EXPECT_EQ(h10.bytes, 300);
  const PartitionInfo& h11 = (*partitions)[1];
  EXPECT_EQ(h11.created_ms, 1700000000000);
  EXPECT_EQ(h11.files, 2);
  EXPECT_EQ(h11.rows, 7);
  EXPECT_EQ(h11.last_commit_ms, 1700000000007);
}

TEST_F(CatalogHistoryTest, Parameters) {
  TableDef def = SalesTable();
  def.parameters = {{"classification", "json"}, {"compressionType", "none"}};
  ASSERT_OK(catalog_->EnsureTable(def));
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->parameters, def.parameters);
  // Set, overwrite and remove; the schema version does not move.
  ASSERT_OK(catalog_->SetTableParameters(
      "sales", {{"compressionType", "gzip"}, {"classification", ""}, {"k", "v"}}));
  table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->parameters,
            (std::map<std::string, std::string>{{"compressionType", "gzip"}, {"k", "v"}}));
  EXPECT_EQ(table->schema_version, 1);
  EXPECT_THAT(catalog_->SetTableParameters("sales", {{"", "v"}}),
              StatusIs(StatusCode::kInvalidArgument));
  // ListTables carries them too, and they survive a reopen.
  catalog_.reset();
  catalog_ = OpenCatalog();
  auto tables = catalog_->ListTables();
  ASSERT_OK(tables);
  ASSERT_EQ(tables->size(), 1u);
  EXPECT_EQ((*tables)[0].parameters.at("k"), "v");
}

TEST_F(CatalogHistoryTest, OpenWithoutCreateDoesNotCreate) {
  CatalogOptions options;
  options.create_if_missing = false;
  const std::string missing = (dir_.path() / "missing.db").string();
  EXPECT_THAT(Catalog::Open(missing, options), StatusIs(StatusCode::kNotFound));
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_OK(Catalog::Open(db_path(), options));
}

// A catalog written before schema history existed (schema 1) gains a first recorded version per
// table (its schema at the upgrade); later changes are recorded as usual.
TEST(CatalogUpgradeTest, TablesOfAnOlderCatalogGetTheirCurrentSchemaAsFirstVersion) {
  ::tributary::testing::TempDir dir;
  const std::string path = (dir.path() / "catalog.db").string();
  {
    auto db = SqliteDb::Open(path, SqliteOpenOptions{});
    ASSERT_OK(db);
    ASSERT_OK(MigrateCatalogSchemaTo(**db, 1, 1600000000000));
    ASSERT_OK((*db)->Exec(
        "INSERT INTO databases VALUES ('default', 1);"
        "INSERT INTO tables(id, database, name, location, format, partition_keys, "
        "schema_version, created_ms, updated_ms) VALUES (7, 'default', 'old', 'old', 'json', '', "
        "4, 1600000000000, 1600000005000);"
        "INSERT INTO columns VALUES (7, 0, 'id', 'string'), (7, 1, 'n', 'double');"));
  }
  ManualClock clock(1700000000000);
  CatalogOptions options;
  options.clock = &clock;
  auto catalog = Catalog::Open(path, options);
  ASSERT_OK(catalog);
  auto versions = (*catalog)->ListSchemaVersions("old");
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].version, 4);
  EXPECT_EQ((*versions)[0].created_ms, 1600000005000);
  EXPECT_THAT((*versions)[0].note, HasSubstr("earlier versions were not recorded"));
  EXPECT_TRUE((*versions)[0].changes.empty());
  EXPECT_EQ((*versions)[0].columns,
            (std::vector<Column>{{"id", ColumnType::kString}, {"n", ColumnType::kDouble}}));

  ASSERT_OK((*catalog)->CommitFiles("old", {{"extra", ColumnType::kBoolean}}, {}, {}));
  versions = (*catalog)->ListSchemaVersions("old");
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[1].version, 5);
  EXPECT_EQ((*versions)[1].changes.size(), 1u);
  EXPECT_TRUE((*catalog)->GetTable("old")->parameters.empty());
}


TEST(GlueStorageFormatTest, DeliveryFormatsWithACodecMapToTheirBaseFormat) {
  TableDef table;
  table.columns = {{"order_id", ColumnType::kString}, {"price", ColumnType::kDouble}};
  table.format = "json+zstd";
  GlueStorageFormat json = GlueStorageFormatFor(table);
  EXPECT_EQ(json.classification, "json");
  EXPECT_EQ(json.serialization_library, "org.openx.data.jsonserde.JsonSerDe");
  EXPECT_EQ(json.serde_parameters.at("paths"), "order_id,price");
  table.format = "parquet+snappy";
  GlueStorageFormat parquet = GlueStorageFormatFor(table);
  EXPECT_EQ(parquet.classification, "parquet");
  EXPECT_EQ(parquet.input_format,
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
  table.format = "orc";
  GlueStorageFormat other = GlueStorageFormatFor(table);
  EXPECT_EQ(other.classification, "orc");
  EXPECT_TRUE(other.input_format.empty());
}

}  // namespace
}  // namespace tributary::catalog
