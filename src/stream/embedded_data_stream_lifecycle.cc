// EmbeddedDataStream: recovery on open, retention trimming and deletion.

#include <algorithm>
#include <limits>

#include "stream/embedded_data_stream.h"
#include "stream/rocks_status.h"

namespace tributary::stream {

using format::kHorizonTag;
using format::kRecordTag;
using format::kTimeIndexTag;
using format::ShardKey;

namespace {

constexpr int64_t kMillisPerHour = 3'600'000;

}  // namespace

Status EmbeddedDataStream::Recover(uint64_t epoch) {
  const rocksdb::ReadOptions options;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  const uint64_t epoch_floor = format::FirstCounterOfEpoch(epoch);
  std::lock_guard<std::mutex> lock(write_mu_);
  for (uint32_t i = 0; i < descriptor_.shard_count; ++i) {
    Shard& s = shards_[i];
    uint64_t horizon = 0;
    std::string value;
    rocksdb::Status st =
        db_->Get(options, format::ShardPrefix(kHorizonTag, descriptor_.id, i), &value);
    if (st.ok()) {
      if (value.size() != 8) return Status::DataLoss("malformed trim horizon in " + name());
      horizon = format::GetBig64(value.data());
    } else if (!st.IsNotFound()) {
      return FromRocks(st, "recovering stream " + name());
    }

    uint64_t next = std::max(horizon, epoch_floor);
    int64_t newest_arrival = 0;
    int64_t indexed_second = -1;
    const ShardKey last(kRecordTag, descriptor_.id, i, std::numeric_limits<uint64_t>::max());
    it->SeekForPrev(rocksdb::Slice(last.bytes, format::kShardKeySize));
    if (it->Valid() &&
        it->key().starts_with(rocksdb::Slice(last.bytes, format::kShardPrefixSize))) {
      if (it->key().size() != format::kShardKeySize ||
          it->value().size() < format::kRecordHeaderSize) {
        return Status::DataLoss("malformed record in stream " + name());
      }
      const uint64_t counter = format::ShardKeySuffix({it->key().data(), it->key().size()});
      if (counter == std::numeric_limits<uint64_t>::max()) {
        return Status::ResourceExhausted("sequence numbers exhausted in " + s.shard_id);
      }
      next = std::max(next, counter + 1);
      newest_arrival = format::RecordArrivalMs({it->value().data(), it->value().size()});
      indexed_second = newest_arrival / 1000;
    }
    TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "recovering stream " + name()));

    s.next_counter = next;
    s.last_arrival_ms = newest_arrival;
    s.last_indexed_second = indexed_second;
    s.committed_indexed_second = indexed_second;
    s.newest_arrival_ms.store(newest_arrival);
    s.trim_horizon.store(horizon);
    s.committed_next_counter.store(next);
  }
  return Status::Ok();
}

