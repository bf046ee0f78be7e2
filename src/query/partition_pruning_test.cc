// Partition pruning: a query on one hour reads only that hour's files. Shown two ways: DuckDB's
// EXPLAIN ANALYZE reports the files it scanned, and a query on a good hour succeeds while every
// other hour's file is not even valid JSON (so it cannot have been opened).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query/query_engine.h"
#include "query/query_test_util.h"
#include "testing/test_util.h"

namespace tributary::query {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using tributary::testing::TempDir;
using namespace tributary::query::testing;  // NOLINT

constexpr char kOneHour[] =
    "WHERE year = '2026' AND month = '11' AND day = '24' AND hour = '10'";

class PartitionPruningTest : public ::testing::Test {
 protected:
  // Hours 08..12 of 2026-11-24 and hour 10 of the next day, one file each (two for hour 10).
  void Build(bool poison_other_hours) {
    std::vector<std::string> files;
    auto add = [&](const std::string& folder, const std::string& name, const std::string& line) {
      files.push_back(WriteLines(dir_.path(), std::string(kSeedTable) + "/" + folder + "/" + name,
                                 {line}));
    };
    for (int hour = 8; hour <= 12; ++hour) {
      const std::string hh = (hour < 10 ? "0" : "") + std::to_string(hour);
      const std::string folder = "year=2026/month=11/day=24/hour=" + hh;
      const bool target = hour == 10;
      const std::string row = SeedRow("o" + hh, "INSERT", 1795514400000 + hour * 3600000, 10.0);
      add(folder, "a.json", target || !poison_other_hours ? row : "this is not JSON {");
      if (target) add(folder, "b.json", SeedRow("o10b", "MODIFY", 1795514400000, 20.0));
    }
    add("year=2026/month=11/day=25/hour=10", "a.json",
        poison_other_hours ? "this is not JSON {" : SeedRow("next", "INSERT", 1795600800000, 1));
    auto engine = QueryEngine::Open(LakeOptions(dir_.str()));
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
    ASSERT_OK(engine_->ReplaceViews({SeedView(files)}));
    total_files_ = files.size();
  }

  // The EXPLAIN ANALYZE text of `sql`.
  std::string Profile(const std::string& sql) {
    auto result = engine_->Execute("EXPLAIN ANALYZE " + sql);
    EXPECT_OK(result);
    std::string text;
    if (result.ok()) {
      for (const auto& row : result->rows) {
        for (const auto& value : row) text += value.value_or("") + "\n";
      }
    }
    return text;
  }

  TempDir dir_;
  std::unique_ptr<QueryEngine> engine_;
  size_t total_files_ = 0;
};

TEST_F(PartitionPruningTest, ExplainAnalyzeShowsOnlyTheHoursFilesAreRead) {
  Build(/*poison_other_hours=*/false);
  ASSERT_EQ(total_files_, 7u);
  const std::string profile =
      Profile(std::string("SELECT count(*) FROM ") + kSeedTable + " " + kOneHour);
  EXPECT_THAT(profile, HasSubstr("Scanning Files: 2/7"));
  EXPECT_THAT(profile, HasSubstr("Total Files Read: 2"));
  EXPECT_THAT(profile, HasSubstr("hour=10"));
  EXPECT_THAT(profile, Not(HasSubstr("hour=09")));
  // Without the filter every file is read.
  EXPECT_THAT(Profile(std::string("SELECT count(*) FROM ") + kSeedTable),
              HasSubstr("Total Files Read: 7"));
}

TEST_F(PartitionPruningTest, OtherHoursAreNeverOpened) {
  Build(/*poison_other_hours=*/true);
  auto result = engine_->Execute(std::string("SELECT count(*), sum(price) FROM ") + kSeedTable +
                                 " " + kOneHour);
  ASSERT_OK(result);
  EXPECT_EQ(result->rows[0][0], "2");
  EXPECT_EQ(result->rows[0][1], "30.0");
  // The seed queries' shape (a filter on the hour plus data columns) prunes too.
  auto modify = engine_->Execute(std::string("SELECT id FROM ") + kSeedTable + " " + kOneHour +
                                 " AND cdc_event_type = 'MODIFY' ORDER BY creation_datetime DESC");
  ASSERT_OK(modify);
  ASSERT_EQ(modify->rows.size(), 1u);
  EXPECT_EQ(modify->rows[0][0], "o10b");
  // Control: a query that must open another hour fails on its bad file.
  EXPECT_FALSE(
      engine_->Execute(std::string("SELECT count(*) FROM ") + kSeedTable + " WHERE hour = '09'")
          .ok());
}

}  // namespace
}  // namespace tributary::query
