#include "bench_results.h"

#include <rocksdb/version.h>
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <mutex>
#include <vector>

#include "query/query_engine.h"

namespace tributary::bench {
namespace {

struct Figure {
  std::string scenario, name, unit;
  double value = 0;
};

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
std::vector<Figure>& Figures() {
  static std::vector<Figure> figures;
  return figures;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

}  // namespace

void Record(const std::string& scenario, const std::string& name, double value, const std::string& unit) {
  std::lock_guard<std::mutex> lock(Mu());
  Figures().push_back(Figure{scenario, name, unit, value});
}

std::string ResultsJson(const std::string& environment_header, bool smoke) {
  std::string out = "{\n  \"environment\": {";
  // "Key:   value" lines -> members.
  bool first = true;
  size_t pos = 0;
  while (pos < environment_header.size()) {
    size_t end = environment_header.find('\n', pos);
    if (end == std::string::npos) end = environment_header.size();
    std::string line = environment_header.substr(pos, end - pos);
    pos = end + 1;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t v = line.find_first_not_of(' ', colon + 1);
    out += first ? "\n    " : ",\n    ";
    first = false;
    out += JsonString(line.substr(0, colon)) + ": " + JsonString(v == std::string::npos ? "" : line.substr(v));
  }
  out += "\n  },\n  \"smoke\": ";
  out += smoke ? "true" : "false";
  out += ",\n  \"results\": [";
  std::lock_guard<std::mutex> lock(Mu());
  for (size_t i = 0; i < Figures().size(); ++i) {
    const Figure& f = Figures()[i];
    out += i == 0 ? "\n    " : ",\n    ";
    out += "{\"scenario\": " + JsonString(f.scenario) + ", \"name\": " + JsonString(f.name) +
           ", \"value\": " + JsonNumber(f.value) + ", \"unit\": " + JsonString(f.unit) + "}";
  }
  out += "\n  ]\n}\n";
  return out;
}

std::string ResultsTable() {
  std::lock_guard<std::mutex> lock(Mu());
  std::string out = "== summary\n";
  char buf[256];
  std::snprintf(buf, sizeof(buf), "   %-12s %-34s %16s  %s\n", "scenario", "figure", "value", "unit");
  out += buf;
  for (const Figure& f : Figures()) {
    std::snprintf(buf, sizeof(buf), "   %-12s %-34s %16.6g  %s\n", f.scenario.c_str(), f.name.c_str(), f.value,
                  f.unit.c_str());
    out += buf;
  }
  return out;
}

std::string VersionsHeader() {
  std::string out;
  out += "DuckDB:     " + query::QueryEngine::DuckDbVersion() + "\n";
  out += "RocksDB:    " + std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) + "." +
         std::to_string(ROCKSDB_PATCH) + "\n";
  out += std::string("SQLite:     ") + sqlite3_libversion() + "\n";
#if defined(__clang__)
  out += std::string("Compiler:   clang ") + __clang_version__ + "\n";
#elif defined(__GNUC__)
  out += std::string("Compiler:   g++ ") + __VERSION__ + "\n";
#endif
#ifdef TRIBUTARY_BUILD_TYPE
  out += std::string("Build type: ") + TRIBUTARY_BUILD_TYPE + "\n";
#endif
  return out;
}

}  // namespace tributary::bench
