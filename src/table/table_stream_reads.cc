// TableEngine stream reads and trimming: ListStreamShards, ReadStream, LatestSequence,
// TrimStream, and recovering shard positions on open. Shards are resolved through the table's
// stream history (table_stream_history.h): a shard is a counter range of a storage slot.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "core/encoding.h"
#include "table/key_codec.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_stream.h"
#include "table/table_stream_history.h"

namespace tributary::table {

namespace {

Status NoStream(const TableState& t) {
  return Status::NotFound("Requested resource not found: Table " + t.meta.spec.name + " has no stream");
}

Status ShardNotFound(std::string_view id) {
  return Status::NotFound("Requested resource not found: Shard does not exist: " + std::string(id));
}

Status TableGone() { return Status::NotFound("Requested resource not found"); }

}  // namespace

Status TableEngine::LoadShardPositions(TableState& t) {
  const uint32_t id = t.meta.table_id;
  for (auto& shard : t.shards) {
    TRIB_ASSIGN_OR_RETURN(shard->trimmed_through, SlotTrimHorizon(db_.get(), meta_cf_, id, shard->index, nullptr));
    TRIB_ASSIGN_OR_RETURN(shard->last_counter,
                          SlotNewestCounter(db_.get(), streams_cf_, id, shard->index, 0, UINT64_MAX, nullptr));
    shard->last_counter = std::max(shard->last_counter, shard->trimmed_through);
  }
  // A stream enabled after CreateTable has its own label (creation time); a disabled one stays
  // the table's latest stream.
  TRIB_ASSIGN_OR_RETURN(std::optional<StreamHistory> history, LoadStreamHistory(db_.get(), meta_cf_, id));
  if (history && !history->streams.empty()) {
    t.stream_label = FormatIsoMillis(history->streams.back().creation_ms);
    t.stream_arn = t.arn + "/stream/" + t.stream_label;
  }
  return Status::Ok();
}

namespace {

// Shard `shard_id` of any of the table's streams (NotFound otherwise).
Result<ShardGeneration> FindShardGeneration(const StreamHistory& h, std::string_view shard_id) {
  for (const auto& gen : h.streams) {
    if (const ShardGeneration* g = gen.FindShard(shard_id)) return *g;
  }
  return ShardNotFound(shard_id);
}

}  // namespace

Result<std::vector<ShardDescription>> TableEngine::ListStreamShards(std::string_view table) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::shared_lock alive(t->alive_mu);
  if (t->deleted) return TableGone();
  ScopedSnapshot snapshot(db_.get());
  TRIB_ASSIGN_OR_RETURN(StreamHistory h, CurrentStreamHistory(db_.get(), meta_cf_, *t, snapshot.get()));
  const int64_t cutoff =
      clock_->NowMillis() - static_cast<int64_t>(options_.stream_retention_hours) * 3600 * 1000;
  std::vector<ShardDescription> shards;
  for (const StreamGeneration& gen : h.streams) {
    if (!gen.enabled() && gen.disabled_ms < cutoff) continue;
    for (const ShardGeneration& g : gen.shards) {
      TRIB_ASSIGN_OR_RETURN(uint64_t trimmed, SlotTrimHorizon(db_.get(), meta_cf_, t->meta.table_id, g.slot,
                                                              snapshot.get()));
      // A closed shard is listed while it may still hold records.
      if (g.closed && (g.end == g.start_after || trimmed >= g.end)) continue;
      ShardDescription d;
      d.shard_id = g.id;
      std::string prefix = StreamShardPrefix(t->meta.table_id, g.slot);
      std::string end = PrefixSuccessor(prefix);
      rocksdb::ReadOptions ro;
      ro.snapshot = snapshot.get();
      rocksdb::Slice ub(end);
      ro.iterate_upper_bound = &ub;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, streams_cf_));
      it->Seek(StreamKey(t->meta.table_id, g.slot, std::max(g.start_after, trimmed) + 1));
      if (it->Valid()) {
        uint64_t c = StreamKeyCounter(std::string_view(it->key().data(), it->key().size()));
        if (g.Contains(c)) d.starting_sequence_number = FormatSequenceNumber(c);
      }
      TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "ListStreamShards"));
      shards.push_back(std::move(d));
    }
  }
  if (shards.empty() && !t->has_stream()) return NoStream(*t);
  return shards;
}

Result<std::vector<ChangeRecord>> TableEngine::ReadStream(std::string_view table, std::string_view shard_id,
                                                          std::string_view after_sequence,
                                                          int max_records) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::shared_lock alive(t->alive_mu);
  if (t->deleted) return TableGone();
  if (max_records <= 0) return Status::InvalidArgument("max_records must be positive");
  ShardPosition from;
  if (!after_sequence.empty()) {
    from.trim_horizon = false;
    TRIB_ASSIGN_OR_RETURN(from.after, ParseSequenceNumber(after_sequence));
  }
  ScopedSnapshot snapshot(db_.get());
  TRIB_ASSIGN_OR_RETURN(StreamHistory h, CurrentStreamHistory(db_.get(), meta_cf_, *t, snapshot.get()));
  if (h.streams.empty()) return NoStream(*t);
  TRIB_ASSIGN_OR_RETURN(ShardGeneration g, FindShardGeneration(h, shard_id));
  TRIB_ASSIGN_OR_RETURN(ShardReadResult read, ReadShardRecords(db_.get(), meta_cf_, streams_cf_, t->meta.table_id, g,
                                                               snapshot.get(), from, max_records, options_.region));
  return std::move(read.records);
}

