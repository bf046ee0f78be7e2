// TableEngine: open, control plane, and stream wake-ups. Writes are in table_writes.cc, item
// reads in table_reads.cc, stream reads and trimming in table_stream_reads.cc.
#include "table/table_engine.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/encoding.h"
#include "table/key_codec.h"
#include "table/key_schema.h"
#include "table/table_state.h"
#include "table/table_stream.h"

namespace tributary::table {

namespace {

constexpr const char* kItemsCf = "items";
constexpr const char* kStreamsCf = "streams";

std::string BigEndian64(uint64_t v) {
  std::string s;
  AppendBigEndian64(s, v);
  return s;
}

std::shared_ptr<TableState> MakeTableState(TableMeta meta, const TableEngine::Options& options) {
  auto t = std::make_shared<TableState>();
  t->arn = TableArn(options.region, options.account_id, meta.spec.name);
  t->key_prefix = TablePrefix(meta.table_id);
  t->counters_key = CountersKey(meta.table_id);
  if (meta.spec.stream_view_type) {
    t->stream_label = FormatIsoMillis(meta.creation_time_ms);
    t->stream_arn = t->arn + "/stream/" + t->stream_label;
    for (size_t i = 0; i < meta.shard_ids.size(); ++i) {
      auto shard = std::make_unique<ShardState>();
      shard->id = meta.shard_ids[i];
      shard->index = static_cast<uint32_t>(i);
      t->shard_index.emplace(shard->id, static_cast<uint32_t>(i));
      t->shards.push_back(std::move(shard));
    }
  }
  t->meta = std::move(meta);
  return t;
}

const Status& TableNotFound() {
  static const Status s = Status::NotFound("Requested resource not found");
  return s;
}

}  // namespace

TableEngine::TableEngine(Options options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock::Default()),
      stripes_(new std::mutex[kLockStripes]) {}

TableEngine::~TableEngine() {
  if (db_) {
    for (auto* cf : {meta_cf_, items_cf_, streams_cf_}) {
      if (cf != nullptr) db_->DestroyColumnFamilyHandle(cf).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }
}

Result<std::unique_ptr<TableEngine>> TableEngine::Open(const std::string& dir, Options options) {
  if (options.stream_retention_hours <= 0) {
    return Status::InvalidArgument("stream_retention_hours must be positive");
  }
  std::unique_ptr<TableEngine> engine(new TableEngine(std::move(options)));
  TRIB_RETURN_IF_ERROR(engine->Init(dir));
  return engine;
}

Status TableEngine::Init(const std::string& dir) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;

  auto cache = rocksdb::NewLRUCache(64 << 20);
  rocksdb::BlockBasedTableOptions items_table;
  items_table.block_cache = cache;
  items_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions items;
  items.table_factory.reset(rocksdb::NewBlockBasedTableFactory(items_table));
  items.write_buffer_size = 64 << 20;
  items.memtable_prefix_bloom_size_ratio = 0.05;  // with whole-key filtering: cheap misses on insert
  items.memtable_whole_key_filtering = true;

  rocksdb::BlockBasedTableOptions streams_table;
  streams_table.block_cache = cache;
  rocksdb::ColumnFamilyOptions streams;
  streams.table_factory.reset(rocksdb::NewBlockBasedTableFactory(streams_table));
  streams.write_buffer_size = 32 << 20;

  rocksdb::ColumnFamilyOptions meta;
  meta.merge_operator = NewCountersMergeOperator();

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, meta}, {kItemsCf, items}, {kStreamsCf, streams}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, cfs, &handles, &db);
  if (!s.ok()) return FromRocks(s, "opening table store " + dir);
  db_.reset(db);
  meta_cf_ = handles[0];
  items_cf_ = handles[1];
  streams_cf_ = handles[2];

  std::random_device rd;
  event_id_salt_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                   static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());

  // Tables.
  uint64_t max_counter = 0;
  std::string value;
  if (db_->Get(rocksdb::ReadOptions(), meta_cf_, kNextTableIdKey, &value).ok() && value.size() == 4) {
    next_table_id_ = ReadBigEndian32(value.data());
  }
  if (db_->Get(rocksdb::ReadOptions(), meta_cf_, kSeqFloorKey, &value).ok() && value.size() == 8) {
    max_counter = ReadBigEndian64(value.data());
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_cf_));
  for (it->Seek(kTableMetaPrefix); it->Valid() && it->key().starts_with(kTableMetaPrefix); it->Next()) {
    TRIB_ASSIGN_OR_RETURN(TableMeta m, DecodeTableMeta(std::string_view(it->value().data(), it->value().size())));
    next_table_id_ = std::max(next_table_id_, m.table_id + 1);
    for (uint32_t id : m.index_ids) next_table_id_ = std::max(next_table_id_, id + 1);
    auto t = MakeTableState(std::move(m), options_);
    TRIB_RETURN_IF_ERROR(LoadShardPositions(*t));
    for (const auto& shard : t->shards) max_counter = std::max(max_counter, shard->last_counter);
    tables_.emplace(t->meta.spec.name, std::move(t));
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "loading tables"));
  next_counter_.store(max_counter + 1);

  MetricsRegistry* metrics = MetricsRegistry::Default();
  writes_metric_ = metrics->Get("tributary_table_writes_total");
  records_metric_ = metrics->Get("tributary_table_stream_records_total");
  return Status::Ok();
}

