// TableView: what QueryEngine needs to expose one catalog table as a SQL view, and the DuckDB
// statement that creates that view.
//
// The view reads exactly `files` (JSON lines, one object per line) with the catalog's column
// types, so a query never sees an uncommitted or half-written file and never has to infer a
// schema. Hive folders (year=2024/month=05/...) become string partition columns, as Glue types
// them. A key missing from a row (e.g. an older file written before a column appeared) reads as
// NULL; keys not in `columns` are ignored.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"

namespace tributary::query {

struct TableView {
  std::string name;                         // SQL name of the view
  std::vector<catalog::Column> columns;     // data columns, in catalog order
  std::vector<std::string> partition_keys;  // hive keys, in folder order; typed VARCHAR
  std::vector<std::string> files;           // absolute paths of JSON-lines files
  // Partition values per file (parallel to `files`, in partition_keys order), from the catalog.
  // Used when some key is not a Hive "key=" folder of the paths (Firehose layouts such as
  // YYYY/MM/DD/HH/, whose keys are partition_0..3); empty otherwise.
  std::vector<std::vector<std::string>> file_partition_values = {};

  friend bool operator==(const TableView&, const TableView&) = default;
};

// DuckDB type for a catalog column type: string=VARCHAR, bigint=BIGINT, double=DOUBLE,
// boolean=BOOLEAN, timestamp=TIMESTAMP, json=JSON.
std::string_view DuckDbTypeName(catalog::ColumnType type);

// True for ".csv" and ".csv.gz": a table whose files are all CSV (the crawler's, with a header
// row) is read with read_csv by header name, as text cast to the catalog's types.
bool IsCsvFile(std::string_view path);

// True for a path read as Parquet (".parquet"); others are JSON lines, maybe compressed (".gz",
// ".zst" detected by DuckDB from the extension). A table may mix formats: each file is read by
// its extension (Parquet: union_by_name, UNION ALL BY NAME a typed empty row, cast to the
// catalog's types), with Hive folders as with file_partition_values (Firehose prefixes).
bool IsParquetFile(std::string_view path);

// "CREATE OR REPLACE VIEW <name> AS ...": data columns (minus any that share a partition key's
// name), then partition keys (from Hive folders, or from file_partition_values joined on each
// row's file name when given). With no files (or no data columns) the view is a typed, empty
// SELECT that touches no file.
//
// TIMESTAMP columns are parsed by DuckDB's ISO-8601 reader rather than a fixed timestampformat:
// it accepts the seed format "2024-05-01 10:00:00.123", the same without milliseconds, and
// "2024-05-01T10:00:00Z", where a fixed "%Y-%m-%d %H:%M:%S.%g" rejects a value without
// milliseconds and fails the whole query.
std::string CreateViewSql(const TableView& view);

}  // namespace tributary::query
