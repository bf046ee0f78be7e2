// PipelineConfig: the typed form of a pipeline YAML file (docs/configuration.md is the reference
// of every key). Loading parses the YAML with yaml-cpp, converts every value to its type, applies
// defaults and validates the whole pipeline (names, ranges, cross references). Every error is
// located at the offending YAML node:
//
//   pipeline.yaml:12:14: unknown key 'shard' in table stream (did you mean 'shards'?)
//   pipeline.yaml:20:13: pipe 'P1_OrdersPipe' source 'table:Orders' names no table (known tables:
//   ...)
//
// All errors found are reported at once, one per line of the Status message (kInvalidArgument).
// Each struct keeps where it came from (`location`, plus `fields` for each key that was given)
// so later stages can point their own errors at a config line: `ConfigError(delivery.at("table"),
// "...")`. Values that were defaulted have no field location; at() falls back to the struct's.
//
// Paths (destination path, catalog path) are kept as written; relative ones are relative to the
// data directory, which the runtime resolves.
//
// Thread-safety: plain values; the functions below are thread-safe.
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

namespace tributary::config {

// Where a value came from. Lines and columns are 1-based; 0 when the value was not read from a
// file (a default, or a config built in code).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  // "file:line:column", or just the file when the line is unknown.
  std::string ToString() const;
  friend bool operator==(const Location&, const Location&) = default;
};

// InvalidArgument "<file>:<line>:<column>: <what>", the one format of every config error.
Status ConfigError(const Location& at, std::string_view what);

// The location of a YAML mapping and of each key's value in it.
struct Located {
  Location location;                                    // the mapping itself
  std::map<std::string, Location, std::less<>> fields;  // key -> its value, for keys given

  // The value of `key` if it was given, else the mapping's location.
  const Location& at(std::string_view key) const;
};

// A key attribute of a table: `{name: order_id, type: S}`.
struct KeyAttr : Located {
  std::string name;
  AttributeType type = AttributeType::kS;  // S, N or B
};

// A table's change stream (DynamoDB StreamSpecification): `{view_type: ..., shards: 2}`.
struct TableStreamConfig : Located {
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  int shards = 1;
};

struct TableConfig : Located {
  std::string name;  // DynamoDB table name: [a-zA-Z0-9_.-]{3,255}
  KeyAttr hash_key;
  std::optional<KeyAttr> range_key;
  std::optional<TableStreamConfig> stream;  // absent: the table has no change stream
};

// Where an AWS connector sends its calls (docs/aws-sources.md). Empty values fall back to the
// AWS SDK conventions (AWS_ENDPOINT_URL*, AWS_REGION, AWS_PROFILE) and then to the pipeline's
// region.
struct AwsEndpointConfig {
  std::string endpoint_url;  // "http://127.0.0.1:5000" for moto_server, Tributary's own, ...
  std::string region;
  std::string profile;
};

// A durable sharded log with Kinesis Data Streams semantics: the embedded one (default) or a
// real Kinesis stream (`type: kinesis`).
enum class StreamType : uint8_t { kEmbedded, kKinesis };
std::string_view StreamTypeName(StreamType type);  // "embedded" | "kinesis"

struct StreamConfig : Located {
  std::string name;  // Kinesis stream name: [a-zA-Z0-9_.-]{1,128}
  int shards = 1;            // kinesis: the shard count when Tributary creates the stream
  int retention_hours = 24;  // 24..8760, as Kinesis (embedded only)
  StreamType type = StreamType::kEmbedded;
  AwsEndpointConfig aws;                    // kinesis
  int64_t records_per_shard_second = 1000;  // kinesis: client-side pacing, 1..1000000
  int64_t bytes_per_shard_second = 1 << 20; // kinesis: 1 KiB..1 GiB
};

// A pipe source read through the DynamoDB Streams API (AWS, moto_server, or Tributary's own
// local endpoint): YAML `source: {type: dynamodb-streams, table: NAME | stream_arn: ARN, ...}`.
// The pipe's own `starting_position` applies (the source implements LATEST with LATEST shard
// iterators, so its Scan backfill segments are not skipped).
struct DynamoDbStreamsSourceConfig : Located {
  std::string table;       // the DynamoDB table (its latest stream); needed for backfill
  std::string stream_arn;  // or a stream ARN
  AwsEndpointConfig aws;
  bool restart_when_trimmed = false;  // on_trimmed: fail (default) | restart-at-trim-horizon
  int backfill_segments = 0;       // backfill: {segments: N}; 0 = no backfill, else 1..1000
  int64_t poll_interval_ms = 250;  // 1..60000
};

