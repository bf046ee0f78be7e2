#include "core/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

namespace tributary {
namespace {

struct CrashConfig {
  std::string name;
  long target = 0;  // 0: disabled
  std::atomic<long> hits{0};
};

CrashConfig* LoadConfig() {
  auto* config = new CrashConfig();  // leaked on purpose: lives for the whole process
  const char* env = std::getenv("TRIBUTARY_CRASH_AT");
  if (env == nullptr) return config;
  std::string spec(env);
  size_t colon = spec.rfind(':');
  config->name = spec.substr(0, colon);
  config->target = colon == std::string::npos ? 1 : std::strtol(spec.c_str() + colon + 1, nullptr, 10);
  if (config->target < 1) config->target = 1;
  return config;
}

std::atomic<int> g_state{0};  // 0 = not loaded, 1 = disabled, 2 = armed
CrashConfig* g_config = nullptr;
std::once_flag g_once;

}  // namespace

void CrashPoint(std::string_view name) {
  int state = g_state.load(std::memory_order_acquire);
  if (state == 1) return;
  if (state == 0) {
    std::call_once(g_once, [] {
      g_config = LoadConfig();
      g_state.store(g_config->target > 0 ? 2 : 1, std::memory_order_release);
    });
    if (g_state.load(std::memory_order_acquire) == 1) return;
  }
  if (name != g_config->name) return;
  if (g_config->hits.fetch_add(1) + 1 == g_config->target) {
    ::kill(::getpid(), SIGKILL);
    ::_exit(137);  // not reached
  }
}

}  // namespace tributary
