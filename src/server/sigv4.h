// AWS Signature Version 4 (AWS4-HMAC-SHA256) for the endpoint: VerifySigV4() (the building blocks,
// canonical request, string to sign and signing key, are aws/sigv4.h's, shared with the clients' signer), which checks a request's Authorization header the way DynamoDB does.
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

#include "aws/sigv4.h"
#include "core/encoding.h"
#include "dynamodb/api.h"
#include "server/http_parser.h"

namespace tributary::server {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

// The signing primitives live in aws/sigv4.h (shared with the AWS clients' signer).
using ::tributary::HexEncode;
using aws::FormatAmzDate;
using aws::HmacSha256;
using aws::ParseAmzDate;
using aws::Sha256Hex;
using aws::SigV4CanonicalRequest;
using aws::SigV4Signature;
using aws::SigV4SigningKey;
using aws::SigV4StringToSign;
using aws::UriEncode;

// Checks the request's signature at time `now_ms` (Unix epoch milliseconds) for the signing name
// `service` ("dynamodb" for DynamoDB and DynamoDB Streams); nullopt when it is valid for
// `credentials`.
std::optional<dynamodb::ApiError> VerifySigV4(const HttpRequest& request, const SigV4Credentials& credentials,
                                              std::string_view service, int64_t now_ms);

}  // namespace tributary::server
