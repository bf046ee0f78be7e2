// DataDirLayout: where each stage keeps its state inside a data directory, resolved from a
// pipeline config, and recorded in DIR/layout.json so that `query` and `status` find the same
// catalog and lake without being given the config.
//
//   DIR/table/  DIR/stream/  DIR/catalog.db (config catalog.path)  DIR/lake/ (destination.path)
//   DIR/status.json (written by the running process)  DIR/layout.json
//
// Thread-safety: a value type.
#pragma once

#include <string>

#include "config/pipeline_config.h"
#include "core/status.h"

namespace tributary::runtime {

struct DataDirLayout {
  std::string data_dir;      // absolute
  std::string table_dir;
  std::string stream_dir;
  std::string catalog_path;
  std::string lake_root;
  std::string status_path;
  std::string layout_path;

  // Resolves the config's relative paths against `data_dir`. All deliveries must share one
  // destination directory, and the lake must not contain the catalog or the other stores
  // (SQL may read anything inside the lake).
  static Result<DataDirLayout> ForConfig(const std::string& data_dir, const config::PipelineConfig& config);
  // From DIR/layout.json; NotFound when DIR was never used by a pipeline.
  static Result<DataDirLayout> Load(const std::string& data_dir);
  // Creates the directories and writes layout.json.
  Status Create() const;
};

// Writes `contents` to `path` through a temporary file and rename.
Status WriteFileAtomically(const std::string& path, const std::string& contents);
Result<std::string> ReadFile(const std::string& path);

}  // namespace tributary::runtime
