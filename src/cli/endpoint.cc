#include "cli/endpoint.h"

#include <charconv>
#include <iostream>

#include "runtime/pipeline.h"

namespace tributary::cli {

Result<config::ServerConfig> ParseListenAddress(const std::string& text) {
  const size_t colon = text.rfind(':');
  config::ServerConfig out;
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int value = -1;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 0 ||
      value > 65535) {
    return Status::InvalidArgument("--listen must be HOST:PORT (like 127.0.0.1:4566, [::1]:0), got '" + text + "'");
  }
  out.host = std::move(host);
  out.port = value;
  return out;
}

Result<std::unique_ptr<server::Server>> StartEndpoint(const config::PipelineConfig& config,
                                                      const EndpointArgs& args, runtime::Pipeline& pipeline,
                                                      std::string_view command) {
  config::ServerConfig listen = config.server;
  if (!args.listen.empty()) {
    TRIB_ASSIGN_OR_RETURN(listen, ParseListenAddress(args.listen));
  }
  if (args.access_key_id.empty() != args.secret_access_key.empty()) {
    return Status::InvalidArgument("give both --access-key-id and --secret-access-key, or neither");
  }
  server::ServerOptions options;
  options.host = listen.host;
  options.port = listen.port;
  if (args.io_threads > 0) options.io_threads = args.io_threads;
  options.access_key_id = args.access_key_id;
  options.secret_access_key = args.secret_access_key;
  options.region = config.region;
  options.account_id = config.account_id;
  options.catalog = &pipeline.catalog();
  options.lake_root = pipeline.lake_root();
  options.results_dir = pipeline.data_dir() + "/s3";  // Athena: s3://BUCKET/KEY -> DIR/s3/BUCKET/KEY
  auto server = server::Server::Start(options, pipeline.tables());
  if (!server.ok()) {
    if (args.listen.empty() && server.status().code() == StatusCode::kUnavailable) {
      std::cerr << "tributary " << command << ": warning: " << server.status().message()
                << "; running without the endpoint (pick another address with --listen HOST:PORT, port 0 = any)\n";
      return std::unique_ptr<server::Server>();
    }
    return server.status();
  }
  std::cout << "endpoint " << (*server)->url()
            << (args.access_key_id.empty() ? " (any credentials)" : " (SigV4 verified)") << "\n"
            << std::flush;
  return server;
}

}  // namespace tributary::cli
