// The catalog: the single source of truth for what is in the lake. It holds tables, their typed
// columns (inferred from delivered rows, widening only), partitions, the committed data files, and
// checkpoints. Delivery's commit protocol rests on Catalog::CommitFiles: registering files and
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
std::string_view ColumnTypeName(ColumnType type);  // "string", "bigint", ... (Glue/Athena names)
Result<ColumnType> ParseColumnType(std::string_view name);
// The narrowest type that holds values of both types (bigint+double=double; anything else that
// differs = json... string stays string when the other is timestamp).
ColumnType WidenColumnType(ColumnType a, ColumnType b);

struct Column {
  std::string name;
  ColumnType type = ColumnType::kString;
  friend bool operator==(const Column&, const Column&) = default;
};

struct TableDef {
  std::string database = "default";
  std::string name;             // SQL name, e.g. p1_kinesis_firehose_destination
  std::string location;         // lake-relative folder, e.g. "p1_kinesis_firehose_destination"
  std::string format = "json";  // JSON lines
  std::vector<std::string> partition_keys;  // e.g. year, month, day, hour (string-typed)
  std::vector<Column> columns;              // data columns, in first-seen order
  int64_t schema_version = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
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

struct CatalogOptions {
  // Source of created/updated/committed times; nullptr = SystemClock::Default(). Borrowed: must
  // outlive the Catalog.
  const Clock* clock = nullptr;
  // How long a statement waits for another connection's (or process's) write lock before failing
  // with a retryable kUnavailable.
  int busy_timeout_ms = 10000;
};

class Catalog {
 public:
  // Opens (creating if needed) the SQLite catalog at `path`. The parent directory must exist.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path,
                                               const CatalogOptions& options);
  virtual ~Catalog() = default;

  // Creates the table, or checks an existing one has the same location/partition keys.
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
};

}  // namespace tributary::catalog
