// The local endpoint for `up` and `demo`: where it listens (config `server.listen`, or
// `--listen HOST:PORT`), optional SigV4 credentials, and starting it over a running pipeline.
#pragma once

#include <memory>
#include <string>

#include "config/pipeline_config.h"
#include "core/status.h"
#include "server/server.h"

namespace tributary::runtime {
class Pipeline;
}

namespace tributary::cli {

struct EndpointArgs {
  std::string listen;             // "host:port" / "[v6]:port"; empty: the config's server.listen
  std::string access_key_id;      // both set: verify SigV4 with them
  std::string secret_access_key;
  int io_threads = 0;             // 0: the server's default
};

// "host:port" or "[v6]:port" -> (host, port).
Result<config::ServerConfig> ParseListenAddress(const std::string& text);

// Starts the endpoint after Pipeline::Start and prints "endpoint http://HOST:PORT". Returns
// null (after a warning on stderr) when the address from the config is busy, so two pipelines
// can run side by side; an explicit --listen that cannot bind is an error.
Result<std::unique_ptr<server::Server>> StartEndpoint(const config::PipelineConfig& config,
                                                      const EndpointArgs& args, runtime::Pipeline& pipeline,
                                                      std::string_view command);

}  // namespace tributary::cli
