// SqliteCatalog: opening, tables, reads and checkpoints. CommitFiles and the column/partition/file
// writes it is made of live in sqlite_catalog_commit.cc.
#include "catalog/sqlite_catalog.h"

#include <filesystem>
#include <set>
#include <system_error>

#include "catalog/catalog_schema.h"
#include "catalog/partition_spec.h"

namespace tributary::catalog {
namespace {

constexpr size_t kMaxNameLength = 255;

std::string DescribeKeys(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ", ";
    out += keys[i];
  }
  return out + "]";
}

}  // namespace

Status ValidateTableName(std::string_view name, std::string_view what) {
  bool ok = !name.empty() && name.size() <= kMaxNameLength;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) ok = false;
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("invalid " + std::string(what) + " name '" + std::string(name) +
                                 "': use 1 to 255 lower-case letters, digits and '_'");
}

Status ValidateFilePath(std::string_view path) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid data file path '" + std::string(path) +
                                   "': " + std::string(why));
  };
  if (path.empty()) return bad("empty");
  if (path.front() == '/') return bad("must be relative to the lake root");
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) return bad("empty path segment");
    if (segment == "..") return bad("'..' is not allowed");
    if (slash == std::string_view::npos) {
      if (segment.front() == '_' || segment.front() == '.') {
        return bad("a registered file needs its final name (no leading '_' or '.')");
      }
      return Status::Ok();
    }
    start = slash + 1;
  }
}

// ---- Opening ---------------------------------------------------------------------------------

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  return Open(path, CatalogOptions{});
}

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path,
                                               const CatalogOptions& options) {
  TRIB_ASSIGN_OR_RETURN(auto catalog, SqliteCatalog::Open(path, options));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

// Defaults for the methods added after the first release of the interface.
Result<std::vector<SchemaVersion>> Catalog::ListSchemaVersions(std::string_view) const {
  return Status::Unimplemented("this catalog does not record schema versions");
}
Result<std::vector<PartitionInfo>> Catalog::ListPartitions(std::string_view) const {
  return Status::Unimplemented("this catalog does not list partitions");
}
Status Catalog::SetTableParameters(std::string_view, const std::map<std::string, std::string>&) {
  return Status::Unimplemented("this catalog does not store table parameters");
}

Result<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(const std::string& path,
                                                           const CatalogOptions& options) {
  const Clock* clock = options.clock != nullptr ? options.clock : SystemClock::Default();
  if (!options.create_if_missing) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return Status::NotFound("catalog '" + path + "' does not exist");
    }
  }
  SqliteOpenOptions db_options;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  db_options.create = options.create_if_missing;
  TRIB_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, db_options));
  TRIB_RETURN_IF_ERROR(MigrateCatalogSchema(*db, clock->NowMillis()));
  return std::unique_ptr<SqliteCatalog>(new SqliteCatalog(std::move(db), clock));
}

// ---- Tables ----------------------------------------------------------------------------------

Result<std::optional<SqliteCatalog::StoredTable>> SqliteCatalog::FindTableLocked(
    std::string_view name) const {
  StoredTable table;
  {
    TRIB_ASSIGN_OR_RETURN(
        auto stmt,
        db_->Prepare("SELECT id, database, name, location, format, partition_keys, schema_version, "
                     "created_ms, updated_ms FROM tables WHERE name = ?"));
    TRIB_RETURN_IF_ERROR(stmt->BindText(1, name));
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return std::optional<StoredTable>();
    table.id = stmt->ColumnInt64(0);
    table.def.database = stmt->ColumnText(1);
    table.def.name = stmt->ColumnText(2);
    table.def.location = stmt->ColumnText(3);
    table.def.format = stmt->ColumnText(4);
    TRIB_ASSIGN_OR_RETURN(table.def.partition_keys, SplitEscaped(stmt->ColumnText(5)));
    table.def.schema_version = stmt->ColumnInt64(6);
    table.def.created_ms = stmt->ColumnInt64(7);
    table.def.updated_ms = stmt->ColumnInt64(8);
  }
  TRIB_ASSIGN_OR_RETURN(
      auto cols,
      db_->Prepare("SELECT name, type FROM columns WHERE table_id = ? ORDER BY position"));
  TRIB_RETURN_IF_ERROR(cols->BindInt64(1, table.id));
  for (;;) {
    TRIB_ASSIGN_OR_RETURN(bool row, cols->Step());
    if (!row) break;
    Column column;
    column.name = cols->ColumnText(0);
    auto type = ParseColumnType(cols->ColumnText(1));
    if (!type.ok()) return Status::DataLoss("catalog column: " + type.status().message());
    column.type = *type;
    table.def.columns.push_back(std::move(column));
  }
  TRIB_ASSIGN_OR_RETURN(auto params,
                        db_->Prepare("SELECT key, value FROM table_parameters WHERE table_id = ?"));
  TRIB_RETURN_IF_ERROR(params->BindInt64(1, table.id));
  for (;;) {
    TRIB_ASSIGN_OR_RETURN(bool row, params->Step());
    if (!row) break;
    table.def.parameters[params->ColumnText(0)] = params->ColumnText(1);
  }
  return std::optional<StoredTable>(std::move(table));
}

