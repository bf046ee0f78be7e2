// The catalog: the single source of truth for what is in the lake. It holds tables, their typed
// columns (inferred from delivered rows, widening only), every schema version of each table,
// table parameters, partitions, the committed data files, and checkpoints. Delivery's commit protocol rests on Catalog::CommitFiles: registering files and
// advancing the delivery checkpoint happen in one SQLite transaction, so a file is either
// registered together with its checkpoint or not at all.
//
// Paths stored here are relative to the lake root and always final names (no leading '_').
//
// Thread-safety: Catalog is thread-safe (one SQLite connection guarded by a mutex). Several
// processes may open the same file (WAL mode, busy timeout).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace tributary::catalog {

enum class ColumnType { kString, kBigint, kDouble, kBoolean, kTimestamp, kJson };
std::string_view ColumnTypeName(ColumnType type);  // "string", "bigint", ... "json"
Result<ColumnType> ParseColumnType(std::string_view name);
// Schema evolution's merge rule (docs/catalog.md), symmetric:
//   equal types stay; bigint + double = double (numeric widening);
//   json + anything = json (nested values: a scalar from an older file is still valid JSON, so
//   JSON functions keep working over old and new rows);
//   any other pair (string + bigint, timestamp + string, boolean + double, ...) = string: Glue's
//   fallback for conflicting types, and the one under which older files stay readable and
//   comparable (a bigint 5 reads as '5', an old string compares as before).
ColumnType WidenColumnType(ColumnType a, ColumnType b);
// The Glue/Athena DDL type: the ColumnTypeName, except json, which Athena has no column type
// for, is "string" (its JSON text, as the JSON SerDe returns nested values into a string column).
std::string_view GlueTypeName(ColumnType type);

struct Column {
  std::string name;
  ColumnType type = ColumnType::kString;
  friend bool operator==(const Column&, const Column&) = default;
};

struct TableDef {
  std::string database = "default";
  std::string name;             // SQL name, e.g. p1_kinesis_firehose_destination
  std::string location;         // lake-relative folder, e.g. "p1_kinesis_firehose_destination"
  // Format of new files: "json" (JSON lines), "json+gzip", "json+zstd", "parquet+<codec>"
  // (codec none|snappy|gzip|zstd); see delivery/file_format.h.
  std::string format = "json";
  std::vector<std::string> partition_keys;  // e.g. year, month, day, hour (string-typed)
  std::vector<Column> columns;              // data columns, in first-seen order
  int64_t schema_version = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // Glue-style table parameters (e.g. classification, compressionType, the crawler's source).
  // EnsureTable stores them when it creates the table; SetTableParameters changes them later.
  std::map<std::string, std::string> parameters;
};

// One column's change in a schema version, against the previous version.
struct ColumnChange {
  enum class Kind { kAdded, kWidened };
  Kind kind = Kind::kAdded;
  std::string column;
  ColumnType type = ColumnType::kString;           // the column's type from this version on
  ColumnType previous_type = ColumnType::kString;  // kWidened only
  ColumnType observed_type = ColumnType::kString;  // the type seen in the data that caused it
  friend bool operator==(const ColumnChange&, const ColumnChange&) = default;
};
// "added amount bigint", "widened amount bigint -> double", "amount: string conflicts with
// bigint -> string".
std::string DescribeColumnChange(const ColumnChange& change);

// A table's schema as of one version. Version 1 is the table's creation (its columns, if any,
// are all kAdded); each later version is one CommitFiles/EnsureTable that changed columns.
struct SchemaVersion {
  int64_t version = 0;
  int64_t created_ms = 0;
  std::vector<Column> columns;        // the whole schema at this version, in column order
  std::vector<ColumnChange> changes;  // what this version changed
  std::string note;                   // e.g. "table created"
};

// One partition of a table with the totals of its files.
struct PartitionInfo {
  std::vector<std::pair<std::string, std::string>> values;  // in partition_keys order
  std::string location;                                     // lake-relative folder
  int64_t created_ms = 0;
  int64_t files = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t last_commit_ms = 0;
};

struct DataFile {
  std::string path;                                                   // lake-relative final path
  std::vector<std::pair<std::string, std::string>> partition_values;  // in partition_keys order
  int64_t row_count = 0;
  int64_t size_bytes = 0;
  int64_t min_event_ms = 0;
  int64_t max_event_ms = 0;
  std::string source;          // e.g. "stream/sales-stream/shardId-000000000000"
  std::string first_sequence;  // source sequence range covered by this file
  std::string last_sequence;
  int64_t committed_ms = 0;
};

struct CheckpointUpdate {
  std::string key;
  std::string value;
};

struct TableStats {
  int64_t files = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t partitions = 0;
  int64_t max_event_ms = 0;
  int64_t last_commit_ms = 0;
};

