// SqliteCatalog::CommitFiles: the delivery commit. Schema widening, partitions, data files and the
// checkpoint are written in one BEGIN IMMEDIATE transaction; any error rolls all of it back.
#include <string>
#include <unordered_map>

#include "catalog/partition_spec.h"
#include "catalog/sqlite_catalog.h"

namespace tributary::catalog {

Result<std::vector<ColumnChange>> SqliteCatalog::MergeColumnsLocked(
    StoredTable& table, const std::vector<Column>& observed) {
  std::unordered_map<std::string_view, size_t> index;  // name -> position in table.def.columns
  for (size_t i = 0; i < table.def.columns.size(); ++i) index[table.def.columns[i].name] = i;
  // Decide first, then write, so `index` never points into a reallocated vector's names.
  std::vector<ColumnChange> added;
  std::vector<std::pair<size_t, ColumnChange>> widened;  // position -> change
  for (const Column& column : observed) {
    if (column.name.empty()) {
      return Status::InvalidArgument("table '" + table.def.name +
                                     "': observed column with an empty name");
    }
    auto it = index.find(column.name);
    if (it == index.end()) {
      // A name repeated within `added` is widened there.
      bool merged = false;
      for (ColumnChange& a : added) {
        if (a.column == column.name) {
          a.type = WidenColumnType(a.type, column.type);
          a.observed_type = a.type;
          merged = true;
        }
      }
      if (!merged) {
        ColumnChange change;
        change.kind = ColumnChange::Kind::kAdded;
        change.column = column.name;
        change.type = column.type;
        change.observed_type = column.type;
        added.push_back(std::move(change));
      }
      continue;
    }
    const size_t pos = it->second;
    ColumnChange* pending = nullptr;
    for (auto& [p, change] : widened) {
      if (p == pos) pending = &change;
    }
    ColumnType have = pending != nullptr ? pending->type : table.def.columns[pos].type;
    ColumnType wide = WidenColumnType(have, column.type);
    if (wide == have) continue;
    if (pending != nullptr) {
      pending->type = wide;
      pending->observed_type = column.type;
      continue;
    }
    ColumnChange change;
    change.kind = ColumnChange::Kind::kWidened;
    change.column = column.name;
    change.type = wide;
    change.previous_type = have;
    change.observed_type = column.type;
    widened.emplace_back(pos, std::move(change));
  }
  std::vector<ColumnChange> changes;
  if (added.empty() && widened.empty()) return changes;

  if (!widened.empty()) {
    TRIB_ASSIGN_OR_RETURN(
        auto stmt, db_->Prepare("UPDATE columns SET type = ? WHERE table_id = ? AND position = ?"));
    for (auto& [pos, change] : widened) {
      TRIB_RETURN_IF_ERROR(
          stmt->BindAll(ColumnTypeName(change.type), table.id, static_cast<int64_t>(pos)));
      TRIB_RETURN_IF_ERROR(stmt->Run());
      stmt->Reset();
      table.def.columns[pos].type = change.type;
      changes.push_back(std::move(change));
    }
  }
  if (!added.empty()) {
    TRIB_ASSIGN_OR_RETURN(
        auto stmt,
        db_->Prepare("INSERT INTO columns(table_id, position, name, type) VALUES (?, ?, ?, ?)"));
    for (ColumnChange& change : added) {
      TRIB_RETURN_IF_ERROR(stmt->BindAll(table.id, static_cast<int64_t>(table.def.columns.size()),
                                         change.column, ColumnTypeName(change.type)));
      TRIB_RETURN_IF_ERROR(stmt->Run());
      stmt->Reset();
      table.def.columns.push_back(Column{change.column, change.type});
      changes.push_back(std::move(change));
    }
  }
  return changes;
}

Status SqliteCatalog::BumpSchemaVersionLocked(StoredTable& table,
                                              const std::vector<ColumnChange>& changes,
                                              std::string_view note, int64_t now_ms) {
  TRIB_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("UPDATE tables SET schema_version = schema_version + 1, "
                                     "updated_ms = ? WHERE id = ?"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(now_ms, table.id));
  TRIB_RETURN_IF_ERROR(stmt->Run());
  table.def.schema_version += 1;
  table.def.updated_ms = now_ms;
  return RecordSchemaVersionLocked(table, changes, note, now_ms);
}

Status SqliteCatalog::RecordSchemaVersionLocked(const StoredTable& table,
                                                const std::vector<ColumnChange>& changes,
                                                std::string_view note, int64_t now_ms) {
  {
    TRIB_ASSIGN_OR_RETURN(auto stmt,
                          db_->Prepare("INSERT INTO schema_versions(table_id, version, "
                                       "created_ms, note) VALUES (?, ?, ?, ?)"));
    TRIB_RETURN_IF_ERROR(stmt->BindAll(table.id, table.def.schema_version, now_ms, note));
    TRIB_RETURN_IF_ERROR(stmt->Run());
  }
  std::unordered_map<std::string_view, const ColumnChange*> by_name;
  for (const ColumnChange& change : changes) by_name[change.column] = &change;
  TRIB_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("INSERT INTO schema_version_columns(table_id, version, position, name, type, "
                   "change, previous_type, observed_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  for (size_t pos = 0; pos < table.def.columns.size(); ++pos) {
    const Column& column = table.def.columns[pos];
    TRIB_RETURN_IF_ERROR(stmt->BindAll(table.id, table.def.schema_version,
                                       static_cast<int64_t>(pos), column.name,
                                       ColumnTypeName(column.type)));
    auto it = by_name.find(column.name);
    if (it == by_name.end()) {
      TRIB_RETURN_IF_ERROR(stmt->BindNull(6));
      TRIB_RETURN_IF_ERROR(stmt->BindNull(7));
      TRIB_RETURN_IF_ERROR(stmt->BindNull(8));
    } else {
      const ColumnChange& change = *it->second;
      const bool added = change.kind == ColumnChange::Kind::kAdded;
      TRIB_RETURN_IF_ERROR(stmt->BindText(6, added ? "added" : "widened"));
      if (added) {
        TRIB_RETURN_IF_ERROR(stmt->BindNull(7));
      } else {
        TRIB_RETURN_IF_ERROR(stmt->BindText(7, ColumnTypeName(change.previous_type)));
      }
      TRIB_RETURN_IF_ERROR(stmt->BindText(8, ColumnTypeName(change.observed_type)));
    }
    TRIB_RETURN_IF_ERROR(stmt->Run());
    stmt->Reset();
  }
  return Status::Ok();
}

Result<int64_t> SqliteCatalog::PartitionIdLocked(const StoredTable& table, const std::string& spec,
                                                 int64_t now_ms) {
  {
    TRIB_ASSIGN_OR_RETURN(
        auto stmt,
        db_->Prepare("SELECT id FROM partitions WHERE table_id = ? AND partition_values = ?"));
    TRIB_RETURN_IF_ERROR(stmt->BindAll(table.id, spec));
    TRIB_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) return stmt->ColumnInt64(0);
  }
  TRIB_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("INSERT INTO partitions(table_id, partition_values, location, "
                                     "created_ms) VALUES (?, ?, ?, ?)"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(table.id, spec, table.def.location + "/" + spec, now_ms));
  TRIB_RETURN_IF_ERROR(stmt->Run());
  return db_->LastInsertRowId();
}

