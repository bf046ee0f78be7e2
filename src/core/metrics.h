// Metrics: named counters, gauges and histograms that stages update and `status`, the dashboard
// and /metrics read. Counters are lock-free atomics, histograms too (one atomic per bucket);
// registration takes a mutex once, so stages look a metric up once and keep the pointer.
//
// Names follow Prometheus: a family name plus optional labels, written out in full by the
// caller: "tributary_delivery_rows_delivered_total{delivery=\"x\"}". PrometheusText() groups the
// samples of a family and writes `# HELP` (when Describe()d) and `# TYPE` lines before them:
//   - a family registered with GetHistogram() is a histogram: `<family>_bucket{...,le="0.005"}`
//     (cumulative, ending with le="+Inf"), `<family>_sum{...}`, `<family>_count{...}`;
//   - otherwise the type given to Describe(), else "counter" when the family ends in `_total`
//     and "gauge" for anything else (a Counter that is Set() is a gauge).
//
// Thread-safety: all methods are thread-safe. Returned pointers live as long as the registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tributary {

class Counter {
 public:
  void Add(int64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  void Set(int64_t n) { v_.store(n, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// A Prometheus histogram: observations counted into buckets with fixed upper bounds (seconds
// for latencies), plus their sum and count.
class Histogram {
 public:
  // `bounds`: strictly increasing upper bounds; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<int64_t> counts;  // per bucket (not cumulative); size bounds.size() + 1 (+Inf last)
    int64_t count = 0;
    double sum = 0;
    // Estimated q-quantile (0 < q < 1) by linear interpolation inside the bucket, as
    // Prometheus's histogram_quantile() does; 0 when empty. Values past the last bound report
    // the last bound.
    double Quantile(double q) const;
  };
  Snapshot Take() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<int64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Upper bounds (seconds) for latencies from 0.5 ms to 30 s.
const std::vector<double>& DefaultLatencyBuckets();

class MetricsRegistry {
 public:
  // Returns the counter (or gauge: a counter that is Set) with this name, creating it.
  Counter* Get(const std::string& name);
  // Returns the histogram with this name, creating it with `bounds` (ignored when it exists).
  Histogram* GetHistogram(const std::string& name, const std::vector<double>& bounds = DefaultLatencyBuckets());

  enum class Type { kDefault, kCounter, kGauge };
  // HELP text (and optionally the type) of a metric family: the name without labels. May be
  // called before or after the family's metrics exist; the last call wins.
  void Describe(const std::string& family, std::string help, Type type = Type::kDefault);

  // Snapshot of all counter and gauge values, sorted by name.
  std::map<std::string, int64_t> Snapshot() const;
  // Snapshot of all histograms, by name.
  std::map<std::string, Histogram::Snapshot> HistogramSnapshot() const;
  // Prometheus text exposition format (version 0.0.4).
  std::string PrometheusText() const;

  static MetricsRegistry* Default();

 private:
  struct Description {
    std::string help;
    Type type = Type::kDefault;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Counter>> counters_;      // guarded by mu_
  std::map<std::string, std::unique_ptr<Histogram>> histograms_;  // guarded by mu_
  std::map<std::string, Description> descriptions_;              // guarded by mu_
};

// "name{a=\"b\"}" -> family "name", labels "a=\"b\"" (without braces; empty when none).
void SplitMetricName(std::string_view name, std::string_view* family, std::string_view* labels);

}  // namespace tributary
