// Clock: the only way Tributary code reads the time, so tests can use a ManualClock and never sleep.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace tributary {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, milliseconds since the Unix epoch (UTC).
  virtual int64_t NowMillis() const = 0;
  // Monotonic time in nanoseconds, for durations and deadlines.
  virtual int64_t MonotonicNanos() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  int64_t MonotonicNanos() const override;
  // A process-wide instance.
  static SystemClock* Default();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis = 1700000000000) : now_ms_(now_millis) {}
  int64_t NowMillis() const override { return now_ms_.load(); }
  int64_t MonotonicNanos() const override { return now_ms_.load() * 1000000; }
  void AdvanceMillis(int64_t ms) { now_ms_ += ms; }
  void SetMillis(int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

// "2024-05-01 10:00:00.123" (UTC), the seed's creation_datetime format.
std::string FormatUtcMillis(int64_t epoch_millis);
// "2015-05-11T21:21:33.291" (UTC), the DynamoDB stream label format.
std::string FormatIsoMillis(int64_t epoch_millis);

}  // namespace tributary
