#include "runtime/aws_connectors.h"

namespace tributary::runtime {

namespace {
constexpr std::string_view kCheckpointPrefix = "producer/";
}  // namespace

Result<std::optional<std::string>> CatalogCheckpointStore::Get(std::string_view key) const {
  return catalog_->GetCheckpoint(std::string(kCheckpointPrefix) + std::string(key));
}

Status CatalogCheckpointStore::Put(std::string_view key, std::string_view value) {
  return catalog_->PutCheckpoint(std::string(kCheckpointPrefix) + std::string(key), value);
}

Result<AwsJsonCaller*> AwsConnectors::Caller(std::string_view service,
                                             const config::AwsEndpointConfig& endpoint) {
  if (!factory_) return Status::Unimplemented("no AWS client factory");
  TRIB_ASSIGN_OR_RETURN(std::unique_ptr<AwsJsonCaller> caller,
                        factory_(service, endpoint, endpoint.region.empty() ? region_ : endpoint.region));
  callers_.push_back(std::move(caller));
  return callers_.back().get();
}

Result<stream::DataStream*> AwsConnectors::OpenKinesis(const config::StreamConfig& sc) {
  auto api = Caller("kinesis", sc.aws);
  if (!api.ok()) return config::ConfigError(sc.location, "stream '" + sc.name + "': " + api.status().message());
  stream::KinesisStreamOptions o;
  o.name = sc.name;
  o.create_shards = sc.shards;
  o.records_per_shard_second = sc.records_per_shard_second;
  o.bytes_per_shard_second = sc.bytes_per_shard_second;
  o.checkpoints = &checkpoints_;
  o.clock = clock_;
  o.metrics = metrics_;
  auto opened = stream::KinesisDataStream::Open(o, *api);
  if (!opened.ok()) {
    return config::ConfigError(sc.location, "kinesis stream '" + sc.name + "': " + opened.status().message());
  }
  streams_.push_back(std::move(opened).value());
  return streams_.back().get();
}

Result<capture::Source*> AwsConnectors::OpenDynamoDbStreamsSource(const config::PipeConfig& pc) {
  const config::DynamoDbStreamsSourceConfig& sc = *pc.dynamodb_streams;
  auto streams = Caller("streams.dynamodb", sc.aws);
  if (!streams.ok()) return config::ConfigError(sc.location, "pipe '" + pc.name + "': " + streams.status().message());
  AwsJsonCaller* dynamodb = nullptr;
  if (sc.stream_arn.empty() || sc.backfill_segments > 0) {
    auto d = Caller("dynamodb", sc.aws);
    if (!d.ok()) return config::ConfigError(sc.location, "pipe '" + pc.name + "': " + d.status().message());
    dynamodb = *d;
  }
  capture::DynamoDbStreamsSourceOptions o;
  o.name = pc.name;
  o.table = sc.table;
  o.stream_arn = sc.stream_arn;
  o.starting_position = pc.starting_position == config::StartingPosition::kLatest
                            ? capture::StartingPosition::kLatest
                            : capture::StartingPosition::kTrimHorizon;
  o.on_trimmed = sc.restart_when_trimmed ? capture::TrimmedPolicy::kRestartAtTrimHorizon : capture::TrimmedPolicy::kFail;
  o.poll_interval_ms = sc.poll_interval_ms;
  o.max_poll_interval_ms = std::max<int64_t>(sc.poll_interval_ms, 2000);
  o.backfill_segments = sc.backfill_segments;
  o.clock = clock_;
  o.metrics = metrics_;
  auto created = capture::DynamoDbStreamsSource::Create(o, *streams, dynamodb);
  if (!created.ok()) {
    return config::ConfigError(sc.location, "pipe '" + pc.name + "' source: " + created.status().message());
  }
  sources_.push_back(std::move(created).value());
  return sources_.back().get();
}

}  // namespace tributary::runtime
