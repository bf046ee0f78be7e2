#include "catalog/sqlite_db.h"

#include <sqlite3.h>

#include <string>

namespace tributary::catalog {

Status SqliteStatus(int rc, sqlite3* db, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return Status::Ok();
  std::string message(context);
  message += ": ";
  // The connection's message is more precise ("UNIQUE constraint failed: data_files.path"), but
  // only describes `rc` if it is still the connection's latest error.
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    message += sqlite3_errmsg(db);
  } else {
    message += sqlite3_errstr(rc);
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return Status::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(std::move(message));
      }
      return Status::FailedPrecondition(std::move(message));
    case SQLITE_FULL:
      return Status::ResourceExhausted(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::DataLoss(std::move(message));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::FailedPrecondition(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

// ---- Statement -------------------------------------------------------------------------------

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::BindInt64(int index, int64_t value) {
  return SqliteStatus(sqlite3_bind_int64(stmt_, index, value), db_, "sqlite bind");
}

Status Statement::BindText(int index, std::string_view value) {
  return SqliteStatus(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      db_, "sqlite bind");
}

Status Statement::BindNull(int index) {
  return SqliteStatus(sqlite3_bind_null(stmt_, index), db_, "sqlite bind");
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, db_, "sqlite step");
}

Status Statement::Run() {
  for (;;) {
    TRIB_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

int64_t Statement::ColumnInt64(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::ColumnText(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// ---- SqliteDb --------------------------------------------------------------------------------

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path,
                                                 const SqliteOpenOptions& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // sqlite3_open_v2 may hand back a handle even on failure; the SqliteDb owns and closes it.
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "cannot open SQLite catalog '" + path + "'");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);

  // WAL lets readers (tributary query/status) run alongside the writer (tributary up).
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db->PrepareUncached("PRAGMA journal_mode=WAL"));
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    std::string mode = row ? stmt->ColumnText(0) : "";
    if (mode != "wal" && mode != "memory") {
      return Status::FailedPrecondition("cannot switch SQLite catalog '" + path +
                                        "' to WAL mode (journal_mode is '" + mode + "')");
    }
  }
  // FULL: the WAL is fsynced at every COMMIT, so an acknowledged commit survives power loss.
  TRIB_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return db;
}

SqliteDb::~SqliteDb() {
  cache_.clear();  // finalize statements first, or close fails with SQLITE_BUSY
  sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string detail = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    Status s = SqliteStatus(rc, nullptr, "sqlite exec");
    return Status(s.code(), "sqlite exec: " + detail);
  }
  return Status::Ok();
}

Result<std::unique_ptr<Statement>> SqliteDb::PrepareUncached(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(rc, db_, "sqlite prepare '" + std::string(sql) + "'");
  }
  return std::make_unique<Statement>(db_, stmt);
}

Result<StatementLease> SqliteDb::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return SqliteStatus(rc, db_, "sqlite prepare '" + std::string(sql) + "'");
    }
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, stmt)).first;
  }
  return StatementLease(it->second.get());
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- Transaction -----------------------------------------------------------------------------

Result<Transaction> Transaction::Begin(SqliteDb& db, Mode mode) {
  TRIB_ASSIGN_OR_RETURN(auto stmt,
                        db.Prepare(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  TRIB_RETURN_IF_ERROR(stmt->Run());
  return Transaction(&db);
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::Internal("transaction already finished");
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("COMMIT"));
    TRIB_RETURN_IF_ERROR(stmt->Run());  // on failure the destructor rolls back
  }
  db_ = nullptr;
  return Status::Ok();
}

Transaction::~Transaction() {
  // Some errors (e.g. SQLITE_FULL, SQLITE_IOERR) roll back on their own; only roll back if a
  // transaction is still open.
  if (db_ == nullptr || !db_->InTransaction()) return;
  auto stmt = db_->Prepare("ROLLBACK");
  if (stmt.ok()) (void)(*stmt)->Run();
}

}  // namespace tributary::catalog
