#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
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
  return Spawn(args, log_path, {});
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path,
            const std::vector<std::string>& extra_env) {
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool overridden = false;
    for (const auto& x : extra_env) {
      overridden = overridden || entry.substr(0, entry.find('=') + 1) == x.substr(0, x.find('=') + 1);
    }
    if (!overridden) envp.push_back(*e);
  }
  for (const auto& e : extra_env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execve(argv[0], argv.data(), envp.data());
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
