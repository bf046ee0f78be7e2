#include "server/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

namespace tributary::server {

namespace {

using dynamodb::ApiError;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

ApiError MissingToken() {
  return ApiError::Service("MissingAuthenticationTokenException", "Request is missing Authentication Token");
}
ApiError Incomplete(std::string message) {
  return ApiError::Service("IncompleteSignatureException", std::move(message));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct AuthorizationParts {
  std::string_view credential, signed_headers, signature;
};

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/dynamodb/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=..."
AuthorizationParts ParseAuthorization(std::string_view params) {
  AuthorizationParts p;
  while (!params.empty()) {
    size_t comma = params.find(',');
    std::string_view item = Trim(params.substr(0, comma));
    size_t eq = item.find('=');
    if (eq != std::string_view::npos) {
      std::string_view k = Trim(item.substr(0, eq)), v = Trim(item.substr(eq + 1));
      if (k == "Credential") p.credential = v;
      if (k == "SignedHeaders") p.signed_headers = v;
      if (k == "Signature") p.signature = v;
    }
    if (comma == std::string_view::npos) break;
    params.remove_prefix(comma + 1);
  }
  return p;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) break;
    s.remove_prefix(i + 1);
  }
  return out;
}

// "Mon, 09 Sep 2011 23:36:00 GMT" -> "20110909T233600Z"; empty when it does not parse.
std::string HttpDateToIso(std::string_view date) {
  std::tm tm{};
  std::string s(date);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

std::optional<ApiError> VerifySigV4(const HttpRequest& request, const SigV4Credentials& credentials,
                                    std::string_view expected_service, int64_t now_ms) {
  std::string_view auth = Trim(request.Header("authorization"));
  if (auth.size() < 5 || auth.substr(0, 5) != "AWS4-") return MissingToken();
  size_t sp = auth.find(' ');
  std::string_view algorithm = auth.substr(0, sp);
  AuthorizationParts parts =
      ParseAuthorization(sp == std::string_view::npos ? std::string_view() : auth.substr(sp + 1));
  std::string amz_date(request.Header("x-amz-date"));
  if (amz_date.empty() && request.HasHeader("date")) amz_date = HttpDateToIso(request.Header("date"));

  std::string msg;
  if (parts.credential.empty()) msg += "Authorization header requires 'Credential' parameter. ";
  if (parts.signature.empty()) msg += "Authorization header requires 'Signature' parameter. ";
  if (parts.signed_headers.empty()) msg += "Authorization header requires 'SignedHeaders' parameter. ";
  if (amz_date.empty()) {
    msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!msg.empty()) return Incomplete(msg + "Authorization=" + std::string(auth));
  if (algorithm != kAlgorithm) {
    return Incomplete("Unsupported AWS 'algorithm': '" + std::string(algorithm) +
                      "' (only AWS4-HMAC-SHA256 for now). ");
  }
  std::string_view credential = parts.credential;
  while (!credential.empty() && credential.back() == '/') credential.remove_suffix(1);
  std::vector<std::string_view> scope = Split(credential, '/');
  if (scope.size() != 5) {
    return Incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" +
        std::string(credential) + "'");
  }
  // The scope and the date, in DynamoDB's words (one message for every problem found).
  std::string scope_problems;
  if (scope[3] != expected_service) {
    scope_problems += "Credential should be scoped to correct service: '" + std::string(expected_service) + "'. ";
  }
  if (scope[4] != "aws4_request") {
    scope_problems +=
        "Credential should be scoped with a valid terminator: 'aws4_request', not '" + std::string(scope[4]) + "'. ";
  }
  if (scope[1] != std::string_view(amz_date).substr(0, 8)) {
    scope_problems += "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                      std::string(scope[1]) + "' != '" + amz_date.substr(0, 8) + "', from '" + amz_date + "'.";
  }
  if (!scope_problems.empty()) {
    while (scope_problems.back() == ' ') scope_problems.pop_back();
    return ApiError::Service("InvalidSignatureException", scope_problems);
  }
  const int64_t signed_at = ParseAmzDate(amz_date);
  if (signed_at < 0) {
    return Incomplete("Date must be in ISO-8601 'basic format'. Got '" + amz_date +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  const int64_t now = now_ms / 1000;
  constexpr int64_t kSkew = 15 * 60;
  if (signed_at < now - kSkew) {
    return ApiError::Service("InvalidSignatureException", "Signature expired: " + amz_date + " is now earlier than " +
                                                              FormatAmzDate(now - kSkew) + " (" + FormatAmzDate(now) +
                                                              " - 15 min.)");
  }
  if (signed_at > now + kSkew) {
    return ApiError::Service("InvalidSignatureException", "Signature not yet current: " + amz_date +
                                                              " is still later than " + FormatAmzDate(now + kSkew) +
                                                              " (" + FormatAmzDate(now) + " + 15 min.)");
  }
  if (scope[0] != credentials.access_key_id) {
    return ApiError::Service("UnrecognizedClientException", "The security token included in the request is invalid.");
  }
  std::string_view date = scope[1], region = scope[2], service = scope[3];
  std::string_view scope_text = credential.substr(scope[0].size() + 1);

  std::string payload_hash(request.Header("x-amz-content-sha256"));
  if (payload_hash.empty()) payload_hash = Sha256Hex(request.body);
  std::string canonical = SigV4CanonicalRequest(request.method, request.path, request.query, request.headers,
                                                parts.signed_headers, payload_hash);
  std::string to_sign = SigV4StringToSign(amz_date, scope_text, canonical);
  std::string expected =
      SigV4Signature(SigV4SigningKey(credentials.secret_access_key, date, region, service), to_sign);
  if (expected.size() != parts.signature.size() ||
      CRYPTO_memcmp(expected.data(), parts.signature.data(), expected.size()) != 0) {
    return ApiError::Service("InvalidSignatureException",
                             "The request signature we calculated does not match the signature you provided. "
                             "Check your AWS Secret Access Key and signing method. Consult the service "
                             "documentation for details.");
  }
  return std::nullopt;
}

}  // namespace tributary::server
