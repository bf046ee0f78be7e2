#include "server/server.h"

#include <optional>

#include "dynamodb/api.h"
#include "lakeapi/glue_api.h"
#include "server/endpoint.h"
#include "server/http_server.h"

namespace tributary::server {

Server::Server(std::unique_ptr<Endpoint> endpoint, std::unique_ptr<HttpServer> http)
    : endpoint_(std::move(endpoint)), http_(std::move(http)) {}

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
  auto endpoint = std::make_unique<Endpoint>(std::move(registry), std::move(context), std::move(credentials),
                                             metrics);
  HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.io_threads = options.io_threads;
  http_options.max_body_bytes = options.max_body_bytes;
  auto http = std::make_unique<HttpServer>(http_options, *endpoint);
  TRIB_RETURN_IF_ERROR(http->Start());
  return std::unique_ptr<Server>(new Server(std::move(endpoint), std::move(http)));
}

void Server::Stop() {
  if (http_) http_->Stop();
}

int Server::port() const { return http_->port(); }
std::string Server::url() const { return http_->url(); }

}  // namespace tributary::server
