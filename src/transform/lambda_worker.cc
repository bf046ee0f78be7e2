#include "transform/lambda_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

extern char** environ;

namespace tributary::transform {

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Errno(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Moves `fd` to a number >= 10 with close-on-exec set (so dup2 onto 0..4 in the child never
// meets itself).
int HighCloexec(int fd) {
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return high;
}

}  // namespace

LambdaWorker::LambdaWorker(LambdaWorkerOptions options) : options_(std::move(options)) {}

LambdaWorker::~LambdaWorker() { Stop(); }

Status LambdaWorker::Start() {
  if (pid_ > 0) return Status::Ok();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Status::Unavailable(Errno("socketpair"));
  }
  const int parent_fd = HighCloexec(sv[0]);
  const int child_fd = HighCloexec(sv[1]);
  const int log_fd = HighCloexec(
      open(options_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (parent_fd < 0 || child_fd < 0 || log_fd < 0) {
    const std::string err = Errno("opening the worker's socket or log " + options_.log_path);
    for (int fd : {parent_fd, child_fd, log_fd}) {
      if (fd >= 0) close(fd);
    }
    return Status::Unavailable(err);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  posix_spawn_file_actions_adddup2(&actions, child_fd, 3);

  std::vector<std::string> env_strings;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("PYTHONUNBUFFERED=") || entry.starts_with("PYTHONDONTWRITEBYTECODE=")) {
      continue;
    }
    env_strings.emplace_back(entry);
  }
  env_strings.emplace_back("PYTHONUNBUFFERED=1");
  env_strings.emplace_back("PYTHONDONTWRITEBYTECODE=1");
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe = options_.executable;
  std::string script = options_.adapter_path;
  std::string settings = options_.settings_json;
  char* argv[] = {exe.data(), script.data(), settings.data(), nullptr};

  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(child_fd);
  close(log_fd);
  if (rc != 0) {
    close(parent_fd);
    return Status::Unavailable("cannot start '" + exe + "': " + std::strerror(rc));
  }
  pid_ = pid;
  fd_ = parent_fd;
  ++starts_;

  Reply ready;
  Status s = ReadFrame(NowNs() + options_.start_timeout_ms * 1000000, 64 * 1024 * 1024, &ready);
  if (!s.ok()) {
    Kill();
    return s.WithContext("starting the Lambda worker");
  }
  if (ready.kind == 0) return Died("while importing the handler");
  if (ready.kind == 'E') {
    Kill();
    return Status::InvalidArgument("the handler cannot be loaded: " + ready.payload);
  }
  if (ready.kind != 'S') {
    Kill();
    return Status::Internal(std::string("unexpected frame '") + ready.kind + "' from the worker");
  }
  return Status::Ok();
}

Status LambdaWorker::WriteAll(std::string_view bytes, int64_t deadline_ns) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const int64_t left_ms = (deadline_ns - NowNs()) / 1000000;
      if (left_ms <= 0) return Status::DeadlineExceeded("timed out sending the request");
      pollfd p{fd_, POLLOUT, 0};
      poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1000)));
      continue;
    }
    return Died("while receiving the request");
  }
  return Status::Ok();
}

