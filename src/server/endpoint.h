// Endpoint: the RequestHandler behind the local endpoint's port.
//
//   POST /  X-Amz-Target DynamoDB_20120810.* / DynamoDBStreams_20120810.*
//           -> dynamodb::Dispatch (AWS JSON 1.0); SigV4 checked first when credentials are set
//   POST /  X-Amz-Target AWSGlue.* / AmazonAthena.*  -> the same registry (lakeapi::RegisterGlue,
//           RegisterAthena; AWS JSON 1.1, no x-amz-crc32, SigV4 service "glue" / "athena")
//   POST /  X-Amz-Target Kinesis_20131202.* -> the same registry (streamapi::RegisterKinesis; AWS
//           JSON 1.1, SigV4 service "kinesis")
//   POST /  X-Amz-Target Firehose_20150804.* -> the same registry (streamapi::RegisterFirehose;
//           SigV4 service "firehose")
//   POST /api/query  {"sql": ...} -> JSON rows (SetSqlQueryHandler; no SigV4: loopback only)
//   GET /            the dashboard (web/index.html; assets under /assets/, server/web_assets.h)
//   GET /endpoints   a small page listing the endpoints
//   GET /api/status  the pipeline status as JSON (SetStatusHandler; runtime/status_report.h)
//   GET /health      200 "ok"
//   GET /metrics     MetricsRegistry Prometheus text (request latency in
//                    tributary_http_request_duration_seconds{kind="aws|api|page"})
//   GET /api/alerts?limit=N  recent alerts and counts (SetAlertsHandler; docs/alerts.md)
//
// Every JSON response carries x-amzn-RequestId and x-amz-crc32 (zlib CRC32 of the body); errors
// also x-amzn-ErrorType and the {"__type","message"} body.
//
// Thread-safety: Handle() is thread-safe (the registry is immutable; the context is shared
// read-only).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/metrics.h"
#include "dynamodb/api.h"
#include "server/http_response.h"
#include "server/sigv4.h"

namespace tributary::server {

class Endpoint final : public RequestHandler {
 public:
  // `context.engine` and `context.clock` are borrowed; `metrics` may be null (no /metrics data
  // and no request counters). `credentials`: verify SigV4 with them; nullopt: accept any.
  Endpoint(dynamodb::OperationRegistry registry, dynamodb::ApiContext context,
           std::optional<SigV4Credentials> credentials, MetricsRegistry* metrics);

  void Handle(const HttpRequest& request, HttpResponse* response) override;

  // Serves POST /api/query with `handler(body) -> (HTTP status, JSON body)` (lakeapi/sql_api.h).
  // Call before the server starts; without it /api/query is 404.
  using SqlQueryHandler = std::function<std::pair<int, std::string>(std::string_view body)>;
  void SetSqlQueryHandler(SqlQueryHandler handler) { sql_query_ = std::move(handler); }
  // Serves GET /api/alerts with `handler(query string) -> (HTTP status, JSON body)`; without it
  // /api/alerts is 404.
  using AlertsHandler = std::function<std::pair<int, std::string>(std::string_view query)>;
  void SetAlertsHandler(AlertsHandler handler) { alerts_ = std::move(handler); }

  // Serves GET /api/status with `handler() -> JSON body`. Call before the server starts;
  // without it /api/status is 404.
  using StatusHandler = std::function<std::string()>;
  void SetStatusHandler(StatusHandler handler) { status_ = std::move(handler); }

 private:
  void HandleAwsJson(const HttpRequest& request, HttpResponse* response);
  void HandleGet(const HttpRequest& request, HttpResponse* response);
  void HandleSqlQuery(const HttpRequest& request, HttpResponse* response);
  void SetError(const dynamodb::ApiError& error, HttpResponse* response, bool json_1_0 = true);

  const dynamodb::OperationRegistry registry_;
  dynamodb::ApiContext context_;
  const std::optional<SigV4Credentials> credentials_;
  SqlQueryHandler sql_query_;
  AlertsHandler alerts_;
  StatusHandler status_;
  MetricsRegistry* const metrics_;
  Counter* requests_ = nullptr;  // tributary_http_requests_total
  Counter* errors_ = nullptr;    // tributary_http_errors_total (4xx and 5xx AWS JSON responses)
  Histogram* aws_seconds_ = nullptr;   // tributary_http_request_duration_seconds by kind
  Histogram* api_seconds_ = nullptr;
  Histogram* page_seconds_ = nullptr;
  // tributary_api_requests_total{operation="PutItem"} per registered target; built once.
  std::map<std::string, Counter*, std::less<>> operation_counters_;
};

// A 52-character request id like DynamoDB's (upper-case letters and digits).
std::string NewRequestId();

}  // namespace tributary::server
