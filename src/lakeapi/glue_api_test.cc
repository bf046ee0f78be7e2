#include "lakeapi/glue_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "testing/test_util.h"

namespace tributary::lakeapi {
namespace {

using ::testing::HasSubstr;

class GlueApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog::CatalogOptions options;
    options.clock = &clock_;
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string(), options);
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    catalog::TableDef sales;
    sales.name = "sales";
    sales.location = "sales";
    sales.partition_keys = {"year", "month", "day", "hour"};
    ASSERT_OK(catalog_->EnsureTable(sales));
    std::vector<catalog::DataFile> files;
    for (int hour = 8; hour < 13; ++hour) {
      catalog::DataFile f;
      char folder[64];
      std::snprintf(folder, sizeof(folder), "sales/year=2024/month=05/day=01/hour=%02d", hour);
      f.path = std::string(folder) + "/part-0.json";
      f.partition_values = {{"year", "2024"}, {"month", "05"}, {"day", "01"}, {"hour", folder + 37}};
      f.row_count = hour;
      f.size_bytes = hour * 100;
      files.push_back(f);
    }
    ASSERT_OK(catalog_->CommitFiles("sales",
                                    {{"id", catalog::ColumnType::kString},
                                     {"price", catalog::ColumnType::kDouble},
                                     {"at", catalog::ColumnType::kTimestamp},
                                     {"doc", catalog::ColumnType::kJson}},
                                    files, {}));
    catalog::TableDef flat;
    flat.name = "flat_events";
    flat.location = "flat";
    ASSERT_OK(catalog_->EnsureTable(flat));
    GlueOptions glue;
    glue.catalog = catalog_.get();
    glue.lake_root = "/data/lake";
    glue.account_id = "123456789012";
    RegisterGlue(registry_, glue);
  }

  // Runs the operation; returns the HTTP status and keeps the parsed body in doc_.
  int Call(std::string_view op, std::string_view body) {
    dynamodb::ApiContext ctx;
    ctx.clock = &clock_;
    auto r = dynamodb::Dispatch(registry_, std::string(kGlueTargetPrefix) + std::string(op), body, ctx);
    body_ = r.body;
    EXPECT_EQ(parser_.parse(body_).get(doc_), simdjson::SUCCESS) << body_;
    return r.http_status;
  }
  std::string Str(simdjson::dom::element e) {
    std::string_view s;
    EXPECT_EQ(e.get_string().get(s), simdjson::SUCCESS);
    return std::string(s);
  }

  ::tributary::testing::TempDir dir_;
  ManualClock clock_{1700000000000};
  std::unique_ptr<catalog::Catalog> catalog_;
  dynamodb::OperationRegistry registry_;
  simdjson::dom::parser parser_;
  std::string body_;
  simdjson::dom::element doc_;
};

TEST_F(GlueApiTest, GetTableShape) {
  ASSERT_EQ(Call("GetTable", R"({"DatabaseName":"default","Name":"SALES"})"), 200) << body_;
  auto t = doc_["Table"];
  EXPECT_EQ(Str(t["Name"]), "sales");
  EXPECT_EQ(Str(t["DatabaseName"]), "default");
  EXPECT_EQ(Str(t["TableType"]), "EXTERNAL_TABLE");
  EXPECT_EQ(Str(t["CatalogId"]), "123456789012");
  EXPECT_EQ(double(t["CreateTime"]), 1700000000.0);
  auto sd = t["StorageDescriptor"];
  EXPECT_EQ(Str(sd["Location"]), "file:///data/lake/sales/");
  EXPECT_EQ(Str(sd["InputFormat"]), "org.apache.hadoop.mapred.TextInputFormat");
  EXPECT_EQ(Str(sd["SerdeInfo"]["SerializationLibrary"]), "org.openx.data.jsonserde.JsonSerDe");
  EXPECT_EQ(Str(sd["SerdeInfo"]["Parameters"]["paths"]), "id,price,at,doc");
  simdjson::dom::array cols = sd["Columns"];
  ASSERT_EQ(cols.size(), 4u);
  EXPECT_EQ(Str(cols.at(1)["Name"]), "price");
  EXPECT_EQ(Str(cols.at(1)["Type"]), "double");
  EXPECT_EQ(Str(cols.at(2)["Type"]), "timestamp");
  EXPECT_EQ(Str(cols.at(3)["Type"]), "string");  // json columns are strings to Glue
  simdjson::dom::array keys = t["PartitionKeys"];
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(Str(keys.at(3)["Name"]), "hour");
  EXPECT_EQ(Str(keys.at(3)["Type"]), "string");
  EXPECT_EQ(Str(t["Parameters"]["classification"]), "json");
  EXPECT_EQ(Str(t["Parameters"]["recordCount"]), "50");
}

