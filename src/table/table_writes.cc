// TableEngine data-plane writes: PutItem, UpdateItem, DeleteItem, and the commit that makes item
// changes and their stream records one atomic RocksDB batch. BatchWriteItem is in table_batch.cc.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <span>

#include "table/item_codec.h"
#include "table/key_schema.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_stream.h"
#include "table/table_writes_internal.h"

namespace tributary::table {

namespace {

bool IncludesNew(StreamViewType t) {
  return t == StreamViewType::kNewImage || t == StreamViewType::kNewAndOldImages;
}
bool IncludesOld(StreamViewType t) {
  return t == StreamViewType::kOldImage || t == StreamViewType::kNewAndOldImages;
}

// Key attribute names may not be the target of an update action.
Status CheckKeyNotUpdated(const TableSpec& spec, const UpdateExpression& update) {
  for (const UpdateAction& action : update.actions) {
    const std::string& name = action.path[0].name;
    if (name != spec.hash_key.name && !(spec.range_key && name == spec.range_key->name)) continue;
    if (action.path.size() > 1) {
      return Status::InvalidArgument(
          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
          "allowed: Key: " +
          name);
    }
    return Status::InvalidArgument("One or more parameter values were invalid: Cannot update attribute " +
                                   name + ". This attribute is part of the key");
  }
  return Status::Ok();
}

}  // namespace

Status TableEngine::AddMutation(TableState& t, const Mutation& m, rocksdb::WriteBatch* batch,
                                std::vector<PendingRecord>* records, CounterDeltas* deltas) {
  int64_t old_size = 0;
  if (m.old_value != nullptr) {
    TRIB_ASSIGN_OR_RETURN(uint64_t s, EncodedItemSizeBytes(*m.old_value));
    old_size = static_cast<int64_t>(s);
  }
  if (m.new_value != nullptr) {
    batch->Put(items_cf_, m.key, *m.new_value);
  } else {
    batch->Delete(items_cf_, m.key);
  }
  if (t.has_indexes()) {
    TRIB_RETURN_IF_ERROR(AddIndexMutations(t, m.key, m.old_value, m.new_value, batch, deltas));
  }
  deltas->count += m.new_value == nullptr ? -1 : (m.old_value != nullptr ? 0 : 1);
  deltas->bytes += (m.new_value == nullptr ? 0 : static_cast<int64_t>(m.new_size)) - old_size;
  m.result->changed = true;
  if (!t.has_stream()) return Status::Ok();

  StreamViewType view = *t.meta.spec.stream_view_type;
  std::string keys = EncodeItem(*m.key_attrs);
  StreamRecordInput in;
  in.event_name = m.new_value == nullptr   ? EventName::kRemove
                  : m.old_value != nullptr ? EventName::kModify
                                           : EventName::kInsert;
  in.view_type = view;
  in.create_ms = clock_->NowMillis();
  in.keys = keys;
  in.new_image = m.new_value;
  in.old_image = m.old_value;
  in.by_service = m.by_service;
  in.size_bytes = static_cast<int64_t>(ItemSizeBytes(*m.key_attrs));
  if (m.new_value != nullptr && IncludesNew(view)) in.size_bytes += static_cast<int64_t>(m.new_size);
  if (m.old_value != nullptr && IncludesOld(view)) in.size_bytes += old_size;
  PendingRecord& record = records->emplace_back();
  record.value.reserve(64 + keys.size() + (m.new_value ? m.new_value->size() : 0) +
                       (m.old_value ? m.old_value->size() : 0));
  EncodeStreamRecord(in, &record.value);
  record.shard = ShardForPartition(std::string_view(m.key).substr(4, m.partition_len),
                                   static_cast<uint32_t>(t.shards.size()));
  record.result = m.result;
  return Status::Ok();
}

Status TableEngine::Commit(TableState& t, rocksdb::WriteBatch* batch, std::vector<PendingRecord>* records,
                           const CounterDeltas& deltas) {
  TableCommit one{&t, records, &deltas};
  return CommitTables(std::span<TableCommit>(&one, 1), batch);
}

Status TableEngine::CommitTables(std::span<TableCommit> tables, rocksdb::WriteBatch* batch) {
  size_t total_records = 0;
  for (const TableCommit& c : tables) {
    const TableState& t = *c.table;
    batch->Merge(meta_cf_, t.counters_key, EncodeCounters(c.deltas->count, c.deltas->bytes));
    for (size_t i = 0; i < c.deltas->indexes.size() && i < t.meta.index_ids.size(); ++i) {
      const auto& [count, bytes] = c.deltas->indexes[i];
      if (count != 0 || bytes != 0) {
        batch->Merge(meta_cf_, CountersKey(t.meta.index_ids[i]), EncodeCounters(count, bytes));
      }
    }
    total_records += c.records->size();
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  if (total_records == 0) {
    TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, batch), "writing items"));
    writes_metric_->Add();
    return Status::Ok();
  }
  // Shards to lock: ascending by (table id, shard index), the lock order for several shards.
  std::vector<ShardState*> shards;
  std::vector<std::pair<uint64_t, ShardState*>> order;
  for (const TableCommit& c : tables) {
    for (const auto& r : *c.records) {
      order.emplace_back((static_cast<uint64_t>(c.table->meta.table_id) << 32) | r.shard, c.table->shards[r.shard].get());
    }
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || order[i].first != order[i - 1].first) shards.push_back(order[i].second);
  }
  for (ShardState* s : shards) s->mu.lock();
  uint64_t first = next_counter_.fetch_add(total_records);
  uint64_t counter = first;
  for (const TableCommit& c : tables) {
    for (PendingRecord& r : *c.records) {
      SetEventId(&r.value, counter, event_id_salt_);
      batch->Put(streams_cf_, StreamKey(c.table->meta.table_id, r.shard, counter), r.value);
      ++counter;
    }
  }
  Status status = FromRocks(db_->Write(wo, batch), "writing items and stream records");
  if (status.ok()) {
    counter = first;
    for (const TableCommit& c : tables) {
      for (const PendingRecord& r : *c.records) c.table->shards[r.shard]->last_counter = counter++;
    }
  }
  for (auto it = shards.rbegin(); it != shards.rend(); ++it) (*it)->mu.unlock();
  TRIB_RETURN_IF_ERROR(status);
  writes_metric_->Add();
  records_metric_->Add(static_cast<int64_t>(total_records));
  counter = first;
  for (const TableCommit& c : tables) {
    for (PendingRecord& r : *c.records) {
      r.result->stream_record = true;
      r.result->shard_id = c.table->shards[r.shard]->id;
      r.result->sequence_number = FormatSequenceNumber(counter++);
    }
  }
  NotifyStreamWaiters();
  return Status::Ok();
}

