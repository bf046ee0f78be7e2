#include "aws/credentials.h"

#include <fstream>
#include <map>

#include "testing/test_http_server.h"
#include "testing/test_util.h"

namespace tributary::aws {
namespace {

using ::tributary::testing::StatusIs;
using ::tributary::testing::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A chain over a fake environment and HOME, IMDS off unless a test turns it on.
struct Fixture {
  TempDir home;
  std::map<std::string, std::string> env;
  ChainOptions Options() {
    ChainOptions o;
    o.getenv = [this](const std::string& name) {
      auto it = env.find(name);
      return it == env.end() ? std::string() : it->second;
    };
    o.home = home.str();
    o.imds = false;
    std::filesystem::create_directories(home.path() / ".aws");
    return o;
  }
  std::string credentials_path() { return (home.path() / ".aws" / "credentials").string(); }
  std::string config_path() { return (home.path() / ".aws" / "config").string(); }
};

TEST(CredentialsTest, EnvironmentWinsAndCarriesTheSessionToken) {
  Fixture f;
  auto o = f.Options();
  Write(f.credentials_path(), "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
  f.env = {{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}, {"AWS_SESSION_TOKEN", "tok"}};
  auto c = ResolveCredentials(o);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ENVKEY");
  EXPECT_EQ(c->secret_access_key, "envsecret");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->source, "environment");
  // Only half of the pair in the environment: the file answers.
  f.env = {{"AWS_ACCESS_KEY_ID", "ENVKEY"}};
  c = ResolveCredentials(o);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "FILEKEY");
}

TEST(CredentialsTest, SharedFilesWithProfiles) {
  Fixture f;
  auto o = f.Options();
  Write(f.credentials_path(),
        "# comment\n[default]\naws_access_key_id=DEF\naws_secret_access_key = defsecret ; inline comment\n\n"
        "[dev]\r\naws_access_key_id = DEV\r\naws_secret_access_key = devsecret\r\naws_session_token = devtoken\r\n");
  Write(f.config_path(),
        "[default]\nregion = eu-west-1\n[profile   ops]\nregion=ap-south-1\naws_access_key_id = OPS\n"
        "aws_secret_access_key = opssecret\ns3 =\n  max_concurrent_requests = 20\n"
        "[profile sso]\nsso_start_url = https://x\n");
  auto c = ResolveCredentials(o);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "DEF");
  EXPECT_EQ(c->secret_access_key, "defsecret");
  EXPECT_EQ(ResolveRegion(o), "eu-west-1");

  f.env["AWS_PROFILE"] = "dev";
  c = ResolveCredentials(o);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "DEV");
  EXPECT_EQ(c->session_token, "devtoken");
  EXPECT_EQ(ResolveRegion(o), "us-east-1");  // [dev] has no region in the config file

  o.profile = "ops";  // the option beats AWS_PROFILE; [profile ops] comes from the config file
  c = ResolveCredentials(o);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "OPS");
  EXPECT_NE(c->source.find("config file"), std::string::npos);
  EXPECT_EQ(ResolveRegion(o), "ap-south-1");
  f.env["AWS_DEFAULT_REGION"] = "us-west-2";
  EXPECT_EQ(ResolveRegion(o), "us-west-2");
  f.env["AWS_REGION"] = "ca-central-1";
  EXPECT_EQ(ResolveRegion(o), "ca-central-1");
  EXPECT_EQ(ResolveRegion(o, "sa-east-1"), "sa-east-1");

  o.profile = "nope";
  EXPECT_THAT(ResolveCredentials(o), StatusIs(StatusCode::kNotFound));

  o.profile = "sso";
  auto sso = ResolveCredentials(o);
  EXPECT_THAT(sso, StatusIs(StatusCode::kNotFound));
  EXPECT_NE(sso.status().message().find("not supported by Tributary: sso_start_url"), std::string::npos)
      << sso.status().message();
}

