#include "lakeapi/query_executor.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>

#include "lakeapi/athena_csv.h"
#include "query/catalog_views.h"

namespace tributary::lakeapi {

namespace fs = std::filesystem;

struct QueryExecutor::Execution {
  QueryExecutionInfo info;  // guarded by QueryExecutor::mu_
  std::shared_ptr<query::QueryInterrupt> interrupt = std::make_shared<query::QueryInterrupt>();
  std::shared_ptr<bool> timed_out = std::make_shared<bool>(false);
};

std::string_view QueryStateName(QueryState state) {
  switch (state) {
    case QueryState::kQueued: return "QUEUED";
    case QueryState::kRunning: return "RUNNING";
    case QueryState::kSucceeded: return "SUCCEEDED";
    case QueryState::kFailed: return "FAILED";
    case QueryState::kCancelled: return "CANCELLED";
  }
  return "FAILED";
}

std::string NewUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = 0, b = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    a = rng();
    b = rng();
  }
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

Result<std::string> MapOutputLocation(const std::string& results_dir, std::string_view uri) {
  constexpr std::string_view kScheme = "s3://";
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("OutputLocation '" + std::string(uri) + "' " + why);
  };
  if (uri.substr(0, kScheme.size()) != kScheme) return bad("must be an s3://bucket/prefix/ URI");
  std::string_view rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  std::string_view key = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (bucket.size() < 3 || bucket.size() > 63) return bad("has a bucket name that is not 3-63 characters long");
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
          c == '.')) {
      return bad("has a bucket name with characters other than a-z, 0-9, '.' and '-'");
    }
  }
  if (bucket.front() == '.' || bucket.front() == '-' || bucket.find("..") != std::string_view::npos) {
    return bad("has an invalid bucket name");
  }
  if (key.size() > 1024) return bad("has a key longer than 1024 characters");
  std::string path = results_dir + "/" + std::string(bucket) + "/";
  size_t start = 0;
  while (start < key.size()) {
    size_t end = key.find('/', start);
    const bool last = end == std::string_view::npos;
    std::string_view segment = key.substr(start, last ? std::string_view::npos : end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return bad("has an empty, '.' or '..' path segment");
    }
    for (char c : segment) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') {
        return bad("contains a control character or a backslash");
      }
    }
    path += std::string(segment) + "/";
    if (last) break;
    start = end + 1;
  }
  const std::string normal = fs::path(path).lexically_normal().string();
  if (normal.compare(0, results_dir.size() + 1, results_dir + "/") != 0) return bad("leaves the results folder");
  return normal;
}

QueryExecutor::QueryExecutor(query::QueryEngine* engine, const catalog::Catalog* catalog,
                             QueryExecutorOptions options)
    : engine_(engine),
      catalog_(catalog),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock::Default()) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { WorkerLoop(); });
  watchdog_ = std::thread([this] { WatchdogLoop(); });
}

QueryExecutor::~QueryExecutor() {
  std::deque<Task> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    dropped.swap(queue_);
    for (auto& [ticket, r] : running_) r.interrupt->Interrupt();
  }
  work_cv_.notify_all();
  watchdog_cv_.notify_all();
  for (auto& t : dropped) t.cancel();
  for (auto& w : workers_) w.join();
  watchdog_.join();
}

Status QueryExecutor::Enqueue(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("the query executor is shutting down");
    if (queue_.size() >= options_.max_queued) {
      return Status::ResourceExhausted("too many queued queries (" + std::to_string(options_.max_queued) +
                                       "); try again later");
    }
    queue_.push_back(std::move(task));
  }
  work_cv_.notify_one();
  return Status::Ok();
}

void QueryExecutor::WorkerLoop() {
  while (true) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task.run();
  }
}

void QueryExecutor::WatchdogLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const int64_t now = clock_->NowMillis();
    for (auto& [ticket, r] : running_) {
      if (now >= r.deadline_ms && !*r.timed_out) {
        *r.timed_out = true;
        r.interrupt->Interrupt();
      }
    }
    watchdog_cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

uint64_t QueryExecutor::Track(int64_t timeout_ms, std::shared_ptr<query::QueryInterrupt> interrupt,
                              std::shared_ptr<bool> timed_out) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t ticket = next_ticket_++;
  running_[ticket] = Running{clock_->NowMillis() + timeout_ms, std::move(interrupt), std::move(timed_out)};
  return ticket;
}

void QueryExecutor::Untrack(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  running_.erase(ticket);
}

