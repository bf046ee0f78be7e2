#include "lakeapi/athena_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/json_writer.h"
#include "lakeapi/lake_test_util.h"

namespace tributary::lakeapi {
namespace {

using ::testing::HasSubstr;

class AthenaApiTest : public testing_util::LakeTestBase {
 protected:
  void SetUp() override {
    LakeTestBase::SetUp();
    executor_ = MakeExecutor();
    AthenaOptions options;
    options.executor = executor_.get();
    RegisterAthena(registry_, options);
  }

  int Call(std::string_view op, std::string_view body) {
    dynamodb::ApiContext ctx;
    auto r = dynamodb::Dispatch(registry_, std::string(kAthenaTargetPrefix) + std::string(op), body, ctx);
    body_ = r.body;
    EXPECT_EQ(parser_.parse(body_).get(doc_), simdjson::SUCCESS) << body_;
    return r.http_status;
  }
  std::string Str(simdjson::dom::element e) {
    std::string_view s;
    EXPECT_EQ(e.get_string().get(s), simdjson::SUCCESS) << body_;
    return std::string(s);
  }
  std::string Start(const std::string& sql) {
    JsonWriter w;
    w.BeginObject();
    w.Key("QueryString");
    w.String(sql);
    w.EndObject();
    EXPECT_EQ(Call("StartQueryExecution", w.str()), 200) << body_;
    std::string id = Str(doc_["QueryExecutionId"]);
    WaitDone(*executor_, id);
    return id;
  }

  std::unique_ptr<QueryExecutor> executor_;
  dynamodb::OperationRegistry registry_;
  simdjson::dom::parser parser_;
  std::string body_;
  simdjson::dom::element doc_;
};

TEST_F(AthenaApiTest, ExecutionShape) {
  const std::string id = Start("SELECT id FROM orders");
  ASSERT_EQ(Call("GetQueryExecution", R"({"QueryExecutionId":")" + id + "\"}"), 200);
  auto e = doc_["QueryExecution"];
  EXPECT_EQ(Str(e["QueryExecutionId"]), id);
  EXPECT_EQ(Str(e["Query"]), "SELECT id FROM orders");
  EXPECT_EQ(Str(e["StatementType"]), "DML");
  EXPECT_EQ(Str(e["Status"]["State"]), "SUCCEEDED");
  EXPECT_EQ(Str(e["ResultConfiguration"]["OutputLocation"]), "s3://tributary-athena-results/" + id + ".csv");
  EXPECT_EQ(Str(e["WorkGroup"]), "primary");
  EXPECT_EQ(Str(e["QueryExecutionContext"]["Database"]), "default");
  int64_t scanned = 0;
  EXPECT_EQ(e["Statistics"]["DataScannedInBytes"].get_int64().get(scanned), simdjson::SUCCESS);
  EXPECT_GT(scanned, 0);
  EXPECT_EQ(e["Statistics"]["EngineExecutionTimeInMillis"].error(), simdjson::SUCCESS);
  EXPECT_EQ(e["Statistics"]["TotalExecutionTimeInMillis"].error(), simdjson::SUCCESS);

