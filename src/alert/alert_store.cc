#include "alert/alert_store.h"

#include <filesystem>

#include "catalog/sqlite_db.h"

namespace tributary::alert {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alert_tables (
  table_name TEXT PRIMARY KEY,
  first_seen_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_watermarks (
  table_name TEXT NOT NULL,
  source TEXT NOT NULL,
  last_sequence TEXT NOT NULL,
  PRIMARY KEY (table_name, source)
);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule TEXT NOT NULL,
  event_id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  row_json TEXT NOT NULL,
  throttled INTEGER NOT NULL DEFAULT 0,
  UNIQUE (rule, event_id)
);
CREATE INDEX IF NOT EXISTS alerts_by_rule_time ON alerts (rule, time_ms);
CREATE TABLE IF NOT EXISTS alert_outbox (
  alert_id INTEGER NOT NULL REFERENCES alerts (id),
  action INTEGER NOT NULL,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (alert_id, action)
);
CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox (state, next_attempt_ms);
)sql";

constexpr std::string_view kAlertColumns = "id, rule, event_id, time_ms, row_json, throttled";

AlertRecord ReadAlert(const catalog::Statement& stmt, int first = 0) {
  AlertRecord a;
  a.id = stmt.ColumnInt64(first);
  a.rule = stmt.ColumnText(first + 1);
  a.event_id = stmt.ColumnText(first + 2);
  a.time_ms = stmt.ColumnInt64(first + 3);
  a.row_json = stmt.ColumnText(first + 4);
  a.throttled = stmt.ColumnInt64(first + 5) != 0;
  return a;
}

}  // namespace

AlertStore::AlertStore(std::unique_ptr<catalog::SqliteDb> db) : db_(std::move(db)) {}
AlertStore::~AlertStore() = default;

Result<std::unique_ptr<AlertStore>> AlertStore::Open(const std::string& path, bool create) {
  std::error_code ec;
  if (!create && !std::filesystem::exists(path, ec)) {
    return Status::NotFound("no alert state at " + path + " (no alert rule has run in this data directory)");
  }
  catalog::SqliteOpenOptions options;
  options.create = create;
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<catalog::SqliteDb> db, catalog::SqliteDb::Open(path, options));
  if (create) TRIB_RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<AlertStore>(new AlertStore(std::move(db)));
}

Result<std::optional<std::map<std::string, std::string>>> AlertStore::Watermarks(std::string_view table) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto tx, catalog::Transaction::Begin(*db_, catalog::Transaction::Mode::kDeferred));
  {
    TRIB_ASSIGN_OR_RETURN(auto seen, db_->Prepare("SELECT 1 FROM alert_tables WHERE table_name = ?"));
    TRIB_RETURN_IF_ERROR(seen->BindAll(table));
    TRIB_ASSIGN_OR_RETURN(bool found, seen->Step());
    if (!found) return std::optional<std::map<std::string, std::string>>();
  }
  std::map<std::string, std::string> out;
  TRIB_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("SELECT source, last_sequence FROM alert_watermarks WHERE table_name = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(table));
  while (true) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out[stmt->ColumnText(0)] = stmt->ColumnText(1);
  }
  return std::optional<std::map<std::string, std::string>>(std::move(out));
}

