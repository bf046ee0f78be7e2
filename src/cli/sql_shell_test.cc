#include "cli/sql_shell.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/test_util.h"

namespace tributary::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using tributary::testing::TempDir;

class SqlShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.path() / "lake";
    fs::create_directories(lake_ / "orders/hour=10");
    std::ofstream(lake_ / "orders/hour=10/a.json")
        << "{\"id\":\"o1\",\"price\":10.5}\n{\"id\":\"o2\",\"price\":20}\n";
    auto catalog = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(catalog);
    catalog_ = std::move(catalog).value();
    catalog::TableDef def;
    def.name = "orders";
    def.location = "orders";
    def.partition_keys = {"hour"};
    ASSERT_OK(catalog_->EnsureTable(def));
    catalog::DataFile file;
    file.path = "orders/hour=10/a.json";
    file.partition_values = {{"hour", "10"}};
    file.row_count = 2;
    ASSERT_OK(catalog_->CommitFiles(
        "orders", {{"id", catalog::ColumnType::kString}, {"price", catalog::ColumnType::kDouble}},
        {file}, {}));
    auto engine = query::QueryEngine::Open(query::LakeQueryOptions(lake_.string()));
    ASSERT_OK(engine);
    engine_ = std::move(engine).value();
  }

  std::unique_ptr<SqlShell> Shell(SqlShell::Options options = {}) {
    out_.str("");
    err_.str("");
    return std::make_unique<SqlShell>(*engine_, *catalog_, out_, err_, options);
  }

  TempDir dir_;
  fs::path lake_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<query::QueryEngine> engine_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(SqlShellTest, StatementsSpanLinesAndEndAtSemicolons) {
  auto shell = Shell();
  EXPECT_TRUE(shell->FeedLine("SELECT count(*) AS n,"));
  EXPECT_TRUE(shell->pending());
  EXPECT_EQ(out_.str(), "");
  EXPECT_TRUE(shell->FeedLine("  sum(price) AS total FROM orders;"));
  EXPECT_FALSE(shell->pending());
  EXPECT_THAT(out_.str(), HasSubstr("30.5"));
  EXPECT_THAT(out_.str(), HasSubstr("(1 row)"));
  out_.str("");
  // Two statements on one line, a ';' inside a string, a trailing comment.
  EXPECT_TRUE(shell->FeedLine("SELECT 'a;b' AS s; SELECT 7 / 2 AS q; -- done"));
  EXPECT_THAT(out_.str(), HasSubstr("a;b"));
  EXPECT_THAT(out_.str(), HasSubstr("3"));
  EXPECT_FALSE(shell->pending());
  // End of input runs a statement without ';'.
  out_.str("");
  EXPECT_TRUE(shell->FeedLine("SELECT 42 AS answer"));
  EXPECT_TRUE(shell->Finish());
  EXPECT_THAT(out_.str(), HasSubstr("42"));
  EXPECT_EQ(shell->errors(), 0);
}

TEST_F(SqlShellTest, DotCommands) {
  auto shell = Shell();
  EXPECT_TRUE(shell->FeedLine(".tables"));
  EXPECT_EQ(out_.str(), "orders\n");
  out_.str("");
  EXPECT_TRUE(shell->FeedLine(".schema orders"));
  EXPECT_EQ(out_.str(), "orders (\n  id VARCHAR,\n  price DOUBLE,\n  hour VARCHAR\n);\n");
  out_.str("");
  EXPECT_TRUE(shell->FeedLine(".mode csv"));
  EXPECT_TRUE(shell->FeedLine("SELECT id, price FROM orders ORDER BY id;"));
  EXPECT_EQ(out_.str(), "id,price\no1,10.5\no2,20.0\n");
  out_.str("");
  EXPECT_TRUE(shell->FeedLine(".mode json"));
  EXPECT_TRUE(shell->FeedLine("SELECT id FROM orders ORDER BY id;"));
  EXPECT_THAT(out_.str(), HasSubstr("{\"id\":\"o1\"}"));
  out_.str("");
  EXPECT_TRUE(shell->FeedLine(".help"));
  EXPECT_THAT(out_.str(), HasSubstr(".output"));
  EXPECT_TRUE(shell->FeedLine(".timer on"));
  EXPECT_TRUE(shell->FeedLine("SELECT 1;"));
  EXPECT_THAT(err_.str(), HasSubstr("Run Time: "));
  EXPECT_TRUE(shell->FeedLine(".mode xml"));  // an error, but interactive shells go on
  EXPECT_TRUE(shell->FeedLine(".frobnicate"));
  EXPECT_EQ(shell->errors(), 2);
  EXPECT_THAT(err_.str(), HasSubstr("unknown command .frobnicate"));
  EXPECT_FALSE(shell->FeedLine(".quit"));
}

TEST_F(SqlShellTest, OutputToTextAndParquetFilesOutsideTheLake) {
  auto shell = Shell();
  const fs::path csv = dir_.path() / "out.csv";
  EXPECT_TRUE(shell->FeedLine(".mode csv"));
  EXPECT_TRUE(shell->FeedLine(".output " + csv.string()));
  EXPECT_TRUE(shell->FeedLine("SELECT id FROM orders ORDER BY id;"));
  EXPECT_TRUE(shell->FeedLine(".output"));
  std::ifstream in(csv);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "id\no1\no2\n");

  const fs::path parquet = dir_.path() / "out.parquet";
  EXPECT_TRUE(shell->FeedLine(".output " + parquet.string()));
  EXPECT_TRUE(shell->FeedLine("SELECT id, price, hour FROM orders ORDER BY id;"));
  EXPECT_THAT(err_.str(), HasSubstr("wrote 2 rows to " + parquet.string()));
  EXPECT_TRUE(shell->FeedLine(".output"));
  auto reader = query::QueryEngine::Open(query::LakeQueryOptions(dir_.str()));
  ASSERT_OK(reader);
  auto back = (*reader)->Execute("SELECT * FROM read_parquet('" + parquet.string() + "')");
  ASSERT_OK(back);
  EXPECT_EQ(back->column_types, (std::vector<std::string>{"VARCHAR", "DOUBLE", "VARCHAR"}));
  ASSERT_EQ(back->rows.size(), 2u);
  EXPECT_EQ(back->rows[1][1], "20.0");

  // Not into the lake.
  EXPECT_TRUE(shell->FeedLine(".output " + (lake_ / "x.parquet").string()));
  EXPECT_THAT(err_.str(), HasSubstr("is inside the lake"));
  EXPECT_TRUE(shell->FeedLine("SELECT 1;"));
  EXPECT_FALSE(fs::exists(lake_ / "x.parquet"));
}

TEST_F(SqlShellTest, ScriptsStopAtTheFirstErrorAndSqlStaysSandboxed) {
  SqlShell::Options options;
  options.bail_on_error = true;
  auto shell = Shell(options);
  const fs::path target = dir_.path() / "copied.csv";
  EXPECT_FALSE(shell->FeedLine("COPY (SELECT * FROM orders) TO '" + target.string() + "';"));
  EXPECT_THAT(err_.str(), HasSubstr("COPY statements are not allowed"));
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(shell->errors(), 1);

  auto second = Shell(options);
  EXPECT_FALSE(second->FeedLine("SELECT * FROM read_csv('/etc/passwd'); SELECT 1 AS never;"));
  EXPECT_THAT(err_.str(), HasSubstr("Permission Error"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("never")));
}

}  // namespace
}  // namespace tributary::cli
