// Metrics: named counters and gauges that stages update and `status`, the dashboard and
// /metrics read. Counters are lock-free atomics; registration takes a mutex once.
//
// Thread-safety: all methods are thread-safe. Returned pointers live as long as the registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tributary {

class Counter {
 public:
  void Add(int64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  void Set(int64_t n) { v_.store(n, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

class MetricsRegistry {
 public:
  // Returns the counter (or gauge: a counter that is Set) with this name, creating it.
  // Names follow Prometheus: "tributary_table_writes_total{table=\"x\"}".
  Counter* Get(const std::string& name);
  // Snapshot of all values, sorted by name.
  std::map<std::string, int64_t> Snapshot() const;
  // Prometheus text exposition format.
  std::string PrometheusText() const;

  static MetricsRegistry* Default();

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Counter>> counters_;  // guarded by mu_
};

}  // namespace tributary