Result<std::vector<AlertRecord>> AlertStore::RecordEvaluation(
    std::string_view table, const std::map<std::string, std::string>& watermarks,
    const std::vector<NewAlert>& alerts, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto tx, catalog::Transaction::Begin(*db_, catalog::Transaction::Mode::kImmediate));
  std::vector<AlertRecord> inserted;
  for (const NewAlert& a : alerts) {
    {
      TRIB_ASSIGN_OR_RETURN(auto ins, db_->Prepare(
                                          "INSERT OR IGNORE INTO alerts (rule, event_id, time_ms, row_json, "
                                          "throttled) VALUES (?, ?, ?, ?, ?)"));
      TRIB_RETURN_IF_ERROR(ins->BindAll(a.rule, a.event_id, now_ms, a.row_json, a.throttled ? 1 : 0));
      TRIB_RETURN_IF_ERROR(ins->Run());
    }
    TRIB_ASSIGN_OR_RETURN(auto changed, db_->Prepare("SELECT changes()"));
    TRIB_ASSIGN_OR_RETURN(bool has_row, changed->Step());
    if (!has_row || changed->ColumnInt64(0) == 0) continue;  // recorded by an earlier evaluation
    AlertRecord record;
    record.id = db_->LastInsertRowId();
    record.rule = a.rule;
    record.event_id = a.event_id;
    record.time_ms = now_ms;
    record.row_json = a.row_json;
    record.throttled = a.throttled;
    if (!a.throttled) {
      for (const auto& [action, type] : a.actions) {
        TRIB_ASSIGN_OR_RETURN(auto out, db_->Prepare(
                                            "INSERT INTO alert_outbox (alert_id, action, type, state, "
                                            "next_attempt_ms) VALUES (?, ?, ?, 'pending', ?)"));
        TRIB_RETURN_IF_ERROR(out->BindAll(record.id, action, type, now_ms));
        TRIB_RETURN_IF_ERROR(out->Run());
      }
    }
    inserted.push_back(std::move(record));
  }
  {
    TRIB_ASSIGN_OR_RETURN(auto seen, db_->Prepare(
                                         "INSERT OR IGNORE INTO alert_tables (table_name, first_seen_ms) "
                                         "VALUES (?, ?)"));
    TRIB_RETURN_IF_ERROR(seen->BindAll(table, now_ms));
    TRIB_RETURN_IF_ERROR(seen->Run());
  }
  for (const auto& [source, sequence] : watermarks) {
    TRIB_ASSIGN_OR_RETURN(auto wm, db_->Prepare(
                                       "INSERT INTO alert_watermarks (table_name, source, last_sequence) "
                                       "VALUES (?, ?, ?) ON CONFLICT (table_name, source) DO UPDATE SET "
                                       "last_sequence = excluded.last_sequence"));
    TRIB_RETURN_IF_ERROR(wm->BindAll(table, source, sequence));
    TRIB_RETURN_IF_ERROR(wm->Run());
  }
  TRIB_RETURN_IF_ERROR(tx.Commit());
  return inserted;
}

Result<std::vector<OutboxItem>> AlertStore::DueSends(int64_t now_ms, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                       "SELECT a.id, a.rule, a.event_id, a.time_ms, a.row_json, a.throttled, "
                                       "o.action, o.type, o.attempts, o.next_attempt_ms FROM alert_outbox o "
                                       "JOIN alerts a ON a.id = o.alert_id WHERE o.state = 'pending' AND "
                                       "o.next_attempt_ms <= ? ORDER BY o.alert_id, o.action LIMIT ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(now_ms, limit));
  std::vector<OutboxItem> out;
  while (true) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    OutboxItem item;
    item.alert = ReadAlert(*stmt);
    item.action = static_cast<int>(stmt->ColumnInt64(6));
    item.type = stmt->ColumnText(7);
    item.attempts = static_cast<int>(stmt->ColumnInt64(8));
    item.next_attempt_ms = stmt->ColumnInt64(9);
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::optional<int64_t>> AlertStore::NextDue() {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("SELECT MIN(next_attempt_ms) FROM alert_outbox WHERE state = 'pending'"));
  TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row || stmt->ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->ColumnInt64(0));
}

Status AlertStore::MarkSent(int64_t alert_id, int action, int attempts, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                       "UPDATE alert_outbox SET state = 'sent', attempts = ?, "
                                       "next_attempt_ms = ?, last_error = '' WHERE alert_id = ? AND action = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(attempts, now_ms, alert_id, action));
  return stmt->Run();
}

