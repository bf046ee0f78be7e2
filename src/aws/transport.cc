#include "aws/transport.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "aws/xml.h"

namespace tributary::aws {

namespace {

std::string EnvOr(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? std::string() : std::string(v);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = c == '.' || c == '-' || c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsNotFoundCode(std::string_view code) {
  return code == "ResourceNotFoundException" || code == "EntityNotFoundException" || code == "NoSuchKey" ||
         code == "NoSuchBucket" || code == "NoSuchUpload" || code == "NotFound" || code == "NotFoundException" ||
         code == "AWS.SimpleQueueService.NonExistentQueue" || code == "QueueDoesNotExist";
}

bool IsTransientCode(std::string_view code) {
  return code == "RequestTimeout" || code == "RequestTimeoutException" || code == "InternalError" ||
         code == "InternalFailure" || code == "InternalServerError" || code == "ServiceUnavailable" ||
         code == "InternalServiceException" || code == "IDPCommunicationError";
}

bool IsExpiredCredentialsCode(std::string_view code) {
  return code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired";
}

std::string JsonField(simdjson::dom::element doc, const char* name) {
  std::string_view v;
  if (doc[name].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

int64_t Backoff(const ClientConfig& c, int retry) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t ceiling = c.backoff_base_ms;
  for (int i = 1; i < retry && ceiling < c.backoff_cap_ms; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, c.backoff_cap_ms);
  if (ceiling <= 0) return 0;
  return std::uniform_int_distribution<int64_t>(0, ceiling)(rng);
}

}  // namespace

std::string_view ErrorCode(const Status& status) {
  if (status.ok()) return {};
  std::string_view m = status.message();
  // "ctx: ctx2: Code: message": the first segment that looks like an AWS error code.
  while (!m.empty()) {
    size_t sep = m.find(": ");
    if (sep == std::string_view::npos) break;
    std::string_view seg = m.substr(0, sep);
    bool ident = !seg.empty() && std::isupper(static_cast<unsigned char>(seg[0]));
    for (char c : seg) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_') ident = false;
    }
    if (ident) return seg;
    m.remove_prefix(sep + 2);
  }
  return {};
}

bool IsThrottlingCode(std::string_view code) {
  static constexpr std::string_view kCodes[] = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
      "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException"};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

std::string DefaultEndpointUrl(std::string_view endpoint_prefix, std::string_view region) {
  std::string suffix = region.substr(0, 3) == "cn-" ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "https://" + std::string(endpoint_prefix) + "." + std::string(region) + suffix;
}

Status Transport::ErrorStatus(const HttpResponse& r, ErrorProtocol protocol) {
  std::string code, message;
  if (protocol == ErrorProtocol::kJson) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (!r.body.empty() && parser.parse(r.body).get(doc) == simdjson::SUCCESS && doc.is_object()) {
      code = JsonField(doc, "__type");
      if (code.empty()) code = JsonField(doc, "code");
      message = JsonField(doc, "message");
      if (message.empty()) message = JsonField(doc, "Message");
    }
    std::string header(r.Header("x-amzn-errortype"));
    if (code.empty() && !header.empty()) code = header.substr(0, header.find(':'));
  } else {
    code = XmlText(r.body, "Code");
    message = XmlText(r.body, "Message");
  }
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  if (size_t colon = code.find(':'); colon != std::string::npos) code = code.substr(0, colon);
  if (code.empty()) {
    // HEAD answers and proxies carry no body: name the HTTP status as S3 SDKs do.
    if (r.status == 404) code = "NotFound";
    else if (r.status == 403) code = "Forbidden";
    else if (r.status == 429) code = "TooManyRequestsException";
    else if (r.status == 503) code = "ServiceUnavailable";
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(r.status);
    if (!r.body.empty() && code.empty()) message += ": " + r.body.substr(0, 200);
  }
  std::string text = code.empty() ? message : code + ": " + message;
  if (IsNotFoundCode(code) || (r.status == 404 && !IsThrottlingCode(code))) return Status::NotFound(text);
  if (IsThrottlingCode(code) || r.status == 429) return Status::ResourceExhausted(text);
  if (r.status >= 500 || IsTransientCode(code)) return Status::Unavailable(text);
  if (code == "ResourceInUseException" || code == "AlreadyExistsException" || code == "BucketAlreadyOwnedByYou" ||
      code == "BucketAlreadyExists") {
    return Status::AlreadyExists(text);
  }
  if (code == "ConditionalCheckFailedException" || code == "PreconditionFailed") {
    return Status::FailedPrecondition(text);
  }
  if (code == "TrimmedDataAccessException") return Status::OutOfRange(text);
  return Status::InvalidArgument(text);
}

bool Transport::Retryable(const Status& status, int http_status) {
  if (status.code() == StatusCode::kResourceExhausted || status.code() == StatusCode::kUnavailable) return true;
  return IsExpiredCredentialsCode(ErrorCode(status));
}

Transport::Transport(ClientConfig config, ErrorProtocol protocol, Endpoint endpoint, std::string endpoint_url,
                     bool default_endpoint)
    : config_(std::move(config)),
      protocol_(protocol),
      endpoint_(std::move(endpoint)),
      endpoint_url_(std::move(endpoint_url)),
      default_endpoint_(default_endpoint) {}

Result<std::unique_ptr<Transport>> Transport::Create(ClientConfig config, ErrorProtocol protocol) {
  if (config.service.empty()) return Status::InvalidArgument("AWS client: no service (signing name) given");
  if (config.max_attempts < 1) config.max_attempts = 1;
  ChainOptions chain;
  chain.profile = config.profile;
  chain.imds = config.imds;
  config.region = ResolveRegion(chain, config.region);
  if (!config.credentials) config.credentials = std::make_shared<CredentialProvider>(chain);
  std::string prefix = config.endpoint_prefix.empty() ? config.service : config.endpoint_prefix;
  std::string url = config.endpoint_url;
  bool default_endpoint = false;
  if (url.empty()) url = EnvOr("AWS_ENDPOINT_URL_" + Upper(prefix == "streams.dynamodb" ? "dynamodb_streams" : prefix));
  if (url.empty()) url = EnvOr("AWS_ENDPOINT_URL");
  if (url.empty()) {
    url = DefaultEndpointUrl(prefix, config.region);
    default_endpoint = true;
  }
  auto endpoint = ParseEndpoint(url);
  if (!endpoint.ok()) return endpoint.status().WithContext(config.service + " client");
  return std::unique_ptr<Transport>(
      new Transport(std::move(config), protocol, std::move(*endpoint), std::move(url), default_endpoint));
}

ClientStats Transport::stats() const {
  return ClientStats{calls_.load(), attempts_.load(), retries_.load(), failures_.load()};
}

Result<HttpResponse> Transport::SendOnce(const ServiceRequest& request, int* http_status) {
  *http_status = 0;
  TRIB_ASSIGN_OR_RETURN(Credentials creds, config_.credentials->Get());
  SigningRequest signing;
  signing.method = request.method;
  signing.path = endpoint_.base_path + (request.path.empty() ? std::string("/") : request.path);
  signing.query = request.query;
  Endpoint target = endpoint_;
  target.host = request.host_prefix + target.host;
  signing.headers.reserve(request.headers.size() + 6);
  signing.headers.emplace_back("Host", target.HostHeader());
  for (const auto& h : request.headers) signing.headers.push_back(h);
  signing.payload = request.body;
  SigningParams params;
  params.region = config_.region;
  params.service = config_.service;
  params.unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  params.double_encode_path = config_.service != "s3";
  params.sign_payload_header = config_.service == "s3";
  SignRequest(signing, creds, params);

  HttpRequest http;
  http.method = request.method;
  http.url = target.Origin() + signing.path + (request.query.empty() ? "" : "?" + request.query);
  http.headers = std::move(signing.headers);
  http.body = request.body;
  http.timeout_ms = config_.timeout_ms;
  TRIB_ASSIGN_OR_RETURN(HttpResponse response, http_.Send(http));
  *http_status = response.status;
  bool ok = response.status >= 200 && response.status < 300;
  if (ok && request.error_in_ok_body && response.body.find("<Error>") != std::string::npos &&
      !XmlText(response.body, "Code").empty()) {
    // An error after a 200: S3 says to treat it as a 5xx-like failure and retry.
    response.status = 500;
    ok = false;
  }
  if (!ok) return ErrorStatus(response, protocol_);
  return response;
}

Result<HttpResponse> Transport::Send(const ServiceRequest& request) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  bool refreshed_credentials = false;
  for (int attempt = 1;; ++attempt) {
    attempts_.fetch_add(1, std::memory_order_relaxed);
    int http_status = 0;
    auto result = SendOnce(request, &http_status);
    if (result.ok()) return result;
    const Status& st = result.status();
    bool retry = Retryable(st, http_status) && attempt < config_.max_attempts;
    if (IsExpiredCredentialsCode(ErrorCode(st))) {
      retry = retry && !refreshed_credentials;
      refreshed_credentials = true;
      config_.credentials->Invalidate();
    }
    if (!retry) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      if (attempt > 1 && st.retryable()) {
        return Status(st.code(), st.message() + " (after " + std::to_string(attempt) + " attempts)");
      }
      return st;
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
    std::this_thread::sleep_for(std::chrono::milliseconds(Backoff(config_, attempt)));
  }
}

}  // namespace tributary::aws
