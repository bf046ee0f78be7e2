#include "cli/endpoint.h"

#include <charconv>
#include <cstdlib>
#include <iostream>

#include "alert/alert_engine.h"
#include "runtime/pipeline.h"
#include "runtime/status_report.h"
#include "streamapi/firehose_api.h"

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

namespace {

// A non-negative integer from the environment, or `fallback` when unset.
Result<int64_t> EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  int64_t v = -1;
  const std::string_view text(value);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
    return Status::InvalidArgument(std::string(name) + " must be a non-negative integer, got '" + value + "'");
  }
  return v;
}

// The Kinesis API over the pipeline's log. The streams the configuration names cannot be deleted
// through it; TRIBUTARY_KINESIS_ITERATOR_TTL_MS and TRIBUTARY_KINESIS_SHARD_RECORDS_PER_SECOND
// override the iterator lifetime (5 min) and add a per-shard write limit (docs/kinesis-firehose-api.md).
Status ConfigureKinesis(const config::PipelineConfig& config, runtime::Pipeline& pipeline,
                        streamapi::KinesisOptions* out) {
  out->store = &pipeline.streams();
  for (const auto& s : config.streams) out->protected_streams.insert(s.name);
  for (const auto& p : config.pipes) out->protected_streams.insert(p.target.name);
  for (const auto& d : config.deliveries) out->protected_streams.insert(d.source.name);
  // Streams that Firehose delivery streams created through the API read (their own DirectPut
  // buffers included) stay while those exist.
  if (streamapi::FirehoseBackend* firehose = pipeline.firehose()) {
    out->stream_in_use = [firehose](std::string_view name) {
      for (const auto& d : firehose->ListDeliveryStreams()) {
        if (d.source_stream == name || "_firehose." + d.name == name) return true;
      }
      return false;
    };
  }
  TRIB_ASSIGN_OR_RETURN(out->iterator_ttl_ms, EnvInt("TRIBUTARY_KINESIS_ITERATOR_TTL_MS", 300000));
  TRIB_ASSIGN_OR_RETURN(out->shard_records_per_second, EnvInt("TRIBUTARY_KINESIS_SHARD_RECORDS_PER_SECOND", 0));
  return Status::Ok();
}

}  // namespace

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
  TRIB_RETURN_IF_ERROR(ConfigureKinesis(config, pipeline, &options.kinesis));
  options.firehose.backend = pipeline.firehose();
  TRIB_ASSIGN_OR_RETURN(options.firehose.records_per_second, EnvInt("TRIBUTARY_FIREHOSE_RECORDS_PER_SECOND", 0));
  if (alert::AlertEngine* alerts = pipeline.alerts()) {
    options.alerts_api = [alerts](std::string_view query) { return alert::AlertsApiResponse(*alerts, query); };
  }
  runtime::Pipeline* live = &pipeline;  // outlives the server: callers Stop() it first
  options.status_json = [live] {
    return runtime::StatusReportJson(live->data_dir(), true, live->Snapshot().ToJson(), live->catalog());
  };
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
            << "dashboard " << (*server)->url() << "/\n"
            << std::flush;
  return server;
}

}  // namespace tributary::cli
