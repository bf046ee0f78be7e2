// The durable sharded log between the pipe and delivery, with Kinesis Data Streams semantics:
// a stream has N shards that split the 128-bit MD5 hash-key space evenly; a record goes to the
// shard whose inclusive [starting_hash_key, ending_hash_key] holds MD5(partition key) (or the
// explicit hash key); each shard assigns strictly increasing sequence numbers (decimal strings
// that must be compared as big integers); readers iterate a shard from a position; records older
// than the retention period are trimmed.
//
// Implementations: EmbeddedStreamStore (RocksDB, this folder); Kinesis and Kafka later.
//
// Thread-safety: DataStream is thread-safe. A ShardReader is owned by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "core/status.h"

namespace tributary::stream {

struct ShardInfo {
  std::string shard_id;  // "shardId-000000000000"
  uint128 starting_hash_key = 0;
  uint128 ending_hash_key = 0;
  std::string starting_sequence_number;
};

struct PutRecordEntry {
  std::string_view data;
  std::string_view partition_key;            // 1..256 characters
  std::optional<uint128> explicit_hash_key;  // overrides MD5(partition_key)
};

struct PutRecordResult {
  std::string shard_id;
  std::string sequence_number;
};

// A key/value the embedded log writes in the same atomic batch as the records, so a producer
// (the pipe) can advance its source position exactly when its records become durable.
struct ProducerCheckpoint {
  std::string key;
  std::string value;
};

struct StreamRecord {
  std::string sequence_number;
  int64_t approximate_arrival_ms = 0;
  std::string partition_key;
  std::string data;
};

enum class IteratorType {
  kTrimHorizon,
  kLatest,
  kAtSequenceNumber,
  kAfterSequenceNumber,
  kAtTimestamp
};

struct StartPosition {
  IteratorType type = IteratorType::kTrimHorizon;
  std::string sequence_number;  // for AT_/AFTER_SEQUENCE_NUMBER
  int64_t timestamp_ms = 0;     // for AT_TIMESTAMP
  static StartPosition TrimHorizon() { return {}; }
  static StartPosition Latest() { return {IteratorType::kLatest, {}, 0}; }
  static StartPosition After(std::string seq) {
    return {IteratorType::kAfterSequenceNumber, std::move(seq), 0};
  }
  static StartPosition At(std::string seq) {
    return {IteratorType::kAtSequenceNumber, std::move(seq), 0};
  }
  static StartPosition AtTimestamp(int64_t ms) { return {IteratorType::kAtTimestamp, {}, ms}; }
};

struct ReadBatch {
  std::vector<StreamRecord> records;
  int64_t millis_behind_latest = 0;  // 0 when the reader is at the shard's tip
};

// Reads one shard forward from a start position. Owned by one thread.
class ShardReader {
 public:
  virtual ~ShardReader() = default;
  // Up to max_records records after the current position (possibly none); advances past them.
  // A call may return fewer to bound its size (like Kinesis GetRecords, about 10 MiB of data).
  // OutOfRange if the position was trimmed away (TrimmedDataAccessException).
  virtual Result<ReadBatch> Read(size_t max_records) = 0;
  // Read() into a caller-owned batch whose records' strings are reused (assigned into), so a
  // consumer reading in a loop does not allocate per record. On error *batch is unspecified.
  virtual Status ReadInto(size_t max_records, ReadBatch* batch) {
    auto r = Read(max_records);
    if (!r.ok()) return r.status();
    *batch = std::move(r).value();
    return Status::Ok();
  }
  // A start position that opens a new reader exactly where this one is, even when it has read
  // nothing yet (e.g. a LATEST reader), so a stateless front door can encode it in a shard
  // iterator token. nullopt when the implementation cannot express it.
  virtual std::optional<StartPosition> ResumePosition() const { return std::nullopt; }
};

class DataStream {
 public:
  virtual ~DataStream() = default;
  virtual const std::string& name() const = 0;
  virtual std::vector<ShardInfo> ListShards() const = 0;
  // Appends records atomically (all or none), in order; results are in request order. With a
  // checkpoint, the checkpoint is written in the same atomic batch.
  virtual Result<std::vector<PutRecordResult>> PutRecords(
      std::span<const PutRecordEntry> records, const ProducerCheckpoint* checkpoint = nullptr) = 0;
  // The last value written with PutRecords(..., checkpoint) for this key, or nullopt.
  virtual Result<std::optional<std::string>> ReadProducerCheckpoint(std::string_view key) const = 0;
  virtual Result<std::unique_ptr<ShardReader>> OpenReader(std::string_view shard_id,
                                                          const StartPosition& start) = 0;
  // Sequence number of the newest record in the shard ("" when empty) and the record count
  // currently retained; for status and lag.
  virtual Result<std::string> LatestSequenceNumber(std::string_view shard_id) const = 0;

  // Blocking reads without busy polling. append_version() changes after every successful
  // PutRecords on this stream (any shard). A reader does:
  //   uint64_t v = stream->append_version();
  //   batch = reader->Read(n);                      // empty: caught up
  //   if (batch.records.empty()) stream->WaitForAppend(v, 1000);
  // Reading the version *before* Read() means an append between the two calls is never missed.
  // WaitForAppend returns true as soon as append_version() != seen_version (or the stream was
  // deleted or its store is closing; the next call then reports it), false after timeout_ms.
  // The defaults suit streams without push notification (remote ones): the version never
  // changes and WaitForAppend sleeps up to timeout_ms (at most 200 ms) and returns true, so
  // callers simply poll.
  virtual uint64_t append_version() const { return 0; }
  virtual bool WaitForAppend(uint64_t seen_version, int64_t timeout_ms);
};

// -1 / 0 / 1 comparing two sequence numbers (decimal digit strings) as unsigned big integers:
// leading zeros are ignored, then the longer number is larger, then digits compare in order.
int CompareSequenceNumbers(std::string_view a, std::string_view b);

}  // namespace tributary::stream
