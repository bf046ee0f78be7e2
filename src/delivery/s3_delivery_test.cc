// Delivery into S3 (S3LakeFs) against a moto_server started by the test, through a loopback
// proxy that injects faults: connection resets, 503s, SlowDown throttling, failing copies (the
// "rename" after the catalog commit). Checked every time: each change is in exactly one final
// object, the objects are exactly the catalog's files, and no temp object is left.
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "aws/http.h"
#include "aws/s3_client.h"
#include "core/change_record.h"
#include "delivery/delivery_stream.h"
#include "delivery/s3_lake_fs.h"
#include "stream/embedded_stream.h"
#include "testing/moto_server.h"
#include "testing/test_http_server.h"
#include "testing/test_util.h"
#include "transform/cdc_flatten.h"

namespace tributary::delivery {
namespace {

using ::tributary::testing::MotoServer;
using ::tributary::testing::ScriptedResponse;
using ::tributary::testing::SeenRequest;
using ::tributary::testing::TestHttpServer;

constexpr int64_t kNineAm = 1714554000;  // 2024-05-01 09:00:00 UTC

std::string Change(int id) {
  ChangeRecord r;
  r.event_id = "ev-" + std::to_string(id);
  r.event_name = EventName::kInsert;
  r.event_source_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x";
  r.approximate_creation_date_time = kNineAm - 1800 + id * 7;
  r.keys = {{"order_id", AttributeValue::S("o-" + std::to_string(id))}};
  r.new_image = {{"order_id", AttributeValue::S("o-" + std::to_string(id))},
                 {"quantity", AttributeValue::N(int64_t{id})}};
  r.sequence_number = std::to_string(1000 + id);
  return r.ToJson();
}

enum class Fault { kNone, kReset, kServerError, kThrottle, kFailCopies };

// Forwards to moto unless a fault is switched on.
class FaultProxy {
 public:
  explicit FaultProxy(std::string upstream)
      : upstream_(std::move(upstream)), server_([this](const SeenRequest& r) { return Handle(r); }) {}
  std::string url() const { return server_.url(); }
  std::atomic<Fault> fault{Fault::kNone};
  std::atomic<int> faults_injected{0};

 private:
  ScriptedResponse Handle(const SeenRequest& r) {
    bool copy = !r.Header("x-amz-copy-source").empty();
    switch (fault.load()) {
      case Fault::kReset:
        ++faults_injected;
        return {0, {}, ""};
      case Fault::kServerError:
        ++faults_injected;
        return {503, {}, "<Error><Code>ServiceUnavailable</Code><Message>injected</Message></Error>"};
      case Fault::kThrottle:
        ++faults_injected;
        return {503, {}, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"};
      case Fault::kFailCopies:
        if (copy) {
          ++faults_injected;
          return {500, {}, "<Error><Code>InternalError</Code><Message>injected</Message></Error>"};
        }
        break;
      case Fault::kNone:
        break;
    }
    aws::HttpRequest f;
    f.method = r.method;
    f.url = upstream_ + r.path + (r.query.empty() ? "" : "?" + r.query);
    for (const auto& [k, v] : r.headers) {
      if (k != "host" && k != "content-length") f.headers.emplace_back(k, v);
    }
    f.body = r.body;
    auto answer = http_.Send(f);
    if (!answer.ok()) return {502, {}, answer.status().message()};
    ScriptedResponse out{answer->status, {}, answer->body};
    for (const auto& [k, v] : answer->headers) {
      if (k == "etag" || k == "content-type" || (k == "content-length" && r.method == "HEAD") ||
          k.rfind("x-amz-", 0) == 0) {
        out.headers.emplace_back(k == "content-type" ? "Content-Type" : (k == "content-length" ? "Content-Length" : k), v);
      }
    }
    return out;
  }

  std::string upstream_;
  aws::HttpClient http_;
  TestHttpServer server_;
};

class S3DeliveryTest : public ::testing::Test {
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
    auto store = stream::EmbeddedStreamStore::Open((dir_.path() / "stream").string(), SystemClock::Default());
    ASSERT_OK(store);
    store_ = std::move(*store);
    auto s = store_->CreateStream("sales-stream", 2);
    ASSERT_OK(s);
    stream_ = *s;
    auto c = catalog::Catalog::Open((dir_.path() / "catalog.db").string());
    ASSERT_OK(c);
    catalog_ = std::move(*c);
    processor_ = std::move(transform::CdcFlattenProcessor::Create({})).value();
    proxy_ = std::make_unique<FaultProxy>(moto_->url());

