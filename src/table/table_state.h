// Internal to the table engine: per-table and per-shard in-memory state, RocksDB key names for
// metadata, and the counters merge operator. Not part of the public API.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rocksdb/merge_operator.h>
#include <rocksdb/status.h>

#include "core/status.h"

#include "table/table_metadata.h"

namespace tributary::table {

struct ShardState {
  // Constant after construction.
  std::string id;
  uint32_t index = 0;
  // Held across sequence assignment and the batch commit.
  std::mutex mu;
  uint64_t last_counter = 0;     // newest record ever written (0 = none); guarded by mu
  uint64_t trimmed_through = 0;  // newest record trimmed away (0 = none); guarded by mu
};

struct TableState {
  // `meta`'s indexes, billing, TTL and tags change only under alive_mu held exclusively
  // (TableEngine::MutateTable / UpdateTable); the rest is constant after construction.
  TableMeta meta;
  std::string arn;
  std::string stream_label;  // "" without a stream
  std::string stream_arn;
  std::string key_prefix;    // TablePrefix(meta.table_id)
  std::string counters_key;  // CountersKey(meta.table_id)
  std::vector<std::unique_ptr<ShardState>> shards;  // empty without a stream
  std::unordered_map<std::string, uint32_t> shard_index;

  // Writers hold it shared; DeleteTable exclusive, then sets `deleted`.
  std::shared_mutex alive_mu;
  bool deleted = false;  // guarded by alive_mu

  bool has_stream() const { return !shards.empty(); }
  bool has_indexes() const { return !meta.index_ids.empty(); }
  const ShardState* FindShard(std::string_view id) const {
    auto it = shard_index.find(std::string(id));
    return it == shard_index.end() ? nullptr : shards[it->second].get();
  }
};

struct WriteResult;

// A stream record waiting for its sequence number (see TableEngine::Commit).
struct PendingRecord {
  uint32_t shard = 0;
  std::string value;             // EncodeStreamRecord output, event id still zero
  WriteResult* result = nullptr;  // receives shard id and sequence number
};

// Metadata keys in the default column family.
std::string TableMetaKey(std::string_view name);
inline constexpr std::string_view kTableMetaPrefix = "table/";
inline constexpr std::string_view kNextTableIdKey = "next_table_id";
inline constexpr std::string_view kSeqFloorKey = "seq_floor";
std::string CountersKey(uint32_t table_id);
std::string TrimKey(uint32_t table_id, uint32_t shard);

// Counters value: item count and total item bytes as two int64 (16 bytes, little-endian);
// merge operands are deltas and are summed.
std::string EncodeCounters(int64_t count, int64_t bytes);
void DecodeCounters(std::string_view value, int64_t* count, int64_t* bytes);
std::shared_ptr<rocksdb::MergeOperator> NewCountersMergeOperator();

// RocksDB status -> Status (IO errors are kUnavailable, corruption kDataLoss).
Status FromRocks(const rocksdb::Status& s, std::string_view context);

}  // namespace tributary::table
