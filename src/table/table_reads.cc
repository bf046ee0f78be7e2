// TableEngine item reads: GetItem, Query and Scan. Reads take no item locks; a Query or Scan
// page comes from one RocksDB iterator, i.e. one consistent snapshot.
#include <rocksdb/db.h>

#include <algorithm>

#include "table/item_codec.h"
#include "table/key_codec.h"
#include "table/key_schema.h"
#include "table/table_engine.h"
#include "table/table_state.h"

namespace tributary::table {

namespace {

Status StartKeyError(const Status& s) {
  return Status::InvalidArgument("The provided starting key is invalid: " + s.message());
}

// Bounds [lower, upper) of the range-key condition within one partition `prefix`.
Status RangeBounds(const TableSpec& spec, const std::string& prefix, const RangeCondition& cond,
                   std::string* lower, std::string* upper) {
  if (!spec.range_key) return Status::InvalidArgument("Query key condition not supported");
  const KeyAttribute& rk = *spec.range_key;
  auto check = [&rk](const AttributeValue& v) -> Status {
    if (v.type() != rk.type) {
      return Status::InvalidArgument(
          "One or more parameter values were invalid: Condition parameter type does not match schema type");
    }
    return Status::Ok();
  };
  TRIB_RETURN_IF_ERROR(check(cond.value));
  std::string at = prefix;
  if (cond.op == RangeOp::kBeginsWith) {
    if (rk.type == AttributeType::kN) {
      return Status::InvalidArgument(
          "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or "
          "function: begins_with, operand type: N");
    }
    AppendOrderedBytesPrefix(&at, cond.value.text());
    *lower = at;
    *upper = PrefixSuccessor(at);
    return Status::Ok();
  }
  AppendKeyValue(&at, cond.value);
  switch (cond.op) {
    case RangeOp::kEq: *lower = at; *upper = PrefixSuccessor(at); break;
    case RangeOp::kLt: *upper = at; break;
    case RangeOp::kLe: *upper = PrefixSuccessor(at); break;
    case RangeOp::kGt: *lower = PrefixSuccessor(at); break;
    case RangeOp::kGe: *lower = at; break;
    case RangeOp::kBetween: {
      TRIB_RETURN_IF_ERROR(check(cond.value2));
      std::string hi = prefix;
      AppendKeyValue(&hi, cond.value2);
      if (hi < at) {
        return Status::InvalidArgument(
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than "
            "or equal to lower bound; lower bound operand: AttributeValue: " +
            cond.value.ToJson() + ", upper bound operand: AttributeValue: " + cond.value2.ToJson());
      }
      *lower = at;
      *upper = PrefixSuccessor(hi);
      break;
    }
    case RangeOp::kBeginsWith: break;
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<Item>> TableEngine::GetItem(std::string_view table, const Item& key) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  TRIB_RETURN_IF_ERROR(ValidateKey(t->meta.spec, key));
  std::string item_key = EncodeItemKey(t->meta.table_id, t->meta.spec, key);
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), items_cf_, item_key, &value);
  if (s.IsNotFound()) return std::optional<Item>();
  TRIB_RETURN_IF_ERROR(FromRocks(s, "GetItem"));
  TRIB_ASSIGN_OR_RETURN(Item item, DecodeItem(std::string_view(value.data(), value.size())));
  return std::optional<Item>(std::move(item));
}

namespace {

// What a Query or Scan reads: the table or one of its indexes.
struct ReadTarget {
  std::string prefix;        // key prefix of the table or index
  TableSpec keys;            // hash/range of the table or index (only the keys are set)
  const IndexSpec* index = nullptr;
  std::vector<const KeyAttribute*> key_attrs;  // LastEvaluatedKey attributes
};

Result<ReadTarget> ResolveTarget(const TableState& t, const std::string& index_name) {
  ReadTarget target;
  const TableSpec& spec = t.meta.spec;
  target.key_attrs.push_back(&spec.hash_key);
  if (spec.range_key) target.key_attrs.push_back(&*spec.range_key);
  if (index_name.empty()) {
    target.prefix = t.key_prefix;
    target.keys.hash_key = spec.hash_key;
    target.keys.range_key = spec.range_key;
    return target;
  }
  for (size_t i = 0; i < spec.indexes.size(); ++i) {
    const IndexSpec& index = spec.indexes[i];
    if (index.name != index_name) continue;
    target.index = &index;
    target.prefix = TablePrefix(t.meta.index_ids[i]);
    target.keys.hash_key = index.hash_key;
    target.keys.range_key = index.range_key;
    auto add = [&target](const KeyAttribute* k) {
      for (const KeyAttribute* o : target.key_attrs) {
        if (o->name == k->name) return;
      }
      target.key_attrs.push_back(k);
    };
    add(&index.hash_key);
    if (index.range_key) add(&*index.range_key);
    return target;
  }
  return Status::InvalidArgument("The table does not have the specified index: " + index_name);
}

// The storage key an ExclusiveStartKey designates in `target`.
Result<std::string> StartKey(const TableState& t, const ReadTarget& target, const Item& esk) {
  const TableSpec& spec = t.meta.spec;
  if (target.index == nullptr) {
    Status s = ValidateKey(spec, esk);
    if (!s.ok()) return StartKeyError(s);
    return EncodeItemKey(t.meta.table_id, spec, esk);
  }
  for (const KeyAttribute* k : target.key_attrs) {
    auto it = esk.find(k->name);
    if (it == esk.end() || it->second.type() != k->type) {
      return StartKeyError(Status::InvalidArgument("The provided key element does not match the schema"));
    }
  }
  if (esk.size() != target.key_attrs.size()) {
    return StartKeyError(Status::InvalidArgument("The provided key element does not match the schema"));
  }
  std::string key = target.prefix;
  AppendKeyValue(&key, esk.find(target.index->hash_key.name)->second);
  if (target.index->range_key) AppendKeyValue(&key, esk.find(target.index->range_key->name)->second);
  std::string item_key = EncodeItemKey(t.meta.table_id, spec, esk);
  key.append(std::string_view(item_key).substr(4));
  return key;
}

}  // namespace

Result<Page> TableEngine::Query(std::string_view table, const QuerySpec& query) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::shared_lock alive(t->alive_mu);
  TRIB_ASSIGN_OR_RETURN(ReadTarget target, ResolveTarget(*t, query.index_name));
  const TableSpec& spec = target.keys;
  if (query.limit < 0) return Status::InvalidArgument("Limit must be positive");
  if (query.hash_value.type() != spec.hash_key.type) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Condition parameter type does not match schema type");
  }
  TRIB_RETURN_IF_ERROR(ValidateKeyValue(spec.hash_key, true, query.hash_value, false));
  std::string prefix = target.prefix;
  AppendKeyValue(&prefix, query.hash_value);
  std::string lower = prefix;
  std::string upper = PrefixSuccessor(prefix);
  if (query.range) TRIB_RETURN_IF_ERROR(RangeBounds(spec, prefix, *query.range, &lower, &upper));
  if (query.exclusive_start_key) {
    const Item& esk = *query.exclusive_start_key;
    TRIB_ASSIGN_OR_RETURN(std::string start, StartKey(*t, target, esk));
    auto h = esk.find(spec.hash_key.name);
    if (h == esk.end() || !(h->second == query.hash_value)) {
      return Status::InvalidArgument(
          "The provided starting key is outside query boundaries based on provided conditions");
    }
    if (query.scan_forward) {
      lower = std::max(lower, start + '\0');
    } else {
      upper = std::min(upper, start);
    }
  }
  TRIB_ASSIGN_OR_RETURN(Page page, ScanRange(lower, upper, query.scan_forward, query.limit, target.key_attrs));
  if (query.fetch_table_items && target.index != nullptr && target.index->local &&
      target.index->projection != ProjectionType::kAll) {
    TRIB_RETURN_IF_ERROR(FetchTableItems(*t, &page));
  }
  return page;
}

