// DynamoDbStreamsSource: a capture Source over the DynamoDB Streams API (AWS, moto_server, or
// Tributary's own local endpoint), plus an optional initial backfill of the table by parallel
// Scan. docs/aws-sources.md describes the behaviour for users; in short:
//
// Shards. DescribeStream (paged by ExclusiveStartShardId) is re-run every describe_interval_ms
// and whenever a shard is closed. ListShards() returns only shards that may be read now, parents
// first: a shard whose parent is still listed is held back until this source has read the parent
// to its end (GetRecords returned no NextShardIterator), so per-item order holds across splits
// and roll-overs.
//
// Iterators. One cached iterator per shard, reused while the caller asks for the position it
// points after. A new one is taken with AFTER_SEQUENCE_NUMBER (the caller's checkpoint), or for
// a shard without checkpoint: TRIM_HORIZON, or LATEST when so configured and the shard was open
// when this source first saw it and its parent was not read by this source (a child of a shard
// this source read always starts at TRIM_HORIZON). Iterators older than iterator_max_age_ms are
// renewed before use (AWS expires them after 15 minutes) and ExpiredIteratorException renews
// and retries once.
//
// Trimmed positions. TrimmedDataAccessException (the checkpoint is older than the 24 h
// retention: records were lost) is loud: counted in tributary_source_trimmed_total{source=...},
// written to stderr, and returned as kOutOfRange (policy kFail, the default: the pipe stops
// moving that shard and reports the error until an operator acts), or, with policy
// kRestartAtTrimHorizon, reading goes on at the oldest retained record.
//
// Readers. Reads of one shard are serialised inside the source (one GetRecords in flight per
// shard), so one pipe is one reader per shard; AWS allows two per shard.
//
// Backfill (backfill_segments > 0). The table is scanned with Scan{Segment, TotalSegments,
// ConsistentRead} as extra pseudo-shards "backfill-<i>-of-<n>" that the pipe moves like stream
// shards, so backfill pages and stream batches alternate and the stream never waits for the
// backfill (it cannot fall out of retention). Each scanned item becomes an INSERT record with
// eventID "backfill-<i>-of-<n>-<k>", NewImage = the item, Keys = its key attributes, and
// ApproximateCreationDateTime = when the page was requested; its SequenceNumber is "b:" + the
// item's key in DynamoDB JSON, which is also where the scan resumes after a restart.
//
// Thread-safety: thread-safe. `streams` / `dynamodb` must outlive the source.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "capture/source.h"
#include "core/aws_json_caller.h"
#include "core/clock.h"
#include "core/metrics.h"

namespace tributary::capture {

enum class StartingPosition : uint8_t { kTrimHorizon, kLatest };
enum class TrimmedPolicy : uint8_t { kFail, kRestartAtTrimHorizon };

struct DynamoDbStreamsSourceOptions {
  std::string name = "dynamodb-streams";  // for metrics and messages (the pipe's name)
  std::string stream_arn;                 // or, when empty, the table's latest stream
  std::string table;                      // needed when stream_arn is empty or with backfill
  StartingPosition starting_position = StartingPosition::kTrimHorizon;
  TrimmedPolicy on_trimmed = TrimmedPolicy::kFail;
  int64_t poll_interval_ms = 250;          // wait after an empty poll (Pipes poll ~4 times/s)
  int64_t max_poll_interval_ms = 2000;     // backoff cap while shards stay empty
  int64_t describe_interval_ms = 10000;    // shard re-discovery
  int64_t iterator_max_age_ms = 14 * 60 * 1000;
  int backfill_segments = 0;               // 0: no backfill; else 1..1000 Scan segments
  const Clock* clock = nullptr;            // default: SystemClock
  MetricsRegistry* metrics = nullptr;      // may be null
};

class DynamoDbStreamsSource final : public Source {
 public:
  // `streams` speaks DynamoDBStreams_20120810.*; `dynamodb` speaks DynamoDB_20120810.* and is
  // needed (non-null) only to resolve a table's stream or to backfill. Resolves the stream ARN
  // and reads its description once (errors: NotFound, FailedPrecondition without a stream).
  static Result<std::unique_ptr<DynamoDbStreamsSource>> Create(DynamoDbStreamsSourceOptions options,
                                                               AwsJsonCaller* streams,
                                                               AwsJsonCaller* dynamodb);

  std::string source_arn() const override { return stream_arn_; }
  Result<std::vector<std::string>> ListShards() const override;
  Result<std::vector<ChangeRecord>> Read(std::string_view shard_id, std::string_view after_position,
                                         size_t max_records) const override;
  uint64_t change_version() const override { return version_.load(); }
  // Sleeps the current poll interval (growing while polls come back empty), then returns true.
  bool WaitForChanges(uint64_t seen_version, int64_t timeout_ms) const override;

  static bool IsBackfillShard(std::string_view shard_id) { return shard_id.rfind("backfill-", 0) == 0; }

 private:
  struct ShardState {
    std::string parent;
    bool closed = false;           // has an EndingSequenceNumber
    bool open_at_first_sight = false;
    bool consumed = false;         // this source got an iterator for it
    bool drained = false;          // read to its end (closed shards only)
    std::string iterator;
    std::string iterator_after;    // the position the cached iterator continues after
    int64_t iterator_taken_ms = 0;
    std::shared_ptr<std::mutex> read_mu = std::make_shared<std::mutex>();
  };

  DynamoDbStreamsSource(DynamoDbStreamsSourceOptions options, AwsJsonCaller* streams,
                        AwsJsonCaller* dynamodb);
  Status ResolveStream();
  Status Describe() const;  // refreshes shards_ (takes mu_)
  Result<std::string> NewIterator(const std::string& shard_id, std::string_view after,
                                  bool trim_horizon) const;
  Result<std::vector<ChangeRecord>> ReadStreamShard(const std::string& shard_id,
                                                    std::string_view after, size_t max) const;
  Result<std::vector<ChangeRecord>> ReadBackfill(const std::string& segment_id,
                                                 std::string_view after, size_t max) const;
  Status TrimmedError(const std::string& shard_id, std::string_view after,
                      const Status& cause) const;
  int64_t NowMs() const { return clock_->NowMillis(); }

  // Constant after construction.
  DynamoDbStreamsSourceOptions options_;
  AwsJsonCaller* streams_;
  AwsJsonCaller* dynamodb_;
  const Clock* clock_;
  std::string stream_arn_;
  std::string table_;
  std::vector<std::string> key_names_;  // hash key, then range key (backfill)
  Counter* trimmed_counter_ = nullptr;
  Counter* records_counter_ = nullptr;
  Counter* backfilled_counter_ = nullptr;

  mutable std::atomic<uint64_t> version_{1};
  mutable std::atomic<int> empty_polls_{0};

  mutable std::mutex mu_;
  mutable std::map<std::string, ShardState> shards_;    // guarded by mu_; in description order
  mutable std::vector<std::string> shard_order_;        // guarded by mu_
  mutable bool described_once_ = false;                 // guarded by mu_
  mutable int64_t described_at_ms_ = 0;                 // guarded by mu_
  mutable std::map<std::string, bool> backfill_done_;   // guarded by mu_: segment id -> done
};

}  // namespace tributary::capture
