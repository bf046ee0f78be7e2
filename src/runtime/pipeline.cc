#include "runtime/pipeline.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "alert/alert_engine.h"
#include "alert/sns_publisher.h"
#include "capture/embedded_table_source.h"
#include "catalog/glue_sync.h"
#include "catalog/table_keys.h"
#include "core/json_writer.h"
#include "delivery/compactor.h"
#include "delivery/delivery_stream.h"
#include "pipe/pipe.h"
#include "runtime/aws_clients.h"
#include "runtime/aws_connectors.h"
#include "runtime/data_dir.h"
#include "runtime/firehose_deliveries.h"
#include "stream/embedded_stream.h"
#include "stream/stream_format.h"
#include "table/table_engine.h"
#include "transform/chain.h"
#include "transform/processor.h"

namespace tributary::runtime {

namespace fs = std::filesystem;

struct Pipeline::Impl {
  config::PipelineConfig config;
  PipelineOptions options;
  DataDirLayout layout;
  const Clock* clock = nullptr;
  MetricsRegistry* metrics = nullptr;

  std::unique_ptr<table::TableEngine> tables;
  std::unique_ptr<stream::EmbeddedStreamStore> streams;
  std::unique_ptr<catalog::Catalog> catalog;
  std::vector<std::unique_ptr<capture::EmbeddedTableSource>> sources;
  std::unique_ptr<AwsConnectors> aws;                  // remote sources and streams
  std::map<std::string, stream::DataStream*> remote_streams;  // kinesis streams by name
  std::vector<std::unique_ptr<pipe::DeadLetterQueue>> dead_letters;  // outlive the pipes
  std::vector<std::unique_ptr<pipe::Pipe>> pipes;
  std::vector<std::unique_ptr<transform::Processor>> processors;
  // The lake file system of each delivery: DefaultLakeFs() for local
  // destinations, an owned S3LakeFs for s3 ones. Declared before the deliveries and compactors
  // that borrow them, so it outlives them.
  std::vector<std::unique_ptr<delivery::LakeFs>> owned_lake_fs;
  std::map<std::string, delivery::LakeFs*> delivery_fs;  // by delivery name
  std::vector<std::unique_ptr<delivery::DeliveryStream>> deliveries;
  std::vector<std::unique_ptr<delivery::Compactor>> compactors;  // deliveries with compaction on
  std::unique_ptr<FirehoseDeliveries> firehose;  // delivery streams created through the Firehose API
  std::unique_ptr<alert::AlertEngine> alerts;                    // config has alert rules
  std::unique_ptr<catalog::GlueSync> glue_sync;  // catalog.glue_sync, when configured

  bool started = false;
  std::thread housekeeping;
  std::mutex hk_mu;
  std::condition_variable hk_cv;
  bool hk_stop = false;  // guarded by hk_mu