Status AlertStore::MarkRetry(int64_t alert_id, int action, int attempts, int64_t next_attempt_ms,
                             std::string_view error) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                       "UPDATE alert_outbox SET attempts = ?, next_attempt_ms = ?, "
                                       "last_error = ? WHERE alert_id = ? AND action = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(attempts, next_attempt_ms, error, alert_id, action));
  return stmt->Run();
}

Status AlertStore::MarkDead(int64_t alert_id, int action, int attempts, int64_t now_ms,
                            std::string_view error) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                       "UPDATE alert_outbox SET state = 'dead', attempts = ?, "
                                       "next_attempt_ms = ?, last_error = ? WHERE alert_id = ? AND action = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(attempts, now_ms, error, alert_id, action));
  return stmt->Run();
}

Result<std::vector<AlertRecord>> AlertStore::ReadAlerts(std::string_view sql, const std::vector<std::string>& args) {
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->PrepareUncached(sql));
  for (size_t i = 0; i < args.size(); ++i) TRIB_RETURN_IF_ERROR(stmt->BindText(static_cast<int>(i) + 1, args[i]));
  std::vector<AlertRecord> out;
  while (true) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadAlert(*stmt));
  }
  return out;
}

Result<std::vector<AlertRecord>> AlertStore::Recent(int limit, const std::vector<std::string>& rules,
                                                    bool include_throttled) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = "SELECT " + std::string(kAlertColumns) + " FROM alerts WHERE 1 = 1";
  if (!include_throttled) sql += " AND throttled = 0";
  if (!rules.empty()) {
    sql += " AND rule IN (";
    for (size_t i = 0; i < rules.size(); ++i) sql += i == 0 ? "?" : ", ?";
    sql += ")";
  }
  sql += " ORDER BY id DESC LIMIT " + std::to_string(limit < 0 ? 0 : limit);
  return ReadAlerts(sql, rules);
}

Result<std::map<std::string, RuleCounts>> AlertStore::Counts() {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, RuleCounts> out;
  TRIB_ASSIGN_OR_RETURN(auto tx, catalog::Transaction::Begin(*db_, catalog::Transaction::Mode::kDeferred));
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                         "SELECT rule, SUM(throttled = 0), SUM(throttled != 0) FROM alerts "
                                         "GROUP BY rule"));
    while (true) {
      TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      RuleCounts& c = out[stmt->ColumnText(0)];
      c.fired = stmt->ColumnInt64(1);
      c.throttled = stmt->ColumnInt64(2);
    }
  }
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                       "SELECT a.rule, o.state, COUNT(*) FROM alert_outbox o JOIN alerts a "
                                       "ON a.id = o.alert_id GROUP BY a.rule, o.state"));
  while (true) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    RuleCounts& c = out[stmt->ColumnText(0)];
    const std::string state = stmt->ColumnText(1);
    const int64_t n = stmt->ColumnInt64(2);
    if (state == kSent) c.sent += n;
    if (state == kPending) c.pending += n;
    if (state == kDead) c.dead += n;
  }
  return out;
}

Result<std::vector<int64_t>> AlertStore::FiredSince(std::string_view rule, int64_t since_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                       "SELECT time_ms FROM alerts WHERE rule = ? AND time_ms >= ? AND "
                                       "throttled = 0 ORDER BY time_ms"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(rule, since_ms));
  std::vector<int64_t> out;
  while (true) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(stmt->ColumnInt64(0));
  }
  return out;
}

Result<std::map<int, AlertStore::SendState>> AlertStore::Sends(int64_t alert_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
                                       "SELECT action, type, state, attempts, last_error FROM alert_outbox "
                                       "WHERE alert_id = ? ORDER BY action"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(alert_id));
  std::map<int, SendState> out;
  while (true) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    SendState& s = out[static_cast<int>(stmt->ColumnInt64(0))];
    s.type = stmt->ColumnText(1);
    s.state = stmt->ColumnText(2);
    s.attempts = static_cast<int>(stmt->ColumnInt64(3));
    s.last_error = stmt->ColumnText(4);
  }
  return out;
}

}  // namespace tributary::alert