Result<int64_t> EmbeddedDataStream::TrimExpired() {
  std::lock_guard<std::mutex> lock(trim_mu_);
  if (deleted_.load()) return int64_t{0};
  const int64_t cutoff =
      clock_->NowMillis() - static_cast<int64_t>(retention_hours_.load()) * kMillisPerHour;

  struct ShardTrim {
    uint32_t shard;
    uint64_t old_horizon;
    uint64_t new_horizon;
  };
  std::vector<ShardTrim> trims;
  rocksdb::WriteBatch batch;
  int64_t total = 0;
  {
    const std::string upper = format::StreamPrefix(kRecordTag, descriptor_.id + 1);
    const rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    for (uint32_t i = 0; i < descriptor_.shard_count; ++i) {
      const uint64_t horizon = shards_[i].trim_horizon.load();
      const ShardKey start(kRecordTag, descriptor_.id, i, horizon);
      const rocksdb::Slice prefix(start.bytes, format::kShardPrefixSize);
      // Arrival times never decrease within a shard, so the expired records are a prefix.
      int64_t count = 0;
      uint64_t new_horizon = horizon;
      int64_t boundary_second = 0;  // time-index entries before this second are deleted
      for (it->Seek(rocksdb::Slice(start.bytes, format::kShardKeySize));
           it->Valid() && it->key().starts_with(prefix); it->Next()) {
        if (it->key().size() != format::kShardKeySize ||
            it->value().size() < format::kRecordHeaderSize) {
          return Status::DataLoss("malformed record in stream " + name());
        }
        const int64_t arrival = format::RecordArrivalMs({it->value().data(), it->value().size()});
        const uint64_t counter = format::ShardKeySuffix({it->key().data(), it->key().size()});
        boundary_second = arrival / 1000;
        if (arrival >= cutoff) {
          new_horizon = counter;
          break;
        }
        new_horizon = counter + 1;
        ++count;
      }
      TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "trimming stream " + name()));
      if (count == 0) continue;
      total += count;
      trims.push_back({i, horizon, new_horizon});

      const ShardKey record_begin(kRecordTag, descriptor_.id, i, 0);
      const ShardKey record_end(kRecordTag, descriptor_.id, i, new_horizon);
      const ShardKey index_begin(kTimeIndexTag, descriptor_.id, i, 0);
      // Exclusive of the boundary second: its entry may also cover retained records (or, when
      // everything expired, records appended in that second later); a stale entry pointing
      // below the horizon is harmless because lookups clamp to the horizon.
      const ShardKey index_end(kTimeIndexTag, descriptor_.id, i,
                               static_cast<uint64_t>(std::max<int64_t>(boundary_second, 0)));
      char horizon_bytes[8];
      format::PutBig64(horizon_bytes, new_horizon);
      rocksdb::Status st = batch.DeleteRange(record_begin.view(), record_end.view());
      if (st.ok()) st = batch.DeleteRange(index_begin.view(), index_end.view());
      if (st.ok()) {
        st = batch.Put(format::ShardPrefix(kHorizonTag, descriptor_.id, i),
                       rocksdb::Slice(horizon_bytes, 8));
      }
      TRIB_RETURN_IF_ERROR(FromRocks(st, "trimming stream " + name()));
    }
  }
  if (trims.empty()) return int64_t{0};

  // Raise the horizons before deleting: a reader that checks its position after creating its
  // iterator then either sees the records or reports OutOfRange.
  for (const ShardTrim& t : trims) shards_[t.shard].trim_horizon.store(t.new_horizon);
  rocksdb::WriteOptions write_options = write_options_;
  const rocksdb::Status st = db_->Write(write_options, &batch);
  if (!st.ok()) {
    for (const ShardTrim& t : trims) shards_[t.shard].trim_horizon.store(t.old_horizon);
    return FromRocks(st, "trimming stream " + name());
  }
  return total;
}

Status EmbeddedDataStream::Delete() {
  std::lock_guard<std::mutex> trim_lock(trim_mu_);
  std::lock_guard<std::mutex> write_lock(write_mu_);
  TRIB_RETURN_IF_ERROR(CheckLive());
  rocksdb::WriteBatch batch;
  rocksdb::Status st = batch.Delete(format::StreamKey(descriptor_.name));
  for (char tag : {format::kCheckpointTag, kHorizonTag, kRecordTag, kTimeIndexTag}) {
    if (!st.ok()) break;
    st = batch.DeleteRange(format::StreamPrefix(tag, descriptor_.id),
                           format::StreamPrefix(tag, descriptor_.id + 1));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  if (st.ok()) st = db_->Write(write_options, &batch);
  TRIB_RETURN_IF_ERROR(FromRocks(st, "deleting stream " + name()));
  deleted_.store(true);
  WakeAll();
  return Status::Ok();
}

}  // namespace tributary::stream

namespace tributary::stream {

Status EmbeddedDataStream::SetRetentionHours(uint32_t hours) {
  std::lock_guard<std::mutex> trim_lock(trim_mu_);
  TRIB_RETURN_IF_ERROR(CheckLive());
  format::StreamDescriptor d = descriptor_;
  d.retention_hours = hours;
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  TRIB_RETURN_IF_ERROR(FromRocks(db_->Put(write_options, format::StreamKey(d.name), format::EncodeStreamDescriptor(d)),
                                 "changing the retention of stream " + name()));
  retention_hours_.store(hours);
  return Status::Ok();
}

}  // namespace tributary::stream
