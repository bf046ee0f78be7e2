// AlertEngine over a real catalog, real files and DuckDB, sending to a real HTTP receiver on
// loopback (cpp-httplib server on a free port) and to a log file. Time is a ManualClock, so
// retries and throttling need no sleeping.
#include "alert/alert_engine.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "testing/test_util.h"

namespace tributary::alert {
namespace {

namespace fs = std::filesystem;
using testing::IsOk;

// A webhook receiver: records every request; answers 503 to the first `fail_first` ones.
class Receiver {
 public:
  explicit Receiver(int fail_first = 0) : fail_first_(fail_first) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
      if (requests_ <= fail_first_) {
        res.status = 503;
        return;
      }
      keys_.push_back(req.get_header_value("Idempotency-Key"));
      bodies_.push_back(req.body);
      res.status = 200;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib 0.11 has no wait_until_ready(); stop() before the loop runs would be lost.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> keys() {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  int fail_first_;
  int requests_ = 0;
  std::vector<std::string> keys_;
  std::vector<std::string> bodies_;
};

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.str() + "/lake";
    fs::create_directories(lake_ + "/orders");
    auto catalog = catalog::Catalog::Open(dir_.str() + "/catalog.db");
    ASSERT_OK(catalog);
    catalog_ = std::move(catalog).value();
    catalog::TableDef def;
    def.name = "orders";
    def.location = "orders";
    ASSERT_OK(catalog_->EnsureTable(def));
  }

  // Writes rows (id, price, type) as one committed file of shard `source`, sequences first..last.
  void Commit(const std::string& name, const std::vector<std::tuple<std::string, double, std::string>>& rows,
              const std::string& first, const std::string& last, const std::string& source = "stream/s/shard-0") {
    std::ofstream out(lake_ + "/orders/" + name);
    for (const auto& [id, price, type] : rows) {
      out << R"({"event_id":")" << id << R"(","price":)" << price << R"(,"cdc_event_type":")" << type << "\"}\n";
    }
    out.close();
    catalog::DataFile f;
    f.path = "orders/" + name;
    f.row_count = static_cast<int64_t>(rows.size());
    f.size_bytes = static_cast<int64_t>(fs::file_size(lake_ + "/orders/" + name));
    f.source = source;
    f.first_sequence = first;
    f.last_sequence = last;
    std::vector<catalog::Column> cols = {{"event_id", catalog::ColumnType::kString},
                                         {"price", catalog::ColumnType::kDouble},
                                         {"cdc_event_type", catalog::ColumnType::kString}};
    ASSERT_OK(catalog_->CommitFiles("orders", cols, {f}, {}));
  }

  config::PipelineConfig Config(const std::string& url, int64_t max_per_minute = 0, int max_attempts = 8) {
    config::PipelineConfig cfg;
    config::AlertRuleConfig rule;
    rule.name = "big-order";
    rule.table = "orders";
    rule.when = "price > 1000 AND cdc_event_type = 'INSERT'";
    rule.max_per_minute = max_per_minute;
    config::AlertActionConfig hook;
    hook.type = config::AlertActionType::kWebhook;
    hook.url = url;
    hook.headers["X-Team"] = "sales";
    hook.max_attempts = max_attempts;
    hook.initial_backoff_ms = 100;
    hook.max_backoff_ms = 1000;
    hook.timeout_ms = 2000;
    config::AlertActionConfig log;
    log.type = config::AlertActionType::kLog;
    log.path = "alerts/alerts.log";
    config::AlertActionConfig dash;
    dash.type = config::AlertActionType::kDashboard;
    rule.actions = {hook, log, dash};
    cfg.alerts.push_back(rule);
    return cfg;
  }

  Result<std::unique_ptr<AlertEngine>> Open(const config::PipelineConfig& cfg) {
    AlertEngineOptions o;
    o.data_dir = dir_.str();
    o.lake_root = lake_;
    o.clock = &clock_;
    o.metrics = &metrics_;
    return AlertEngine::Open(cfg, *catalog_, o);
  }

