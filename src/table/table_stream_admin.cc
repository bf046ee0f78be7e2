// StreamAdmin: stream enable/disable and the DynamoDB Streams view (see table_stream_admin.h).
#include "table/table_stream_admin.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "core/clock.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_stream.h"
#include "table/table_stream_history.h"

namespace tributary::table {

namespace {

Status StreamNotFound(std::string_view arn) {
  return Status::NotFound("Requested resource not found: Stream: " + std::string(arn) + " not found");
}

Status ShardNotFound(std::string_view id) {
  return Status::NotFound("Requested resource not found: Shard does not exist: " + std::string(id));
}

std::string StreamArnOf(const TableState& t, int64_t creation_ms) {
  return t.arn + "/stream/" + FormatIsoMillis(creation_ms);
}

// The creation ms in "shardId-<20 digits>-<8 hex>" (0 if malformed).
int64_t ShardIdMillis(std::string_view id) {
  if (id.size() < 28 || !id.starts_with("shardId-")) return 0;
  int64_t ms = 0;
  for (char c : id.substr(8, 20)) {
    if (c < '0' || c > '9') return 0;
    ms = ms * 10 + (c - '0');
  }
  return ms;
}

const StreamGeneration* FindGeneration(const StreamHistory& h, std::string_view label) {
  for (const auto& s : h.streams) {
    if (FormatIsoMillis(s.creation_ms) == label) return &s;
  }
  return nullptr;
}

}  // namespace

bool StreamAdmin::ParseStreamArn(std::string_view arn, std::string* table, std::string* label) {
  constexpr std::string_view kPrefix = "arn:aws:dynamodb:";
  if (!arn.starts_with(kPrefix)) return false;
  size_t t = arn.find(":table/");
  if (t == std::string_view::npos) return false;
  std::string_view rest = arn.substr(t + 7);
  size_t s = rest.find("/stream/");
  if (s == std::string_view::npos || s == 0) return false;
  *table = rest.substr(0, s);
  *label = rest.substr(s + 8);
  return !label->empty();
}

namespace {

// Closes an open shard of the table's current stream at its newest record.
void CloseShard(TableState& t, ShardGeneration& g, int64_t closed_ms) {
  uint64_t last = 0;
  if (g.slot < t.shards.size()) {
    std::lock_guard lock(t.shards[g.slot]->mu);
    last = t.shards[g.slot]->last_counter;
  }
  g.closed = true;
  g.end = std::max(g.start_after, last);
  g.closed_ms = closed_ms;
}

// Makes `shards` the table's open shards. Only the stream fields of the in-memory meta change:
// writers read the rest of meta before taking alive_mu.
void InstallStreamShards(TableState& t, TableMeta meta, std::vector<std::unique_ptr<ShardState>> shards) {
  t.meta.spec.stream_view_type = meta.spec.stream_view_type;
  t.meta.shard_ids = std::move(meta.shard_ids);
  t.shards = std::move(shards);
  t.shard_index.clear();
  for (const auto& shard : t.shards) t.shard_index.emplace(shard->id, shard->index);
}

}  // namespace

Status StreamAdmin::PersistStreamChange(TableEngine& engine, const TableMeta& meta,
                                        const StreamHistory& history, const char* op) {
  rocksdb::WriteBatch batch;
  batch.Put(engine.meta_cf_, TableMetaKey(meta.spec.name), EncodeTableMeta(meta));
  batch.Put(engine.meta_cf_, StreamHistoryKey(meta.table_id), EncodeStreamHistory(history));
  rocksdb::WriteOptions wo;
  wo.sync = engine.options_.sync_writes;
  return FromRocks(engine.db_->Write(wo, &batch), op);
}

Status StreamAdmin::EnableStream(TableEngine& engine, std::string_view table, StreamViewType view_type) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, engine.FindTable(table));
  std::unique_lock alive(t->alive_mu);  // no write in flight
  if (t->deleted) return Status::NotFound("Requested resource not found");
  if (t->has_stream()) return Status::AlreadyExists("Table already has an enabled stream: " + t->stream_arn);
  TRIB_ASSIGN_OR_RETURN(StreamHistory history, CurrentStreamHistory(engine.db_.get(), engine.meta_cf_, *t));
  int64_t creation_ms = engine.clock_->NowMillis();
  if (!history.streams.empty()) creation_ms = std::max(creation_ms, history.streams.back().creation_ms + 1);
  // Every counter handed out so far is below next_counter_; this table takes none while we hold
  // it exclusively, so its new shards' records all come after `start_after`.
  const uint64_t start_after = engine.next_counter_.load() - 1;
  const int count = std::clamp(t->meta.spec.stream_shard_count, 1, kMaxStreamShards);
  StreamGeneration& gen = history.streams.emplace_back();
  gen.creation_ms = creation_ms;
  gen.view_type = view_type;
  TableMeta meta = t->meta;
  meta.spec.stream_view_type = view_type;
  meta.shard_ids.clear();
  for (int i = 0; i < count; ++i) {
    ShardGeneration& g = gen.shards.emplace_back();
    g.id = MakeShardId(creation_ms, meta.table_id, i);
    g.slot = static_cast<uint32_t>(i);
    g.start_after = start_after;
    meta.shard_ids.push_back(g.id);
  }
  std::vector<std::unique_ptr<ShardState>> shards;
  for (const ShardGeneration& g : gen.shards) {
    auto shard = std::make_unique<ShardState>();
    shard->id = g.id;
    shard->index = g.slot;
    TRIB_ASSIGN_OR_RETURN(shard->trimmed_through,
                          SlotTrimHorizon(engine.db_.get(), engine.meta_cf_, meta.table_id, g.slot, nullptr));
    TRIB_ASSIGN_OR_RETURN(shard->last_counter, SlotNewestCounter(engine.db_.get(), engine.streams_cf_,
                                                                 meta.table_id, g.slot, 0, UINT64_MAX, nullptr));
    shards.push_back(std::move(shard));
  }
  TRIB_RETURN_IF_ERROR(PersistStreamChange(engine, meta, history, "EnableStream"));
  InstallStreamShards(*t, std::move(meta), std::move(shards));
  t->stream_label = FormatIsoMillis(creation_ms);
  t->stream_arn = StreamArnOf(*t, creation_ms);
  return Status::Ok();
}

