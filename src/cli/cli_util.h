// Small helpers shared by the subcommands: config loading, error printing, number formatting.
#pragma once

#include <string>

#include "config/pipeline_config.h"
#include "core/status.h"

namespace tributary::cli {

// The file at `path`, or the built-in examples/sales-pipeline.yaml when empty.
Result<config::PipelineConfig> LoadConfigOrDefault(const std::string& path);
// "tributary <cmd>: <message>" on stderr; returns the exit code for the status (2 for
// InvalidArgument / NotFound of user input, 1 otherwise).
int ReportError(std::string_view command, const Status& status);
// 12345 -> "12,345".
std::string Thousands(int64_t n);
bool StdoutIsTty();

}  // namespace tributary::cli
