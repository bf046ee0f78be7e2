#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_util.h"

namespace tributary::server {
namespace {

// Echoes the body back with the path in a header.
class EchoHandler : public RequestHandler {
 public:
  void Handle(const HttpRequest& request, HttpResponse* response) override {
    calls.fetch_add(1);
    response->content_type = "text/plain";
    response->body = std::string(request.body);
    response->headers.emplace_back("X-Path", std::string(request.path));
  }
  std::atomic<int> calls{0};
};

class Client {
 public:
  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  // Reads one response (Content-Length framed); empty when the connection closed first.
  std::string ReadResponse() {
    while (true) {
      size_t head_end = buf_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t cl = buf_.find("Content-Length: ");
        size_t len = cl < head_end ? std::stoul(buf_.substr(cl + 16)) : 0;
        if (buf_.size() >= head_end + 4 + len) {
          std::string resp = buf_.substr(0, head_end + 4 + len);
          buf_.erase(0, resp.size());
          return resp;
        }
      }
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return {};
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  bool ClosedByPeer() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string Post(std::string_view body, std::string_view extra = "") {
  return "POST /p HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions o;
    o.port = 0;
    o.max_body_bytes = 1 << 20;
    server_ = std::make_unique<HttpServer>(o, handler_);
    ASSERT_OK(server_->Start());
    ASSERT_GT(server_->port(), 0);
  }
  EchoHandler handler_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Client c(server_->port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 100; ++i) {
    std::string body = "hello " + std::to_string(i);
    c.Send(Post(body));
    std::string resp = c.ReadResponse();
    ASSERT_EQ(resp.substr(0, 15), "HTTP/1.1 200 OK") << resp;
    EXPECT_NE(resp.find("X-Path: /p\r\n"), std::string::npos);
    EXPECT_EQ(resp.substr(resp.size() - body.size()), body);
    EXPECT_EQ(resp.find("Connection: close"), std::string::npos);
  }
  EXPECT_EQ(handler_.calls.load(), 100);
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  Client c(server_->port());
  std::string batch;
  for (int i = 0; i < 50; ++i) batch += Post(std::to_string(i));
  c.Send(batch);
  for (int i = 0; i < 50; ++i) {
    std::string resp = c.ReadResponse();
    ASSERT_FALSE(resp.empty());
    EXPECT_EQ(resp.substr(resp.find("\r\n\r\n") + 4), std::to_string(i));
  }
}

TEST_F(HttpServerTest, LargeBodyArrivingInPieces) {
  Client c(server_->port());
  std::string body(900 * 1024, 'z');
  std::string req = Post(body);
  for (size_t off = 0; off < req.size(); off += 100000) c.Send(std::string_view(req).substr(off, 100000));
  std::string resp = c.ReadResponse();
  ASSERT_EQ(resp.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(resp.size() - resp.find("\r\n\r\n") - 4, body.size());
}

TEST_F(HttpServerTest, OversizedBodyIs413AndCloses) {
  Client c(server_->port());
  c.Send("POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n");
  std::string resp = c.ReadResponse();
  EXPECT_EQ(resp.substr(0, 12), "HTTP/1.1 413") << resp;
  EXPECT_NE(resp.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_EQ(handler_.calls.load(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyIs400) {
  Client c(server_->port());
  c.Send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  std::string resp = c.ReadResponse();
  EXPECT_EQ(resp.substr(0, 12), "HTTP/1.1 400") << resp;
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  Client c(server_->port());
  c.Send(Post("x", "Connection: close\r\n"));
  std::string resp = c.ReadResponse();
  EXPECT_NE(resp.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(HttpServerTest, ManyConcurrentConnections) {
  constexpr int kClients = 32, kRequests = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      Client c(server_->port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(t) + "/" + std::to_string(i);
        c.Send(Post(body));
        std::string resp = c.ReadResponse();
        if (resp.size() > body.size() && resp.substr(resp.size() - body.size()) == body) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

TEST_F(HttpServerTest, StopClosesIdleConnections) {
  Client c(server_->port());
  c.Send(Post("x"));
  ASSERT_FALSE(c.ReadResponse().empty());
  server_->Stop();
  EXPECT_TRUE(c.ClosedByPeer());
}

}  // namespace
}  // namespace tributary::server
