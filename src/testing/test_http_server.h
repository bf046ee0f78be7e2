// Test-only: a loopback HTTP server (plain sockets) on a free port whose answers a test scripts,
// recording every request it saw. Used by the aws and delivery tests for retries, error mapping, fault-injecting proxies, the
// fake EC2 instance metadata service and request shapes.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tributary::testing {

struct SeenRequest {
  std::string method, path, query;  // query as sent (percent-encoded), without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  int remote_port = 0;  // the client's port: the same port = the same connection
  std::string Header(const std::string& lower_name) const;
};

// status 0: close the connection without answering (a reset, for fault tests). A HEAD answer may
// carry its own Content-Length header (the body is never sent for HEAD).
struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class TestHttpServer {
 public:
  using Handler = std::function<ScriptedResponse(const SeenRequest&)>;
  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();  // stops and joins
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<SeenRequest> requests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// A port on 127.0.0.1 with nothing listening (bound, then closed).
int UnusedPort();

}  // namespace tributary::testing
