// EmbeddedDataStream: one stream of an EmbeddedStreamStore (internal to src/stream/; users see
// it as a DataStream*). docs/stream-format.md has the on-disk layout.
//
// Writes: PutRecords turns the whole request (plus the optional producer checkpoint) into one
// rocksdb::WriteBatch. Counters are assigned and the batch is written under write_mu_, so the
// records of a shard become visible in counter order and a reader never skips one. After the
// write, each touched shard publishes its new tip (committed_next_counter) and the stream bumps
// append_version() and wakes WaitForAppend().
//
// Reads: a reader holds its next counter; Read() does one Seek and walks forward under an
// iterate_upper_bound, so readers take no lock shared with writers.
//
// Trimming: TrimExpired() deletes a shard's expired prefix with DeleteRange and raises the
// shard's trim horizon (first counter not trimmed). The in-memory horizon is raised *before* the
// delete is written, and readers check it *after* creating their iterator, so a reader either
// sees its records or gets OutOfRange, never a silent gap.
//
// Thread-safety: all public methods are thread-safe. The rocksdb::DB and Clock must outlive the
// object; readers must not outlive it.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "stream/stream.h"
#include "stream/stream_format.h"

namespace tributary::stream {

class EmbeddedDataStream final : public DataStream {
 public:
  EmbeddedDataStream(rocksdb::DB* db, const Clock* clock, format::StreamDescriptor descriptor,
                     bool sync_writes);
  ~EmbeddedDataStream() override;
  EmbeddedDataStream(const EmbeddedDataStream&) = delete;
  EmbeddedDataStream& operator=(const EmbeddedDataStream&) = delete;

  // Loads each shard's trim horizon, newest record and next counter from the database. Called
  // once, before the stream is shared. New counters are at least FirstCounterOfEpoch(epoch).
  Status Recover(uint64_t epoch);

  const std::string& name() const override { return descriptor_.name; }
  std::vector<ShardInfo> ListShards() const override;
  Result<std::vector<PutRecordResult>> PutRecords(
      std::span<const PutRecordEntry> records,
      const ProducerCheckpoint* checkpoint = nullptr) override;
  Result<std::optional<std::string>> ReadProducerCheckpoint(std::string_view key) const override;
  Result<std::unique_ptr<ShardReader>> OpenReader(std::string_view shard_id,
                                                  const StartPosition& start) override;
  Result<std::string> LatestSequenceNumber(std::string_view shard_id) const override;
  uint64_t append_version() const override { return append_version_.load(); }
  bool WaitForAppend(uint64_t seen_version, int64_t timeout_ms) override;

  // Deletes records that arrived more than retention_hours ago; returns how many.
  Result<int64_t> TrimExpired();
  // Deletes every key of this stream (one synced batch) and marks it deleted: later calls return
  // NotFound and waiters wake up. The object itself stays alive until the store closes.
  Status Delete();
  // Wakes every WaitForAppend() (the store is closing).
  void WakeAll();

  const format::StreamDescriptor& descriptor() const { return descriptor_; }
  // The retention in force (descriptor_ holds the one at open; SetRetentionHours changes it).
  uint32_t retention_hours() const { return retention_hours_.load(); }
  // Rewrites the stream's descriptor with a new retention (one synced write) and uses it from
  // the next TrimExpired. NotFound once deleted.
  Status SetRetentionHours(uint32_t hours);

 private:
  friend class EmbeddedShardReader;

  struct Shard {
    // Constant after construction.
    std::string shard_id;
    std::string sequence_prefix;  // the 36 leading digits of its sequence numbers
    uint128 starting_hash_key = 0;
    uint128 ending_hash_key = 0;

    // Guarded by write_mu_: the values while a batch is built, and the last committed ones to
    // roll back to when a write fails.
    uint64_t next_counter = 0;
    int64_t last_arrival_ms = 0;
    int64_t last_indexed_second = -1;
    int64_t committed_indexed_second = -1;
    bool touched = false;

    // Published after each successful write or trim; read without locks.
    std::atomic<uint64_t> committed_next_counter{0};
    std::atomic<int64_t> newest_arrival_ms{0};
    std::atomic<uint64_t> trim_horizon{0};
  };

  Status CheckLive() const;
  Result<uint32_t> ShardIndexOf(std::string_view shard_id) const;
  // The first counter whose record arrived at or after timestamp_ms (the tip if none).
  Result<uint64_t> PositionAtTimestamp(uint32_t shard, int64_t timestamp_ms) const;
  std::string SequenceNumberOf(uint32_t shard, uint64_t counter) const {
    return format::FormatSequenceNumber(shards_[shard].sequence_prefix, counter);
  }
  void SequenceNumberInto(uint32_t shard, uint64_t counter, std::string* out) const {
    format::FormatSequenceNumberInto(shards_[shard].sequence_prefix, counter, out);
  }

  // Constant after construction.
  rocksdb::DB* const db_;
  const Clock* const clock_;
  const format::StreamDescriptor descriptor_;
  rocksdb::WriteOptions write_options_;
  std::vector<uint128> starting_hash_keys_;
  std::unique_ptr<Shard[]> shards_;

  std::mutex write_mu_;  // serializes PutRecords (counter assignment + write)
  std::mutex trim_mu_;   // serializes TrimExpired and Delete; taken before write_mu_
  std::atomic<bool> deleted_{false};
  std::atomic<uint32_t> retention_hours_{0};  // written under trim_mu_

  mutable std::mutex wait_mu_;
  std::condition_variable append_cv_;  // notified under wait_mu_ ordering, see WaitForAppend
  std::atomic<uint64_t> append_version_{0};
  bool waking_all_ = false;  // guarded by wait_mu_
};

}  // namespace tributary::stream