Result<Page> TableEngine::Scan(std::string_view table, const ScanSpec& scan) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  std::shared_lock alive(t->alive_mu);
  TRIB_ASSIGN_OR_RETURN(ReadTarget target, ResolveTarget(*t, scan.index_name));
  if (scan.limit < 0) return Status::InvalidArgument("Limit must be positive");
  std::string lower = target.prefix;
  std::string upper = PrefixSuccessor(target.prefix);
  if (scan.exclusive_start_key) {
    TRIB_ASSIGN_OR_RETURN(std::string start, StartKey(*t, target, *scan.exclusive_start_key));
    lower = start + '\0';
  }
  TRIB_ASSIGN_OR_RETURN(Page page, ScanRange(lower, upper, true, scan.limit, target.key_attrs));
  if (scan.fetch_table_items && target.index != nullptr && target.index->local &&
      target.index->projection != ProjectionType::kAll) {
    TRIB_RETURN_IF_ERROR(FetchTableItems(*t, &page));
  }
  return page;
}

Status TableEngine::FetchTableItems(const TableState& t, Page* page) const {
  for (Item& entry : page->items) {
    std::string key = EncodeItemKey(t.meta.table_id, t.meta.spec, entry);
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), items_cf_, key, &value);
    if (s.IsNotFound()) continue;  // deleted since the index page was read: keep the projection
    TRIB_RETURN_IF_ERROR(FromRocks(s, "reading items"));
    TRIB_ASSIGN_OR_RETURN(entry, DecodeItem(value));
  }
  return Status::Ok();
}

Result<Page> TableEngine::ScanRange(const std::string& lower, const std::string& upper, bool forward, int limit,
                                    const std::vector<const KeyAttribute*>& key_attrs) const {
  Page page;
  if (lower >= upper) return page;
  rocksdb::ReadOptions ro;
  rocksdb::Slice lb(lower), ub(upper);
  ro.iterate_lower_bound = &lb;
  ro.iterate_upper_bound = &ub;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, items_cf_));
  if (forward) {
    it->SeekToFirst();
  } else {
    it->SeekToLast();
  }
  size_t bytes = 0;
  while (it->Valid()) {
    std::string_view value(it->value().data(), it->value().size());
    TRIB_ASSIGN_OR_RETURN(Item item, DecodeItem(value));
    TRIB_ASSIGN_OR_RETURN(uint64_t size, EncodedItemSizeBytes(value));
    bytes += size;
    page.items.push_back(std::move(item));
    if (forward) {
      it->Next();
    } else {
      it->Prev();
    }
    bool full = (limit > 0 && static_cast<int>(page.items.size()) >= limit) || bytes >= kPageBytes;
    if (full) {
      if (it->Valid()) {
        Item lek;
        for (const KeyAttribute* k : key_attrs) {
          auto a = page.items.back().find(k->name);
          if (a != page.items.back().end()) lek.emplace(a->first, a->second);
        }
        page.last_evaluated_key = std::move(lek);
      }
      break;
    }
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading items"));
  return page;
}

}  // namespace tributary::table
