// ShardWorker: delivers one shard with two threads. The worker thread reads a batch (blocking on
// the stream's append notification, never spinning), runs the processor and buffers rows per
// partition; when the oldest buffered record is interval_ms old, the buffer reaches max_bytes or
// max_records, or on stop, it seals the buffer and hands it to the committer thread, which runs
// the commit protocol (LakeCommitter) while the worker goes on filling a second buffer (double
// buffering). At most one commit is in flight: a flush that falls due while the previous commit
// still runs waits for it (backpressure). Commits run strictly in order, and a failed commit is
// retried with the same data until it succeeds (or a stop gives up on it, after which nothing
// later is committed), so the checkpoint only moves forward and never past an uncommitted record.
// Starts after the shard's committed checkpoint, so a restart neither repeats nor skips a record.
//
// Thread-safety: Open/Start/RequestStop/Join are called by the owning DeliveryStream from one
// thread; Stats() may be called from any thread; the reading/processing state belongs to the
// worker thread, the LakeCommitter to the committer thread, and the hand-off between them is
// guarded by commit_mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "delivery/delivery_buffer.h"
#include "delivery/delivery_options.h"
#include "delivery/lake_committer.h"
#include "delivery/lake_fs.h"
#include "stream/stream.h"
#include "transform/processor.h"

namespace tributary::delivery {

struct ShardStats {
  std::string shard_id;
  int64_t records_read = 0;     // consumed from the stream (this process)
  int64_t rows_delivered = 0;   // committed rows
  int64_t records_failed = 0;   // committed to the error table
  // Failed records per errorCode since the delivery stream began (persisted in the catalog,
  // error_counts.h), unlike the other counters, which count this process.
  std::map<std::string, int64_t> failed_by_code;
  int64_t partition_limit_flushes = 0;  // early commits for max_open_partitions
  int64_t records_dropped = 0;  // Dropped by the processor, checkpointed
  int64_t files_committed = 0;  // data + error files
  int64_t bytes_committed = 0;
  int64_t commits = 0;
  int64_t buffered_records = 0;          // consumed, not yet committed
  std::string last_committed_sequence;   // the shard checkpoint
  int64_t millis_behind_latest = 0;      // from the last read
  int64_t last_commit_ms = 0;            // wall clock of the last successful commit; 0 = none
  std::string last_error;                // most recent problem, "" when none
  bool running = false;
};

// Process-wide counters for one delivery stream (nullptr members when no registry was given).
struct DeliveryCounters {
  Counter* records_read = nullptr;
  Counter* rows_delivered = nullptr;
  Counter* records_failed = nullptr;
  Counter* records_dropped = nullptr;
  Counter* files_committed = nullptr;
  Counter* bytes_committed = nullptr;
  Counter* commits = nullptr;
  Counter* commit_errors = nullptr;
  Histogram* commit_seconds = nullptr;  // files + catalog transaction of one commit
  Histogram* latency_seconds = nullptr; // oldest record of a batch: read from the stream -> committed
  static DeliveryCounters Create(MetricsRegistry* registry, const std::string& delivery);
};

// What every worker of a delivery stream shares; all borrowed from the DeliveryStream.
struct WorkerContext {
  const DeliveryOptions* options = nullptr;
  stream::DataStream* stream = nullptr;
  catalog::Catalog* catalog = nullptr;
  const transform::Processor* processor = nullptr;
  const Clock* clock = nullptr;
  LakeFs* fs = nullptr;
  MetricsRegistry* metrics = nullptr;
  DeliveryCounters counters;
};

class ShardWorker {
 public:
  ShardWorker(const WorkerContext& ctx, std::string shard_id);
  ~ShardWorker();  // requests a flushing stop and joins
  ShardWorker(const ShardWorker&) = delete;
  ShardWorker& operator=(const ShardWorker&) = delete;

  // Reads the shard's checkpoints from the catalog and opens the reader after the checkpoint.
  Status Open();
  void Start();
  // Asks the thread to finish: with flush, it commits what it has buffered first.
  void RequestStop(bool flush);
  // Waits for both threads; returns the final flush's status (with flush: the first commit that
  // failed for good, else Ok).
  Status Join();
  ShardStats Stats() const;

 private:
  // Worker thread.
  void Run();
  void ProcessBatch(const std::vector<stream::StreamRecord>& records);
  // Buffers an Ok row in its partition; a record whose partition cannot be used, or that is
  // over max_open_partitions with PartitionLimitAction::kError, becomes a failed record.
  void AddRow(const stream::StreamRecord& record, const transform::ProcessorOutput& out,
              std::string_view row, bool arrival_time, int attempts);
  // `type`: the error output type (error_record.h).
  void AddFailed(const stream::StreamRecord& record, std::string_view code,
                 std::string_view message, int attempts, std::string_view type);
  bool FlushDue(int64_t now_ns) const;
  // Waits until no commit is in flight; returns the status of the last finished commit (not Ok
  // only when the committer gave up on it during a stop: nothing may be committed after it).
  Status WaitForCommitSlot();
  // Hands active_ to the committer and continues with the (empty) spare buffer. Requires no
  // commit in flight and an Ok previous commit.
  void SubmitActive();
  Status ReopenAtTrimHorizon(const Status& cause);
  // Sleeps up to ms unless a stop is requested; returns false when stopping.
  bool SleepUnlessStopped(int64_t ms);
  void SetError(const Status& s);

  // Committer thread.
  void RunCommitter();
  // Commits `buffer` until it succeeds; while stopping, gives up after the last attempts
  // (flush: up to 4 for retryable errors; no flush: none).
  Status CommitWithRetry(DeliveryBuffer& buffer);
  Status CommitOnce(DeliveryBuffer& buffer);

  // Constant after construction.
  const WorkerContext ctx_;
  const std::string shard_id_;
  const std::string checkpoint_key_;
  const std::string errors_checkpoint_key_;
  const bool infer_columns_;

  // Worker-thread state.
  std::unique_ptr<stream::ShardReader> reader_;
  stream::ReadBatch read_batch_;  // reused across reads
  std::unique_ptr<DeliveryBuffer> active_;  // being filled
  // The other buffer: while a commit is in flight it is the buffer being committed (in_flight_)
  // and the worker must not touch it; afterwards it is empty (cleared by the commit) and reused.
  std::unique_ptr<DeliveryBuffer> spare_;
  std::vector<transform::ProcessorInput> inputs_;
  std::vector<transform::ProcessorOutput> outputs_;
  std::string line_scratch_;
  std::string minify_scratch_;
  std::string skip_errors_through_;  // failed records <= this were committed before a restart
  Counter* lag_gauge_ = nullptr;

  // Committer-thread state.
  LakeCommitter committer_;

  std::thread thread_;
  std::thread committer_thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> flush_on_stop_{true};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  Status final_status_;  // written by the worker thread before it exits

  // The hand-off between the worker and the committer.
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  DeliveryBuffer* in_flight_ = nullptr;  // guarded by commit_mu_; the sealed buffer to commit
  Status last_commit_status_;            // guarded by commit_mu_; of the last finished commit
  bool committer_exit_ = false;          // guarded by commit_mu_

  mutable std::mutex stats_mu_;
  ShardStats stats_;                 // guarded by stats_mu_
  int64_t active_consumed_ = 0;      // guarded by stats_mu_; records in active_
  int64_t in_flight_consumed_ = 0;   // guarded by stats_mu_; records in the sealed buffer
};

}  // namespace tributary::delivery
