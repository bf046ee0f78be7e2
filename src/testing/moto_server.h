// Test helper: a `moto_server` (the AWS stand-in, preinstalled) started on a free loopback port
// for one test or fixture, stopped by its PID (never by name), so parallel tests and helpers
// never share or kill each other's servers. Tests that need it GTEST_SKIP() when
// MotoServer::Available() is false (moto_server not on PATH).
//
// Usage:
//   auto moto = MotoServer::Start();           // waits until it accepts connections
//   ASSERT_OK(moto);  client_config.endpoint_url = (*moto)->url();
//   (*moto)->Stop(); (*moto)->Restart();       // fault tests: connection refused, then back
//                                              // (moto keeps its state in memory: a restart
//                                              //  starts empty)
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace tributary::testing {

class MotoServer {
 public:
  static bool Available();
  // log_path "" -> /dev/null.
  static Result<std::unique_ptr<MotoServer>> Start(std::string log_path = "");
  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // SIGTERM (SIGKILL after 5 s), then reaps it. The port stays reserved for Restart() only by
  // convention: it is free while stopped.
  void Stop();
  // Starts again on the same port.
  Status Restart();

 private:
  MotoServer(int port, std::string log_path) : port_(port), log_path_(std::move(log_path)) {}
  Status Spawn();

  int port_;
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace tributary::testing