Status LambdaWorker::ReadFrame(int64_t deadline_ns, size_t max_bytes, Reply* out) {
  out->kind = 0;
  out->payload.clear();
  auto read_exact = [&](char* buf, size_t len, bool* eof) -> Status {
    size_t done = 0;
    while (done < len) {
      ssize_t n = recv(fd_, buf + done, len - done, MSG_DONTWAIT);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n == 0) {
        *eof = true;
        return Status::Ok();
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        *eof = true;
        return Status::Ok();
      }
      const int64_t left_ms = (deadline_ns - NowNs() + 999999) / 1000000;
      if (left_ms <= 0) return Status::DeadlineExceeded("timed out");
      pollfd p{fd_, POLLIN, 0};
      poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1000)));
    }
    return Status::Ok();
  };
  unsigned char header[4];
  bool eof = false;
  TRIB_RETURN_IF_ERROR(read_exact(reinterpret_cast<char*>(header), 4, &eof));
  if (eof) return Status::Ok();
  const size_t len = (size_t{header[0]} << 24) | (size_t{header[1]} << 16) |
                     (size_t{header[2]} << 8) | size_t{header[3]};
  if (len == 0) return Status::Internal("empty frame from the Lambda worker");
  if (len - 1 > max_bytes) {
    return Status::ResourceExhausted("the response payload (" + std::to_string(len - 1) +
                                     " bytes) exceeds the limit of " + std::to_string(max_bytes) +
                                     " bytes");
  }
  char kind = 0;
  TRIB_RETURN_IF_ERROR(read_exact(&kind, 1, &eof));
  if (eof) return Status::Ok();
  out->payload.resize(len - 1);
  TRIB_RETURN_IF_ERROR(read_exact(out->payload.data(), len - 1, &eof));
  if (eof) {
    out->payload.clear();
    return Status::Ok();
  }
  out->kind = kind;
  return Status::Ok();
}

Result<LambdaWorker::Reply> LambdaWorker::Call(std::string_view request, int64_t timeout_ms,
                                               size_t max_reply_bytes) {
  TRIB_RETURN_IF_ERROR(Start());
  const int64_t deadline = NowNs() + timeout_ms * 1000000;
  std::string frame(4, '\0');
  const uint32_t len = static_cast<uint32_t>(request.size());
  frame[0] = static_cast<char>(len >> 24);
  frame[1] = static_cast<char>(len >> 16);
  frame[2] = static_cast<char>(len >> 8);
  frame[3] = static_cast<char>(len);
  frame.append(request);
  Status s = WriteAll(frame, deadline);
  Reply reply;
  if (s.ok()) s = ReadFrame(deadline, max_reply_bytes, &reply);
  if (s.code() == StatusCode::kDeadlineExceeded) {
    Kill();
    char secs[32];
    snprintf(secs, sizeof(secs), "%.2f", static_cast<double>(timeout_ms) / 1000.0);
    return Status::DeadlineExceeded(std::string("Task timed out after ") + secs +
                                    " seconds (the worker was killed and will be restarted)");
  }
  if (!s.ok()) {
    if (pid_ > 0) Kill();
    return s;
  }
  if (reply.kind == 0) return Died("during the invocation");
  if (reply.kind != 'R' && reply.kind != 'E') {
    Kill();
    return Status::Internal(std::string("unexpected frame '") + reply.kind + "' from the worker");
  }
  return reply;
}

Status LambdaWorker::Died(std::string_view when) {
  std::string how = "exited";
  if (pid_ > 0) {
    int status = 0;
    pid_t r = -1;
    // The socket closed; the process is exiting or gone. Give it a moment, then make sure.
    for (int i = 0; i < 200 && (r = waitpid(pid_, &status, WNOHANG)) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (r == 0) {
      kill(pid_, SIGKILL);
      r = waitpid(pid_, &status, 0);
    }
    if (r == pid_ && WIFEXITED(status)) {
      how = "exited with code " + std::to_string(WEXITSTATUS(status));
    } else if (r == pid_ && WIFSIGNALED(status)) {
      how = "was killed by signal " + std::to_string(WTERMSIG(status));
    }
    pid_ = -1;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  std::string tail = LogTail();
  return Status::Unavailable("the Lambda worker process " + how + " " + std::string(when) +
                             (tail.empty() ? "" : "; the end of its log " + options_.log_path +
                                                      ":\n" + tail));
}

std::string LambdaWorker::LogTail() const {
  std::ifstream in(options_.log_path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > 2000 ? size - 2000 : 0;
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text;
}

void LambdaWorker::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

void LambdaWorker::Stop() {
  if (fd_ >= 0) {
    close(fd_);  // the adapter sees EOF and exits
    fd_ = -1;
  }
  if (pid_ > 0) {
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Kill();
  }
}

}  // namespace tributary::transform
