#include "query/parquet_export.h"

#include <filesystem>
#include <utility>
#include <vector>

#include "query/duckdb_api.h"
#include "query/duckdb_handles.h"
#include "query/sql_text.h"

namespace tributary::query {
namespace {

namespace fs = std::filesystem;

constexpr size_t kRowsPerInsert = 500;

class Writer {
 public:
  Status Open(const std::string& directory, bool one_thread = true) {
    duckdb::Config config;
    if (duckdb_create_config(config.out()) != DuckDBSuccess) {
      return Status::Internal("duckdb_create_config failed");
    }
    const std::pair<const char*, const char*> settings[] = {
        {"autoinstall_known_extensions", "false"}, {"autoload_known_extensions", "false"},
        {"allow_community_extensions", "false"},   {"allow_unsigned_extensions", "false"},
    };
    for (const auto& [name, value] : settings) {
      if (duckdb_set_config(config.get(), name, value) != DuckDBSuccess) {
        return Status::Internal(std::string("bad DuckDB setting ") + name);
      }
    }
    if (one_thread && duckdb_set_config(config.get(), "threads", "1") != DuckDBSuccess) {
      return Status::Internal("bad DuckDB setting threads");
    }
    char* error = nullptr;
    if (duckdb_open_ext(nullptr, db_.out(), config.get(), &error) != DuckDBSuccess) {
      std::string message = error != nullptr ? error : "unknown error";
      if (error != nullptr) duckdb_free(error);
      db_.Reset();
      return Status::Internal("cannot open DuckDB: " + message);
    }
    if (duckdb_connect(db_.get(), connection_.out()) != DuckDBSuccess) {
      return Status::Internal("cannot connect to DuckDB");
    }
    TRIB_RETURN_IF_ERROR(Run("SET allowed_directories = [" + QuoteStringLiteral(directory + "/") +
                             "]"));
    TRIB_RETURN_IF_ERROR(Run("SET enable_external_access = false"));
    return Run("SET lock_configuration = true");
  }

  Status Run(const std::string& sql) {
    duckdb::QueryResultHandle result;
    if (duckdb_query(connection_.get(), sql.c_str(), result.out()) != DuckDBSuccess) {
      return Status::InvalidArgument(result.error());
    }
    return Status::Ok();
  }

  // True when DuckDB can parse `type` as a type name.
  bool KnowsType(const std::string& type) {
    duckdb::PreparedStatement prepared;
    return duckdb_prepare(connection_.get(), ("SELECT CAST(NULL AS " + type + ")").c_str(),
                          prepared.out()) == DuckDBSuccess;
  }

 private:
  duckdb::Database db_;
  duckdb::Connection connection_;
};

}  // namespace

Status WriteParquet(const QueryResult& result, const std::string& path) {
  const fs::path target = fs::path(path).lexically_normal();
  if (!target.is_absolute() || !target.has_filename()) {
    return Status::InvalidArgument("parquet output: '" + path + "' is not an absolute file path");
  }
  std::error_code ec;
  if (!fs::is_directory(target.parent_path(), ec)) {
    return Status::InvalidArgument("parquet output: directory " + target.parent_path().string() +
                                   " does not exist");
  }
  if (result.column_names.empty()) {
    return Status::InvalidArgument("parquet output: the result has no columns");
  }
  std::string directory = target.parent_path().string();
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();

  Writer writer;
  TRIB_RETURN_IF_ERROR(writer.Open(directory));
  std::vector<std::string> types;
  std::string create = "CREATE TABLE result (";
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    std::string type = c < result.column_types.size() ? result.column_types[c] : "VARCHAR";
    if (!writer.KnowsType(type)) type = "VARCHAR";
    types.push_back(type);
    if (c > 0) create += ", ";
    // Duplicate result names (SELECT 1, 1) get a position suffix; Parquet needs unique names.
    std::string name = result.column_names[c];
    for (size_t p = 0; p < c; ++p) {
      if (result.column_names[p] == result.column_names[c]) {
        name += "_" + std::to_string(c + 1);
        break;
      }
    }
    create += QuoteIdentifier(name) + " " + type;
  }
  create += ")";
  TRIB_RETURN_IF_ERROR(writer.Run(create).WithContext("parquet output"));

  for (size_t start = 0; start < result.rows.size(); start += kRowsPerInsert) {
    std::string insert = "INSERT INTO result VALUES ";
    const size_t end = std::min(result.rows.size(), start + kRowsPerInsert);
    for (size_t r = start; r < end; ++r) {
      if (r > start) insert += ", ";
      insert += "(";
      for (size_t c = 0; c < types.size(); ++c) {
        if (c > 0) insert += ", ";
        const auto& value = c < result.rows[r].size() ? result.rows[r][c] : std::nullopt;
        if (!value.has_value()) {
          insert += "NULL";
        } else {
          insert += "CAST(" + QuoteStringLiteral(*value) + " AS " + types[c] + ")";
        }
      }
      insert += ")";
    }
    TRIB_RETURN_IF_ERROR(writer.Run(insert).WithContext("parquet output"));
  }
  return writer
      .Run("COPY result TO " + QuoteStringLiteral(target.string()) + " (FORMAT parquet)")
      .WithContext("parquet output");
}

Status RunTrustedStatements(const std::string& directory,
                            const std::vector<std::string>& statements) {
  std::string root = fs::path(directory).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (!fs::path(root).is_absolute() || root == "/") {
    return Status::InvalidArgument("trusted DuckDB: '" + directory + "' is not a directory to confine to");
  }
  Writer writer;
  TRIB_RETURN_IF_ERROR(writer.Open(root, /*one_thread=*/false));
  for (const std::string& sql : statements) TRIB_RETURN_IF_ERROR(writer.Run(sql));
  return Status::Ok();
}

}  // namespace tributary::query
