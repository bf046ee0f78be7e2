#include "table/table_stream_history.h"

#include <rocksdb/db.h>

#include "core/encoding.h"
#include "table/item_codec.h"
#include "table/key_codec.h"
#include "table/table_state.h"
#include "table/table_stream.h"

namespace tributary::table {

std::string StreamHistoryKey(uint32_t table_id) {
  std::string key = "streams/";
  AppendBigEndian32(key, table_id);
  return key;
}

std::string EncodeStreamHistory(const StreamHistory& history) {
  std::string out;
  out.push_back('\x02');
  PutVarint(&out, history.streams.size());
  for (const StreamGeneration& s : history.streams) {
    PutVarint(&out, static_cast<uint64_t>(s.creation_ms));
    out.push_back(static_cast<char>(s.view_type));
    PutVarint(&out, static_cast<uint64_t>(s.disabled_ms));
    PutVarint(&out, s.shards.size());
    for (const ShardGeneration& g : s.shards) {
      PutLengthPrefixed(&out, g.id);
      PutVarint(&out, g.slot);
      PutLengthPrefixed(&out, g.parent);
      PutVarint(&out, g.start_after);
      PutVarint(&out, g.end);
      out.push_back(g.closed ? '\x01' : '\x00');
      PutVarint(&out, static_cast<uint64_t>(g.closed_ms));
    }
  }
  return out;
}

Result<StreamHistory> DecodeStreamHistory(std::string_view in) {
  const Status corrupt = Status::DataLoss("corrupt stream history");
  auto get_byte = [&in](uint8_t* b) {
    if (in.empty()) return false;
    *b = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    return true;
  };
  uint8_t b = 0;
  uint64_t n = 0;
  uint8_t version = 0;
  if (!get_byte(&version) || (version != 1 && version != 2) || !GetVarint(&in, &n) || n > in.size()) return corrupt;
  StreamHistory h;
  h.streams.resize(n);
  for (StreamGeneration& s : h.streams) {
    uint64_t v = 0;
    if (!GetVarint(&in, &v)) return corrupt;
    s.creation_ms = static_cast<int64_t>(v);
    if (!get_byte(&b) || b > static_cast<uint8_t>(StreamViewType::kNewAndOldImages)) return corrupt;
    s.view_type = static_cast<StreamViewType>(b);
    if (!GetVarint(&in, &v)) return corrupt;
    s.disabled_ms = static_cast<int64_t>(v);
    if (!GetVarint(&in, &v) || v > in.size()) return corrupt;
    s.shards.resize(v);
    for (ShardGeneration& g : s.shards) {
      std::string_view text;
      if (!GetLengthPrefixed(&in, &text)) return corrupt;
      g.id = text;
      if (!GetVarint(&in, &v)) return corrupt;
      g.slot = static_cast<uint32_t>(v);
      if (!GetLengthPrefixed(&in, &text)) return corrupt;
      g.parent = text;
      if (!GetVarint(&in, &g.start_after) || !GetVarint(&in, &g.end) || !get_byte(&b)) return corrupt;
      g.closed = b != 0;
      if (version >= 2) {
        if (!GetVarint(&in, &v)) return corrupt;
        g.closed_ms = static_cast<int64_t>(v);
      }
    }
  }
  return h;
}

Result<std::optional<StreamHistory>> LoadStreamHistory(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf,
                                                       uint32_t table_id, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db->Get(ro, meta_cf, StreamHistoryKey(table_id), &value);
  if (s.IsNotFound()) return std::optional<StreamHistory>();
  TRIB_RETURN_IF_ERROR(FromRocks(s, "reading stream history"));
  TRIB_ASSIGN_OR_RETURN(StreamHistory h, DecodeStreamHistory(value));
  return std::optional<StreamHistory>(std::move(h));
}

StreamHistory ImpliedStreamHistory(const TableState& t) {
  StreamHistory h;
  if (!t.has_stream() || !t.meta.spec.stream_view_type) return h;
  StreamGeneration& s = h.streams.emplace_back();
  s.creation_ms = t.meta.creation_time_ms;
  s.view_type = *t.meta.spec.stream_view_type;
  for (const auto& shard : t.shards) {
    ShardGeneration& g = s.shards.emplace_back();
    g.id = shard->id;
    g.slot = shard->index;
  }
  return h;
}

Result<StreamHistory> CurrentStreamHistory(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf,
                                           const TableState& t, const rocksdb::Snapshot* snapshot) {
  TRIB_ASSIGN_OR_RETURN(std::optional<StreamHistory> h, LoadStreamHistory(db, meta_cf, t.meta.table_id, snapshot));
  if (h) return std::move(*h);
  return ImpliedStreamHistory(t);
}

ScopedSnapshot::ScopedSnapshot(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
ScopedSnapshot::~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }

Result<uint64_t> SlotTrimHorizon(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf, uint32_t table_id,
                                 uint32_t slot, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db->Get(ro, meta_cf, TrimKey(table_id, slot), &value);
  if (s.IsNotFound()) return uint64_t{0};
  TRIB_RETURN_IF_ERROR(FromRocks(s, "reading trim horizon"));
  if (value.size() != 8) return Status::DataLoss("corrupt trim horizon");
  return ReadBigEndian64(value.data());
}

Result<uint64_t> SlotNewestCounter(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* streams_cf, uint32_t table_id,
                                   uint32_t slot, uint64_t lo, uint64_t hi, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, streams_cf));
  std::string prefix = StreamShardPrefix(table_id, slot);
  it->SeekForPrev(StreamKey(table_id, slot, hi));
  uint64_t newest = lo;
  if (it->Valid() && it->key().starts_with(prefix)) {
    uint64_t c = StreamKeyCounter(std::string_view(it->key().data(), it->key().size()));
    if (c > lo) newest = c;
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream position"));
  return newest;
}

