#include "stream/embedded_stream.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <limits>

#include "stream/embedded_data_stream.h"
#include "stream/rocks_status.h"
#include "stream/stream_format.h"

#include <rocksdb/table.h>

namespace tributary::stream {
namespace {

rocksdb::Options RocksOptions(const EmbeddedStreamOptions& options) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = options.write_buffer_bytes;
  o.max_background_jobs = 2;
  o.bytes_per_sync = 1 << 20;
  // No block compression: a record is read about once, soon after it is written, and ages out
  // with retention; decompressing was ~5% of the delivery hot path. Disk is the cheaper price.
  o.compression = rocksdb::kNoCompression;
  o.bottommost_compression = rocksdb::kNoCompression;
  // Readers scan forward once: a modest block cache avoids re-reading index blocks.
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 << 10;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Not memtable_insert_with_hint_prefix_extractor: in RocksDB 7.8 a DeleteRange whose begin key
  // is in the extractor's domain reuses a point-key insert hint in the range-tombstone skiplist
  // and corrupts it (trimming asserts). PutRecords groups a batch by shard instead, which
  // measured as fast.
  o.keep_log_file_num = 3;
  o.max_log_file_size = 8 << 20;
  return o;
}

Result<uint64_t> ReadCounter(rocksdb::DB* db, std::string_view key, uint64_t fallback) {
  std::string value;
  const rocksdb::Status st = db->Get(rocksdb::ReadOptions(), key, &value);
  if (st.IsNotFound()) return fallback;
  TRIB_RETURN_IF_ERROR(FromRocks(st, "reading stream store metadata"));
  if (value.size() != 8) return Status::DataLoss("malformed stream store metadata");
  return format::GetBig64(value.data());
}

std::string Fixed64(uint64_t v) {
  std::string s(8, '\0');
  format::PutBig64(s.data(), v);
  return s;
}

}  // namespace

Result<std::unique_ptr<EmbeddedStreamStore>> EmbeddedStreamStore::Open(const std::string& dir,
                                                                       const Clock* clock,
                                                                       Options options) {
  if (clock == nullptr) clock = SystemClock::Default();
  rocksdb::DB* raw = nullptr;
  TRIB_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(RocksOptions(options), dir, &raw),
                                 "opening stream store " + dir));
  std::unique_ptr<rocksdb::DB> db(raw);

  // A new epoch per open, synced before any record is written (docs/stream-format.md).
  TRIB_ASSIGN_OR_RETURN(const uint64_t last_epoch, ReadCounter(db.get(), format::kEpochKey, 0));
  const uint64_t epoch = last_epoch + 1;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  TRIB_RETURN_IF_ERROR(
      FromRocks(db->Put(sync, format::kEpochKey, Fixed64(epoch)), "writing store epoch"));
  TRIB_ASSIGN_OR_RETURN(const uint64_t next_id, ReadCounter(db.get(), format::kNextStreamIdKey, 1));
  if (next_id > std::numeric_limits<uint32_t>::max()) {
    return Status::DataLoss("malformed next stream id");
  }

  std::unique_ptr<EmbeddedStreamStore> store(new EmbeddedStreamStore(
      std::move(db), clock, options, epoch, static_cast<uint32_t>(next_id)));
  TRIB_RETURN_IF_ERROR(store->LoadStreams());
  return store;
}

EmbeddedStreamStore::EmbeddedStreamStore(std::unique_ptr<rocksdb::DB> db, const Clock* clock,
                                         Options options, uint64_t epoch, uint32_t next_stream_id)
    : db_(std::move(db)),
      clock_(clock),
      options_(options),
      epoch_(epoch),
      next_stream_id_(next_stream_id) {}

EmbeddedStreamStore::~EmbeddedStreamStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, stream] : streams_) stream->WakeAll();
    streams_.clear();
    deleted_streams_.clear();
  }
  if (db_ != nullptr) {
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
}

Status EmbeddedStreamStore::LoadStreams() {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const rocksdb::Slice prefix(&format::kStreamTag, 1);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string_view name(it->key().data() + 1, it->key().size() - 1);
    TRIB_ASSIGN_OR_RETURN(
        format::StreamDescriptor d,
        format::DecodeStreamDescriptor(name, {it->value().data(), it->value().size()}));
    auto stream =
        std::make_unique<EmbeddedDataStream>(db_.get(), clock_, std::move(d), options_.sync_writes);
    TRIB_RETURN_IF_ERROR(stream->Recover(epoch_));
    streams_.emplace(std::string(name), std::move(stream));
  }
  return FromRocks(it->status(), "loading streams");
}

