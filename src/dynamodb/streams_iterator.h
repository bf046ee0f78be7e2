// DynamoDB Streams shard iterators: an opaque string that carries the stream ARN, the shard, the
// read position and the creation time, with a keyed checksum so that a damaged or invented
// iterator is rejected ("Invalid ShardIterator") instead of being read.
//
// Form: "<stream arn>|1|<base64 payload>", like DynamoDB's own (which start with the stream ARN).
// Payload: version (1), kind (0 trim horizon, 1 after a counter), counter (8 BE), created ms
// (8 BE), length-prefixed shard id, then the first 8 bytes of MD5(secret | arn | the above).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "table/table_stream_admin.h"

namespace tributary::dynamodb {

// An iterator lives 15 minutes (by the engine's Clock).
inline constexpr int64_t kShardIteratorLifetimeMs = 15 * 60 * 1000;

struct ShardIteratorState {
  std::string stream_arn;
  std::string shard_id;
  table::ShardPosition position;
  int64_t created_ms = 0;
};

std::string EncodeShardIterator(const ShardIteratorState& state);
// InvalidArgument for anything EncodeShardIterator did not produce.
Result<ShardIteratorState> DecodeShardIterator(std::string_view text);

// "Iterator expired. The iterator was created at time <X> while right now it is <Y> which is
// further in the future than the tolerated delay of 900000 milliseconds." (times as
// "Tue Nov 14 22:13:20 UTC 2023").
std::string ExpiredIteratorMessage(int64_t created_ms, int64_t now_ms);

}  // namespace tributary::dynamodb