Result<ShardReadResult> ReadShardRecords(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta_cf,
                                         rocksdb::ColumnFamilyHandle* streams_cf, uint32_t table_id,
                                         const ShardGeneration& g, const rocksdb::Snapshot* snapshot,
                                         ShardPosition from, int max_records, std::string_view region) {
  if (max_records <= 0) return Status::InvalidArgument("max_records must be positive");
  TRIB_ASSIGN_OR_RETURN(uint64_t trimmed, SlotTrimHorizon(db, meta_cf, table_id, g.slot, snapshot));
  uint64_t lower = g.start_after;
  if (from.trim_horizon) {
    lower = std::max(lower, trimmed);
  } else {
    if (from.after < trimmed && trimmed > g.start_after) {
      return Status::OutOfRange("TrimmedDataAccessException: sequence number " + FormatSequenceNumber(from.after) +
                                " is behind the trim horizon of shard " + g.id);
    }
    lower = std::max(lower, from.after);
  }
  ShardReadResult result;
  result.next = from;
  std::string end = PrefixSuccessor(StreamShardPrefix(table_id, g.slot));
  rocksdb::Slice ub(end);
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.iterate_upper_bound = &ub;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, streams_cf));
  uint64_t position = lower;
  for (it->Seek(StreamKey(table_id, g.slot, lower + 1)); it->Valid(); it->Next()) {
    uint64_t counter = StreamKeyCounter(std::string_view(it->key().data(), it->key().size()));
    if (g.closed && counter > g.end) break;
    TRIB_ASSIGN_OR_RETURN(
        ChangeRecord r, DecodeStreamRecord(std::string_view(it->value().data(), it->value().size()), counter, region));
    result.records.push_back(std::move(r));
    position = counter;
    if (static_cast<int>(result.records.size()) >= max_records) break;
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream"));
  if (!result.records.empty()) result.next = ShardPosition{false, position};
  result.closed_and_drained = g.closed && position >= g.end;
  return result;
}

}  // namespace tributary::table
