#include "alert/alert_engine.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <random>

#include "core/json_writer.h"
#include "query/catalog_views.h"

namespace tributary::alert {

namespace {

constexpr int64_t kThrottleWindowMs = 60'000;
constexpr size_t kMaxErrors = 20;
constexpr int kFailuresBeforeSkip = 50;  // consecutive failed passes over one batch (~5 s)
constexpr int kQuietFailures = 5;      // failed passes retried before they are reported
constexpr int kSendBatch = 100;

bool IsSendAction(config::AlertActionType type) {
  return type == config::AlertActionType::kWebhook || type == config::AlertActionType::kSns ||
         type == config::AlertActionType::kLog;
}

std::string Label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

bool SequenceLess(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

Result<std::unique_ptr<AlertEngine>> AlertEngine::Open(const config::PipelineConfig& config,
                                                       catalog::Catalog& catalog, AlertEngineOptions options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("alert engine: no data directory");
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<RuleEvaluator> evaluator, RuleEvaluator::Open(options.lake_root));
  std::vector<Rule> rules;
  for (const config::AlertRuleConfig& rc : config.alerts) {
    auto table = catalog.GetTable(rc.table);
    const catalog::TableDef* def = table.ok() ? &*table : nullptr;
    Status checked = evaluator->CheckPredicate(rc.when, def);
    if (!checked.ok()) {
      return config::ConfigError(rc.at("when"), "alert '" + rc.name + "' when: " + checked.message());
    }
    for (const config::AlertActionConfig& action : rc.actions) {
      if (action.type == config::AlertActionType::kSns && !options.sns) {
        return config::ConfigError(action.at("type"), "alert '" + rc.name +
                                                          "': SNS actions are not available in this build");
      }
    }
    Rule& rule = rules.emplace_back();
    rule.config = rc;
  }
  const std::string path = (std::filesystem::path(options.data_dir) / AlertStore::kFileName).string();
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<AlertStore> store, AlertStore::Open(path));
  auto engine = std::unique_ptr<AlertEngine>(
      new AlertEngine(std::move(rules), catalog, std::move(options), std::move(store), std::move(evaluator)));
  AlertEngine& e = *engine;
  // Watermarks: stored ones, or (first time a table is watched) where its files are now.
  for (const std::string& table : e.tables_) {
    TRIB_ASSIGN_OR_RETURN(auto stored, e.store_->Watermarks(table));
    if (stored) {
      e.watermarks_[table] = std::move(*stored);
      continue;
    }
    std::map<std::string, std::string> start;
    auto files = catalog.ListFiles(table);
    if (files.ok()) {
      for (const catalog::DataFile& f : *files) {
        if (f.source == "compaction" || f.last_sequence.empty()) continue;
        std::string& wm = start[f.source];
        if (wm.empty() || SequenceLess(wm, f.last_sequence)) wm = f.last_sequence;
      }
    } else if (files.status().code() != StatusCode::kNotFound) {
      return files.status().WithContext("alerts: listing files of " + table);
    }
    TRIB_RETURN_IF_ERROR(e.store_->RecordEvaluation(table, start, {}, e.clock_->NowMillis()).status());
    e.watermarks_[table] = std::move(start);
  }
  // Throttle windows survive restarts.
  const int64_t now = e.clock_->NowMillis();
  for (Rule& rule : e.rules_) {
    if (rule.config.max_per_minute <= 0) continue;
    TRIB_ASSIGN_OR_RETURN(std::vector<int64_t> times, e.store_->FiredSince(rule.config.name, now - kThrottleWindowMs));
    rule.sent_times.assign(times.begin(), times.end());
  }
  return engine;
}

AlertEngine::AlertEngine(std::vector<Rule> rules, catalog::Catalog& catalog, AlertEngineOptions options,
                         std::unique_ptr<AlertStore> store, std::unique_ptr<RuleEvaluator> evaluator)
    : catalog_(catalog),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : SystemClock::Default()),
      metrics_(options_.metrics ? options_.metrics : MetricsRegistry::Default()),
      store_(std::move(store)),
      notifier_(options_.data_dir, options_.sns),
      rules_(std::move(rules)),
      evaluator_(std::move(evaluator)) {
  for (Rule& rule : rules_) {
    if (std::find(tables_.begin(), tables_.end(), rule.config.table) == tables_.end()) {
      tables_.push_back(rule.config.table);
    }
    const std::string label = "{rule=\"" + Label(rule.config.name) + "\"}";
    rule.fired = metrics_->Get("tributary_alerts_fired_total" + label);
    rule.throttled = metrics_->Get("tributary_alerts_throttled_total" + label);
  }
}