Status SqliteCatalog::InsertFileLocked(const StoredTable& table, const DataFile& file,
                                       std::optional<int64_t> partition_id, int64_t now_ms) {
  TRIB_ASSIGN_OR_RETURN(
      auto stmt,
      db_->Prepare("INSERT INTO data_files(path, table_id, partition_id, row_count, size_bytes, "
                   "min_event_ms, max_event_ms, source, first_sequence, last_sequence, "
                   "committed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  TRIB_RETURN_IF_ERROR(stmt->BindAll(file.path, table.id));
  if (partition_id) {
    TRIB_RETURN_IF_ERROR(stmt->BindInt64(3, *partition_id));
  } else {
    TRIB_RETURN_IF_ERROR(stmt->BindNull(3));
  }
  TRIB_RETURN_IF_ERROR(stmt->BindInt64(4, file.row_count));
  TRIB_RETURN_IF_ERROR(stmt->BindInt64(5, file.size_bytes));
  TRIB_RETURN_IF_ERROR(stmt->BindInt64(6, file.min_event_ms));
  TRIB_RETURN_IF_ERROR(stmt->BindInt64(7, file.max_event_ms));
  TRIB_RETURN_IF_ERROR(stmt->BindText(8, file.source));
  TRIB_RETURN_IF_ERROR(stmt->BindText(9, file.first_sequence));
  TRIB_RETURN_IF_ERROR(stmt->BindText(10, file.last_sequence));
  TRIB_RETURN_IF_ERROR(stmt->BindInt64(11, now_ms));
  Status s = stmt->Run();
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("data file '" + file.path +
                                 "' is already registered in the catalog");
  }
  return s;
}

Status SqliteCatalog::CommitFiles(std::string_view table_name, const std::vector<Column>& observed,
                                  const std::vector<DataFile>& files,
                                  const CheckpointUpdate& checkpoint) {
  for (const DataFile& file : files) {
    TRIB_RETURN_IF_ERROR(ValidateFilePath(file.path));
    if (file.row_count < 0 || file.size_bytes < 0) {
      return Status::InvalidArgument("data file '" + file.path +
                                     "': row_count and size_bytes must not be negative");
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_ms = clock_->NowMillis();
  TRIB_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db_, Transaction::Mode::kImmediate));
  TRIB_ASSIGN_OR_RETURN(StoredTable table, GetTableLocked(table_name));

  TRIB_ASSIGN_OR_RETURN(std::vector<ColumnChange> changes, MergeColumnsLocked(table, observed));
  if (!changes.empty()) {
    const std::string note = "commit of " + std::to_string(files.size()) +
                             (files.size() == 1 ? " file" : " files") +
                             (files.empty() ? "" : " (first: " + files.front().path + ")");
    TRIB_RETURN_IF_ERROR(BumpSchemaVersionLocked(table, changes, note, now_ms));
  }

  std::unordered_map<std::string, int64_t> partition_ids;  // spec -> id, within this commit
  for (const DataFile& file : files) {
    bool keys_match = file.partition_values.size() == table.def.partition_keys.size();
    for (size_t i = 0; keys_match && i < file.partition_values.size(); ++i) {
      keys_match = file.partition_values[i].first == table.def.partition_keys[i];
    }
    if (!keys_match) {
      std::string got;
      for (const auto& [key, value] : file.partition_values) got += (got.empty() ? "" : ", ") + key;
      std::string want;
      for (const auto& key : table.def.partition_keys) want += (want.empty() ? "" : ", ") + key;
      return Status::InvalidArgument("data file '" + file.path + "' has partition keys [" + got +
                                     "] but table '" + table.def.name + "' is partitioned by [" +
                                     want + "]");
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

  if (!checkpoint.key.empty()) {
    TRIB_RETURN_IF_ERROR(PutCheckpointLocked(checkpoint.key, checkpoint.value, now_ms));
  }
  return txn.Commit();
}

}  // namespace tributary::catalog
