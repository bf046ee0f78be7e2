// The stream half of the table: record encoding, stream keys and sequence numbers.
//
// Layout (RocksDB column family "streams"):
//   key   = table_id (4 bytes BE) + shard index (4 bytes BE) + sequence counter (8 bytes BE)
//   value = 0x01, create_ms (8 bytes BE, at offset 1 so trimming reads it without decoding),
//           event name (1), view type (1), event id (16 raw bytes, at offset 11),
//           varint SizeBytes, len-prefixed keys (item codec), flags (bit0 new, bit1 old,
//           bit2 removed by the service: TTL), [len-prefixed new image], [len-prefixed old image]
// Images are stored only when the view type includes them, already item-encoded, so writing a
// record copies bytes and never re-encodes.
//
// Sequence numbers: one engine-wide 64-bit counter; the string form is "1" followed by the
// counter zero-padded to 20 digits (21 digits: string order == numeric order). A shard's
// sequence numbers are strictly increasing; see table_engine.h for why they are never reused.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/change_record.h"
#include "core/status.h"

namespace tributary::table {

inline constexpr size_t kStreamKeySize = 16;
inline constexpr size_t kEventIdOffset = 11;

std::string FormatSequenceNumber(uint64_t counter);
// InvalidArgument for anything FormatSequenceNumber cannot produce.
Result<uint64_t> ParseSequenceNumber(std::string_view text);

std::string StreamKey(uint32_t table_id, uint32_t shard, uint64_t counter);
std::string StreamShardPrefix(uint32_t table_id, uint32_t shard);
uint64_t StreamKeyCounter(std::string_view key);

// The shard of an item: a stable hash (FNV-1a 64) of its encoded partition key.
uint32_t ShardForPartition(std::string_view encoded_partition_key, uint32_t shard_count);

struct StreamRecordInput {
  EventName event_name = EventName::kInsert;
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  int64_t create_ms = 0;
  std::string_view keys;               // item-encoded key attributes
  const std::string* new_image = nullptr;  // item-encoded; ignored if the view excludes it
  const std::string* old_image = nullptr;
  int64_t size_bytes = 0;
  // A deletion by DynamoDB itself (TTL expiry): the record carries
  // userIdentity {"type":"Service","principalId":"dynamodb.amazonaws.com"}.
  bool by_service = false;
};

// Encodes with a zero event id; SetEventId fills it once the sequence number is known.
void EncodeStreamRecord(const StreamRecordInput& in, std::string* out);
void SetEventId(std::string* record, uint64_t counter, uint64_t salt);
int64_t StreamRecordCreateMillis(std::string_view record);

Result<ChangeRecord> DecodeStreamRecord(std::string_view record, uint64_t counter,
                                        std::string_view region);

}  // namespace tributary::table