TEST_F(GlueApiTest, NotFoundErrors) {
  EXPECT_EQ(Call("GetTable", R"({"DatabaseName":"default","Name":"nope"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "EntityNotFoundException");
  EXPECT_EQ(Str(doc_["message"]), "Table nope not found.");
  EXPECT_EQ(Call("GetTable", R"({"DatabaseName":"other","Name":"sales"})"), 400);
  EXPECT_EQ(Str(doc_["message"]), "Database other not found.");
  EXPECT_EQ(Call("GetDatabase", R"({"Name":"other"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "EntityNotFoundException");
  EXPECT_EQ(Call("GetTable", R"({"DatabaseName":"default"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "InvalidInputException");
  EXPECT_EQ(Call("GetTable", R"({"DatabaseName":7,"Name":"x"})"), 400);
  EXPECT_EQ(Str(doc_["message"]), "DatabaseName must be a string");
}

TEST_F(GlueApiTest, DatabasesAndTables) {
  ASSERT_EQ(Call("GetDatabases", "{}"), 200);
  simdjson::dom::array dbs = doc_["DatabaseList"];
  ASSERT_EQ(dbs.size(), 1u);
  EXPECT_EQ(Str(dbs.at(0)["Name"]), "default");
  ASSERT_EQ(Call("GetDatabase", R"({"Name":"default"})"), 200);
  EXPECT_EQ(Str(doc_["Database"]["Name"]), "default");

  ASSERT_EQ(Call("GetTables", R"({"DatabaseName":"default"})"), 200);
  simdjson::dom::array tables = doc_["TableList"];
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(Str(tables.at(0)["Name"]), "flat_events");
  EXPECT_EQ(Str(tables.at(1)["Name"]), "sales");
  ASSERT_EQ(Call("GetTables", R"({"DatabaseName":"default","Expression":"sal*"})"), 200);
  tables = doc_["TableList"];
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_EQ(Call("GetTables", R"({"DatabaseName":"default","Expression":"nothing|flat.*"})"), 200);
  tables = doc_["TableList"];
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(Str(tables.at(0)["Name"]), "flat_events");
  EXPECT_EQ(Call("GetTables", R"({"DatabaseName":"default","Expression":"(unclosed"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "InvalidInputException");

  // Paging.
  ASSERT_EQ(Call("GetTables", R"({"DatabaseName":"default","MaxResults":1})"), 200);
  tables = doc_["TableList"];
  ASSERT_EQ(tables.size(), 1u);
  std::string token = Str(doc_["NextToken"]);
  ASSERT_EQ(Call("GetTables", R"({"DatabaseName":"default","MaxResults":1,"NextToken":")" + token + "\"}"), 200);
  tables = doc_["TableList"];
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(Str(tables.at(0)["Name"]), "sales");
  EXPECT_EQ(doc_["NextToken"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(Call("GetTables", R"({"DatabaseName":"default","NextToken":"garbage"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "InvalidInputException");
  EXPECT_EQ(Call("GetTables", R"({"DatabaseName":"default","MaxResults":0})"), 400);
}

TEST_F(GlueApiTest, PartitionsWithExpressionAndPaging) {
  ASSERT_EQ(Call("GetPartitions", R"({"DatabaseName":"default","TableName":"sales"})"), 200) << body_;
  simdjson::dom::array parts = doc_["Partitions"];
  ASSERT_EQ(parts.size(), 5u);
  auto p0 = parts.at(0);
  simdjson::dom::array values = p0["Values"];
  EXPECT_EQ(Str(values.at(3)), "08");
  EXPECT_EQ(Str(p0["TableName"]), "sales");
  EXPECT_EQ(Str(p0["StorageDescriptor"]["Location"]), "file:///data/lake/sales/year=2024/month=05/day=01/hour=08/");
  EXPECT_EQ(Str(p0["Parameters"]["recordCount"]), "8");
  EXPECT_EQ(Str(p0["Parameters"]["objectCount"]), "1");
  // The names a Glue crawler gives a partition, repeated in its StorageDescriptor.
  for (const char* key : {"classification", "compressionType", "typeOfData", "recordCount", "objectCount",
                          "sizeKey", "averageRecordSize"}) {
    EXPECT_EQ(Str(p0["Parameters"][key]), Str(p0["StorageDescriptor"]["Parameters"][key])) << key;
    EXPECT_FALSE(Str(p0["Parameters"][key]).empty()) << key;
  }
  EXPECT_EQ(Str(p0["Parameters"]["classification"]), "json");
  EXPECT_EQ(Str(p0["Parameters"]["compressionType"]), "none");
  EXPECT_EQ(p0["Parameters"]["numRows"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_FALSE(bool(p0["StorageDescriptor"]["Compressed"]));
  EXPECT_EQ(Str(p0["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]), "org.openx.data.jsonserde.JsonSerDe");

  ASSERT_EQ(Call("GetPartitions",
                 R"({"DatabaseName":"default","TableName":"sales","Expression":"hour BETWEEN '09' AND '11' AND hour <> '10'"})"),
            200);
  parts = doc_["Partitions"];
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(Str(parts.at(1)["Values"].at(3)), "11");

  ASSERT_EQ(Call("GetPartitions", R"({"DatabaseName":"default","TableName":"sales","Expression":"bad = '1'"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "InvalidInputException");
  EXPECT_THAT(Str(doc_["message"]), HasSubstr("unknown partition key 'bad'"));

  // Pages of two.
  std::vector<std::string> hours;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    std::string body = R"({"DatabaseName":"default","TableName":"sales","MaxResults":2)";
    if (!token.empty()) body += R"(,"NextToken":")" + token + "\"";
    ASSERT_EQ(Call("GetPartitions", body + "}"), 200) << body_;
    for (auto p : simdjson::dom::array(doc_["Partitions"])) hours.push_back(Str(p["Values"].at(3)));
    if (doc_["NextToken"].error() != simdjson::SUCCESS) break;
    token = Str(doc_["NextToken"]);
  }
  EXPECT_EQ(hours, (std::vector<std::string>{"08", "09", "10", "11", "12"}));

  // Segments split the partitions disjointly.
  size_t total = 0;
  for (int s = 0; s < 3; ++s) {
    ASSERT_EQ(Call("GetPartitions", R"({"DatabaseName":"default","TableName":"sales","Segment":{"SegmentNumber":)" +
                                        std::to_string(s) + R"(,"TotalSegments":3},"ExcludeColumnSchema":true})"),
              200);
    simdjson::dom::array seg = doc_["Partitions"];
    total += seg.size();
    if (seg.size() > 0) {
      EXPECT_EQ(simdjson::dom::array(seg.at(0)["StorageDescriptor"]["Columns"]).size(), 0u);
    }
  }
  EXPECT_EQ(total, 5u);

  ASSERT_EQ(Call("GetPartition",
                 R"({"DatabaseName":"default","TableName":"sales","PartitionValues":["2024","05","01","12"]})"),
            200);
  EXPECT_EQ(Str(doc_["Partition"]["Parameters"]["recordCount"]), "12");
  ASSERT_EQ(Call("GetPartition",
                 R"({"DatabaseName":"default","TableName":"sales","PartitionValues":["2024","05","01","13"]})"),
            400);
  EXPECT_EQ(Str(doc_["__type"]), "EntityNotFoundException");

  ASSERT_EQ(Call("GetPartitions", R"({"DatabaseName":"default","TableName":"flat_events"})"), 200);
  EXPECT_EQ(simdjson::dom::array(doc_["Partitions"]).size(), 0u);
}

TEST_F(GlueApiTest, TableVersions) {
  ASSERT_EQ(Call("GetTableVersions", R"({"DatabaseName":"default","TableName":"sales"})"), 200) << body_;
  simdjson::dom::array versions = doc_["TableVersions"];
  ASSERT_GE(versions.size(), 1u);
  const std::string newest = Str(versions.at(0)["VersionId"]);
  simdjson::dom::array cols = versions.at(0)["Table"]["StorageDescriptor"]["Columns"];
  EXPECT_EQ(cols.size(), 4u);
  ASSERT_EQ(Call("GetTableVersion", R"({"DatabaseName":"default","TableName":"sales"})"), 200) << body_;
  EXPECT_EQ(Str(doc_["TableVersion"]["VersionId"]), newest);
  ASSERT_EQ(Call("GetTableVersion", R"({"DatabaseName":"default","TableName":"sales","VersionId":")" + newest + "\"}"),
            200);
  ASSERT_EQ(Call("GetTableVersion", R"({"DatabaseName":"default","TableName":"sales","VersionId":"999"})"), 400);
  EXPECT_EQ(Str(doc_["__type"]), "EntityNotFoundException");
  ASSERT_EQ(Call("GetTableVersions", R"({"DatabaseName":"default","TableName":"sales","MaxResults":1})"), 200);
  EXPECT_EQ(simdjson::dom::array(doc_["TableVersions"]).size(), 1u);
}

}  // namespace
}  // namespace tributary::lakeapi
