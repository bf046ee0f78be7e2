// libFuzzer target over the HTTP request parser and the SigV4 verifier: the input is a byte
// stream as a client might send it on one connection. Requests are parsed one after another
// (pipelining) exactly as Connection does; each parsed request goes through VerifySigV4.
// Invariants: nothing crashes (ASan/UBSan); a complete parse consumes at least one byte and no
// more than it was given; the body lies inside the input and within the size cap; an error
// carries a 4xx/5xx status.
//
// Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
//        -DTRIBUTARY_FUZZ=ON && cmake --build build-fuzz --target server_http_fuzz
// Run:   build-fuzz/src/server/server_http_fuzz -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/http_parser.h"
#include "server/sigv4.h"

using tributary::server::HttpRequest;
using tributary::server::ParseHttpRequest;
using tributary::server::ParseState;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kMaxBody = 4096;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const tributary::server::SigV4Credentials creds{"AKIDFUZZ", "secret"};
  HttpRequest req;
  while (!in.empty()) {
    auto r = ParseHttpRequest(in, kMaxBody, &req);
    if (r.state == ParseState::kIncomplete) break;
    if (r.state == ParseState::kError) {
      if (r.error_status < 400 || r.error_status > 599) std::abort();
      break;
    }
    if (r.consumed == 0 || r.consumed > in.size()) std::abort();
    if (req.body.size() > kMaxBody) std::abort();
    if (!req.body.empty() && (req.body.data() < in.data() || req.body.data() + req.body.size() > in.data() + r.consumed)) {
      std::abort();
    }
    (void)tributary::server::VerifySigV4(req, creds, "dynamodb", 1700000000000);
    in.remove_prefix(r.consumed);
  }
  return 0;
}
