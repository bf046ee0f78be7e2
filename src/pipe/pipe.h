// Pipe: the EventBridge Pipe stage. Moves change records from a capture Source into a
// DataStream, stamping eventSourceARN and routing by a partition-key path, without loss or
// duplication: each PutRecords call carries the records of one source shard together with that
// shard's new position as a ProducerCheckpoint, which the stream writes in the same atomic batch.
// After a crash the pipe resumes exactly after the last appended record.
//
// Filters: the pipe's FilterCriteria (EventBridge patterns, pipe/event_pattern.h). A record passes
// if any filter matches; the others are dropped and counted, and the shard's checkpoint still
// moves past them (in the same atomic batch as the records that pass), so they are never re-read.
//
// Target parameters, as Pipes': the partition key (a JSON path into the event or static text),
// an input template that reshapes each event into the target record's data, batch size and
// batching window (a shard's batch is sent when it holds batch_size records or its first record
// has waited maximum_batching_window_ms), the starting position of a new pipe (TRIM_HORIZON or
// LATEST), and a dead-letter queue for records the target rejects (pipe/dead_letter.h). Without a
// dead-letter queue such a record stops its shard and the error shows in stats().
// Enrichment comes later. docs/pipes.md describes all of it.
//
// Thread-safety: Start/Stop/stats are thread-safe. RunOnce must not run concurrently with the
// pipe's own thread (use it in tests and benchmarks instead of Start).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "capture/source.h"
#include "core/metrics.h"
#include "core/clock.h"
#include "pipe/dead_letter.h"
#include "pipe/event_pattern.h"
#include "pipe/input_template.h"
#include "pipe/partition_key.h"
#include "stream/stream.h"

namespace tributary::pipe {

struct PipeOptions {
  std::string name;
  std::string partition_key_path = "$.dynamodb.Keys";
  size_t batch_size = 500;       // records per PutRecords (Kinesis target maximum: 500)
  int64_t idle_wait_ms = 250;    // how long to block waiting for changes before re-checking
  std::vector<std::string> filters = {};  // EventBridge patterns (JSON); none: all pass
  std::string input_template = {};        // Pipes' InputTemplate; empty: the event's JSON
  int64_t maximum_batching_window_ms = 0;  // 0: send what is there at once
  bool start_at_latest = false;            // a new pipe (no checkpoint) skips what exists
  // ARNs for <aws.pipes.*> and dead-letter entries; source_arn is taken from the source.
  PipeContext context = {};
  DeadLetterQueue* dead_letter = nullptr;  // not owned; null: rejected records stop the shard
  const Clock* clock = nullptr;            // null: the system clock
};

struct PipeStats {
  int64_t records_moved = 0;     // appended to the target
  int64_t records_filtered = 0;  // read from the source and dropped by the filters
  int64_t records_dead_lettered = 0;  // rejected by the target, written to the dead-letter queue
  int64_t batches = 0;
  int64_t errors = 0;
  std::string last_error;
  std::map<std::string, std::string> positions;  // source shard -> last moved sequence number
};

class Pipe {
 public:
  // `source`, `target` and `metrics` (may be null) must outlive the Pipe.
  static Result<std::unique_ptr<Pipe>> Create(PipeOptions options, const capture::Source* source,
                                              stream::DataStream* target, MetricsRegistry* metrics);
  ~Pipe();

  // Resolves each source shard's starting position (checkpoint, or TRIM_HORIZON / LATEST for a
  // new pipe), then starts the pipe's thread.
  Status Start();
  // Stops the thread after the batch in flight; everything appended stays appended.
  void Stop();

  // One pass over all source shards, reading up to batch_size records from each. Sets *moved to
  // the records read (moved or filtered out), so a caller loops while it is non-zero.
  Status RunOnce(int64_t* moved);
  // Loops RunOnce until the source has nothing more to move (ignoring the batching window).
  Status Drain();

  PipeStats stats() const;
  static std::string CheckpointKey(std::string_view pipe_name, std::string_view shard_id);

 private:
  Pipe(PipeOptions options, PartitionKeyPath path, FilterCriteria filters,
       std::optional<InputTemplate> input_template, const capture::Source* source,
       stream::DataStream* target, MetricsRegistry* metrics);
  // The shard's position: its checkpoint, else "" (TRIM_HORIZON), or with start_at_latest and
  // `at_start` the newest record now.
  Result<std::string> Position(const std::string& shard_id, bool at_start);
  Result<std::string> LatestPosition(const std::string& shard_id);
  // `force`: ignore the batching window (Drain).
  Status MoveShard(const std::string& shard_id, bool force, int64_t* moved);
  Status RunPass(bool force, int64_t* moved);
  void Loop();

  // Constant after construction.
  const PipeOptions options_;
  const PartitionKeyPath path_;
  const FilterCriteria filters_;
  const std::optional<InputTemplate> input_template_;
  const Clock* clock_;
  PipeContext context_;
  const capture::Source* source_;
  stream::DataStream* target_;
  Counter* moved_counter_ = nullptr;
  Counter* filtered_counter_ = nullptr;
  Counter* dead_letter_counter_ = nullptr;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};  // Start ran: shards seen later begin at TRIM_HORIZON

  mutable std::mutex mu_;
  std::map<std::string, std::string> positions_;  // guarded by mu_
  std::map<std::string, int64_t> waiting_since_ms_;  // shard -> when its partial batch was first seen (pipe thread)
  PipeStats stats_;                               // guarded by mu_
};

}  // namespace tributary::pipe
