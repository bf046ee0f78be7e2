#include "server/sigv4.h"

#include <gtest/gtest.h>

namespace tributary::server {
namespace {

// AWS's published Signature Version 4 test suite example (docs.aws.amazon.com/general/latest/gr/
// signature-v4-test-suite.html, "get-vanilla-query-order-key" of the 2011 suite): a GET with a
// repeated query key, signed with the documentation's example secret.
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kExpectedSignature = "be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09";

const std::vector<std::pair<std::string_view, std::string_view>> kHeaders = {
    {"Date", "Mon, 09 Sep 2011 23:36:00 GMT"}, {"Host", "host.foo.com"}};

TEST(SigV4Test, AwsTestSuiteCanonicalRequest) {
  EXPECT_EQ(Sha256Hex(""), kEmptySha256);
  std::string creq = SigV4CanonicalRequest("GET", "/", "foo=aha&foo=Zoo", kHeaders, "date;host", kEmptySha256);
  EXPECT_EQ(creq,
            "GET\n/\nfoo=Zoo&foo=aha\ndate:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\n\ndate;host\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(creq), "e25f777ba161a0f1baf778a87faf057187cf5987f17953320e3ca399feb5f00d");
}

TEST(SigV4Test, AwsTestSuiteStringToSignAndSignature) {
  std::string creq = SigV4CanonicalRequest("GET", "/", "foo=Zoo&foo=aha", kHeaders, "date;host", kEmptySha256);
  std::string sts = SigV4StringToSign("20110909T233600Z", "20110909/us-east-1/host/aws4_request", creq);
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20110909T233600Z\n20110909/us-east-1/host/aws4_request\n"
            "e25f777ba161a0f1baf778a87faf057187cf5987f17953320e3ca399feb5f00d");
  EXPECT_EQ(SigV4Signature(SigV4SigningKey(kSecret, "20110909", "us-east-1", "host"), sts), kExpectedSignature);
}

// 2011-09-09T23:36:00Z, when the example was signed.
constexpr int64_t kVectorNowMs = 1315611360000;

std::optional<dynamodb::ApiError> Verify(const HttpRequest& r, const SigV4Credentials& c,
                                         int64_t now_ms = kVectorNowMs) {
  return VerifySigV4(r, c, "host", now_ms);
}

HttpRequest VectorRequest(std::string_view authorization) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/?foo=Zoo&foo=aha";
  r.path = "/";
  r.query = "foo=Zoo&foo=aha";
  r.headers = {kHeaders[0], kHeaders[1], {"Authorization", authorization}};
  return r;
}

TEST(SigV4Test, VerifiesThePublishedRequest) {
  std::string auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, "
                     "SignedHeaders=date;host, Signature=" + std::string(kExpectedSignature);
  SigV4Credentials creds{"AKIDEXAMPLE", std::string(kSecret)};
  EXPECT_FALSE(Verify(VectorRequest(auth), creds).has_value());

  SigV4Credentials wrong_secret{"AKIDEXAMPLE", "not-the-secret"};
  auto err = Verify(VectorRequest(auth), wrong_secret);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->type, "com.amazon.coral.service#InvalidSignatureException");
  EXPECT_EQ(err->http_status, 400);

  SigV4Credentials other_key{"AKIDOTHER", std::string(kSecret)};
  err = Verify(VectorRequest(auth), other_key);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->type, "com.amazon.coral.service#UnrecognizedClientException");
  EXPECT_EQ(err->message, "The security token included in the request is invalid.");

  HttpRequest tampered = VectorRequest(auth);
  tampered.query = "foo=Zoo&foo=ahb";
  err = Verify(tampered, creds);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code(), "InvalidSignatureException");
}

TEST(SigV4Test, MissingAndIncompleteAuthorization) {
  SigV4Credentials creds{"AKIDEXAMPLE", std::string(kSecret)};
  HttpRequest r = VectorRequest("");
  auto err = Verify(r, creds);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->type, "com.amazon.coral.service#MissingAuthenticationTokenException");
  EXPECT_EQ(err->message, "Request is missing Authentication Token");

  err = Verify(VectorRequest("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request"),
                    creds);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code(), "IncompleteSignatureException");
}

TEST(SigV4Test, DatesAndScope) {
  EXPECT_EQ(ParseAmzDate("20110909T233600Z"), kVectorNowMs / 1000);
  EXPECT_EQ(FormatAmzDate(kVectorNowMs / 1000), "20110909T233600Z");
  EXPECT_EQ(ParseAmzDate("2011-09-09"), -1);

  std::string auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, "
                     "SignedHeaders=date;host, Signature=" + std::string(kExpectedSignature);
  SigV4Credentials creds{"AKIDEXAMPLE", std::string(kSecret)};
  // 14 minutes late is fine, 16 is expired; the same ahead.
  EXPECT_FALSE(Verify(VectorRequest(auth), creds, kVectorNowMs + 14 * 60000).has_value());
  auto err = Verify(VectorRequest(auth), creds, kVectorNowMs + 16 * 60000);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code(), "InvalidSignatureException");
  EXPECT_EQ(err->message,
            "Signature expired: 20110909T233600Z is now earlier than 20110909T233700Z (20110909T235200Z - 15 min.)");
  err = Verify(VectorRequest(auth), creds, kVectorNowMs - 16 * 60000);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->message.rfind("Signature not yet current: 20110909T233600Z is still later than", 0), 0u);

  err = VerifySigV4(VectorRequest(auth), creds, "dynamodb", kVectorNowMs);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->message, "Credential should be scoped to correct service: 'dynamodb'.");

  std::string wrong_date = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110908/us-east-1/host/aws4_request, "
                           "SignedHeaders=date;host, Signature=" + std::string(kExpectedSignature);
  err = Verify(VectorRequest(wrong_date), creds);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20110908' != "
            "'20110909', from '20110909T233600Z'.");
}

// The AWS clients' signer (aws/sigv4.h SignRequest) and this verifier agree, session token included.
TEST(SigV4Test, VerifiesWhatTheClientSignerSigns) {
  aws::SigningRequest s;
  s.method = "POST";
  s.path = "/";
  s.headers = {{"Host", "127.0.0.1:4566"},
               {"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "DynamoDB_20120810.ListTables"}};
  s.payload = "{}";
  aws::SigningParams params{"eu-west-1", "dynamodb", kVectorNowMs / 1000, true, false};
  aws::SignRequest(s, {"AKIDCLIENT", "clientsecret", "session-token"}, params);
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.path = "/";
  r.body = "{}";
  for (const auto& [k, v] : s.headers) r.headers.emplace_back(k, v);
  EXPECT_FALSE(VerifySigV4(r, {"AKIDCLIENT", "clientsecret"}, "dynamodb", kVectorNowMs).has_value());
  r.body = "{ }";
  auto err = VerifySigV4(r, {"AKIDCLIENT", "clientsecret"}, "dynamodb", kVectorNowMs);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code(), "InvalidSignatureException");
}

TEST(SigV4Test, UriEncode) {
  EXPECT_EQ(UriEncode("a b/c~-_.", false), "a%20b%2Fc~-_.");
  EXPECT_EQ(UriEncode("/x y/", true), "/x%20y/");
}

}  // namespace
}  // namespace tributary::server
