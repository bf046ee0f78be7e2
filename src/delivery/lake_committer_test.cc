#include "delivery/lake_committer.h"

#include <gtest/gtest.h>

#include "delivery/delivery_test_util.h"
#include "delivery/error_record.h"
#include "delivery/recovery.h"
#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

using testing_util::FaultyLakeFs;
using testing_util::IsTempName;
using testing_util::ListLake;
using testing_util::ReadFile;
using ::tributary::testing::StatusIs;

class LakeCommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "lake";
    catalog::CatalogOptions options;
    options.clock = &clock_;
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string(), options);
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    catalog::TableDef def;
    def.name = "sales";
    def.location = "sales";
    def.partition_keys = {"year", "month", "day", "hour"};
    ASSERT_OK(catalog_->EnsureTable(def));
    catalog::TableDef errors;
    errors.name = "sales_errors";
    errors.location = "errors/processing-failed";
    errors.columns = FailedRecordColumns();
    ASSERT_OK(catalog_->EnsureTable(errors));
    committer_ = std::make_unique<LakeCommitter>(Config(), fs_, *catalog_, clock_);
  }

  CommitConfig Config() const {
    return CommitConfig{root_.string(), "d1", "sales", "sales_errors", "stream/s/shardId-0",
                        "delivery/d1/shardId-0", "delivery/d1/shardId-0/errors", true, FileFormat{}};
  }

  void AddRows(int n, int first_seq, std::string_view hour = "09") {
    transform::PartitionKeys k;
    k.Set("year", "2024");
    k.Set("month", "05");
    k.Set("day", "01");
    k.Set("hour", hour);
    for (int i = 0; i < n; ++i) {
      std::string seq = std::to_string(first_seq + i);
      buffer_.columns().Observe("a", catalog::ColumnType::kBigint);
      ASSERT_OK(buffer_.AddRow("{\"a\":" + seq + "}", k, 1714554000000 + i, seq));
      buffer_.NoteConsumed(seq, 1);
    }
  }

  std::optional<std::string> Checkpoint(const std::string& key) {
    auto r = catalog_->GetCheckpoint(key);
    EXPECT_OK(r);
    return r.ok() ? *r : std::nullopt;
  }

  ::tributary::testing::TempDir dir_;
  std::filesystem::path root_;
  ManualClock clock_{1714554061000};
  FaultyLakeFs fs_;
  std::unique_ptr<catalog::Catalog> catalog_;
  DeliveryBuffer buffer_{"sales", {"year", "month", "day", "hour"}, "errors/"};
  std::unique_ptr<LakeCommitter> committer_;
};

TEST_F(LakeCommitterTest, CommitRegistersFilesAndCheckpointThenRenames) {
  AddRows(3, 100, "09");
  AddRows(2, 103, "10");
  CommitOutcome outcome;
  ASSERT_OK(committer_->Commit(buffer_, outcome));
  EXPECT_EQ(outcome.data_files, 2);
  EXPECT_EQ(outcome.rows, 5);
  EXPECT_TRUE(outcome.checkpoint_advanced);
  EXPECT_FALSE(buffer_.has_pending());
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0"), "104");

  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 2u);
  const catalog::DataFile& f = (*files)[0];
  EXPECT_TRUE(f.path.starts_with("sales/year=2024/month=05/day=01/hour=09/d1-1-2024-05-01-09-01-01-"))
      << f.path;
  EXPECT_TRUE(f.path.ends_with(".json"));
  EXPECT_EQ(f.row_count, 3);
  EXPECT_EQ(f.first_sequence, "100");
  EXPECT_EQ(f.last_sequence, "102");
  EXPECT_EQ(f.source, "stream/s/shardId-0");
  EXPECT_EQ(f.min_event_ms, 1714554000000);
  EXPECT_EQ(f.max_event_ms, 1714554000002);
  EXPECT_EQ(ReadFile(root_ / f.path), "{\"a\":100}\n{\"a\":101}\n{\"a\":102}\n");
  EXPECT_EQ(f.size_bytes, 30);
  for (const std::string& p : ListLake(root_)) EXPECT_FALSE(IsTempName(p)) << p;
  auto table = catalog_->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->columns, (std::vector<catalog::Column>{{"a", catalog::ColumnType::kBigint}}));
}

