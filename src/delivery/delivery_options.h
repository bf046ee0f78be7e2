// DeliveryOptions: everything one delivery stream (stream -> processor -> lake + catalog) needs to
// know. Plain values, independent of the YAML config layer; runtime/ maps a pipeline config here.
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "delivery/prefix_layout.h"
#include "delivery/file_format.h"
#include "stream/stream.h"
#include "transform/prefix_template.h"

namespace tributary::delivery {

// When a shard's buffered rows are flushed: whichever comes first (Firehose's BufferingHints,
// with our fresher defaults).
struct BufferingHints {
  int64_t interval_ms = 200;          // age of the oldest buffered record
  int64_t max_bytes = 4 << 20;        // buffered row + error bytes
  int64_t max_records = 20000;        // buffered rows + error records
};

// What a prefix without any expression gets appended (Firehose appends its time folders).
enum class DefaultPrefix : uint8_t {
  kHive,      // year=YYYY/month=MM/day=DD/hour=HH/ (Tributary's default)
  kFirehose,  // YYYY/MM/DD/HH/ (Firehose's rule; Glue names the keys partition_0..3)
};
// Which instant !{timestamp:...} and the default time folders use.
enum class TimeSource : uint8_t {
  kEventTime,    // the processor's event time (cdc-flatten: ApproximateCreationDateTime), else
                 // the arrival time; replay-deterministic
  kArrivalTime,  // the record's arrival in the stream
};
// What a buffer does when a record would open more than max_open_partitions partitions.
enum class PartitionLimitAction : uint8_t {
  kFlush,  // commit what is buffered first, then go on (nothing fails)
  kError,  // Firehose: the record goes to the error prefix (kActivePartitionsExceededCode)
};

struct DeliveryOptions {
  // Delivery stream name: file names (<name>-1-...json), checkpoint keys (delivery/<name>/<shard>).
  std::string name;
  // SQL table name in the catalog ([a-z0-9_]); failed records go to table "<table>_errors".
  std::string table;
  std::string database = "default";
  // Absolute path of the lake's root directory (created if missing).
  std::string lake_root;
  // Lake-relative folder of the table's files; empty = the table name.
  std::string location;
  // The table's partition keys, in folder order. Rows take their values from the processor's
  // partition keys; a processor that returns none gets year/month/day/hour of the row's event
  // time (else its arrival time), like Firehose's default time prefix.
  std::vector<std::string> partition_keys = {"year", "month", "day", "hour"};
  BufferingHints buffering;
  // How data files are encoded (JSON lines by default; gzip/zstd; Parquet) and their target size.
  // Failed-record files are always plain JSON lines.
  FileFormat format;
  // Lake-relative prefix of failed-record files, ending in '/': errors go to
  // <error_prefix>processing-failed/YYYY/MM/DD/HH/ (every error type). Ignored when
  // error_output_prefix is set.
  std::string error_prefix = "errors/";
  // Firehose's Prefix (transform/prefix_template.h), lake-relative, starting with the table's
  // location folder(s) and ending in '/'. Empty: the Hive layout of partition_keys above, or
  // with default_prefix kFirehose "<location>/YYYY/MM/DD/HH/". Set: location and partition_keys
  // follow from it (delivery/prefix_layout.h). A prefix without any expression gets the
  // default_prefix time folders appended.
  std::string prefix;
  DefaultPrefix default_prefix = DefaultPrefix::kHive;
  // Firehose's ErrorOutputPrefix; must contain !{firehose:error-output-type} when it has
  // expressions; without expressions, "<type>/YYYY/MM/dd/HH/" is appended ('/' first if
  // missing). Empty: error_prefix above.
  std::string error_output_prefix;
  TimeSource time_source = TimeSource::kEventTime;
  // Distinct partitions one buffer holds at most (Firehose: 500 active partitions).
  int64_t max_open_partitions = 500;
  PartitionLimitAction partition_limit_action = PartitionLimitAction::kFlush;
  // Where shards without a checkpoint start reading.
  stream::StartPosition start_position = stream::StartPosition::TrimHorizon();
  // fdatasync files and fsync their directories before committing. Off: a machine crash may lose
  // files the catalog lists (process crashes stay safe).
  bool sync = true;
  // Largest batch asked of a shard reader at once.
  int64_t read_batch_records = 5000;
  // Batch-level processor failures (e.g. a Lambda process dying) are retried this many times
  // before every record of the batch goes to the error prefix (Firehose's NumberOfRetries).
  int processor_retries = 3;

  // Fills defaults (location; with a prefix: location, partition_keys, layout) and checks
  // everything; InvalidArgument naming the bad field.
  Status Normalize();
  std::string errors_table() const { return table + "_errors"; }
  // The errors table's location: error_prefix + "processing-failed", or the leading literal
  // folders of error_output_prefix.
  std::string errors_location() const;

  // Set by Normalize. layout: the data prefix, nullptr for the Hive layout without a prefix.
  // error_template: error_output_prefix, nullptr without one.
  std::shared_ptr<const PrefixLayout> layout;
  std::shared_ptr<const transform::PrefixTemplate> error_template;
};

// The data prefix Normalize would use ("" for none): `prefix` with the default time folders
// appended when it has no expression, or the default_prefix rule for an empty prefix with
// kFirehose.
Result<std::string> EffectivePrefix(std::string_view prefix, std::string_view location,
                                    DefaultPrefix default_prefix);
// The error output prefix with Firehose's default appended when it has no expression.
std::string EffectiveErrorOutputPrefix(std::string_view error_output_prefix);

}  // namespace tributary::delivery
