// Ctrl-C / SIGTERM handling for long-running commands: the first signal asks for a clean stop
// (flush and commit); a second one exits at once.
#pragma once

#include <cstdint>

namespace tributary::cli {

void InstallStopHandlers();
bool StopRequested();
// Sleeps up to `ms`, returning early (true) if a stop was requested.
bool WaitForStop(int64_t ms);

}  // namespace tributary::cli
