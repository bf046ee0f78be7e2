// EventLoop: one I/O thread's epoll loop. Every loop watches the shared listening socket
// (EPOLLEXCLUSIVE, so one loop wakes per new connection) and serves the connections it accepted
// itself, level-triggered: EPOLLIN while a connection can take requests, EPOLLOUT while it has
// output pending. Handlers run inline on the loop thread.
//
// Thread-safety: Run() on the loop's own thread; Stop() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <unordered_map>

#include "core/status.h"
#include "server/connection.h"
#include "server/http_response.h"

namespace tributary::server {

class EventLoop {
 public:
  // `listen_fd` (non-blocking) and `handler` are borrowed and must outlive the loop.
  EventLoop(int listen_fd, RequestHandler& handler, size_t max_body_bytes);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  Status Init();
  // Serves until Stop(); then closes every connection it owns.
  void Run();
  void Stop();

 private:
  struct Slot {
    std::unique_ptr<Connection> conn;
    bool watching_write = false;
  };
  void AcceptAll();
  void Serve(Slot* slot, uint32_t events);
  void Close(Slot* slot);

  const int listen_fd_;
  RequestHandler& handler_;
  const size_t max_body_bytes_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::unordered_map<Slot*, std::unique_ptr<Slot>> slots_;  // loop thread only
};

}  // namespace tributary::server
