// Running the real `tributary` binary from tests: spawn, wait with a timeout, kill -9, and
// capture output. Every child is stopped by PID.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace tributary::e2e {

// Path of the binary under test (TRIBUTARY_BIN, set by CTest) and of the source tree.
std::string BinaryPath();
std::string SourceDir();

struct ProcessResult {
  int exit_code = -1;     // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string output;     // stdout + stderr
};

// Runs to completion (SIGKILL after timeout_s).
ProcessResult Run(const std::vector<std::string>& args, double timeout_s = 120);

// Starts in the background with output to `log_path`; returns the pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path);
// The same, with `extra_env` ("NAME=value") added to the inherited environment (no setenv in the
// parent, so it is safe while other threads run).
pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path,
            const std::vector<std::string>& extra_env);
// Waits up to timeout_s; returns the exit code, or -1 (killed / timed out, then SIGKILLed).
int Wait(pid_t pid, double timeout_s);
void KillHard(pid_t pid);

std::string ReadWholeFile(const std::string& path);

}  // namespace tributary::e2e