AlertEngine::~AlertEngine() { Stop(); }

void AlertEngine::Start() {
  if (started_) return;
  started_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
    sends_queued_ = true;  // resend what a previous run left pending
  }
  evaluator_thread_ = std::thread([this] { EvaluatorLoop(); });
  dispatcher_thread_ = std::thread([this] { DispatcherLoop(); });
}

void AlertEngine::Stop() {
  if (!started_) return;
  started_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (evaluator_thread_.joinable()) evaluator_thread_.join();
  if (dispatcher_thread_.joinable()) dispatcher_thread_.join();
  // What the deliveries committed while stopping.
  Status last = EvaluateOnce();
  if (!last.ok()) NoteError("evaluation: " + last.message());
}

void AlertEngine::EvaluatorLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    Status s = EvaluateOnce();
    if (!s.ok()) NoteError("evaluation: " + s.message());
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms), [this] { return stop_; });
  }
}

void AlertEngine::DispatcherLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    sends_queued_ = false;
    lock.unlock();
    Status s = DispatchDue(/*interruptible=*/true);
    if (!s.ok()) NoteError("sending: " + s.message());
    int64_t wait_ms = 1000;
    auto next = store_->NextDue();
    if (next.ok() && next->has_value()) {
      wait_ms = std::clamp<int64_t>(**next - clock_->NowMillis(), 0, 1000);
    }
    lock.lock();
    if (wait_ms > 0) {
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stop_ || sends_queued_; });
    }
  }
}

Status AlertEngine::EvaluateOnce() {
  Status first;
  for (const std::string& table : tables_) {
    Status s = EvaluateTable(table);
    if (!s.ok() && first.ok()) first = s.WithContext("table " + table);
  }
  return first;
}