  ASSERT_EQ(Call("GetQueryExecution", R"({"QueryExecutionId":"nope"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "InvalidRequestException");
  EXPECT_EQ(Str(doc_["AthenaErrorCode"]), "INVALID_INPUT");
}

TEST_F(AthenaApiTest, ResultsHeaderTypesAndPaging) {
  const std::string id = Start("SELECT id, price, CAST(\"at\" AS TIMESTAMP) AS ts, 7 / 2 AS half FROM orders ORDER BY id");
  ASSERT_EQ(Call("GetQueryResults", R"({"QueryExecutionId":")" + id + R"(","MaxResults":3})"), 200) << body_;
  simdjson::dom::array rows = doc_["ResultSet"]["Rows"];
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(Str(rows.at(0)["Data"].at(0)["VarCharValue"]), "id");  // header row first
  EXPECT_EQ(Str(rows.at(0)["Data"].at(3)["VarCharValue"]), "half");
  EXPECT_EQ(Str(rows.at(1)["Data"].at(0)["VarCharValue"]), "o0");
  EXPECT_EQ(Str(rows.at(1)["Data"].at(2)["VarCharValue"]), "2024-05-01 10:00:00.000");
  EXPECT_EQ(Str(rows.at(1)["Data"].at(3)["VarCharValue"]), "3");  // Trino integer division
  simdjson::dom::array cols = doc_["ResultSet"]["ResultSetMetadata"]["ColumnInfo"];
  ASSERT_EQ(cols.size(), 4u);
  EXPECT_EQ(Str(cols.at(0)["Type"]), "varchar");
  EXPECT_EQ(Str(cols.at(1)["Type"]), "double");
  EXPECT_EQ(Str(cols.at(2)["Type"]), "timestamp");
  EXPECT_EQ(Str(cols.at(3)["Name"]), "half");
  std::vector<std::string> ids = {Str(rows.at(1)["Data"].at(0)["VarCharValue"]),
                                  Str(rows.at(2)["Data"].at(0)["VarCharValue"])};
  std::string token = Str(doc_["NextToken"]);
  while (true) {
    ASSERT_EQ(Call("GetQueryResults",
                   R"({"QueryExecutionId":")" + id + R"(","MaxResults":2,"NextToken":")" + token + "\"}"),
              200);
    for (auto row : simdjson::dom::array(doc_["ResultSet"]["Rows"])) ids.push_back(Str(row["Data"].at(0)["VarCharValue"]));
    if (doc_["NextToken"].error() != simdjson::SUCCESS) break;
    token = Str(doc_["NextToken"]);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"o0", "o1", "o2", "o3", "o4", "o5"}));

  // A token from another query, garbage, MaxResults out of range.
  const std::string other = Start("SELECT 1");
  EXPECT_EQ(Call("GetQueryResults", R"({"QueryExecutionId":")" + other + R"(","NextToken":")" + token + "\"}"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "InvalidRequestException");
  EXPECT_EQ(Call("GetQueryResults", R"({"QueryExecutionId":")" + id + R"(","MaxResults":1001})"), 400);
}

TEST_F(AthenaApiTest, NullsAreEmptyDatums) {
  const std::string id = Start("SELECT note FROM orders WHERE id = 'o4'");
  ASSERT_EQ(Call("GetQueryResults", R"({"QueryExecutionId":")" + id + "\"}"), 200);
  simdjson::dom::array rows = doc_["ResultSet"]["Rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.at(1)["Data"].at(0)["VarCharValue"].error(), simdjson::NO_SUCH_FIELD);
}

TEST_F(AthenaApiTest, FailedAndUnfinishedQueries) {
  const std::string id = Start("SELECT * FROM no_such_table");
  ASSERT_EQ(Call("GetQueryExecution", R"({"QueryExecutionId":")" + id + "\"}"), 200);
  EXPECT_EQ(Str(doc_["QueryExecution"]["Status"]["State"]), "FAILED");
  EXPECT_THAT(Str(doc_["QueryExecution"]["Status"]["StateChangeReason"]), HasSubstr("no_such_table"));
  EXPECT_EQ(Str(doc_["QueryExecution"]["Status"]["AthenaError"]["ErrorMessage"]),
            Str(doc_["QueryExecution"]["Status"]["StateChangeReason"]));
  ASSERT_EQ(Call("GetQueryResults", R"({"QueryExecutionId":")" + id + "\"}"), 400);
  EXPECT_THAT(Str(doc_["message"]), HasSubstr("FAILED"));

  ASSERT_EQ(Call("StartQueryExecution", std::string(R"({"QueryString":")") + testing_util::kLongQuery + "\"}"), 200);
  const std::string running = Str(doc_["QueryExecutionId"]);
  ASSERT_EQ(Call("GetQueryResults", R"({"QueryExecutionId":")" + running + "\"}"), 400);
  EXPECT_THAT(Str(doc_["message"]), HasSubstr("Query has not yet finished. Current state: "));
  ASSERT_EQ(Call("StopQueryExecution", R"({"QueryExecutionId":")" + running + "\"}"), 200);
  EXPECT_EQ(WaitDone(*executor_, running).state, QueryState::kCancelled);
}

