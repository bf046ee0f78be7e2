#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/encoding.h"

namespace tributary::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

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

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
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

std::string CanonicalQueryString(std::string_view query) {
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

std::string SigV4CanonicalRequest(std::string_view method, std::string_view path, std::string_view query,
                                  const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                                  std::string_view signed_headers, std::string_view payload_hash,
                                  bool double_encode_path) {
  std::string out;
  out.reserve(256);
  out += method;
  out += '\n';
  if (path.empty()) {
    out += '/';
  } else if (double_encode_path) {
    out += UriEncode(path, true);
  } else {
    out += path;
  }
  out += '\n';
  out += CanonicalQueryString(query);
  out += '\n';
  std::string_view names = signed_headers;
  while (true) {
    size_t semi = names.find(';');
    std::string_view name = names.substr(0, semi);
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [k, v] : headers) {
      if (!HeaderNameEquals(k, name)) continue;
      if (!first) out += ',';
      AppendCanonicalValue(out, v);
      first = false;
    }
    out += '\n';
    if (semi == std::string_view::npos) break;
    names.remove_prefix(semi + 1);
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

void SignRequest(SigningRequest& request, const SigningCredentials& credentials, const SigningParams& params) {
  const std::string amz_date = FormatAmzDate(params.unix_seconds);
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = Sha256Hex(request.payload);
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (params.sign_payload_header) request.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  std::vector<std::string> names;
  std::vector<std::pair<std::string_view, std::string_view>> views;
  for (const auto& [k, v] : request.headers) {
    std::string lower = Lower(k);
    if (lower == "authorization" || lower == "user-agent" || lower == "expect" || lower == "content-length") continue;
    names.push_back(std::move(lower));
    views.emplace_back(k, v);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_headers;
  for (const auto& n : names) {
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += n;
  }
  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  const std::string canonical = SigV4CanonicalRequest(request.method, request.path, request.query, views,
                                                      signed_headers, payload_hash, params.double_encode_path);
  const std::string signature =
      SigV4Signature(SigV4SigningKey(credentials.secret_access_key, date, params.region, params.service),
                     SigV4StringToSign(amz_date, scope, canonical));
  request.headers.emplace_back("Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                                                    "/" + scope + ", SignedHeaders=" + signed_headers +
                                                    ", Signature=" + signature);
}

}  // namespace tributary::aws