  void Housekeeping(const Pipeline* owner);
};

namespace {

// Records, for each delivery's catalog table, the key attribute names of the source tables whose
// pipes feed its stream (catalog/table_keys.h), so SQL gets <table>_current and <table>_history.
// Skipped when the sources disagree on their keys.
Status RecordDeliveryKeys(const config::PipelineConfig& cfg, catalog::Catalog& catalog) {
  for (const auto& dc : cfg.deliveries) {
    std::optional<std::vector<std::string>> keys;
    bool agree = true;
    for (const auto& pc : cfg.pipes) {
      if (pc.target.name != dc.source.name) continue;
      for (const auto& t : cfg.tables) {
        if (t.name != pc.source.name) continue;
        std::vector<std::string> names = {t.hash_key.name};
        if (t.range_key) names.push_back(t.range_key->name);
        if (keys && *keys != names) agree = false;
        keys = std::move(names);
      }
    }
    if (keys && agree) TRIB_RETURN_IF_ERROR(catalog::RecordKeyColumns(catalog, dc.table, *keys));
  }
  return Status::Ok();
}

Result<stream::DataStream*> ResolveStream(stream::EmbeddedStreamStore& store,
                                          const std::map<std::string, stream::DataStream*>& remote,
                                          const config::ResourceRef& ref) {
  if (auto it = remote.find(ref.name); it != remote.end()) return it->second;
  auto s = store.GetStream(ref.name);
  if (!s.ok()) return config::ConfigError(ref.location, "stream '" + ref.name + "' is not available: " + s.status().message());
  return *s;
}

// The delivery's processors as one ChainProcessor. A bad parameter value is reported at its
// YAML line (ParamErrorName), other creation errors at the processor's mapping.
Result<std::unique_ptr<transform::Processor>> CreateProcessorChain(const config::PipelineConfig& cfg,
                                                                   const config::DeliveryConfig& dc,
                                                                   const DataDirLayout& layout) {
  transform::ProcessorEnv env;
  env.delivery_name = dc.name;
  env.region = cfg.region;
  env.account_id = cfg.account_id;
  env.source_stream_name = dc.source.name;
  env.work_dir = (fs::path(layout.data_dir) / "processors" / dc.name).string();
  if (!cfg.source_path.empty()) {
    std::error_code ec;
    fs::path config_path = fs::absolute(cfg.source_path, ec);
    if (!ec) env.base_dir = config_path.parent_path().string();
  }
  std::vector<std::unique_ptr<transform::Processor>> steps;
  for (size_t k = 0; k < dc.processors.size(); ++k) {
    const config::ProcessorConfig& pc = dc.processors[k];
    transform::ProcessorParams params(pc.params.begin(), pc.params.end());
    transform::ProcessorEnv step_env = env;
    if (dc.processors.size() > 1) step_env.work_dir += "/step-" + std::to_string(k + 1);
    auto created = transform::ProcessorRegistry::Default().Create(pc.type, params, step_env);
    if (!created.ok()) {
      std::optional<std::string> param = transform::ParamErrorName(created.status());
      return config::ConfigError(param ? pc.at(*param) : pc.location,
                                 "delivery '" + dc.name + "': " + created.status().message());
    }
    steps.push_back(std::move(created).value());
  }
  auto chain = transform::ChainProcessor::Create(std::move(steps));
  if (!chain.ok()) return config::ConfigError(dc.location, chain.status().message());
  return std::unique_ptr<transform::Processor>(std::move(chain).value());
}

// The YAML `format:` block as delivery's FileFormat (validated by config already).
delivery::FileFormat DeliveryFileFormat(const config::FormatConfig& f) {
  delivery::FileFormat out;
  out.type = f.type == config::FileFormatType::kParquet ? delivery::FileType::kParquet
                                                        : delivery::FileType::kJson;
  switch (f.EffectiveCompression()) {
    case config::FileCompression::kNone:
      out.compression = delivery::Compression::kNone;
      break;
    case config::FileCompression::kGzip:
      out.compression = delivery::Compression::kGzip;
      break;
    case config::FileCompression::kZstd:
      out.compression = delivery::Compression::kZstd;
      break;
    case config::FileCompression::kSnappy:
      out.compression = delivery::Compression::kSnappy;
      break;
  }
  out.compression_level = f.compression_level;
  out.target_file_bytes = f.target_file_bytes;
  out.parquet_row_group_rows = f.row_group_rows;
  return out;
}

// Records of `shard_id` after `committed` (a sequence number; "" = none committed yet), from the
// embedded log's dense per-shard counters. 0 when the shard is empty or a number is foreign.
int64_t StreamRecordsAfter(const stream::DataStream& source, const std::string& shard_id, const std::string& committed) {
  auto latest = source.LatestSequenceNumber(shard_id);
  if (!latest.ok() || latest->empty()) return 0;
  auto tip = stream::format::ParseSequenceNumber(*latest);
  if (!tip.ok()) return 0;
  if (committed.empty()) return static_cast<int64_t>(tip->counter) + 1;
  auto done = stream::format::ParseSequenceNumber(committed);
  if (!done.ok() || done->counter >= tip->counter) return 0;
  return static_cast<int64_t>(tip->counter - done->counter);
}

// HELP text for the families the stages register (their names are built where they count).
void DescribePipelineMetrics(MetricsRegistry& m) {
  using T = MetricsRegistry::Type;
  m.Describe("tributary_table_writes_total", "Item writes applied by the embedded tables.");
  m.Describe("tributary_table_stream_records_total", "Change records the embedded tables emitted to their streams.");
  m.Describe("tributary_capture_backlog_records",
             "Table changes not yet moved into a stream by a pipe (this process; approximate).", T::kGauge);
  m.Describe("tributary_pipe_records_total", "Change records a pipe moved from its table stream into its stream.");
  m.Describe("tributary_delivery_records_read_total", "Stream records a delivery read.");
  m.Describe("tributary_delivery_rows_delivered_total", "Rows a delivery committed to the lake.");
  m.Describe("tributary_delivery_records_failed_total", "Records a delivery committed to its error output.");
  m.Describe("tributary_delivery_records_dropped_total", "Records the processors dropped (checkpointed).");
  m.Describe("tributary_delivery_files_committed_total", "Data and error files a delivery committed.");
  m.Describe("tributary_delivery_bytes_committed_total", "Bytes of the files a delivery committed.");
  m.Describe("tributary_delivery_commits_total", "Catalog commits that advanced a delivery checkpoint.");
  m.Describe("tributary_delivery_commit_errors_total", "Failed commit attempts (retried).");
  m.Describe("tributary_delivery_millis_behind_latest",
             "How far a delivery shard reader is behind the stream tip, in milliseconds.", T::kGauge);
  m.Describe("tributary_delivery_lag_records", "Stream records after a delivery's committed checkpoints.", T::kGauge);
  m.Describe("tributary_delivery_buffered_records", "Records a delivery read and has not committed yet.", T::kGauge);
  m.Describe("tributary_delivery_retention_headroom_seconds",
             "Source stream retention minus the delivery's lag: time left before unread records are trimmed.",
             T::kGauge);
  m.Describe("tributary_delivery_commit_seconds", "Duration of one delivery commit (files made durable + catalog transaction).");
  m.Describe("tributary_delivery_latency_seconds",
             "From the oldest record of a batch being read from the stream to the batch's commit.");
}

}  // namespace

namespace {

// Builds one delivery (its processor chain and DeliveryStream) reading `source`; errors point at
// the YAML. Also the builder of the deliveries created through the Firehose API.
Result<FirehoseDeliveries::Built> BuildDelivery(Pipeline::Impl& p, const config::DeliveryConfig& dc,
                                                stream::DataStream& source) {
  const auto& cfg = p.config;
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<transform::Processor> processor,
                        CreateProcessorChain(cfg, dc, p.layout));
  if (dc.partitioning == config::Partitioning::kNone) {
    return config::ConfigError(dc.at("partitioning"), "partitioning 'none' is not supported yet");
  }
  delivery::DeliveryOptions dopt;
  dopt.name = dc.name;
  dopt.table = dc.table;
  dopt.lake_root = p.layout.lake_root;
  dopt.error_prefix = dc.error_prefix;
  dopt.prefix = dc.prefix;
  dopt.error_output_prefix = dc.error_output_prefix;
  dopt.default_prefix = dc.default_prefix == config::DefaultPrefix::kHive
                            ? delivery::DefaultPrefix::kHive
                            : delivery::DefaultPrefix::kFirehose;
  dopt.time_source = dc.partitioning == config::Partitioning::kArrivalTime
                         ? delivery::TimeSource::kArrivalTime
                         : delivery::TimeSource::kEventTime;
  dopt.max_open_partitions = dc.max_open_partitions;
  dopt.partition_limit_action = dc.on_partition_limit == config::PartitionLimitAction::kFlush
                                    ? delivery::PartitionLimitAction::kFlush
                                    : delivery::PartitionLimitAction::kError;
  {
    // Point layout errors (location, Hive keys, error folders) at the key that caused them.
    delivery::DeliveryOptions check = dopt;
    Status s = check.Normalize();
    if (!s.ok()) {
      const bool about_error_prefix = s.message().find("error_output_prefix") != std::string::npos;
      const bool about_prefix = s.message().find("prefix '") != std::string::npos;
      const config::Location& at = about_error_prefix ? dc.at("error_output_prefix")
                                   : about_prefix     ? dc.at("prefix")
                                                      : dc.location;
      return config::ConfigError(at, s.message());
    }
  }
  dopt.buffering.interval_ms = dc.buffering.interval_ms;
  dopt.buffering.max_bytes = dc.buffering.max_bytes;
  dopt.buffering.max_records = dc.buffering.max_records;
  dopt.format = DeliveryFileFormat(dc.format);
  if (auto retries = processor->BatchRetries()) dopt.processor_retries = *retries;
  delivery::LakeFs* fs = &delivery::DefaultLakeFs();
  if (dc.destination.type == config::DestinationType::kS3) {
    auto s3 = S3LakeFor(cfg, dc, p.layout.lake_root);
    if (!s3.ok()) return config::ConfigError(dc.destination.location, s3.status().message());
    fs = s3->get();
    p.owned_lake_fs.push_back(std::move(*s3));
  }
  p.delivery_fs[dc.name] = fs;
  auto created = delivery::DeliveryStream::Create(dopt, source, *p.catalog, *processor,
                                                  p.clock, p.metrics, fs);
  if (!created.ok()) return config::ConfigError(dc.location, created.status().message());
  FirehoseDeliveries::Built built;
  built.processor = std::move(processor);
  built.delivery = std::move(created).value();
  return built;
}

}  // namespace

