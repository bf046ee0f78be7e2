#include "query/file_schema_reader.h"

#include <optional>
#include <utility>
#include <vector>

#include "query/duckdb_api.h"
#include "query/duckdb_handles.h"
#include "query/sql_text.h"

namespace tributary::query {
namespace {

using catalog::ColumnType;
using catalog::CrawlFormat;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The catalog type of a DuckDB type name; `text` is set for types whose values are checked for
// timestamps (VARCHAR, and for JSON/CSV the TIMESTAMP/DATE guesses of DuckDB's sniffer).
ColumnType MapType(const std::string& type, CrawlFormat format, bool* text) {
  *text = false;
  if (type == "BIGINT" || type == "INTEGER" || type == "SMALLINT" || type == "TINYINT" ||
      type == "UINTEGER" || type == "USMALLINT" || type == "UTINYINT") {
    return ColumnType::kBigint;
  }
  if (type == "UBIGINT" || type == "HUGEINT" || type == "UHUGEINT" || type == "FLOAT" ||
      type == "DOUBLE" || StartsWith(type, "DECIMAL")) {
    return ColumnType::kDouble;
  }
  if (type == "BOOLEAN") return ColumnType::kBoolean;
  if (StartsWith(type, "STRUCT") || StartsWith(type, "MAP") || type == "JSON" ||
      (!type.empty() && type.back() == ']')) {
    return ColumnType::kJson;
  }
  const bool time_like = StartsWith(type, "TIMESTAMP") || type == "DATE";
  if (format == CrawlFormat::kParquet && StartsWith(type, "TIMESTAMP")) return ColumnType::kTimestamp;
  if (type == "VARCHAR" || (time_like && format != CrawlFormat::kParquet)) *text = true;
  return ColumnType::kString;
}

}  // namespace

struct DuckDbFileSchemaReader::Handles {
  duckdb::Database db;
  duckdb::Connection connection;

  Result<Rows> Query(const std::string& sql) {
    duckdb::QueryResultHandle result;
    if (duckdb_query(connection.get(), sql.c_str(), result.out()) != DuckDBSuccess) {
      return Status::InvalidArgument(result.error());
    }
    Rows rows;
    const idx_t columns = duckdb_column_count(result.get());
    const idx_t n = duckdb_row_count(result.get());
    for (idx_t r = 0; r < n; ++r) {
      auto& row = rows.emplace_back();
      for (idx_t c = 0; c < columns; ++c) {
        if (duckdb_value_is_null(result.get(), c, r)) {
          row.emplace_back(std::nullopt);
          continue;
        }
        char* text = duckdb_value_varchar(result.get(), c, r);
        if (text == nullptr) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(duckdb::TakeString(text));
        }
      }
    }
    return rows;
  }
};

DuckDbFileSchemaReader::DuckDbFileSchemaReader(std::unique_ptr<Handles> handles)
    : handles_(std::move(handles)) {}
DuckDbFileSchemaReader::~DuckDbFileSchemaReader() = default;

Result<std::unique_ptr<DuckDbFileSchemaReader>> DuckDbFileSchemaReader::Open(
    const std::string& directory) {
  if (directory.empty() || directory.front() != '/') {
    return Status::InvalidArgument("file schema reader: '" + directory + "' is not absolute");
  }
  auto handles = std::make_unique<Handles>();
  duckdb::Config config;
  if (duckdb_create_config(config.out()) != DuckDBSuccess) {
    return Status::Internal("duckdb_create_config failed");
  }
  const std::pair<const char*, const char*> settings[] = {
      {"autoinstall_known_extensions", "false"}, {"autoload_known_extensions", "false"},
      {"allow_community_extensions", "false"},   {"allow_unsigned_extensions", "false"},
      {"allow_persistent_secrets", "false"},
  };
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config.get(), name, value) != DuckDBSuccess) {
      return Status::Internal(std::string("bad DuckDB setting ") + name);
    }
  }
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, handles->db.out(), config.get(), &error) != DuckDBSuccess) {
    std::string message = error != nullptr ? error : "unknown error";
    if (error != nullptr) duckdb_free(error);
    handles->db.Reset();
    return Status::Internal("cannot open DuckDB: " + message);
  }
  if (duckdb_connect(handles->db.get(), handles->connection.out()) != DuckDBSuccess) {
    return Status::Internal("cannot connect to DuckDB");
  }
  std::string dir = directory;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  for (const std::string& sql :
       {"SET allowed_directories = [" + QuoteStringLiteral(dir + "/") + "]",
        std::string("SET enable_external_access = false"), std::string("SET TimeZone = 'UTC'"),
        std::string("SET lock_configuration = true")}) {
    TRIB_RETURN_IF_ERROR(handles->Query(sql).status());
  }
  return std::unique_ptr<DuckDbFileSchemaReader>(new DuckDbFileSchemaReader(std::move(handles)));
}

