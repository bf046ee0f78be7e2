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
  batch->Merge(meta_cf_, t.counters_key, EncodeCounters(deltas.count, deltas.bytes));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  if (records->empty()) {
    TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, batch), "writing items"));
    writes_metric_->Add();
    return Status::Ok();
  }
  // Shards to lock, ascending (the lock order for several shards).
  uint32_t single[1];
  std::vector<uint32_t> many;
  std::span<const uint32_t> shards;
  if (records->size() == 1) {
    single[0] = (*records)[0].shard;
    shards = single;
  } else {
    for (const auto& r : *records) many.push_back(r.shard);
    std::sort(many.begin(), many.end());
    many.erase(std::unique(many.begin(), many.end()), many.end());
    shards = many;
  }
  for (uint32_t s : shards) t.shards[s]->mu.lock();
  uint64_t first = next_counter_.fetch_add(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    PendingRecord& r = (*records)[i];
    SetEventId(&r.value, first + i, event_id_salt_);
    batch->Put(streams_cf_, StreamKey(t.meta.table_id, r.shard, first + i), r.value);
  }
  Status status = FromRocks(db_->Write(wo, batch), "writing items and stream records");
  if (status.ok()) {
    for (size_t i = 0; i < records->size(); ++i) t.shards[(*records)[i].shard]->last_counter = first + i;
  }
  for (auto it = shards.rbegin(); it != shards.rend(); ++it) t.shards[*it]->mu.unlock();
  TRIB_RETURN_IF_ERROR(status);
  writes_metric_->Add();
  records_metric_->Add(static_cast<int64_t>(records->size()));
  for (size_t i = 0; i < records->size(); ++i) {
    PendingRecord& r = (*records)[i];
    r.result->stream_record = true;
    r.result->shard_id = t.shards[r.shard]->id;
    r.result->sequence_number = FormatSequenceNumber(first + i);
  }
  NotifyStreamWaiters();
  return Status::Ok();
}

Status TableEngine::ItemWriter::Write(const std::string* new_value, size_t new_size, const Item& key_attrs,
                                     WriteResult* result) {
  Mutation m;
  m.key = key_;
  m.partition_len = partition_len_;
  m.old_value = existed_ ? &old_value_ : nullptr;
  m.new_value = new_value;
  m.new_size = new_size;
  m.key_attrs = &key_attrs;
  m.result = result;
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
