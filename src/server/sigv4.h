// AWS Signature Version 4 (AWS4-HMAC-SHA256) for the endpoint: the signer's building blocks
// (canonical request, string to sign, signing key; tested against AWS's published example) and
// VerifySigV4(), which checks a request's Authorization header the way DynamoDB does.
//
// Errors (all com.amazon.coral.service#, HTTP 400 as DynamoDB and dynalite answer them):
//   no Authorization / not AWS4-...           MissingAuthenticationTokenException
//   missing Credential/Signature/SignedHeaders, no X-Amz-Date/Date, bad scope
//                                              IncompleteSignatureException
//   scope service not `service` ('dynamodb'), terminator not 'aws4_request', scope date != X-Amz-Date's,
//   X-Amz-Date more than 15 minutes from now  InvalidSignatureException (DynamoDB's wording)
//   unknown access key id                      UnrecognizedClientException
//   signature mismatch                         InvalidSignatureException
// Not checked: X-Amz-Security-Token (session tokens are accepted as long as the key id and
// signature match).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamodb/api.h"
#include "server/http_parser.h"

namespace tributary::server {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

std::string HexEncode(std::string_view bytes);
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
std::string SigV4SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service);

// AWS URI encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, everything else becomes
// %XX (upper-case hex); '/' stays when keep_slash.
std::string UriEncode(std::string_view s, bool keep_slash);

// CanonicalRequest = method \n canonical URI \n canonical query \n canonical headers \n
//                    signed headers \n payload hash
// `path` and `query` as they appear in the request target (still percent-encoded); `headers`
// are all request headers; `signed_headers` the ';'-separated lower-case list to include.
std::string SigV4CanonicalRequest(std::string_view method, std::string_view path, std::string_view query,
                                  const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                                  std::string_view signed_headers, std::string_view payload_hash);

// "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + hex(sha256(canonical_request))
std::string SigV4StringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request);

// hex(HMAC(signing key, string to sign))
std::string SigV4Signature(std::string_view signing_key, std::string_view string_to_sign);

// Checks the request's signature at time `now_ms` (Unix epoch milliseconds) for the signing name
// `service` ("dynamodb" for DynamoDB and DynamoDB Streams); nullopt when it is valid for
// `credentials`.
std::optional<dynamodb::ApiError> VerifySigV4(const HttpRequest& request, const SigV4Credentials& credentials,
                                              std::string_view service, int64_t now_ms);

// "20150830T123600Z" <-> Unix seconds; -1 / "" when malformed.
int64_t ParseAmzDate(std::string_view amz_date);
std::string FormatAmzDate(int64_t unix_seconds);

}  // namespace tributary::server
