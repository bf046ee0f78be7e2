#include "server/event_loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace tributary::server {

namespace {
// epoll_event.data.ptr values that are not connections.
char kListenTag;
char kWakeTag;
}  // namespace

EventLoop::EventLoop(int listen_fd, RequestHandler& handler, size_t max_body_bytes)
    : listen_fd_(listen_fd), handler_(handler), max_body_bytes_(max_body_bytes) {}

EventLoop::~EventLoop() {
  slots_.clear();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status EventLoop::Init() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Status::Internal(std::string("epoll_create1: ") + strerror(errno));
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::Internal(std::string("eventfd: ") + strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &kWakeTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return Status::Internal(std::string("epoll_ctl(eventfd): ") + strerror(errno));
  }
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.ptr = &kListenTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
    return Status::Internal(std::string("epoll_ctl(listen): ") + strerror(errno));
  }
  return Status::Ok();
}

void EventLoop::Stop() {
  stopping_.store(true, std::memory_order_release);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::Run() {
  constexpr int kMaxEvents = 128;
  epoll_event events[kMaxEvents];
  while (!stopping_.load(std::memory_order_acquire)) {
    int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &kWakeTag) continue;  // Stop(): the loop condition ends it
      if (tag == &kListenTag) {
        AcceptAll();
        continue;
      }
      Serve(static_cast<Slot*>(tag), events[i].events);
    }
  }
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  slots_.clear();  // closes every connection
}

void EventLoop::AcceptAll() {
  for (int i = 0; i < 64; ++i) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN (another loop took it) or out of descriptors: try again on the next event
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto slot = std::make_unique<Slot>();
    slot->conn = std::make_unique<Connection>(fd, handler_, max_body_bytes_);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = slot.get();
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) continue;  // ~Connection closes fd
    Slot* key = slot.get();
    slots_.emplace(key, std::move(slot));
  }
}

void EventLoop::Serve(Slot* slot, uint32_t events) {
  Connection& conn = *slot->conn;
  bool alive = true;
  if (events & EPOLLERR) {
    alive = false;
  } else {
    if (conn.wants_write() && (events & (EPOLLOUT | EPOLLHUP))) alive = conn.OnWritable();
    if (alive && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) && !conn.wants_write()) alive = conn.OnReadable();
  }
  if (!alive) {
    Close(slot);
    return;
  }
  bool want_write = conn.wants_write();
  if (want_write != slot->watching_write) {
    epoll_event ev{};
    ev.events = want_write ? EPOLLOUT : (EPOLLIN | EPOLLRDHUP);
    ev.data.ptr = slot;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn.fd(), &ev) != 0) {
      Close(slot);
      return;
    }
    slot->watching_write = want_write;
  }
}

void EventLoop::Close(Slot* slot) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, slot->conn->fd(), nullptr);
  slots_.erase(slot);
}

}  // namespace tributary::server
