// TableEngine secondary indexes (entry maintenance inside the item write batch, GSI backfill),
// UpdateTable, and the metadata-only operations: MutateTable, TTL settings, tags.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "core/encoding.h"

#include "table/item_codec.h"
#include "table/key_codec.h"
#include "table/key_schema.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_writes_internal.h"

namespace tributary::table {

namespace {

Status IndexKeyError(const IndexSpec& index, const KeyAttribute& k, const AttributeValue& v) {
  if (v.type() != k.type) {
    return Status::InvalidArgument("One or more parameter values were invalid: Type mismatch for Index Key " +
                                   k.name + " Expected: " + std::string(AttributeTypeName(k.type)) +
                                   " Actual: " + std::string(AttributeTypeName(v.type())) +
                                   " IndexName: " + index.name);
  }
  if (k.type != AttributeType::kN && v.text().empty()) {
    return Status::InvalidArgument(
        "One or more parameter values are not valid. A value specified for a secondary index key is not "
        "supported. The AttributeValue for a key attribute cannot contain an empty " +
        std::string(k.type == AttributeType::kS ? "string" : "binary") + " value. IndexName: " + index.name +
        ", IndexKey: " + k.name);
  }
  return Status::Ok();
}

}  // namespace

// The entry key of `item` in an index, or "" when the item lacks an index key attribute.
// InvalidArgument when an index key attribute has the wrong type or is empty.
Result<std::string> IndexEntryKey(uint32_t index_id, const IndexSpec& index, const Item& item,
                                  std::string_view item_key) {
  auto h = item.find(index.hash_key.name);
  if (h == item.end()) return std::string();
  const AttributeValue* r = nullptr;
  if (index.range_key) {
    auto it = item.find(index.range_key->name);
    if (it == item.end()) return std::string();
    r = &it->second;
  }
  TRIB_RETURN_IF_ERROR(IndexKeyError(index, index.hash_key, h->second));
  if (r != nullptr) TRIB_RETURN_IF_ERROR(IndexKeyError(index, *index.range_key, *r));
  std::string key = TablePrefix(index_id);
  AppendKeyValue(&key, h->second);
  if (r != nullptr) AppendKeyValue(&key, *r);
  key.append(item_key.substr(4));
  return key;
}

// The attributes of `item` an index stores.
Item ProjectForIndex(const TableSpec& spec, const IndexSpec& index, const Item& item) {
  if (index.projection == ProjectionType::kAll) return item;
  Item out = ExtractKey(spec, item);
  auto copy = [&](const std::string& name) {
    auto it = item.find(name);
    if (it != item.end()) out.emplace(it->first, it->second);
  };
  copy(index.hash_key.name);
  if (index.range_key) copy(index.range_key->name);
  for (const auto& n : index.non_key_attributes) copy(n);
  return out;
}

Status TableEngine::AddIndexMutations(const TableState& t, std::string_view item_key, const std::string* old_value,
                                      const std::string* new_value, rocksdb::WriteBatch* batch,
                                      CounterDeltas* deltas) {
  const TableSpec& spec = t.meta.spec;
  std::optional<Item> old_item, new_item;
  if (old_value != nullptr) {
    TRIB_ASSIGN_OR_RETURN(old_item, DecodeItem(*old_value));
  }
  if (new_value != nullptr) {
    TRIB_ASSIGN_OR_RETURN(new_item, DecodeItem(*new_value));
  }
  deltas->indexes.resize(spec.indexes.size());
  for (size_t i = 0; i < spec.indexes.size(); ++i) {
    const IndexSpec& index = spec.indexes[i];
    const uint32_t id = t.meta.index_ids[i];
    std::string old_key, new_key;
    if (old_item) {
      auto k = IndexEntryKey(id, index, *old_item, item_key);
      if (k.ok()) old_key = std::move(*k);  // a stored item always had valid index keys
    }
    std::string new_entry;
    size_t new_size = 0;
    if (new_item) {
      TRIB_ASSIGN_OR_RETURN(new_key, IndexEntryKey(id, index, *new_item, item_key));
      if (!new_key.empty()) {
        if (index.projection == ProjectionType::kAll) {
          new_entry = *new_value;
          new_size = static_cast<size_t>(EncodedItemSizeBytes(new_entry).value_or(0));
        } else {
          Item projected = ProjectForIndex(spec, index, *new_item);
          new_size = ItemSizeBytes(projected);
          EncodeItem(projected, new_size, &new_entry);
        }
      }
    }
    auto& [count, bytes] = deltas->indexes[i];
    if (!old_key.empty()) {
      Item projected = ProjectForIndex(spec, index, *old_item);
      bytes -= static_cast<int64_t>(ItemSizeBytes(projected));
      count -= 1;
      if (old_key != new_key) batch->Delete(items_cf_, old_key);
    }
    if (!new_key.empty()) {
      batch->Put(items_cf_, new_key, new_entry);
      bytes += static_cast<int64_t>(new_size);
      count += 1;
    }
  }
  return Status::Ok();
}

Status TableEngine::PersistMeta(const TableState& t, rocksdb::WriteBatch* batch) {
  batch->Put(meta_cf_, TableMetaKey(t.meta.spec.name), EncodeTableMeta(t.meta));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  return FromRocks(db_->Write(wo, batch), "writing table metadata");
}

Status TableEngine::MutateTable(std::string_view table, const std::function<Status(TableState&)>& change) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::unique_lock alive(t->alive_mu);
  if (t->deleted) return Status::NotFound("Requested resource not found");
  TableMeta before = t->meta;
  TRIB_RETURN_IF_ERROR(change(*t));
  rocksdb::WriteBatch batch;
  Status s = PersistMeta(*t, &batch);
  if (!s.ok()) t->meta = std::move(before);
  return s;
}

