#include "testing/test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>

namespace tributary::testing {

std::string SeenRequest::Header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

// A plain blocking HTTP/1.1 server: an accept thread and one thread per connection, keep-alive,
// Content-Length bodies only (what libcurl sends here).
struct TestHttpServer::Impl {
  Handler handler;
  int listen_fd = -1;
  std::atomic<bool> stop{false};
  std::thread acceptor;
  std::mutex mu;
  std::vector<std::thread> connections;
  std::vector<int> fds;
  std::vector<SeenRequest> seen;

  void Serve(int fd, int remote_port) {
    std::string buf;
    char chunk[65536];
    while (!stop) {
      size_t header_end;
      while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      SeenRequest req;
      req.remote_port = remote_port;
      std::string head = buf.substr(0, header_end);
      size_t line_end = head.find("\r\n");
      std::string request_line = head.substr(0, line_end);
      size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
      req.method = request_line.substr(0, sp1);
      std::string target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t q = target.find('?');
      req.path = target.substr(0, q);
      if (q != std::string::npos) req.query = target.substr(q + 1);
      size_t content_length = 0;
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t e = head.find("\r\n", pos);
        if (e == std::string::npos) e = head.size();
        std::string line = head.substr(pos, e - pos);
        pos = e + 2;
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t vs = line.find_first_not_of(' ', colon + 1);
        std::string value = vs == std::string::npos ? "" : line.substr(vs);
        if (name == "content-length") content_length = std::strtoul(value.c_str(), nullptr, 10);
        req.headers.emplace_back(name, value);
      }
      buf.erase(0, header_end + 4);
      while (buf.size() < content_length) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, content_length);
      buf.erase(0, content_length);
      {
        std::lock_guard<std::mutex> lock(mu);
        seen.push_back(req);
      }
      ScriptedResponse r = handler(req);
      if (r.status == 0) return;  // drop the connection without an answer
      std::string out = "HTTP/1.1 " + std::to_string(r.status) + " X\r\n";
      for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
      bool has_length = false;
      for (const auto& [k, v] : r.headers) has_length = has_length || k == "Content-Length";
      if (!has_length) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
      out += "\r\n";
      if (req.method != "HEAD") out += r.body;
      size_t sent = 0;
      while (sent < out.size()) {
        ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
      }
    }
  }
};

TestHttpServer::TestHttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(impl_->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(impl_->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  listen(impl_->listen_fd, 64);
  socklen_t len = sizeof addr;
  getsockname(impl_->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  impl_->acceptor = std::thread([impl = impl_.get()] {
    while (!impl->stop) {
      pollfd p{impl->listen_fd, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      sockaddr_in peer{};
      socklen_t plen = sizeof peer;
      int fd = accept(impl->listen_fd, reinterpret_cast<sockaddr*>(&peer), &plen);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(impl->mu);
      impl->fds.push_back(fd);
      impl->connections.emplace_back([impl, fd, port = ntohs(peer.sin_port)] {
        impl->Serve(fd, port);
        shutdown(fd, SHUT_RDWR);  // the peer sees the connection end; closed by the destructor
      });
    }
  });
}

TestHttpServer::~TestHttpServer() {
  impl_->stop = true;
  impl_->acceptor.join();
  close(impl_->listen_fd);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (int fd : impl_->fds) shutdown(fd, SHUT_RDWR);
    threads.swap(impl_->connections);
  }
  for (auto& t : threads) t.join();
  for (int fd : impl_->fds) close(fd);
}

std::vector<SeenRequest> TestHttpServer::requests() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->seen;
}

int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace tributary::testing