Result<std::unique_ptr<Pipeline>> Pipeline::Open(config::PipelineConfig config, PipelineOptions options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("no data directory given");
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock ? options.clock : SystemClock::Default();
  impl->metrics = options.metrics ? options.metrics : MetricsRegistry::Default();
  DescribePipelineMetrics(*impl->metrics);
  TRIB_ASSIGN_OR_RETURN(impl->layout, DataDirLayout::ForConfig(options.data_dir, config));
  TRIB_RETURN_IF_ERROR(impl->layout.Create());
  impl->config = std::move(config);
  impl->options = std::move(options);
  Impl& p = *impl;
  const auto& cfg = p.config;

  table::TableEngine::Options topt;
  topt.region = cfg.region;
  topt.account_id = cfg.account_id;
  topt.clock = p.clock;
  auto tables = table::TableEngine::Open(p.layout.table_dir, topt);
  if (!tables.ok()) {
    if (tables.status().message().find("lock") != std::string::npos) {
      return Status::Unavailable("the data directory " + p.layout.data_dir +
                                 " is in use by another tributary process (see `tributary status "
                                 "--data-dir " + p.layout.data_dir + "`); stop it first");
    }
    return tables.status().WithContext("opening tables in " + p.layout.table_dir);
  }
  p.tables = std::move(tables).value();

  auto streams = stream::EmbeddedStreamStore::Open(p.layout.stream_dir, p.clock);
  if (!streams.ok()) return streams.status().WithContext("opening streams in " + p.layout.stream_dir);
  p.streams = std::move(streams).value();

  auto catalog = catalog::Catalog::Open(p.layout.catalog_path);
  if (!catalog.ok()) return catalog.status().WithContext("opening catalog " + p.layout.catalog_path);
  p.catalog = std::move(catalog).value();

  for (const auto& t : cfg.tables) {
    table::TableSpec spec;
    spec.name = t.name;
    spec.hash_key = {t.hash_key.name, t.hash_key.type};
    if (t.range_key) spec.range_key = table::KeyAttribute{t.range_key->name, t.range_key->type};
    if (t.stream) {
      spec.stream_view_type = t.stream->view_type;
      spec.stream_shard_count = t.stream->shards;
    }
    auto existing = p.tables->DescribeTable(t.name);
    if (existing.ok()) continue;  // created by an earlier run
    auto created = p.tables->CreateTable(spec);
    if (!created.ok()) return config::ConfigError(t.location, "table '" + t.name + "': " + created.status().message());
  }
  for (const auto& s : cfg.streams) {
    if (s.type == config::StreamType::kKinesis) continue;  // opened with the pipes below
    auto created = p.streams->CreateStream(s.name, s.shards, s.retention_hours);
    if (!created.ok()) return config::ConfigError(s.location, "stream '" + s.name + "': " + created.status().message());
  }
  if (!p.options.start_pipes) return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));

  p.aws = std::make_unique<AwsConnectors>(
      p.options.aws_caller_factory ? p.options.aws_caller_factory : DefaultAwsCallerFactory(),
      p.catalog.get(), p.clock, p.metrics, cfg.region);
  for (const auto& s : cfg.streams) {
    if (s.type != config::StreamType::kKinesis) continue;
    TRIB_ASSIGN_OR_RETURN(p.remote_streams[s.name], p.aws->OpenKinesis(s));
  }
  for (const auto& pc : cfg.pipes) {
    const capture::Source* source_ptr = nullptr;
    if (pc.dynamodb_streams) {
      TRIB_ASSIGN_OR_RETURN(source_ptr, p.aws->OpenDynamoDbStreamsSource(pc));
    } else {
      auto source = capture::EmbeddedTableSource::Create(p.tables.get(), pc.source.name);
      if (!source.ok()) return config::ConfigError(pc.source.location, source.status().message());
      p.sources.push_back(std::move(source).value());
      source_ptr = p.sources.back().get();
    }
    TRIB_ASSIGN_OR_RETURN(stream::DataStream * target, ResolveStream(*p.streams, p.remote_streams, pc.target));
    pipe::PipeOptions po;
    po.name = pc.name;
    po.partition_key_path = pc.partition_key;
    po.batch_size = static_cast<size_t>(pc.batch_size);
    for (const auto& f : pc.filters) po.filters.push_back(f.json);
    po.maximum_batching_window_ms = int64_t{pc.maximum_batching_window_seconds} * 1000;
    // A dynamodb-streams source starts at LATEST itself (LATEST shard iterators; its backfill
    // segments must not be skipped).
    po.start_at_latest = pc.starting_position == config::StartingPosition::kLatest && !pc.dynamodb_streams;
    po.input_template = pc.input_template;
    po.context.pipe_name = pc.name;
    po.context.pipe_arn = "arn:aws:pipes:" + cfg.region + ":" + cfg.account_id + ":pipe/" + pc.name;
    po.context.target_arn =
        "arn:aws:kinesis:" + cfg.region + ":" + cfg.account_id + ":stream/" + pc.target.name;
    po.clock = p.clock;
    if (pc.dead_letter.starts_with("stream:")) {
      config::ResourceRef ref{config::ResourceKind::kStream, pc.dead_letter.substr(7),
                              pc.at("dead_letter")};
      TRIB_ASSIGN_OR_RETURN(stream::DataStream * dlq, ResolveStream(*p.streams, p.remote_streams, ref));
      p.dead_letters.push_back(pipe::DeadLetterQueue::ToStream(dlq));
      po.dead_letter = p.dead_letters.back().get();
    } else if (pc.dead_letter.starts_with("file:")) {
      p.dead_letters.push_back(
          pipe::DeadLetterQueue::ToFile(p.layout.data_dir + "/" + pc.dead_letter.substr(5)));
      po.dead_letter = p.dead_letters.back().get();
    }
    auto created = pipe::Pipe::Create(po, source_ptr, target, p.metrics);
    if (!created.ok()) return config::ConfigError(pc.location, created.status().message());
    p.pipes.push_back(std::move(created).value());
  }

  for (const auto& dc : cfg.deliveries) {
    TRIB_ASSIGN_OR_RETURN(stream::DataStream * source, ResolveStream(*p.streams, p.remote_streams, dc.source));
    TRIB_ASSIGN_OR_RETURN(FirehoseDeliveries::Built built, BuildDelivery(p, dc, *source));
    p.processors.push_back(std::move(built.processor));
    p.deliveries.push_back(std::move(built.delivery));
  }
  // Finish or discard what a crash left half done before anything new is written (Start()
  // recovers too; doing it here makes the catalog tables exist before the first query).
  for (auto& d : p.deliveries) {
    auto recovered = d->Recover();
    if (!recovered.ok()) return recovered.status().WithContext("recovering delivery " + d->options().name);
  }
  // Compaction: one background compactor per delivery that has it on; its recovery finishes or
  // discards a crashed compaction and deletes retired files whose grace has passed.
  for (size_t i = 0; i < p.deliveries.size(); ++i) {
    const config::DeliveryConfig& dc = cfg.deliveries[i];
    if (!dc.compaction.enabled) continue;
    const delivery::DeliveryOptions& dopt = p.deliveries[i]->options();
    delivery::CompactorConfig cc;
    cc.lake_root = dopt.lake_root;
    cc.delivery_name = dopt.name;
    cc.table = dopt.table;
    cc.location = dopt.location;
    cc.sync = dopt.sync;
    cc.options.target_file_bytes = dc.compaction.target_file_bytes;
    cc.options.min_files = dc.compaction.min_files;
    cc.options.grace_period_ms = dc.compaction.grace_period_ms;
    cc.options.interval_ms = dc.compaction.interval_ms;
    cc.options.retire_after_ms = dc.compaction.retire_after_ms;
    cc.options.include_open_partitions = dc.compaction.include_open_partitions;
    auto merger = delivery::FileMergerFor(dc.compaction.format);
    if (!merger.ok()) return config::ConfigError(dc.compaction.at("format"), merger.status().message());
    if (Status valid = cc.options.Validate(); !valid.ok()) {
      return config::ConfigError(dc.compaction.location, valid.message());
    }
    auto compactor = std::make_unique<delivery::Compactor>(std::move(cc), *p.delivery_fs.at(dc.name), *p.catalog,
                                                           *p.clock, **merger);
    auto recovered = compactor->Recover();
    if (!recovered.ok()) return recovered.status().WithContext("recovering compaction of " + dopt.name);
    p.compactors.push_back(std::move(compactor));
  }
  TRIB_RETURN_IF_ERROR(RecordDeliveryKeys(cfg, *p.catalog));
  {
    std::vector<streamapi::FirehoseStreamInfo> configured;
    for (const auto& dc : cfg.deliveries) {
      streamapi::FirehoseStreamInfo info;
      info.name = dc.name;
      info.type = std::string(streamapi::kKinesisStreamAsSource);
      info.source_stream = dc.source.name;
      info.from_config = true;
      info.table = dc.table;
      configured.push_back(std::move(info));
    }
    Impl* raw = &p;
    p.firehose = std::make_unique<FirehoseDeliveries>(
        (fs::path(p.layout.data_dir) / "firehose").string(), *p.streams,
        [raw](const config::DeliveryConfig& dc, stream::DataStream& source) -> Result<FirehoseDeliveries::Built> {
          TRIB_ASSIGN_OR_RETURN(FirehoseDeliveries::Built built, BuildDelivery(*raw, dc, source));
          auto recovered = built.delivery->Recover();
          if (!recovered.ok()) return recovered.status().WithContext("recovering delivery " + dc.name);
          return built;
        },
        std::move(configured), cfg.region, cfg.account_id);
    TRIB_RETURN_IF_ERROR(p.firehose->Load());
  }
  if (!cfg.alerts.empty()) {
    alert::AlertEngineOptions ao;
    ao.data_dir = p.layout.data_dir;
    ao.lake_root = p.layout.lake_root;
    ao.clock = p.clock;
    ao.metrics = p.metrics;
    ao.sns = alert::MakeSnsPublisher(cfg.region);
    TRIB_ASSIGN_OR_RETURN(p.alerts, alert::AlertEngine::Open(cfg, *p.catalog, std::move(ao)));
  }
  if (cfg.catalog.glue_sync.enabled) {
    auto glue = CreateGlueSync(cfg, p.layout.lake_root, *p.catalog, *p.clock);
    if (!glue.ok()) return config::ConfigError(cfg.catalog.glue_sync.location, glue.status().message());
    p.glue_sync = std::move(*glue);
  }
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Pipeline::~Pipeline() { (void)Stop(); }

