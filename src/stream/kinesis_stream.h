// KinesisDataStream: the DataStream interface (stream.h) over the Kinesis Data Streams API
// (AWS, moto_server, kinesalite), through an AwsJsonCaller. docs/aws-sources.md describes it for
// users; the parts that matter for correctness:
//
// PutRecords. A batch is sent in "waves": the n-th record of a partition key in the batch goes
// in wave n, so one request never holds two records of the same key. Within a wave, requests of
// at most 500 records and 5 MiB are sent; entries that fail (FailedRecordCount > 0:
// ProvisionedThroughputExceededException, InternalFailure) are retried alone, with jittered
// backoff, until they succeed or max_put_attempts is reached. A later record of a key is
// therefore sent only after every earlier one was acknowledged: per-key order holds even with
// partial failures, at the cost of one extra round trip per repeat of a key in a batch.
//
// Rate limits. Each open shard has two client-side token buckets (records_per_shard_second,
// bytes_per_shard_second: Kinesis' 1000 records/s and 1 MiB/s); a request waits until the
// shards it writes to have room, so a steady producer is paced instead of throttled.
//
// Producer checkpoints (exactly once). Kinesis cannot write a checkpoint atomically with the
// records, so they live in a ProducerCheckpointStore (the catalog): before a PutRecords that
// carries a checkpoint, "<key>#intent" = now ms is stored; after every record is acknowledged
// the checkpoint is stored and the intent cleared. A crash in between leaves the intent: the
// first ReadProducerCheckpoint(key) of the next process reads every shard from AT_TIMESTAMP
// (intent - recovery_margin_ms) to the tip and remembers the MD5 of each record's partition key
// and data; the pipe then re-puts the same batch (same records, same bytes: the payload is a
// pure function of the change record), and entries already in the stream are dropped instead of
// duplicated. Records of a PutRecords that failed after a partial success are remembered in
// memory the same way. docs/delivery-semantics.md ("Kinesis as the stream") has the argument.
//
// Reading. OpenReader takes a shard iterator of the StartPosition's type; Read() is GetRecords
// (Limit <= 10000), renews an expired iterator (5 minutes) after the last sequence number read,
// and returns nothing forever once a closed shard is drained. ListShards is paged (NextToken)
// and cached for list_interval_ms; it returns every shard, open and closed, with ParentShardId.
//
// Thread-safety: thread-safe; a ShardReader is owned by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/aws_json_caller.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "stream/stream.h"

namespace tributary::stream {

// Where a remote stream keeps producer checkpoints (the runtime adapts the catalog).
class ProducerCheckpointStore {
 public:
  virtual ~ProducerCheckpointStore() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
};

struct KinesisShardLineage {
  std::string shard_id;
  std::string parent_shard_id;
  std::string adjacent_parent_shard_id;
  bool closed = false;  // has an EndingSequenceNumber
};

struct KinesisStreamOptions {
  std::string name;                      // the Kinesis stream name
  int create_shards = 0;                 // > 0: CreateStream with this many shards when missing
  int64_t records_per_shard_second = 1000;
  int64_t bytes_per_shard_second = 1 << 20;
  int max_put_attempts = 30;             // per entry, for partial failures
  int64_t backoff_base_ms = 50;
  int64_t backoff_cap_ms = 2000;
  int64_t list_interval_ms = 10000;      // ListShards cache
  int64_t recovery_margin_ms = 5 * 60 * 1000;  // clock skew allowance for the recovery scan
  ProducerCheckpointStore* checkpoints = nullptr;  // required for PutRecords with a checkpoint
  const Clock* clock = nullptr;          // default: SystemClock
  // Sleeps (rate limiting, backoff, create wait); default std::this_thread::sleep_for. Tests
  // with a ManualClock advance it instead.
  std::function<void(int64_t ms)> sleep;
  MetricsRegistry* metrics = nullptr;
};

class KinesisDataStream final : public DataStream {
 public:
  // Checks the stream exists (DescribeStreamSummary), creating it when create_shards > 0, and
  // waits until it is ACTIVE. `api` must outlive the stream.
  static Result<std::unique_ptr<KinesisDataStream>> Open(KinesisStreamOptions options, AwsJsonCaller* api);

  const std::string& name() const override { return options_.name; }
  // Every shard (open and closed); empty when ListShards fails (ListShardsOrError says why).
  std::vector<ShardInfo> ListShards() const override;
  Result<std::vector<ShardInfo>> ListShardsOrError() const;
  Result<std::vector<KinesisShardLineage>> Lineage() const;
  Result<std::vector<PutRecordResult>> PutRecords(std::span<const PutRecordEntry> records,
                                                  const ProducerCheckpoint* checkpoint = nullptr) override;
  Result<std::optional<std::string>> ReadProducerCheckpoint(std::string_view key) const override;
  Result<std::unique_ptr<ShardReader>> OpenReader(std::string_view shard_id, const StartPosition& start) override;
  // Kinesis has no cheap "newest sequence number" call: Unimplemented.
  Result<std::string> LatestSequenceNumber(std::string_view shard_id) const override;

  // For tests and status.
  struct PutStats {
    int64_t requests = 0;
    int64_t entries_retried = 0;     // partial-failure retries
    int64_t entries_deduplicated = 0;  // dropped because already in the stream
    int64_t throttle_waits_ms = 0;   // client-side pacing
  };
  PutStats put_stats() const;

  AwsJsonCaller& api() const { return *api_; }
  const Clock& clock() const { return *clock_; }
  void Sleep(int64_t ms) const;

 private:
  struct Listing {
    std::vector<ShardInfo> shards;
    std::vector<KinesisShardLineage> lineage;
    int64_t at_ms = -1;
  };
  struct Bucket {
    double records = 0, bytes = 0;
    int64_t at_ns = 0;
  };

  KinesisDataStream(KinesisStreamOptions options, AwsJsonCaller* api);
  Status EnsureActive();
  Result<Listing> Refresh() const;
  Result<Listing> CurrentListing() const;
  // Waits for room for `records`/`bytes` on each shard.
  void Pace(const std::map<std::string, std::pair<int64_t, int64_t>>& per_shard);
  // Sends one wave; fills results for its entries (indices into the batch).
  Status PutWave(std::span<const PutRecordEntry> all, const std::vector<size_t>& wave,
                 std::vector<PutRecordResult>& results, std::set<uint128>* dedup,
                 std::vector<uint128>* succeeded_digests);
  Status Recover(std::string_view key) const;  // the recovery scan after a crash
  std::string IntentKey(std::string_view key) const { return std::string(key) + "#intent"; }
  int64_t Backoff(int attempt) const;

  // Constant after construction.
  const KinesisStreamOptions options_;
  AwsJsonCaller* api_;
  const Clock* clock_;
  Counter* put_records_counter_ = nullptr;
  Counter* put_retries_counter_ = nullptr;

  mutable std::mutex mu_;
  mutable Listing listing_;                                  // guarded by mu_
  std::map<std::string, Bucket> buckets_;                    // guarded by mu_
  mutable std::map<std::string, std::set<uint128>> dedup_;   // guarded by mu_: key -> digests
  mutable std::set<std::string> recovered_;                  // guarded by mu_
  PutStats put_stats_;                                       // guarded by mu_
  std::mutex put_mu_;  // one PutRecords at a time keeps waves and pacing simple
};

// MD5 of partition key, a 0x1f separator and the data: how recovery recognises a record.
uint128 RecordDigest(std::string_view partition_key, std::string_view data);

}  // namespace tributary::stream
