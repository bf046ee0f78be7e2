// The AWS side of a pipeline: builds the remote connectors a config names (pipe sources of type
// dynamodb-streams, streams of type kinesis) with their AWS JSON clients, and adapts the catalog
// into the Kinesis stream's producer-checkpoint store. pipeline.cc owns one AwsConnectors.
//
// Clients come from an AwsCallerFactory: by default the SigV4 client of src/aws
// (DefaultAwsCallerFactory); tests may pass their own, e.g. one that calls Tributary's own
// DynamoDB API in process.
//
// Thread-safety: built by Pipeline::Open on one thread; the connectors it returns are
// thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capture/dynamodb_streams_source.h"
#include "catalog/catalog.h"
#include "config/pipeline_config.h"
#include "core/aws_json_caller.h"
#include "stream/kinesis_stream.h"

namespace tributary::runtime {

// service: "dynamodb", "streams.dynamodb" or "kinesis".
using AwsCallerFactory = std::function<Result<std::unique_ptr<AwsJsonCaller>>(
    std::string_view service, const config::AwsEndpointConfig& endpoint, std::string_view region)>;

// The SigV4 clients of src/aws (credential chain, retries with backoff, pooled connections).
AwsCallerFactory DefaultAwsCallerFactory();

// Producer checkpoints of remote streams in the catalog (keys prefixed "producer/").
class CatalogCheckpointStore final : public stream::ProducerCheckpointStore {
 public:
  explicit CatalogCheckpointStore(catalog::Catalog* catalog) : catalog_(catalog) {}
  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Put(std::string_view key, std::string_view value) override;

 private:
  catalog::Catalog* catalog_;
};

class AwsConnectors {
 public:
  AwsConnectors(AwsCallerFactory factory, catalog::Catalog* catalog, const Clock* clock,
                MetricsRegistry* metrics, std::string default_region)
      : factory_(std::move(factory)),
        checkpoints_(catalog),
        clock_(clock),
        metrics_(metrics),
        region_(std::move(default_region)) {}

  // Errors are located at the config (config::ConfigError).
  Result<stream::DataStream*> OpenKinesis(const config::StreamConfig& sc);
  Result<capture::Source*> OpenDynamoDbStreamsSource(const config::PipeConfig& pc);

 private:
  Result<AwsJsonCaller*> Caller(std::string_view service, const config::AwsEndpointConfig& endpoint);

  AwsCallerFactory factory_;
  CatalogCheckpointStore checkpoints_;
  const Clock* clock_;
  MetricsRegistry* metrics_;
  std::string region_;
  std::vector<std::unique_ptr<AwsJsonCaller>> callers_;
  std::vector<std::unique_ptr<stream::KinesisDataStream>> streams_;
  std::vector<std::unique_ptr<capture::DynamoDbStreamsSource>> sources_;
};

}  // namespace tributary::runtime
