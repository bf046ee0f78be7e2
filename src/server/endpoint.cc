#include "server/endpoint.h"

#include <zlib.h>

#include <chrono>
#include <random>

#include "server/web_assets.h"

namespace tributary::server {

namespace {

using dynamodb::ApiError;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// What an X-Amz-Target prefix implies (../shared/aws-compat-checklist.md section 0).
struct AwsService {
  std::string_view signing_name;  // SigV4 credential scope service
  std::string_view metric_label;  // tributary_api_requests_total{service=...}
  bool json_1_0;                  // AWS JSON 1.0 (DynamoDB, with x-amz-crc32) or 1.1
};

AwsService ServiceOf(std::string_view target) {
  if (StartsWith(target, dynamodb::kStreamsTargetPrefix)) return {"dynamodb", "dynamodbstreams", true};
  if (StartsWith(target, "AWSGlue.")) return {"glue", "glue", false};
  if (StartsWith(target, "AmazonAthena.")) return {"athena", "athena", false};
  if (StartsWith(target, "Kinesis_20131202.")) return {"kinesis", "kinesis", false};
  if (StartsWith(target, "Firehose_20150804.")) return {"firehose", "firehose", false};
  return {"dynamodb", "dynamodb", true};
}

void SetCommonAwsHeaders(HttpResponse* response, bool json_1_0 = true) {
  response->content_type = json_1_0 ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
  response->headers.emplace_back("x-amzn-RequestId", NewRequestId());
  if (!json_1_0) return;  // only DynamoDB sends (and botocore checks) x-amz-crc32
  uLong crc = ::crc32(0L, reinterpret_cast<const Bytef*>(response->body.data()),
                      static_cast<uInt>(response->body.size()));
  response->headers.emplace_back("x-amz-crc32", std::to_string(crc));
}

constexpr std::string_view kIndexPage = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>Tributary</title></head>
<body>
<h1>Tributary</h1>
<p>This port serves:</p>
<ul>
<li><code>GET /</code> - <a href="/">the dashboard</a></li>
<li><code>POST /</code> with <code>X-Amz-Target: DynamoDB_20120810.*</code> - the DynamoDB JSON API</li>
<li><code>POST /</code> with <code>X-Amz-Target: DynamoDBStreams_20120810.*</code> - the DynamoDB Streams JSON API</li>
<li><code>POST /</code> with <code>X-Amz-Target: AWSGlue.*</code> - the Glue Data Catalog (read side)</li>
<li><code>POST /</code> with <code>X-Amz-Target: AmazonAthena.*</code> - the Athena query API</li>
<li><code>POST /</code> with <code>X-Amz-Target: Kinesis_20131202.*</code> - the Kinesis Data Streams API</li>
<li><code>POST /</code> with <code>X-Amz-Target: Firehose_20150804.*</code> - the Firehose API (delivery streams into the lake)</li>
<li><code>POST /api/query</code> with <code>{"sql": "SELECT ..."}</code> - SQL over the lake, as JSON</li>
<li><code>GET /api/status</code> - the pipeline status as JSON</li>
<li><code>GET /metrics</code> - Prometheus metrics</li>
<li><code>GET /health</code> - liveness</li>
</ul>
<p>Try: <code>aws dynamodb list-tables --endpoint-url http://HOST:PORT</code></p>
</body></html>
)";

}  // namespace

std::string NewRequestId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(52, 'A');
  uint64_t bits = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i % 10 == 0) bits = rng();
    id[i] = kAlphabet[bits % 36];
    bits /= 36;
  }
  return id;
}

Endpoint::Endpoint(dynamodb::OperationRegistry registry, dynamodb::ApiContext context,
                   std::optional<SigV4Credentials> credentials, MetricsRegistry* metrics)
    : registry_(std::move(registry)),
      context_(std::move(context)),
      credentials_(std::move(credentials)),
      metrics_(metrics) {
  if (metrics_ != nullptr) {
    requests_ = metrics_->Get("tributary_http_requests_total");
    errors_ = metrics_->Get("tributary_http_errors_total");
    metrics_->Describe("tributary_http_requests_total", "HTTP requests the endpoint received.");
    metrics_->Describe("tributary_http_errors_total", "HTTP requests answered with an error status.");
    metrics_->Describe("tributary_api_requests_total", "AWS API requests by service and operation.");
    metrics_->Describe("tributary_http_request_duration_seconds",
                       "Time to handle an HTTP request: aws = AWS JSON APIs, api = /api/*, page = other GETs.");
    aws_seconds_ = metrics_->GetHistogram("tributary_http_request_duration_seconds{kind=\"aws\"}");
    api_seconds_ = metrics_->GetHistogram("tributary_http_request_duration_seconds{kind=\"api\"}");
    page_seconds_ = metrics_->GetHistogram("tributary_http_request_duration_seconds{kind=\"page\"}");
    for (const std::string& target : registry_.Targets()) {
      std::string_view t = target;
      std::string_view op = t.substr(t.find('.') + 1);
      std::string service(ServiceOf(t).metric_label);
      operation_counters_[target] = metrics_->Get("tributary_api_requests_total{service=\"" + service +
                                                  "\",operation=\"" + std::string(op) + "\"}");
    }
  }
}