// What a pipe or delivery reads from or writes to, written "table:<name>" or "stream:<name>".
enum class ResourceKind : uint8_t { kTable, kStream };
std::string_view ResourceKindName(ResourceKind kind);  // "table" | "stream"

struct ResourceRef {
  ResourceKind kind = ResourceKind::kTable;
  std::string name;
  Location location;

  std::string ToString() const;  // "table:P1_OrdersRawTable"
};

// One EventBridge filter pattern (JSON text), e.g. {"eventName":["INSERT","MODIFY"]}.
struct FilterPattern {
  std::string json;
  Location location;
};

// Where a new pipe starts reading (Pipes' DynamoDBStreamParameters.StartingPosition).
enum class StartingPosition : uint8_t { kTrimHorizon, kLatest };
std::string_view StartingPositionName(StartingPosition p);  // "TRIM_HORIZON" | "LATEST"

// An EventBridge Pipe: table change stream -> filter -> partition key -> stream.
struct PipeConfig : Located {
  std::string name;                               // Pipe name: [a-zA-Z0-9_.-]{1,64}
  ResourceRef source;                             // kind table; the table must have a stream
  std::optional<DynamoDbStreamsSourceConfig> dynamodb_streams;  // set: `source` is this instead
  ResourceRef target;                             // kind stream
  // KinesisStreamParameters.PartitionKey: a JSON path into the event ("$..."), or static text.
  std::string partition_key = "$.dynamodb.Keys";  // default: the item key
  int batch_size = 100;                           // 1..10000
  int maximum_batching_window_seconds = 0;        // 0..300
  StartingPosition starting_position = StartingPosition::kTrimHorizon;
  std::vector<FilterPattern> filters;             // a record passes if any pattern matches
  std::string input_template;                     // TargetParameters.InputTemplate; empty: none
  // DeadLetterConfig: "stream:<name>" or "file:<relative path>"; empty: none.
  std::string dead_letter;
};

// One record processor of a delivery (Firehose's ProcessingConfiguration.Processors entry).
// `type` names a processor; every other key of the YAML mapping is a parameter of that processor
// (location in `fields`). Types: cdc-flatten, jq, metadata-extraction, lambda, append-delimiter,
// decompress (docs/configuration.md lists each one's parameters).
struct ProcessorConfig : Located {
  std::string type = "cdc-flatten";
  std::map<std::string, std::string, std::less<>> params;
};

// Firehose buffering hints: a batch is flushed when any limit is reached.
struct BufferingConfig : Located {
  int64_t interval_ms = 200;            // 0..900000
  int64_t max_bytes = 4 * 1024 * 1024;  // 1 KiB..128 MiB
  int64_t max_records = 20000;          // 1..1000000
};

// How delivered rows are laid out in Hive partitions.
enum class Partitioning : uint8_t {
  kEventTime,    // year=/month=/day=/hour= from ApproximateCreationDateTime (replay-deterministic)
  kArrivalTime,  // the same from the time the record reached the stream (Firehose's default)
  kNone,         // no partition directories
};
std::string_view PartitioningName(Partitioning p);  // "event-time" | "arrival-time" | "none"

// What a prefix without expressions gets appended (and the layout without a prefix).
enum class DefaultPrefix : uint8_t {
  kHive,      // year=YYYY/month=MM/day=DD/hour=HH/ (Tributary's default)
  kFirehose,  // YYYY/MM/DD/HH/ (Firehose's default-prefix rule)
};
std::string_view DefaultPrefixName(DefaultPrefix p);  // "hive" | "firehose"

// A record that would open more than max_open_partitions partitions in one buffer:
enum class PartitionLimitAction : uint8_t {
  kFlush,  // commits the buffer early and goes on
  kError,  // goes to the error prefix (Firehose's behaviour)
};
std::string_view PartitionLimitActionName(PartitionLimitAction a);  // "flush" | "error"

enum class DestinationType : uint8_t { kLocal, kS3 };
std::string_view DestinationTypeName(DestinationType type);  // "local" | "s3"

struct DestinationConfig : Located {
  DestinationType type = DestinationType::kLocal;
  std::string path = "lake";  // local: directory, relative to the data dir unless absolute
  std::string bucket;         // s3: the bucket (3-63 characters of a-z 0-9 . -)
  std::string prefix;         // s3: key prefix of the lake ("" or ending in '/'; no leading '/')
  std::string endpoint_url;   // s3: "" -> aws.endpoints.s3 -> AWS_ENDPOINT_URL_S3 -> AWS
  std::string region;         // s3: "" -> aws.region -> the credential chain's region
};

