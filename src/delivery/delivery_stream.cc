#include "delivery/delivery_stream.h"

#include "delivery/error_record.h"
#include "delivery/lake_layout.h"

namespace tributary::delivery {

ShardStats DeliveryStats::Totals() const {
  ShardStats t;
  t.shard_id = "*";
  for (const ShardStats& s : shards) {
    t.records_read += s.records_read;
    t.rows_delivered += s.rows_delivered;
    t.records_failed += s.records_failed;
    for (const auto& [code, count] : s.failed_by_code) t.failed_by_code[code] += count;
    t.partition_limit_flushes += s.partition_limit_flushes;
    t.records_dropped += s.records_dropped;
    t.files_committed += s.files_committed;
    t.bytes_committed += s.bytes_committed;
    t.commits += s.commits;
    t.buffered_records += s.buffered_records;
    t.millis_behind_latest = std::max(t.millis_behind_latest, s.millis_behind_latest);
    t.last_commit_ms = std::max(t.last_commit_ms, s.last_commit_ms);
    if (t.last_error.empty()) t.last_error = s.last_error;
    t.running = t.running || s.running;
  }
  return t;
}

Result<std::unique_ptr<DeliveryStream>> DeliveryStream::Create(
    DeliveryOptions options, stream::DataStream& stream, catalog::Catalog& catalog,
    const transform::Processor& processor, const Clock* clock, MetricsRegistry* metrics,
    LakeFs* fs) {
  TRIB_RETURN_IF_ERROR(options.Normalize());
  return std::unique_ptr<DeliveryStream>(new DeliveryStream(
      std::move(options), stream, catalog, processor,
      clock != nullptr ? *clock : *SystemClock::Default(), metrics,
      fs != nullptr ? *fs : DefaultLakeFs()));
}

DeliveryStream::DeliveryStream(DeliveryOptions options, stream::DataStream& stream,
                               catalog::Catalog& catalog, const transform::Processor& processor,
                               const Clock& clock, MetricsRegistry* metrics, LakeFs& fs)
    : options_(std::move(options)),
      stream_(stream),
      catalog_(catalog),
      processor_(processor),
      clock_(clock),
      metrics_(metrics),
      fs_(fs),
      counters_(DeliveryCounters::Create(metrics, options_.name)) {}

DeliveryStream::~DeliveryStream() { (void)Stop(true); }

bool DeliveryStream::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

Status DeliveryStream::EnsureTables() {
  TRIB_RETURN_IF_ERROR(fs_.CreateDirs(options_.lake_root, options_.sync));
  catalog::TableDef data;
  data.database = options_.database;
  data.name = options_.table;
  data.location = options_.location;
  data.format = options_.format.CatalogFormat();
  data.partition_keys = options_.partition_keys;
  TRIB_RETURN_IF_ERROR(catalog_.EnsureTable(data));
  catalog::TableDef errors;
  errors.database = options_.database;
  errors.name = options_.errors_table();
  errors.location = options_.errors_location();
  errors.format = "json";
  errors.columns = FailedRecordColumns();
  return catalog_.EnsureTable(errors);
}

Result<RecoveryReport> DeliveryStream::Recover() {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) {
    return Status::FailedPrecondition("delivery stream '" + options_.name +
                                      "' is running; recover before starting it");
  }
  TRIB_RETURN_IF_ERROR(EnsureTables());
  return RecoverTempFiles(fs_, catalog_, options_.lake_root,
                          {options_.location, options_.errors_location()},
                          options_.name, options_.sync);
}

Status DeliveryStream::Start() {
  TRIB_RETURN_IF_ERROR(Recover().status());
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) {
    return Status::FailedPrecondition("delivery stream '" + options_.name + "' is already running");
  }
  WorkerContext ctx;
  ctx.options = &options_;
  ctx.stream = &stream_;
  ctx.catalog = &catalog_;
  ctx.processor = &processor_;
  ctx.clock = &clock_;
  ctx.fs = &fs_;
  ctx.metrics = metrics_;
  ctx.counters = counters_;
  std::vector<std::unique_ptr<ShardWorker>> workers;
  for (const stream::ShardInfo& shard : stream_.ListShards()) {
    auto worker = std::make_unique<ShardWorker>(ctx, shard.shard_id);
    TRIB_RETURN_IF_ERROR(worker->Open());
    workers.push_back(std::move(worker));
  }
  if (workers.empty()) {
    return Status::FailedPrecondition("stream '" + stream_.name() + "' has no shards");
  }
  for (auto& worker : workers) worker->Start();
  workers_ = std::move(workers);
  running_ = true;
  return Status::Ok();
}

Status DeliveryStream::Stop(bool flush) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& worker : workers_) worker->RequestStop(flush);
  Status first;
  for (auto& worker : workers_) {
    Status s = worker->Join();
    if (first.ok() && !s.ok()) first = s;
  }
  running_ = false;
  return first;
}

DeliveryStats DeliveryStream::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  DeliveryStats stats;
  stats.name = options_.name;
  stats.table = options_.table;
  stats.running = running_;
  for (const auto& worker : workers_) stats.shards.push_back(worker->Stats());
  return stats;
}

}  // namespace tributary::delivery
