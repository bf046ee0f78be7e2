#include "stream/stream.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace tributary::stream {

bool DataStream::WaitForAppend(uint64_t /*seen_version*/, int64_t timeout_ms) {
  const int64_t ms = std::clamp<int64_t>(timeout_ms, 0, 200);
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return true;
}

int CompareSequenceNumbers(std::string_view a, std::string_view b) {
  a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
  b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace tributary::stream
