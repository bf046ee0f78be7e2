// TableEngine::BatchWriteItem: many puts and deletes in one atomic RocksDB write.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "table/item_codec.h"
#include "table/key_schema.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_writes_internal.h"

namespace tributary::table {

namespace {

struct Prepared {
  std::string key;
  size_t partition_len = 0;
  bool is_delete = false;
  std::string new_value;
  size_t new_size = 0;
  Item key_attrs;
  bool existed = false;
  std::string old_value;
};

}  // namespace

Result<std::vector<WriteResult>> TableEngine::BatchWriteItem(std::string_view table,
                                                             std::vector<WriteRequest> requests) {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  const TableSpec& spec = t->meta.spec;
  std::vector<Prepared> prepared(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    WriteRequest& req = requests[i];
    Prepared& p = prepared[i];
    p.is_delete = req.is_delete;
    if (req.is_delete) {
      TRIB_RETURN_IF_ERROR(ValidateKey(spec, req.item));
      p.key_attrs = std::move(req.item);
      p.key = EncodeItemKey(t->meta.table_id, spec, p.key_attrs, &p.partition_len);
    } else {
      TRIB_RETURN_IF_ERROR(ValidateItemKey(spec, req.item));
      p.new_size = ItemSizeBytes(req.item);
      if (p.new_size > kMaxItemBytes) {
        return Status::InvalidArgument("Item size has exceeded the maximum allowed size");
      }
      p.key = EncodeItemKey(t->meta.table_id, spec, req.item, &p.partition_len);
      EncodeItem(req.item, p.new_size, &p.new_value);
      p.key_attrs = ExtractKey(spec, req.item);
    }
  }
  std::vector<size_t> stripes;
  {
    std::vector<std::string_view> keys;
    for (const auto& p : prepared) {
      keys.push_back(p.key);
      stripes.push_back(StripeIndex(p.key));
    }
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
      return Status::InvalidArgument("Provided list of item keys contains duplicates");
    }
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  }
  std::vector<std::mutex*> mutexes;
  for (size_t s : stripes) mutexes.push_back(&stripes_[s]);

  std::shared_lock alive(t->alive_mu);
  if (t->deleted) return Status::NotFound("Requested resource not found");
  MultiLock locked(std::move(mutexes));

  std::vector<rocksdb::Slice> keys;
  keys.reserve(prepared.size());
  for (const auto& p : prepared) keys.emplace_back(p.key);
  std::vector<rocksdb::PinnableSlice> values(prepared.size());
  std::vector<rocksdb::Status> statuses(prepared.size());
  db_->MultiGet(rocksdb::ReadOptions(), items_cf_, keys.size(), keys.data(), values.data(), statuses.data());

  std::vector<WriteResult> results(prepared.size());
  rocksdb::WriteBatch batch;
  std::vector<PendingRecord> records;
  CounterDeltas deltas;
  for (size_t i = 0; i < prepared.size(); ++i) {
    Prepared& p = prepared[i];
    if (statuses[i].ok()) {
      p.existed = true;
      p.old_value.assign(values[i].data(), values[i].size());
    } else if (!statuses[i].IsNotFound()) {
      return FromRocks(statuses[i], "reading items");
    }
    if (p.is_delete ? !p.existed : (p.existed && p.old_value == p.new_value)) continue;  // no-op
    Mutation m;
    m.key = p.key;
    m.partition_len = p.partition_len;
    m.old_value = p.existed ? &p.old_value : nullptr;
    m.new_value = p.is_delete ? nullptr : &p.new_value;
    m.new_size = p.new_size;
    m.key_attrs = &p.key_attrs;
    m.result = &results[i];
    TRIB_RETURN_IF_ERROR(AddMutation(*t, m, &batch, &records, &deltas));
  }
  if (batch.Count() > 0) TRIB_RETURN_IF_ERROR(Commit(*t, &batch, &records, deltas));
  return results;
}

}  // namespace tributary::table
