// AlertStore: the durable state of alerting, one SQLite file in the data directory
// (DIR/alerts.db, WAL, synchronous=FULL). It is what makes alerts exactly-once across kill -9:
//
//   watermarks  per (table, source shard): the last source sequence number whose delivered rows
//               were evaluated. A committed data file is new iff its first sequence is above its
//               source's watermark (a shard commits its files in sequence order).
//   alerts      one row per (rule, event_id) that matched: time, the row as JSON, throttled or
//               not. UNIQUE(rule, event_id): a replay can never record an alert twice.
//   outbox      one row per (alert, action) to send (webhook, sns, log): pending until sent,
//               retried with backoff, dead after the last attempt.
//
// RecordEvaluation writes the new alerts, their outbox rows and the advanced watermarks in one
// transaction, so after a crash either all of a commit's matches are recorded (and their sends
// pending) or none are and the files are evaluated again. The sender marks an outbox row sent
// after the receiver accepted it; the one window that can still send twice is a crash between
// the receiver's 2xx and that mark (receivers dedupe by the Idempotency-Key, the event_id).
//
// Thread-safety: thread-safe (one connection behind a mutex). Several processes may open the
// file (e.g. `tributary alerts` while `up` runs).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tributary::catalog {
class SqliteDb;
}

namespace tributary::alert {

// Outbox states.
inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kSent = "sent";
inline constexpr std::string_view kDead = "dead";

struct AlertRecord {
  int64_t id = 0;
  std::string rule;
  std::string event_id;
  int64_t time_ms = 0;     // when the match was recorded
  std::string row_json;    // the matching row, a JSON object
  bool throttled = false;  // over the rule's max_per_minute: recorded and counted, not sent
};

// A match to record; `actions` are the indexes (in the rule's action list) of the actions to
// send through the outbox, with their type names ("webhook", "sns", "log").
struct NewAlert {
  std::string rule;
  std::string event_id;
  std::string row_json;
  bool throttled = false;
  std::vector<std::pair<int, std::string>> actions;
};

struct OutboxItem {
  AlertRecord alert;
  int action = 0;        // index in the rule's action list
  std::string type;      // "webhook" | "sns" | "log"
  int attempts = 0;      // made so far
  int64_t next_attempt_ms = 0;
};

struct RuleCounts {
  int64_t fired = 0;      // alerts recorded and not throttled
  int64_t throttled = 0;  // alerts recorded over the throttle
  int64_t sent = 0;       // outbox rows sent
  int64_t pending = 0;    // outbox rows waiting (first try or retry)
  int64_t dead = 0;       // outbox rows given up on
};

class AlertStore {
 public:
  static constexpr std::string_view kFileName = "alerts.db";

  // Opens (creating when `create`) the store at `path`. NotFound when !create and it is missing.
  static Result<std::unique_ptr<AlertStore>> Open(const std::string& path, bool create = true);
  ~AlertStore();

  // Source -> last evaluated sequence number of `table`; nullopt before the table was first seen.
  Result<std::optional<std::map<std::string, std::string>>> Watermarks(std::string_view table);

  // One transaction: records `alerts` (a (rule, event_id) already recorded is skipped, with its
  // outbox rows), queues their outbox rows (due now), and sets `table`'s watermarks (marking the
  // table seen). Returns the alerts actually inserted, in order, with their ids.
  Result<std::vector<AlertRecord>> RecordEvaluation(std::string_view table,
                                                    const std::map<std::string, std::string>& watermarks,
                                                    const std::vector<NewAlert>& alerts, int64_t now_ms);

  // Pending outbox rows due at `now_ms`, oldest alert first.
  Result<std::vector<OutboxItem>> DueSends(int64_t now_ms, int limit);
  // Earliest next_attempt_ms of a pending row, if any.
  Result<std::optional<int64_t>> NextDue();
  Status MarkSent(int64_t alert_id, int action, int attempts, int64_t now_ms);
  Status MarkRetry(int64_t alert_id, int action, int attempts, int64_t next_attempt_ms,
                   std::string_view error);
  Status MarkDead(int64_t alert_id, int action, int attempts, int64_t now_ms, std::string_view error);

  // Most recent alerts first. Empty `rules` = every rule; else only those.
  Result<std::vector<AlertRecord>> Recent(int limit, const std::vector<std::string>& rules = {},
                                          bool include_throttled = true);
  // Per rule, over the store's whole life.
  Result<std::map<std::string, RuleCounts>> Counts();
  // Non-throttled alerts of `rule` recorded at or after `since_ms`, oldest first (their times).
  Result<std::vector<int64_t>> FiredSince(std::string_view rule, int64_t since_ms);
  // Outbox rows of one alert: action index -> (state, attempts, last error).
  struct SendState {
    std::string type;
    std::string state;
    int attempts = 0;
    std::string last_error;
  };
  Result<std::map<int, SendState>> Sends(int64_t alert_id);

 private:
  explicit AlertStore(std::unique_ptr<catalog::SqliteDb> db);
  Result<std::vector<AlertRecord>> ReadAlerts(std::string_view sql, const std::vector<std::string>& args);

  std::mutex mu_;
  std::unique_ptr<catalog::SqliteDb> db_;  // guarded by mu_
};

}  // namespace tributary::alert
