#include "stream/embedded_data_stream.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "stream/embedded_shard_reader.h"
#include "stream/rocks_status.h"

namespace tributary::stream {

using format::kRecordTag;
using format::kTimeIndexTag;
using format::ShardKey;

EmbeddedDataStream::EmbeddedDataStream(rocksdb::DB* db, const Clock* clock,
                                       format::StreamDescriptor descriptor, bool sync_writes)
    : db_(db),
      clock_(clock),
      descriptor_(std::move(descriptor)),
      starting_hash_keys_(format::StartingHashKeys(descriptor_.shard_count)),
      shards_(std::make_unique<Shard[]>(descriptor_.shard_count)) {
  retention_hours_.store(descriptor_.retention_hours);
  write_options_.sync = sync_writes;
  for (uint32_t i = 0; i < descriptor_.shard_count; ++i) {
    Shard& s = shards_[i];
    s.shard_id = format::ShardIdOf(i);
    s.sequence_prefix = format::SequencePrefix(descriptor_.creation_ms, descriptor_.id, i);
    s.starting_hash_key = starting_hash_keys_[i];
    s.ending_hash_key =
        i + 1 < descriptor_.shard_count ? starting_hash_keys_[i + 1] - 1 : ~uint128{0};
  }
}

EmbeddedDataStream::~EmbeddedDataStream() = default;

Status EmbeddedDataStream::CheckLive() const {
  if (deleted_.load()) return Status::NotFound("stream " + descriptor_.name + " was deleted");
  return Status::Ok();
}

Result<uint32_t> EmbeddedDataStream::ShardIndexOf(std::string_view shard_id) const {
  const std::optional<uint32_t> index = format::ParseShardId(shard_id);
  if (!index || *index >= descriptor_.shard_count) {
    return Status::NotFound("shard " + std::string(shard_id) + " not found in stream " +
                            descriptor_.name);
  }
  return *index;
}

std::vector<ShardInfo> EmbeddedDataStream::ListShards() const {
  std::vector<ShardInfo> out;
  out.reserve(descriptor_.shard_count);
  for (uint32_t i = 0; i < descriptor_.shard_count; ++i) {
    const Shard& s = shards_[i];
    out.push_back({s.shard_id, s.starting_hash_key, s.ending_hash_key, SequenceNumberOf(i, 0)});
  }
  return out;
}

Result<std::vector<PutRecordResult>> EmbeddedDataStream::PutRecords(
    std::span<const PutRecordEntry> records, const ProducerCheckpoint* checkpoint) {
  // Validate and route before taking the lock.
  struct Placement {
    uint32_t shard;
    uint64_t counter;
  };
  std::vector<Placement> placements(records.size());
  size_t batch_bytes = 64;
  for (size_t i = 0; i < records.size(); ++i) {
    const PutRecordEntry& r = records[i];
    const size_t chars = format::Utf8CharCount(r.partition_key);
    if (chars == 0 || chars > format::kMaxPartitionKeyChars) {
      return Status::InvalidArgument("record " + std::to_string(i) +
                                     ": partition key must be 1 to 256 characters");
    }
    if (r.data.size() > format::kMaxRecordDataBytes) {
      return Status::InvalidArgument("record " + std::to_string(i) +
                                     ": data is larger than 1 MiB (1048576 bytes)");
    }
    const uint128 hash = r.explicit_hash_key ? *r.explicit_hash_key : HashKeyOf(r.partition_key);
    placements[i].shard = format::ShardForHashKey(starting_hash_keys_, hash);
    batch_bytes += format::kShardKeySize + format::kRecordHeaderSize + r.partition_key.size() +
                   r.data.size() + 16;
  }
  if (checkpoint != nullptr) {
    if (checkpoint->key.empty()) return Status::InvalidArgument("empty producer checkpoint key");
    batch_bytes += checkpoint->key.size() + checkpoint->value.size() + 16;
  }
  if (records.empty() && checkpoint == nullptr) return std::vector<PutRecordResult>{};

  // The batch lists records grouped by shard (stable, so request order holds within a shard):
  // consecutive memtable inserts then land next to each other, which RocksDB's insert hints
  // make cheap.
  std::vector<uint32_t> order(records.size());
  if (descriptor_.shard_count == 1) {
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  } else {
    std::vector<uint32_t> starts(descriptor_.shard_count + 1, 0);
    for (const Placement& p : placements) ++starts[p.shard + 1];
    for (size_t i = 1; i < starts.size(); ++i) starts[i] += starts[i - 1];
    for (uint32_t i = 0; i < order.size(); ++i) order[starts[placements[i].shard]++] = i;
  }

  rocksdb::WriteBatch batch(batch_bytes);
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    TRIB_RETURN_IF_ERROR(CheckLive());
    const int64_t now = clock_->NowMillis();
    std::vector<uint32_t> touched;
    rocksdb::Status st;
    for (size_t k = 0; k < order.size() && st.ok(); ++k) {
      const uint32_t i = order[k];
      const PutRecordEntry& r = records[i];
      const uint32_t index = placements[i].shard;
      Shard& s = shards_[index];
      if (!s.touched) {
        s.touched = true;
        touched.push_back(index);
      }
      // Arrival times never decrease within a shard, which keeps the time index sorted.
      const int64_t arrival = std::max(now, s.last_arrival_ms);
      const uint64_t counter = s.next_counter++;
      placements[i].counter = counter;
      s.last_arrival_ms = arrival;

      const ShardKey key(kRecordTag, descriptor_.id, index, counter);
      char header[format::kRecordHeaderSize];
      format::EncodeRecordHeader(header, arrival, r.partition_key.size());
      const rocksdb::Slice key_part(key.bytes, format::kShardKeySize);
      const rocksdb::Slice value_parts[3] = {
          rocksdb::Slice(header, format::kRecordHeaderSize),
          rocksdb::Slice(r.partition_key.data(), r.partition_key.size()),
          rocksdb::Slice(r.data.data(), r.data.size())};
      st = batch.Put(rocksdb::SliceParts(&key_part, 1), rocksdb::SliceParts(value_parts, 3));

      const int64_t second = arrival / 1000;
      if (st.ok() && second != s.last_indexed_second) {
        const ShardKey index_key(kTimeIndexTag, descriptor_.id, index,
                                 static_cast<uint64_t>(std::max<int64_t>(second, 0)));
        char counter_bytes[8];
        format::PutBig64(counter_bytes, counter);
        st = batch.Put(rocksdb::Slice(index_key.bytes, format::kShardKeySize),
                       rocksdb::Slice(counter_bytes, 8));
        s.last_indexed_second = second;
      }
    }
    if (st.ok() && checkpoint != nullptr) {
      st = batch.Put(format::CheckpointKey(descriptor_.id, checkpoint->key), checkpoint->value);
    }
    if (st.ok()) st = db_->Write(write_options_, &batch);
    // Publish the new tips, or roll the tentative state back to the last committed one.
    for (uint32_t t : touched) {
      Shard& s = shards_[t];
      s.touched = false;
      if (st.ok()) {
        s.committed_indexed_second = s.last_indexed_second;
        s.newest_arrival_ms.store(s.last_arrival_ms);
        s.committed_next_counter.store(s.next_counter);
      } else {
        s.next_counter = s.committed_next_counter.load();
        s.last_arrival_ms = s.newest_arrival_ms.load();
        s.last_indexed_second = s.committed_indexed_second;
      }
    }
    if (!st.ok()) return FromRocks(st, "writing records to stream " + descriptor_.name);
  }
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    append_version_.fetch_add(1);
  }
  append_cv_.notify_all();

  std::vector<PutRecordResult> results;
  results.reserve(records.size());
  for (const Placement& p : placements) {
    results.push_back({shards_[p.shard].shard_id, SequenceNumberOf(p.shard, p.counter)});
  }
  return results;
}

