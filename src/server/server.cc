#include "server/server.h"

#include <optional>

#include "dynamodb/api.h"
#include "lakeapi/athena_api.h"
#include "lakeapi/glue_api.h"
#include "lakeapi/query_executor.h"
#include "query/query_engine.h"
#include "server/endpoint.h"
#include "server/http_server.h"
#include "streamapi/firehose_api.h"
#include "streamapi/kinesis_api.h"

namespace tributary::server {

// The SQL side of the endpoint: its own QueryEngine over the lake and the worker pool.
struct LakeServices {
  std::unique_ptr<query::QueryEngine> engine;
  std::unique_ptr<lakeapi::QueryExecutor> executor;
};

Server::Server(std::unique_ptr<LakeServices> lake, std::unique_ptr<Endpoint> endpoint,
               std::unique_ptr<HttpServer> http)
    : lake_(std::move(lake)), endpoint_(std::move(endpoint)), http_(std::move(http)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, table::TableEngine& engine) {
  if (options.access_key_id.empty() != options.secret_access_key.empty()) {
    return Status::InvalidArgument("server: give both an access key id and a secret access key, or neither");
  }
  dynamodb::ApiContext context;
  context.engine = &engine;
  context.clock = options.clock != nullptr ? options.clock : SystemClock::Default();
  context.region = options.region;
  context.account_id = options.account_id;
  std::optional<SigV4Credentials> credentials;
  if (!options.access_key_id.empty()) {
    credentials = SigV4Credentials{options.access_key_id, options.secret_access_key};
  }
  MetricsRegistry* metrics = options.metrics != nullptr ? options.metrics : MetricsRegistry::Default();
  dynamodb::OperationRegistry registry = dynamodb::BuildRegistry();
  if (options.catalog != nullptr) {
    lakeapi::GlueOptions glue;
    glue.catalog = options.catalog;
    glue.lake_root = options.lake_root;
    glue.account_id = options.account_id;
    lakeapi::RegisterGlue(registry, glue);
  }
  if (options.kinesis.store != nullptr) {
    streamapi::KinesisOptions kinesis = options.kinesis;
    kinesis.clock = context.clock;
    kinesis.region = options.region;
    kinesis.account_id = options.account_id;
    streamapi::RegisterKinesis(registry, kinesis);
  }
  if (options.firehose.backend != nullptr) {
    streamapi::FirehoseOptions firehose = options.firehose;
    firehose.clock = context.clock;
    firehose.region = options.region;
    firehose.account_id = options.account_id;
    streamapi::RegisterFirehose(registry, firehose);
  }
  std::unique_ptr<LakeServices> lake;
  if (options.catalog != nullptr && !options.results_dir.empty()) {
    lake = std::make_unique<LakeServices>();
    TRIB_ASSIGN_OR_RETURN(lake->engine, query::QueryEngine::Open(query::LakeQueryOptions(options.lake_root)));
    lakeapi::QueryExecutorOptions qopt;
    qopt.results_dir = options.results_dir;
    qopt.workers = options.query_workers;
    qopt.max_queued = options.query_queue;
    qopt.timeout_ms = options.athena_timeout_ms;
    qopt.clock = context.clock;
    lake->executor = std::make_unique<lakeapi::QueryExecutor>(lake->engine.get(), options.catalog, qopt);
    lakeapi::AthenaOptions athena;
    athena.executor = lake->executor.get();
    lakeapi::RegisterAthena(registry, athena);
  }
  auto endpoint = std::make_unique<Endpoint>(std::move(registry), std::move(context), std::move(credentials),
                                             metrics);
  if (lake != nullptr) {
    lakeapi::QueryExecutor* executor = lake->executor.get();
    const lakeapi::SqlApiOptions sql_options = options.sql_api;
    endpoint->SetSqlQueryHandler([executor, sql_options](std::string_view body) {
      lakeapi::SqlApiResponse r = lakeapi::HandleSqlQuery(*executor, sql_options, body);
      return std::make_pair(r.http_status, std::move(r.body));
    });
  }
  if (options.alerts_api) endpoint->SetAlertsHandler(options.alerts_api);
  if (options.status_json) endpoint->SetStatusHandler(options.status_json);
  HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.io_threads = options.io_threads;
  http_options.max_body_bytes = options.max_body_bytes;
  auto http = std::make_unique<HttpServer>(http_options, *endpoint);
  TRIB_RETURN_IF_ERROR(http->Start());
  return std::unique_ptr<Server>(new Server(std::move(lake), std::move(endpoint), std::move(http)));
}

void Server::Stop() {
  if (http_) http_->Stop();
  // Then interrupt running queries and join the query workers.
  if (lake_ != nullptr) lake_->executor.reset();
}

int Server::port() const { return http_->port(); }
std::string Server::url() const { return http_->url(); }

}  // namespace tributary::server
