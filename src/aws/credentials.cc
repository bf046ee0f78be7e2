#include "aws/credentials.h"

#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "aws/http.h"

namespace tributary::aws {

namespace {

constexpr int64_t kRefreshBeforeMs = 5 * 60 * 1000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Env(const ChainOptions& o, const std::string& name) {
  if (o.getenv) return o.getenv(name);
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? std::string() : std::string(v);
}

int64_t NowMs(const ChainOptions& o) {
  if (o.now_ms != 0) return o.now_ms;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Home(const ChainOptions& o) { return o.home.empty() ? Env(o, "HOME") : o.home; }

std::string ProfileName(const ChainOptions& o) {
  if (!o.profile.empty()) return o.profile;
  std::string p = Env(o, "AWS_PROFILE");
  return p.empty() ? "default" : p;
}

bool ProfileExplicit(const ChainOptions& o) { return !o.profile.empty() || !Env(o, "AWS_PROFILE").empty(); }

std::string CredentialsPath(const ChainOptions& o) {
  std::string p = Env(o, "AWS_SHARED_CREDENTIALS_FILE");
  return p.empty() ? Home(o) + "/.aws/credentials" : p;
}

std::string ConfigPath(const ChainOptions& o) {
  std::string p = Env(o, "AWS_CONFIG_FILE");
  return p.empty() ? Home(o) + "/.aws/config" : p;
}

// nullopt when the file does not exist or cannot be read.
std::optional<IniFile> ReadIni(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseIni(ss.str());
}

// The profile's section of the config file: [default] or [profile <name>] (the CLI also accepts
// [profile default]).
const std::map<std::string, std::string>* ConfigSection(const IniFile& ini, const std::string& profile) {
  auto it = ini.find("profile " + profile);
  if (it != ini.end()) return &it->second;
  if (profile == "default") {
    it = ini.find("default");
    if (it != ini.end()) return &it->second;
  }
  return nullptr;
}

std::string Get(const std::map<std::string, std::string>& section, const std::string& key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

// "2026-11-25T05:00:00Z" -> Unix ms; 0 when it does not parse.
int64_t ParseIso8601(std::string_view s) {
  std::tm tm{};
  std::string text(s);
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

Result<Credentials> FromImds(const ChainOptions& o) {
  std::string base = Env(o, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (base.empty()) base = "http://169.254.169.254";
  while (!base.empty() && base.back() == '/') base.pop_back();
  HttpClient http;
  HttpRequest token_request;
  token_request.method = "PUT";
  token_request.url = base + "/latest/api/token";
  token_request.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  token_request.timeout_ms = o.imds_timeout_ms;
  token_request.connect_timeout_ms = o.imds_timeout_ms;
  TRIB_ASSIGN_OR_RETURN(HttpResponse token, http.Send(token_request));
  if (token.status != 200 || token.body.empty()) {
    return Status::Unavailable("IMDSv2 token request answered HTTP " + std::to_string(token.status));
  }
  HttpRequest get;
  get.url = base + "/latest/meta-data/iam/security-credentials/";
  get.headers = {{"X-aws-ec2-metadata-token", token.body}};
  get.timeout_ms = o.imds_timeout_ms;
  get.connect_timeout_ms = o.imds_timeout_ms;
  TRIB_ASSIGN_OR_RETURN(HttpResponse roles, http.Send(get));
  if (roles.status != 200) {
    return Status::NotFound("instance metadata has no IAM role (HTTP " + std::to_string(roles.status) + ")");
  }
  std::string role(Trim(std::string_view(roles.body).substr(0, roles.body.find('\n'))));
  if (role.empty()) return Status::NotFound("instance metadata has no IAM role");
  get.url += role;
  TRIB_ASSIGN_OR_RETURN(HttpResponse creds, http.Send(get));
  if (creds.status != 200) {
    return Status::Unavailable("instance metadata credentials for role " + role + ": HTTP " +
                               std::to_string(creds.status));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(creds.body).get(doc) != simdjson::SUCCESS) {
    return Status::Unavailable("instance metadata credentials for role " + role + " are not JSON");
  }
  auto field = [&](const char* name) {
    std::string_view v;
    if (doc[name].get_string().get(v) != simdjson::SUCCESS) return std::string();
    return std::string(v);
  };
  std::string code = field("Code");
  if (!code.empty() && code != "Success") {
    return Status::Unavailable("instance metadata credentials for role " + role + ": Code " + code);
  }
  Credentials c;
  c.access_key_id = field("AccessKeyId");
  c.secret_access_key = field("SecretAccessKey");
  c.session_token = field("Token");
  c.expiration_ms = ParseIso8601(field("Expiration"));
  c.source = "instance metadata role " + role;
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::Unavailable("instance metadata credentials for role " + role + " lack AccessKeyId/SecretAccessKey");
  }
  return c;
}

}  // namespace

IniFile ParseIni(std::string_view text) {
  IniFile ini;
  std::string section;
  bool in_section = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    // Indented lines continue a nested block (e.g. "s3 =\n  max_concurrent_requests = 20").
    bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos) {
        in_section = false;
        continue;
      }
      std::string_view name = Trim(line.substr(1, close - 1));
      // Collapse inner runs of spaces: "[profile   x]" == "[profile x]".
      section.clear();
      bool space = false;
      for (char c : name) {
        if (c == ' ' || c == '\t') {
          space = true;
          continue;
        }
        if (space && !section.empty()) section += ' ';
        space = false;
        section += c;
      }
      ini[section];
      in_section = true;
      continue;
    }
    if (!in_section || indented) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(Trim(line.substr(0, eq)));
    std::string_view value = Trim(line.substr(eq + 1));
    // Inline comments need a space before the '#' or ';'.
    for (size_t i = 1; i < value.size(); ++i) {
      if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value = Trim(value.substr(0, i));
        break;
      }
    }
    ini[section][key] = std::string(value);
  }
  return ini;
}

