#include "core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace tributary {

int64_t SystemClock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::MonotonicNanos() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SystemClock* SystemClock::Default() {
  static SystemClock clock;
  return &clock;
}

namespace {

std::string Format(int64_t epoch_millis, char sep) {
  int64_t secs = epoch_millis / 1000;
  int64_t ms = epoch_millis % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d%c%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, sep, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms));
  return buf;
}

}  // namespace

std::string FormatUtcMillis(int64_t epoch_millis) { return Format(epoch_millis, ' '); }
std::string FormatIsoMillis(int64_t epoch_millis) { return Format(epoch_millis, 'T'); }

}  // namespace tributary