Status TableEngine::ItemWriter::Write(const std::string* new_value, size_t new_size, const Item& key_attrs,
                                     WriteResult* result, bool by_service) {
  Mutation m;
  m.key = key_;
  m.partition_len = partition_len_;
  m.old_value = existed_ ? &old_value_ : nullptr;
  m.new_value = new_value;
  m.new_size = new_size;
  m.key_attrs = &key_attrs;
  m.result = result;
  m.by_service = by_service;
  rocksdb::WriteBatch batch;
  std::vector<PendingRecord> records;
  CounterDeltas deltas;
  TRIB_RETURN_IF_ERROR(engine_->AddMutation(*t_, m, &batch, &records, &deltas));
  return engine_->Commit(*t_, &batch, &records, deltas);
}

Result<WriteResult> TableEngine::PutItem(std::string_view table, Item item, const WriteOptions& options) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  const TableSpec& spec = t->meta.spec;
  TRIB_RETURN_IF_ERROR(ValidateItemKey(spec, item));
  size_t size = ItemSizeBytes(item);
  if (size > kMaxItemBytes) return Status::InvalidArgument("Item size has exceeded the maximum allowed size");
  size_t partition_len = 0;
  std::string key = EncodeItemKey(t->meta.table_id, spec, item, &partition_len);
  std::string value;
  value.reserve(size + 16 + 4 * item.size());
  EncodeItem(item, size, &value);

  ItemWriter writer(this, std::move(t), std::move(key), partition_len);
  TRIB_RETURN_IF_ERROR(writer.Load());
  WriteResult result;
  if (writer.existed() && (options.return_old_item || options.condition)) {
    TRIB_ASSIGN_OR_RETURN(result.old_item, DecodeItem(writer.old_value()));
  }
  if (options.condition) {
    TRIB_RETURN_IF_ERROR(options.condition(result.old_item ? &*result.old_item : nullptr));
  }
  if (!options.return_old_item) result.old_item.reset();
  if (!(writer.existed() && writer.old_value() == value)) {
    TRIB_RETURN_IF_ERROR(writer.Write(&value, size, ExtractKey(spec, item), &result));
  }
  result.new_item = std::move(item);
  return result;
}