bool EmbeddedDataStream::WaitForAppend(uint64_t seen_version, int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  auto changed = [&] {
    return append_version_.load() != seen_version || waking_all_ || deleted_.load();
  };
  if (timeout_ms <= 0) return changed();
  return append_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), changed);
}

void EmbeddedDataStream::WakeAll() {
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    waking_all_ = true;
  }
  append_cv_.notify_all();
}

Result<std::optional<std::string>> EmbeddedDataStream::ReadProducerCheckpoint(
    std::string_view key) const {
  TRIB_RETURN_IF_ERROR(CheckLive());
  std::string value;
  const rocksdb::Status st =
      db_->Get(rocksdb::ReadOptions(), format::CheckpointKey(descriptor_.id, key), &value);
  if (st.IsNotFound()) return std::optional<std::string>();
  TRIB_RETURN_IF_ERROR(FromRocks(st, "reading producer checkpoint"));
  return std::optional<std::string>(std::move(value));
}

Result<std::unique_ptr<ShardReader>> EmbeddedDataStream::OpenReader(std::string_view shard_id,
                                                                    const StartPosition& start) {
  TRIB_RETURN_IF_ERROR(CheckLive());
  TRIB_ASSIGN_OR_RETURN(const uint32_t index, ShardIndexOf(shard_id));
  const Shard& s = shards_[index];
  const uint64_t horizon = s.trim_horizon.load();
  uint64_t position = 0;
  switch (start.type) {
    case IteratorType::kTrimHorizon:
      position = horizon;
      break;
    case IteratorType::kLatest:
      position = s.committed_next_counter.load();
      break;
    case IteratorType::kAtSequenceNumber:
    case IteratorType::kAfterSequenceNumber: {
      TRIB_ASSIGN_OR_RETURN(const format::SequenceParts parts,
                            format::ParseSequenceNumber(start.sequence_number));
      if (parts.stream_creation_ms != descriptor_.creation_ms ||
          parts.stream_id != descriptor_.id || parts.shard != index) {
        return Status::InvalidArgument("sequence number " + start.sequence_number +
                                       " did not come from " + s.shard_id + " of stream " +
                                       descriptor_.name);
      }
      position = parts.counter;
      if (start.type == IteratorType::kAfterSequenceNumber) {
        if (position == std::numeric_limits<uint64_t>::max()) {
          return Status::InvalidArgument("sequence number out of range");
        }
        ++position;
      }
      if (position < horizon) {
        return Status::OutOfRange("sequence number " + start.sequence_number + " in " + s.shard_id +
                                  " was trimmed (TrimmedDataAccessException)");
      }
      break;
    }
    case IteratorType::kAtTimestamp: {
      TRIB_ASSIGN_OR_RETURN(position, PositionAtTimestamp(index, start.timestamp_ms));
      break;
    }
  }
  return std::unique_ptr<ShardReader>(std::make_unique<EmbeddedShardReader>(this, index, position));
}

