#include "server/http_parser.h"

#include <cstring>

namespace tributary::server {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

ParseResult Error(int status, std::string message) {
  ParseResult r;
  r.state = ParseState::kError;
  r.error_status = status;
  r.error_message = std::move(message);
  return r;
}

// Whether a comma-separated header value (Connection) contains `token`.
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = Trim(value.substr(0, comma));
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool HttpRequest::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return true;
  }
  return false;
}

ParseResult ParseHttpRequest(std::string_view data, size_t max_body_bytes, HttpRequest* out) {
  // Tolerate empty lines before a request (RFC 9112 2.2).
  size_t start = 0;
  while (start + 1 < data.size() && data[start] == '\r' && data[start + 1] == '\n') start += 2;
  size_t head_end = data.find("\r\n\r\n", start);
  if (head_end == std::string_view::npos) {
    if (data.size() - start > kMaxHeaderBytes) return Error(431, "request header fields too large");
    return {};
  }
  if (head_end - start > kMaxHeaderBytes) return Error(431, "request header fields too large");
  std::string_view head = data.substr(start, head_end - start);

  // Request line: METHOD SP target SP HTTP/1.x
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 || sp2 == sp1 + 1) {
    return Error(400, "malformed request line");
  }
  out->method = line.substr(0, sp1);
  out->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' || version[7] > '9') {
    return Error(505, "HTTP version not supported");
  }
  out->minor_version = version[7] - '0';
  size_t q = out->target.find('?');
  out->path = out->target.substr(0, q);
  out->query = q == std::string_view::npos ? std::string_view() : out->target.substr(q + 1);

  // Headers.
  out->headers.clear();
  bool has_length = false, conn_close = false, conn_keep_alive = false;
  size_t content_length = 0;
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view h = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return Error(400, "malformed header line");
    std::string_view name = h.substr(0, colon);
    for (char c : name) {
      if (!IsTokenChar(c)) return Error(400, "malformed header name");
    }
    std::string_view value = Trim(h.substr(colon + 1));
    out->headers.emplace_back(name, value);
    if (EqualsIgnoreCase(name, "content-length")) {
      if (value.empty() || value.size() > 18) return Error(400, "invalid Content-Length");
      size_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return Error(400, "invalid Content-Length");
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      if (has_length && n != content_length) return Error(400, "conflicting Content-Length headers");
      has_length = true;
      content_length = n;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      return Error(400, "Transfer-Encoding (chunked request bodies) is not supported; send Content-Length");
    } else if (EqualsIgnoreCase(name, "connection")) {
      conn_close = conn_close || HasToken(value, "close");
      conn_keep_alive = conn_keep_alive || HasToken(value, "keep-alive");
    }
  }
  out->keep_alive = out->minor_version >= 1 ? !conn_close : (conn_keep_alive && !conn_close);

  if (content_length > max_body_bytes) {
    return Error(413, "request body of " + std::to_string(content_length) + " bytes exceeds the limit of " +
                          std::to_string(max_body_bytes) + " bytes");
  }
  size_t body_start = head_end + 4;
  if (data.size() - body_start < content_length) return {};
  out->body = data.substr(body_start, content_length);
  ParseResult r;
  r.state = ParseState::kComplete;
  r.consumed = body_start + content_length;
  return r;
}

}  // namespace tributary::server