Result<WriteResult> TableEngine::UpdateItem(std::string_view table, const Item& key, const UpdateSpec& update,
                                            const WriteOptions& options) {
  ExpressionContext ctx(update.expression_attribute_names, update.expression_attribute_values);
  TRIB_RETURN_IF_ERROR(ctx.ValidateKeys());
  UpdateExpression parsed;
  if (!update.update_expression.empty()) {
    TRIB_ASSIGN_OR_RETURN(parsed, ParseUpdateExpression(update.update_expression, &ctx));
  }
  TRIB_RETURN_IF_ERROR(ctx.CheckAllUsed());
  return UpdateItem(table, key, parsed, options);
}

Result<WriteResult> TableEngine::UpdateItem(std::string_view table, const Item& key,
                                            const UpdateExpression& update, const WriteOptions& options) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  const TableSpec& spec = t->meta.spec;
  TRIB_RETURN_IF_ERROR(ValidateKey(spec, key));
  TRIB_RETURN_IF_ERROR(CheckKeyNotUpdated(spec, update));
  size_t partition_len = 0;
  std::string item_key = EncodeItemKey(t->meta.table_id, spec, key, &partition_len);

  ItemWriter writer(this, std::move(t), std::move(item_key), partition_len);
  TRIB_RETURN_IF_ERROR(writer.Load());
  WriteResult result;
  Item updated;
  if (writer.existed()) {
    TRIB_ASSIGN_OR_RETURN(updated, DecodeItem(writer.old_value()));
    result.old_item = updated;
  } else {
    updated = key;
  }
  if (options.condition) {
    TRIB_RETURN_IF_ERROR(options.condition(result.old_item ? &*result.old_item : nullptr));
  }
  TRIB_RETURN_IF_ERROR(ApplyUpdate(update, &updated));
  size_t size = ItemSizeBytes(updated);
  if (size > kMaxItemBytes) {
    return Status::InvalidArgument("Item size to update has exceeded the maximum allowed size");
  }
  std::string value;
  EncodeItem(updated, size, &value);
  if (!(writer.existed() && writer.old_value() == value)) {
    TRIB_RETURN_IF_ERROR(writer.Write(&value, size, key, &result));
  }
  result.new_item = std::move(updated);
  return result;
}

Result<WriteResult> TableEngine::DeleteItem(std::string_view table, const Item& key, const WriteOptions& options) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  const TableSpec& spec = t->meta.spec;
  TRIB_RETURN_IF_ERROR(ValidateKey(spec, key));
  size_t partition_len = 0;
  std::string item_key = EncodeItemKey(t->meta.table_id, spec, key, &partition_len);

  ItemWriter writer(this, std::move(t), std::move(item_key), partition_len);
  TRIB_RETURN_IF_ERROR(writer.Load());
  WriteResult result;
  if (writer.existed()) {
    TRIB_ASSIGN_OR_RETURN(result.old_item, DecodeItem(writer.old_value()));
  }
  if (options.condition) {
    TRIB_RETURN_IF_ERROR(options.condition(result.old_item ? &*result.old_item : nullptr));
  }
  if (writer.existed()) TRIB_RETURN_IF_ERROR(writer.Write(nullptr, 0, key, &result));
  return result;
}

}  // namespace tributary::table
