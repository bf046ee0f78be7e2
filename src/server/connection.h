// Connection: one accepted socket's HTTP/1.1 state on its I/O thread: a read buffer parsed into
// requests (pipelining works: every complete request in the buffer is served in order), the
// handler run inline, and a write buffer flushed as the socket allows.
//
// Backpressure: while more than kMaxPendingOutput bytes wait to be written, no further requests
// are parsed; the event loop then waits for writability instead of readability.
//
// Thread-safety: owned by one EventLoop thread.
#pragma once

#include <cstddef>

#include "server/byte_buffer.h"
#include "server/http_parser.h"
#include "server/http_response.h"

namespace tributary::server {

class Connection {
 public:
  static constexpr size_t kReadChunk = 64 * 1024;
  static constexpr size_t kMaxPendingOutput = 4 * 1024 * 1024;

  // Takes ownership of the connected, non-blocking `fd`.
  Connection(int fd, RequestHandler& handler, size_t max_body_bytes);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }

  // Event handlers; they return false when the connection is finished and must be destroyed.
  bool OnReadable();
  bool OnWritable();

  // Whether the loop should wait for writability (output pending) rather than readability.
  bool wants_write() const { return !out_.empty(); }

 private:
  void ProcessInput();
  // Writes what it can; false on a socket error.
  bool Flush();
  bool Finished() const { return out_.empty() && (close_after_write_ || peer_closed_); }

  const int fd_;
  RequestHandler& handler_;
  const size_t max_body_bytes_;
  ByteBuffer in_;
  ByteBuffer out_;
  HttpRequest request_;
  HttpResponse response_;
  bool close_after_write_ = false;  // a response said Connection: close, or a protocol error
  bool peer_closed_ = false;        // read() returned 0
};

}  // namespace tributary::server
