// HttpResponse and RequestHandler: what the event loop asks of the endpoint, and how a
// response goes onto the wire.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/byte_buffer.h"
#include "server/http_parser.h"

namespace tributary::server {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/x-amz-json-1.0";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/-Length

  void Reset() {
    status = 200;
    content_type = "application/x-amz-json-1.0";
    body.clear();
    headers.clear();
  }
};

// Serves requests. Handle() is called concurrently from every I/O thread, so implementations
// must be thread-safe; it runs inline on the I/O thread, so it should not block for long.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void Handle(const HttpRequest& request, HttpResponse* response) = 0;
};

std::string_view HttpStatusText(int status);

// Appends the status line, headers and body; "Connection: close" when !keep_alive.
void SerializeResponse(const HttpResponse& response, bool keep_alive, ByteBuffer* out);

}  // namespace tributary::server
