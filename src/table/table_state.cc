#include "table/table_state.h"

#include <cstring>

#include "core/encoding.h"

namespace tributary::table {

std::string TableMetaKey(std::string_view name) {
  std::string key(kTableMetaPrefix);
  key.append(name);
  return key;
}

std::string CountersKey(uint32_t table_id) {
  std::string key = "counters/";
  AppendBigEndian32(key, table_id);
  return key;
}

std::string TrimKey(uint32_t table_id, uint32_t shard) {
  std::string key = "trim/";
  AppendBigEndian32(key, table_id);
  AppendBigEndian32(key, shard);
  return key;
}

std::string EncodeCounters(int64_t count, int64_t bytes) {
  std::string out(16, '\0');
  std::memcpy(out.data(), &count, 8);
  std::memcpy(out.data() + 8, &bytes, 8);
  return out;
}

void DecodeCounters(std::string_view value, int64_t* count, int64_t* bytes) {
  *count = 0;
  *bytes = 0;
  if (value.size() != 16) return;
  std::memcpy(count, value.data(), 8);
  std::memcpy(bytes, value.data() + 8, 8);
}

namespace {

class CountersMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger* /*logger*/) const override {
    int64_t c0 = 0, b0 = 0, c1 = 0, b1 = 0;
    if (existing != nullptr) DecodeCounters(std::string_view(existing->data(), existing->size()), &c0, &b0);
    DecodeCounters(std::string_view(value.data(), value.size()), &c1, &b1);
    *new_value = EncodeCounters(c0 + c1, b0 + b1);
    return true;
  }
  const char* Name() const override { return "tributary.CountersAdd"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewCountersMergeOperator() {
  return std::make_shared<CountersMergeOperator>();
}

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::DataLoss(std::move(msg));
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::Unavailable(std::move(msg));
  return Status::Internal(std::move(msg));
}

}  // namespace tributary::table
