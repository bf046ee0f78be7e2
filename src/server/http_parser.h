// HTTP/1.1 request parsing for the local endpoint: a request line, headers and a
// Content-Length body, parsed from a buffer that may hold a partial request (the caller reads
// more and parses again) or several pipelined ones (it consumes `consumed` bytes and goes on).
//
// Deliberately small: chunked request bodies are rejected with 400 (AWS SDKs send
// Content-Length), bodies over the cap with 413, header blocks over kMaxHeaderBytes with 431; no
// obs-fold header continuations.
//
// Thread-safety: pure functions; a parsed HttpRequest points into the caller's buffer and is
// valid while that buffer is unchanged.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::server {

inline constexpr size_t kMaxHeaderBytes = 64 * 1024;

struct HttpRequest {
  std::string_view method;   // "POST"
  std::string_view target;   // "/path?query" as sent
  std::string_view path;     // target before '?'
  std::string_view query;    // target after '?', without it
  int minor_version = 1;     // HTTP/1.<minor>
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // values trimmed
  std::string_view body;
  bool keep_alive = true;

  // The first header with this name (case-insensitive); empty when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

enum class ParseState { kIncomplete, kComplete, kError };

struct ParseResult {
  ParseState state = ParseState::kIncomplete;
  size_t consumed = 0;        // kComplete: bytes of this request (headers + body)
  int error_status = 0;       // kError: 400, 413, 431, 505 ...
  std::string error_message;  // kError: a short reason for the response body
};

// Parses one request from the front of `data`. `out` is overwritten (its vector reused).
ParseResult ParseHttpRequest(std::string_view data, size_t max_body_bytes, HttpRequest* out);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace tributary::server