Status TableEngine::BackfillIndex(TableState& t, size_t i) {
  const IndexSpec& index = t.meta.spec.indexes[i];
  const uint32_t id = t.meta.index_ids[i];
  std::string upper = PrefixSuccessor(t.key_prefix);
  rocksdb::ReadOptions ro;
  rocksdb::Slice ub(upper);
  ro.iterate_upper_bound = &ub;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, items_cf_));
  rocksdb::WriteBatch batch;
  int64_t count = 0, bytes = 0;
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  for (it->Seek(t.key_prefix); it->Valid(); it->Next()) {
    std::string_view value(it->value().data(), it->value().size());
    TRIB_ASSIGN_OR_RETURN(Item item, DecodeItem(value));
    auto key = IndexEntryKey(id, index, item, std::string_view(it->key().data(), it->key().size()));
    if (!key.ok() || key->empty()) continue;  // DynamoDB leaves items with bad index keys out
    Item projected = ProjectForIndex(t.meta.spec, index, item);
    size_t size = ItemSizeBytes(projected);
    batch.Put(items_cf_, *key, EncodeItem(projected));
    ++count;
    bytes += static_cast<int64_t>(size);
    if (batch.Count() >= 1000) {
      TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "backfilling index"));
      batch.Clear();
    }
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "backfilling index"));
  batch.Merge(meta_cf_, CountersKey(id), EncodeCounters(count, bytes));
  return FromRocks(db_->Write(wo, &batch), "backfilling index");
}

