// SqliteCatalog's compaction API: ReplaceFiles (the one-transaction file swap), the retired-files
// list and the compaction log. See catalog.h and docs/compaction.md.
#include <set>
#include <string>
#include <unordered_map>

#include "catalog/partition_spec.h"
#include "catalog/sqlite_catalog.h"

namespace tributary::catalog {

Status Catalog::ReplaceFiles(std::string_view, const std::vector<std::string>&,
                             const std::vector<DataFile>&) {
  return Status::Unimplemented("this catalog does not support compaction (ReplaceFiles)");
}
Result<std::vector<RetiredFile>> Catalog::ListRetiredFiles() const {
  return Status::Unimplemented("this catalog does not support compaction (ListRetiredFiles)");
}
Status Catalog::ForgetRetiredFiles(const std::vector<std::string>&) {
  return Status::Unimplemented("this catalog does not support compaction (ForgetRetiredFiles)");
}
Result<CompactionStats> Catalog::GetCompactionStats(std::string_view) const {
  return Status::Unimplemented("this catalog does not support compaction (GetCompactionStats)");
}

Status SqliteCatalog::ReplaceFiles(std::string_view table_name,
                                   const std::vector<std::string>& old_paths,
                                   const std::vector<DataFile>& new_files) {
  if (old_paths.empty()) return Status::InvalidArgument("ReplaceFiles: no files to replace");
  if (std::set<std::string>(old_paths.begin(), old_paths.end()).size() != old_paths.size()) {
    return Status::InvalidArgument("ReplaceFiles: a file to replace is listed twice");
  }
  int64_t new_rows = 0;
  int64_t bytes_out = 0;
  for (const DataFile& file : new_files) {
    TRIB_RETURN_IF_ERROR(ValidateFilePath(file.path));
    if (file.row_count < 0 || file.size_bytes < 0) {
      return Status::InvalidArgument("data file '" + file.path +
                                     "': row_count and size_bytes must not be negative");
    }
    new_rows += file.row_count;
    bytes_out += file.size_bytes;
  }

  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_ms = clock_->NowMillis();
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kImmediate));
  TRIB_ASSIGN_OR_RETURN(StoredTable table, GetTableLocked(table_name));

  int64_t old_rows = 0;
  int64_t bytes_in = 0;
  {
    TRIB_ASSIGN_OR_RETURN(auto find, db_->Prepare("SELECT id, row_count, size_bytes FROM data_files "
                                                  "WHERE path = ? AND table_id = ?"));
    TRIB_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM data_files WHERE id = ?"));
    TRIB_ASSIGN_OR_RETURN(auto retire,
                          db_->Prepare("INSERT INTO retired_files(path, table_name, size_bytes, "
                                       "retired_ms) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO NOTHING"));
    for (const std::string& path : old_paths) {
      TRIB_RETURN_IF_ERROR(find->BindAll(path, table.id));
      TRIB_ASSIGN_OR_RETURN(bool row, find->Step());
      if (!row) {
        return Status::Aborted("data file '" + path + "' is no longer a current file of table '" +
                               table.def.name + "' (replaced by a concurrent compaction?)");
      }
      const int64_t id = find->ColumnInt64(0);
      const int64_t size = find->ColumnInt64(2);
      old_rows += find->ColumnInt64(1);
      bytes_in += size;
      find->Reset();
      TRIB_RETURN_IF_ERROR(remove->BindInt64(1, id));
      TRIB_RETURN_IF_ERROR(remove->Run());
      remove->Reset();
      TRIB_RETURN_IF_ERROR(retire->BindAll(path, table.def.name, size, now_ms));
      TRIB_RETURN_IF_ERROR(retire->Run());
      retire->Reset();
    }
  }
  if (old_rows != new_rows) {
    return Status::InvalidArgument("ReplaceFiles on table '" + table.def.name + "': the new files hold " +
                                   std::to_string(new_rows) + " rows but the replaced ones hold " +
                                   std::to_string(old_rows));
  }

  std::unordered_map<std::string, int64_t> partition_ids;
  for (const DataFile& file : new_files) {
    bool keys_match = file.partition_values.size() == table.def.partition_keys.size();
    for (size_t i = 0; keys_match && i < file.partition_values.size(); ++i) {
      keys_match = file.partition_values[i].first == table.def.partition_keys[i];
    }
    if (!keys_match) {
      return Status::InvalidArgument("data file '" + file.path + "' does not have the partition keys of table '" +
                                     table.def.name + "'");
    }
    std::optional<int64_t> partition_id;
    if (!file.partition_values.empty()) {
      std::string spec = FormatPartitionSpec(file.partition_values);
      auto it = partition_ids.find(spec);
      if (it == partition_ids.end()) {
        TRIB_ASSIGN_OR_RETURN(int64_t id, PartitionIdLocked(table, spec, now_ms));
        it = partition_ids.emplace(std::move(spec), id).first;
      }
      partition_id = it->second;
    }
    TRIB_RETURN_IF_ERROR(InsertFileLocked(table, file, partition_id, now_ms));
  }
  {
    TRIB_ASSIGN_OR_RETURN(auto log, db_->Prepare("INSERT INTO compactions(table_id, files_in, files_out, "
                                                 "bytes_in, bytes_out, rows, committed_ms) "
                                                 "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    TRIB_RETURN_IF_ERROR(log->BindAll(table.id, static_cast<int64_t>(old_paths.size()),
                                      static_cast<int64_t>(new_files.size()), bytes_in, bytes_out, old_rows,
                                      now_ms));
    TRIB_RETURN_IF_ERROR(log->Run());
  }
  return txn.Commit();
}

