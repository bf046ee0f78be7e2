// AlertEngine: the pipeline's alerting stage (docs/alerts.md). It tails the catalog: every
// poll_interval_ms it looks for data files committed to the tables that rules watch since its
// watermarks, evaluates each rule's SQL predicate over exactly those files (RuleEvaluator), and
// records the matches, their pending sends and the new watermarks in one AlertStore transaction.
// A second thread sends the outbox (Notifier): webhook, SNS, log; retries with exponential
// backoff and jitter, then dead. The dashboard action needs no send: GET /api/alerts reads the
// store.
//
// Exactly once across kill -9: the watermarks only move in the transaction that records the
// matches, so a crash before it re-evaluates the same files (same event ids) and a crash after it
// finds the sends pending; an alert is never recorded twice (UNIQUE(rule, event_id)). The one
// duplicate window is a crash after a receiver accepted a send and before the outbox row was
// marked sent: that send is repeated with the same Idempotency-Key.
//
// Throttling: per rule, at most max_per_minute alerts are sent in any 60 s window (counted from
// the store at start, so a restart does not reset it); matches over it are recorded as throttled,
// counted, and not sent.
//
// A table seen for the first time starts at the files it has then: enabling alerts on an existing
// lake does not replay its history. A table with no catalog entry yet starts empty, so the first
// commit of a new pipeline is evaluated.
//
// Thread-safety: Start/Stop from one controlling thread; Stats(), AlertsJson() and store() are
// thread-safe. EvaluateOnce/DispatchOnce are for tests and must not run while started.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alert/alert_store.h"
#include "alert/notifier.h"
#include "alert/rule_evaluator.h"
#include "catalog/catalog.h"
#include "config/pipeline_config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"

namespace tributary::alert {

struct AlertEngineOptions {
  std::string data_dir;   // holds alerts.db; relative log paths are relative to it
  std::string lake_root;  // absolute; the catalog's file paths are relative to it
  const Clock* clock = nullptr;         // default: SystemClock
  MetricsRegistry* metrics = nullptr;   // default: MetricsRegistry::Default()
  int64_t poll_interval_ms = 100;       // how often the catalog is checked for new files
  SnsPublisher sns;                     // empty: SNS actions fail (dead) with a message
};

struct AlertEngineStats {
  std::map<std::string, RuleCounts> rules;  // every configured rule, from the store
  int64_t batches = 0;          // evaluations of new files by this process
  int64_t rows_matched = 0;     // matches recorded by this process
  // Catalog commit -> matches recorded, for the last batch that matched and the worst so far.
  int64_t last_latency_ms = 0;
  int64_t max_latency_ms = 0;
  std::vector<std::string> errors;  // latest errors (evaluation and sends), most recent last
};

class AlertEngine {
 public:
  // Validates every rule's predicate (parse; bind when the table's columns are known) and reports
  // a bad one as a config error at its `when:` line. Opens DIR/alerts.db and sets up watermarks.
  // `catalog` is borrowed and must outlive the engine.
  static Result<std::unique_ptr<AlertEngine>> Open(const config::PipelineConfig& config,
                                                   catalog::Catalog& catalog, AlertEngineOptions options);
  ~AlertEngine();  // Stop()s

  void Start();
  // Stops both threads after a last evaluation (rows the deliveries committed while stopping are
  // recorded; their sends stay pending for the next run if not made now).
  void Stop();

  // One evaluation pass over every watched table.
  Status EvaluateOnce();
  // One pass over the outbox rows due now.
  Status DispatchOnce();

  AlertEngineStats Stats() const;
  // GET /api/alerts: {"alerts":[{"rule","event_id","time","row"}],"counts":{"<rule>":N},
  // "throttled":{"<rule>":N}}: the `limit` most recent alerts of rules with a dashboard action,
  // newest first; counts of every rule (alerts fired, not throttled).
  Result<std::string> AlertsJson(int limit) const;
  AlertStore& store() { return *store_; }

 private:
  struct Rule {
    config::AlertRuleConfig config;
    std::deque<int64_t> sent_times;  // throttle window (evaluator thread)
    Counter* fired = nullptr;
    Counter* throttled = nullptr;
  };
  AlertEngine(std::vector<Rule> rules, catalog::Catalog& catalog, AlertEngineOptions options,
              std::unique_ptr<AlertStore> store, std::unique_ptr<RuleEvaluator> evaluator);
  Status EvaluateTable(const std::string& table);
  Status DispatchDue(bool interruptible);
  const config::AlertActionConfig* FindAction(const std::string& rule, int action, std::string_view type) const;
  void NoteError(std::string error) const;
  void EvaluatorLoop();
  void DispatcherLoop();

  // Constant after construction.
  catalog::Catalog& catalog_;
  const AlertEngineOptions options_;
  const Clock* const clock_;
  MetricsRegistry* const metrics_;
  const std::unique_ptr<AlertStore> store_;
  const Notifier notifier_;
  std::vector<std::string> tables_;  // watched tables, in rule order

  // Evaluator thread only.
  std::vector<Rule> rules_;
  std::unique_ptr<RuleEvaluator> evaluator_;
  std::map<std::string, std::map<std::string, std::string>> watermarks_;  // table -> source -> seq
  std::map<std::string, int> failures_;  // table -> consecutive failed evaluations of its batch

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;             // guarded by mu_
  bool sends_queued_ = false;     // guarded by mu_: new outbox rows since the dispatcher looked
  mutable std::vector<std::string> errors_;  // guarded by mu_
  int64_t batches_ = 0;           // guarded by mu_
  int64_t rows_matched_ = 0;      // guarded by mu_
  int64_t last_latency_ms_ = 0;   // guarded by mu_
  int64_t max_latency_ms_ = 0;    // guarded by mu_
  std::thread evaluator_thread_;
  std::thread dispatcher_thread_;
  bool started_ = false;
};

// GET /api/alerts?limit=N (default 50, 1..1000): (200, AlertsJson) or (400, {"message"}) for a
// bad limit, (500, {"message"}) when the store fails.
std::pair<int, std::string> AlertsApiResponse(const AlertEngine& engine, std::string_view query);

// a < b for source sequence numbers (decimal strings of any length).
bool SequenceLess(std::string_view a, std::string_view b);

}  // namespace tributary::alert
