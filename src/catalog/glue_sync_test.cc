// GlueSync against a moto_server the test starts (Glue's Data Catalog API), directly and through
// a proxy that can make Glue unavailable or throttle it.
#include "catalog/glue_sync.h"

#include <simdjson.h>

#include <atomic>

#include "aws/http.h"
#include "catalog/catalog_test_util.h"
#include "testing/moto_server.h"
#include "testing/test_http_server.h"

namespace tributary::catalog {
namespace {

using ::tributary::testing::MotoServer;
using ::tributary::testing::ScriptedResponse;
using ::tributary::testing::SeenRequest;
using ::tributary::testing::TestHttpServer;
using testing_util::SalesFile;
using testing_util::SalesTable;

class GlueSyncTest : public testing_util::CatalogTestBase {
 protected:
  static void SetUpTestSuite() {
    if (!MotoServer::Available()) return;
    auto m = MotoServer::Start();
    if (m.ok()) moto_ = std::move(*m).release();
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    if (!MotoServer::Available()) GTEST_SKIP() << "moto_server is not installed";
    ASSERT_NE(moto_, nullptr) << "moto_server did not start";
    CatalogTestBase::SetUp();
    proxy_ = std::make_unique<TestHttpServer>([this](const SeenRequest& r) -> ScriptedResponse {
      if (down_) return {503, {}, R"({"__type":"ServiceUnavailableException","message":"injected"})"};
      if (throttled_) return {400, {}, R"({"__type":"ThrottlingException","message":"Rate exceeded"})"};
      aws::HttpRequest f;
      f.method = r.method;
      f.url = moto_->url() + r.path;
      for (const auto& [k, v] : r.headers) {
        if (k != "host" && k != "content-length") f.headers.emplace_back(k, v);
      }
      f.body = r.body;
      auto answer = http_.Send(f);
      if (!answer.ok()) return {502, {}, ""};
      return {answer->status, {{"Content-Type", "application/x-amz-json-1.1"}}, answer->body};
    });
    static std::atomic<int> n{0};
    database_ = "lake_" + std::to_string(getpid()) + "_" + std::to_string(n++);
  }
  std::unique_ptr<aws::JsonClient> Client(const std::string& url) {
    aws::ClientConfig c;
    c.service = "glue";
    c.region = "us-east-1";
    c.endpoint_url = url;
    c.credentials = aws::CredentialProvider::Static({"testing", "testing", ""});
    c.max_attempts = 2;
    c.backoff_base_ms = 1;
    auto client = aws::JsonClient::Create(c);
    EXPECT_OK(client);
    return std::move(*client);
  }
  std::unique_ptr<GlueSync> Make() {
    GlueSyncOptions o;
    o.database = database_;
    o.location_root = "s3://my-lake/tributary";
    return std::make_unique<GlueSync>(o, Client(proxy_->url()), *catalog_, clock_);
  }
  simdjson::dom::element Glue(const std::string& target, const std::string& body) {
    auto answer = direct_->Call(target, body);
    EXPECT_OK(answer);
    answers_.push_back(answer.ok() ? *answer : "{}");
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(answers_.back()).get(e), simdjson::SUCCESS);
    return e;
  }
  std::vector<std::string> PartitionLocations() {
    std::vector<std::string> out;
    auto doc = Glue("AWSGlue.GetPartitions", R"({"DatabaseName":")" + database_ + R"(","TableName":"sales"})");
    simdjson::dom::array parts;
    if (doc["Partitions"].get_array().get(parts) != simdjson::SUCCESS) return out;
    for (auto p : parts) {
      std::string_view loc;
      if (p["StorageDescriptor"]["Location"].get_string().get(loc) == simdjson::SUCCESS) out.emplace_back(loc);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static MotoServer* moto_;
  std::unique_ptr<TestHttpServer> proxy_;
  aws::HttpClient http_;
  std::atomic<bool> down_{false}, throttled_{false};
  std::string database_;
  std::unique_ptr<aws::JsonClient> direct_ = nullptr;
  simdjson::dom::parser parser_;
  std::vector<std::string> answers_;
};
MotoServer* GlueSyncTest::moto_ = nullptr;

TEST_F(GlueSyncTest, CreatesTablesAndPartitionsThenFollowsSchemaChanges) {
  direct_ = Client(moto_->url());
  TableDef def = SalesTable();
  ASSERT_OK(catalog_->EnsureTable(def));
  ASSERT_OK(catalog_->CommitFiles("sales", {{"order_id", ColumnType::kString}, {"amount", ColumnType::kBigint}},
                                  {SalesFile("sales/year=2024/month=05/day=01/hour=10/a.json", "10"),
                                   SalesFile("sales/year=2024/month=05/day=01/hour=11/b.json", "11")},
                                  {"delivery/sales/shard-0", "109"}));
  auto sync = Make();
  ASSERT_OK(sync->SyncOnce());

  auto table = Glue("AWSGlue.GetTable", R"({"DatabaseName":")" + database_ + R"(","Name":"sales"})");
  std::string_view location, column;
  ASSERT_EQ(table["Table"]["StorageDescriptor"]["Location"].get_string().get(location), simdjson::SUCCESS);
  EXPECT_EQ(location, "s3://my-lake/tributary/sales/");
  std::vector<std::string> columns;
  simdjson::dom::array cols;
  ASSERT_EQ(table["Table"]["StorageDescriptor"]["Columns"].get_array().get(cols), simdjson::SUCCESS);
  for (auto c : cols) {
    if (c["Name"].get_string().get(column) == simdjson::SUCCESS) columns.emplace_back(column);
  }
  EXPECT_EQ(columns, (std::vector<std::string>{"order_id", "amount"}));
  EXPECT_EQ(PartitionLocations(),
            (std::vector<std::string>{"s3://my-lake/tributary/sales/year=2024/month=05/day=01/hour=10/",
                                      "s3://my-lake/tributary/sales/year=2024/month=05/day=01/hour=11/"}));

  // A new column and a new partition: UpdateTable and one more partition.
  ASSERT_OK(catalog_->CommitFiles("sales", {{"discount", ColumnType::kDouble}},
                                  {SalesFile("sales/year=2024/month=05/day=01/hour=12/c.json", "12")},
                                  {"delivery/sales/shard-0", "119"}));
  ASSERT_OK(sync->SyncOnce());
  table = Glue("AWSGlue.GetTable", R"({"DatabaseName":")" + database_ + R"(","Name":"sales"})");
  ASSERT_EQ(table["Table"]["StorageDescriptor"]["Columns"].get_array().get(cols), simdjson::SUCCESS);
  EXPECT_EQ(cols.size(), 3u);
  EXPECT_EQ(PartitionLocations().size(), 3u);
  GlueSyncStats s = sync->Stats();
  EXPECT_EQ(s.tables_created, 1);
  EXPECT_EQ(s.tables_updated, 1);
  EXPECT_EQ(s.partitions_created, 3);
  EXPECT_EQ(s.lag_ms, 0);
  EXPECT_TRUE(s.last_error.empty());

  // A new process (nothing in memory) sends everything again without errors or duplicates.
  auto again = Make();
  ASSERT_OK(again->SyncOnce());
  EXPECT_EQ(PartitionLocations().size(), 3u);
  EXPECT_EQ(again->Stats().tables_updated, 1);
}

TEST_F(GlueSyncTest, AnOutageOrThrottlingShowsAsLagAndIsCaughtUp) {
  direct_ = Client(moto_->url());
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  ASSERT_OK(catalog_->CommitFiles("sales", {{"order_id", ColumnType::kString}},
                                  {SalesFile("sales/year=2024/month=05/day=01/hour=10/a.json", "10")},
                                  {"delivery/sales/shard-0", "109"}));
  auto sync = Make();
  down_ = true;
  clock_.AdvanceMillis(5000);
  Status st = sync->SyncOnce();
  EXPECT_THAT(st, ::tributary::testing::StatusIs(StatusCode::kUnavailable));
  GlueSyncStats s = sync->Stats();
  EXPECT_EQ(s.failed_passes, 1);
  EXPECT_FALSE(s.last_error.empty());
  down_ = false;
  throttled_ = true;
  ASSERT_OK(sync->SyncOnce().code() == StatusCode::kResourceExhausted ? Status::Ok()
                                                                        : Status::Internal("expected throttling"));
  throttled_ = false;
  ASSERT_OK(sync->SyncOnce());
  // The database exists now; the table and partition are there.
  EXPECT_EQ(PartitionLocations().size(), 1u);
  s = sync->Stats();
  EXPECT_EQ(s.lag_ms, 0);
  EXPECT_TRUE(s.last_error.empty());

  // Partitions not yet in Glue count as pending with their age as the lag.
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/year=2024/month=05/day=01/hour=11/b.json", "11")},
                                  {"delivery/sales/shard-0", "119"}));
  down_ = true;
  clock_.AdvanceMillis(3000);
  EXPECT_FALSE(sync->SyncOnce().ok());
  s = sync->Stats();
  EXPECT_EQ(s.pending_partitions, 1);
  EXPECT_EQ(s.lag_ms, 3000);
  down_ = false;
  ASSERT_OK(sync->SyncOnce());
  EXPECT_EQ(PartitionLocations().size(), 2u);
}

TEST_F(GlueSyncTest, BackgroundThreadKeepsGoing) {
  direct_ = Client(moto_->url());
  ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  ASSERT_OK(catalog_->CommitFiles("sales", {{"order_id", ColumnType::kString}},
                                  {SalesFile("sales/year=2024/month=05/day=01/hour=10/a.json", "10")},
                                  {"delivery/sales/shard-0", "109"}));
  GlueSyncOptions o;
  o.database = database_;
  o.location_root = "s3://my-lake/tributary";
  o.interval_ms = 20;
  GlueSync sync(o, Client(proxy_->url()), *catalog_, clock_);
  sync.Start();
  for (int i = 0; i < 500 && sync.Stats().passes < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  sync.Stop();
  EXPECT_GE(sync.Stats().passes, 2);
  EXPECT_FALSE(sync.Stats().running);
  EXPECT_EQ(PartitionLocations().size(), 1u);
}

}  // namespace
}  // namespace tributary::catalog