// How a delivery encodes its data files (docs/configuration.md "format"): JSON lines, optionally
// gzip or zstd (.json.gz / .json.zst), or Parquet typed by the catalog (page codec none, snappy,
// gzip or zstd), and the size a file should not outgrow.
enum class FileFormatType : uint8_t { kJson, kParquet };
std::string_view FileFormatTypeName(FileFormatType type);  // "json" | "parquet"
enum class FileCompression : uint8_t { kNone, kGzip, kZstd, kSnappy };
std::string_view FileCompressionName(FileCompression c);  // "none" | "gzip" | "zstd" | "snappy"

struct FormatConfig : Located {
  FileFormatType type = FileFormatType::kJson;
  // Unset: none for json, snappy for parquet.
  std::optional<FileCompression> compression;
  int compression_level = 0;      // 0 = the codec's default; gzip 1..9, zstd 1..19
  int64_t target_file_bytes = 0;  // 0 = one file per partition per flush; else 1 KiB..1 GiB
  int64_t row_group_rows = 122880;  // parquet: rows per row group, 1..10000000

  FileCompression EffectiveCompression() const {
    return compression.value_or(type == FileFormatType::kParquet ? FileCompression::kSnappy
                                                                 : FileCompression::kNone);
  }
};

// A Firehose delivery stream: stream -> buffer -> processor -> partitions -> files -> catalog.
// Background merging of small files of closed partitions (YAML `compaction:`; see
// docs/compaction.md). Durations in milliseconds.
struct CompactionConfig : Located {
  bool enabled = true;
  std::string format = "parquet";                  // output: parquet | json
  int64_t target_file_bytes = 128LL << 20;         // 1 KiB .. 4 GiB
  int64_t min_files = 4;                           // 2 .. 100000
  int64_t grace_period_ms = 10 * 60 * 1000;        // after a partition's window ends; 0 .. 30 days
  int64_t interval_ms = 60 * 1000;                 // between passes; 10 .. 1 day
  int64_t retire_after_ms = 10 * 60 * 1000;        // replaced files deleted after; 0 .. 30 days
  bool include_open_partitions = false;
};

struct DeliveryConfig : Located {
  std::string name;    // Firehose name: [a-zA-Z0-9_.-]{1,64}
  ResourceRef source;  // kind stream
  // The processor chain, run in order (YAML `processors:` list, or `processor:` as a one-step
  // shorthand). Never empty: a delivery without either gets one cdc-flatten step.
  std::vector<ProcessorConfig> processors;
  BufferingConfig buffering;
  Partitioning partitioning = Partitioning::kEventTime;
  DestinationConfig destination;
  FormatConfig format;
  std::string table;  // SQL table in the catalog, [a-z0-9_]{1,255}; default: from the name
  std::string error_prefix = "errors/";  // under the destination, for records that failed
  // Firehose's S3 Prefix and ErrorOutputPrefix with !{...} expressions (docs/configuration.md,
  // "Dynamic partitioning"), relative to the destination. Empty: not given.
  std::string prefix;
  std::string error_output_prefix;
  DefaultPrefix default_prefix = DefaultPrefix::kHive;
  // Firehose's DynamicPartitioningConfiguration.Enabled; unset: on when the prefix uses keys.
  std::optional<bool> dynamic_partitioning;
  int64_t max_open_partitions = 500;  // 1..100000 (Firehose: 500 by default, up to 5000)
  PartitionLimitAction on_partition_limit = PartitionLimitAction::kFlush;
  CompactionConfig compaction;
};

enum class CatalogType : uint8_t { kSqlite };
std::string_view CatalogTypeName(CatalogType type);  // "sqlite"

// `catalog: {glue_sync: {...}}`: mirror the catalog's tables and partitions into AWS Glue
// (catalog/glue_sync.h, docs/aws-mode.md).
struct GlueSyncConfig : Located {
  bool enabled = false;      // true when the block is given
  std::string database;      // Glue database: 1..255 characters of a-z 0-9 _
  std::string region;        // "" -> aws.region
  std::string endpoint_url;  // "" -> aws.endpoints.glue -> AWS
  int64_t interval_ms = 1000;  // between passes, 100 .. 3600000
};

struct CatalogConfig : Located {
  CatalogType type = CatalogType::kSqlite;
  std::string path = "catalog.db";  // relative to the data dir unless absolute
  GlueSyncConfig glue_sync;
};

