// Stream lifecycle and the DynamoDB Streams view of a table's streams: enable / disable (what
// UpdateTable's StreamSpecification does), the list of a table's streams (the enabled one and
// disabled ones still inside retention), their shards with lineage and sequence-number ranges,
// and reads of any shard, open or closed.
//
// Model. A table has at most one ENABLED stream and any number of DISABLED ones. A stream has
// shards; every shard lives on a storage "slot" (0..shard count-1) of the table's stream column
// family, and a slot holds the records of successive shards (one per stream generation), told
// apart by sequence number: sequence numbers come from one engine-wide counter, so a shard is
// the slot's records in (start_after, end] (end open while the shard is open). Disabling a
// stream closes its shards (end = the slot's newest record; no more records) and they stay
// readable until retention trims them; the stream is listed (DISABLED) until retention passes
// after it was disabled. Enabling creates a NEW stream (new label, ARN and shard ids).
//
// The engine's own stream reads (TableEngine::ListStreamShards / ReadStream, used by the
// embedded capture source) follow the same model: they list the enabled stream's shards AND the
// closed shards of disabled streams that may still hold records (oldest stream first), so a
// consumer drains what was written before a disable instead of losing it.
//
// Persistence: a table whose stream was never disabled/re-enabled needs nothing beyond its
// TableMeta (its stream is implied: label = FormatIsoMillis(table creation)). Once the lifecycle
// is used, "streams/<table id>" in the default column family holds the table's stream history,
// written in the same WriteBatch as the TableMeta change. Table ids are never reused.
//
// Thread-safety: all functions are thread-safe. Enable/Disable hold the table exclusively (no
// write in flight), like DeleteTable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_record.h"
#include "core/status.h"
#include "table/table_metadata.h"

namespace tributary::table {

struct StreamHistory;

class TableEngine;
struct TableState;

struct StreamShardInfo {
  std::string shard_id;
  std::string parent_shard_id;           // "" = no parent
  std::string starting_sequence_number;  // first retained record, or the first number it may hold
  std::string ending_sequence_number;    // "" while the shard is open
};

struct StreamInfo {
  std::string table_name;
  std::string stream_arn;    // <table arn>/stream/<label>
  std::string stream_label;  // FormatIsoMillis(creation_ms)
  bool enabled = false;      // StreamStatus ENABLED / DISABLED
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  int64_t creation_ms = 0;   // CreationRequestDateTime
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  std::vector<StreamShardInfo> shards;  // in creation order
};

// Where a read of a shard starts: at the trim horizon, or after a sequence counter.
struct ShardPosition {
  bool trim_horizon = true;
  uint64_t after = 0;  // when !trim_horizon
};

struct ShardReadResult {
  std::vector<ChangeRecord> records;
  // The position after the last record returned (unchanged when none).
  ShardPosition next;
  // The shard is closed and `next` is at or past its last record: nothing will ever follow.
  bool closed_and_drained = false;
};

class StreamAdmin {
 public:
  // A new stream: AlreadyExists "Table already has an enabled stream: <arn>" when one is enabled
  // (ResourceInUseException). Uses the table's spec.stream_shard_count shards.
  static Status EnableStream(TableEngine& engine, std::string_view table, StreamViewType view_type);
  // InvalidArgument "Table already has no stream" (ValidationException) when none is enabled.
  static Status DisableStream(TableEngine& engine, std::string_view table);

  // Closes the enabled stream's open shards and opens one child per shard (same slot, next
  // records) whose ParentShardId is the closed shard: the lineage DynamoDB produces when it rolls
  // shards over (about every 4 hours). Tributary does not roll over by itself: the embedded
  // capture source reads shards without following lineage, so a parent still being read could
  // interleave with its child. InvalidArgument "Table has no enabled stream" without one.
  static Status RollOverShards(TableEngine& engine, std::string_view table);

  // The table's streams still within retention, oldest first (the enabled one last).
  static Result<std::vector<StreamInfo>> ListTableStreams(const TableEngine& engine, std::string_view table);
  // NotFound when the ARN names no stream of a live table (or one past retention).
  static Result<StreamInfo> DescribeStream(const TableEngine& engine, std::string_view stream_arn);

  // Up to max_records (1..1000) records of a shard of the stream. NotFound for an unknown
  // stream or shard; OutOfRange (TrimmedDataAccessException) when records after `from` were
  // trimmed.
  static Result<ShardReadResult> ReadShard(const TableEngine& engine, std::string_view stream_arn,
                                           std::string_view shard_id, ShardPosition from, int max_records);
  // The position LATEST means for a shard: after its newest record.
  static Result<ShardPosition> LatestPosition(const TableEngine& engine, std::string_view stream_arn,
                                              std::string_view shard_id);

  // Splits "arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>"; false if malformed.
  static bool ParseStreamArn(std::string_view arn, std::string* table, std::string* label);

 private:
  // Writes the table's meta and stream history in one batch (`op` names the caller in errors).
  static Status PersistStreamChange(TableEngine& engine, const TableMeta& meta,
                                    const StreamHistory& history, const char* op);
};

}  // namespace tributary::table