Status AlertEngine::EvaluateTable(const std::string& table) {
  auto listed = catalog_.ListFiles(table);
  if (!listed.ok()) {
    if (listed.status().code() == StatusCode::kNotFound) return Status::Ok();  // no commit yet
    return listed.status();
  }
  std::map<std::string, std::string>& wm = watermarks_[table];
  std::vector<catalog::DataFile> fresh;
  std::map<std::string, std::string> next = wm;
  int64_t newest_commit_ms = 0;
  for (catalog::DataFile& f : *listed) {
    if (f.source == "compaction" || f.first_sequence.empty() || f.last_sequence.empty()) continue;
    auto it = wm.find(f.source);
    if (it != wm.end() && !SequenceLess(it->second, f.first_sequence)) continue;
    std::string& n = next[f.source];
    if (n.empty() || SequenceLess(n, f.last_sequence)) n = f.last_sequence;
    newest_commit_ms = std::max(newest_commit_ms, f.committed_ms);
    fresh.push_back(std::move(f));
  }
  if (fresh.empty()) return Status::Ok();

  TRIB_ASSIGN_OR_RETURN(catalog::TableDef def, catalog_.GetTable(table));
  std::vector<std::string> missing;
  TRIB_ASSIGN_OR_RETURN(query::TableView view, query::ViewOfFiles(def, fresh, options_.lake_root, &missing));
  int& failures = failures_[table];
  if (!missing.empty() && ++failures < kFailuresBeforeSkip) return Status::Ok();  // not renamed yet
  if (!missing.empty()) NoteError("table " + table + ": committed file " + missing[0] + " is missing; skipped");

  const int64_t now = clock_->NowMillis();
  std::vector<NewAlert> alerts;
  std::vector<Rule*> counted;
  for (Rule& rule : rules_) {
    if (rule.config.table != table) continue;
    auto matches = view.files.empty() ? Result<std::vector<RuleMatch>>(std::vector<RuleMatch>{})
                                      : evaluator_->Matches(view, rule.config.when);
    if (!matches.ok()) {
      if (failures + 1 < kFailuresBeforeSkip) {
        // Typically a file renamed from its '_' name between listing and reading: the next pass
        // reads it under its final name. Reported only when it persists.
        ++failures;
        if (failures < kQuietFailures) return Status::Ok();
        return matches.status().WithContext("alert '" + rule.config.name + "'");
      }
      NoteError("alert '" + rule.config.name + "': skipped " + std::to_string(fresh.size()) +
                " file(s) after repeated failures: " + matches.status().message());
      continue;
    }
    while (!rule.sent_times.empty() && rule.sent_times.front() <= now - kThrottleWindowMs) {
      rule.sent_times.pop_front();
    }
    for (RuleMatch& m : *matches) {
      NewAlert& a = alerts.emplace_back();
      a.rule = rule.config.name;
      a.event_id = std::move(m.event_id);
      a.row_json = std::move(m.row_json);
      a.throttled = rule.config.max_per_minute > 0 &&
                    static_cast<int64_t>(rule.sent_times.size()) >= rule.config.max_per_minute;
      if (!a.throttled) rule.sent_times.push_back(now);
      for (size_t i = 0; i < rule.config.actions.size(); ++i) {
        const config::AlertActionType type = rule.config.actions[i].type;
        if (IsSendAction(type)) a.actions.emplace_back(static_cast<int>(i), std::string(config::AlertActionTypeName(type)));
      }
    }
  }
  TRIB_ASSIGN_OR_RETURN(std::vector<AlertRecord> inserted, store_->RecordEvaluation(table, next, alerts, now));
  wm = std::move(next);
  failures = 0;
  for (const AlertRecord& a : inserted) {
    for (Rule& rule : rules_) {
      if (rule.config.name != a.rule) continue;
      (a.throttled ? rule.throttled : rule.fired)->Add();
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++batches_;
  rows_matched_ += static_cast<int64_t>(inserted.size());
  if (!inserted.empty()) {
    last_latency_ms_ = std::max<int64_t>(0, now - newest_commit_ms);
    max_latency_ms_ = std::max(max_latency_ms_, last_latency_ms_);
    sends_queued_ = true;
    cv_.notify_all();
  }
  return Status::Ok();
}

const config::AlertActionConfig* AlertEngine::FindAction(const std::string& rule, int action,
                                                         std::string_view type) const {
  for (const Rule& r : rules_) {
    if (r.config.name != rule) continue;
    if (action < 0 || static_cast<size_t>(action) >= r.config.actions.size()) return nullptr;
    const config::AlertActionConfig& a = r.config.actions[static_cast<size_t>(action)];
    return config::AlertActionTypeName(a.type) == type ? &a : nullptr;
  }
  return nullptr;
}

Status AlertEngine::DispatchOnce() { return DispatchDue(/*interruptible=*/false); }

Status AlertEngine::DispatchDue(bool interruptible) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  TRIB_ASSIGN_OR_RETURN(std::vector<OutboxItem> due, store_->DueSends(clock_->NowMillis(), kSendBatch));
  for (const OutboxItem& item : due) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (interruptible && stop_) return Status::Ok();
    }
    const int attempts = item.attempts + 1;
    const config::AlertActionConfig* action = FindAction(item.alert.rule, item.action, item.type);
    const std::string label = "{rule=\"" + Label(item.alert.rule) + "\",type=\"" + Label(item.type) + "\",result=\"";
    if (action == nullptr) {
      TRIB_RETURN_IF_ERROR(store_->MarkDead(item.alert.id, item.action, item.attempts, clock_->NowMillis(),
                                            "the rule or its " + item.type + " action is no longer configured"));
      metrics_->Get("tributary_alert_sends_total" + label + "dead\"}")->Add();
      continue;
    }
    SendOutcome outcome = notifier_.Send(item.alert, *action);
    const int64_t now = clock_->NowMillis();
    if (outcome.ok) {
      TRIB_RETURN_IF_ERROR(store_->MarkSent(item.alert.id, item.action, attempts, now));
      metrics_->Get("tributary_alert_sends_total" + label + "sent\"}")->Add();
      continue;
    }
    NoteError("alert '" + item.alert.rule + "' " + item.type + " attempt " + std::to_string(attempts) + ": " +
              outcome.error);
    if (outcome.retryable && attempts < action->max_attempts) {
      // Exponential backoff with full jitter over the upper half: [d/2, d].
      int64_t delay = action->initial_backoff_ms;
      for (int i = 1; i < attempts && delay < action->max_backoff_ms; ++i) delay *= 2;
      delay = std::min(delay, action->max_backoff_ms);
      delay = delay / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(delay / 2 + 1));
      TRIB_RETURN_IF_ERROR(store_->MarkRetry(item.alert.id, item.action, attempts, now + delay, outcome.error));
      metrics_->Get("tributary_alert_sends_total" + label + "retried\"}")->Add();
    } else {
      TRIB_RETURN_IF_ERROR(store_->MarkDead(item.alert.id, item.action, attempts, now, outcome.error));
      metrics_->Get("tributary_alert_sends_total" + label + "dead\"}")->Add();
    }
  }
  return Status::Ok();
}

