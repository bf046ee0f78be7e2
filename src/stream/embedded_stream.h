// EmbeddedStreamStore: the embedded, durable implementation of DataStream, one RocksDB database
// holding any number of streams. Byte layout, sequence numbers and crash behaviour are in
// docs/stream-format.md.
//
//   auto store = EmbeddedStreamStore::Open(dir, SystemClock::Default(), {});
//   DataStream* s = *(*store)->CreateStream("orders", 4);
//   s->PutRecords(entries, &checkpoint);              // records + checkpoint, one atomic write
//   auto reader = *s->OpenReader("shardId-000000000000", StartPosition::TrimHorizon());
//
// Durability: every PutRecords is one write to RocksDB's write-ahead log. With
// sync_writes=false (default) an acknowledged batch survives kill -9 of the process (the WAL is
// in the OS page cache) but not a machine crash; with sync_writes=true each batch is fsynced
// before PutRecords returns. Stream creation and deletion are always synced.
//
// Differences from the Kinesis API, on purpose: PutRecords accepts any number of records
// (Kinesis: 500 per call) and an empty record list with a checkpoint (to advance a producer
// position past events it filtered out); retention may be 1..8760 hours (Kinesis: 24..8760).
//
// Thread-safety: the store and its streams are thread-safe. Lifetimes: DataStream pointers stay
// valid until the store is destroyed, even after DeleteStream (calls on a deleted stream return
// NotFound). Readers must not outlive the store, and no call may be in flight (including
// WaitForAppend) when the store is destroyed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "stream/stream.h"

namespace rocksdb {
class DB;
}

namespace tributary::stream {

class EmbeddedDataStream;

struct EmbeddedStreamOptions {
  // fsync the WAL on every PutRecords (and trim). Off: survives process crashes, not power loss.
  bool sync_writes = false;
  // RocksDB memtable size; larger absorbs bursts with fewer flushes.
  size_t write_buffer_bytes = 64 << 20;
};

struct StreamDescription {
  std::string name;
  int shard_count = 0;
  int retention_hours = 0;
  int64_t creation_ms = 0;
};

class EmbeddedStreamStore {
 public:
  using Options = EmbeddedStreamOptions;

  // Opens (creating if needed) the store in `dir`. `clock` (nullptr: SystemClock::Default())
  // stamps arrival times and drives retention; it must outlive the store. Unavailable when
  // another process holds the directory.
  static Result<std::unique_ptr<EmbeddedStreamStore>> Open(const std::string& dir,
                                                           const Clock* clock,
                                                           Options options = {});
  ~EmbeddedStreamStore();
  EmbeddedStreamStore(const EmbeddedStreamStore&) = delete;
  EmbeddedStreamStore& operator=(const EmbeddedStreamStore&) = delete;

  // Creates a stream with `shard_count` (1..1024) shards splitting the hash-key space evenly.
  // Idempotent: returns the existing stream when one with the same shard count and retention
  // exists; AlreadyExists when it differs. InvalidArgument for a name outside
  // [a-zA-Z0-9_.-]{1,128} or a count/retention out of range.
  Result<DataStream*> CreateStream(std::string_view name, int shard_count,
                                   int retention_hours = 24);
  // NotFound when there is no such stream.
  Result<DataStream*> GetStream(std::string_view name) const;
  Result<StreamDescription> DescribeStream(std::string_view name) const;
  // Names in byte order.
  std::vector<std::string> ListStreams() const;
  // Deletes the stream and all its records and checkpoints. NotFound when absent.
  Status DeleteStream(std::string_view name);
  // Changes a stream's retention (1..8760 hours; persisted, synced); records older than the new
  // period go at the next TrimExpired. NotFound when absent, InvalidArgument when out of range.
  Status SetRetentionHours(std::string_view name, int retention_hours);
  // Deletes, in every stream, the records that arrived more than the stream's retention period
  // ago; returns how many. Call periodically (e.g. every minute). Positions inside the trimmed
  // range then give OutOfRange; TRIM_HORIZON starts at the oldest remaining record.
  Result<int64_t> TrimExpired();
  // Flushes memtables and compacts everything, then returns when RocksDB is idle. For
  // benchmarks that measure readers of a quiescent, pre-filled log.
  Status CompactAll();

 private:
  EmbeddedStreamStore(std::unique_ptr<rocksdb::DB> db, const Clock* clock, Options options,
                      uint64_t epoch, uint32_t next_stream_id);
  Status LoadStreams();

  // Constant after construction.
  std::unique_ptr<rocksdb::DB> db_;
  const Clock* const clock_;
  const Options options_;
  const uint64_t epoch_;  // this open's epoch, see docs/stream-format.md

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<EmbeddedDataStream>, std::less<>> streams_;  // mu_
  std::vector<std::unique_ptr<EmbeddedDataStream>> deleted_streams_;  // guarded by mu_
  uint32_t next_stream_id_;                                           // guarded by mu_
};

}  // namespace tributary::stream
