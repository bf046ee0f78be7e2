#include "server/http_response.h"

#include <charconv>

namespace tributary::server {

std::string_view HttpStatusText(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

void SerializeResponse(const HttpResponse& response, bool keep_alive, ByteBuffer* out) {
  char num[24];
  out->Append("HTTP/1.1 ");
  auto r = std::to_chars(num, num + sizeof num, response.status);
  out->Append({num, static_cast<size_t>(r.ptr - num)});
  out->Append(" ");
  out->Append(HttpStatusText(response.status));
  out->Append("\r\nContent-Type: ");
  out->Append(response.content_type);
  out->Append("\r\nContent-Length: ");
  r = std::to_chars(num, num + sizeof num, response.body.size());
  out->Append({num, static_cast<size_t>(r.ptr - num)});
  out->Append("\r\n");
  for (const auto& [k, v] : response.headers) {
    out->Append(k);
    out->Append(": ");
    out->Append(v);
    out->Append("\r\n");
  }
  if (!keep_alive) out->Append("Connection: close\r\n");
  out->Append("\r\n");
  out->Append(response.body);
}

}  // namespace tributary::server
