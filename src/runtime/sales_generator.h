// SalesGenerator: `tributary generate` and the demo's writer. Writes mock sales orders
// (order_id, product_name, quantity, price, customer_id, status, order_date, updated_at) with a
// realistic mix of new orders, updates (status progression, quantity changes) and deletions
// (cancellations), at a chosen rate or as fast as possible, and counts what actually happened:
// only writes that changed the table (and so emitted a stream record) are counted.
//
// Thread-safety: one SalesGenerator per thread; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/attribute_value.h"
#include "core/change_record.h"
#include "core/clock.h"
#include "core/status.h"

namespace tributary::runtime {

// Where generated changes go. Each call returns the event the write emitted, or nullopt when
// the write changed nothing (no stream record).
class OrderWriter {
 public:
  virtual ~OrderWriter() = default;
  virtual Result<std::optional<EventName>> Put(const Item& item) = 0;
  // SET the given attributes on the item with this key.
  virtual Result<std::optional<EventName>> Update(const Item& key, const Item& set_values) = 0;
  virtual Result<std::optional<EventName>> Delete(const Item& key) = 0;
};

struct GeneratorOptions {
  double rate_per_second = 0;   // 0 = as fast as possible
  int64_t max_changes = 0;      // 0 = no limit
  int64_t duration_ms = 0;      // 0 = no limit
  uint64_t seed = 0;            // 0 = random; printed in the report
  int insert_weight = 50;       // the mix, in relative weights
  int update_weight = 35;
  int delete_weight = 15;
  size_t max_live_orders = 5000;  // past this, new orders stop until some are deleted
  std::string order_prefix;     // default: "ord-<random hex>-" (unique per run)
};

struct GeneratorReport {
  int64_t inserts = 0;
  int64_t modifies = 0;
  int64_t removes = 0;
  int64_t noops = 0;
  int64_t errors = 0;
  int64_t elapsed_ms = 0;
  uint64_t seed = 0;
  int64_t changes() const { return inserts + modifies + removes; }
  std::string ToJson() const;
  std::string ToText() const;
};

class SalesGenerator {
 public:
  SalesGenerator(OrderWriter* writer, GeneratorOptions options, const Clock* clock);

  // Runs until max_changes, duration, or Stop(). Returns the report (also on error, in *report).
  Status Run(GeneratorReport* report);
  // One write; used by Run and by tests.
  Status Step(GeneratorReport* report);
  void Stop() { stop_ = true; }

  // Live counters for status lines while Run is going (relaxed reads).
  int64_t changes_so_far() const { return changes_.load(std::memory_order_relaxed); }

  // The items the generator believes are in the table (order_id -> item).
  const std::unordered_map<std::string, Item>& live_orders() const { return live_; }

 private:
  Item NewOrder();
  Status Insert(GeneratorReport* report);
  Status UpdateOne(GeneratorReport* report);
  Status DeleteOne(GeneratorReport* report);
  void Count(std::optional<EventName> event, GeneratorReport* report);
  std::string Now() const;

  OrderWriter* writer_;
  GeneratorOptions options_;
  const Clock* clock_;
  std::mt19937_64 rng_;
  int64_t next_order_ = 1;
  std::unordered_map<std::string, Item> live_;
  std::vector<std::string> live_ids_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> changes_{0};
};

}  // namespace tributary::runtime
