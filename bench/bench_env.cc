#include "bench_env.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "core/clock.h"

namespace tributary::bench {

std::string EnvironmentHeader() {
  std::string cpu = "unknown";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  double load = 0;
  std::ifstream la("/proc/loadavg");
  la >> load;
  utsname u{};
  uname(&u);
  std::string out;
  out += "Date:       " + FormatUtcMillis(SystemClock::Default()->NowMillis()) + " UTC\n";
  out += "CPU:        " + std::to_string(std::thread::hardware_concurrency()) + " x " + cpu + "\n";
  out += "Kernel:     " + std::string(u.sysname) + " " + u.release + "\n";
  out += "Load avg:   " + std::to_string(load) + " (other work on the machine skews wall times)\n";
#ifdef NDEBUG
  out += "Build:      optimized\n";
#else
  out += "Build:      WARNING: assertions on (not an optimized build)\n";
#endif
  return out;
}

}  // namespace tributary::bench
