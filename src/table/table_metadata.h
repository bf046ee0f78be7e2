// Table definitions: what a caller asks for (TableSpec), what DescribeTable returns
// (TableDescription), and what the engine persists (TableMeta), with DynamoDB's validation of
// table names and key schemas.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/change_record.h"
#include "core/status.h"

namespace tributary::table {

inline constexpr int kMaxStreamShards = 256;  // shard ids encode the index in one byte

// A key attribute: its name and scalar type (S, N or B).
struct KeyAttribute {
  std::string name;
  AttributeType type = AttributeType::kS;
  friend bool operator==(const KeyAttribute&, const KeyAttribute&) = default;
};

struct TableSpec {
  std::string name;
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  // nullopt: no stream. Otherwise StreamSpecification{StreamEnabled: true, StreamViewType}.
  std::optional<StreamViewType> stream_view_type;
  // Shards of the table's stream (1..kMaxStreamShards). An item's records always go to the shard
  // chosen by a hash of its partition key.
  int stream_shard_count = 1;
  friend bool operator==(const TableSpec&, const TableSpec&) = default;
};

struct TableDescription {
  std::string name;
  std::string arn;                   // arn:aws:dynamodb:<region>:<account>:table/<name>
  std::string status = "ACTIVE";     // DeleteTable returns "DELETING"
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  int64_t creation_time_ms = 0;
  int64_t item_count = 0;            // exact, maintained transactionally
  int64_t size_bytes = 0;            // sum of ItemSizeBytes
  std::optional<StreamViewType> stream_view_type;
  std::string latest_stream_label;   // FormatIsoMillis(creation), "" without a stream
  std::string latest_stream_arn;     // <arn>/stream/<label>, "" without a stream
  std::vector<std::string> shard_ids;
};

// What the engine stores per table under its name.
struct TableMeta {
  uint32_t table_id = 0;  // unique for the life of the data directory; prefixes all its keys
  TableSpec spec;
  int64_t creation_time_ms = 0;
  std::vector<std::string> shard_ids;  // spec.stream_shard_count ids when the stream is on
};

// DynamoDB's CreateTable validation (name, key schema) plus the shard count range.
Status ValidateTableSpec(const TableSpec& spec);
// ValidationException text for a bad TableName (shared with the other operations).
Status ValidateTableName(std::string_view name);

std::string EncodeTableMeta(const TableMeta& meta);
Result<TableMeta> DecodeTableMeta(std::string_view data);

std::string TableArn(std::string_view region, std::string_view account_id, std::string_view table);
// "shardId-<20 digits of creation ms>-<8 hex>", 37 characters.
std::string MakeShardId(int64_t creation_time_ms, uint32_t table_id, int index);

}  // namespace tributary::table