TEST(CredentialsTest, FileLocationsFromTheEnvironment) {
  Fixture f;
  auto o = f.Options();
  TempDir other;
  Write(other.str() + "/creds", "[default]\naws_access_key_id = ALT\naws_secret_access_key = s\n");
  f.env["AWS_SHARED_CREDENTIALS_FILE"] = other.str() + "/creds";
  auto c = ResolveCredentials(o);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ALT");
}

TEST(CredentialsTest, NothingFoundIsAnErrorThatSaysWhereItLooked) {
  Fixture f;
  auto o = f.Options();
  auto c = ResolveCredentials(o);
  EXPECT_THAT(c, StatusIs(StatusCode::kNotFound));
  EXPECT_NE(c.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_NE(c.status().message().find("instance metadata disabled"), std::string::npos);
}

TEST(CredentialsTest, ImdsV2FromALoopbackFake) {
  using ::tributary::testing::ScriptedResponse;
  using ::tributary::testing::SeenRequest;
  ::tributary::testing::TestHttpServer imds([](const SeenRequest& r) -> ScriptedResponse {
    if (r.method == "PUT" && r.path == "/latest/api/token") {
      if (r.Header("x-aws-ec2-metadata-token-ttl-seconds").empty()) return {400, {}, ""};
      return {200, {}, "TOKEN123"};
    }
    if (r.Header("x-aws-ec2-metadata-token") != "TOKEN123") return {401, {}, ""};
    if (r.path == "/latest/meta-data/iam/security-credentials/") return {200, {}, "my-role\n"};
    if (r.path == "/latest/meta-data/iam/security-credentials/my-role") {
      return {200, {}, R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imdssecret",
                          "Token":"imdstoken","Expiration":"2030-01-01T00:00:00Z"})"};
    }
    return {404, {}, ""};
  });
  Fixture f;
  auto o = f.Options();
  o.imds = true;
  f.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url() + "/";
  auto c = ResolveCredentials(o);
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_EQ(c->secret_access_key, "imdssecret");
  EXPECT_EQ(c->session_token, "imdstoken");
  EXPECT_EQ(c->expiration_ms, 1893456000000);
  EXPECT_EQ(c->source, "instance metadata role my-role");

  // The provider caches until 5 minutes before expiry, then asks again.
  o.now_ms = 1893456000000 - 10 * 60 * 1000;
  CredentialProvider provider(o);
  ASSERT_OK(provider.Get());
  ASSERT_OK(provider.Get());
  size_t token_requests = 0;
  for (const auto& r : imds.requests()) token_requests += r.method == "PUT";
  EXPECT_EQ(token_requests, 2u);  // one for ResolveCredentials above, one for the provider

  f.env["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_THAT(ResolveCredentials(o), StatusIs(StatusCode::kNotFound));
}

TEST(CredentialsTest, UnreachableImdsFailsFast) {
  Fixture f;
  auto o = f.Options();
  o.imds = true;
  o.imds_timeout_ms = 300;
  f.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(::tributary::testing::UnusedPort());
  auto c = ResolveCredentials(o);
  EXPECT_THAT(c, StatusIs(StatusCode::kNotFound));
  EXPECT_NE(c.status().message().find("instance metadata:"), std::string::npos) << c.status().message();
}

TEST(CredentialsTest, StaticProvider) {
  auto p = CredentialProvider::Static({"A", "B", "C"});
  auto c = p->Get();
  ASSERT_OK(c);
  EXPECT_EQ(c->access_key_id, "A");
  EXPECT_EQ(c->session_token, "C");
  p->Invalidate();
  EXPECT_OK(p->Get());
}

TEST(CredentialsTest, ParseIni) {
  IniFile ini = ParseIni("top = ignored\n[a]\nk = v # c\nx=y#z\n[ profile  b ]\nk=2\n  nested = 1\n[broken\nk=3\n");
  EXPECT_EQ(ini["a"]["k"], "v");
  EXPECT_EQ(ini["a"]["x"], "y#z");
  EXPECT_EQ(ini["profile b"]["k"], "2");
  EXPECT_EQ(ini["profile b"].count("nested"), 0u);
  EXPECT_EQ(ini.count(""), 0u);
}

}  // namespace
}  // namespace tributary::aws
