#include "server/connection.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tributary::server {

Connection::Connection(int fd, RequestHandler& handler, size_t max_body_bytes)
    : fd_(fd), handler_(handler), max_body_bytes_(max_body_bytes) {}

Connection::~Connection() { ::close(fd_); }

bool Connection::OnReadable() {
  while (!peer_closed_ && !close_after_write_) {
    char* dst = in_.Reserve(kReadChunk);
    size_t room = in_.writable_size();
    ssize_t n = ::read(fd_, dst, room);
    if (n > 0) {
      in_.Commit(static_cast<size_t>(n));
      if (static_cast<size_t>(n) < room) break;  // drained for now
      // A full read: parse before reading more so an oversized request is refused early.
      if (in_.size() > kMaxHeaderBytes + max_body_bytes_) break;
      continue;
    }
    if (n == 0) {
      peer_closed_ = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return false;
  }
  ProcessInput();
  if (!Flush()) return false;
  return !Finished();
}

bool Connection::OnWritable() {
  if (!Flush()) return false;
  if (out_.empty()) {
    ProcessInput();  // requests held back by backpressure
    if (!Flush()) return false;
  }
  return !Finished();
}

void Connection::ProcessInput() {
  while (!close_after_write_ && out_.size() < kMaxPendingOutput && !in_.empty()) {
    ParseResult r = ParseHttpRequest(in_.readable(), max_body_bytes_, &request_);
    if (r.state == ParseState::kIncomplete) {
      if (peer_closed_) close_after_write_ = true;  // a truncated request: nothing to answer
      break;
    }
    response_.Reset();
    if (r.state == ParseState::kError) {
      response_.status = r.error_status;
      response_.content_type = "text/plain; charset=utf-8";
      response_.body = r.error_message + "\n";
      SerializeResponse(response_, false, &out_);
      close_after_write_ = true;
      break;
    }
    handler_.Handle(request_, &response_);
    bool keep_alive = request_.keep_alive && !peer_closed_;
    SerializeResponse(response_, keep_alive, &out_);
    in_.Consume(r.consumed);
    if (!keep_alive) close_after_write_ = true;
  }
  in_.ShrinkIfEmpty(1 << 20);
}

bool Connection::Flush() {
  while (!out_.empty()) {
    std::string_view data = out_.readable();
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      out_.Consume(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
  out_.ShrinkIfEmpty(1 << 20);
  if (close_after_write_) ::shutdown(fd_, SHUT_WR);
  return true;
}

}  // namespace tributary::server