// A file compaction took out of its table: kept on disk until no reader can still be using it
// (see Catalog::ReplaceFiles and docs/compaction.md).
struct RetiredFile {
  std::string path;   // lake-relative
  std::string table;
  int64_t size_bytes = 0;
  int64_t retired_ms = 0;  // catalog clock time of the swap
};

// What compaction did to a table, over its whole life (persisted in the catalog).
struct CompactionStats {
  int64_t compactions = 0;  // ReplaceFiles transactions
  int64_t files_in = 0;     // files replaced
  int64_t files_out = 0;    // files that replaced them
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
  int64_t retired_pending = 0;  // retired files of the table not yet deleted
};

struct CatalogOptions {
  // Source of created/updated/committed times; nullptr = SystemClock::Default(). Borrowed: must
  // outlive the Catalog.
  const Clock* clock = nullptr;
  // How long a statement waits for another connection's (or process's) write lock before failing
  // with a retryable kUnavailable.
  int busy_timeout_ms = 10000;
  // false: NotFound instead of creating a missing catalog file (tools that only inspect).
  bool create_if_missing = true;
};

class Catalog {
 public:
  // Opens (creating if needed) the SQLite catalog at `path`. The parent directory must exist.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path,
                                               const CatalogOptions& options);
  virtual ~Catalog() = default;

  // Creates the table, or checks an existing one has the same database/location/partition keys
  // (FailedPrecondition otherwise). A different format replaces the stored one: it is the
  // format of new files, and a table's files may mix formats (each file's extension says which).
  virtual Status EnsureTable(const TableDef& def) = 0;
  virtual Result<TableDef> GetTable(std::string_view name) const = 0;
  virtual Result<std::vector<TableDef>> ListTables() const = 0;

  // One transaction: widen the table's columns with `observed` (new columns appended, conflicting
  // types widened, schema_version bumped on change), register `files` and their partitions, and
  // write `checkpoint`. Fails without changing anything if any file path is already registered
  // (kAlreadyExists). Each file's partition keys must equal the table's partition keys, in order.
  // DataFile::committed_ms is ignored on input: the catalog stamps its own clock's time. An empty
  // checkpoint.key commits files without touching any checkpoint (e.g. the crawler).
  virtual Status CommitFiles(std::string_view table, const std::vector<Column>& observed,
                             const std::vector<DataFile>& files,
                             const CheckpointUpdate& checkpoint) = 0;

  // All files of `table` in commit order (oldest first).
  virtual Result<std::vector<DataFile>> ListFiles(std::string_view table) const = 0;
  virtual Result<bool> IsFileRegistered(std::string_view path) const = 0;
  virtual Result<std::optional<std::string>> GetCheckpoint(std::string_view key) const = 0;
  virtual Status PutCheckpoint(std::string_view key, std::string_view value) = 0;
  virtual Result<TableStats> GetTableStats(std::string_view table) const = 0;

  // Added with schema history; the defaults (Unimplemented) keep read-only fakes compiling.
  //
  // Every schema version of `table`, oldest first. A catalog upgraded from before versions were
  // recorded starts with the version it had at the upgrade (note says so).
  virtual Result<std::vector<SchemaVersion>> ListSchemaVersions(std::string_view table) const;
  // The table's partitions (sorted by their Hive spec) with per-partition file totals.
  virtual Result<std::vector<PartitionInfo>> ListPartitions(std::string_view table) const;
  // Sets (inserts or overwrites) the given parameters; an empty value removes the key. Does not
  // change the schema version.
  virtual Status SetTableParameters(std::string_view table,
                                    const std::map<std::string, std::string>& parameters);

  // Compaction's swap, one transaction: the current files `old_paths` of `table` stop being part
  // of it, `new_files` (holding exactly the same rows) become part of it, and the old paths go to
  // the retired list (stamped with the catalog's clock) to be deleted once no reader can still
  // use them. A query builds its file list from one catalog snapshot, so it sees either the old
  // set or the new one, never both or neither. Errors, with nothing changed:
  //   kAborted           an old path is not a current file of `table` (another compactor already
  //                      replaced it): so rows are never counted twice;
  //   kAlreadyExists     a new path is already registered;
  //   kInvalidArgument   no old paths, a repeated old path, new files whose row counts do not
  //                      add up to the old ones, or partition keys not the table's.
  // Wrappers that do not override the compaction methods return kUnimplemented.
  virtual Status ReplaceFiles(std::string_view table, const std::vector<std::string>& old_paths,
                              const std::vector<DataFile>& new_files);
  // Retired files of every table, oldest first.
  virtual Result<std::vector<RetiredFile>> ListRetiredFiles() const;
  // Drops paths from the retired list (after the files were deleted). Unknown paths are ignored.
  virtual Status ForgetRetiredFiles(const std::vector<std::string>& paths);
  virtual Result<CompactionStats> GetCompactionStats(std::string_view table) const;
};

}  // namespace tributary::catalog
