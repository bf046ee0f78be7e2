// The Amazon Data Firehose API (AWS JSON 1.1, X-Amz-Target "Firehose_20150804.<Op>") over the
// pipeline's deliveries, so producers that write to Firehose directly land in the same lake
// through the same processors, partitioning, file formats and commit protocol:
//
//   CreateDeliveryStream (DirectPut, KinesisStreamAsSource; ExtendedS3DestinationConfiguration or
//   S3DestinationConfiguration), DescribeDeliveryStream, ListDeliveryStreams,
//   DeleteDeliveryStream, PutRecord, PutRecordBatch (per-entry failures)
//
// This file parses and validates requests and maps a destination onto config::DeliveryConfig
// (ParseCreateDeliveryStream); the runtime behind FirehoseBackend (runtime/pipeline.h) runs,
// persists and feeds the deliveries. docs/kinesis-firehose-api.md has the mapping and the
// differences from AWS.
//
// Thread-safety: handlers run concurrently; FirehoseBackend implementations are thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "core/clock.h"
#include "core/status.h"
#include "dynamodb/api.h"

namespace tributary::streamapi {

inline constexpr std::string_view kFirehoseTargetPrefix = "Firehose_20150804.";
inline constexpr std::string_view kDirectPut = "DirectPut";
inline constexpr std::string_view kKinesisStreamAsSource = "KinesisStreamAsSource";

// A delivery stream created through the API, as the runtime needs it.
struct FirehoseStreamSpec {
  std::string name;
  std::string type;            // kDirectPut or kKinesisStreamAsSource
  std::string source_stream;   // KinesisStreamAsSource: the Kinesis stream's name
  config::DeliveryConfig delivery;  // source left empty for DirectPut (the runtime supplies it)
  std::string request_json;    // the CreateDeliveryStream body: what the runtime persists
  int64_t create_ms = 0;
};

// A delivery stream as DescribeDeliveryStream / ListDeliveryStreams report it.
struct FirehoseStreamInfo {
  std::string name;
  std::string type;
  std::string source_stream;  // KinesisStreamAsSource
  bool from_config = false;   // declared in the pipeline YAML (not deletable through the API)
  std::string table;          // the SQL table it delivers to
  std::string request_json;   // API-created: the CreateDeliveryStream body
  int64_t create_ms = 0;
};

class FirehoseBackend {
 public:
  virtual ~FirehoseBackend() = default;
  // Builds, persists and starts the delivery. AlreadyExists when a delivery has the name;
  // InvalidArgument / NotFound (source stream) for what the runtime cannot run.
  virtual Status CreateDeliveryStream(const FirehoseStreamSpec& spec) = 0;
  // Stops the delivery (its buffered records are flushed and committed first), forgets it.
  // NotFound; FailedPrecondition for a delivery declared in the configuration.
  virtual Status DeleteDeliveryStream(std::string_view name) = 0;
  // Configured and API-created deliveries, by name.
  virtual std::vector<FirehoseStreamInfo> ListDeliveryStreams() const = 0;
  // Appends records to a DirectPut delivery (atomically: all or none); returns one record id
  // per record. NotFound; FailedPrecondition for a KinesisStreamAsSource delivery.
  virtual Result<std::vector<std::string>> PutRecords(std::string_view name,
                                                      std::span<const std::string_view> records) = 0;
};

struct FirehoseOptions {
  FirehoseBackend* backend = nullptr;  // borrowed; outlives the registry
  const Clock* clock = nullptr;        // default: SystemClock
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // Records per second a delivery stream accepts (Firehose's throughput quota); entries over it
  // fail in PutRecordBatch with ServiceUnavailableException "Slow down." 0: no limit.
  int64_t records_per_second = 0;
};

// Adds the Firehose_20150804.* operations above to `registry`.
void RegisterFirehose(dynamodb::OperationRegistry& registry, const FirehoseOptions& options);

// CreateDeliveryStream's body -> the spec; InvalidArgument with AWS's wording for what is invalid
// or not expressible here (the message is sent as InvalidArgumentException). Used by the handler
// and by the runtime when it re-creates persisted delivery streams at start.
Result<FirehoseStreamSpec> ParseCreateDeliveryStream(std::string_view request_json, std::string_view region,
                                                     std::string_view account_id);

// arn:aws:firehose:<region>:<account>:deliverystream/<name>
std::string FirehoseArn(std::string_view region, std::string_view account_id, std::string_view name);

}  // namespace tributary::streamapi