Status Pipeline::Start() {
  Impl& p = *impl_;
  if (p.started) return Status::FailedPrecondition("pipeline already started");
  for (auto& d : p.deliveries) TRIB_RETURN_IF_ERROR(d->Start());
  if (p.firehose != nullptr) TRIB_RETURN_IF_ERROR(p.firehose->Start());
  for (auto& pp : p.pipes) TRIB_RETURN_IF_ERROR(pp->Start());
  for (auto& c : p.compactors) c->Start();
  if (p.alerts) p.alerts->Start();
  if (p.glue_sync) p.glue_sync->Start();
  p.started = true;
  p.hk_stop = false;
  p.housekeeping = std::thread([this] { impl_->Housekeeping(this); });
  return Status::Ok();
}

void Pipeline::Impl::Housekeeping(const Pipeline* owner) {
  int64_t last_trim_ns = clock->MonotonicNanos();
  int expire_ticks = 0;  // the TTL sweeper runs every 10 ticks (~10 s)
  std::unique_lock<std::mutex> lock(hk_mu);
  while (!hk_stop) {
    hk_cv.wait_for(lock, std::chrono::seconds(1));
    if (hk_stop) break;
    lock.unlock();
    (void)owner->WriteStatusFile();
    if (++expire_ticks % 10 == 0) (void)tables->ExpireItems();
    if (clock->MonotonicNanos() - last_trim_ns > 60'000'000'000LL) {
      last_trim_ns = clock->MonotonicNanos();
      (void)tables->TrimStream();
      (void)streams->TrimExpired();
    }
    lock.lock();
  }
}