Result<TableDescription> TableEngine::UpdateTable(std::string_view table, const TableUpdate& update) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  const std::string invalid = "One or more parameter values were invalid: ";
  std::vector<std::string> creating;
  // Ids for new indexes, allocated (and persisted, so a crash during the backfill never reuses
  // one) before the table is locked: the lock order is tables_mu_ before a table's alive_mu.
  uint32_t first_new = 0;
  if (!update.create_indexes.empty()) {
    std::unique_lock tables(tables_mu_);
    first_new = next_table_id_;
    next_table_id_ += static_cast<uint32_t>(update.create_indexes.size());
    std::string next_id;
    AppendBigEndian32(next_id, next_table_id_);
    rocksdb::WriteBatch ids_batch;
    ids_batch.Put(meta_cf_, kNextTableIdKey, next_id);
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync_writes;
    TRIB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &ids_batch), "UpdateTable"));
  }
  {
    std::unique_lock alive(t->alive_mu);
    if (t->deleted) return Status::NotFound("Requested resource not found");
    TableMeta before = t->meta;
    TableSpec spec = t->meta.spec;
    if (update.billing_mode) spec.billing_mode = *update.billing_mode;
    if (update.throughput) spec.throughput = *update.throughput;
    for (const auto& a : update.attribute_definitions) {
      bool found = false;
      for (auto& existing : spec.attribute_definitions) {
        if (existing.name == a.name) {
          existing.type = a.type;
          found = true;
        }
      }
      if (!found) spec.attribute_definitions.push_back(a);
    }
    for (const auto& name : update.delete_indexes) {
      auto it = std::find_if(spec.indexes.begin(), spec.indexes.end(),
                             [&](const IndexSpec& i) { return i.name == name && !i.local; });
      if (it == spec.indexes.end()) {
        return Status::NotFound("Requested resource not found: Index: " + name + " not found");
      }
      spec.indexes.erase(it);
    }
    for (const auto& [name, tp] : update.update_indexes) {
      bool found = false;
      for (auto& i : spec.indexes) {
        if (i.name == name && !i.local) {
          i.throughput = tp;
          found = true;
        }
      }
      if (!found) return Status::NotFound("Requested resource not found: Index: " + name + " not found");
    }
    for (const auto& index : update.create_indexes) {
      if (spec.FindIndex(index.name) != nullptr) {
        return Status::InvalidArgument("Attempting to create an index which already exists");
      }
      spec.indexes.push_back(index);
    }
    TRIB_RETURN_IF_ERROR(ValidateTableSpec(spec));

    // Index ids: keep the surviving indexes' ids, allocate new ones.
    std::vector<uint32_t> ids;
    std::vector<uint32_t> dropped;
    std::vector<size_t> fresh;
    for (size_t i = 0; i < before.spec.indexes.size(); ++i) {
      if (spec.FindIndex(before.spec.indexes[i].name) == nullptr) dropped.push_back(before.index_ids[i]);
    }
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < spec.indexes.size(); ++i) {
      const IndexSpec* old = before.spec.FindIndex(spec.indexes[i].name);
      if (old != nullptr) {
        ids.push_back(before.index_ids[static_cast<size_t>(old - before.spec.indexes.data())]);
      } else {
        ids.push_back(first_new++);
        fresh.push_back(i);
        creating.push_back(spec.indexes[i].name);
      }
    }
    for (uint32_t id : dropped) {
      std::string prefix = TablePrefix(id);
      batch.DeleteRange(items_cf_, prefix, PrefixSuccessor(prefix));
      batch.Delete(meta_cf_, CountersKey(id));
    }
    t->meta.spec = std::move(spec);
    t->meta.index_ids = std::move(ids);
    Status s;
    for (size_t i = 0; s.ok() && i < fresh.size(); ++i) s = BackfillIndex(*t, fresh[i]);
    if (!s.ok()) {
      t->meta = std::move(before);
      return s;
    }
    s = PersistMeta(*t, &batch);
    if (!s.ok()) {
      t->meta = std::move(before);
      return s;
    }
  }
  std::shared_lock alive(t->alive_mu);
  TableDescription d = Describe(*t);
  for (auto& index : d.indexes) {
    if (std::find(creating.begin(), creating.end(), index.spec.name) != creating.end()) index.status = "CREATING";
  }
  return d;
}

Status TableEngine::SetTimeToLive(std::string_view table, const TimeToLive& ttl) {
  return MutateTable(table, [&ttl](TableState& t) {
    t.meta.ttl = ttl;
    return Status::Ok();
  });
}

Status TableEngine::TagTable(std::string_view table, const std::map<std::string, std::string>& tags) {
  return MutateTable(table, [&tags](TableState& t) {
    for (const auto& [k, v] : tags) t.meta.tags[k] = v;
    return Status::Ok();
  });
}

Status TableEngine::UntagTable(std::string_view table, const std::vector<std::string>& keys) {
  return MutateTable(table, [&keys](TableState& t) {
    for (const auto& k : keys) t.meta.tags.erase(k);
    return Status::Ok();
  });
}

Result<std::map<std::string, std::string>> TableEngine::ListTags(std::string_view table) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::shared_lock alive(t->alive_mu);
  return t->meta.tags;
}

}  // namespace tributary::table
