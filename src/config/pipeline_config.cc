#include "config/pipeline_config.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/diagnostics.h"
#include "config/yaml_reader.h"

namespace tributary::config {

std::string Location::ToString() const {
  if (!known()) return file.empty() ? "<config>" : file;
  return (file.empty() ? "<config>" : file) + ":" + std::to_string(line) + ":" +
         std::to_string(column);
}

Status ConfigError(const Location& at, std::string_view what) {
  std::string message = at.ToString();
  message += ": ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

const Location& Located::at(std::string_view key) const {
  auto it = fields.find(key);
  return it == fields.end() ? location : it->second;
}

std::string_view ResourceKindName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kTable:
      return "table";
    case ResourceKind::kStream:
      return "stream";
  }
  return "?";
}

std::string_view StreamTypeName(StreamType type) {
  return type == StreamType::kKinesis ? "kinesis" : "embedded";
}

std::string ResourceRef::ToString() const {
  return std::string(ResourceKindName(kind)) + ":" + name;
}

std::string_view DefaultPrefixName(DefaultPrefix p) {
  return p == DefaultPrefix::kHive ? "hive" : "firehose";
}

std::string_view PartitionLimitActionName(PartitionLimitAction a) {
  return a == PartitionLimitAction::kFlush ? "flush" : "error";
}

std::string_view PartitioningName(Partitioning p) {
  switch (p) {
    case Partitioning::kEventTime:
      return "event-time";
    case Partitioning::kArrivalTime:
      return "arrival-time";
    case Partitioning::kNone:
      return "none";
  }
  return "?";
}

std::string_view FileFormatTypeName(FileFormatType type) {
  return type == FileFormatType::kParquet ? "parquet" : "json";
}

std::string_view FileCompressionName(FileCompression c) {
  switch (c) {
    case FileCompression::kNone:
      return "none";
    case FileCompression::kGzip:
      return "gzip";
    case FileCompression::kZstd:
      return "zstd";
    case FileCompression::kSnappy:
      return "snappy";
  }
  return "?";
}

std::string_view DestinationTypeName(DestinationType type) {
  switch (type) {
    case DestinationType::kLocal:
      return "local";
    case DestinationType::kS3:
      return "s3";
  }
  return "?";
}

std::string_view AlertActionTypeName(AlertActionType type) {
  switch (type) {
    case AlertActionType::kWebhook:
      return "webhook";
    case AlertActionType::kSns:
      return "sns";
    case AlertActionType::kLog:
      return "log";
    case AlertActionType::kDashboard:
      return "dashboard";
  }
  return "?";
}

std::string_view CatalogTypeName(CatalogType type) {
  switch (type) {
    case CatalogType::kSqlite:
      return "sqlite";
  }
  return "?";
}

namespace {

template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

}  // namespace

std::string_view StartingPositionName(StartingPosition p) {
  return p == StartingPosition::kLatest ? "LATEST" : "TRIM_HORIZON";
}

const TableConfig* PipelineConfig::FindTable(std::string_view name) const {
  return FindByName(tables, name);
}
const StreamConfig* PipelineConfig::FindStream(std::string_view name) const {
  return FindByName(streams, name);
}
const PipeConfig* PipelineConfig::FindPipe(std::string_view name) const {
  return FindByName(pipes, name);
}
const DeliveryConfig* PipelineConfig::FindDelivery(std::string_view name) const {
  return FindByName(deliveries, name);
}

Result<PipelineConfig> ParsePipelineConfig(std::string_view yaml_text, std::string_view file_name) {
  internal::Diagnostics diag;
  PipelineConfig config;
  internal::ReadPipelineYaml(yaml_text, file_name, diag, &config);
  TRIB_RETURN_IF_ERROR(diag.ToStatus());
  TRIB_RETURN_IF_ERROR(ValidatePipelineConfig(config));
  return config;
}

Result<PipelineConfig> LoadPipelineConfig(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument("cannot read config '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    std::string message = "cannot read config '" + path + "': " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(std::move(message));
    return Status::InvalidArgument(std::move(message));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Internal("cannot read config '" + path + "': read failed");
  return ParsePipelineConfig(text.str(), path);
}

Result<PipelineConfig> DefaultPipelineConfig() {
  return ParsePipelineConfig(DefaultPipelineYaml(), kDefaultPipelineFileName);
}

std::string AwsConfig::EndpointFor(std::string_view service_id) const {
  auto it = endpoints.urls.find(service_id);
  return it == endpoints.urls.end() ? std::string() : it->second;
}

}  // namespace tributary::config
