// TableEngine stream reads and trimming: ListStreamShards, ReadStream, LatestSequence,
// TrimStream, and recovering shard positions on open.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "core/encoding.h"
#include "table/key_codec.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_stream.h"

namespace tributary::table {

namespace {

Status NoStream(const TableState& t) {
  return Status::NotFound("Requested resource not found: Table " + t.meta.spec.name + " has no stream");
}

Status ShardNotFound(std::string_view id) {
  return Status::NotFound("Requested resource not found: Shard does not exist: " + std::string(id));
}

}  // namespace

Status TableEngine::LoadShardPositions(TableState& t) {
  const uint32_t id = t.meta.table_id;
  for (auto& shard : t.shards) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, TrimKey(id, shard->index), &value);
    if (s.ok() && value.size() == 8) shard->trimmed_through = ReadBigEndian64(value.data());
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams_cf_));
    std::string prefix = StreamShardPrefix(id, shard->index);
    it->SeekForPrev(StreamKey(id, shard->index, UINT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix)) {
      shard->last_counter = StreamKeyCounter(std::string_view(it->key().data(), it->key().size()));
    }
    TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "loading stream positions"));
    shard->last_counter = std::max(shard->last_counter, shard->trimmed_through);
  }
  return Status::Ok();
}

Result<std::vector<ShardDescription>> TableEngine::ListStreamShards(std::string_view table) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  if (!t->has_stream()) return NoStream(*t);
  std::vector<ShardDescription> shards;
  for (const auto& shard : t->shards) {
    ShardDescription d;
    d.shard_id = shard->id;
    std::string prefix = StreamShardPrefix(t->meta.table_id, shard->index);
    std::string end = PrefixSuccessor(prefix);
    rocksdb::ReadOptions ro;
    rocksdb::Slice ub(end);
    ro.iterate_upper_bound = &ub;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, streams_cf_));
    it->Seek(prefix);
    if (it->Valid()) {
      d.starting_sequence_number =
          FormatSequenceNumber(StreamKeyCounter(std::string_view(it->key().data(), it->key().size())));
    }
    TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "ListStreamShards"));
    shards.push_back(std::move(d));
  }
  return shards;
}

Result<std::vector<ChangeRecord>> TableEngine::ReadStream(std::string_view table, std::string_view shard_id,
                                                          std::string_view after_sequence,
                                                          int max_records) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  if (!t->has_stream()) return NoStream(*t);
  auto found = t->shard_index.find(std::string(shard_id));
  if (found == t->shard_index.end()) return ShardNotFound(shard_id);
  ShardState& shard = *t->shards[found->second];
  if (max_records <= 0) return Status::InvalidArgument("max_records must be positive");
  uint64_t after = 0;
  if (!after_sequence.empty()) {
    TRIB_ASSIGN_OR_RETURN(after, ParseSequenceNumber(after_sequence));
  }
  const uint32_t id = t->meta.table_id;
  std::string end = PrefixSuccessor(StreamShardPrefix(id, shard.index));
  rocksdb::Slice ub(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &ub;
  std::unique_ptr<rocksdb::Iterator> it;
  {
    // The trim horizon and the iterator's snapshot must agree: TrimStream holds this lock across
    // its delete and the horizon update.
    std::lock_guard lock(shard.mu);
    if (!after_sequence.empty() && after < shard.trimmed_through) {
      return Status::OutOfRange("TrimmedDataAccessException: sequence number " + std::string(after_sequence) +
                                " is behind the trim horizon of shard " + shard.id);
    }
    it.reset(db_->NewIterator(ro, streams_cf_));
  }
  std::vector<ChangeRecord> records;
  for (it->Seek(StreamKey(id, shard.index, after + 1)); it->Valid(); it->Next()) {
    uint64_t counter = StreamKeyCounter(std::string_view(it->key().data(), it->key().size()));
    TRIB_ASSIGN_OR_RETURN(
        ChangeRecord r,
        DecodeStreamRecord(std::string_view(it->value().data(), it->value().size()), counter, options_.region));
    records.push_back(std::move(r));
    if (static_cast<int>(records.size()) >= max_records) break;
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "ReadStream"));
  return records;
}

Result<std::string> TableEngine::LatestSequence(std::string_view table, std::string_view shard_id) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  if (!t->has_stream()) return NoStream(*t);
  auto found = t->shard_index.find(std::string(shard_id));
  if (found == t->shard_index.end()) return ShardNotFound(shard_id);
  ShardState& shard = *t->shards[found->second];
  std::lock_guard lock(shard.mu);
  if (shard.last_counter == 0) return std::string();
  return FormatSequenceNumber(shard.last_counter);
}

Result<int64_t> TableEngine::TrimStream() {
  const int64_t cutoff =
      clock_->NowMillis() - static_cast<int64_t>(options_.stream_retention_hours) * 3600 * 1000;
  std::vector<std::shared_ptr<TableState>> tables;
  {
    std::shared_lock lock(tables_mu_);
    for (const auto& [name, t] : tables_) {
      if (t->has_stream()) tables.push_back(t);
    }
  }
  int64_t trimmed = 0;
  for (const auto& t : tables) {
    std::shared_lock alive(t->alive_mu);
    if (t->deleted) continue;
    const uint32_t id = t->meta.table_id;
    for (auto& shard : t->shards) {
      uint64_t from = 0;
      {
        std::lock_guard lock(shard->mu);
        from = shard->trimmed_through + 1;
      }
      std::string end = PrefixSuccessor(StreamShardPrefix(id, shard->index));
      rocksdb::Slice ub(end);
      rocksdb::ReadOptions ro;
      ro.iterate_upper_bound = &ub;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, streams_cf_));
      uint64_t last = 0;
      int64_t n = 0;
      for (it->Seek(StreamKey(id, shard->index, from)); it->Valid(); it->Next()) {
        int64_t created = StreamRecordCreateMillis(std::string_view(it->value().data(), it->value().size()));
        if (created >= cutoff) break;
        last = StreamKeyCounter(std::string_view(it->key().data(), it->key().size()));
        ++n;
      }
      TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "TrimStream"));
      if (n == 0) continue;
      std::string horizon;
      AppendBigEndian64(horizon, last);
      std::string floor;
      AppendBigEndian64(floor, next_counter_.load());
      rocksdb::WriteBatch batch;
      batch.DeleteRange(streams_cf_, StreamShardPrefix(id, shard->index), StreamKey(id, shard->index, last + 1));
      batch.Put(meta_cf_, TrimKey(id, shard->index), horizon);
      batch.Put(meta_cf_, kSeqFloorKey, floor);
      rocksdb::WriteOptions wo;
      wo.sync = options_.sync_writes;
      std::lock_guard lock(shard->mu);
      TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "TrimStream"));
      shard->trimmed_through = std::max(shard->trimmed_through, last);
      trimmed += n;
    }
  }
  return trimmed;
}

}  // namespace tributary::table
