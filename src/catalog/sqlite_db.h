// A small RAII layer over the SQLite C API: a connection (SqliteDb) with a per-connection cache of
// prepared statements, statements with typed bind/step/column helpers, and scoped transactions.
// SQLite result codes become Status values (busy/locked -> retryable kUnavailable, constraint
// violations -> kAlreadyExists or kFailedPrecondition, corruption -> kDataLoss).
//
// Thread-safety: none. A SqliteDb and everything obtained from it must be used by one thread at a
// time (the owner serialises access, e.g. with a mutex). The connection is opened with
// SQLITE_OPEN_NOMUTEX for that reason.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tributary::catalog {

// Maps a SQLite result code (plus the connection's error message, if `db` is given) to a Status.
Status SqliteStatus(int rc, sqlite3* db, std::string_view context);

// One prepared statement. Owned either by the caller (SqliteDb::PrepareUncached) or by the
// connection's cache (SqliteDb::Prepare, used through a StatementLease).
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Status BindInt64(int index, int64_t value);
  Status BindText(int index, std::string_view value);
  Status BindNull(int index);
  // Binds every argument in order starting at parameter 1 (int64-convertible or string-like).
  template <typename... Args>
  Status BindAll(const Args&... args) {
    int index = 0;
    Status status;
    ((status.ok() ? (void)(status = BindOne(++index, args)) : (void)0), ...);
    return status;
  }

  // Advances: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();

  int64_t ColumnInt64(int index) const;  // 0-based, as in SQLite
  std::string ColumnText(int index) const;
  bool ColumnIsNull(int index) const;

  // Resets the statement and clears its bindings so it can be executed again.
  void Reset();

 private:
  Status BindOne(int index, int64_t v) { return BindInt64(index, v); }
  Status BindOne(int index, int v) { return BindInt64(index, v); }
  Status BindOne(int index, std::string_view v) { return BindText(index, v); }
  Status BindOne(int index, const std::string& v) { return BindText(index, v); }
  Status BindOne(int index, const char* v) { return BindText(index, v); }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Borrows a cached statement; resets it (and clears bindings) when it goes out of scope, so the
// next user finds it fresh and no read snapshot is held open by an unfinished statement.
class StatementLease {
 public:
  explicit StatementLease(Statement* stmt) : stmt_(stmt) {}
  ~StatementLease() {
    if (stmt_ != nullptr) stmt_->Reset();
  }
  StatementLease(StatementLease&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  StatementLease& operator=(StatementLease&&) = delete;
  StatementLease(const StatementLease&) = delete;

  Statement* operator->() const { return stmt_; }
  Statement& operator*() const { return *stmt_; }

 private:
  Statement* stmt_;
};

struct SqliteOpenOptions {
  int busy_timeout_ms = 10000;
  bool create = true;
};

// One SQLite connection, configured for durable shared use: WAL journal, synchronous=FULL (a
// successful COMMIT is on stable storage), foreign keys on, busy timeout.
class SqliteDb {
 public:
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                const SqliteOpenOptions& options);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more ';'-separated statements that return no rows of interest.
  Status Exec(std::string_view sql);
  // Returns the cached prepared statement for `sql`, preparing it on first use. `sql` must be a
  // single statement. The lease must be released before the same SQL is prepared again.
  Result<StatementLease> Prepare(std::string_view sql);
  // A statement that is not cached (one-off SQL such as migrations).
  Result<std::unique_ptr<Statement>> PrepareUncached(std::string_view sql);

  int64_t LastInsertRowId() const;
  bool InTransaction() const;
  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  // Cache keyed by SQL text; std::less<> allows lookup by string_view. Statements are finalized
  // before the connection closes.
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

// A transaction scope: rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  enum class Mode {
    kDeferred,   // read snapshot taken at first read; for consistent multi-statement reads
    kImmediate,  // write lock taken now (waiting up to the busy timeout); for all writes
  };
  static Result<Transaction> Begin(SqliteDb& db, Mode mode);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;

  Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;  // nullptr once committed, rolled back or moved from
};

}  // namespace tributary::catalog
