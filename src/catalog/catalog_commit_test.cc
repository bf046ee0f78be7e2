// CommitFiles: atomic registration of files, partitions, widened columns and the checkpoint.
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/catalog_test_util.h"

namespace tributary::catalog {
namespace {

using ::testing::HasSubstr;
using testing_util::SalesFile;
using testing_util::SalesTable;
using ::tributary::testing::StatusIs;

class CommitFilesTest : public testing_util::CatalogTestBase {
 protected:
  void SetUp() override {
    CatalogTestBase::SetUp();
    TableDef def = SalesTable();
    def.columns = {{"order_id", ColumnType::kString}, {"amount", ColumnType::kBigint}};
    ASSERT_OK(catalog_->EnsureTable(def));
  }

  std::string Checkpoint(const std::string& key) {
    auto cp = catalog_->GetCheckpoint(key);
    EXPECT_OK(cp);
    return cp.ok() && cp->has_value() ? **cp : "<none>";
  }
};

TEST_F(CommitFilesTest, RegistersFilesAndCheckpointTogether) {
  EXPECT_EQ(Checkpoint("delivery/sales/shard-0"), "<none>");
  ASSERT_OK(catalog_->IsFileRegistered("sales/a.json"));
  EXPECT_FALSE(*catalog_->IsFileRegistered("sales/a.json"));

  clock_.AdvanceMillis(7);
  ASSERT_OK(catalog_->CommitFiles(
      "sales", {}, {SalesFile("sales/a.json", "10"), SalesFile("sales/b.json", "11")},
      {"delivery/sales/shard-0", "109"}));

  EXPECT_EQ(Checkpoint("delivery/sales/shard-0"), "109");
  EXPECT_TRUE(*catalog_->IsFileRegistered("sales/a.json"));
  EXPECT_TRUE(*catalog_->IsFileRegistered("sales/b.json"));
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 2u);
  DataFile want = SalesFile("sales/a.json", "10");
  const DataFile& got = (*files)[0];
  EXPECT_EQ(got.path, want.path);
  EXPECT_EQ(got.partition_values, want.partition_values);
  EXPECT_EQ(got.row_count, want.row_count);
  EXPECT_EQ(got.size_bytes, want.size_bytes);
  EXPECT_EQ(got.min_event_ms, want.min_event_ms);
  EXPECT_EQ(got.max_event_ms, want.max_event_ms);
  EXPECT_EQ(got.source, want.source);
  EXPECT_EQ(got.first_sequence, want.first_sequence);
  EXPECT_EQ(got.last_sequence, want.last_sequence);
  EXPECT_EQ(got.committed_ms, 1700000000007);  // the catalog's clock
  EXPECT_EQ((*files)[1].path, "sales/b.json");

  // No schema change: the version stays.
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 1);
}

TEST_F(CommitFilesTest, ListFilesIsInCommitOrder) {
  // Paths that sort differently from commit order.
  for (const char* path : {"sales/z.json", "sales/a.json", "sales/m.json"}) {
    ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile(path)}, {}));
  }
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, "sales/z.json");
  EXPECT_EQ((*files)[1].path, "sales/a.json");
  EXPECT_EQ((*files)[2].path, "sales/m.json");
}

TEST_F(CommitFilesTest, DuplicatePathRollsBackEverything) {
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/a.json")}, {"cp", "100"}));

  // A new column, a new partition, a fresh file and then a duplicate: none of it may stick.
  clock_.AdvanceMillis(1);
  Status s = catalog_->CommitFiles(
      "sales", {{"discount", ColumnType::kDouble}, {"amount", ColumnType::kDouble}},
      {SalesFile("sales/new.json", "23"), SalesFile("sales/a.json")}, {"cp", "200"});
  EXPECT_THAT(s, StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(s.message(), HasSubstr("sales/a.json"));
  EXPECT_FALSE(s.retryable());

  EXPECT_EQ(Checkpoint("cp"), "100");
  EXPECT_FALSE(*catalog_->IsFileRegistered("sales/new.json"));
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 1);
  EXPECT_EQ(table->columns, (std::vector<Column>{{"order_id", ColumnType::kString},
                                                 {"amount", ColumnType::kBigint}}));
  auto stats = catalog_->GetTableStats("sales");
  ASSERT_OK(stats);
  EXPECT_EQ(stats->files, 1);
  EXPECT_EQ(stats->partitions, 1);

  // The catalog is still usable afterwards (no transaction left open).
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/new.json", "23")}, {"cp", "200"}));
  EXPECT_EQ(Checkpoint("cp"), "200");
}

TEST_F(CommitFilesTest, DuplicateWithinOneBatchRollsBack) {
  Status s =
      catalog_->CommitFiles("sales", {{"discount", ColumnType::kDouble}},
                            {SalesFile("sales/a.json"), SalesFile("sales/a.json")}, {"cp", "1"});
  EXPECT_THAT(s, StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(Checkpoint("cp"), "<none>");
  EXPECT_FALSE(*catalog_->IsFileRegistered("sales/a.json"));
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->columns.size(), 2u);
}

