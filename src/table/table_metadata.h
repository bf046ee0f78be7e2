// Table definitions: what a caller asks for (TableSpec, with its secondary indexes), what
// DescribeTable returns (TableDescription), and what the engine persists (TableMeta), with
// DynamoDB's validation of table names, key schemas and index definitions.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/change_record.h"
#include "core/status.h"

namespace tributary::table {

inline constexpr int kMaxStreamShards = 256;  // shard ids encode the index in one byte
inline constexpr size_t kMaxGlobalIndexes = 20;
inline constexpr size_t kMaxLocalIndexes = 5;
inline constexpr size_t kMaxProjectedNonKeyAttributes = 100;

// A key attribute: its name and scalar type (S, N or B).
struct KeyAttribute {
  std::string name;
  AttributeType type = AttributeType::kS;
  friend bool operator==(const KeyAttribute&, const KeyAttribute&) = default;
};

enum class ProjectionType : uint8_t { kAll, kKeysOnly, kInclude };
std::string_view ProjectionTypeName(ProjectionType type);  // "ALL" | "KEYS_ONLY" | "INCLUDE"

enum class BillingMode : uint8_t { kProvisioned, kPayPerRequest };
std::string_view BillingModeName(BillingMode mode);  // "PROVISIONED" | "PAY_PER_REQUEST"

struct Throughput {
  int64_t read = 0;
  int64_t write = 0;
  friend bool operator==(const Throughput&, const Throughput&) = default;
};

// A global (local = false) or local secondary index. An item is in the index exactly when it has
// every index key attribute (sparse indexes); the entry holds the projection of the item.
struct IndexSpec {
  std::string name;
  bool local = false;
  KeyAttribute hash_key;  // an LSI's hash key is the table's
  std::optional<KeyAttribute> range_key;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude only
  Throughput throughput;                        // GSI under PROVISIONED billing
  friend bool operator==(const IndexSpec&, const IndexSpec&) = default;
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
  std::vector<IndexSpec> indexes;  // GSIs and LSIs, in definition order
  BillingMode billing_mode = BillingMode::kPayPerRequest;
  Throughput throughput;  // PROVISIONED only
  // AttributeDefinitions as given (DescribeTable echoes them); empty = derived from the keys.
  std::vector<KeyAttribute> attribute_definitions;
  friend bool operator==(const TableSpec&, const TableSpec&) = default;

  const IndexSpec* FindIndex(std::string_view index_name) const {
    for (const auto& i : indexes) {
      if (i.name == index_name) return &i;
    }
    return nullptr;
  }
};

struct IndexDescription {
  IndexSpec spec;
  std::string arn;               // <table arn>/index/<name>
  std::string status = "ACTIVE";  // "CREATING" in UpdateTable's response while it backfills
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

struct TimeToLive {
  std::string attribute;  // "" = never set
  bool enabled = false;
  friend bool operator==(const TimeToLive&, const TimeToLive&) = default;
};

struct TableDescription {
  std::string name;
  std::string arn;                   // arn:aws:dynamodb:<region>:<account>:table/<name>
  std::string table_id;              // UUID form, stable for the table's life
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
  BillingMode billing_mode = BillingMode::kPayPerRequest;
  Throughput throughput;
  std::vector<KeyAttribute> attribute_definitions;  // never empty
  std::vector<IndexDescription> indexes;
  TimeToLive ttl;
};

// What the engine stores per table under its name.
struct TableMeta {
  uint32_t table_id = 0;  // unique for the life of the data directory; prefixes all its keys
  TableSpec spec;
  int64_t creation_time_ms = 0;
  std::vector<std::string> shard_ids;  // spec.stream_shard_count ids when the stream is on
  // Parallel to spec.indexes: each index's storage id, from the same counter as table ids.
  std::vector<uint32_t> index_ids;
  TimeToLive ttl;
  std::map<std::string, std::string> tags;
};

// DynamoDB's CreateTable validation (name, key schema, indexes) plus the shard count range.
Status ValidateTableSpec(const TableSpec& spec);
// One index against its table (key names, types, projection); `spec` is the table's.
Status ValidateIndexSpec(const TableSpec& spec, const IndexSpec& index);
// ValidationException text for a bad TableName (shared with the other operations).
Status ValidateTableName(std::string_view name);
// The same rules for any name (`field` names it in the message, e.g. "indexName").
Status ValidateName(std::string_view name, std::string_view field);
// The AttributeDefinitions DescribeTable reports: the given ones, or the key attributes.
std::vector<KeyAttribute> EffectiveAttributeDefinitions(const TableSpec& spec);

std::string EncodeTableMeta(const TableMeta& meta);
Result<TableMeta> DecodeTableMeta(std::string_view data);

std::string TableArn(std::string_view region, std::string_view account_id, std::string_view table);
// "shardId-<20 digits of creation ms>-<8 hex>", 37 characters.
std::string MakeShardId(int64_t creation_time_ms, uint32_t table_id, int index);
// A UUID-shaped TableId derived from the table id and creation time.
std::string MakeTableUuid(uint32_t table_id, int64_t creation_time_ms);

}  // namespace tributary::table
