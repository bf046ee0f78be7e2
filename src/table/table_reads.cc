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

Result<Page> TableEngine::Query(std::string_view table, const QuerySpec& query) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  const TableSpec& spec = t->meta.spec;
  if (query.limit < 0) return Status::InvalidArgument("Limit must be positive");
  if (query.hash_value.type() != spec.hash_key.type) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Condition parameter type does not match schema type");
  }
  TRIB_RETURN_IF_ERROR(ValidateKeyValue(spec.hash_key, true, query.hash_value, false));
  std::string prefix = PartitionPrefix(t->meta.table_id, query.hash_value);
  std::string lower = prefix;
  std::string upper = PrefixSuccessor(prefix);
  if (query.range) TRIB_RETURN_IF_ERROR(RangeBounds(spec, prefix, *query.range, &lower, &upper));
  if (query.exclusive_start_key) {
    const Item& esk = *query.exclusive_start_key;
    Status s = ValidateKey(spec, esk);
    if (!s.ok()) return StartKeyError(s);
    if (!(esk.find(spec.hash_key.name)->second == query.hash_value)) {
      return Status::InvalidArgument(
          "The provided starting key is outside query boundaries based on provided conditions");
    }
    std::string start = EncodeItemKey(t->meta.table_id, spec, esk);
    if (query.scan_forward) {
      lower = std::max(lower, start + '\0');
    } else {
      upper = std::min(upper, start);
    }
  }
  return ScanRange(*t, lower, upper, query.scan_forward, query.limit);
}

Result<Page> TableEngine::Scan(std::string_view table, const ScanSpec& scan) const {
  TRIB_ASSIGN_OR_RETURN(std::shared_ptr<TableState> t, FindTable(table));
  if (scan.limit < 0) return Status::InvalidArgument("Limit must be positive");
  std::string lower = t->key_prefix;
  std::string upper = PrefixSuccessor(t->key_prefix);
  if (scan.exclusive_start_key) {
    Status s = ValidateKey(t->meta.spec, *scan.exclusive_start_key);
    if (!s.ok()) return StartKeyError(s);
    lower = EncodeItemKey(t->meta.table_id, t->meta.spec, *scan.exclusive_start_key) + '\0';
  }
  return ScanRange(*t, lower, upper, true, scan.limit);
}

Result<Page> TableEngine::ScanRange(const TableState& t, const std::string& lower, const std::string& upper,
                                    bool forward, int limit) const {
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
      if (it->Valid()) page.last_evaluated_key = ExtractKey(t.meta.spec, page.items.back());
      break;
    }
  }
  TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "reading items"));
  return page;
}

}  // namespace tributary::table
