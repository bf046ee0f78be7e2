// DeliveryBuffer: what one shard worker has consumed since its last commit. Rows are appended as
// JSON lines to one buffer per partition folder, failed records to one buffer per error-hour
// folder; the buffer also remembers the last consumed sequence number (the next checkpoint) even
// when every record was dropped, and when the oldest uncommitted record arrived (the flush
// deadline).
//
// Buffers and their strings are pooled across flushes, and the partition of the previous row is
// remembered, so steady-state appends neither hash nor allocate. With a prefix (PrefixLayout)
// the folder and partition values are rendered from the template; a prefix whose values depend
// only on time reuses the previous row's partition while the timestamp stays in the same
// granularity bucket (an hour for yyyy/MM/dd/HH), so rendering is per partition, not per row.
//
// At most max_open_partitions distinct partitions are held: a row that would open one more is
// refused with kResourceExhausted (the worker commits the buffer, or, with Firehose's
// behaviour, fails the record).
//
// Thread-safety: not thread-safe. A ShardWorker owns two: the worker thread fills one while the
// committer thread commits the other; a buffer is handed over whole, under the worker's lock.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/partition_spec.h"
#include "core/status.h"
#include "delivery/delivery_options.h"
#include "delivery/prefix_layout.h"
#include "transform/column_set.h"
#include "transform/processor.h"

namespace tributary::delivery {

// The rows bound for one file.
struct FileBuffer {
  std::string dir;                            // lake-relative folder
  catalog::PartitionValues partition_values;  // raw values in table key order (errors: none)
  std::string data;                           // JSON lines
  int64_t rows = 0;
  int64_t min_event_ms = std::numeric_limits<int64_t>::max();
  int64_t max_event_ms = std::numeric_limits<int64_t>::min();
  std::string first_sequence;
  std::string last_sequence;
  // Per row, when the buffer tracks rows (Parquet deliveries, so a row the encoder refuses can
  // become a failed record; split files, so each records its own sequence range): sequence
  // numbers, each followed by '\n', and arrival times.
  std::string row_sequences;
  std::vector<int64_t> row_arrival_ms;

  void Append(std::string_view line, int64_t event_ms, std::string_view sequence);
  // Drops the rows whose index (0-based, in line order) is in `drop` (sorted), keeping the
  // per-row metadata aligned. Event-time and sequence ranges stay as they were (a superset).
  void RemoveRows(const std::vector<size_t>& drop);
};

class DeliveryBuffer {
 public:
  // `location`: the table's lake-relative folder; `partition_keys`: table key order;
  // `error_prefix`: ends in '/'.
  DeliveryBuffer(std::string location, std::vector<std::string> partition_keys,
                 std::string error_prefix);
  // From normalized options (layout, error template, partition bound); `options` must outlive
  // the buffer.
  explicit DeliveryBuffer(const DeliveryOptions& options);

  // Appends an Ok row (a JSON object without a trailing newline) to its partition's buffer.
  // Without a layout, partition values come from `keys`; when `keys` is empty, from
  // year/month/day/hour of `event_ms` (table keys without such a default are an error). With a
  // layout, they are rendered from the prefix (`event_ms` is the !{timestamp:} instant).
  // Nothing is buffered unless Ok:
  //   InvalidArgument: the partition cannot be used (a key is missing or a value cannot be a
  //     folder); failure_code() says which errorCode the failed record gets;
  //   ResourceExhausted: the row would open partition max_open_partitions + 1.
  // `arrival_ms` is kept per row only when the buffer tracks rows (tracks_rows()).
  Status AddRow(std::string_view row, const transform::PartitionKeys& keys, int64_t event_ms,
                std::string_view sequence, int64_t arrival_ms = 0);
  // Whether rows keep their sequence number and arrival time (FileBuffer::row_sequences): on
  // for Parquet deliveries, whose encoder may refuse a row, and with a target_file_bytes, so
  // each piece of a split file records its own sequence range.
  bool tracks_rows() const { return track_rows_; }
  std::string_view failure_code() const { return failure_code_; }
  // Appends one failed-record JSON line (see error_record.h): without an error template in its
  // arrival hour's folder below <error_prefix>processing-failed/, else in the error prefix
  // rendered for `type` and the arrival time. `code` is counted in error_counts().
  void AddError(std::string_view line, int64_t arrival_ms, std::string_view sequence,
                std::string_view type = "processing-failed", std::string_view code = "");
  // Failed records buffered per errorCode (until ClearErrors/Clear).
  const std::map<std::string, int64_t, std::less<>>& error_counts() const {
    return error_counts_;
  }
  // Distinct partitions buffered.
  size_t open_partitions() const { return data_.used; }
  // Every consumed record (Ok, Dropped or ProcessingFailed) passes here, in order.
  void NoteConsumed(std::string_view sequence, int64_t now_mono_ns);
  // A record the processor dropped (in addition to NoteConsumed): committed as checkpoint only.
  void NoteDropped() { ++dropped_; }