Result<query::QueryResult> QueryExecutor::ExecuteFresh(std::string_view sql,
                                                       const query::ExecuteOptions& options) const {
  TRIB_RETURN_IF_ERROR(query::RefreshViews(*engine_, *catalog_));
  auto result = engine_->Execute(sql, options);
  if (!result.ok() && result.status().code() == StatusCode::kInvalidArgument) {
    // A file may have been renamed into place between listing and reading: refresh once.
    if (query::RefreshViews(*engine_, *catalog_).ok()) result = engine_->Execute(sql, options);
  }
  return result;
}

int64_t QueryExecutor::ScannedBytes(std::string_view sql) const {
  auto tables = catalog_->ListTables();
  if (!tables.ok()) return 0;
  std::string lower(sql);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  int64_t bytes = 0;
  for (const auto& t : *tables) {
    std::string name = t.name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t pos = lower.find(name); pos != std::string::npos; pos = lower.find(name, pos + 1)) {
      const size_t end = pos + name.size();
      if ((pos == 0 || !is_word(lower[pos - 1])) && (end == lower.size() || !is_word(lower[end]))) {
        if (auto stats = catalog_->GetTableStats(t.name); stats.ok()) bytes += stats->bytes;
        break;
      }
    }
  }
  return bytes;
}

namespace {
std::string StatementType(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(')) ++i;
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  return word == "SHOW" || word == "DESCRIBE" || word == "EXPLAIN" || word == "SUMMARIZE" ? "UTILITY" : "DML";
}
}  // namespace

Result<std::string> QueryExecutor::Submit(const QuerySubmission& s) {
  std::string folder;
  TRIB_ASSIGN_OR_RETURN(folder, MapOutputLocation(options_.results_dir, s.output_location));
  auto execution = std::make_shared<Execution>();
  QueryExecutionInfo& info = execution->info;
  info.id = NewUuid();
  info.sql = s.sql;
  info.database = s.database;
  info.workgroup = s.workgroup;
  info.statement_type = StatementType(s.sql);
  std::string location = s.output_location;
  if (location.back() != '/') location += '/';
  info.output_location = location + info.id + ".csv";
  info.result_path = folder + info.id + ".csv";
  info.submitted_ms = clock_->NowMillis();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.client_request_token.empty()) {
      auto it = tokens_.find(s.client_request_token);
      if (it != tokens_.end() && executions_.count(it->second) > 0) return it->second;
    }
    executions_[info.id] = execution;
    order_.push_back(info.id);
    if (!s.client_request_token.empty()) tokens_[s.client_request_token] = info.id;
    ForgetOld();
  }
  Task task;
  task.run = [this, execution] { RunAthena(execution); };
  task.cancel = [this, execution] {
    std::lock_guard<std::mutex> lock(mu_);
    if (execution->info.state == QueryState::kQueued) {
      execution->info.state = QueryState::kCancelled;
      execution->info.state_change_reason = "Query cancelled: the server is shutting down";
      execution->info.completed_ms = clock_->NowMillis();
    }
  };
  Status st = Enqueue(std::move(task));
  if (!st.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    executions_.erase(info.id);
    order_.pop_back();
    if (!s.client_request_token.empty()) tokens_.erase(s.client_request_token);
    return st;
  }
  return info.id;
}

void QueryExecutor::ForgetOld() {
  // Oldest first; a query still queued or running stops the sweep (their number is bounded by
  // the workers and the queue, so the cap is exceeded by at most that much).
  while (executions_.size() > options_.max_executions && !order_.empty()) {
    auto it = executions_.find(order_.front());
    if (it != executions_.end()) {
      const QueryState st = it->second->info.state;
      if (st == QueryState::kQueued || st == QueryState::kRunning) break;
      executions_.erase(it);
    }
    order_.pop_front();
  }
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = executions_.count(it->second) == 0 ? tokens_.erase(it) : std::next(it);
  }
}

