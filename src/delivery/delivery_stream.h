// DeliveryStream: Firehose with a Kinesis source, in process. Reads every shard of a DataStream
// (one ShardWorker per shard: a reading thread and a committing thread, see shard_worker.h), runs
// the processor, buffers rows per partition, writes JSON-lines files into the local lake and
// commits them to the catalog exactly once (see lake_committer.h and
// docs/delivery-semantics.md).
//
//   DeliveryOptions o;  o.name = "sales-delivery";  o.table = "sales";  o.lake_root = "/data/lake";
//   auto d = DeliveryStream::Create(o, *stream, *catalog, *processor);
//   (*d)->Start();   // EnsureTable, Recover, open readers after checkpoints, start workers
//   ...
//   (*d)->Stop();    // flush + commit what is buffered, join
//
// Thread-safety: Start/Stop/Recover are called from one controlling thread; Stats() from any
// thread. The stream, catalog, processor, clock, metrics registry and file system are borrowed
// and must outlive the DeliveryStream.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "delivery/delivery_options.h"
#include "delivery/lake_fs.h"
#include "delivery/recovery.h"
#include "delivery/shard_worker.h"
#include "stream/stream.h"
#include "transform/processor.h"

namespace tributary::delivery {

struct DeliveryStats {
  std::string name;
  std::string table;
  bool running = false;
  std::vector<ShardStats> shards;  // in shard order
  ShardStats Totals() const;       // sums; max lag; newest commit; first error
};

class DeliveryStream {
 public:
  // Validates `options` (DeliveryOptions::Normalize). clock: nullptr = SystemClock::Default();
  // metrics: nullptr = no counters; fs: nullptr = DefaultLakeFs().
  static Result<std::unique_ptr<DeliveryStream>> Create(
      DeliveryOptions options, stream::DataStream& stream, catalog::Catalog& catalog,
      const transform::Processor& processor, const Clock* clock = nullptr,
      MetricsRegistry* metrics = nullptr, LakeFs* fs = nullptr);
  ~DeliveryStream();  // Stop(true)
  DeliveryStream(const DeliveryStream&) = delete;
  DeliveryStream& operator=(const DeliveryStream&) = delete;

  // Creates the lake root and the catalog tables (<table>, <table>_errors) if missing, then
  // finishes or discards this delivery's leftover temp files. Start() calls it; it may also run
  // on its own (e.g. `tributary recover`). FailedPrecondition while running.
  Result<RecoveryReport> Recover();
  // Recover(), then opens every shard after its checkpoint and starts one worker per shard.
  // FailedPrecondition if already running.
  Status Start();
  // Stops the workers; with flush, each commits what it has buffered first. Returns the first
  // final-flush error. Idempotent.
  Status Stop(bool flush = true);
  bool running() const;

  DeliveryStats Stats() const;
  const DeliveryOptions& options() const { return options_; }

 private:
  DeliveryStream(DeliveryOptions options, stream::DataStream& stream, catalog::Catalog& catalog,
                 const transform::Processor& processor, const Clock& clock,
                 MetricsRegistry* metrics, LakeFs& fs);
  Status EnsureTables();

  // Constant after construction.
  const DeliveryOptions options_;
  stream::DataStream& stream_;
  catalog::Catalog& catalog_;
  const transform::Processor& processor_;
  const Clock& clock_;
  MetricsRegistry* const metrics_;
  LakeFs& fs_;
  const DeliveryCounters counters_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<ShardWorker>> workers_;  // guarded by mu_
  bool running_ = false;                               // guarded by mu_
};

}  // namespace tributary::delivery
