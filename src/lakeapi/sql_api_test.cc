#include "lakeapi/sql_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <set>

#include "core/json_writer.h"
#include "lakeapi/lake_test_util.h"

namespace tributary::lakeapi {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::set<std::string> Tree(const fs::path& root) {
  std::set<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(root)) out.insert(e.path().string());
  return out;
}

class SqlApiTest : public testing_util::LakeTestBase {
 protected:
  void SetUp() override {
    LakeTestBase::SetUp();
    executor_ = MakeExecutor();
  }
  SqlApiResponse Query(const std::string& sql, const SqlApiOptions& options = {}) {
    std::string body = "{\"sql\":";
    JsonWriter::AppendQuoted(body, sql);
    body += "}";
    return HandleSqlQuery(*executor_, options, body);
  }
  std::unique_ptr<QueryExecutor> executor_;
};

TEST_F(SqlApiTest, ColumnsAndRows) {
  auto r = Query("SELECT id, price, note FROM orders WHERE id IN ('o3', 'o4') ORDER BY id");
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"columns":[{"name":"id","type":"VARCHAR","athena_type":"varchar"},)"
            R"({"name":"price","type":"DOUBLE","athena_type":"double"},)"
            R"({"name":"note","type":"VARCHAR","athena_type":"varchar"}],)"
            R"("rows":[["o3","300.5","say \"hi\", ok"],["o4","400.5",null]],"row_count":2,"truncated":false,)"
            R"("elapsed_ms":)" +
                r.body.substr(r.body.rfind(':') + 1));
}

TEST_F(SqlApiTest, Limits) {
  SqlApiOptions options;
  options.max_rows = 4;
  auto r = Query("SELECT id FROM orders", options);
  ASSERT_EQ(r.http_status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"row_count\":4,\"truncated\":true"));
  r = HandleSqlQuery(*executor_, options, R"({"sql":"SELECT id FROM orders","max_rows":2})");
  EXPECT_THAT(r.body, HasSubstr("\"row_count\":2,\"truncated\":true"));
  options.max_rows = 100000;
  options.max_bytes = 1000;
  r = Query("SELECT range FROM range(100000)", options);
  ASSERT_EQ(r.http_status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"truncated\":true"));
  EXPECT_LT(r.body.size(), 1200u);
  options.timeout_ms = 200;
  r = Query(testing_util::kLongQuery, options);
  EXPECT_EQ(r.http_status, 504) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"error\":\"timeout\""));
}

TEST_F(SqlApiTest, BadRequests) {
  EXPECT_EQ(HandleSqlQuery(*executor_, {}, "not json").http_status, 400);
  EXPECT_EQ(HandleSqlQuery(*executor_, {}, "{}").http_status, 400);
  EXPECT_EQ(HandleSqlQuery(*executor_, {}, R"({"sql":""})").http_status, 400);
  EXPECT_EQ(HandleSqlQuery(*executor_, {}, R"({"sql":"SELECT 1","max_rows":0})").http_status, 400);
  auto r = Query("SELEC 1");
  EXPECT_EQ(r.http_status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"error\":\"query_error\""));
}

// Every way out of the lake is refused with a clear error, and nothing is written anywhere.
TEST_F(SqlApiTest, SandboxVectorsAreRefusedAndWriteNothing) {
  const std::string root = dir_.path().string();
  const std::set<std::string> before = Tree(dir_.path());
  const std::vector<std::string> vectors = {
      "COPY orders TO '" + lake_ + "/copy.csv'",
      "COPY (SELECT 1) TO '" + root + "/copy.csv'",
      "COPY (SELECT 1) TO '/tmp/tributary-sandbox-copy.csv'",
      "EXPORT DATABASE '" + lake_ + "/export'",
      "ATTACH '" + lake_ + "/attached.db' AS a",
      "ATTACH ':memory:' AS m",
      "DETACH m",
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET enable_external_access = true",
      "SET GLOBAL allowed_directories = ['/']",
      "RESET lock_configuration",
      "SET lock_configuration = false",
      "PRAGMA enable_profiling",
      "PRAGMA database_list",
      "CALL pragma_database_list()",
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM '/etc/passwd'",
      "SELECT * FROM read_json_auto('" + root + "/catalog.db')",
      "SELECT * FROM glob('/*')",
      "SELECT * FROM glob('" + root + "/*')",
      "SELECT * FROM read_csv('http://127.0.0.1:1/x.csv')",
      "CREATE TABLE t AS SELECT 1",
      "CREATE MACRO evil() AS 1",
      "CREATE OR REPLACE VIEW orders AS SELECT 1",
      "DROP VIEW orders",
      "INSERT INTO orders VALUES (1)",
      "SELECT 1; COPY (SELECT 1) TO '" + lake_ + "/multi.csv'",
      "WITH x AS (SELECT 1) SELECT * FROM x; ATTACH '" + lake_ + "/y.db'",
      "CHECKPOINT",
      "VACUUM",
      "USE memory",
  };
  for (const std::string& sql : vectors) {
    auto r = Query(sql);
    EXPECT_EQ(r.http_status, 400) << sql << " -> " << r.body;
    EXPECT_THAT(r.body, HasSubstr("\"error\":\"query_error\"")) << sql;
  }
  EXPECT_EQ(Tree(dir_.path()), before);
  EXPECT_FALSE(fs::exists("/tmp/tributary-sandbox-copy.csv"));
  // The lake still answers, with the configuration unchanged.
  auto ok = Query("SELECT count(*) AS n, current_setting('enable_external_access') AS ext FROM orders");
  ASSERT_EQ(ok.http_status, 200) << ok.body;
  EXPECT_THAT(ok.body, HasSubstr(R"("rows":[["6","false"]])"));
}

}  // namespace
}  // namespace tributary::lakeapi