Status Pipeline::Stop() {
  Impl& p = *impl_;
  if (!p.started) return Status::Ok();
  p.started = false;
  {
    std::lock_guard<std::mutex> lock(p.hk_mu);
    p.hk_stop = true;
  }
  p.hk_cv.notify_all();
  if (p.housekeeping.joinable()) p.housekeeping.join();
  // Pipes first, so everything they appended is delivered by the final flush.
  for (auto& pp : p.pipes) pp->Stop();
  for (auto& pp : p.pipes) {
    Status s = pp->Drain();
    if (!s.ok()) return s;
  }
  Status result;
  if (p.glue_sync) p.glue_sync->Stop();
  for (auto& c : p.compactors) c->Stop();
  for (auto& d : p.deliveries) {
    Status s = d->Stop();
    if (!s.ok() && result.ok()) result = s;
  }
  if (p.firehose != nullptr) {
    Status s = p.firehose->Stop();
    if (!s.ok() && result.ok()) result = s;
  }
  if (p.alerts) p.alerts->Stop();  // after the last commits, so their matches are recorded
  (void)WriteStatusFile();
  return result;
}

PipelineSnapshot Pipeline::Snapshot() const {
  const Impl& p = *impl_;
  PipelineSnapshot snap;
  snap.at_ms = p.clock->NowMillis();
  for (size_t i = 0; i < p.pipes.size(); ++i) {
    auto st = p.pipes[i]->stats();
    snap.captured += st.records_moved;
    snap.filtered += st.records_filtered;
    snap.dead_lettered += st.records_dead_lettered;
    const std::string stream = i < p.config.pipes.size() ? p.config.pipes[i].target.name : std::string();
    snap.pipes.push_back({p.config.pipes.size() > i ? p.config.pipes[i].name : std::string(), stream,
                          st.records_moved, st.batches, st.errors});
    if (!st.last_error.empty()) snap.errors.push_back("pipe: " + st.last_error);
  }
  // Configured deliveries first (index i matches config.deliveries), then those created through
  // the Firehose API.
  std::vector<delivery::DeliveryStats> all_stats;
  for (const auto& d : p.deliveries) all_stats.push_back(d->Stats());
  if (p.firehose != nullptr) {
    for (auto& st : p.firehose->Stats()) all_stats.push_back(std::move(st));
  }
  for (size_t i = 0; i < all_stats.size(); ++i) {
    const delivery::DeliveryStats& stats = all_stats[i];
    const delivery::ShardStats totals = stats.Totals();
    PipelineSnapshot::DeliveryFailures d;
    d.name = stats.name;
    d.table = stats.table;
    d.failed = totals.records_failed;
    d.failed_by_code = totals.failed_by_code;
    d.records_read = totals.records_read;
    d.rows = totals.rows_delivered;
    d.files = totals.files_committed;
    d.bytes = totals.bytes_committed;
    d.dropped = totals.records_dropped;
    d.buffered = totals.buffered_records;
    d.commits = totals.commits;
    d.last_commit_ms = totals.last_commit_ms;
    d.lag_ms = totals.millis_behind_latest;
    stream::DataStream* source = nullptr;
    if (i < p.deliveries.size() && i < p.config.deliveries.size()) {
      const config::DeliveryConfig& dc = p.config.deliveries[i];
      d.stream = dc.source.name;
      for (const auto& sc : p.config.streams) {
        if (sc.name == dc.source.name) d.retention_ms = int64_t{sc.retention_hours} * 3'600'000;
      }
      auto found = p.streams->GetStream(dc.source.name);
      if (found.ok()) source = *found;
    }
    for (const auto& st : stats.shards) {
      snap.delivered += st.rows_delivered;
      snap.failed += st.records_failed;
      snap.files += st.files_committed;
      snap.lag_ms = std::max(snap.lag_ms, st.millis_behind_latest);
      snap.stream_backlog += st.buffered_records;
      if (!st.last_error.empty()) snap.errors.push_back("delivery " + st.shard_id + ": " + st.last_error);
      if (source != nullptr) d.lag_records += StreamRecordsAfter(*source, st.shard_id, st.last_committed_sequence);
    }
    d.retention_headroom_ms = std::max<int64_t>(0, d.retention_ms - d.lag_ms);
    const std::string labels = "{delivery=\"" + d.name + "\"}";
    const Histogram::Snapshot commit = p.metrics->GetHistogram("tributary_delivery_commit_seconds" + labels)->Take();
    const Histogram::Snapshot latency = p.metrics->GetHistogram("tributary_delivery_latency_seconds" + labels)->Take();
    d.commit_p50_ms = commit.Quantile(0.5) * 1000;
    d.commit_p99_ms = commit.Quantile(0.99) * 1000;
    d.latency_p50_ms = latency.Quantile(0.5) * 1000;
    d.latency_p99_ms = latency.Quantile(0.99) * 1000;
    p.metrics->Get("tributary_delivery_lag_records" + labels)->Set(d.lag_records);
    p.metrics->Get("tributary_delivery_buffered_records" + labels)->Set(d.buffered);
    p.metrics->Get("tributary_delivery_retention_headroom_seconds" + labels)->Set(d.retention_headroom_ms / 1000);
    snap.lag_records += d.lag_records;
    snap.deliveries.push_back(std::move(d));
  }
  for (const auto& c : p.compactors) {
    delivery::CompactorStats st = c->Stats();
    snap.compactions += st.compactions;
    snap.compacted_files_in += st.files_in;
    snap.compacted_files_out += st.files_out;
    snap.retired_files_deleted += st.retired_deleted;
    if (!st.last_error.empty()) snap.errors.push_back("compaction " + c->config().table + ": " + st.last_error);
  }
  if (p.alerts) {
    alert::AlertEngineStats st = p.alerts->Stats();
    for (const auto& [name, c] : st.rules) {
      snap.alerts.push_back({name, c.fired, c.throttled, c.sent, c.pending, c.dead});
    }
    snap.alert_latency_ms = st.last_latency_ms;
    snap.alert_max_latency_ms = st.max_latency_ms;
    if (!st.errors.empty()) snap.errors.push_back("alerts: " + st.errors.back());
  }
  if (p.glue_sync) {
    catalog::GlueSyncStats g = p.glue_sync->Stats();
    snap.glue_sync = {true, g.database, g.partitions_created, g.pending_tables, g.pending_partitions,
                      g.last_success_ms, g.lag_ms, g.last_error};
    if (!g.last_error.empty()) snap.errors.push_back("glue sync: " + g.last_error);
  }
  auto m = p.metrics->Snapshot();
  for (const auto& [name, value] : m) {
    if (name.rfind("tributary_table_stream_records_total", 0) == 0) snap.table_changes += value;
  }
  snap.capture_backlog = std::max<int64_t>(0, snap.table_changes - snap.captured);
  p.metrics->Get("tributary_capture_backlog_records")->Set(snap.capture_backlog);
  return snap;
}