TEST_F(AthenaApiTest, BadRequests) {
  EXPECT_EQ(Call("StartQueryExecution", "{}"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "InvalidRequestException");
  EXPECT_EQ(Call("StartQueryExecution", R"({"QueryString":5})"), 400);
  EXPECT_EQ(Call("StartQueryExecution", R"({"QueryString":"SELECT 1","WorkGroup":"other"})"), 400);
  EXPECT_EQ(Call("StartQueryExecution",
                 R"({"QueryString":"SELECT 1","ResultConfiguration":{"OutputLocation":"s3://b/../../x/"}})"),
            400);
  EXPECT_THAT(Str(doc_["message"]), HasSubstr("OutputLocation"));
  EXPECT_EQ(Call("StartQueryExecution", R"({"QueryString":"SELECT 1","ClientRequestToken":"short"})"), 400);
  EXPECT_EQ(Call("StopQueryExecution", "{}"), 400);
}

TEST_F(AthenaApiTest, ListBatchAndWorkGroups) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Start("SELECT " + std::to_string(i)));
  std::vector<std::string> listed;
  std::string token;
  while (true) {
    std::string body = R"({"MaxResults":2)";
    if (!token.empty()) body += R"(,"NextToken":")" + token + "\"";
    ASSERT_EQ(Call("ListQueryExecutions", body + "}"), 200) << body_;
    for (auto id : simdjson::dom::array(doc_["QueryExecutionIds"])) listed.push_back(Str(id));
    if (doc_["NextToken"].error() != simdjson::SUCCESS) break;
    token = Str(doc_["NextToken"]);
  }
  EXPECT_EQ(listed, (std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]}));

  ASSERT_EQ(Call("BatchGetQueryExecution", R"({"QueryExecutionIds":[")" + ids[0] + R"(","missing"]})"), 200);
  EXPECT_EQ(simdjson::dom::array(doc_["QueryExecutions"]).size(), 1u);
  EXPECT_EQ(Str(doc_["UnprocessedQueryExecutionIds"].at(0)["QueryExecutionId"]), "missing");

  ASSERT_EQ(Call("GetWorkGroup", R"({"WorkGroup":"primary"})"), 200);
  EXPECT_EQ(Str(doc_["WorkGroup"]["Configuration"]["ResultConfiguration"]["OutputLocation"]),
            "s3://tributary-athena-results/");
  ASSERT_EQ(Call("ListWorkGroups", "{}"), 200);
  EXPECT_EQ(Str(doc_["WorkGroups"].at(0)["Name"]), "primary");
}

TEST(AthenaTypeTest, Names) {
  EXPECT_EQ(AthenaTypeOf("VARCHAR").name, "varchar");
  EXPECT_EQ(AthenaTypeOf("BIGINT").name, "bigint");
  EXPECT_EQ(AthenaTypeOf("INTEGER").name, "integer");
  EXPECT_EQ(AthenaTypeOf("DOUBLE").name, "double");
  EXPECT_EQ(AthenaTypeOf("BOOLEAN").name, "boolean");
  EXPECT_EQ(AthenaTypeOf("DATE").name, "date");
  EXPECT_EQ(AthenaTypeOf("TIMESTAMP").name, "timestamp");
  EXPECT_EQ(AthenaTypeOf("TIMESTAMP WITH TIME ZONE").name, "timestamp with time zone");
  EXPECT_EQ(AthenaTypeOf("VARCHAR[]").name, "array");
  EXPECT_EQ(AthenaTypeOf("STRUCT(a INTEGER)").name, "row");
  EXPECT_EQ(AthenaTypeOf("MAP(VARCHAR, INTEGER)").name, "map");
  auto d = AthenaTypeOf("DECIMAL(18,3)");
  EXPECT_EQ(d.name, "decimal");
  EXPECT_EQ(d.precision, 18);
  EXPECT_EQ(d.scale, 3);
}

}  // namespace
}  // namespace tributary::lakeapi