Result<SqliteCatalog::StoredTable> SqliteCatalog::GetTableLocked(std::string_view name) const {
  TRIB_ASSIGN_OR_RETURN(auto table, FindTableLocked(name));
  if (!table) {
    return Status::NotFound("table '" + std::string(name) + "' does not exist in the catalog");
  }
  return std::move(*table);
}

Result<int64_t> SqliteCatalog::TableIdLocked(std::string_view name) const {
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT id FROM tables WHERE name = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindText(1, name));
  TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) {
    return Status::NotFound("table '" + std::string(name) + "' does not exist in the catalog");
  }
  return stmt->ColumnInt64(0);
}

Status SqliteCatalog::InsertTableLocked(const TableDef& def, int64_t now_ms) {
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt,
                          db_->Prepare("INSERT INTO databases(name, created_ms) VALUES (?, ?) "
                                       "ON CONFLICT(name) DO NOTHING"));
    TRIB_RETURN_IF_ERROR(stmt->BindAll(def.database, now_ms));
    TRIB_RETURN_IF_ERROR(stmt->Run());
  }
  TRIB_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("INSERT INTO tables(database, name, location, format, partition_keys, "
                   "schema_version, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(def.database, def.name, def.location, def.format,
                                     JoinEscaped(def.partition_keys), now_ms, now_ms));
  return stmt->Run();
}

Status SqliteCatalog::EnsureTable(const TableDef& def) {
  TRIB_RETURN_IF_ERROR(ValidateTableName(def.name));
  TRIB_RETURN_IF_ERROR(ValidateTableName(def.database, "database"));
  if (def.location.empty() || def.location.front() == '/') {
    return Status::InvalidArgument("table '" + def.name +
                                   "': location must be a non-empty lake-relative folder, got '" +
                                   def.location + "'");
  }
  if (def.format.empty()) {
    return Status::InvalidArgument("table '" + def.name + "': format must not be empty");
  }
  std::set<std::string_view> seen;
  for (const auto& key : def.partition_keys) {
    if (key.empty() || !seen.insert(key).second) {
      return Status::InvalidArgument("table '" + def.name + "': partition keys " +
                                     DescribeKeys(def.partition_keys) +
                                     " must be non-empty and distinct");
    }
  }
  for (const auto& column : def.columns) {
    if (column.name.empty()) {
      return Status::InvalidArgument("table '" + def.name + "': column names must not be empty");
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_ms = clock_->NowMillis();
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kImmediate));
  TRIB_ASSIGN_OR_RETURN(auto existing, FindTableLocked(def.name));
  if (!existing) {
    TRIB_RETURN_IF_ERROR(InsertTableLocked(def, now_ms));
    TRIB_ASSIGN_OR_RETURN(StoredTable created, GetTableLocked(def.name));
    // A new table's first schema is version 1, whatever columns it starts with.
    TRIB_ASSIGN_OR_RETURN(std::vector<ColumnChange> changes,
                          MergeColumnsLocked(created, def.columns));
    TRIB_RETURN_IF_ERROR(RecordSchemaVersionLocked(created, changes, "table created", now_ms));
    TRIB_RETURN_IF_ERROR(PutTableParametersLocked(created.id, def.parameters));
    return txn.Commit();
  }
  const TableDef& have = existing->def;
  if (have.database != def.database || have.location != def.location ||
      have.partition_keys != def.partition_keys) {
    return Status::FailedPrecondition(
        "table '" + def.name + "' already exists in the catalog as " + have.database + "." +
        have.name + " at location '" + have.location + "' (format " + have.format +
        ", partition keys " + DescribeKeys(have.partition_keys) + "); requested " + def.database +
        "." + def.name + " at location '" + def.location + "' (format " + def.format +
        ", partition keys " + DescribeKeys(def.partition_keys) + ")");
  }
  if (have.format != def.format) {
    // The format of new files changed (e.g. json -> parquet+zstd); files already committed keep
    // theirs, and readers tell them apart by extension.
    TRIB_ASSIGN_OR_RETURN(
        auto stmt, db_->Prepare("UPDATE tables SET format = ?, updated_ms = ? WHERE id = ?"));
    TRIB_RETURN_IF_ERROR(stmt->BindAll(def.format, now_ms, existing->id));
    TRIB_RETURN_IF_ERROR(stmt->Run());
  }
  TRIB_ASSIGN_OR_RETURN(std::vector<ColumnChange> changes,
                        MergeColumnsLocked(*existing, def.columns));
  if (!changes.empty()) {
    TRIB_RETURN_IF_ERROR(
        BumpSchemaVersionLocked(*existing, changes, "columns declared by EnsureTable", now_ms));
  }
  return txn.Commit();
}

