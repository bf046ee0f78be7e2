// AWS Signature Version 4 (AWS4-HMAC-SHA256): the building blocks shared by the request signer
// of the AWS clients (this folder) and the verifier of the local endpoint (server/sigv4.h):
// canonical request, string to sign, signing key, signature, and SignRequest(), which adds the
// X-Amz-Date / X-Amz-Content-Sha256 / X-Amz-Security-Token / Authorization headers to a request.
// Tested against AWS's published examples (sigv4_test.cc).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::aws {

std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
std::string SigV4SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service);

// AWS URI encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, everything else becomes
// %XX (upper-case hex); '/' stays when keep_slash.
std::string UriEncode(std::string_view s, bool keep_slash);
// %XX -> byte; anything else is copied (a '%' without two hex digits stays as is).
std::string UriDecode(std::string_view s);

// The canonical query string: parameters decoded, re-encoded with UriEncode, sorted by key then
// value, joined with '&' ("a=1&b=" for "b").
std::string CanonicalQueryString(std::string_view query);

bool HeaderNameEquals(std::string_view a, std::string_view b);  // ASCII case-insensitive

// CanonicalRequest = method \n canonical URI \n canonical query \n canonical headers \n
//                    signed headers \n payload hash
// `path` and `query` as they appear in the request target (still percent-encoded); `headers`
// are all request headers; `signed_headers` the ';'-separated lower-case list to include.
// Services other than S3 encode the (already encoded) path once more (`double_encode_path`);
// S3 signs the path as sent.
std::string SigV4CanonicalRequest(std::string_view method, std::string_view path, std::string_view query,
                                  const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                                  std::string_view signed_headers, std::string_view payload_hash,
                                  bool double_encode_path = true);

// "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + hex(sha256(canonical_request))
std::string SigV4StringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request);

// hex(HMAC(signing key, string to sign))
std::string SigV4Signature(std::string_view signing_key, std::string_view string_to_sign);

// "20150830T123600Z" <-> Unix seconds; -1 / "" when malformed.
int64_t ParseAmzDate(std::string_view amz_date);
std::string FormatAmzDate(int64_t unix_seconds);

struct SigningCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" for long-term keys
};

// A request to sign. `path` is percent-encoded as it goes on the wire; `query` likewise (without
// '?'). `headers` must contain Host; SignRequest appends X-Amz-Date, X-Amz-Content-Sha256 (when
// `sign_payload_header`, as S3 requires), X-Amz-Security-Token (with a session token) and
// Authorization. Every header present is signed except Authorization, User-Agent, Expect and
// Content-Length (proxies rewrite those).
struct SigningRequest {
  std::string method;
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view payload;
};

struct SigningParams {
  std::string region;
  std::string service;  // signing name: "dynamodb", "kinesis", "s3" ...
  int64_t unix_seconds = 0;
  bool double_encode_path = true;     // false for S3
  bool sign_payload_header = false;   // add X-Amz-Content-Sha256 (S3)
};

void SignRequest(SigningRequest& request, const SigningCredentials& credentials, const SigningParams& params);

}  // namespace tributary::aws
