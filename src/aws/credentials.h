// AWS credentials and region: the standard resolution chain of the AWS SDKs and CLI.
//
// Credentials, first match wins:
//   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   2. shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials),
//      section [<profile>]
//   3. shared config file (AWS_CONFIG_FILE, default ~/.aws/config), section [profile <profile>]
//      ([default] for the default profile)
//   4. EC2 instance metadata, IMDSv2 only (PUT /latest/api/token, then the role's credentials),
//      1 s timeout; off with AWS_EC2_METADATA_DISABLED=true or ChainOptions::imds = false;
//      endpoint AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254).
// The profile is ChainOptions::profile, else AWS_PROFILE, else "default". A profile named
// explicitly that exists in neither file is an error (kNotFound), as the CLI has it.
// Not supported (an error names them when nothing else matched): credential_process, SSO,
// web identity / role assumption (role_arn).
//
// Region: the configured one, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
// `region` in the config file, else "us-east-1".
//
// Thread-safety: the functions are reentrant; CredentialProvider is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "core/status.h"

namespace tributary::aws {

struct Credentials : SigningCredentials {
  int64_t expiration_ms = 0;  // Unix ms; 0 = does not expire
  std::string source;         // "environment", "credentials file ~/.aws/credentials [p]", "imds role r" ...
};

// Where the chain looks; the defaults read the process environment and $HOME.
struct ChainOptions {
  std::string profile;  // "" -> AWS_PROFILE -> "default"
  // Environment lookup ("" when unset); default: std::getenv.
  std::function<std::string(const std::string&)> getenv;
  std::string home;      // "" -> $HOME
  bool imds = true;      // also off when AWS_EC2_METADATA_DISABLED=true
  int64_t imds_timeout_ms = 1000;
  int64_t now_ms = 0;    // 0 -> the wall clock (tests pin it)
};

// INI as the AWS CLI writes it: [section], key = value, '#' / ';' comments, names trimmed.
// Indented lines (nested s3 settings) are skipped.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

// The chain once, without caching.
Result<Credentials> ResolveCredentials(const ChainOptions& options);

// The region for a client: `configured` when not empty, else the chain described above.
std::string ResolveRegion(const ChainOptions& options, std::string_view configured = {});

// Caches the chain's answer and resolves again 5 minutes before temporary credentials expire.
class CredentialProvider {
 public:
  explicit CredentialProvider(ChainOptions options);
  // Fixed credentials (config or tests); never refreshed.
  static std::shared_ptr<CredentialProvider> Static(SigningCredentials credentials);

  Result<Credentials> Get();
  // Forgets the cached credentials (after ExpiredToken from a service).
  void Invalidate();

 private:
  ChainOptions options_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
  bool fixed_ = false;
};

}  // namespace tributary::aws