TEST_F(LakeCommitterTest, FailureBeforeTheCatalogCommitLeavesNothingAndRetries) {
  AddRows(2, 1);
  fs_.fail_writes = 1;
  CommitOutcome outcome;
  EXPECT_THAT(committer_->Commit(buffer_, outcome), StatusIs(StatusCode::kUnavailable));
  EXPECT_FALSE(outcome.checkpoint_advanced);
  EXPECT_TRUE(ListLake(root_).empty());  // the torn temp file was removed
  EXPECT_TRUE(buffer_.has_pending());
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0"), std::nullopt);

  fs_.fail_syncs = 1;
  EXPECT_THAT(committer_->Commit(buffer_, outcome), StatusIs(StatusCode::kUnavailable));
  EXPECT_TRUE(ListLake(root_).empty());

  ASSERT_OK(committer_->Commit(buffer_, outcome));
  EXPECT_EQ(outcome.rows, 2);
  EXPECT_EQ(ListLake(root_).size(), 1u);
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0"), "2");
}

TEST_F(LakeCommitterTest, RenameFailureAfterCommitIsRetriedAndRecoverable) {
  AddRows(1, 7);
  fs_.fail_renames = 1;
  CommitOutcome outcome;
  ASSERT_OK(committer_->Commit(buffer_, outcome));  // committed: the rows must not come again
  EXPECT_TRUE(outcome.checkpoint_advanced);
  EXPECT_THAT(outcome.publish_status, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(committer_->pending_renames(), 1u);
  auto lake = ListLake(root_);
  ASSERT_EQ(lake.size(), 1u);
  EXPECT_TRUE(IsTempName(lake[0]));

  // The next commit (even with nothing new) retries the rename.
  CommitOutcome next;
  ASSERT_OK(committer_->Commit(buffer_, next));
  EXPECT_OK(next.publish_status);
  EXPECT_EQ(committer_->pending_renames(), 0u);
  lake = ListLake(root_);
  ASSERT_EQ(lake.size(), 1u);
  EXPECT_FALSE(IsTempName(lake[0]));
  auto registered = catalog_->IsFileRegistered(lake[0]);
  ASSERT_OK(registered);
  EXPECT_TRUE(*registered);
}

TEST_F(LakeCommitterTest, RecoveryRenamesRegisteredAndDeletesUnregisteredTempFiles) {
  // Crash after the commit, before the rename: simulate with a committer whose renames fail.
  AddRows(2, 1);
  fs_.fail_renames = 1;
  CommitOutcome outcome;
  ASSERT_OK(committer_->Commit(buffer_, outcome));
  // Crash before the commit: a temp file nobody registered, plus a torn one.
  std::filesystem::path dir = root_ / "sales/year=2024/month=05/day=01/hour=09";
  std::string orphan = "_d1-1-2024-05-01-09-01-02-orphan.json";
  std::string torn = "_d1-1-2024-05-01-09-01-03-torn.json";
  ASSERT_OK(DefaultLakeFs().WriteFile((dir / orphan).string(), "{\"x\":1}\n", false));
  ASSERT_OK(DefaultLakeFs().WriteFile((dir / torn).string(), "{\"x\":", false));
  // Files that are not ours: another delivery's temp file and a foreign underscore file.
  std::string other = "_d1x-1-2024-05-01-09-01-02-other.json";
  ASSERT_OK(DefaultLakeFs().WriteFile((dir / other).string(), "{}\n", false));
  ASSERT_OK(DefaultLakeFs().WriteFile((dir / "_SUCCESS").string(), "", false));
  // An error-prefix temp file, registered nowhere.
  std::filesystem::path edir = root_ / "errors/processing-failed/2024/05/01/09";
  ASSERT_OK(DefaultLakeFs().CreateDirs(edir.string(), false));
  ASSERT_OK(DefaultLakeFs().WriteFile((edir / orphan).string(), "{}\n", false));

  auto report = RecoverTempFiles(fs_, *catalog_, root_.string(),
                                 {"sales", "errors/processing-failed"}, "d1", true);
  ASSERT_OK(report);
  EXPECT_EQ(report->renamed, 1);
  EXPECT_EQ(report->deleted, 3);
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(report->renamed_paths, std::vector<std::string>{(*files)[0].path});
  std::vector<std::string> want = {
      (*files)[0].path,
      "sales/year=2024/month=05/day=01/hour=09/" + other,
      "sales/year=2024/month=05/day=01/hour=09/_SUCCESS",
  };
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ListLake(root_), want);
  EXPECT_EQ(ReadFile(root_ / (*files)[0].path), "{\"a\":1}\n{\"a\":2}\n");

  // Idempotent.
  auto again = RecoverTempFiles(fs_, *catalog_, root_.string(),
                                {"sales", "errors/processing-failed"}, "d1", true);
  ASSERT_OK(again);
  EXPECT_EQ(again->renamed + again->deleted, 0);
}