void Endpoint::Handle(const HttpRequest& request, HttpResponse* response) {
  if (requests_ != nullptr) requests_->Add();
  const auto start = std::chrono::steady_clock::now();
  Histogram* latency = page_seconds_;
  if (request.method == "POST" && request.path == "/api/query") {
    latency = api_seconds_;
    HandleSqlQuery(request, response);
  } else if (request.method == "POST") {
    latency = aws_seconds_;
    HandleAwsJson(request, response);
  } else if (request.method == "GET" || request.method == "HEAD") {
    if (request.path.substr(0, 5) == "/api/") latency = api_seconds_;
    HandleGet(request, response);
    if (request.method == "HEAD") response->body.clear();
  } else {
    response->status = 405;
    response->content_type = "text/plain; charset=utf-8";
    response->body = "method not allowed\n";
    response->headers.emplace_back("Allow", "GET, HEAD, POST");
  }
  if (latency != nullptr) {
    latency->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

void Endpoint::SetError(const ApiError& error, HttpResponse* response, bool json_1_0) {
  response->status = error.http_status;
  response->body = error.ToJson();
  response->headers.emplace_back("x-amzn-ErrorType", std::string(error.code()));
  SetCommonAwsHeaders(response, json_1_0);
  if (errors_ != nullptr) errors_->Add();
}

void Endpoint::HandleAwsJson(const HttpRequest& request, HttpResponse* response) {
  // Same order as DynamoDB (and dynalite): the operation first, then the signature, then the
  // body.
  std::string_view target = request.Header("x-amz-target");
  if (registry_.Find(target) == nullptr) {
    SetError(ApiError::Service("UnknownOperationException", ""), response);
    return;
  }
  const AwsService service = ServiceOf(target);
  if (credentials_) {
    if (auto err = VerifySigV4(request, *credentials_, service.signing_name, context_.clock->NowMillis())) {
      SetError(*err, response, service.json_1_0);
      return;
    }
  }
  if (auto it = operation_counters_.find(target); it != operation_counters_.end()) it->second->Add();
  dynamodb::ApiResponse r = dynamodb::Dispatch(registry_, target, request.body, context_);
  response->status = r.http_status;
  response->body = std::move(r.body);
  if (!r.error_code.empty()) {
    response->headers.emplace_back("x-amzn-ErrorType", std::move(r.error_code));
    if (errors_ != nullptr) errors_->Add();
  }
  SetCommonAwsHeaders(response, service.json_1_0);
}

void Endpoint::HandleSqlQuery(const HttpRequest& request, HttpResponse* response) {
  response->content_type = "application/json";
  if (!sql_query_) {
    response->status = 404;
    response->body = "{\"error\":\"not_found\",\"message\":\"SQL is not served on this endpoint\"}";
    return;
  }
  auto [status, body] = sql_query_(request.body);
  response->status = status;
  response->body = std::move(body);
  if (status >= 400 && errors_ != nullptr) errors_->Add();
}

void Endpoint::HandleGet(const HttpRequest& request, HttpResponse* response) {
  if (const WebAsset* asset = FindWebAsset(request.path); asset != nullptr) {
    response->content_type = std::string(asset->content_type) + "; charset=utf-8";
    response->body = asset->body;
    response->headers.emplace_back("Cache-Control", "no-cache");
  } else if (request.path == "/endpoints") {
    response->content_type = "text/html; charset=utf-8";
    response->body = kIndexPage;
  } else if (request.path == "/api/status") {
    response->content_type = "application/json";
    response->headers.emplace_back("Cache-Control", "no-store");
    if (status_) {
      response->body = status_();
    } else {
      response->status = 404;
      response->body = "{\"error\":\"not_found\",\"message\":\"no pipeline status on this endpoint\"}";
    }
  } else if (request.path == "/health") {
    response->content_type = "text/plain; charset=utf-8";
    response->body = "ok";
  } else if (request.path == "/metrics") {
    response->content_type = "text/plain; version=0.0.4; charset=utf-8";
    response->body = metrics_ != nullptr ? metrics_->PrometheusText() : std::string();
  } else if (request.path == "/api/alerts" && alerts_) {
    auto [status, body] = alerts_(request.query);
    response->status = status;
    response->content_type = "application/json";
    response->body = std::move(body);
  } else {
    response->status = 404;
    response->content_type = "text/plain; charset=utf-8";
    response->body = "not found\n";
  }
}

}  // namespace tributary::server
