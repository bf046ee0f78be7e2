// HttpServer: binds a TCP listening socket and runs `io_threads` EventLoops over it, each
// serving the connections it accepts with the shared RequestHandler (inline, so requests on
// different connections run in parallel across loops).
//
// Thread-safety: Start/Stop from one controlling thread; the accessors are const after Start.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "server/event_loop.h"
#include "server/http_response.h"

namespace tributary::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6 address, or "localhost"
  int port = 4566;                 // 0: pick a free port (see port())
  int io_threads = 2;
  size_t max_body_bytes = 16 * 1024 * 1024;
};

class HttpServer {
 public:
  // `handler` is borrowed and must outlive the server.
  HttpServer(HttpServerOptions options, RequestHandler& handler);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. kUnavailable when the address is in use.
  Status Start();
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  void Stop();

  const std::string& host() const { return options_.host; }
  int port() const { return port_; }  // the bound port
  // "http://127.0.0.1:4566" ("http://[::1]:4566" for IPv6).
  std::string url() const;

 private:
  HttpServerOptions options_;
  RequestHandler& handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
};

}  // namespace tributary::server