void QueryExecutor::RunAthena(const std::shared_ptr<Execution>& execution) {
  std::string sql, path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    QueryExecutionInfo& info = execution->info;
    if (info.state != QueryState::kQueued) return;  // stopped while queued
    info.state = QueryState::kRunning;
    info.started_ms = clock_->NowMillis();
    sql = info.sql;
    path = info.result_path;
  }
  const uint64_t ticket = Track(options_.timeout_ms, execution->interrupt, execution->timed_out);
  query::ExecuteOptions eo;
  eo.interrupt = execution->interrupt.get();
  eo.max_rows = options_.max_result_rows;
  const auto start = std::chrono::steady_clock::now();
  auto result = ExecuteFresh(sql, eo);
  const int64_t engine_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  Untrack(ticket);
  const int64_t scanned = ScannedBytes(sql);

  Status write_status;
  if (result.ok() && !result->truncated) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    const std::string tmp = path + ".tmp-" + NewUuid();
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      const std::string csv = ResultCsv(*result);
      out.write(csv.data(), static_cast<std::streamsize>(csv.size()));
      out.close();
      if (!out) write_status = Status::Internal("cannot write the result file " + tmp);
    }
    if (write_status.ok()) {
      fs::rename(tmp, path, ec);
      if (ec) write_status = Status::Internal("cannot write the result file " + path + ": " + ec.message());
    }
    if (!write_status.ok()) fs::remove(tmp, ec);
  }

  std::lock_guard<std::mutex> lock(mu_);
  QueryExecutionInfo& info = execution->info;
  info.completed_ms = clock_->NowMillis();
  info.engine_ms = engine_ms;
  info.data_scanned_bytes = scanned;
  if (result.ok() && result->truncated) {
    info.state = QueryState::kFailed;
    info.state_change_reason = "Query result has more than " + std::to_string(options_.max_result_rows) +
                               " rows (the endpoint's limit); aggregate or add a LIMIT";
  } else if (result.ok() && !write_status.ok()) {
    info.state = QueryState::kFailed;
    info.user_error = false;
    info.state_change_reason = write_status.message();
  } else if (result.ok()) {
    info.state = QueryState::kSucceeded;
    info.column_names = result->column_names;
    info.column_types = result->column_types;
    info.row_count = static_cast<int64_t>(result->rows.size());
  } else if (result.status().code() == StatusCode::kCancelled) {
    if (*execution->timed_out) {
      info.state = QueryState::kFailed;
      info.state_change_reason = "Query timeout: the query ran longer than " +
                                 std::to_string(options_.timeout_ms / 1000) + " seconds";
    } else {
      info.state = QueryState::kCancelled;
      info.state_change_reason = "Query cancelled by user";
    }
  } else {
    info.state = QueryState::kFailed;
    info.user_error = result.status().code() == StatusCode::kInvalidArgument;
    info.state_change_reason = result.status().message();
  }
}

Result<QueryExecutionInfo> QueryExecutor::Get(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = executions_.find(id);
  if (it == executions_.end()) return Status::NotFound("QueryExecution " + std::string(id) + " was not found");
  return it->second->info;
}

Status QueryExecutor::Stop(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = executions_.find(id);
  if (it == executions_.end()) return Status::NotFound("QueryExecution " + std::string(id) + " was not found");
  Execution& e = *it->second;
  if (e.info.state == QueryState::kQueued) {
    e.info.state = QueryState::kCancelled;
    e.info.state_change_reason = "Query cancelled by user";
    e.info.completed_ms = clock_->NowMillis();
  } else if (e.info.state == QueryState::kRunning) {
    e.interrupt->Interrupt();  // RunAthena records kCancelled
  }
  return Status::Ok();
}

std::vector<std::string> QueryExecutor::List(std::string_view workgroup) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    auto e = executions_.find(*it);
    if (e == executions_.end()) continue;
    if (!workgroup.empty() && e->second->info.workgroup != workgroup) continue;
    out.push_back(*it);
  }
  return out;
}

Result<query::QueryResult> QueryExecutor::RunAndWait(std::string_view sql, size_t max_rows, int64_t timeout_ms) {
  auto promise = std::make_shared<std::promise<Result<query::QueryResult>>>();
  auto future = promise->get_future();
  auto interrupt = std::make_shared<query::QueryInterrupt>();
  auto timed_out = std::make_shared<bool>(false);
  std::string statement(sql);
  Task task;
  task.run = [this, promise, interrupt, timed_out, statement, max_rows, timeout_ms] {
    const uint64_t ticket = Track(timeout_ms, interrupt, timed_out);
    query::ExecuteOptions eo;
    eo.interrupt = interrupt.get();
    eo.max_rows = max_rows;
    auto result = ExecuteFresh(statement, eo);
    Untrack(ticket);
    bool expired = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      expired = *timed_out;
    }
    if (!result.ok() && result.status().code() == StatusCode::kCancelled) {
      result = expired ? Status::DeadlineExceeded("query timeout: the query ran longer than " +
                                                  std::to_string(timeout_ms) + " ms")
                       : Status::Cancelled("query cancelled: the server is shutting down");
    }
    promise->set_value(std::move(result));
  };
  task.cancel = [promise] { promise->set_value(Status::Cancelled("query cancelled: the server is shutting down")); };
  TRIB_RETURN_IF_ERROR(Enqueue(std::move(task)));
  // The watchdog interrupts the query `timeout_ms` after it starts; time spent queued counts too.
  if (future.wait_for(std::chrono::milliseconds(timeout_ms + 1000)) != std::future_status::ready) {
    interrupt->Interrupt();  // if it is still queued, it will return at once when it starts
    return Status::DeadlineExceeded("query timeout: no result within " + std::to_string(timeout_ms) +
                                    " ms (the query waited for a free worker)");
  }
  return future.get();
}

}  // namespace tributary::lakeapi
