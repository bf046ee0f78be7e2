#include "server/http_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace tributary::server {
namespace {

constexpr size_t kMax = 1024;

TEST(HttpParserTest, ParsesPostWithBody) {
  std::string raw =
      "POST /?a=1 HTTP/1.1\r\nHost: x\r\nX-Amz-Target:  DynamoDB_20120810.PutItem \r\nContent-Length: 2\r\n\r\n{}";
  HttpRequest r;
  ParseResult p = ParseHttpRequest(raw, kMax, &r);
  ASSERT_EQ(p.state, ParseState::kComplete);
  EXPECT_EQ(p.consumed, raw.size());
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.query, "a=1");
  EXPECT_EQ(r.Header("x-amz-target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(r.body, "{}");
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpParserTest, IncompleteUntilWholeBody) {
  std::string raw = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
  HttpRequest r;
  for (size_t n = 0; n < raw.size(); ++n) {
    EXPECT_EQ(ParseHttpRequest(std::string_view(raw).substr(0, n), kMax, &r).state, ParseState::kIncomplete) << n;
  }
  EXPECT_EQ(ParseHttpRequest(raw, kMax, &r).state, ParseState::kComplete);
}

TEST(HttpParserTest, PipelinedRequestsParseOneAtATime) {
  std::string one = "GET /health HTTP/1.1\r\n\r\n";
  std::string two = "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx";
  std::string raw = one + two;
  HttpRequest r;
  ParseResult p = ParseHttpRequest(raw, kMax, &r);
  ASSERT_EQ(p.state, ParseState::kComplete);
  EXPECT_EQ(p.consumed, one.size());
  EXPECT_EQ(r.path, "/health");
  p = ParseHttpRequest(std::string_view(raw).substr(p.consumed), kMax, &r);
  ASSERT_EQ(p.state, ParseState::kComplete);
  EXPECT_EQ(r.body, "x");
}

TEST(HttpParserTest, ConnectionSemantics) {
  HttpRequest r;
  ASSERT_EQ(ParseHttpRequest("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", kMax, &r).state, ParseState::kComplete);
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(ParseHttpRequest("GET / HTTP/1.0\r\n\r\n", kMax, &r).state, ParseState::kComplete);
  EXPECT_FALSE(r.keep_alive);
  ASSERT_EQ(ParseHttpRequest("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", kMax, &r).state,
            ParseState::kComplete);
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpParserTest, RejectsWhatItDoesNotServe) {
  HttpRequest r;
  auto status = [&](std::string raw) {
    ParseResult p = ParseHttpRequest(raw, kMax, &r);
    return p.state == ParseState::kError ? p.error_status : 0;
  };
  EXPECT_EQ(status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n"), 413);  // refused before the body
  EXPECT_EQ(status("POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
  EXPECT_EQ(status("POST /\r\n\r\n"), 400);
  EXPECT_EQ(status("POST / HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nNo colon here\r\n\r\n"), 400);
  EXPECT_EQ(status("GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderBytes, 'a')), 431);
}

}  // namespace
}  // namespace tributary::server