Result<std::shared_ptr<TableState>> TableEngine::FindTable(std::string_view name) const {
  std::shared_lock lock(tables_mu_);
  auto it = tables_.find(name);
  if (it == tables_.end()) return TableNotFound();
  return it->second;
}

size_t TableEngine::StripeIndex(std::string_view item_key) const {
  uint64_t h = 14695981039346656037ULL;
  for (char c : item_key) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return (h ^ (h >> 29)) & (kLockStripes - 1);
}

TableDescription TableEngine::Describe(const TableState& t) const {
  TableDescription d;
  const TableSpec& spec = t.meta.spec;
  d.name = spec.name;
  d.arn = t.arn;
  d.table_id = MakeTableUuid(t.meta.table_id, t.meta.creation_time_ms);
  d.billing_mode = spec.billing_mode;
  d.throughput = spec.throughput;
  d.attribute_definitions = EffectiveAttributeDefinitions(spec);
  d.ttl = t.meta.ttl;
  for (size_t i = 0; i < spec.indexes.size(); ++i) {
    IndexDescription& index = d.indexes.emplace_back();
    index.spec = spec.indexes[i];
    index.arn = t.arn + "/index/" + index.spec.name;
    std::string value;
    if (db_->Get(rocksdb::ReadOptions(), meta_cf_, CountersKey(t.meta.index_ids[i]), &value).ok()) {
      DecodeCounters(value, &index.item_count, &index.size_bytes);
    }
  }
  d.hash_key = spec.hash_key;
  d.range_key = spec.range_key;
  d.creation_time_ms = t.meta.creation_time_ms;
  d.stream_view_type = spec.stream_view_type;
  d.latest_stream_label = t.stream_label;
  d.latest_stream_arn = t.stream_arn;
  d.shard_ids = t.meta.shard_ids;
  std::string value;
  if (db_->Get(rocksdb::ReadOptions(), meta_cf_, t.counters_key, &value).ok()) {
    DecodeCounters(value, &d.item_count, &d.size_bytes);
  }
  return d;
}