  bool has_pending() const { return !last_sequence_.empty(); }
  int64_t bytes() const { return bytes_; }
  int64_t records() const { return records_; }  // rows + error records
  int64_t consumed() const { return consumed_; }
  int64_t dropped() const { return dropped_; }
  int64_t oldest_mono_ns() const { return oldest_mono_ns_; }
  const std::string& last_sequence() const { return last_sequence_; }
  transform::ColumnSet& columns() { return columns_; }

  // Non-empty buffers, in first-use order.
  std::vector<FileBuffer*> DataFiles();
  std::vector<FileBuffer*> ErrorFiles();
  // Drops the error buffers only (after they were committed on their own).
  void ClearErrors();
  // Forgets everything (after a successful commit); keeps pooled storage.
  void Clear();

 private:
  struct Pool {
    std::vector<std::unique_ptr<FileBuffer>> buffers;
    size_t used = 0;
    std::unordered_map<std::string, FileBuffer*> by_key;
    FileBuffer* Acquire(std::string key);
    void Reset();
  };

  Result<FileBuffer*> RowBuffer(const transform::PartitionKeys& keys, int64_t event_ms);
  Result<FileBuffer*> LayoutBuffer(const transform::PartitionKeys& keys, int64_t event_ms);
  // The buffer of `key` (values joined), or a new one for `dir`/`values` within the bound.
  Result<FileBuffer*> FindOrOpen(const std::string& key);

  // Constant after construction.
  const std::string location_;
  const std::vector<std::string> partition_keys_;
  const std::string error_prefix_;
  const PrefixLayout* const layout_ = nullptr;
  const transform::PrefixTemplate* const error_template_ = nullptr;
  const size_t max_open_partitions_ = 500;
  const bool track_rows_ = false;

  Pool data_;
  Pool errors_;
  transform::ColumnSet columns_;
  // The previous row's partition values and buffer (fast path).
  std::vector<std::string> last_values_;
  FileBuffer* last_buffer_ = nullptr;
  int64_t last_error_hour_ = std::numeric_limits<int64_t>::min();
  FileBuffer* last_error_buffer_ = nullptr;
  std::string key_scratch_;
  std::vector<std::string_view> value_scratch_;
  // Layout path: rendered values, the time bucket of last_buffer_ (time-only layouts), the
  // random string of this flush (!{firehose:random-string}).
  std::vector<std::string> rendered_;
  int64_t last_bucket_ = std::numeric_limits<int64_t>::min();
  std::string random_;
  std::string_view failure_code_;
  PartitionFailure failure_;
  std::string error_dir_scratch_;
  std::map<std::string, int64_t, std::less<>> error_counts_;

  std::string last_sequence_;
  int64_t bytes_ = 0;
  int64_t records_ = 0;
  int64_t consumed_ = 0;
  int64_t dropped_ = 0;
  int64_t oldest_mono_ns_ = 0;
};

}  // namespace tributary::delivery