Result<std::vector<RetiredFile>> SqliteCatalog::ListRetiredFiles() const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT path, table_name, size_bytes, retired_ms "
                                                "FROM retired_files ORDER BY retired_ms, path"));
  std::vector<RetiredFile> out;
  for (;;) {
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    RetiredFile f;
    f.path = stmt->ColumnText(0);
    f.table = stmt->ColumnText(1);
    f.size_bytes = stmt->ColumnInt64(2);
    f.retired_ms = stmt->ColumnInt64(3);
    out.push_back(std::move(f));
  }
  return out;
}

Status SqliteCatalog::ForgetRetiredFiles(const std::vector<std::string>& paths) {
  if (paths.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kImmediate));
  TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("DELETE FROM retired_files WHERE path = ?"));
  for (const std::string& path : paths) {
    TRIB_RETURN_IF_ERROR(stmt->BindText(1, path));
    TRIB_RETURN_IF_ERROR(stmt->Run());
    stmt->Reset();
  }
  return txn.Commit();
}

Result<CompactionStats> SqliteCatalog::GetCompactionStats(std::string_view table) const {
  std::lock_guard<std::mutex> lock(mu_);
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kDeferred));
  TRIB_ASSIGN_OR_RETURN(int64_t table_id, TableIdLocked(table));
  CompactionStats stats;
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT COUNT(*), COALESCE(SUM(files_in), 0), "
                                                  "COALESCE(SUM(files_out), 0), COALESCE(SUM(bytes_in), 0), "
                                                  "COALESCE(SUM(bytes_out), 0) FROM compactions "
                                                  "WHERE table_id = ?"));
    TRIB_RETURN_IF_ERROR(stmt->BindInt64(1, table_id));
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) {
      stats.compactions = stmt->ColumnInt64(0);
      stats.files_in = stmt->ColumnInt64(1);
      stats.files_out = stmt->ColumnInt64(2);
      stats.bytes_in = stmt->ColumnInt64(3);
      stats.bytes_out = stmt->ColumnInt64(4);
    }
  }
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT COUNT(*) FROM retired_files WHERE table_name = ?"));
    TRIB_RETURN_IF_ERROR(stmt->BindText(1, table));
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) stats.retired_pending = stmt->ColumnInt64(0);
  }
  TRIB_RETURN_IF_ERROR(txn.Commit());
  return stats;
}

}  // namespace tributary::catalog
