// A small blocking HTTP/1.1 client over libcurl for the AWS clients: one request at a time per
// call, any number of threads. Easy handles are pooled per HttpClient, so a keep-alive
// connection (and its TLS session) is reused by the next request to the same host.
//
// Errors: a connection that cannot be made, is reset, or times out is kUnavailable with curl's
// reason ("connect to 127.0.0.1:5000 failed: Couldn't connect to server"); a malformed URL is
// kInvalidArgument. Any HTTP status, 4xx and 5xx included, is a successful Send().
//
// Thread-safety: Send() may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tributary::aws {

struct HttpRequest {
  std::string method = "GET";  // GET PUT POST DELETE HEAD
  std::string url;             // scheme://host[:port]/path?query, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  int64_t timeout_ms = 30000;          // whole request
  int64_t connect_timeout_ms = 5000;   // TCP (+TLS) connect
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, values trimmed
  std::string body;
  // The first header named `lower_name`, "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

// scheme://host[:port][/base] split up; host_header is "host" or "host:port" (the port only when
// it is not the scheme's default), as it goes in the Host header and the SigV4 signature.
struct Endpoint {
  std::string scheme;  // "http" | "https"
  std::string host;    // without the port
  int port = 0;
  std::string base_path;  // "" or "/something" (no trailing '/')
  std::string HostHeader() const;
  std::string Origin() const;  // scheme://host[:port]
};
Result<Endpoint> ParseEndpoint(std::string_view url);

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  void* Acquire();
  void Release(void* handle);

  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* easy handles with their connection caches
};

}  // namespace tributary::aws
