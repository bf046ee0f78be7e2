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

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  if (query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> params;
  while (true) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string key = UriEncode(UriDecode(item.substr(0, eq)), false);
      std::string value = eq == std::string_view::npos ? "" : UriEncode(UriDecode(item.substr(eq + 1)), false);
      params.emplace_back(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

// Trims and collapses runs of spaces to one (SigV4 canonical header values).
void AppendCanonicalValue(std::string& out, std::string_view value) {
  value = Trim(value);
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
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

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return HexEncode({reinterpret_cast<const char*>(digest), sizeof digest});
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string SigV4SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string SigV4CanonicalRequest(std::string_view method, std::string_view path, std::string_view query,
                                  const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                                  std::string_view signed_headers, std::string_view payload_hash) {
  std::string out;
  out.reserve(256);
  out += method;
  out += '\n';
  // Services other than S3 encode the (already encoded) path once more.
  out += path.empty() ? std::string("/") : UriEncode(path, true);
  out += '\n';
  out += CanonicalQuery(query);
  out += '\n';
  for (std::string_view name : Split(signed_headers, ';')) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [k, v] : headers) {
      if (!EqualsIgnoreCase(k, name)) continue;
      if (!first) out += ',';
      AppendCanonicalValue(out, v);
      first = false;
    }
    out += '\n';
  }
  out += '\n';
  out += signed_headers;
  out += '\n';
  out += payload_hash;
  return out;
}

std::string SigV4StringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += Sha256Hex(canonical_request);
  return out;
}

std::string SigV4Signature(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

int64_t ParseAmzDate(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return -1;
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}) {
    if (d[i] < '0' || d[i] > '9') return -1;
  }
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  return static_cast<int64_t>(timegm(&tm));
}

std::string FormatAmzDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

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
