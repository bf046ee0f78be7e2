#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace tributary::e2e {

std::string BinaryPath() {
  const char* p = std::getenv("TRIBUTARY_BIN");
  return p ? p : TRIBUTARY_BIN_DEFAULT;
}

std::string SourceDir() {
  const char* p = std::getenv("TRIBUTARY_SOURCE_DIR");
  return p ? p : TRIBUTARY_SOURCE_DIR_DEFAULT;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int Wait(pid_t pid, double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (std::chrono::steady_clock::now() >= deadline) {
      KillHard(pid);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void KillHard(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ProcessResult Run(const std::vector<std::string>& args, double timeout_s) {
  static int counter = 0;
  std::string log = "/tmp/tributary-e2e-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".log";
  pid_t pid = Spawn(args, log);
  ProcessResult r;
  auto start = std::chrono::steady_clock::now();
  r.exit_code = Wait(pid, timeout_s);
  r.timed_out = r.exit_code == -1 &&
                std::chrono::steady_clock::now() - start >= std::chrono::duration<double>(timeout_s);
  r.output = ReadWholeFile(log);
  unlink(log.c_str());
  return r;
}

}  // namespace tributary::e2e