void AlertEngine::NoteError(std::string error) const {
  std::lock_guard<std::mutex> lock(mu_);
  errors_.push_back(std::move(error));
  if (errors_.size() > kMaxErrors) errors_.erase(errors_.begin());
}

AlertEngineStats AlertEngine::Stats() const {
  AlertEngineStats stats;
  auto counts = store_->Counts();
  if (counts.ok()) stats.rules = std::move(*counts);
  for (const Rule& r : rules_) stats.rules[r.config.name];  // configured rules with no alert yet
  std::lock_guard<std::mutex> lock(mu_);
  stats.batches = batches_;
  stats.rows_matched = rows_matched_;
  stats.last_latency_ms = last_latency_ms_;
  stats.max_latency_ms = max_latency_ms_;
  stats.errors = errors_;
  if (!counts.ok()) stats.errors.push_back("alert store: " + counts.status().message());
  return stats;
}

Result<std::string> AlertEngine::AlertsJson(int limit) const {
  std::vector<std::string> dashboard_rules;
  for (const Rule& r : rules_) {
    for (const auto& a : r.config.actions) {
      if (a.type == config::AlertActionType::kDashboard) {
        dashboard_rules.push_back(r.config.name);
        break;
      }
    }
  }
  std::vector<AlertRecord> recent;
  if (!dashboard_rules.empty()) {
    TRIB_ASSIGN_OR_RETURN(recent, store_->Recent(std::max(limit, 0), dashboard_rules, /*include_throttled=*/false));
  }
  TRIB_ASSIGN_OR_RETURN(auto counts, store_->Counts());
  for (const Rule& r : rules_) counts[r.config.name];
  JsonWriter w;
  w.BeginObject();
  w.Key("alerts");
  w.BeginArray();
  for (const AlertRecord& a : recent) w.Raw(AlertJson(a));
  w.EndArray();
  w.Key("counts");
  w.BeginObject();
  for (const auto& [rule, c] : counts) {
    w.Key(rule);
    w.Int(c.fired);
  }
  w.EndObject();
  w.Key("throttled");
  w.BeginObject();
  for (const auto& [rule, c] : counts) {
    w.Key(rule);
    w.Int(c.throttled);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

std::pair<int, std::string> AlertsApiResponse(const AlertEngine& engine, std::string_view query) {
  int limit = 50;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(start, end - start);
    if (param.starts_with("limit=")) {
      const std::string_view text = param.substr(6);
      int value = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || ptr != text.data() + text.size() || value < 1 || value > 1000) {
        std::string body = "{\"message\":";
        JsonWriter::AppendQuoted(body, "limit must be an integer from 1 to 1000, got '" + std::string(text) + "'");
        return {400, body + "}"};
      }
      limit = value;
    }
    start = end + 1;
  }
  auto json = engine.AlertsJson(limit);
  if (!json.ok()) {
    std::string body = "{\"message\":";
    JsonWriter::AppendQuoted(body, json.status().message());
    return {500, body + "}"};
  }
  return {200, std::move(*json)};
}

}  // namespace tributary::alert