  std::vector<std::string> LogLines() {
    std::ifstream in(dir_.str() + "/alerts/alerts.log");
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  testing::TempDir dir_;
  std::string lake_;
  std::unique_ptr<catalog::Catalog> catalog_;
  ManualClock clock_;
  MetricsRegistry metrics_;
};

TEST_F(AlertEngineTest, SendsEachMatchingRowOnceAcrossRestarts) {
  Receiver receiver;
  const config::PipelineConfig cfg = Config(receiver.url());
  {
    auto engine = Open(cfg);
    ASSERT_OK(engine);
    Commit("a.json", {{"e1", 1500, "INSERT"}, {"e2", 20, "INSERT"}, {"e3", 5000, "MODIFY"}}, "1", "3");
    ASSERT_OK((*engine)->EvaluateOnce());
    ASSERT_OK((*engine)->EvaluateOnce());  // nothing new
    ASSERT_OK((*engine)->DispatchOnce());
    EXPECT_EQ(receiver.keys(), std::vector<std::string>{"e1"});
    // Matches recorded, not yet sent, when the process dies: sent by the next run.
    Commit("b.json", {{"e4", 1001, "INSERT"}, {"e5", 1002.5, "INSERT"}}, "4", "9");
    ASSERT_OK((*engine)->EvaluateOnce());
  }
  // A catalog with more shards and a new file; the engine restarts from its watermarks.
  Commit("c.json", {{"e6", 99999, "INSERT"}}, "10", "10");
  auto engine = Open(cfg);
  ASSERT_OK(engine);
  ASSERT_OK((*engine)->EvaluateOnce());
  ASSERT_OK((*engine)->DispatchOnce());
  EXPECT_EQ(receiver.keys(), (std::vector<std::string>{"e1", "e4", "e5", "e6"}));
  EXPECT_EQ(LogLines().size(), 4u);
  const std::string body = receiver.bodies()[0];
  EXPECT_NE(body.find(R"("rule":"big-order")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("event_id":"e1")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("row":{"event_id":"e1","price":1500.0)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("time":"2023-11-14T22:13:20.000Z")"), std::string::npos) << body;

  auto json = (*engine)->AlertsJson(2);
  ASSERT_OK(json);
  EXPECT_EQ(json->find(R"({"alerts":[{"rule":"big-order","event_id":"e6")"), 0u) << *json;
  EXPECT_NE(json->find(R"("counts":{"big-order":4})"), std::string::npos) << *json;
  const AlertEngineStats stats = (*engine)->Stats();
  EXPECT_EQ(stats.rules.at("big-order").sent, 8);  // webhook + log for each
  EXPECT_EQ(metrics_.Get("tributary_alerts_fired_total{rule=\"big-order\"}")->value(), 4);
}

TEST_F(AlertEngineTest, RetriesAFailingWebhookWithBackoffThenDelivers) {
  Receiver receiver(/*fail_first=*/2);
  auto engine = Open(Config(receiver.url()));
  ASSERT_OK(engine);
  Commit("a.json", {{"e1", 1500, "INSERT"}}, "1", "1");
  ASSERT_OK((*engine)->EvaluateOnce());
  ASSERT_OK((*engine)->DispatchOnce());
  EXPECT_EQ(receiver.requests(), 1);
  ASSERT_OK((*engine)->DispatchOnce());  // not due yet: backoff
  EXPECT_EQ(receiver.requests(), 1);
  clock_.AdvanceMillis(100);  // first backoff is 50..100 ms
  ASSERT_OK((*engine)->DispatchOnce());
  EXPECT_EQ(receiver.requests(), 2);
  clock_.AdvanceMillis(200);
  ASSERT_OK((*engine)->DispatchOnce());
  EXPECT_EQ(receiver.requests(), 3);
  EXPECT_EQ(receiver.keys(), std::vector<std::string>{"e1"});
  auto sends = (*engine)->store().Sends(1);
  ASSERT_OK(sends);
  EXPECT_EQ(sends->at(0).state, "sent");
  EXPECT_EQ(sends->at(0).attempts, 3);
}

TEST_F(AlertEngineTest, GivesUpAfterMaxAttemptsAndCountsTheDeadSend) {
  // Nothing listens on this port once the receiver is gone: connection refused, retryable.
  std::string url;
  {
    Receiver gone;
    url = gone.url();
  }
  auto engine = Open(Config(url, 0, /*max_attempts=*/3));
  ASSERT_OK(engine);
  Commit("a.json", {{"e1", 1500, "INSERT"}}, "1", "1");
  ASSERT_OK((*engine)->EvaluateOnce());
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK((*engine)->DispatchOnce());
    clock_.AdvanceMillis(1000);
  }
  auto sends = (*engine)->store().Sends(1);
  ASSERT_OK(sends);
  EXPECT_EQ(sends->at(0).state, "dead");
  EXPECT_EQ(sends->at(0).attempts, 3);
  EXPECT_EQ(sends->at(1).state, "sent");  // the log action is independent
  EXPECT_EQ((*engine)->Stats().rules.at("big-order").dead, 1);
}