Result<DataStream*> EmbeddedStreamStore::CreateStream(std::string_view name, int shard_count,
                                                      int retention_hours) {
  if (!format::IsValidStreamName(name)) {
    return Status::InvalidArgument("stream name '" + std::string(name.substr(0, 200)) +
                                   "' must match [a-zA-Z0-9_.-]{1,128}");
  }
  if (shard_count < 1 || shard_count > format::kMaxShardCount) {
    return Status::InvalidArgument("shard count must be between 1 and 1024");
  }
  if (retention_hours < 1 || retention_hours > format::kMaxRetentionHours) {
    return Status::InvalidArgument("retention must be between 1 and 8760 hours");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = streams_.find(name); it != streams_.end()) {
    const format::StreamDescriptor& d = it->second->descriptor();
    if (d.shard_count == static_cast<uint32_t>(shard_count) &&
        it->second->retention_hours() == static_cast<uint32_t>(retention_hours)) {
      return static_cast<DataStream*>(it->second.get());
    }
    return Status::AlreadyExists("stream " + std::string(name) +
                                 " exists with a different shard count or retention");
  }
  if (next_stream_id_ == std::numeric_limits<uint32_t>::max()) {
    return Status::ResourceExhausted("stream ids exhausted");
  }
  format::StreamDescriptor d;
  d.name = std::string(name);
  d.id = next_stream_id_;
  d.shard_count = static_cast<uint32_t>(shard_count);
  d.retention_hours = static_cast<uint32_t>(retention_hours);
  d.creation_ms = std::max<int64_t>(clock_->NowMillis(), 0);

  rocksdb::WriteBatch batch;
  rocksdb::Status st = batch.Put(format::StreamKey(name), format::EncodeStreamDescriptor(d));
  if (st.ok()) st = batch.Put(format::kNextStreamIdKey, Fixed64(uint64_t{d.id} + 1));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (st.ok()) st = db_->Write(sync, &batch);
  TRIB_RETURN_IF_ERROR(FromRocks(st, "creating stream " + d.name));
  ++next_stream_id_;

  auto stream =
      std::make_unique<EmbeddedDataStream>(db_.get(), clock_, std::move(d), options_.sync_writes);
  TRIB_RETURN_IF_ERROR(stream->Recover(epoch_));
  DataStream* out = stream.get();
  streams_.emplace(std::string(name), std::move(stream));
  return out;
}

Result<DataStream*> EmbeddedStreamStore::GetStream(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(name);
  if (it == streams_.end()) return Status::NotFound("stream " + std::string(name) + " not found");
  return static_cast<DataStream*>(it->second.get());
}

Result<StreamDescription> EmbeddedStreamStore::DescribeStream(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(name);
  if (it == streams_.end()) return Status::NotFound("stream " + std::string(name) + " not found");
  const format::StreamDescriptor& d = it->second->descriptor();
  return StreamDescription{d.name, static_cast<int>(d.shard_count),
                           static_cast<int>(it->second->retention_hours()), d.creation_ms};
}

std::vector<std::string> EmbeddedStreamStore::ListStreams() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  names.reserve(streams_.size());
  for (const auto& [name, stream] : streams_) names.push_back(name);
  return names;
}

Status EmbeddedStreamStore::DeleteStream(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(name);
  if (it == streams_.end()) return Status::NotFound("stream " + std::string(name) + " not found");
  TRIB_RETURN_IF_ERROR(it->second->Delete());
  deleted_streams_.push_back(std::move(it->second));
  streams_.erase(it);
  return Status::Ok();
}

Status EmbeddedStreamStore::SetRetentionHours(std::string_view name, int retention_hours) {
  if (retention_hours < 1 || retention_hours > format::kMaxRetentionHours) {
    return Status::InvalidArgument("retention must be between 1 and 8760 hours");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(name);
  if (it == streams_.end()) return Status::NotFound("stream " + std::string(name) + " not found");
  return it->second->SetRetentionHours(static_cast<uint32_t>(retention_hours));
}

Status EmbeddedStreamStore::CompactAll() {
  rocksdb::Status st = db_->Flush(rocksdb::FlushOptions());
  if (st.ok()) {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kSkip;
    st = db_->CompactRange(co, nullptr, nullptr);
  }
  if (!st.ok()) return Status::Internal("compacting the stream store: " + st.ToString());
  return Status::Ok();
}

Result<int64_t> EmbeddedStreamStore::TrimExpired() {
  std::vector<EmbeddedDataStream*> streams;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, stream] : streams_) streams.push_back(stream.get());
  }
  // Stream objects live until the store is destroyed, so trimming outside mu_ is safe.
  int64_t total = 0;
  for (EmbeddedDataStream* stream : streams) {
    TRIB_ASSIGN_OR_RETURN(const int64_t n, stream->TrimExpired());
    total += n;
  }
  return total;
}

}  // namespace tributary::stream
