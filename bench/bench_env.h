// The environment header every benchmark run prints (leveldb's db_bench style), so figures in
// docs/performance.md can be compared with the machine they came from.
#pragma once

#include <string>

namespace tributary::bench {

std::string EnvironmentHeader();

}  // namespace tributary::bench