Result<std::string> TableEngine::LatestSequence(std::string_view table, std::string_view shard_id) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::shared_lock alive(t->alive_mu);
  if (t->deleted) return TableGone();
  if (!t->has_stream()) return NoStream(*t);
  ScopedSnapshot snapshot(db_.get());
  TRIB_ASSIGN_OR_RETURN(StreamHistory h, CurrentStreamHistory(db_.get(), meta_cf_, *t, snapshot.get()));
  const StreamGeneration* gen = h.enabled();
  if (gen == nullptr || gen->FindShard(shard_id) == nullptr) return ShardNotFound(shard_id);
  const ShardGeneration& g = *gen->FindShard(shard_id);
  ShardState& shard = *t->shards[g.slot];
  std::lock_guard lock(shard.mu);
  if (shard.last_counter <= g.start_after) return std::string();
  return FormatSequenceNumber(shard.last_counter);
}

Result<int64_t> TableEngine::TrimStream() {
  const int64_t cutoff =
      clock_->NowMillis() - static_cast<int64_t>(options_.stream_retention_hours) * 3600 * 1000;
  std::vector<std::shared_ptr<TableState>> tables;
  {
    std::shared_lock lock(tables_mu_);
    for (const auto& [name, t] : tables_) tables.push_back(t);
  }
  int64_t trimmed = 0;
  for (const auto& t : tables) {
    std::shared_lock alive(t->alive_mu);
    if (t->deleted) continue;
    const uint32_t id = t->meta.table_id;
    TRIB_ASSIGN_OR_RETURN(std::optional<StreamHistory> history, LoadStreamHistory(db_.get(), meta_cf_, id));
    if (!t->has_stream() && !history) continue;
    // Slots to trim: the open shards' and those of closed shards still listed.
    std::vector<uint32_t> slots;
    for (const auto& shard : t->shards) slots.push_back(shard->index);
    if (history) {
      for (const auto& gen : history->streams) {
        for (const auto& g : gen.shards) slots.push_back(g.slot);
      }
    }
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    for (uint32_t slot : slots) {
      ShardState* shard = slot < t->shards.size() ? t->shards[slot].get() : nullptr;
      TRIB_ASSIGN_OR_RETURN(uint64_t horizon_before, SlotTrimHorizon(db_.get(), meta_cf_, id, slot, nullptr));
      std::string end = PrefixSuccessor(StreamShardPrefix(id, slot));
      rocksdb::Slice ub(end);
      rocksdb::ReadOptions ro;
      ro.iterate_upper_bound = &ub;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, streams_cf_));
      uint64_t last = 0;
      int64_t n = 0;
      for (it->Seek(StreamKey(id, slot, horizon_before + 1)); it->Valid(); it->Next()) {
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
      batch.DeleteRange(streams_cf_, StreamShardPrefix(id, slot), StreamKey(id, slot, last + 1));
      batch.Put(meta_cf_, TrimKey(id, slot), horizon);
      batch.Put(meta_cf_, kSeqFloorKey, floor);
      rocksdb::WriteOptions wo;
      wo.sync = options_.sync_writes;
      if (shard != nullptr) {
        std::lock_guard lock(shard->mu);
        TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "TrimStream"));
        shard->trimmed_through = std::max(shard->trimmed_through, last);
      } else {
        TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "TrimStream"));
      }
      trimmed += n;
    }
    // Disabled streams leave the list once retention has passed since they were disabled (all
    // their records are older than that, so trimmed above).
    // Closed shards likewise, once retention has passed since they were closed.
    if (history) {
      auto& streams = history->streams;
      bool changed = false;
      for (auto& gen : streams) {
        size_t shards_before = gen.shards.size();
        std::erase_if(gen.shards, [cutoff](const ShardGeneration& g) {
          return g.closed && g.closed_ms != 0 && g.closed_ms < cutoff;
        });
        changed |= gen.shards.size() != shards_before;
      }
      size_t before = streams.size();
      std::erase_if(streams, [cutoff](const StreamGeneration& g) { return !g.enabled() && g.disabled_ms < cutoff; });
      changed |= streams.size() != before;
      if (changed) {
        rocksdb::WriteOptions wo;
        wo.sync = options_.sync_writes;
        TRIB_RETURN_IF_ERROR(
            FromRocks(db_->Put(wo, meta_cf_, StreamHistoryKey(id), EncodeStreamHistory(*history)), "TrimStream"));
      }
    }
  }
  return trimmed;
}

}  // namespace tributary::table
