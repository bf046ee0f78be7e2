// TableEngine::ExpireItems: the TTL sweeper. Deletes items whose TTL attribute (a number of epoch
// seconds) is at or before now, as DynamoDB does (eventually; items more than five years past
// are left alone, also as DynamoDB). Each deletion re-checks the item under its lock, so a write
// that refreshed the TTL meanwhile wins, and is a REMOVE record from the service.
#include <rocksdb/db.h>

#include "table/item_codec.h"
#include "table/key_codec.h"
#include "table/key_schema.h"
#include "table/table_engine.h"
#include "table/table_state.h"
#include "table/table_writes_internal.h"

namespace tributary::table {

namespace {

constexpr int64_t kFiveYearsSeconds = 5LL * 365 * 24 * 3600;
constexpr size_t kMaxDeletesPerTable = 10000;  // per ExpireItems call; the next call continues

bool Expired(const Item& item, const std::string& attribute, int64_t now_s) {
  auto it = item.find(attribute);
  if (it == item.end() || it->second.type() != AttributeType::kN) return false;
  double t = NumberToDouble(it->second.text());
  return t <= static_cast<double>(now_s) && t >= static_cast<double>(now_s - kFiveYearsSeconds);
}

}  // namespace

Result<int64_t> TableEngine::ExpireItems() {
  std::vector<std::shared_ptr<TableState>> tables;
  {
    std::shared_lock lock(tables_mu_);
    for (const auto& [name, t] : tables_) tables.push_back(t);
  }
  const int64_t now_s = clock_->NowMillis() / 1000;
  int64_t deleted = 0;
  for (const auto& t : tables) {
    std::string attribute;
    {
      std::shared_lock alive(t->alive_mu);
      if (t->deleted || !t->meta.ttl.enabled || t->meta.ttl.attribute.empty()) continue;
      attribute = t->meta.ttl.attribute;
    }
    // Collect expired keys from a snapshot iterator, then delete each under its lock.
    std::vector<std::pair<std::string, Item>> expired;
    {
      std::string upper = PrefixSuccessor(t->key_prefix);
      rocksdb::ReadOptions ro;
      rocksdb::Slice ub(upper);
      ro.iterate_upper_bound = &ub;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, items_cf_));
      for (it->Seek(t->key_prefix); it->Valid() && expired.size() < kMaxDeletesPerTable; it->Next()) {
        TRIB_ASSIGN_OR_RETURN(Item item, DecodeItem(std::string_view(it->value().data(), it->value().size())));
        if (Expired(item, attribute, now_s)) {
          expired.emplace_back(std::string(it->key().data(), it->key().size()), ExtractKey(t->meta.spec, item));
        }
      }
      TRIB_RETURN_IF_ERROR(FromRocks(it->status(), "scanning for expired items"));
    }
    for (auto& [key, key_attrs] : expired) {
      size_t partition_len = 0;
      EncodeItemKey(t->meta.table_id, t->meta.spec, key_attrs, &partition_len);
      ItemWriter writer(this, t, key, partition_len);
      Status s = writer.Load();
      if (s.code() == StatusCode::kNotFound) break;  // table deleted meanwhile
      TRIB_RETURN_IF_ERROR(s);
      if (!writer.existed()) continue;
      TRIB_ASSIGN_OR_RETURN(Item current, DecodeItem(writer.old_value()));
      if (!Expired(current, attribute, now_s)) continue;
      WriteResult result;
      TRIB_RETURN_IF_ERROR(writer.Write(nullptr, 0, key_attrs, &result, /*by_service=*/true));
      ++deleted;
    }
  }
  return deleted;
}

}  // namespace tributary::table
