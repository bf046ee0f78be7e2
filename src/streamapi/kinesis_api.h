// The Kinesis Data Streams API (AWS JSON 1.1, X-Amz-Target "Kinesis_20131202.<Op>") over the
// embedded log (src/stream/), so boto3 producers and consumers see the same records the pipes
// write and the deliveries read:
//
//   CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams,
//   ListShards (NextToken, ExclusiveStartShardId, ShardFilter), PutRecord, PutRecords (partial
//   failures per entry), GetShardIterator (TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER,
//   AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP), GetRecords (MillisBehindLatest),
//   IncreaseStreamRetentionPeriod, DecreaseStreamRetentionPeriod, AddTagsToStream,
//   ListTagsForStream, RemoveTagsFromStream
//
// Shapes and errors follow ../shared/aws-compat-checklist.md section 3 (and kinesalite's
// messages): __type without a namespace (ResourceNotFoundException, InvalidArgumentException,
// ExpiredIteratorException, ...), 56-digit sequence numbers, shardId-000000000000 ids, MD5 routing.
// Shard iterators are stateless tokens (stream, shard, position, issue time) that expire after
// `iterator_ttl_ms` (Kinesis: 5 minutes). docs/kinesis-firehose-api.md lists the differences
// from AWS.
//
// Thread-safety: handlers run concurrently; the store is thread-safe and the service's own state
// (tags, write-rate windows) is behind a mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "dynamodb/api.h"

namespace tributary::stream {
class EmbeddedStreamStore;
}

namespace tributary::streamapi {

inline constexpr std::string_view kKinesisTargetPrefix = "Kinesis_20131202.";

struct KinesisOptions {
  stream::EmbeddedStreamStore* store = nullptr;  // borrowed; outlives the registry
  const Clock* clock = nullptr;                  // default: SystemClock
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // How long a shard iterator stays valid (Kinesis: 300000 ms).
  int64_t iterator_ttl_ms = 300000;
  // Per-shard write limit in records per second, like Kinesis's 1000/s; records over it fail in
  // PutRecords with ProvisionedThroughputExceededException (PutRecord: the whole call). 0: none.
  int64_t shard_records_per_second = 0;
  // Streams the pipeline configuration reads or writes: DeleteStream refuses them
  // (ResourceInUseException) instead of pulling them from under a running pipe or delivery.
  std::set<std::string, std::less<>> protected_streams;
  // Also refused when this returns true for the name (e.g. streams that Firehose delivery streams
  // created through the API read). May be empty.
  std::function<bool(std::string_view)> stream_in_use;
};

// Adds the Kinesis_20131202.* operations above to `registry`.
void RegisterKinesis(dynamodb::OperationRegistry& registry, const KinesisOptions& options);

// arn:aws:kinesis:<region>:<account>:stream/<name>
std::string KinesisStreamArn(std::string_view region, std::string_view account_id, std::string_view name);

}  // namespace tributary::streamapi