TEST_F(AlertEngineTest, ThrottlesPerRuleAndCountsWhatItHeldBack) {
  Receiver receiver;
  auto engine = Open(Config(receiver.url(), /*max_per_minute=*/2));
  ASSERT_OK(engine);
  Commit("a.json", {{"e1", 1500, "INSERT"}, {"e2", 1600, "INSERT"}, {"e3", 1700, "INSERT"}}, "1", "3");
  ASSERT_OK((*engine)->EvaluateOnce());
  ASSERT_OK((*engine)->DispatchOnce());
  EXPECT_EQ(receiver.keys(), (std::vector<std::string>{"e1", "e2"}));
  clock_.AdvanceMillis(60'001);  // a new window
  Commit("b.json", {{"e4", 1500, "INSERT"}}, "4", "4");
  ASSERT_OK((*engine)->EvaluateOnce());
  ASSERT_OK((*engine)->DispatchOnce());
  EXPECT_EQ(receiver.keys(), (std::vector<std::string>{"e1", "e2", "e4"}));
  const RuleCounts c = (*engine)->Stats().rules.at("big-order");
  EXPECT_EQ(c.fired, 3);
  EXPECT_EQ(c.throttled, 1);
  EXPECT_EQ(metrics_.Get("tributary_alerts_throttled_total{rule=\"big-order\"}")->value(), 1);
}

TEST_F(AlertEngineTest, StartsAtTheCurrentFilesOfATableItHasNotSeen) {
  Commit("old.json", {{"e1", 1500, "INSERT"}}, "1", "1");
  Receiver receiver;
  auto engine = Open(Config(receiver.url()));
  ASSERT_OK(engine);
  Commit("new.json", {{"e2", 1500, "INSERT"}}, "2", "2");
  ASSERT_OK((*engine)->EvaluateOnce());
  ASSERT_OK((*engine)->DispatchOnce());
  EXPECT_EQ(receiver.keys(), std::vector<std::string>{"e2"});
}

TEST_F(AlertEngineTest, ThreadsDeliverWithinASecond) {
  Receiver receiver;
  AlertEngineOptions o;
  o.data_dir = dir_.str();
  o.lake_root = lake_;
  o.metrics = &metrics_;  // system clock: real threads
  auto engine = AlertEngine::Open(Config(receiver.url()), *catalog_, o);
  ASSERT_OK(engine);
  (*engine)->Start();
  Commit("a.json", {{"e1", 1500, "INSERT"}}, "1", "1");
  const auto start = std::chrono::steady_clock::now();
  while (receiver.keys().empty() && std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (*engine)->Stop();
  EXPECT_EQ(receiver.keys(), std::vector<std::string>{"e1"});
}

TEST_F(AlertEngineTest, RejectsABadPredicateAtItsConfigLine) {
  config::PipelineConfig cfg = Config("http://127.0.0.1:1/hook");
  cfg.alerts[0].when = "price > AND x";
  cfg.alerts[0].fields["when"] = config::Location{"p.yaml", 12, 11};
  auto engine = Open(cfg);
  ASSERT_THAT(engine, testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(engine.status().message().find("p.yaml:12:11: alert 'big-order' when: not a SQL predicate"),
            std::string::npos)
      << engine.status().message();
  // Columns are known once the table has files: an unknown one is reported too.
  Commit("a.json", {{"e1", 1500, "INSERT"}}, "1", "1");
  cfg.alerts[0].when = "prise > 1000";
  engine = Open(cfg);
  ASSERT_THAT(engine, testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_NE(engine.status().message().find("prise"), std::string::npos) << engine.status().message();
  // Not one expression.
  cfg.alerts[0].when = "price > 1) UNION SELECT * FROM orders WHERE (true";
  EXPECT_THAT(Open(cfg), testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tributary::alert