    aws::ClientConfig config;
    config.region = "us-east-1";
    config.endpoint_url = proxy_->url();
    config.credentials = aws::CredentialProvider::Static({"testing", "testing", ""});
    config.max_attempts = 3;
    config.backoff_base_ms = 5;
    config.backoff_cap_ms = 50;
    config.timeout_ms = 5000;
    auto s3 = aws::S3Client::Create(config);
    ASSERT_OK(s3);
    s3_ = std::shared_ptr<aws::S3Client>(std::move(*s3));
    static std::atomic<int> n{0};
    bucket_ = "lake-" + std::to_string(getpid()) + "-" + std::to_string(n++);
    ASSERT_OK(s3_->CreateBucket(bucket_));
    S3LakeOptions o;
    o.bucket = bucket_;
    o.prefix = "warehouse/";
    o.root = (dir_.path() / "lake").string();
    fs_ = std::make_unique<S3LakeFs>(s3_, o);
  }

  std::unique_ptr<DeliveryStream> Make() {
    DeliveryOptions o;
    o.name = "sales-delivery";
    o.table = "sales";
    o.lake_root = (dir_.path() / "lake").string();
    o.buffering.interval_ms = 20;
    auto d = DeliveryStream::Create(o, *stream_, *catalog_, *processor_, nullptr, nullptr, fs_.get());
    EXPECT_OK(d);
    return d.ok() ? std::move(*d) : nullptr;
  }

  void Put(int from, int to) {
    std::vector<std::string> datas, keys;
    for (int i = from; i < to; ++i) {
      datas.push_back(Change(i));
      keys.push_back("pk-" + std::to_string(i));
    }
    std::vector<stream::PutRecordEntry> entries;
    for (size_t i = 0; i < datas.size(); ++i) entries.push_back({datas[i], keys[i], std::nullopt});
    ASSERT_OK(stream_->PutRecords(entries));
  }

  int64_t CommittedRows() {
    auto files = catalog_->ListFiles("sales");
    if (!files.ok()) return -1;
    int64_t rows = 0;
    for (const auto& f : *files) rows += f.row_count;
    return rows;
  }

  static bool WaitUntil(const std::function<bool()>& done, int seconds = 30) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  // Every change in [0, n) exactly once across the final objects, which are exactly the
  // catalog's files; no temp ("_") object left.
  void ExpectLakeExactly(int n) {
    proxy_->fault = Fault::kNone;
    auto objects = s3_->ListAllObjects(bucket_, "warehouse/");
    ASSERT_OK(objects);
    auto files = catalog_->ListFiles("sales");
    ASSERT_OK(files);
    std::set<std::string> catalogued, stored;
    for (const auto& f : *files) catalogued.insert("warehouse/" + f.path);
    std::multiset<std::string> ids;
    simdjson::dom::parser parser;
    for (const aws::S3Object& o : *objects) {
      std::string name = o.key.substr(o.key.rfind('/') + 1);
      EXPECT_NE(name[0], '_') << "temp object left: " << o.key;
      if (name[0] == '_') continue;
      stored.insert(o.key);
      auto body = s3_->GetObject(bucket_, o.key);
      ASSERT_OK(body);
      size_t start = 0;
      while (start < body->size()) {
        size_t end = body->find('\n', start);
        if (end == std::string::npos) end = body->size();
        simdjson::dom::element row;
        ASSERT_EQ(parser.parse(body->data() + start, end - start).get(row), simdjson::SUCCESS);
        std::string_view id;
        ASSERT_EQ(row["event_id"].get_string().get(id), simdjson::SUCCESS);
        ids.insert(std::string(id));
        start = end + 1;
      }
    }
    EXPECT_EQ(stored, catalogued);
    EXPECT_EQ(ids.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) EXPECT_EQ(ids.count("ev-" + std::to_string(i)), 1u) << "ev-" << i;
  }

