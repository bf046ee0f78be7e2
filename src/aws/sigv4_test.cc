#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace tributary::aws {
namespace {

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// AWS's Signature Version 4 test suite, "get-vanilla-query-order-key" (2011 suite).
TEST(AwsSigV4Test, TestSuiteVanillaQueryOrder) {
  const std::vector<std::pair<std::string_view, std::string_view>> headers = {
      {"Date", "Mon, 09 Sep 2011 23:36:00 GMT"}, {"Host", "host.foo.com"}};
  std::string creq = SigV4CanonicalRequest("GET", "/", "foo=Zoo&foo=aha", headers, "date;host", kEmptySha256);
  EXPECT_EQ(creq,
            "GET\n/\nfoo=Zoo&foo=aha\ndate:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\n\ndate;host\n" +
                std::string(kEmptySha256));
  std::string sts = SigV4StringToSign("20110909T233600Z", "20110909/us-east-1/host/aws4_request", creq);
  EXPECT_EQ(SigV4Signature(SigV4SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20110909", "us-east-1", "host"),
                           sts),
            "be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09");
}

// The worked example of AWS's "Signature Version 4 signing process" pages: IAM ListUsers.
TEST(AwsSigV4Test, DocumentedIamListUsersExample) {
  const std::vector<std::pair<std::string_view, std::string_view>> headers = {
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"Host", "iam.amazonaws.com"},
      {"X-Amz-Date", "20150830T123600Z"}};
  std::string creq = SigV4CanonicalRequest("GET", "/", "Action=ListUsers&Version=2010-05-08", headers,
                                           "content-type;host;x-amz-date", kEmptySha256);
  EXPECT_EQ(Sha256Hex(creq), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  std::string key = SigV4SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
  EXPECT_EQ(HexEncode(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  std::string sts = SigV4StringToSign("20150830T123600Z", "20150830/us-east-1/iam/aws4_request", creq);
  EXPECT_EQ(SigV4Signature(key, sts), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

// S3's documented "GET Object" example (Authenticating Requests: Using the Authorization Header),
// signed end to end by SignRequest: the path is not encoded twice and the payload hash is a header.
TEST(AwsSigV4Test, DocumentedS3GetObjectExampleThroughSignRequest) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  SigningParams p;
  p.region = "us-east-1";
  p.service = "s3";
  p.unix_seconds = ParseAmzDate("20130524T000000Z");
  p.double_encode_path = false;
  p.sign_payload_header = true;
  SignRequest(r, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, p);
  ASSERT_EQ(r.headers.back().first, "Authorization");
  EXPECT_EQ(r.headers.back().second,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(AwsSigV4Test, SessionTokenIsSignedAndUserAgentIsNot) {
  SigningRequest r;
  r.method = "POST";
  r.headers = {{"Host", "kinesis.eu-west-1.amazonaws.com"},
               {"User-Agent", "x"},
               {"X-Amz-Target", "Kinesis_20131202.ListStreams"}};
  r.payload = "{}";
  SigningParams p{"eu-west-1", "kinesis", 1700000000, true, false};
  SignRequest(r, {"AKID", "secret", "TOKEN/+="}, p);
  std::string auth = r.headers.back().second;
  EXPECT_NE(auth.find("Credential=AKID/20231114/eu-west-1/kinesis/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(auth.find("SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target,"), std::string::npos) << auth;
  bool token = false;
  for (const auto& [k, v] : r.headers) token = token || (k == "X-Amz-Security-Token" && v == "TOKEN/+=");
  EXPECT_TRUE(token);
}

TEST(AwsSigV4Test, EncodingAndDates) {
  EXPECT_EQ(UriEncode("a b/c~-_.", false), "a%20b%2Fc~-_.");
  EXPECT_EQ(UriEncode("/x y/", true), "/x%20y/");
  EXPECT_EQ(UriDecode("a%20b%2fc%zz"), "a b/c%zz");
  EXPECT_EQ(CanonicalQueryString("uploads"), "uploads=");
  EXPECT_EQ(CanonicalQueryString("b=2&a=x%2Fy&a=1"), "a=1&a=x%2Fy&b=2");
  EXPECT_EQ(ParseAmzDate("20110909T233600Z"), 1315611360);
  EXPECT_EQ(FormatAmzDate(1315611360), "20110909T233600Z");
  EXPECT_EQ(ParseAmzDate("2011-09-09"), -1);
  // S3 signs the path as sent; other services encode it once more.
  const std::vector<std::pair<std::string_view, std::string_view>> h = {{"Host", "h"}};
  EXPECT_EQ(SigV4CanonicalRequest("GET", "/a%20b", "", h, "host", "x", false).substr(0, 12), "GET\n/a%20b\n\n");
  EXPECT_EQ(SigV4CanonicalRequest("GET", "/a%20b", "", h, "host", "x", true).substr(0, 14), "GET\n/a%2520b\n\n");
}

}  // namespace
}  // namespace tributary::aws
