// LambdaWorker: one long-lived process running lambda_adapter.py (the user's handler imported
// once), and the framed protocol to it over a Unix socket on the child's fd 3 (see the adapter's
// header for the frames). The child's stdin is /dev/null; its stdout and stderr go to a log file,
// so whatever the handler prints never reaches the protocol.
//
//   LambdaWorker w(options);
//   TRIB_RETURN_IF_ERROR(w.Start(timeout_ms));          // spawns, waits for the ready frame
//   TRIB_ASSIGN_OR_RETURN(auto reply, w.Call(request, timeout_ms, max_reply));
//
// A Call that times out kills the process (SIGKILL) and returns DeadlineExceeded; a process that
// died returns Unavailable with its exit status and the end of its log; a reply over the limit
// kills the process and returns ResourceExhausted. The next Call starts a fresh process.
//
// Thread-safety: not thread-safe; one caller at a time (the processor's pool hands workers out).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary::transform {

struct LambdaWorkerOptions {
  std::string executable = "python3";  // looked up in PATH
  std::string adapter_path;            // the adapter script
  std::string settings_json;           // its argv[1]
  std::string log_path;                // stdout/stderr of the process (appended)
  int64_t start_timeout_ms = 30000;    // for the import of the handler
};

class LambdaWorker {
 public:
  struct Reply {
    char kind = 0;  // 'R' result, 'E' error
    std::string payload;
  };

  explicit LambdaWorker(LambdaWorkerOptions options);
  ~LambdaWorker();
  LambdaWorker(const LambdaWorker&) = delete;
  LambdaWorker& operator=(const LambdaWorker&) = delete;

  // Starts the process unless it runs. InvalidArgument (with the handler's traceback) when the
  // handler cannot be imported; Unavailable when the process cannot start or dies.
  Status Start();
  // Sends `request` and waits up to `timeout_ms` for the reply (starting the process first if
  // needed; its start does not count against the timeout).
  Result<Reply> Call(std::string_view request, int64_t timeout_ms, size_t max_reply_bytes);
  // SIGKILLs the process (if any) and reaps it.
  void Kill();
  // Closes the socket (the adapter exits), waits briefly, then kills.
  void Stop();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // How many processes this worker has started.
  int starts() const { return starts_; }

 private:
  // Reads one frame until `deadline_ns` (steady clock). kind 0 on EOF.
  Status ReadFrame(int64_t deadline_ns, size_t max_bytes, Reply* out);
  Status WriteAll(std::string_view bytes, int64_t deadline_ns);
  // Unavailable describing how the process ended (reaps it) plus the log's tail.
  Status Died(std::string_view when);
  std::string LogTail() const;

  const LambdaWorkerOptions options_;
  pid_t pid_ = -1;
  int fd_ = -1;
  int starts_ = 0;
};

}  // namespace tributary::transform