Status StreamAdmin::DisableStream(TableEngine& engine, std::string_view table) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, engine.FindTable(table));
  std::unique_lock alive(t->alive_mu);  // no write in flight
  if (t->deleted) return Status::NotFound("Requested resource not found");
  if (!t->has_stream()) return Status::InvalidArgument("Table already has no stream");
  TRIB_ASSIGN_OR_RETURN(StreamHistory history, CurrentStreamHistory(engine.db_.get(), engine.meta_cf_, *t));
  if (history.enabled() == nullptr) return Status::Internal("stream history has no enabled stream");
  StreamGeneration& gen = history.streams.back();
  gen.disabled_ms = std::max(engine.clock_->NowMillis(), gen.creation_ms);
  for (ShardGeneration& g : gen.shards) {
    if (g.closed) continue;  // a parent closed by a rollover keeps its range
    CloseShard(*t, g, gen.disabled_ms);
  }
  TableMeta meta = t->meta;
  meta.spec.stream_view_type.reset();
  meta.shard_ids.clear();
  TRIB_RETURN_IF_ERROR(PersistStreamChange(engine, meta, history, "DisableStream"));
  InstallStreamShards(*t, std::move(meta), {});
  // stream_label / stream_arn stay: DescribeTable keeps showing the latest stream.
  return Status::Ok();
}

