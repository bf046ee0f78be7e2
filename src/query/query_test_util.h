// Test helpers for src/query: JSON-lines files in Hive folders and the seed table's rows.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/clock.h"
#include "query/query_engine.h"
#include "query/table_view.h"

namespace tributary::query::testing {

inline constexpr char kSeedTable[] = "p1_kinesis_firehose_destination";

inline QueryEngineOptions LakeOptions(const std::string& lake_root) {
  QueryEngineOptions options;
  options.lake_root = lake_root;
  return options;
}

// "<table>/year=YYYY/month=MM/day=DD/hour=HH/<name>" for the UTC hour holding epoch_ms.
inline std::string HivePath(const std::string& table, int64_t epoch_ms, const std::string& name) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "year=%04d/month=%02d/day=%02d/hour=%02d/", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
  return table + "/" + buf + name;
}

// Writes `lines` (one JSON object each) to root/relative, creating folders; returns the path.
inline std::string WriteLines(const std::filesystem::path& root, const std::string& relative,
                              const std::vector<std::string>& lines) {
  const std::filesystem::path path = root / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const std::string& line : lines) out << line << '\n';
  return path.lexically_normal().string();
}

// One row of the seed's flattened CDC table.
inline std::string SeedRow(const std::string& id, const std::string& event_type, int64_t epoch_ms,
                           double price) {
  return "{\"id\":\"" + id + "\",\"cdc_event_type\":\"" + event_type +
         "\",\"creation_datetime\":\"" + FormatUtcMillis(epoch_ms) +
         "\",\"price\":" + std::to_string(price) + ",\"event_id\":\"ev-" + id + "\"}";
}

inline std::vector<catalog::Column> SeedColumns() {
  using catalog::ColumnType;
  return {{"id", ColumnType::kString},
          {"cdc_event_type", ColumnType::kString},
          {"creation_datetime", ColumnType::kTimestamp},
          {"price", ColumnType::kDouble},
          {"event_id", ColumnType::kString}};
}

inline TableView SeedView(std::vector<std::string> files) {
  return TableView{kSeedTable, SeedColumns(), {"year", "month", "day", "hour"}, std::move(files)};
}

}  // namespace tributary::query::testing
