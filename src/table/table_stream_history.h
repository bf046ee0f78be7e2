// Internal to the table engine: the persisted history of a table's streams (see
// table_stream_admin.h for the model), its encoding, and how a shard maps onto a storage slot.
//
// Key "streams/" + table_id (4 bytes BE) in the default column family. Value: version 1, stream
// count, then per stream: creation ms, view type, disabled ms (0 = enabled), shard count, then
// per shard: id, slot, parent id, start_after, end, closed flag, closed ms (varints,
// length-prefixed text). Version 1 had no closed ms.
//
// Thread-safety: values and pure functions; LoadStreamHistory reads the DB (thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_record.h"
#include "core/status.h"
#include "table/table_stream_admin.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
}  // namespace rocksdb

namespace tributary::table {

struct TableState;

// One shard: the records of storage slot `slot` with counters in (start_after, end].
struct ShardGeneration {
  std::string id;
  uint32_t slot = 0;
  std::string parent;        // "" = none
  uint64_t start_after = 0;  // every record of the shard has a larger counter
  uint64_t end = 0;          // newest counter of the shard once closed
  bool closed = false;
  int64_t closed_ms = 0;  // when it was closed (0: open, or unknown)
  bool Contains(uint64_t counter) const { return counter > start_after && (!closed || counter <= end); }
};

struct StreamGeneration {
  int64_t creation_ms = 0;  // the label is FormatIsoMillis(creation_ms)
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  int64_t disabled_ms = 0;  // 0 = enabled
  std::vector<ShardGeneration> shards;
  bool enabled() const { return disabled_ms == 0; }
  const ShardGeneration* FindShard(std::string_view id) const {
    for (const auto& s : shards) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }
};

struct StreamHistory {
  std::vector<StreamGeneration> streams;  // oldest first; only the last may be enabled
  const StreamGeneration* enabled() const {
    return !streams.empty() && streams.back().enabled() ? &streams.back() : nullptr;
  }
};

std::string StreamHistoryKey(uint32_t table_id);
std::string EncodeStreamHistory(const StreamHistory& history);
Result<StreamHistory> DecodeStreamHistory(std::string_view data);

// The persisted history, or nullopt when the table never used the lifecycle.
Result<std::optional<StreamHistory>> LoadStreamHistory(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf,
                                                       uint32_t table_id, const rocksdb::Snapshot* snapshot = nullptr);

// The history a table has without a persisted one: its CreateTable stream, if any (created with
// the table, shards on slots 0..n-1 from the start of the counter).
StreamHistory ImpliedStreamHistory(const TableState& t);

// The persisted history if there is one, else the implied one.
Result<StreamHistory> CurrentStreamHistory(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf,
                                           const TableState& t, const rocksdb::Snapshot* snapshot = nullptr);

// Reads shard `g` (of a history read at `snapshot`) at `snapshot`: records in the shard's
// counter range after `from`, at most max_records. OutOfRange when records after `from` were
// trimmed (the slot's persisted trim horizon is read at the same snapshot).
Result<ShardReadResult> ReadShardRecords(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf,
                                         rocksdb::ColumnFamilyHandle* streams_cf, uint32_t table_id,
                                         const ShardGeneration& g, const rocksdb::Snapshot* snapshot,
                                         ShardPosition from, int max_records, std::string_view region);

// The slot's persisted trim horizon (0 = never trimmed) and newest counter in (lo, hi], or lo.
Result<uint64_t> SlotTrimHorizon(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf, uint32_t table_id,
                                 uint32_t slot, const rocksdb::Snapshot* snapshot);
Result<uint64_t> SlotNewestCounter(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* streams_cf, uint32_t table_id,
                                   uint32_t slot, uint64_t lo, uint64_t hi, const rocksdb::Snapshot* snapshot);

// RAII snapshot.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(rocksdb::DB* db);
  ~ScopedSnapshot();
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace tributary::table
