// ShardWorker: one thread delivering one shard: read a batch (blocking on the stream's append
// notification, never spinning), run the processor, buffer rows per partition, and commit when
// the oldest buffered record is interval_ms old, the buffer reaches max_bytes or max_records, or
// on stop. Starts after the shard's committed checkpoint, so a restart neither repeats nor skips
// a record.
//
// Thread-safety: Open/Start/RequestStop/Join are called by the owning DeliveryStream from one
// thread; Stats() may be called from any thread; everything else runs on the worker thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
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
  // Waits for the thread; returns the final flush's status.
  Status Join();
  ShardStats Stats() const;

 private:
  void Run();
  void ProcessBatch(const std::vector<stream::StreamRecord>& records);
  void AddFailed(const stream::StreamRecord& record, std::string_view code,
                 std::string_view message, int attempts);
  bool FlushDue(int64_t now_ns) const;
  Status Flush();
  Status ReopenAtTrimHorizon(const Status& cause);
  // Sleeps up to ms unless a stop is requested; returns false when stopping.
  bool SleepUnlessStopped(int64_t ms);
  void SetError(const Status& s);

  // Constant after construction.
  const WorkerContext ctx_;
  const std::string shard_id_;
  const std::string checkpoint_key_;
  const std::string errors_checkpoint_key_;
  const bool infer_columns_;

  // Worker-thread state.
  std::unique_ptr<stream::ShardReader> reader_;
  stream::ReadBatch read_batch_;  // reused across reads
  DeliveryBuffer buffer_;
  LakeCommitter committer_;
  std::vector<transform::ProcessorInput> inputs_;
  std::vector<transform::ProcessorOutput> outputs_;
  std::string line_scratch_;
  std::string minify_scratch_;
  std::string skip_errors_through_;  // failed records <= this were committed before a restart
  int64_t pending_dropped_ = 0;  // dropped since the last commit
  Counter* lag_gauge_ = nullptr;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> flush_on_stop_{true};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  Status final_status_;  // written by the worker thread before it exits

  mutable std::mutex stats_mu_;
  ShardStats stats_;  // guarded by stats_mu_
};

}  // namespace tributary::delivery
