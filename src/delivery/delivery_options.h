// DeliveryOptions: everything one delivery stream (stream -> processor -> lake + catalog) needs to
// know. Plain values, independent of the YAML config layer; runtime/ maps a pipeline config here.
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "stream/stream.h"

namespace tributary::delivery {

// When a shard's buffered rows are flushed: whichever comes first (Firehose's BufferingHints,
// with our fresher defaults).
struct BufferingHints {
  int64_t interval_ms = 200;          // age of the oldest buffered record
  int64_t max_bytes = 4 << 20;        // buffered row + error bytes
  int64_t max_records = 20000;        // buffered rows + error records
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
  // Lake-relative prefix of failed-record files, ending in '/': errors go to
  // <error_prefix>processing-failed/YYYY/MM/DD/HH/.
  std::string error_prefix = "errors/";
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

  // Fills defaults (location) and checks everything; InvalidArgument naming the bad field.
  Status Normalize();
  std::string errors_table() const { return table + "_errors"; }
};

}  // namespace tributary::delivery