Result<catalog::FileSchema> DuckDbFileSchemaReader::Read(const std::string& path,
                                                         CrawlFormat format, bool gzip) {
  const std::string file = QuoteStringLiteral(path);
  const std::string compression = gzip ? "'gzip'" : "'uncompressed'";
  // The table function reading the file; `text_types` overrides the listed columns' types.
  auto source = [&](const std::string& text_types) {
    switch (format) {
      case CrawlFormat::kJson:
        return "read_json(" + file + ", format='newline_delimited', hive_partitioning=false, sample_size=-1, compression=" +
               compression + text_types + ")";
      case CrawlFormat::kCsv:
        return "read_csv(" + file + ", header=true, hive_partitioning=false, sample_size=-1, compression=" + compression +
               text_types + ")";
      case CrawlFormat::kParquet:
        return "read_parquet(" + file + ", hive_partitioning=false)";
    }
    return std::string();
  };

  TRIB_ASSIGN_OR_RETURN(Rows described, handles_->Query("DESCRIBE SELECT * FROM " + source("")));
  catalog::FileSchema schema;
  std::vector<size_t> text;  // indexes into schema.columns
  std::vector<std::string> duck_types;
  for (const auto& row : described) {
    if (row.size() < 2 || !row[0] || !row[1]) continue;
    bool is_text = false;
    ColumnType type = MapType(*row[1], format, &is_text);
    if (is_text) text.push_back(schema.columns.size());
    schema.columns.push_back(catalog::Column{*row[0], type});
    duck_types.push_back(*row[1]);
  }
  if (schema.columns.empty()) return Status::InvalidArgument("no columns");

  // Re-read the text candidates as VARCHAR and test every value.
  std::string overrides;
  if (!text.empty() && format != CrawlFormat::kParquet) {
    std::vector<bool> is_text(schema.columns.size(), false);
    for (size_t i : text) is_text[i] = true;
    overrides = format == CrawlFormat::kJson ? ", columns={" : ", types={";
    bool first = true;
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      if (format == CrawlFormat::kCsv && !is_text[i]) continue;
      if (!first) overrides += ", ";
      first = false;
      overrides += QuoteStringLiteral(schema.columns[i].name) + ": " +
                   QuoteStringLiteral(is_text[i] ? "VARCHAR" : duck_types[i]);
    }
    overrides += "}";
  }
  std::string sql = "SELECT count(*)";
  for (size_t i : text) {
    const std::string c = QuoteIdentifier(schema.columns[i].name);
    sql += ", count(" + c + "), count(*) FILTER (WHERE length(" + c + ") >= 16 AND TRY_CAST(" + c +
           " AS TIMESTAMP) IS NOT NULL AND (NOT regexp_matches(" + c +
           ", '[+-][0-9][0-9]:?[0-9][0-9]$') OR regexp_matches(" + c + ", '[+-]00:?00$')))";
  }
  sql += " FROM " + source(overrides);
  TRIB_ASSIGN_OR_RETURN(Rows counts, handles_->Query(sql));
  if (counts.size() != 1 || !counts[0][0]) return Status::Internal("no row count");
  schema.rows = std::stoll(*counts[0][0]);
  for (size_t k = 0; k < text.size(); ++k) {
    const int64_t values = std::stoll(counts[0][1 + 2 * k].value_or("0"));
    const int64_t timestamps = std::stoll(counts[0][2 + 2 * k].value_or("0"));
    if (values > 0 && values == timestamps) schema.columns[text[k]].type = ColumnType::kTimestamp;
  }
  return schema;
}

}  // namespace tributary::query