Result<TableDescription> TableEngine::CreateTable(const TableSpec& spec) {
  TRIB_RETURN_IF_ERROR(ValidateTableSpec(spec));
  std::unique_lock lock(tables_mu_);
  if (tables_.count(spec.name)) return Status::AlreadyExists("Table already exists: " + spec.name);
  TableMeta meta;
  meta.table_id = next_table_id_;
  meta.spec = spec;
  for (size_t i = 0; i < spec.indexes.size(); ++i) {
    meta.index_ids.push_back(meta.table_id + 1 + static_cast<uint32_t>(i));
  }
  const uint32_t next_free = meta.table_id + 1 + static_cast<uint32_t>(spec.indexes.size());
  meta.creation_time_ms = clock_->NowMillis();
  if (spec.stream_view_type) {
    for (int i = 0; i < spec.stream_shard_count; ++i) {
      meta.shard_ids.push_back(MakeShardId(meta.creation_time_ms, meta.table_id, i));
    }
  }
  rocksdb::WriteBatch batch;
  std::string next_id;
  AppendBigEndian32(next_id, next_free);
  batch.Put(meta_cf_, kNextTableIdKey, next_id);
  batch.Put(meta_cf_, TableMetaKey(spec.name), EncodeTableMeta(meta));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "CreateTable"));
  next_table_id_ = next_free;
  auto t = MakeTableState(std::move(meta), options_);
  TableDescription d = Describe(*t);
  tables_.emplace(spec.name, std::move(t));
  return d;
}

Result<TableDescription> TableEngine::DescribeTable(std::string_view table) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::shared_lock alive(t->alive_mu);
  return Describe(*t);
}

Result<ListTablesResult> TableEngine::ListTables(std::string_view exclusive_start, int limit) const {
  if (limit < 0) return Status::InvalidArgument("Limit must be positive");
  ListTablesResult result;
  std::shared_lock lock(tables_mu_);
  auto it = exclusive_start.empty() ? tables_.begin() : tables_.upper_bound(exclusive_start);
  for (; it != tables_.end(); ++it) {
    if (limit > 0 && static_cast<int>(result.table_names.size()) == limit) {
      result.last_evaluated_table_name = result.table_names.back();
      break;
    }
    result.table_names.push_back(it->first);
  }
  return result;
}

Result<TableDescription> TableEngine::DeleteTable(std::string_view table) {
  std::unique_lock lock(tables_mu_);
  auto it = tables_.find(table);
  if (it == tables_.end()) return TableNotFound();
  std::shared_ptr<TableState> t = it->second;
  std::unique_lock alive(t->alive_mu);  // waits for in-flight writes to this table
  TableDescription d = Describe(*t);
  d.status = "DELETING";
  const uint32_t id = t->meta.table_id;
  std::string end = PrefixSuccessor(t->key_prefix);
  rocksdb::WriteBatch batch;
  batch.Delete(meta_cf_, TableMetaKey(t->meta.spec.name));
  batch.Delete(meta_cf_, t->counters_key);
  for (const auto& shard : t->shards) batch.Delete(meta_cf_, TrimKey(id, shard->index));
  // Keep the sequence counter above every number this table used.
  batch.Put(meta_cf_, kSeqFloorKey, BigEndian64(next_counter_.load()));
  batch.DeleteRange(items_cf_, t->key_prefix, end);
  for (uint32_t index_id : t->meta.index_ids) {
    std::string prefix = TablePrefix(index_id);
    batch.DeleteRange(items_cf_, prefix, PrefixSuccessor(prefix));
    batch.Delete(meta_cf_, CountersKey(index_id));
  }
  batch.DeleteRange(streams_cf_, t->key_prefix, end);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "DeleteTable"));
  t->deleted = true;
  tables_.erase(it);
  return d;
}

void TableEngine::NotifyStreamWaiters() {
  stream_version_.fetch_add(1);
  if (waiters_.load() > 0) {
    std::lock_guard lock(wait_mu_);
    wait_cv_.notify_all();
  }
}

bool TableEngine::WaitForStreamRecords(uint64_t seen_version, int64_t timeout_ms) const {
  if (stream_version_.load() != seen_version) return true;
  if (timeout_ms <= 0) return false;
  std::unique_lock lock(wait_mu_);
  waiters_.fetch_add(1);
  bool changed = wait_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                   [&] { return stream_version_.load() != seen_version; });
  waiters_.fetch_sub(1);
  return changed;
}

}  // namespace tributary::table