Result<Credentials> ResolveCredentials(const ChainOptions& o) {
  // 1. Environment.
  std::string akid = Env(o, "AWS_ACCESS_KEY_ID");
  std::string secret = Env(o, "AWS_SECRET_ACCESS_KEY");
  if (!akid.empty() && !secret.empty()) {
    Credentials c;
    c.access_key_id = akid;
    c.secret_access_key = secret;
    c.session_token = Env(o, "AWS_SESSION_TOKEN");
    c.source = "environment";
    return c;
  }
  const std::string profile = ProfileName(o);
  const std::string cred_path = CredentialsPath(o);
  const std::string config_path = ConfigPath(o);
  bool profile_found = false;
  std::string unsupported;
  auto from_section = [&](const std::map<std::string, std::string>& s,
                          const std::string& where) -> std::optional<Credentials> {
    profile_found = true;
    std::string id = Get(s, "aws_access_key_id"), key = Get(s, "aws_secret_access_key");
    if (!id.empty() && !key.empty()) {
      Credentials c;
      c.access_key_id = id;
      c.secret_access_key = key;
      c.session_token = Get(s, "aws_session_token");
      c.source = where;
      return c;
    }
    for (const char* k : {"credential_process", "sso_session", "sso_start_url", "role_arn", "web_identity_token_file"}) {
      if (!Get(s, k).empty() && unsupported.empty()) unsupported = std::string(k) + " (in " + where + ")";
    }
    return std::nullopt;
  };
  // 2. Shared credentials file.
  if (auto ini = ReadIni(cred_path)) {
    auto it = ini->find(profile);
    if (it != ini->end()) {
      if (auto c = from_section(it->second, "credentials file " + cred_path + " [" + profile + "]")) return *c;
    }
  }
  // 3. Shared config file.
  if (auto ini = ReadIni(config_path)) {
    if (const auto* s = ConfigSection(*ini, profile)) {
      if (auto c = from_section(*s, "config file " + config_path + " [" + profile + "]")) return *c;
    }
  }
  if (ProfileExplicit(o) && !profile_found) {
    return Status::NotFound("AWS profile '" + profile + "' not found in " + cred_path + " or " + config_path);
  }
  // 4. Instance metadata (IMDSv2).
  std::string disabled = Env(o, "AWS_EC2_METADATA_DISABLED");
  for (char& c : disabled) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string imds_problem = "instance metadata disabled";
  if (o.imds && disabled != "true") {
    auto c = FromImds(o);
    if (c.ok()) return c;
    imds_problem = "instance metadata: " + c.status().message();
  }
  std::string message = "no AWS credentials found: looked in the environment (AWS_ACCESS_KEY_ID, "
                        "AWS_SECRET_ACCESS_KEY), " + cred_path + " and " + config_path + " (profile '" + profile +
                        "'), " + imds_problem;
  if (!unsupported.empty()) message += "; not supported by Tributary: " + unsupported;
  return Status::NotFound(message);
}

std::string ResolveRegion(const ChainOptions& o, std::string_view configured) {
  if (!configured.empty()) return std::string(configured);
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string r = Env(o, name);
    if (!r.empty()) return r;
  }
  if (auto ini = ReadIni(ConfigPath(o))) {
    if (const auto* s = ConfigSection(*ini, ProfileName(o))) {
      std::string r = Get(*s, "region");
      if (!r.empty()) return r;
    }
  }
  return "us-east-1";
}

CredentialProvider::CredentialProvider(ChainOptions options) : options_(std::move(options)) {}

std::shared_ptr<CredentialProvider> CredentialProvider::Static(SigningCredentials credentials) {
  auto p = std::make_shared<CredentialProvider>(ChainOptions{});
  Credentials c;
  static_cast<SigningCredentials&>(c) = std::move(credentials);
  c.source = "configuration";
  p->cached_ = std::move(c);
  p->fixed_ = true;
  return p;
}

Result<Credentials> CredentialProvider::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cached_ && (fixed_ || cached_->expiration_ms == 0 || cached_->expiration_ms - kRefreshBeforeMs > NowMs(options_))) {
    return *cached_;
  }
  auto fresh = ResolveCredentials(options_);
  if (!fresh.ok()) {
    // Keep using credentials that have not expired yet when a refresh fails.
    if (cached_ && cached_->expiration_ms > NowMs(options_)) return *cached_;
    return fresh.status();
  }
  cached_ = *fresh;
  return *cached_;
}

void CredentialProvider::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fixed_) cached_.reset();
}

}  // namespace tributary::aws
