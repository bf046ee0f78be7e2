// TableEngine::TransactWriteItems and TransactGetItems: all-or-nothing writes across tables in
// one RocksDB batch, and reads from one snapshot.
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

using Kind = TransactWriteAction::Kind;

struct PreparedAction {
  TableState* table = nullptr;
  std::string key;
  size_t partition_len = 0;
  Item key_attrs;
  bool existed = false;
  std::string old_value;
  std::optional<Item> old_item;
  std::string new_value;  // puts and updates
  size_t new_size = 0;
  bool write = false;  // a change to commit (not a no-op, not a ConditionCheck)
  bool remove = false;
};

std::string CancelledMessage(const std::vector<CancellationReason>& reasons) {
  std::string msg = "Transaction cancelled, please refer cancellation reasons for specific reasons [";
  for (size_t i = 0; i < reasons.size(); ++i) {
    if (i > 0) msg += ", ";
    msg += reasons[i].code;
  }
  return msg + "]";
}

}  // namespace

Status TableEngine::TransactWriteItems(std::vector<TransactWriteAction>& actions,
                                       std::vector<CancellationReason>* reasons) {
  reasons->clear();
  // Tables, each locked (shared) once, in table id order.
  std::vector<std::shared_ptr<TableState>> tables;
  std::vector<PreparedAction> prepared(actions.size());
  for (size_t i = 0; i < actions.size(); ++i) {
    std::shared_ptr<TableState> t;
    for (const auto& existing : tables) {
      if (existing->meta.spec.name == actions[i].table) t = existing;
    }
    if (!t) {
      TRIB_ASSIGN_OR_RETURN(t, FindTable(actions[i].table));
      tables.push_back(t);
    }
    prepared[i].table = t.get();
  }
  std::sort(tables.begin(), tables.end(),
            [](const auto& a, const auto& b) { return a->meta.table_id < b->meta.table_id; });
  std::vector<std::shared_lock<std::shared_mutex>> alive;
  for (const auto& t : tables) {
    alive.emplace_back(t->alive_mu);
    if (t->deleted) return Status::NotFound("Requested resource not found");
  }

  // Keys, validation, one action per item.
  for (size_t i = 0; i < actions.size(); ++i) {
    TransactWriteAction& a = actions[i];
    PreparedAction& p = prepared[i];
    const TableSpec& spec = p.table->meta.spec;
    if (a.kind == Kind::kPut) {
      TRIB_RETURN_IF_ERROR(ValidateItemKey(spec, a.item));
      p.new_size = ItemSizeBytes(a.item);
      if (p.new_size > kMaxItemBytes) return Status::InvalidArgument("Item size has exceeded the maximum allowed size");
      p.key_attrs = ExtractKey(spec, a.item);
    } else {
      TRIB_RETURN_IF_ERROR(ValidateKey(spec, a.item));
      p.key_attrs = a.item;
    }
    if (a.kind == Kind::kConditionCheck && !a.condition) {
      return Status::InvalidArgument("ConditionCheck requires a ConditionExpression");
    }
    p.key = EncodeItemKey(p.table->meta.table_id, spec, p.key_attrs, &p.partition_len);
  }
  {
    std::vector<std::string_view> keys;
    for (const auto& p : prepared) keys.push_back(p.key);
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
      return Status::InvalidArgument("Transaction request cannot include multiple operations on one item");
    }
  }
  std::vector<size_t> stripes;
  for (const auto& p : prepared) stripes.push_back(StripeIndex(p.key));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::mutex*> mutexes;
  for (size_t s : stripes) mutexes.push_back(&stripes_[s]);
  MultiLock locked(std::move(mutexes));

  // Read, check conditions, compute new values.
  reasons->resize(actions.size());
  bool cancelled = false;
  for (size_t i = 0; i < actions.size(); ++i) {
    TransactWriteAction& a = actions[i];
    PreparedAction& p = prepared[i];
    CancellationReason& reason = (*reasons)[i];
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), items_cf_, p.key, &p.old_value);
    if (s.ok()) {
      p.existed = true;
      TRIB_ASSIGN_OR_RETURN(p.old_item, DecodeItem(p.old_value));
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading items");
    }
    if (a.condition) {
      Status c = a.condition(p.old_item ? &*p.old_item : nullptr);
      if (c.code() == StatusCode::kFailedPrecondition) {
        reason.code = "ConditionalCheckFailed";
        reason.message = "The conditional request failed";
        if (a.return_item_on_condition_failure) reason.item = p.old_item;
        cancelled = true;
        continue;
      }
      TRIB_RETURN_IF_ERROR(c);
    }
    switch (a.kind) {
      case Kind::kConditionCheck: break;
      case Kind::kDelete:
        p.write = p.existed;
        p.remove = true;
        break;
      case Kind::kPut:
        EncodeItem(a.item, p.new_size, &p.new_value);
        p.write = !(p.existed && p.old_value == p.new_value);
        break;
      case Kind::kUpdate: {
        Item updated = p.old_item ? *p.old_item : p.key_attrs;
        Status u = ApplyUpdate(a.update, &updated);
        if (u.ok()) {
          p.new_size = ItemSizeBytes(updated);
          if (p.new_size > kMaxItemBytes) u = Status::InvalidArgument("Item size to update has exceeded the maximum allowed size");
        }
        if (!u.ok()) {
          reason.code = "ValidationError";
          reason.message = u.message();
          cancelled = true;
          continue;
        }
        EncodeItem(updated, p.new_size, &p.new_value);
        p.write = !(p.existed && p.old_value == p.new_value);
        break;
      }
    }
  }
  if (cancelled) return Status::Aborted(CancelledMessage(*reasons));

  // One batch for every table.
  rocksdb::WriteBatch batch;
  std::vector<WriteResult> results(actions.size());
  std::vector<std::vector<PendingRecord>> records(tables.size());
  std::vector<CounterDeltas> deltas(tables.size());
  for (size_t i = 0; i < actions.size(); ++i) {
    PreparedAction& p = prepared[i];
    if (!p.write) continue;
    size_t ti = 0;
    while (tables[ti].get() != p.table) ++ti;
    Mutation m;
    m.key = p.key;
    m.partition_len = p.partition_len;
    m.old_value = p.existed ? &p.old_value : nullptr;
    m.new_value = p.remove ? nullptr : &p.new_value;
    m.new_size = p.new_size;
    m.key_attrs = &p.key_attrs;
    m.result = &results[i];
    Status s = AddMutation(*p.table, m, &batch, &records[ti], &deltas[ti]);
    if (s.code() == StatusCode::kInvalidArgument) {  // e.g. an index key of the wrong type
      (*reasons)[i].code = "ValidationError";
      (*reasons)[i].message = s.message();
      return Status::Aborted(CancelledMessage(*reasons));
    }
    TRIB_RETURN_IF_ERROR(s);
  }
  if (batch.Count() == 0) return Status::Ok();
  std::vector<TableCommit> commits;
  for (size_t ti = 0; ti < tables.size(); ++ti) commits.push_back({tables[ti].get(), &records[ti], &deltas[ti]});
  return CommitTables(commits, &batch);
}

