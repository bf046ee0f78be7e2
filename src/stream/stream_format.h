// The embedded stream's byte formats: RocksDB keys and values, sequence numbers, shard ids and
// hash-key ranges. docs/stream-format.md describes the same layout in prose; keep them in step.
//
// Every key starts with a one-byte tag. Integers inside keys are fixed-width big-endian so that
// RocksDB's bytewise order is numeric order and a shard's records are one contiguous key range.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "core/status.h"

namespace tributary::stream::format {

// Key tags.
inline constexpr char kMetaTag = 'm';        // m<name>                      store-wide values
inline constexpr char kStreamTag = 's';      // s<stream name>               StreamDescriptor
inline constexpr char kCheckpointTag = 'c';  // c<sid:4><checkpoint key>      producer checkpoint
inline constexpr char kHorizonTag = 'h';     // h<sid:4><shard:4>             trim horizon (u64)
inline constexpr char kRecordTag = 'r';      // r<sid:4><shard:4><counter:8>  record
inline constexpr char kTimeIndexTag = 't';   // t<sid:4><shard:4><second:8>   first counter (u64)

inline constexpr std::string_view kEpochKey = "mepoch";
inline constexpr std::string_view kNextStreamIdKey = "mnext_stream_id";

inline constexpr size_t kStreamPrefixSize = 5;   // tag, stream id
inline constexpr size_t kShardPrefixSize = 9;    // tag, stream id, shard index
inline constexpr size_t kShardKeySize = 17;      // tag, stream id, shard index, u64
inline constexpr size_t kRecordHeaderSize = 10;  // arrival ms (8), partition key size (2)

// Kinesis-compatible limits applied by PutRecords and CreateStream.
inline constexpr size_t kMaxPartitionKeyChars = 256;
inline constexpr size_t kMaxRecordDataBytes = 1 << 20;
inline constexpr int kMaxShardCount = 1024;
inline constexpr int kMaxRetentionHours = 8760;

// Counters: the high bits hold the store's open epoch so that a counter is never issued twice,
// even when unsynced writes were lost by a machine crash (see docs/stream-format.md).
inline constexpr int kEpochShift = 40;
// The first counter of `epoch`, or 0 once epochs no longer fit (the store then continues from
// the last stored counter, which is still unique for every crash that keeps the WAL).
inline uint64_t FirstCounterOfEpoch(uint64_t epoch) {
  return epoch < (uint64_t{1} << (64 - kEpochShift)) ? epoch << kEpochShift : 0;
}

// ---- fixed-width big-endian integers on raw buffers (the hot path; no allocation) ----

inline void PutBig32(char* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}
inline void PutBig64(char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}
inline uint32_t GetBig32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint64_t GetBig64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// A 17-byte key <tag><stream id><shard><u64>, held inline.
struct ShardKey {
  char bytes[kShardKeySize];
  ShardKey(char tag, uint32_t stream_id, uint32_t shard, uint64_t n) {
    bytes[0] = tag;
    PutBig32(bytes + 1, stream_id);
    PutBig32(bytes + 5, shard);
    PutBig64(bytes + 9, n);
  }
  std::string_view view() const { return {bytes, kShardKeySize}; }
  std::string_view shard_prefix() const { return {bytes, kShardPrefixSize}; }
};

// <tag><stream id>
std::string StreamPrefix(char tag, uint32_t stream_id);
// <tag><stream id><shard>
std::string ShardPrefix(char tag, uint32_t stream_id, uint32_t shard);
// c<stream id><checkpoint key>
std::string CheckpointKey(uint32_t stream_id, std::string_view key);
// s<name>
std::string StreamKey(std::string_view name);

// The u64 suffix of a 17-byte shard key (record counter or time-index second).
inline uint64_t ShardKeySuffix(std::string_view key) { return GetBig64(key.data() + 9); }

// ---- record values: <arrival ms: i64 BE><partition key size: u16 BE><partition key><data> ----

inline void EncodeRecordHeader(char* out, int64_t arrival_ms, size_t partition_key_size) {
  PutBig64(out, static_cast<uint64_t>(arrival_ms));
  out[8] = static_cast<char>((partition_key_size >> 8) & 0xff);
  out[9] = static_cast<char>(partition_key_size & 0xff);
}

struct RecordView {
  int64_t arrival_ms = 0;
  std::string_view partition_key;
  std::string_view data;
};
// DataLoss when the value is too short for its header.
Result<RecordView> DecodeRecordValue(std::string_view value);
// Only the arrival time; the value must hold at least a header.
inline int64_t RecordArrivalMs(std::string_view value) {
  return static_cast<int64_t>(GetBig64(value.data()));
}

// ---- stream descriptors (value of s<name>) ----

struct StreamDescriptor {
  std::string name;
  uint32_t id = 0;
  uint32_t shard_count = 0;
  uint32_t retention_hours = 0;
  int64_t creation_ms = 0;
};
// <version=1:u8><id:u32><shard count:u32><retention hours:u32><creation ms:i64>, big-endian.
std::string EncodeStreamDescriptor(const StreamDescriptor& d);
Result<StreamDescriptor> DecodeStreamDescriptor(std::string_view name, std::string_view value);

// ---- sequence numbers ----
//
// 56 decimal digits, fixed width:
//   [0,2)   "49"              format prefix (never a leading zero)
//   [2,22)  creation ms       stream creation time, ms since the epoch, 20 digits
//   [22,32) stream id         u32, 10 digits
//   [32,36) shard index       0..1023, 4 digits
//   [36,56) counter           u64, 20 digits; strictly increasing within the shard
// Within one stream every field before the counter is constant per shard, so numeric order ==
// string order == storage order.
inline constexpr size_t kSequenceNumberDigits = 56;
inline constexpr size_t kSequencePrefixDigits = 36;

struct SequenceParts {
  int64_t stream_creation_ms = 0;
  uint32_t stream_id = 0;
  uint32_t shard = 0;
  uint64_t counter = 0;
};

// The 36 constant leading digits of every sequence number of one shard.
std::string SequencePrefix(int64_t stream_creation_ms, uint32_t stream_id, uint32_t shard);
// prefix (from SequencePrefix) + counter; one allocation.
std::string FormatSequenceNumber(std::string_view prefix, uint64_t counter);
// The same, written into *out (reusing its storage).
void FormatSequenceNumberInto(std::string_view prefix, uint64_t counter, std::string* out);
std::string FormatSequenceNumber(const SequenceParts& parts);
// InvalidArgument unless `s` has exactly the layout above.
Result<SequenceParts> ParseSequenceNumber(std::string_view s);

// ---- shards ----

// "shardId-000000000007"
std::string ShardIdOf(uint32_t index);
// The index of a well-formed shard id ("shardId-" + 12 digits), else nullopt.
std::optional<uint32_t> ParseShardId(std::string_view shard_id);

// Kinesis's even split of [0, 2^128) into `shard_count` ranges: shard i starts at
// floor(i * 2^128 / shard_count) and ends one before the next shard's start (the last at 2^128-1).
std::vector<uint128> StartingHashKeys(uint32_t shard_count);
// The shard whose range holds `hash_key`, given StartingHashKeys().
uint32_t ShardForHashKey(std::span<const uint128> starting_hash_keys, uint128 hash_key);

// Kinesis stream name rule: [a-zA-Z0-9_.-]{1,128}.
bool IsValidStreamName(std::string_view name);
// Unicode characters in UTF-8 text (bytes that do not continue a sequence).
size_t Utf8CharCount(std::string_view text);

}  // namespace tributary::stream::format
