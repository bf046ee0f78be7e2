#include "query/table_view.h"

#include <algorithm>
#include <cctype>

#include "query/sql_text.h"

namespace tributary::query {
namespace {

// DuckDB resolves identifiers case-insensitively.
bool SameIdentifier(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsPartitionKey(const TableView& view, std::string_view column) {
  return std::any_of(view.partition_keys.begin(), view.partition_keys.end(),
                     [&](const std::string& key) { return SameIdentifier(key, column); });
}

// A table of CSV files with a header row (the crawler's): read by header name, every value as
// text, UNION ALL BY NAME a typed empty row (so every catalog column exists), then cast to the
// catalog's types. The dialect (delimiter, quoting) is sniffed per file.
std::string CsvViewSql(const TableView& view, const std::vector<const catalog::Column*>& columns,
                       std::string sql) {
  std::string typed_empty = "SELECT ";
  bool first = true;
  for (const catalog::Column* column : columns) {
    if (!first) {
      sql += ", ";
      typed_empty += ", ";
    }
    first = false;
    const std::string name = QuoteIdentifier(column->name);
    const std::string type(DuckDbTypeName(column->type));
    sql += "CAST(" + name + " AS " + type + ") AS " + name;
    typed_empty += "CAST(NULL AS VARCHAR) AS " + name;
  }
  for (const std::string& key : view.partition_keys) {
    sql += ", " + QuoteIdentifier(key);
    typed_empty += ", CAST(NULL AS VARCHAR) AS " + QuoteIdentifier(key);
  }
  sql += " FROM (" + typed_empty + " WHERE false UNION ALL BY NAME SELECT * FROM read_csv([";
  for (size_t i = 0; i < view.files.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteStringLiteral(view.files[i]);
  }
  sql += "], header=true, all_varchar=true, union_by_name=true";
  sql += view.partition_keys.empty() ? ", hive_partitioning=false"
                                     : ", hive_partitioning=true, hive_types_autocast=false";
  return sql + "))";
}

}  // namespace

bool IsParquetFile(std::string_view path) { return path.ends_with(".parquet"); }

bool IsCsvFile(std::string_view path) {
  return path.ends_with(".csv") || path.ends_with(".csv.gz");
}

std::string_view DuckDbTypeName(catalog::ColumnType type) {
  switch (type) {
    case catalog::ColumnType::kString:
      return "VARCHAR";
    case catalog::ColumnType::kBigint:
      return "BIGINT";
    case catalog::ColumnType::kDouble:
      return "DOUBLE";
    case catalog::ColumnType::kBoolean:
      return "BOOLEAN";
    case catalog::ColumnType::kTimestamp:
      return "TIMESTAMP";
    case catalog::ColumnType::kJson:
      return "JSON";
  }
  return "VARCHAR";
}

std::string CreateViewSql(const TableView& view) {
  std::vector<const catalog::Column*> data_columns;
  for (const catalog::Column& column : view.columns) {
    if (!IsPartitionKey(view, column.name)) data_columns.push_back(&column);
  }

  std::string sql = "CREATE OR REPLACE VIEW " + QuoteIdentifier(view.name) + " AS SELECT ";
  if (view.files.empty() || data_columns.empty()) {
    // Typed and empty: SELECT CAST(NULL AS T) AS c, ... WHERE false.
    bool first = true;
    auto add = [&](std::string_view name, std::string_view type) {
      if (!first) sql += ", ";
      first = false;
      sql += "CAST(NULL AS ";
      sql += type;
      sql += ") AS " + QuoteIdentifier(name);
    };
    for (const catalog::Column* column : data_columns) {
      add(column->name, DuckDbTypeName(column->type));
    }
    for (const std::string& key : view.partition_keys) add(key, "VARCHAR");
    sql += " WHERE false";
    return sql;
  }
  if (std::all_of(view.files.begin(), view.files.end(), [](const std::string& f) { return IsCsvFile(f); })) {
    return CsvViewSql(view, data_columns, std::move(sql));
  }

  if (!(!view.partition_keys.empty() &&
        view.file_partition_values.size() == view.files.size())) {
    // Hive folders: JSON lines and Parquet files, each read by its extension.
    std::vector<const std::string*> json_files;
    std::vector<const std::string*> parquet_files;
    for (const std::string& file : view.files) {
      (IsParquetFile(file) ? parquet_files : json_files).push_back(&file);
    }
    const std::string hive = view.partition_keys.empty()
                                 ? ", hive_partitioning=false"
                                 : ", hive_partitioning=true, hive_types_autocast=false";
    auto file_list = [](const std::vector<const std::string*>& files) {
      std::string list = "[";
      for (size_t i = 0; i < files.size(); ++i) {
        if (i > 0) list += ", ";
        list += QuoteStringLiteral(*files[i]);
      }
      return list + "]";
    };

    bool first_branch = true;
    if (!json_files.empty()) {
      first_branch = false;
      bool first = true;
      auto add = [&](std::string_view name) {
        if (!first) sql += ", ";
        first = false;
        sql += QuoteIdentifier(name);
      };
      for (const catalog::Column* column : data_columns) add(column->name);
      for (const std::string& key : view.partition_keys) add(key);
      // Compression (none, .gz, .zst) is detected per file from its extension.
      sql += " FROM read_json(" + file_list(json_files) + ", columns={";
      for (size_t i = 0; i < data_columns.size(); ++i) {
        if (i > 0) sql += ", ";
        sql += QuoteStringLiteral(data_columns[i]->name);
        sql += ": ";
        sql += QuoteStringLiteral(DuckDbTypeName(data_columns[i]->type));
      }
      sql += "}, format='newline_delimited', records=true" + hive + ")";
    }
    if (!parquet_files.empty()) {
      if (!first_branch) sql += " UNION ALL SELECT ";
      // Each file carries the schema of its commit: older files may lack later columns or hold
      // a narrower type. A typed empty row UNION ALL BY NAME the files gives every catalog column
      // (NULL where a file lacks it); the casts then apply the catalog's current types.
      std::string typed_empty = "SELECT ";
      bool first = true;
      for (const catalog::Column* column : data_columns) {
        if (!first) {
          sql += ", ";
          typed_empty += ", ";
        }
        first = false;
        const std::string name = QuoteIdentifier(column->name);
        const std::string type(DuckDbTypeName(column->type));
        sql += "CAST(" + name + " AS " + type + ") AS " + name;
        typed_empty += "CAST(NULL AS " + type + ") AS " + name;
      }
      for (const std::string& key : view.partition_keys) {
        sql += ", " + QuoteIdentifier(key);
        typed_empty += ", CAST(NULL AS VARCHAR) AS " + QuoteIdentifier(key);
      }
      sql += " FROM (" + typed_empty + " WHERE false UNION ALL BY NAME SELECT * FROM read_parquet(" +
             file_list(parquet_files) + ", union_by_name=true" + hive + "))";
    }
    return sql;
  }
  // Catalog partition values joined on each row's file: JSON lines and Parquet files, each read
  // by its extension with the name of the file it came from, UNION ALL, joined to the values.
  std::vector<const std::string*> json_files;
  std::vector<const std::string*> parquet_files;
  for (const std::string& file : view.files) {
    (IsParquetFile(file) ? parquet_files : json_files).push_back(&file);
  }
  auto file_list = [](const std::vector<const std::string*>& files) {
    std::string list = "[";
    for (size_t i = 0; i < files.size(); ++i) {
      if (i > 0) list += ", ";
      list += QuoteStringLiteral(*files[i]);
    }
    return list + "]";
  };
  const std::string file_column = "__tributary_file";
  bool first = true;
  auto add = [&](std::string_view name) {
    if (!first) sql += ", ";
    first = false;
    sql += QuoteIdentifier(name);
  };
  for (const catalog::Column* column : data_columns) add(column->name);
  for (const std::string& key : view.partition_keys) add(key);
  sql += " FROM (";
  bool first_branch = true;
  if (!json_files.empty()) {
    first_branch = false;
    sql += "SELECT ";
    for (const catalog::Column* column : data_columns) sql += QuoteIdentifier(column->name) + ", ";
    sql += file_column + " FROM read_json(" + file_list(json_files) + ", columns={";
    for (size_t i = 0; i < data_columns.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += QuoteStringLiteral(data_columns[i]->name);
      sql += ": ";
      sql += QuoteStringLiteral(DuckDbTypeName(data_columns[i]->type));
    }
    sql += "}, format='newline_delimited', records=true, hive_partitioning=false, filename=" +
           QuoteStringLiteral(file_column) + ")";
  }
  if (!parquet_files.empty()) {
    if (!first_branch) sql += " UNION ALL ";
    // As in the Hive case: a typed empty row UNION ALL BY NAME the files, cast to the catalog's
    // types, plus the file name.
    std::string typed_empty = "SELECT ";
    sql += "SELECT ";
    for (const catalog::Column* column : data_columns) {
      const std::string name = QuoteIdentifier(column->name);
      const std::string type(DuckDbTypeName(column->type));
      sql += "CAST(" + name + " AS " + type + ") AS " + name + ", ";
      typed_empty += "CAST(NULL AS " + type + ") AS " + name + ", ";
    }
    sql += file_column;
    typed_empty += "CAST(NULL AS VARCHAR) AS " + file_column;
    sql += " FROM (" + typed_empty + " WHERE false UNION ALL BY NAME SELECT * FROM read_parquet(" +
           file_list(parquet_files) + ", union_by_name=true, hive_partitioning=false, filename=" +
           QuoteStringLiteral(file_column) + "))";
  }
  sql += ") AS __tributary_rows JOIN (VALUES ";
  for (size_t i = 0; i < view.files.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += "(" + QuoteStringLiteral(view.files[i]);
    for (size_t k = 0; k < view.partition_keys.size(); ++k) {
      sql += ", ";
      const auto& values = view.file_partition_values[i];
      sql += k < values.size() ? QuoteStringLiteral(values[k]) : std::string("NULL");
    }
    sql += ")";
  }
  sql += ") AS __tributary_partitions(__tributary_path";
  for (const std::string& key : view.partition_keys) sql += ", " + QuoteIdentifier(key);
  sql += ") ON " + file_column + " = __tributary_path";
  return sql;
}

}  // namespace tributary::query