std::string PipelineSnapshot::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("at_ms");
  w.Int(at_ms);
  w.Key("pid");
  w.Int(::getpid());
  w.Key("table_changes");
  w.Int(table_changes);
  w.Key("captured");
  w.Int(captured);
  w.Key("filtered");
  w.Int(filtered);
  w.Key("dead_lettered");
  w.Int(dead_lettered);
  w.Key("delivered");
  w.Int(delivered);
  w.Key("failed");
  w.Int(failed);
  w.Key("files");
  w.Int(files);
  w.Key("lag_ms");
  w.Int(lag_ms);
  w.Key("buffered");
  w.Int(stream_backlog);
  w.Key("capture_backlog");
  w.Int(capture_backlog);
  w.Key("lag_records");
  w.Int(lag_records);
  w.Key("compactions");
  w.Int(compactions);
  w.Key("compacted_files_in");
  w.Int(compacted_files_in);
  w.Key("compacted_files_out");
  w.Int(compacted_files_out);
  w.Key("retired_files_deleted");
  w.Int(retired_files_deleted);
  w.Key("errors");
  w.BeginArray();
  for (const auto& e : errors) w.String(e);
  w.EndArray();
  if (glue_sync.enabled) {
    w.Key("glue_sync");
    w.BeginObject();
    w.Key("database");
    w.String(glue_sync.database);
    w.Key("partitions_created");
    w.Int(glue_sync.partitions_created);
    w.Key("pending_tables");
    w.Int(glue_sync.pending_tables);
    w.Key("pending_partitions");
    w.Int(glue_sync.pending_partitions);
    w.Key("last_success_ms");
    w.Int(glue_sync.last_success_ms);
    w.Key("lag_ms");
    w.Int(glue_sync.lag_ms);
    w.Key("last_error");
    w.String(glue_sync.last_error);
    w.EndObject();
  }
  w.Key("pipes");
  w.BeginArray();
  for (const auto& pipe : pipes) {
    w.BeginObject();
    w.Key("name");
    w.String(pipe.name);
    w.Key("stream");
    w.String(pipe.stream);
    w.Key("records");
    w.Int(pipe.records);
    w.Key("batches");
    w.Int(pipe.batches);
    w.Key("errors");
    w.Int(pipe.errors);
    w.EndObject();
  }
  w.EndArray();
  w.Key("deliveries");
  w.BeginArray();
  for (const auto& d : deliveries) {
    w.BeginObject();
    w.Key("name");
    w.String(d.name);
    w.Key("stream");
    w.String(d.stream);
    w.Key("table");
    w.String(d.table);
    for (const auto& [key, value] : {std::pair<const char*, int64_t>{"records_read", d.records_read},
                                     {"rows", d.rows},
                                     {"files", d.files},
                                     {"bytes", d.bytes},
                                     {"dropped", d.dropped},
                                     {"buffered", d.buffered},
                                     {"commits", d.commits},
                                     {"last_commit_ms", d.last_commit_ms},
                                     {"lag_ms", d.lag_ms},
                                     {"lag_records", d.lag_records},
                                     {"retention_ms", d.retention_ms},
                                     {"retention_headroom_ms", d.retention_headroom_ms}}) {
      w.Key(key);
      w.Int(value);
    }
    for (const auto& [key, value] : {std::pair<const char*, double>{"commit_p50_ms", d.commit_p50_ms},
                                     {"commit_p99_ms", d.commit_p99_ms},
                                     {"latency_p50_ms", d.latency_p50_ms},
                                     {"latency_p99_ms", d.latency_p99_ms}}) {
      w.Key(key);
      w.Double(value);
    }
    w.Key("failed");
    w.Int(d.failed);
    w.Key("failed_by_code");
    w.BeginObject();
    for (const auto& [code, count] : d.failed_by_code) {
      w.Key(code);
      w.Int(count);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Key("alerts");
  w.BeginArray();
  for (const auto& a : alerts) {
    w.BeginObject();
    w.Key("rule");
    w.String(a.name);
    w.Key("fired");
    w.Int(a.fired);
    w.Key("throttled");
    w.Int(a.throttled);
    w.Key("sent");
    w.Int(a.sent);
    w.Key("pending");
    w.Int(a.pending);
    w.Key("dead");
    w.Int(a.dead);
    w.EndObject();
  }
  w.EndArray();
  w.Key("alert_latency_ms");
  w.Int(alert_latency_ms);
  w.Key("alert_max_latency_ms");
  w.Int(alert_max_latency_ms);
  w.EndObject();
  return w.Take();
}

Status Pipeline::WriteStatusFile() const {
  return WriteFileAtomically(impl_->layout.status_path, Snapshot().ToJson() + "\n");
}

table::TableEngine& Pipeline::tables() { return *impl_->tables; }
catalog::Catalog& Pipeline::catalog() { return *impl_->catalog; }
stream::EmbeddedStreamStore& Pipeline::streams() { return *impl_->streams; }
streamapi::FirehoseBackend* Pipeline::firehose() { return impl_->firehose.get(); }
const std::string& Pipeline::lake_root() const { return impl_->layout.lake_root; }
const std::string& Pipeline::data_dir() const { return impl_->layout.data_dir; }
const config::PipelineConfig& Pipeline::config() const { return impl_->config; }
alert::AlertEngine* Pipeline::alerts() { return impl_->alerts.get(); }

}  // namespace tributary::runtime
