// SqliteCatalog: the Catalog on one SQLite file (the default; see catalog.h for the contract).
//
// Every write is one BEGIN IMMEDIATE transaction, so a write waits (up to the busy timeout) for
// another process's writer instead of failing half-way; every multi-statement read runs in one
// deferred transaction, so it sees one consistent snapshot. Hot-path statements are prepared once
// per connection and reused.
//
// Thread-safety: thread-safe; all methods serialise on mu_, which guards the one connection.
// Several SqliteCatalog objects (in this or other processes) may share a file.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/sqlite_db.h"
#include "core/clock.h"

namespace tributary::catalog {

class SqliteCatalog final : public Catalog {
 public:
  static Result<std::unique_ptr<SqliteCatalog>> Open(const std::string& path,
                                                     const CatalogOptions& options);

  Status EnsureTable(const TableDef& def) override;
  Result<TableDef> GetTable(std::string_view name) const override;
  Result<std::vector<TableDef>> ListTables() const override;
  Status CommitFiles(std::string_view table, const std::vector<Column>& observed,
                     const std::vector<DataFile>& files,
                     const CheckpointUpdate& checkpoint) override;
  Result<std::vector<DataFile>> ListFiles(std::string_view table) const override;
  Result<bool> IsFileRegistered(std::string_view path) const override;
  Result<std::optional<std::string>> GetCheckpoint(std::string_view key) const override;
  Status PutCheckpoint(std::string_view key, std::string_view value) override;
  Result<TableStats> GetTableStats(std::string_view table) const override;
  Result<std::vector<SchemaVersion>> ListSchemaVersions(std::string_view table) const override;
  Result<std::vector<PartitionInfo>> ListPartitions(std::string_view table) const override;
  Status SetTableParameters(std::string_view table,
                            const std::map<std::string, std::string>& parameters) override;
  Status ReplaceFiles(std::string_view table, const std::vector<std::string>& old_paths,
                      const std::vector<DataFile>& new_files) override;
  Result<std::vector<RetiredFile>> ListRetiredFiles() const override;
  Status ForgetRetiredFiles(const std::vector<std::string>& paths) override;
  Result<CompactionStats> GetCompactionStats(std::string_view table) const override;

 private:
  // A table as stored: its row id and definition (columns included).
  struct StoredTable {
    int64_t id = 0;
    TableDef def;
  };

  SqliteCatalog(std::unique_ptr<SqliteDb> db, const Clock* clock)
      : clock_(clock), db_(std::move(db)) {}

  // All *Locked helpers require mu_ held and (for writes) an open write transaction.
  Result<std::optional<StoredTable>> FindTableLocked(std::string_view name) const;
  Result<StoredTable> GetTableLocked(std::string_view name) const;  // NotFound if missing
  Result<int64_t> TableIdLocked(std::string_view name) const;       // NotFound if missing
  Status InsertTableLocked(const TableDef& def, int64_t now_ms);
  // Widens table.def.columns with `observed` (new columns appended in order, conflicting types
  // widened) and persists the new/changed columns. Returns what changed (empty: nothing).
  Result<std::vector<ColumnChange>> MergeColumnsLocked(StoredTable& table,
                                                       const std::vector<Column>& observed);
  // schema_version += 1 and updated_ms = now, in the store and in `table`, then records the new
  // version (RecordSchemaVersionLocked).
  Status BumpSchemaVersionLocked(StoredTable& table, const std::vector<ColumnChange>& changes,
                                 std::string_view note, int64_t now_ms);
  // Writes table.def's current version and columns to the schema history, marking `changes`.
  Status RecordSchemaVersionLocked(const StoredTable& table,
                                   const std::vector<ColumnChange>& changes, std::string_view note,
                                   int64_t now_ms);
  Status PutTableParametersLocked(int64_t table_id,
                                  const std::map<std::string, std::string>& parameters);
  Result<int64_t> PartitionIdLocked(const StoredTable& table, const std::string& spec,
                                    int64_t now_ms);
  Status InsertFileLocked(const StoredTable& table, const DataFile& file,
                          std::optional<int64_t> partition_id, int64_t now_ms);
  Status PutCheckpointLocked(std::string_view key, std::string_view value, int64_t now_ms);

  // Constant after construction.
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

// Validation shared by the catalog and its tests.
// Table and database names: [a-z0-9_]{1,255}.
Status ValidateTableName(std::string_view name, std::string_view what = "table");
// Lake-relative final file path: non-empty, relative, no '..' segment, base name not starting
// with '_' or '.'.
Status ValidateFilePath(std::string_view path);

}  // namespace tributary::catalog
