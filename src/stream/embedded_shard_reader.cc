#include "stream/embedded_shard_reader.h"

#include <algorithm>
#include <memory>

#include "stream/rocks_status.h"

namespace tributary::stream {

using format::kRecordTag;
using format::ShardKey;

EmbeddedShardReader::EmbeddedShardReader(const EmbeddedDataStream* stream, uint32_t shard,
                                         uint64_t position)
    : stream_(stream),
      shard_(shard),
      upper_bound_(kRecordTag, stream->descriptor().id, shard + 1, 0),
      position_(position) {}

Result<ReadBatch> EmbeddedShardReader::Read(size_t max_records) {
  ReadBatch batch;
  TRIB_RETURN_IF_ERROR(ReadInto(max_records, &batch));
  return batch;
}

Status EmbeddedShardReader::ReadInto(size_t max_records, ReadBatch* out) {
  TRIB_RETURN_IF_ERROR(stream_->CheckLive());
  const EmbeddedDataStream::Shard& shard = stream_->shards_[shard_];
  auto trimmed = [&] {
    return Status::OutOfRange("position in " + shard.shard_id + " of stream " + stream_->name() +
                              " was trimmed (TrimmedDataAccessException)");
  };
  ReadBatch& batch = *out;
  batch.millis_behind_latest = 0;
  // Existing elements are assigned into (their strings keep their storage); the vector is
  // trimmed to this read's n records at the end.
  size_t n = 0;
  auto finish = [&] { batch.records.resize(n); };
  if (position_ < shard.trim_horizon.load()) return trimmed();
  // Caught up: no iterator at all, so idle polling is cheap.
  if (max_records == 0 || position_ >= shard.committed_next_counter.load()) {
    finish();
    return Status::Ok();
  }

  const rocksdb::Slice upper(upper_bound_.bytes, format::kShardKeySize);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(stream_->db_->NewIterator(options));
  // Checked again after the iterator pinned its snapshot: a trim raises the horizon before it
  // deletes, so either this check fails or the snapshot still holds the records.
  if (position_ < shard.trim_horizon.load()) return trimmed();

  const ShardKey start(kRecordTag, stream_->descriptor().id, shard_, position_);
  it->Seek(rocksdb::Slice(start.bytes, format::kShardKeySize));

  uint64_t last_counter = 0;
  int64_t last_arrival = 0;
  size_t bytes = 0;
  for (; it->Valid() && n < max_records && bytes < kMaxReadBytes; it->Next()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    if (key.size() != format::kShardKeySize) {
      return Status::DataLoss("malformed record key in stream " + stream_->name());
    }
    TRIB_ASSIGN_OR_RETURN(const format::RecordView view,
                          format::DecodeRecordValue({value.data(), value.size()}));
    last_counter = format::ShardKeySuffix({key.data(), key.size()});
    last_arrival = view.arrival_ms;
    if (n == batch.records.size()) batch.records.emplace_back();
    StreamRecord& record = batch.records[n++];
    stream_->SequenceNumberInto(shard_, last_counter, &record.sequence_number);
    record.approximate_arrival_ms = view.arrival_ms;
    record.partition_key.assign(view.partition_key);
    record.data.assign(view.data);
    bytes += view.data.size() + view.partition_key.size();
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream " + stream_->name()));
  if (n == 0) {
    finish();
    return Status::Ok();
  }

  position_ = last_counter + 1;
  // Behind the tip when the snapshot holds more records or newer ones were committed since.
  if (it->Valid() || position_ < shard.committed_next_counter.load()) {
    batch.millis_behind_latest =
        std::max<int64_t>(0, shard.newest_arrival_ms.load() - last_arrival);
  }
  finish();
  return Status::Ok();
}

std::optional<StartPosition> EmbeddedShardReader::ResumePosition() const {
  return StartPosition::At(stream_->SequenceNumberOf(shard_, position_));
}

}  // namespace tributary::stream