Result<TableDef> SqliteCatalog::GetTable(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  TRIB_ASSIGN_OR_RETURN(StoredTable table, GetTableLocked(name));
  TRIB_RETURN_IF_ERROR(txn.Commit());
  return std::move(table.def);
}

Result<std::vector<TableDef>> SqliteCatalog::ListTables() const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  std::vector<std::string> names;
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT name FROM tables ORDER BY name"));
    for (;;) {
      TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      names.push_back(stmt->ColumnText(0));
    }
  }
  std::vector<TableDef> tables;
  tables.reserve(names.size());
  for (const auto& name : names) {
    TRIB_ASSIGN_OR_RETURN(StoredTable table, GetTableLocked(name));
    tables.push_back(std::move(table.def));
  }
  TRIB_RETURN_IF_ERROR(txn.Commit());
  return tables;
}

// ---- Reads -----------------------------------------------------------------------------------

Result<std::vector<DataFile>> SqliteCatalog::ListFiles(std::string_view table) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  TRIB_ASSIGN_OR_RETURN(int64_t table_id, TableIdLocked(table));
  std::vector<DataFile> files;
  {
    TRIB_ASSIGN_OR_RETURN(
        auto stmt, db_->Prepare("SELECT f.path, p.partition_values, f.row_count, f.size_bytes, "
                                "f.min_event_ms, f.max_event_ms, f.source, f.first_sequence, "
                                "f.last_sequence, f.committed_ms FROM data_files f "
                                "LEFT JOIN partitions p ON p.id = f.partition_id "
                                "WHERE f.table_id = ? ORDER BY f.id"));
    TRIB_RETURN_IF_ERROR(stmt->BindInt64(1, table_id));
    for (;;) {
      TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      DataFile file;
      file.path = stmt->ColumnText(0);
      if (!stmt->ColumnIsNull(1)) {
        TRIB_ASSIGN_OR_RETURN(file.partition_values, ParsePartitionSpec(stmt->ColumnText(1)));
      }
      file.row_count = stmt->ColumnInt64(2);
      file.size_bytes = stmt->ColumnInt64(3);
      file.min_event_ms = stmt->ColumnInt64(4);
      file.max_event_ms = stmt->ColumnInt64(5);
      file.source = stmt->ColumnText(6);
      file.first_sequence = stmt->ColumnText(7);
      file.last_sequence = stmt->ColumnText(8);
      file.committed_ms = stmt->ColumnInt64(9);
      files.push_back(std::move(file));
    }
  }
  TRIB_RETURN_IF_ERROR(txn.Commit());
  return files;
}