TEST_F(LakeCommitterTest, FailedRecordsCommitFirstWithTheirOwnCheckpoint) {
  AddRows(1, 1);
  buffer_.AddError(R"({"errorCode":"X"})", 1714554061000, "2");
  buffer_.NoteConsumed("2", 1);
  AddRows(1, 3);
  CommitOutcome outcome;
  ASSERT_OK(committer_->Commit(buffer_, outcome));
  EXPECT_EQ(outcome.error_files, 1);
  EXPECT_EQ(outcome.error_rows, 1);
  EXPECT_EQ(outcome.rows, 2);
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0"), "3");
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0/errors"), "3");
  auto errors = catalog_->ListFiles("sales_errors");
  ASSERT_OK(errors);
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_TRUE((*errors)[0].path.starts_with("errors/processing-failed/2024/05/01/09/d1-1-"));
  EXPECT_EQ((*errors)[0].row_count, 1);
  EXPECT_TRUE((*errors)[0].partition_values.empty());
  EXPECT_EQ(ReadFile(root_ / (*errors)[0].path), "{\"errorCode\":\"X\"}\n");
}

TEST_F(LakeCommitterTest, DataStepFailureKeepsCommittedErrorsOut) {
  buffer_.AddError(R"({"e":1})", 1714554061000, "1");
  buffer_.NoteConsumed("1", 1);
  AddRows(1, 2);
  // The errors step succeeds; the data step fails in the catalog (unknown table).
  CommitConfig bad = Config();
  bad.table = "no_such_table";
  LakeCommitter committer(bad, fs_, *catalog_, clock_);
  CommitOutcome outcome;
  EXPECT_THAT(committer.Commit(buffer_, outcome), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(outcome.error_files, 1);  // the errors step did commit
  EXPECT_FALSE(outcome.checkpoint_advanced);
  EXPECT_TRUE(buffer_.ErrorFiles().empty());  // and is not retried
  EXPECT_EQ(buffer_.DataFiles().size(), 1u);  // rows are kept for the retry
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0/errors"), "2");
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0"), std::nullopt);
  for (const std::string& p : ListLake(root_)) EXPECT_FALSE(IsTempName(p)) << p;
  CommitOutcome retry;
  ASSERT_OK(committer_->Commit(buffer_, retry));
  EXPECT_EQ(retry.error_files, 0);
  EXPECT_EQ(retry.rows, 1);
  auto errors = catalog_->ListFiles("sales_errors");
  ASSERT_OK(errors);
  EXPECT_EQ(errors->size(), 1u);
  EXPECT_EQ(Checkpoint("delivery/d1/shardId-0"), "2");
}

}  // namespace
}  // namespace tributary::delivery
