// The catalog's SQLite schema and its migrations. PRAGMA user_version holds the schema version;
// schema_migrations records when each migration was applied. A newer binary migrates an older
// file forward on open; an older binary refuses a newer file instead of misreading it.
//
// Thread-safety: functions take the connection; callers serialise access to it.
#pragma once

#include <cstdint>

#include "catalog/sqlite_db.h"
#include "core/status.h"

namespace tributary::catalog {

// The schema version this binary writes.
int64_t LatestCatalogSchemaVersion();

// Brings the schema of `db` to LatestCatalogSchemaVersion(), in one write transaction, so
// concurrent openers of a fresh file do not race. FailedPrecondition if the file is newer.
Status MigrateCatalogSchema(SqliteDb& db, int64_t now_ms);
// The same, stopping at `version` (tests build files of an older schema with it).
Status MigrateCatalogSchemaTo(SqliteDb& db, int64_t version, int64_t now_ms);

}  // namespace tributary::catalog
