#include "delivery/compactor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "delivery/delivery_test_util.h"
#include "delivery/fault_injecting_lake_fs.h"
#include "delivery/lake_layout.h"
#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

using testing_util::IsTempName;
using testing_util::ListLake;
using testing_util::ReadFile;
using ::tributary::testing::StatusIs;

constexpr int64_t kElevenAm = 1714561200000;  // 2024-05-01 11:00:00 UTC

// Runs a hook in the middle of a merge (to interleave another compactor or a delivery commit).
class HookedMerger final : public FileMerger {
 public:
  std::function<void()> hook;
  std::string_view extension() const override { return JsonLinesMerger().extension(); }
  Result<int64_t> Merge(const std::vector<std::string>& inputs, const std::vector<catalog::Column>& columns,
                        std::string& out) const override {
    if (hook) {
      auto h = hook;
      const_cast<HookedMerger*>(this)->hook = nullptr;
      h();
    }
    return JsonLinesMerger().Merge(inputs, columns, out);
  }
};

class CompactorTest : public ::testing::Test {
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
  }

  CompactorConfig Config() const {
    CompactorConfig c;
    c.lake_root = root_.string();
    c.delivery_name = "d1";
    c.table = "sales";
    c.location = "sales";
    c.options.min_files = 3;
    c.options.target_file_bytes = 1 << 20;
    c.options.grace_period_ms = 10 * 60 * 1000;
    c.options.retire_after_ms = 60 * 1000;
    return c;
  }

  // Commits one delivery-like file of `rows` rows {"id":N} in hour `hour` of 2024-05-01.
  std::string AddFile(const std::string& hour, int rows) {
    std::string dir = "sales/year=2024/month=05/day=01/hour=" + hour;
    std::string rel = dir + "/" + DataFileName("d1", clock_.NowMillis(), NewFileId());
    std::string data;
    for (int i = 0; i < rows; ++i) data += "{\"id\":" + std::to_string(next_id_++) + "}\n";
    EXPECT_OK(DefaultLakeFs().CreateDirs((root_ / dir).string(), false));
    EXPECT_OK(DefaultLakeFs().WriteFile((root_ / rel).string(), data, false));
    catalog::DataFile f;
    f.path = rel;
    f.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", hour}};
    f.row_count = rows;
    f.size_bytes = static_cast<int64_t>(data.size());
    f.min_event_ms = f.max_event_ms = kElevenAm;
    f.source = "stream/s/shardId-0";
    EXPECT_OK(catalog_->CommitFiles("sales", {}, {f}, {}));
    return rel;
  }

  std::vector<catalog::DataFile> Files() {
    auto files = catalog_->ListFiles("sales");
    EXPECT_OK(files);
    return files.ok() ? *files : std::vector<catalog::DataFile>{};
  }

  // What a query sees: the rows of every registered file (under its final name, or its temp name
  // while the rename is pending, as query::ViewsFromCatalog does), sorted.
  std::vector<std::string> VisibleRows() {
    std::vector<std::string> rows;
    for (const catalog::DataFile& f : Files()) {
      std::filesystem::path p = root_ / f.path;
      if (!std::filesystem::exists(p)) p = root_ / TempPathFor(f.path);
      EXPECT_TRUE(std::filesystem::exists(p)) << f.path << " is registered but missing";
      std::string text = ReadFile(p);
      EXPECT_EQ(static_cast<int64_t>(text.size()), f.size_bytes) << f.path;
      size_t start = 0;
      for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
        rows.push_back(text.substr(start, nl - start));
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::vector<std::string> AllRows() {
    std::vector<std::string> rows;
    for (int i = 0; i < next_id_; ++i) rows.push_back("{\"id\":" + std::to_string(i) + "}");
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // Files on disk that are neither registered nor on the retired list (must never exist once
  // recovery ran).
  std::vector<std::string> Orphans() {
    std::set<std::string> known;
    for (const auto& f : Files()) known.insert(f.path);
    auto retired = catalog_->ListRetiredFiles();
    EXPECT_OK(retired);
    if (retired.ok()) {
      for (const auto& r : *retired) known.insert(r.path);
    }
    std::vector<std::string> out;
    for (const std::string& p : ListLake(root_)) {
      if (!known.count(p)) out.push_back(p);
    }
    return out;
  }

  ::tributary::testing::TempDir dir_;
  std::filesystem::path root_;
  ManualClock clock_{kElevenAm};
  std::unique_ptr<catalog::Catalog> catalog_;
  int next_id_ = 0;
};

TEST_F(CompactorTest, MergesClosedPartitionsOnlyAndDeletesOldFilesAfterTheGrace) {
  clock_.SetMillis(kElevenAm - 3 * 3600'000);
  for (int i = 0; i < 4; ++i) AddFile("08", 5);  // closed at 09:10
  clock_.SetMillis(kElevenAm - 5 * 60'000);
  for (int i = 0; i < 4; ++i) AddFile("10", 5);  // window ends 11:00, closed at 11:10
  clock_.SetMillis(kElevenAm);
  std::vector<std::string> old_08;
  for (const auto& f : Files()) {
    if (f.partition_values[3].second == "08") old_08.push_back(f.path);
  }
  Compactor compactor(Config(), DefaultLakeFs(), *catalog_, clock_, JsonLinesMerger());
  ASSERT_OK(compactor.RunOnce());
  auto files = Files();
  ASSERT_EQ(files.size(), 5u);  // hour 10 untouched, hour 08 one file
  const catalog::DataFile& merged = files.back();
  EXPECT_EQ(merged.partition_values[3].second, "08");
  EXPECT_EQ(merged.row_count, 20);
  EXPECT_EQ(merged.source, "compaction");
  EXPECT_TRUE(merged.path.starts_with("sales/year=2024/month=05/day=01/hour=08/d1-compacted-2024-05-01-11-00-00-"))
      << merged.path;
  // The merged file holds the old files' rows in commit order.
  std::string expected;
  for (const auto& p : old_08) expected += ReadFile(root_ / p);
  EXPECT_EQ(ReadFile(root_ / merged.path), expected);
  EXPECT_EQ(VisibleRows(), AllRows());
  CompactorStats stats = compactor.Stats();
  EXPECT_EQ(stats.compactions, 1);
  EXPECT_EQ(stats.files_in, 4);
  EXPECT_EQ(stats.files_out, 1);
  EXPECT_EQ(catalog_->GetCompactionStats("sales")->compactions, 1);

  // Old files stay on disk (a running query may read them) until retire_after_ms has passed.
  for (const auto& p : old_08) EXPECT_TRUE(std::filesystem::exists(root_ / p)) << p;
  EXPECT_EQ(catalog_->ListRetiredFiles()->size(), 4u);
  EXPECT_TRUE(Orphans().empty());
  clock_.AdvanceMillis(59'000);
  ASSERT_OK(compactor.RunOnce());
  EXPECT_TRUE(std::filesystem::exists(root_ / old_08[0]));
  clock_.AdvanceMillis(11 * 60'000);  // and hour 10 closes now
  ASSERT_OK(compactor.RunOnce());
  for (const auto& p : old_08) EXPECT_FALSE(std::filesystem::exists(root_ / p)) << p;
  EXPECT_EQ(compactor.Stats().retired_deleted, 4);
  EXPECT_EQ(Files().size(), 2u);
  EXPECT_EQ(VisibleRows(), AllRows());
  EXPECT_EQ(catalog_->ListRetiredFiles()->size(), 4u);  // hour 10's, now retired
  EXPECT_TRUE(Orphans().empty());
}

TEST_F(CompactorTest, PacksFilesUpToTheTargetSizeAndSkipsBigFilesAndFewFiles) {
  clock_.SetMillis(kElevenAm - 3 * 3600'000);
  for (int i = 0; i < 7; ++i) AddFile("08", 10);  // 10 rows of {"id":NN} = 90..100 bytes each
  AddFile("08", 200);                              // already big
  AddFile("07", 1);
  AddFile("07", 1);                                // only 2 files: below min_files
  clock_.SetMillis(kElevenAm);
  CompactorConfig config = Config();
  config.options.target_file_bytes = 310;  // three small files per merged file
  Compactor compactor(config, DefaultLakeFs(), *catalog_, clock_, JsonLinesMerger());
  ASSERT_OK(compactor.RunOnce());
  std::map<std::string, std::vector<int64_t>> rows_by_hour;
  for (const auto& f : Files()) rows_by_hour[f.partition_values[3].second].push_back(f.row_count);
  // 7 small files -> 3 + 3 + 1 (the single leftover stays as it is); the big one stays.
  std::vector<int64_t> h08 = rows_by_hour["08"];
  std::sort(h08.begin(), h08.end());
  EXPECT_EQ(h08, (std::vector<int64_t>{10, 30, 30, 200}));
  EXPECT_EQ(rows_by_hour["07"].size(), 2u);
  EXPECT_EQ(VisibleRows(), AllRows());
  // A second pass finds nothing more to do (merged files are not re-merged below min_files).
  ASSERT_OK(compactor.RunOnce());
  EXPECT_EQ(compactor.Stats().compactions, 2);
}

TEST_F(CompactorTest, IncludeOpenPartitionsMergesOnlyFilesOlderThanTheGrace) {
  for (int i = 0; i < 3; ++i) AddFile("11", 2);
  clock_.AdvanceMillis(1000);
  AddFile("11", 2);  // too young
  CompactorConfig config = Config();
  config.options.include_open_partitions = true;
  config.options.grace_period_ms = 500;
  Compactor compactor(config, DefaultLakeFs(), *catalog_, clock_, JsonLinesMerger());
  ASSERT_OK(compactor.RunOnce());
  std::vector<int64_t> rows;
  for (const auto& f : Files()) rows.push_back(f.row_count);
  EXPECT_EQ(rows, (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(VisibleRows(), AllRows());
}

TEST_F(CompactorTest, ASecondCompactorThatLostTheRaceChangesNothingAndLeavesNoFile) {
  clock_.SetMillis(kElevenAm - 3 * 3600'000);
  for (int i = 0; i < 4; ++i) AddFile("08", 3);
  clock_.SetMillis(kElevenAm);
  HookedMerger hooked;
  Compactor loser(Config(), DefaultLakeFs(), *catalog_, clock_, hooked);
  Compactor winner(Config(), DefaultLakeFs(), *catalog_, clock_, JsonLinesMerger());
  // The loser plans from the current files, then the winner compacts them while it merges.
  hooked.hook = [&] { ASSERT_OK(winner.RunOnce()); };
  ASSERT_OK(loser.RunOnce());
  EXPECT_EQ(winner.Stats().compactions, 1);
  EXPECT_EQ(loser.Stats().compactions, 0);
  EXPECT_EQ(loser.Stats().conflicts, 1);
  EXPECT_EQ(Files().size(), 1u);
  EXPECT_EQ(VisibleRows(), AllRows());
  EXPECT_TRUE(Orphans().empty()) << Orphans().front();
  for (const auto& p : ListLake(root_)) EXPECT_FALSE(IsTempName(p)) << p;
}

TEST_F(CompactorTest, ADeliveryCommitDuringTheMergeIsKept) {
  clock_.SetMillis(kElevenAm - 3 * 3600'000);
  for (int i = 0; i < 4; ++i) AddFile("08", 3);
  clock_.SetMillis(kElevenAm);
  HookedMerger hooked;
  std::string late;
  hooked.hook = [&] { late = AddFile("08", 2); };  // late data lands in the closed partition
  Compactor compactor(Config(), DefaultLakeFs(), *catalog_, clock_, hooked);
  ASSERT_OK(compactor.RunOnce());
  auto files = Files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, late);
  EXPECT_EQ(files[1].row_count, 12);
  EXPECT_EQ(VisibleRows(), AllRows());
}

// A crash at each step of a compaction leaves the old set or the new set visible, never both or
// neither, and recovery leaves no orphan.
TEST_F(CompactorTest, ACrashAtAnyStepLeavesOneSetVisibleAndRecoveryCleansUp) {
  clock_.SetMillis(kElevenAm - 3 * 3600'000);
  for (int i = 0; i < 4; ++i) AddFile("08", 4);
  clock_.SetMillis(kElevenAm);
  const auto all = AllRows();
  const size_t files_before = Files().size();

  // 1. Torn merged file, then the process dies: the old set stays visible.
  {
    FaultInjectingLakeFs fs;
    fs.CrashOnWrite(1, 11);
    Compactor c(Config(), fs, *catalog_, clock_, JsonLinesMerger());
    EXPECT_FALSE(c.RunOnce().ok());
    ASSERT_TRUE(fs.crashed());
    EXPECT_EQ(Files().size(), files_before);
    EXPECT_EQ(VisibleRows(), all);
    ASSERT_FALSE(fs.torn_path().empty());
    EXPECT_TRUE(std::filesystem::exists(fs.torn_path()));
  }
  {
    Compactor c(Config(), DefaultLakeFs(), *catalog_, clock_, JsonLinesMerger());
    auto report = c.Recover();
    ASSERT_OK(report);
    EXPECT_EQ(report->deleted, 1);
    EXPECT_EQ(report->renamed, 0);
    EXPECT_TRUE(Orphans().empty()) << Orphans().front();
  }
  // 2. Swapped, but the rename never happened (crash between the swap and the rename): the new
  //    set is visible (through its temp name), the old one retired.
  {
    FaultInjectingLakeFs fs;
    fs.FailRenamesWith(EIO);
    Compactor c(Config(), fs, *catalog_, clock_, JsonLinesMerger());
    EXPECT_FALSE(c.RunOnce().ok());
    ASSERT_EQ(Files().size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(root_ / Files()[0].path));
    EXPECT_EQ(VisibleRows(), all);
    EXPECT_EQ(catalog_->ListRetiredFiles()->size(), 4u);
  }
  {
    Compactor c(Config(), DefaultLakeFs(), *catalog_, clock_, JsonLinesMerger());
    auto report = c.Recover();
    ASSERT_OK(report);
    EXPECT_EQ(report->renamed, 1);
    EXPECT_TRUE(std::filesystem::exists(root_ / Files()[0].path));
    EXPECT_EQ(VisibleRows(), all);
    EXPECT_TRUE(Orphans().empty()) << Orphans().front();
  }
  // 3. Crash during the cleanup of retired files (one deleted, the list not updated): the next
  //    cleanup finishes it; a restart before the grace deletes nothing.
  {
    FaultInjectingLakeFs fs;
    Compactor c(Config(), fs, *catalog_, clock_, JsonLinesMerger());
    ASSERT_OK(c.Recover());
    EXPECT_EQ(catalog_->ListRetiredFiles()->size(), 4u);  // still within retire_after_ms
    const std::string first = (*catalog_->ListRetiredFiles())[0].path;
    ASSERT_OK(DefaultLakeFs().Remove((root_ / first).string()));  // deleted, then "crash"
    clock_.AdvanceMillis(61'000);
    auto report = c.Recover();  // startup cleanup, grace passed
    ASSERT_OK(report);
    EXPECT_TRUE(catalog_->ListRetiredFiles()->empty());
    EXPECT_EQ(ListLake(root_).size(), 1u);
    EXPECT_EQ(VisibleRows(), all);
    EXPECT_TRUE(Orphans().empty());
  }
}

TEST_F(CompactorTest, NamesAndOptions) {
  std::string name = Compactor::CompactedFileName("d1", kElevenAm, "abc", ".json");
  EXPECT_EQ(name, "d1-compacted-2024-05-01-11-00-00-abc.json");
  EXPECT_TRUE(Compactor::IsCompactionTempName("_" + name, "d1"));
  EXPECT_FALSE(Compactor::IsCompactionTempName(name, "d1"));
  EXPECT_FALSE(Compactor::IsCompactionTempName("_" + name, "d"));
  // A delivery named "d1-compacted" writes "_d1-compacted-1-2024-...": not ours.
  EXPECT_FALSE(Compactor::IsCompactionTempName("_" + DataFileName("d1-compacted", kElevenAm, "x"), "d1"));
  EXPECT_FALSE(Compactor::IsCompactionTempName("_" + DataFileName("d1", kElevenAm, "x"), "d1"));
  CompactionOptions o;
  EXPECT_OK(o.Validate());
  o.min_files = 1;
  EXPECT_THAT(o.Validate(), StatusIs(StatusCode::kInvalidArgument));
  o = CompactionOptions();
  o.target_file_bytes = 10;
  EXPECT_THAT(o.Validate(), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(CompactorTest, BackgroundThreadCompactsAndStopsPromptly) {
  clock_.SetMillis(kElevenAm - 3 * 3600'000);
  for (int i = 0; i < 4; ++i) AddFile("08", 2);
  clock_.SetMillis(kElevenAm);
  CompactorConfig config = Config();
  config.options.interval_ms = 10;
  Compactor compactor(config, DefaultLakeFs(), *catalog_, clock_, JsonLinesMerger());
  compactor.Start();
  for (int i = 0; i < 2000 && compactor.Stats().compactions == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  compactor.Stop();
  EXPECT_EQ(compactor.Stats().compactions, 1);
  EXPECT_EQ(VisibleRows(), AllRows());
}

}  // namespace
}  // namespace tributary::delivery