Status StreamAdmin::RollOverShards(TableEngine& engine, std::string_view table) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, engine.FindTable(table));
  std::unique_lock alive(t->alive_mu);  // no write in flight
  if (t->deleted) return Status::NotFound("Requested resource not found");
  if (!t->has_stream()) return Status::InvalidArgument("Table has no enabled stream");
  TRIB_ASSIGN_OR_RETURN(StreamHistory history, CurrentStreamHistory(engine.db_.get(), engine.meta_cf_, *t));
  if (history.enabled() == nullptr) return Status::Internal("stream history has no enabled stream");
  StreamGeneration& gen = history.streams.back();
  // Shard ids carry their creation ms: keep the children's distinct from every earlier id.
  int64_t ms = engine.clock_->NowMillis();
  for (const auto& g : gen.shards) ms = std::max(ms, ShardIdMillis(g.id) + 1);
  const uint64_t start_after = engine.next_counter_.load() - 1;
  std::vector<ShardGeneration> children;
  for (ShardGeneration& g : gen.shards) {
    if (g.closed) continue;
    CloseShard(*t, g, ms);
    ShardGeneration& child = children.emplace_back();
    child.id = MakeShardId(ms, t->meta.table_id, static_cast<int>(g.slot));
    child.slot = g.slot;
    child.parent = g.id;
    child.start_after = start_after;
  }
  TableMeta meta = t->meta;
  meta.shard_ids.clear();
  for (const auto& c : children) meta.shard_ids.push_back(c.id);
  gen.shards.insert(gen.shards.end(), children.begin(), children.end());
  TRIB_RETURN_IF_ERROR(PersistStreamChange(engine, meta, history, "RollOverShards"));
  std::vector<std::unique_ptr<ShardState>> shards;
  for (const auto& c : children) {
    auto shard = std::make_unique<ShardState>();
    shard->id = c.id;
    shard->index = c.slot;
    const ShardState& old = *t->shards[c.slot];
    shard->last_counter = old.last_counter;  // no writer in flight: stable
    shard->trimmed_through = old.trimmed_through;
    shards.push_back(std::move(shard));
  }
  InstallStreamShards(*t, std::move(meta), std::move(shards));
  return Status::Ok();
}

Result<std::vector<StreamInfo>> StreamAdmin::ListTableStreams(const TableEngine& engine, std::string_view table) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, engine.FindTable(table));
  std::shared_lock alive(t->alive_mu);
  if (t->deleted) return Status::NotFound("Requested resource not found");
  ScopedSnapshot snapshot(engine.db_.get());
  TRIB_ASSIGN_OR_RETURN(StreamHistory history,
                        CurrentStreamHistory(engine.db_.get(), engine.meta_cf_, *t, snapshot.get()));
  const int64_t cutoff = engine.clock_->NowMillis() -
                         static_cast<int64_t>(engine.options_.stream_retention_hours) * 3600 * 1000;
  std::vector<StreamInfo> out;
  for (const StreamGeneration& gen : history.streams) {
    if (!gen.enabled() && gen.disabled_ms < cutoff) continue;  // past retention
    StreamInfo& info = out.emplace_back();
    info.table_name = t->meta.spec.name;
    info.stream_label = FormatIsoMillis(gen.creation_ms);
    info.stream_arn = StreamArnOf(*t, gen.creation_ms);
    info.enabled = gen.enabled();
    info.view_type = gen.view_type;
    info.creation_ms = gen.creation_ms;
    info.hash_key = t->meta.spec.hash_key;
    info.range_key = t->meta.spec.range_key;
    for (const ShardGeneration& g : gen.shards) {
      TRIB_ASSIGN_OR_RETURN(uint64_t trimmed, SlotTrimHorizon(engine.db_.get(), engine.meta_cf_, t->meta.table_id,
                                                              g.slot, snapshot.get()));
      // Closed and past retention, or fully trimmed away.
      if (g.closed && ((g.end > g.start_after && trimmed >= g.end) || (g.closed_ms != 0 && g.closed_ms < cutoff))) {
        continue;
      }
      StreamShardInfo& s = info.shards.emplace_back();
      s.shard_id = g.id;
      s.parent_shard_id = g.parent;
      // The first retained record, or the first number the shard can hold.
      uint64_t lower = std::max(g.start_after, trimmed);
      uint64_t first = lower + 1;
      {
        rocksdb::ReadOptions ro;
        ro.snapshot = snapshot.get();
        std::unique_ptr<rocksdb::Iterator> it(engine.db_->NewIterator(ro, engine.streams_cf_));
        it->Seek(StreamKey(t->meta.table_id, g.slot, lower + 1));
        if (it->Valid() && it->key().starts_with(StreamShardPrefix(t->meta.table_id, g.slot))) {
          uint64_t c = StreamKeyCounter(std::string_view(it->key().data(), it->key().size()));
          if (g.Contains(c)) first = c;
        }
        TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "DescribeStream"));
      }
      if (g.closed) {
        // An empty closed shard: its range is the one number it could have held.
        first = std::min(first, std::max(g.end, g.start_after + 1));
        s.ending_sequence_number = FormatSequenceNumber(std::max(g.end, first));
      }
      s.starting_sequence_number = FormatSequenceNumber(first);
    }
  }
  return out;
}

