#include "catalog/sqlite_db.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace tributary::catalog {
namespace {

using ::tributary::testing::StatusIs;
using ::tributary::testing::TempDir;

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDb::Open((dir_.path() / "test.db").string(), SqliteOpenOptions{});
    ASSERT_OK(db);
    db_ = std::move(*db);
    ASSERT_OK(db_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)"));
  }

  Result<int64_t> Count() {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT COUNT(*) FROM t"));
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::Internal("no row");
    return stmt->ColumnInt64(0);
  }

  Status Insert(std::string_view k, int64_t v) {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT INTO t(k, v) VALUES (?, ?)"));
    TRIB_RETURN_IF_ERROR(stmt->BindAll(k, v));
    return stmt->Run();
  }

  TempDir dir_;
  std::unique_ptr<SqliteDb> db_;
};

TEST_F(SqliteDbTest, ConfiguredForDurableSharing) {
  auto mode = db_->PrepareUncached("PRAGMA journal_mode");
  ASSERT_OK(mode);
  ASSERT_OK((*mode)->Step());
  EXPECT_EQ((*mode)->ColumnText(0), "wal");
  auto sync = db_->PrepareUncached("PRAGMA synchronous");
  ASSERT_OK(sync);
  ASSERT_OK((*sync)->Step());
  EXPECT_EQ((*sync)->ColumnInt64(0), 2);  // FULL
  auto fk = db_->PrepareUncached("PRAGMA foreign_keys");
  ASSERT_OK(fk);
  ASSERT_OK((*fk)->Step());
  EXPECT_EQ((*fk)->ColumnInt64(0), 1);
}

TEST_F(SqliteDbTest, BindStepAndColumns) {
  ASSERT_OK(Insert("a", 42));
  auto stmt = db_->Prepare("SELECT k, v, NULL FROM t WHERE k = ?");
  ASSERT_OK(stmt);
  ASSERT_OK((*stmt)->BindText(1, "a"));
  auto row = (*stmt)->Step();
  ASSERT_OK(row);
  ASSERT_TRUE(*row);
  EXPECT_EQ((*stmt)->ColumnText(0), "a");
  EXPECT_EQ((*stmt)->ColumnInt64(1), 42);
  EXPECT_TRUE((*stmt)->ColumnIsNull(2));
  EXPECT_FALSE((*stmt)->ColumnIsNull(1));
  row = (*stmt)->Step();
  ASSERT_OK(row);
  EXPECT_FALSE(*row);
}

TEST_F(SqliteDbTest, TextWithEmbeddedNulRoundTrips) {
  std::string value("a\0b", 3);
  ASSERT_OK(Insert(value, 1));
  auto stmt = db_->Prepare("SELECT k FROM t");
  ASSERT_OK(stmt);
  ASSERT_OK((*stmt)->Step());
  EXPECT_EQ((*stmt)->ColumnText(0), value);
}

TEST_F(SqliteDbTest, CachedStatementIsReusedAndReset) {
  Statement* first = nullptr;
  {
    auto stmt = db_->Prepare("SELECT v FROM t WHERE k = ?");
    ASSERT_OK(stmt);
    first = &**stmt;
    ASSERT_OK((*stmt)->BindText(1, "x"));
  }
  auto again = db_->Prepare("SELECT v FROM t WHERE k = ?");
  ASSERT_OK(again);
  EXPECT_EQ(&**again, first);
  // Bindings were cleared: the parameter is NULL, so nothing matches.
  ASSERT_OK(Insert("x", 1));
  auto row = (*again)->Step();
  ASSERT_OK(row);
  EXPECT_FALSE(*row);
}

TEST_F(SqliteDbTest, UniqueViolationIsAlreadyExists) {
  ASSERT_OK(Insert("a", 1));
  EXPECT_THAT(Insert("a", 2), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(SqliteDbTest, PrepareErrorIsReported) {
  auto stmt = db_->Prepare("SELEKT 1");
  EXPECT_THAT(stmt, StatusIs(StatusCode::kInternal));
  EXPECT_NE(stmt.status().message().find("SELEKT"), std::string::npos);
}

TEST_F(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  {
    auto txn = Transaction::Begin(*db_, Transaction::Mode::kImmediate);
    ASSERT_OK(txn);
    ASSERT_OK(Insert("a", 1));
    EXPECT_TRUE(db_->InTransaction());
  }
  EXPECT_FALSE(db_->InTransaction());
  auto count = Count();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
  {
    auto txn = Transaction::Begin(*db_, Transaction::Mode::kImmediate);
    ASSERT_OK(txn);
    ASSERT_OK(Insert("a", 1));
    ASSERT_OK(txn->Commit());
    EXPECT_THAT(txn->Commit(), StatusIs(StatusCode::kInternal));
  }
  count = Count();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);
}

TEST_F(SqliteDbTest, SecondWriterTimesOutAsUnavailable) {
  SqliteOpenOptions options;
  options.busy_timeout_ms = 50;
  auto other = SqliteDb::Open(db_->path(), options);
  ASSERT_OK(other);
  auto txn = Transaction::Begin(*db_, Transaction::Mode::kImmediate);
  ASSERT_OK(txn);
  auto blocked = Transaction::Begin(**other, Transaction::Mode::kImmediate);
  EXPECT_THAT(blocked, StatusIs(StatusCode::kUnavailable));
  EXPECT_TRUE(blocked.status().retryable());
  // A reader is not blocked by the writer (WAL).
  auto read = (*other)->Prepare("SELECT COUNT(*) FROM t");
  ASSERT_OK(read);
  EXPECT_OK((*read)->Step());
}

}  // namespace
}  // namespace tributary::catalog