Result<std::vector<std::optional<Item>>> TableEngine::TransactGetItems(
    const std::vector<TransactGetAction>& gets) const {
  std::vector<std::shared_ptr<TableState>> tables;
  std::vector<std::string> keys;
  for (const auto& g : gets) {
    TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(g.table));
    TRIB_RETURN_IF_ERROR(ValidateKey(t->meta.spec, g.key));
    keys.push_back(EncodeItemKey(t->meta.table_id, t->meta.spec, g.key));
    tables.push_back(std::move(t));
  }
  {
    std::vector<std::string_view> sorted(keys.begin(), keys.end());
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return Status::InvalidArgument("Transaction request cannot include multiple operations on one item");
    }
  }
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::vector<std::optional<Item>> out;
  Status status;
  for (const auto& key : keys) {
    std::string value;
    rocksdb::Status s = db_->Get(ro, items_cf_, key, &value);
    if (s.IsNotFound()) {
      out.emplace_back();
      continue;
    }
    status = FromRocks(s, "TransactGetItems");
    if (!status.ok()) break;
    auto item = DecodeItem(value);
    if (!item.ok()) {
      status = item.status();
      break;
    }
    out.emplace_back(std::move(*item));
  }
  db_->ReleaseSnapshot(snapshot);
  TRIB_RETURN_IF_ERROR(status);
  return out;
}

}  // namespace tributary::table