Result<StreamInfo> StreamAdmin::DescribeStream(const TableEngine& engine, std::string_view stream_arn) {
  std::string table, label;
  if (!ParseStreamArn(stream_arn, &table, &label)) return StreamNotFound(stream_arn);
  auto streams = ListTableStreams(engine, table);
  if (!streams.ok()) {
    if (streams.status().code() == StatusCode::kNotFound) return StreamNotFound(stream_arn);
    return streams.status();
  }
  for (StreamInfo& s : *streams) {
    if (s.stream_arn == stream_arn) return std::move(s);
  }
  return StreamNotFound(stream_arn);
}

Result<ShardReadResult> StreamAdmin::ReadShard(const TableEngine& engine, std::string_view stream_arn,
                                               std::string_view shard_id, ShardPosition from, int max_records) {
  std::string table, label;
  if (!ParseStreamArn(stream_arn, &table, &label)) return StreamNotFound(stream_arn);
  auto found = engine.FindTable(table);
  if (!found.ok()) return StreamNotFound(stream_arn);
  std::shared_ptr<TableState> t = std::move(found).value();
  std::shared_lock alive(t->alive_mu);
  if (t->deleted) return StreamNotFound(stream_arn);
  if (!stream_arn.starts_with(t->arn + "/stream/")) return StreamNotFound(stream_arn);
  ScopedSnapshot snapshot(engine.db_.get());
  TRIB_ASSIGN_OR_RETURN(StreamHistory history,
                        CurrentStreamHistory(engine.db_.get(), engine.meta_cf_, *t, snapshot.get()));
  const StreamGeneration* gen = FindGeneration(history, label);
  if (gen == nullptr) return StreamNotFound(stream_arn);
  const ShardGeneration* g = gen->FindShard(shard_id);
  if (g == nullptr) return ShardNotFound(shard_id);
  return ReadShardRecords(engine.db_.get(), engine.meta_cf_, engine.streams_cf_, t->meta.table_id, *g,
                          snapshot.get(), from, max_records, engine.options_.region);
}

Result<ShardPosition> StreamAdmin::LatestPosition(const TableEngine& engine, std::string_view stream_arn,
                                                  std::string_view shard_id) {
  std::string table, label;
  if (!ParseStreamArn(stream_arn, &table, &label)) return StreamNotFound(stream_arn);
  auto found = engine.FindTable(table);
  if (!found.ok()) return StreamNotFound(stream_arn);
  std::shared_ptr<TableState> t = std::move(found).value();
  std::shared_lock alive(t->alive_mu);
  if (t->deleted) return StreamNotFound(stream_arn);
  ScopedSnapshot snapshot(engine.db_.get());
  TRIB_ASSIGN_OR_RETURN(StreamHistory history,
                        CurrentStreamHistory(engine.db_.get(), engine.meta_cf_, *t, snapshot.get()));
  const StreamGeneration* gen = FindGeneration(history, label);
  if (gen == nullptr) return StreamNotFound(stream_arn);
  const ShardGeneration* g = gen->FindShard(shard_id);
  if (g == nullptr) return ShardNotFound(shard_id);
  TRIB_ASSIGN_OR_RETURN(uint64_t newest,
                        SlotNewestCounter(engine.db_.get(), engine.streams_cf_, t->meta.table_id, g->slot,
                                          g->start_after, g->closed ? g->end : UINT64_MAX, snapshot.get()));
  return ShardPosition{false, newest};
}

}  // namespace tributary::table