// The HTTP front door, YAML `listen: "host:port"` ("[::1]:4566" for IPv6). Port 0 picks a free one.
struct ServerConfig : Located {
  std::string host = "127.0.0.1";
  int port = 4566;
};

// Alert rules (YAML `alerts:`; docs/alerts.md): a SQL predicate over a delivered table's new rows
// and what to do for each row that matches.
enum class AlertActionType : uint8_t { kWebhook, kSns, kLog, kDashboard };
std::string_view AlertActionTypeName(AlertActionType type);  // "webhook" | "sns" | "log" | "dashboard"

struct AlertActionConfig : Located {
  AlertActionType type = AlertActionType::kLog;
  std::string url;                                           // webhook: http:// or https://
  std::map<std::string, std::string, std::less<>> headers;   // webhook: extra request headers
  std::string topic_arn;                                     // sns
  std::string subject;                                       // sns: default "tributary alert: <rule>"
  std::string endpoint_url;                                  // sns: default AWS's
  std::string region;                                        // sns: default the pipeline's region
  std::string path;                                          // log: JSON lines; relative to the data dir
  // Sends that fail with a retryable error (connection refused, timeout, HTTP 408/429/5xx, AWS
  // throttling) are retried with exponential backoff up to max_attempts, then counted dead.
  int max_attempts = 8;                // 1..100
  int64_t initial_backoff_ms = 500;    // 1..3600000
  int64_t max_backoff_ms = 60000;      // initial_backoff_ms..3600000
  int64_t timeout_ms = 5000;           // per attempt, 100..300000
};

struct AlertRuleConfig : Located {
  std::string name;   // [a-zA-Z0-9_.-]{1,64}
  std::string table;  // a delivery's SQL table; default: the only delivery's table
  std::string when;   // SQL predicate (DuckDB/Trino) over the table's columns
  std::vector<AlertActionConfig> actions;  // at least one
  int64_t max_per_minute = 0;  // throttle (YAML `throttle: {max_per_minute: N}`); 0 = none
};

// Top-level `aws:` (docs/aws-mode.md): what every AWS client of the pipeline uses unless a
// component overrides it. Endpoint keys are AWS service ids: dynamodb, dynamodbstreams, kinesis,
// s3, glue, sns, sqs, firehose.
struct AwsEndpointsConfig : Located {
  std::map<std::string, std::string, std::less<>> urls;  // service id -> http(s)://host[:port]
};
struct AwsConfig : Located {
  std::string region;   // "" -> AWS_REGION / AWS_DEFAULT_REGION / the profile's / us-east-1
  std::string profile;  // "" -> AWS_PROFILE / default
  AwsEndpointsConfig endpoints;
  // The endpoint for a service id: the override if given, else "".
  std::string EndpointFor(std::string_view service_id) const;
};

struct PipelineConfig : Located {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";  // 12 digits, used in ARNs
  std::vector<TableConfig> tables;
  std::vector<StreamConfig> streams;
  std::vector<PipeConfig> pipes;
  std::vector<DeliveryConfig> deliveries;
  CatalogConfig catalog;
  ServerConfig server;
  std::vector<AlertRuleConfig> alerts;
  AwsConfig aws;
  std::string source_path;  // the file it was read from (the file name given to Parse)

  // nullptr when there is none of that name.
  const TableConfig* FindTable(std::string_view name) const;
  const StreamConfig* FindStream(std::string_view name) const;
  const PipeConfig* FindPipe(std::string_view name) const;
  const DeliveryConfig* FindDelivery(std::string_view name) const;
};

// Reads, parses and validates the file at `path`. Locations name the file as `path` is written.
// NotFound when the file does not exist; InvalidArgument when it cannot be read or has errors.
Result<PipelineConfig> LoadPipelineConfig(const std::string& path);

// Parses and validates YAML text; `file_name` is used in locations and error messages.
Result<PipelineConfig> ParsePipelineConfig(std::string_view yaml_text, std::string_view file_name);

// The checks that need the whole pipeline: names and their uniqueness, value ranges, supported
// types and cross references. Parse/Load run it; call it again after changing a config in code.
Status ValidatePipelineConfig(const PipelineConfig& config);

// The exact text of examples/sales-pipeline.yaml, embedded at build time (`tributary demo`).
std::string_view DefaultPipelineYaml();
inline constexpr std::string_view kDefaultPipelineFileName = "examples/sales-pipeline.yaml";
// DefaultPipelineYaml() parsed, with locations in kDefaultPipelineFileName.
Result<PipelineConfig> DefaultPipelineConfig();

}  // namespace tributary::config