TEST_F(CommitFilesTest, WrongPartitionKeysRollBack) {
  DataFile bad = SalesFile("sales/bad.json");
  bad.partition_values.pop_back();
  Status s = catalog_->CommitFiles("sales", {{"discount", ColumnType::kDouble}},
                                   {SalesFile("sales/ok.json"), bad}, {"cp", "1"});
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("[year, month, day]"));
  EXPECT_EQ(Checkpoint("cp"), "<none>");
  EXPECT_FALSE(*catalog_->IsFileRegistered("sales/ok.json"));
  EXPECT_EQ(catalog_->GetTable("sales")->columns.size(), 2u);

  bad = SalesFile("sales/bad.json");
  std::swap(bad.partition_values[0], bad.partition_values[1]);
  EXPECT_THAT(catalog_->CommitFiles("sales", {}, {bad}, {}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(CommitFilesTest, InvalidFileIsRejectedBeforeWriting) {
  EXPECT_THAT(catalog_->CommitFiles("sales", {}, {SalesFile("sales/_tmp-a.json")}, {"cp", "1"}),
              StatusIs(StatusCode::kInvalidArgument));
  DataFile negative = SalesFile("sales/a.json");
  negative.row_count = -1;
  EXPECT_THAT(catalog_->CommitFiles("sales", {}, {negative}, {"cp", "1"}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CommitFiles("sales", {{"", ColumnType::kString}}, {}, {"cp", "1"}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(Checkpoint("cp"), "<none>");
}

TEST_F(CommitFilesTest, ColumnsWidenAndVersionBumps) {
  clock_.AdvanceMillis(10);
  // New columns are appended in observed order; amount bigint+double -> double.
  ASSERT_OK(catalog_->CommitFiles("sales",
                                  {{"zeta", ColumnType::kBoolean},
                                   {"amount", ColumnType::kDouble},
                                   {"created", ColumnType::kTimestamp}},
                                  {SalesFile("sales/a.json")}, {}));
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 2);
  EXPECT_EQ(table->updated_ms, 1700000000010);
  EXPECT_EQ(table->columns, (std::vector<Column>{{"order_id", ColumnType::kString},
                                                 {"amount", ColumnType::kDouble},
                                                 {"zeta", ColumnType::kBoolean},
                                                 {"created", ColumnType::kTimestamp}}));

  // Narrower or equal observations change nothing.
  ASSERT_OK(catalog_->CommitFiles(
      "sales", {{"amount", ColumnType::kBigint}, {"order_id", ColumnType::kString}}, {}, {}));
  EXPECT_EQ(catalog_->GetTable("sales")->schema_version, 2);

  // timestamp + string -> string; string + bigint -> string. One commit = one version.
  ASSERT_OK(catalog_->CommitFiles(
      "sales", {{"created", ColumnType::kString}, {"order_id", ColumnType::kBigint}}, {}, {}));
  table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 3);
  EXPECT_EQ(table->columns[0], (Column{"order_id", ColumnType::kString}));
  EXPECT_EQ(table->columns[3], (Column{"created", ColumnType::kString}));

  // The same new name twice in one observation is merged, not duplicated.
  ASSERT_OK(catalog_->CommitFiles(
      "sales", {{"qty", ColumnType::kBigint}, {"qty", ColumnType::kDouble}}, {}, {}));
  table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema_version, 4);
  ASSERT_EQ(table->columns.size(), 5u);
  EXPECT_EQ(table->columns[4], (Column{"qty", ColumnType::kDouble}));
}

TEST_F(CommitFilesTest, PartitionsAreCreatedOnce) {
  ASSERT_OK(catalog_->CommitFiles("sales", {},
                                  {SalesFile("sales/a.json", "10"), SalesFile("sales/b.json", "10"),
                                   SalesFile("sales/c.json", "11")},
                                  {}));
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/d.json", "11")}, {}));
  auto stats = catalog_->GetTableStats("sales");
  ASSERT_OK(stats);
  EXPECT_EQ(stats->partitions, 2);
  EXPECT_EQ(stats->files, 4);
}

TEST_F(CommitFilesTest, PartitionValuesWithSpecialCharactersRoundTrip) {
  TableDef def = SalesTable("by_customer");
  def.partition_keys = {"customer"};
  ASSERT_OK(catalog_->EnsureTable(def));
  DataFile file = SalesFile("by_customer/x.json");
  file.partition_values = {{"customer", "acme/east=1 %"}};
  ASSERT_OK(catalog_->CommitFiles("by_customer", {}, {file}, {}));
  auto files = catalog_->ListFiles("by_customer");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].partition_values, file.partition_values);
}

TEST_F(CommitFilesTest, UnpartitionedTable) {
  TableDef def = SalesTable("flat");
  def.partition_keys.clear();
  ASSERT_OK(catalog_->EnsureTable(def));
  DataFile file = SalesFile("flat/x.json");
  file.partition_values.clear();
  ASSERT_OK(catalog_->CommitFiles("flat", {}, {file}, {}));
  auto files = catalog_->ListFiles("flat");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_TRUE((*files)[0].partition_values.empty());
  EXPECT_EQ(catalog_->GetTableStats("flat")->partitions, 0);
}

TEST_F(CommitFilesTest, EmptyCheckpointKeyLeavesCheckpointsAlone) {
  ASSERT_OK(catalog_->PutCheckpoint("cp", "1"));
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/a.json")}, {"", "ignored"}));
  EXPECT_EQ(Checkpoint("cp"), "1");
  EXPECT_EQ(Checkpoint(""), "<none>");
}

TEST_F(CommitFilesTest, FilesStayWithTheirTable) {
  ASSERT_OK(catalog_->EnsureTable(SalesTable("other")));
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/a.json")}, {}));
  ASSERT_OK(catalog_->CommitFiles("other", {}, {SalesFile("other/a.json")}, {}));
  // A path is unique across the whole catalog.
  EXPECT_THAT(catalog_->CommitFiles("other", {}, {SalesFile("sales/a.json")}, {}),
              StatusIs(StatusCode::kAlreadyExists));
  auto files = catalog_->ListFiles("other");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, "other/a.json");
  EXPECT_EQ(catalog_->GetTableStats("sales")->files, 1);
}

}  // namespace
}  // namespace tributary::catalog
