// TableEngine data-plane writes: PutItem, UpdateItem, DeleteItem, and the commit that makes an
// item change and its stream record one atomic RocksDB batch.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "table/item_codec.h"
#include "table/key_schema.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_stream.h"

namespace tributary::table {

namespace {

bool IncludesNew(StreamViewType t) {
  return t == StreamViewType::kNewImage || t == StreamViewType::kNewAndOldImages;
}
bool IncludesOld(StreamViewType t) {
  return t == StreamViewType::kOldImage || t == StreamViewType::kNewAndOldImages;
}

const Status& TableNotFound() {
  static const Status s = Status::NotFound("Requested resource not found");
  return s;
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

// One read-modify-write of one item: holds the table (shared) and the item's stripe lock for its
// lifetime, reads the current value, and builds the batch.
class TableEngine::ItemWriter {
 public:
  ItemWriter(TableEngine* engine, std::shared_ptr<TableState> table, std::string key,
             size_t partition_len)
      : engine_(engine),
        t_(std::move(table)),
        key_(std::move(key)),
        partition_len_(partition_len),
        alive_(t_->alive_mu),
        stripe_(engine->StripeFor(key_)) {}

  // Reads the current value; false when the table was deleted meanwhile.
  Status Load() {
    if (t_->deleted) return TableNotFound();
    rocksdb::Status s = engine_->db_->Get(rocksdb::ReadOptions(), engine_->items_cf_, key_, &old_value_);
    if (s.IsNotFound()) return Status::Ok();
    TRIB_RETURN_IF_ERROR(FromRocks(s, "reading item"));
    existed_ = true;
    return Status::Ok();
  }

  bool existed() const { return existed_; }
  const std::string& old_value() const { return old_value_; }

  // Writes `new_value` (nullptr: delete) with counters and, when the table has a stream, the
  // record. `keys` is the item-encoded key; `new_size` the new item's ItemSizeBytes.
  Status Write(const std::string* new_value, size_t new_size, const Item& key_attrs, WriteResult* result) {
    int64_t old_size = 0;
    if (existed_) {
      TRIB_ASSIGN_OR_RETURN(uint64_t s, EncodedItemSizeBytes(old_value_));
      old_size = static_cast<int64_t>(s);
    }
    rocksdb::WriteBatch batch;
    if (new_value != nullptr) {
      batch.Put(engine_->items_cf_, key_, *new_value);
    } else {
      batch.Delete(engine_->items_cf_, key_);
    }
    int64_t count_delta = new_value == nullptr ? -1 : (existed_ ? 0 : 1);
    int64_t bytes_delta = (new_value == nullptr ? 0 : static_cast<int64_t>(new_size)) - old_size;
    batch.Merge(engine_->meta_cf_, t_->counters_key, EncodeCounters(count_delta, bytes_delta));

    std::string record;
    uint32_t shard = 0;
    if (t_->has_stream()) {
      StreamViewType view = *t_->meta.spec.stream_view_type;
      std::string keys = EncodeItem(key_attrs);
      StreamRecordInput in;
      in.event_name = new_value == nullptr ? EventName::kRemove : (existed_ ? EventName::kModify : EventName::kInsert);
      in.view_type = view;
      in.create_ms = engine_->clock_->NowMillis();
      in.keys = keys;
      in.new_image = new_value;
      in.old_image = existed_ ? &old_value_ : nullptr;
      in.size_bytes = static_cast<int64_t>(ItemSizeBytes(key_attrs));
      if (new_value != nullptr && IncludesNew(view)) in.size_bytes += static_cast<int64_t>(new_size);
      if (existed_ && IncludesOld(view)) in.size_bytes += old_size;
      record.reserve(64 + keys.size() + (new_value ? new_value->size() : 0) + old_value_.size());
      EncodeStreamRecord(in, &record);
      shard = ShardForPartition(std::string_view(key_).substr(4, partition_len_),
                                static_cast<uint32_t>(t_->shards.size()));
    }
    TRIB_RETURN_IF_ERROR(engine_->Commit(*t_, shard, &batch, &record, result));
    result->changed = true;
    return Status::Ok();
  }

 private:
  TableEngine* engine_;
  std::shared_ptr<TableState> t_;
  std::string key_;
  size_t partition_len_;
  std::shared_lock<std::shared_mutex> alive_;
  std::lock_guard<std::mutex> stripe_;
  bool existed_ = false;
  std::string old_value_;
};

Status TableEngine::Commit(TableState& t, uint32_t shard_index, rocksdb::WriteBatch* batch,
                           std::string* record, WriteResult* result) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  if (record->empty()) {
    TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, batch), "writing item"));
    writes_metric_->Add();
    return Status::Ok();
  }
  ShardState& shard = *t.shards[shard_index];
  uint64_t counter = 0;
  {
    std::lock_guard lock(shard.mu);
    counter = next_counter_.fetch_add(1);
    SetEventId(record, counter, event_id_salt_);
    batch->Put(streams_cf_, StreamKey(t.meta.table_id, shard_index, counter), *record);
    TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, batch), "writing item and stream record"));
    shard.last_counter = counter;
  }
  writes_metric_->Add();
  records_metric_->Add();
  result->stream_record = true;
  result->shard_id = shard.id;
  result->sequence_number = FormatSequenceNumber(counter);
  NotifyStreamWaiters();
  return Status::Ok();
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