Result<bool> SqliteCatalog::IsFileRegistered(std::string_view path) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT 1 FROM data_files WHERE path = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindText(1, path));
  return stmt->Step();
}

Result<TableStats> SqliteCatalog::GetTableStats(std::string_view table) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  TRIB_ASSIGN_OR_RETURN(int64_t table_id, TableIdLocked(table));
  TableStats stats;
  {
    TRIB_ASSIGN_OR_RETURN(
        auto stmt,
        db_->Prepare("SELECT COUNT(*), COALESCE(SUM(row_count), 0), COALESCE(SUM(size_bytes), 0), "
                     "COALESCE(MAX(max_event_ms), 0), COALESCE(MAX(committed_ms), 0), "
                     "(SELECT COUNT(*) FROM partitions WHERE table_id = ?1) "
                     "FROM data_files WHERE table_id = ?1"));
    TRIB_RETURN_IF_ERROR(stmt->BindInt64(1, table_id));
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) {
      stats.files = stmt->ColumnInt64(0);
      stats.rows = stmt->ColumnInt64(1);
      stats.bytes = stmt->ColumnInt64(2);
      stats.max_event_ms = stmt->ColumnInt64(3);
      stats.last_commit_ms = stmt->ColumnInt64(4);
      stats.partitions = stmt->ColumnInt64(5);
    }
  }
  TRIB_RETURN_IF_ERROR(txn.Commit());
  return stats;
}

Result<std::vector<SchemaVersion>> SqliteCatalog::ListSchemaVersions(
    std::string_view table) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  TRIB_ASSIGN_OR_RETURN(int64_t table_id, TableIdLocked(table));
  std::vector<SchemaVersion> versions;
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt,
                          db_->Prepare("SELECT version, created_ms, note FROM schema_versions "
                                       "WHERE table_id = ? ORDER BY version"));
    TRIB_RETURN_IF_ERROR(stmt->BindInt64(1, table_id));
    for (;;) {
      TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      SchemaVersion& v = versions.emplace_back();
      v.version = stmt->ColumnInt64(0);
      v.created_ms = stmt->ColumnInt64(1);
      v.note = stmt->ColumnText(2);
    }
  }
  auto type_of = [&](const std::string& name) -> Result<ColumnType> {
    auto type = ParseColumnType(name);
    if (!type.ok()) return Status::DataLoss("catalog schema history: " + type.status().message());
    return *type;
  };
  TRIB_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("SELECT version, name, type, change, previous_type, observed_type "
                   "FROM schema_version_columns WHERE table_id = ? ORDER BY version, position"));
  TRIB_RETURN_IF_ERROR(stmt->BindInt64(1, table_id));
  size_t next = 0;  // versions and their columns come in the same order
  for (;;) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    const int64_t version = stmt->ColumnInt64(0);
    while (next < versions.size() && versions[next].version < version) ++next;
    if (next == versions.size() || versions[next].version != version) {
      return Status::DataLoss("catalog schema history of table '" + std::string(table) +
                              "': columns of unrecorded version " + std::to_string(version));
    }
    SchemaVersion& v = versions[next];
    Column column;
    column.name = stmt->ColumnText(1);
    TRIB_ASSIGN_OR_RETURN(column.type, type_of(stmt->ColumnText(2)));
    if (!stmt->ColumnIsNull(3)) {
      ColumnChange change;
      change.column = column.name;
      change.type = column.type;
      const std::string kind = stmt->ColumnText(3);
      change.kind = kind == "added" ? ColumnChange::Kind::kAdded : ColumnChange::Kind::kWidened;
      if (!stmt->ColumnIsNull(4)) {
        TRIB_ASSIGN_OR_RETURN(change.previous_type, type_of(stmt->ColumnText(4)));
      }
      change.observed_type = column.type;
      if (!stmt->ColumnIsNull(5)) {
        TRIB_ASSIGN_OR_RETURN(change.observed_type, type_of(stmt->ColumnText(5)));
      }
      v.changes.push_back(std::move(change));
    }
    v.columns.push_back(std::move(column));
  }
  TRIB_RETURN_IF_ERROR(txn.Commit());
  return versions;
}

