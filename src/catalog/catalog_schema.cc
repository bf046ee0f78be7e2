#include "catalog/catalog_schema.h"

#include <string>

namespace tributary::catalog {
namespace {

struct Migration {
  int64_t version;
  const char* description;
  const char* sql;
};

// Append-only: never edit a migration that has shipped; add the next version instead.
constexpr Migration kMigrations[] = {
    {1, "initial schema", R"sql(
CREATE TABLE schema_migrations (
  version     INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_ms  INTEGER NOT NULL
);
CREATE TABLE databases (
  name       TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL
);
CREATE TABLE tables (
  id             INTEGER PRIMARY KEY,
  database       TEXT NOT NULL REFERENCES databases(name),
  name           TEXT NOT NULL UNIQUE,
  location       TEXT NOT NULL,
  format         TEXT NOT NULL,
  partition_keys TEXT NOT NULL,  -- escaped names joined by '/' (partition_spec.h)
  schema_version INTEGER NOT NULL,
  created_ms     INTEGER NOT NULL,
  updated_ms     INTEGER NOT NULL
);
CREATE TABLE columns (
  table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name     TEXT NOT NULL,
  type     TEXT NOT NULL,  -- ColumnTypeName()
  PRIMARY KEY (table_id, position),
  UNIQUE (table_id, name)
) WITHOUT ROWID;
CREATE TABLE partitions (
  id               INTEGER PRIMARY KEY,
  table_id         INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  partition_values TEXT NOT NULL,  -- Hive spec "year=2024/month=05" (partition_spec.h)
  location         TEXT NOT NULL,  -- table location + "/" + spec
  created_ms       INTEGER NOT NULL,
  UNIQUE (table_id, partition_values)
);
CREATE TABLE data_files (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order, never reused
  path           TEXT NOT NULL UNIQUE,
  table_id       INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  partition_id   INTEGER REFERENCES partitions(id),  -- NULL for an unpartitioned table
  row_count      INTEGER NOT NULL,
  size_bytes     INTEGER NOT NULL,
  min_event_ms   INTEGER NOT NULL,
  max_event_ms   INTEGER NOT NULL,
  source         TEXT NOT NULL,
  first_sequence TEXT NOT NULL,
  last_sequence  TEXT NOT NULL,
  committed_ms   INTEGER NOT NULL
);
CREATE INDEX data_files_by_table ON data_files(table_id, id);
CREATE TABLE checkpoints (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    {2, "schema version history and table parameters", R"sql(
CREATE TABLE schema_versions (
  table_id   INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,  -- tables.schema_version at the time
  created_ms INTEGER NOT NULL,
  note       TEXT NOT NULL,
  PRIMARY KEY (table_id, version)
) WITHOUT ROWID;
CREATE TABLE schema_version_columns (
  table_id      INTEGER NOT NULL,
  version       INTEGER NOT NULL,
  position      INTEGER NOT NULL,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL,  -- ColumnTypeName()
  change        TEXT,           -- NULL (unchanged), 'added' or 'widened'
  previous_type TEXT,           -- 'widened': the type before
  observed_type TEXT,           -- 'added'/'widened': the type seen in the data
  PRIMARY KEY (table_id, version, position),
  FOREIGN KEY (table_id, version) REFERENCES schema_versions(table_id, version) ON DELETE CASCADE
) WITHOUT ROWID;
-- Tables that predate the history get their current schema as their first recorded version.
INSERT INTO schema_versions(table_id, version, created_ms, note)
  SELECT id, schema_version, updated_ms,
         'recorded by the catalog upgrade; earlier versions were not recorded' FROM tables;
INSERT INTO schema_version_columns(table_id, version, position, name, type)
  SELECT c.table_id, t.schema_version, c.position, c.name, c.type
  FROM columns c JOIN tables t ON t.id = c.table_id;
CREATE TABLE table_parameters (
  table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (table_id, key)
) WITHOUT ROWID;
)sql"},
    {3, "compaction: retired files and the compaction log", R"sql(
CREATE TABLE retired_files (
  path       TEXT PRIMARY KEY,  -- lake-relative; no longer in data_files
  table_name TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  retired_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE compactions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  table_id     INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
  files_in     INTEGER NOT NULL,
  files_out    INTEGER NOT NULL,
  bytes_in     INTEGER NOT NULL,
  bytes_out    INTEGER NOT NULL,
  rows         INTEGER NOT NULL,
  committed_ms INTEGER NOT NULL
);
)sql"},
};

Result<int64_t> ReadUserVersion(SqliteDb& db) {
  TRIB_ASSIGN_OR_RETURN(auto stmt, db.Prepare("PRAGMA user_version"));
  TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->ColumnInt64(0) : 0;
}

}  // namespace

int64_t LatestCatalogSchemaVersion() { return std::end(kMigrations)[-1].version; }

Status MigrateCatalogSchema(SqliteDb& db, int64_t now_ms) {
  return MigrateCatalogSchemaTo(db, LatestCatalogSchemaVersion(), now_ms);
}

Status MigrateCatalogSchemaTo(SqliteDb& db, int64_t target, int64_t now_ms) {
  // Fast path without the write lock: readers opening an up-to-date file never wait for a writer.
  TRIB_ASSIGN_OR_RETURN(int64_t version, ReadUserVersion(db));
  const int64_t latest = LatestCatalogSchemaVersion();
  if (version == target) return Status::Ok();

  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db, Transaction::Mode::kImmediate));
  TRIB_ASSIGN_OR_RETURN(version, ReadUserVersion(db));  // another opener may have migrated
  if (version > latest) {
    return Status::FailedPrecondition(
        "catalog '" + db.path() + "' has schema version " + std::to_string(version) +
        ", newer than this binary supports (" + std::to_string(latest) + "); upgrade tributary");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= version || m.version > target) continue;
    Status s = db.Exec(m.sql);
    if (!s.ok()) return s.WithContext("catalog migration " + std::to_string(m.version));
    TRIB_ASSIGN_OR_RETURN(
        auto insert, db.Prepare("INSERT INTO schema_migrations(version, description, applied_ms) "
                                "VALUES (?, ?, ?)"));
    TRIB_RETURN_IF_ERROR(insert->BindAll(m.version, m.description, now_ms));
    TRIB_RETURN_IF_ERROR(insert->Run());
    // PRAGMA takes no parameters; the value is our own integer.
    TRIB_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(m.version)));
  }
  return txn.Commit();
}

}  // namespace tributary::catalog