Result<uint64_t> EmbeddedDataStream::PositionAtTimestamp(uint32_t index,
                                                         int64_t timestamp_ms) const {
  const Shard& s = shards_[index];
  // Loaded before the iterator: every counter below `tip` is in the iterator's snapshot.
  const uint64_t tip = s.committed_next_counter.load();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const uint64_t horizon = s.trim_horizon.load();

  // The time index maps each second to the first record that arrived in it; records before
  // the first entry at or after timestamp's second all arrived earlier than the timestamp.
  const ShardKey index_key(kTimeIndexTag, descriptor_.id, index,
                           static_cast<uint64_t>(std::max<int64_t>(timestamp_ms, 0) / 1000));
  it->Seek(rocksdb::Slice(index_key.bytes, format::kShardKeySize));
  if (!it->Valid() ||
      !it->key().starts_with(rocksdb::Slice(index_key.bytes, format::kShardPrefixSize))) {
    TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading time index"));
    return tip;
  }
  if (it->value().size() != 8) return Status::DataLoss("malformed time index entry");
  uint64_t position = std::max(format::GetBig64(it->value().data()), horizon);

  const ShardKey record_key(kRecordTag, descriptor_.id, index, position);
  const rocksdb::Slice prefix(record_key.bytes, format::kShardPrefixSize);
  for (it->Seek(rocksdb::Slice(record_key.bytes, format::kShardKeySize));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->value().size() < format::kRecordHeaderSize) {
      return Status::DataLoss("malformed record in stream " + descriptor_.name);
    }
    const uint64_t counter = format::ShardKeySuffix({it->key().data(), it->key().size()});
    if (format::RecordArrivalMs({it->value().data(), it->value().size()}) >= timestamp_ms) {
      return counter;
    }
    position = counter + 1;
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream " + descriptor_.name));
  return std::max(position, tip);
}

Result<std::string> EmbeddedDataStream::LatestSequenceNumber(std::string_view shard_id) const {
  TRIB_RETURN_IF_ERROR(CheckLive());
  TRIB_ASSIGN_OR_RETURN(const uint32_t index, ShardIndexOf(shard_id));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const ShardKey last(kRecordTag, descriptor_.id, index, std::numeric_limits<uint64_t>::max());
  it->SeekForPrev(rocksdb::Slice(last.bytes, format::kShardKeySize));
  if (it->Valid() && it->key().size() == format::kShardKeySize &&
      it->key().starts_with(rocksdb::Slice(last.bytes, format::kShardPrefixSize))) {
    return SequenceNumberOf(index, format::ShardKeySuffix({it->key().data(), it->key().size()}));
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream " + descriptor_.name));
  return std::string();
}

}  // namespace tributary::stream
