// Server: the local endpoint (DESIGN.md "The local endpoint"): the DynamoDB and DynamoDB
// Streams JSON APIs over a TableEngine, plus the dashboard (/), /endpoints, /api/status,
// /health and /metrics, on one HTTP port; given a catalog, also Glue (read side), Athena and
// POST /api/query (src/lakeapi/), which the dashboard's charts query.
//
//   auto server = server::Server::Start(options, pipeline.tables());
//   std::cout << "endpoint " << (*server)->url() << "\n";
//   ...
//   (*server)->Stop();   // before the engine goes away
//
// Layers: HttpServer (sockets, epoll loops; http_server.h) -> Endpoint (routing, SigV4, AWS
// headers; endpoint.h) -> dynamodb::Dispatch (operations; dynamodb/api.h).
//
// Thread-safety: Start/Stop from one controlling thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "lakeapi/sql_api.h"
#include "streamapi/firehose_api.h"
#include "streamapi/kinesis_api.h"

namespace tributary::table {
class TableEngine;
}
namespace tributary::catalog {
class Catalog;
}

namespace tributary::server {

class Endpoint;
class HttpServer;
struct LakeServices;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 4566;        // 0: pick a free port
  int io_threads = 2;     // epoll loops; handlers run inline on them
  size_t max_body_bytes = 16 * 1024 * 1024;
  // When both are set, every AWS JSON request must carry a valid SigV4 signature made with
  // them; otherwise any credentials are accepted (like DynamoDB Local and moto).
  std::string access_key_id;
  std::string secret_access_key;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  const Clock* clock = nullptr;          // default: SystemClock
  MetricsRegistry* metrics = nullptr;    // default: MetricsRegistry::Default()
  // When set (borrowed; outlives the server), the endpoint also serves the Glue Data Catalog's
  // read side (AWSGlue.*, src/lakeapi/glue_api.h) over this catalog; `lake_root` is the
  // absolute lake folder its tables live in.
  const catalog::Catalog* catalog = nullptr;
  std::string lake_root;
  // With `catalog` and a non-empty `results_dir`: also the Athena query API (AmazonAthena.*) and
  // POST /api/query, running SQL over the lake (sandboxed like `tributary query`) on
  // `query_workers` threads, never on the I/O threads. Athena output locations map to local
  // folders: s3://BUCKET/KEY/ -> <results_dir>/BUCKET/KEY/<QueryExecutionId>.csv.
  std::string results_dir;
  int query_workers = 2;
  size_t query_queue = 64;              // queued queries beyond the workers; more are refused
  int64_t athena_timeout_ms = 300000;   // an Athena query running longer fails ("Query timeout")
  lakeapi::SqlApiOptions sql_api;       // /api/query limits (rows, bytes, timeout)
  // With kinesis.store set (borrowed; outlives the server): the Kinesis Data Streams API
  // (Kinesis_20131202.*, src/streamapi/kinesis_api.h) over that embedded log. Its region,
  // account and clock are taken from the fields above.
  streamapi::KinesisOptions kinesis;
  // With firehose.backend set (borrowed; outlives the server): the Firehose API
  // (Firehose_20150804.*, src/streamapi/firehose_api.h) over the pipeline's deliveries.
  streamapi::FirehoseOptions firehose;
  // When set, GET /api/alerts answers with `alerts_api(query string)` -> (HTTP status, JSON body)
  // (alert::AlertsApiResponse); without it /api/alerts is 404.
  std::function<std::pair<int, std::string>(std::string_view query)> alerts_api;
  // When set, GET /api/status answers with what it returns (JSON; runtime/status_report.h).
  // Called on I/O threads: it must be thread-safe and outlive the server.
  std::function<std::string()> status_json;
};

class Server {
 public:
  // Builds the operation registry, binds and starts serving. `engine` is borrowed and must
  // outlive the server (Stop() it first).
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, table::TableEngine& engine);
  ~Server();  // Stop()s

  // Stops accepting, closes connections, waits for in-flight requests. Idempotent.
  void Stop();

  int port() const;
  std::string url() const;  // "http://127.0.0.1:4566"

 private:
  Server(std::unique_ptr<LakeServices> lake, std::unique_ptr<Endpoint> endpoint, std::unique_ptr<HttpServer> http);
  std::unique_ptr<LakeServices> lake_;  // destroyed after the HTTP server (declared first)
  std::unique_ptr<Endpoint> endpoint_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace tributary::server