Result<std::vector<PartitionInfo>> SqliteCatalog::ListPartitions(std::string_view table) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  TRIB_ASSIGN_OR_RETURN(int64_t table_id, TableIdLocked(table));
  std::vector<PartitionInfo> partitions;
  {
    TRIB_ASSIGN_OR_RETURN(
        auto stmt,
        db_->Prepare("SELECT p.partition_values, p.location, p.created_ms, COUNT(f.id), "
                     "COALESCE(SUM(f.row_count), 0), COALESCE(SUM(f.size_bytes), 0), "
                     "COALESCE(MAX(f.committed_ms), 0) FROM partitions p "
                     "LEFT JOIN data_files f ON f.partition_id = p.id WHERE p.table_id = ? "
                     "GROUP BY p.id ORDER BY p.partition_values"));
    TRIB_RETURN_IF_ERROR(stmt->BindInt64(1, table_id));
    for (;;) {
      TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      PartitionInfo& p = partitions.emplace_back();
      TRIB_ASSIGN_OR_RETURN(p.values, ParsePartitionSpec(stmt->ColumnText(0)));
      p.location = stmt->ColumnText(1);
      p.created_ms = stmt->ColumnInt64(2);
      p.files = stmt->ColumnInt64(3);
      p.rows = stmt->ColumnInt64(4);
      p.bytes = stmt->ColumnInt64(5);
      p.last_commit_ms = stmt->ColumnInt64(6);
    }
  }
  TRIB_RETURN_IF_ERROR(txn.Commit());
  return partitions;
}

Status SqliteCatalog::SetTableParameters(std::string_view table,
                                         const std::map<std::string, std::string>& parameters) {
  for (const auto& [key, value] : parameters) {
    if (key.empty()) return Status::InvalidArgument("table parameter keys must not be empty");
  }
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kImmediate));
  TRIB_ASSIGN_OR_RETURN(int64_t table_id, TableIdLocked(table));
  TRIB_RETURN_IF_ERROR(PutTableParametersLocked(table_id, parameters));
  return txn.Commit();
}

Status SqliteCatalog::PutTableParametersLocked(
    int64_t table_id, const std::map<std::string, std::string>& parameters) {
  for (const auto& [key, value] : parameters) {
    if (value.empty()) {
      TRIB_ASSIGN_OR_RETURN(
          auto stmt, db_->Prepare("DELETE FROM table_parameters WHERE table_id = ? AND key = ?"));
      TRIB_RETURN_IF_ERROR(stmt->BindAll(table_id, key));
      TRIB_RETURN_IF_ERROR(stmt->Run());
      continue;
    }
    TRIB_ASSIGN_OR_RETURN(
        auto stmt,
        db_->Prepare("INSERT INTO table_parameters(table_id, key, value) VALUES (?, ?, ?) "
                     "ON CONFLICT(table_id, key) DO UPDATE SET value = excluded.value"));
    TRIB_RETURN_IF_ERROR(stmt->BindAll(table_id, key, value));
    TRIB_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

// ---- Checkpoints -----------------------------------------------------------------------------

Result<std::optional<std::string>> SqliteCatalog::GetCheckpoint(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT value FROM checkpoints WHERE key = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindText(1, key));
  TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->ColumnText(0));
}

Status SqliteCatalog::PutCheckpoint(std::string_view key, std::string_view value) {
  if (key.empty()) return Status::InvalidArgument("checkpoint key must not be empty");
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kImmediate));
  TRIB_RETURN_IF_ERROR(PutCheckpointLocked(key, value, clock_->NowMillis()));
  return txn.Commit();
}

Status SqliteCatalog::PutCheckpointLocked(std::string_view key, std::string_view value,
                                          int64_t now_ms) {
  TRIB_ASSIGN_OR_RETURN(
      auto stmt, db_->Prepare("INSERT INTO checkpoints(key, value, updated_ms) VALUES (?, ?, ?) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                              "updated_ms = excluded.updated_ms"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(key, value, now_ms));
  return stmt->Run();
}

}  // namespace tributary::catalog
