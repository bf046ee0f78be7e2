#include "cli/cli_util.h"

#include <unistd.h>

#include <iostream>

namespace tributary::cli {

Result<config::PipelineConfig> LoadConfigOrDefault(const std::string& path) {
  if (path.empty()) return config::DefaultPipelineConfig();
  return config::LoadPipelineConfig(path);
}

int ReportError(std::string_view command, const Status& status) {
  std::cerr << "tributary " << command << ": " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? 2 : 1;
}

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count && count % 3 == 0) out.push_back(',');
    out.push_back(*it);
    ++count;
  }
  if (n < 0) out.push_back('-');
  return std::string(out.rbegin(), out.rend());
}

bool StdoutIsTty() { return ::isatty(1) == 1; }

}  // namespace tributary::cli