  ::tributary::testing::TempDir dir_;
  std::unique_ptr<stream::EmbeddedStreamStore> store_;
  stream::DataStream* stream_ = nullptr;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<transform::Processor> processor_;
  std::unique_ptr<FaultProxy> proxy_;
  std::shared_ptr<aws::S3Client> s3_;
  std::string bucket_;
  std::unique_ptr<S3LakeFs> fs_;
  static MotoServer* moto_;
};
MotoServer* S3DeliveryTest::moto_ = nullptr;

TEST_F(S3DeliveryTest, DeliversIntoTheBucketExactlyOnce) {
  Put(0, 300);
  auto d = Make();
  ASSERT_OK(d->Start());
  ASSERT_TRUE(WaitUntil([&] { return CommittedRows() == 300; }));
  ASSERT_OK(d->Stop());
  ExpectLakeExactly(300);
  auto files = catalog_->ListFiles("sales");
  ASSERT_OK(files);
  for (const auto& f : *files) EXPECT_TRUE(f.path.starts_with("sales/year=2024/month=05/day=01/hour=")) << f.path;
}

TEST_F(S3DeliveryTest, ResetsServerErrorsAndThrottlingDelayButLoseNothing) {
  auto d = Make();
  ASSERT_OK(d->Start());
  Put(0, 100);
  ASSERT_TRUE(WaitUntil([&] { return CommittedRows() == 100; }));
  int next = 100;
  for (Fault f : {Fault::kReset, Fault::kServerError, Fault::kThrottle}) {
    proxy_->fault = f;
    int before = proxy_->faults_injected.load();
    Put(next, next + 50);
    next += 50;
    // The delivery keeps failing while the fault lasts (nothing new becomes visible) ...
    ASSERT_TRUE(WaitUntil([&] { return proxy_->faults_injected.load() > before + 3; }));
    proxy_->fault = Fault::kNone;
    // ... and catches up once it is gone.
    ASSERT_TRUE(WaitUntil([&] { return CommittedRows() == next; })) << "after fault " << static_cast<int>(f);
  }
  ASSERT_OK(d->Stop());
  // A copy that failed after its commit (the fault hit the publish step) is finished at the next
  // flush or, as here after a stop, by the recovery every start runs.
  proxy_->fault = Fault::kNone;
  auto restarted = Make();
  ASSERT_OK(restarted->Recover());
  ExpectLakeExactly(250);
}

TEST_F(S3DeliveryTest, FailedCopiesAfterTheCommitAreFinishedByRetryAndRecovery) {
  proxy_->fault = Fault::kFailCopies;
  {
    auto d = Make();
    ASSERT_OK(d->Start());
    Put(0, 120);
    // Committed in the catalog, but the objects are still under their temp names.
    ASSERT_TRUE(WaitUntil([&] { return CommittedRows() == 120; }));
    ASSERT_OK(d->Stop(false));
  }
  auto temp = s3_->ListAllObjects(bucket_, "warehouse/");
  ASSERT_OK(temp);
  ASSERT_FALSE(temp->empty());
  for (const auto& o : *temp) EXPECT_EQ(o.key[o.key.rfind('/') + 1], '_') << o.key;
  proxy_->fault = Fault::kNone;
  auto d = Make();
  auto report = d->Recover();
  ASSERT_OK(report);
  EXPECT_EQ(report->renamed, static_cast<int64_t>(temp->size()));
  ASSERT_OK(d->Start());
  Put(120, 150);
  ASSERT_TRUE(WaitUntil([&] { return CommittedRows() == 150; }));
  ASSERT_OK(d->Stop());
  ExpectLakeExactly(150);
}

TEST(S3LakeFsTest, KeysStayInsideTheRoot) {
  aws::ClientConfig config;
  config.endpoint_url = "http://127.0.0.1:1";
  config.credentials = aws::CredentialProvider::Static({"a", "b", ""});
  auto s3 = aws::S3Client::Create(config);
  ASSERT_OK(s3);
  S3LakeFs fs(std::shared_ptr<aws::S3Client>(std::move(*s3)), {"b", "p", "/data/lake/", 1, 1});
  EXPECT_EQ(fs.KeyFor("/data/lake/t/x.json").value(), "p/t/x.json");
  EXPECT_EQ(fs.KeyFor("/data/lake").value(), "p/");
  EXPECT_FALSE(fs.KeyFor("/data/lakehouse/x").ok());
  EXPECT_FALSE(fs.KeyFor("/data/lake/../x").ok());
  EXPECT_FALSE(fs.KeyFor("/other/x").ok());
}

}  // namespace
}  // namespace tributary::delivery
