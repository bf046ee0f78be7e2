// Internal to the table engine's write path (table_writes.cc, table_batch.cc).
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "table/table_engine.h"
#include "table/table_state.h"

namespace tributary::table {

// One item change: the row, its old value (nullptr: absent) and new value (nullptr: delete).
struct TableEngine::Mutation {
  std::string_view key;  // storage key
  size_t partition_len = 0;
  const std::string* old_value = nullptr;
  const std::string* new_value = nullptr;
  size_t new_size = 0;  // ItemSizeBytes of the new item
  const Item* key_attrs = nullptr;
  WriteResult* result = nullptr;
  bool by_service = false;  // a TTL deletion: the record names the service as the user
};

// One read-modify-write of one item: holds the table (shared) and the item's stripe lock for its
// lifetime, and reads the current value.
class TableEngine::ItemWriter {
 public:
  ItemWriter(TableEngine* engine, std::shared_ptr<TableState> table, std::string key, size_t partition_len)
      : engine_(engine),
        t_(std::move(table)),
        key_(std::move(key)),
        partition_len_(partition_len),
        alive_(t_->alive_mu),
        stripe_(engine->StripeFor(key_)) {}

  // Reads the current value; NotFound when the table was deleted meanwhile.
  Status Load() {
    if (t_->deleted) return Status::NotFound("Requested resource not found");
    rocksdb::Status s = engine_->db_->Get(rocksdb::ReadOptions(), engine_->items_cf_, key_, &old_value_);
    if (s.IsNotFound()) return Status::Ok();
    TRIB_RETURN_IF_ERROR(FromRocks(s, "reading item"));
    existed_ = true;
    return Status::Ok();
  }

  bool existed() const { return existed_; }
  const std::string& old_value() const { return old_value_; }

  // Writes `new_value` (nullptr: delete) with counters and, with a stream, its record.
  Status Write(const std::string* new_value, size_t new_size, const Item& key_attrs, WriteResult* result,
               bool by_service = false);

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

// Locks a sorted set of mutexes in order and unlocks them in reverse.
class MultiLock {
 public:
  explicit MultiLock(std::vector<std::mutex*> mutexes) : mutexes_(std::move(mutexes)) {
    for (std::mutex* m : mutexes_) m->lock();
  }
  ~MultiLock() {
    for (auto it = mutexes_.rbegin(); it != mutexes_.rend(); ++it) (*it)->unlock();
  }
  MultiLock(const MultiLock&) = delete;
  MultiLock& operator=(const MultiLock&) = delete;

 private:
  std::vector<std::mutex*> mutexes_;
};

}  // namespace tributary::table
