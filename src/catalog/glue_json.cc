#include "catalog/glue_json.h"

#include <string>

#include "core/clock.h"

namespace tributary::catalog {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void Time(JsonWriter& out, std::string_view key, int64_t ms, const GlueJsonOptions& options) {
  out.Key(key);
  if (options.epoch_seconds) {
    out.Double(static_cast<double>(ms) / 1000.0);
  } else {
    out.String(FormatIsoMillis(ms) + "+00:00");
  }
}

void StringMap(JsonWriter& out, std::string_view key, const std::map<std::string, std::string>& m) {
  out.Key(key);
  out.BeginObject();
  for (const auto& [k, v] : m) {
    out.Key(k);
    out.String(v);
  }
  out.EndObject();
}

void Columns(JsonWriter& out, const std::vector<Column>& columns,
             const std::vector<std::string>& partition_keys) {
  out.Key("Columns");
  out.BeginArray();
  for (const Column& column : columns) {
    bool is_key = false;
    for (const auto& key : partition_keys) is_key = is_key || key == column.name;
    if (is_key) continue;  // a partition key wins over a data column of the same name
    out.BeginObject();
    out.Key("Name");
    out.String(column.name);
    out.Key("Type");
    out.String(GlueTypeName(column.type));
    if (column.type == ColumnType::kJson) {
      out.Key("Comment");
      out.String("json");
    }
    out.EndObject();
  }
  out.EndArray();
}

// `parameters`: the crawler's table/partition facts, which Glue repeats in
// StorageDescriptor.Parameters.
void StorageDescriptor(JsonWriter& out, const TableDef& table, const std::vector<Column>& columns,
                       std::string_view location, bool compressed,
                       const std::map<std::string, std::string>& parameters,
                       const GlueJsonOptions& options) {
  const GlueStorageFormat format = GlueStorageFormatFor(table);
  out.Key("StorageDescriptor");
  out.BeginObject();
  Columns(out, columns, table.partition_keys);
  out.Key("Location");
  out.String(GlueLocation(location, options));
  out.Key("InputFormat");
  out.String(format.input_format);
  out.Key("OutputFormat");
  out.String(format.output_format);
  out.Key("Compressed");
  out.Bool(compressed);
  out.Key("NumberOfBuckets");
  out.Int(-1);
  out.Key("SerdeInfo");
  out.BeginObject();
  out.Key("SerializationLibrary");
  out.String(format.serialization_library);
  StringMap(out, "Parameters", format.serde_parameters);
  out.EndObject();
  out.Key("BucketColumns");
  out.BeginArray();
  out.EndArray();
  out.Key("SortColumns");
  out.BeginArray();
  out.EndArray();
  StringMap(out, "Parameters", parameters);
  out.Key("StoredAsSubDirectories");
  out.Bool(false);
  out.EndObject();
}

// What a Glue crawler records for a table or a partition, in its parameter names.
std::map<std::string, std::string> CrawlerParameters(const TableDef& table,
                                                     std::string_view compression, int64_t rows,
                                                     int64_t files, int64_t bytes) {
  return {
      {"classification", GlueStorageFormatFor(table).classification},
      {"compressionType", std::string(compression)},
      {"typeOfData", "file"},
      {"recordCount", std::to_string(rows)},
      {"objectCount", std::to_string(files)},
      {"sizeKey", std::to_string(bytes)},
      {"averageRecordSize", std::to_string(rows > 0 ? bytes / rows : 0)},
  };
}

void PartitionKeys(JsonWriter& out, const TableDef& table) {
  out.Key("PartitionKeys");
  out.BeginArray();
  for (const auto& key : table.partition_keys) {
    out.BeginObject();
    out.Key("Name");
    out.String(key);
    out.Key("Type");
    out.String("string");
    out.EndObject();
  }
  out.EndArray();
}

}  // namespace

GlueStorageFormat GlueStorageFormatFor(const TableDef& table) {
  GlueStorageFormat f;
  // Delivery writes "<format>+<codec>" ("json+gzip", "parquet+snappy"); Glue's classification is
  // the format alone and the codec shows in compressionType (from the file names).
  const std::string_view format = std::string_view(table.format).substr(0, table.format.find('+'));
  f.classification = std::string(format);
  if (format == "json") {
    f.input_format = "org.apache.hadoop.mapred.TextInputFormat";
    f.output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
    f.serialization_library = "org.openx.data.jsonserde.JsonSerDe";
    std::string paths;
    for (const Column& column : table.columns) {
      if (!paths.empty()) paths += ",";
      paths += column.name;
    }
    f.serde_parameters["paths"] = paths;
  } else if (format == "parquet") {
    f.input_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    f.output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    f.serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    f.serde_parameters["serialization.format"] = "1";
  } else if (format == "csv") {
    f.input_format = "org.apache.hadoop.mapred.TextInputFormat";
    f.output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
    f.serialization_library = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
    auto delim = table.parameters.find("delimiter");
    f.serde_parameters["field.delim"] = delim != table.parameters.end() ? delim->second : ",";
  }
  return f;
}

std::string CompressionOfFiles(const std::vector<DataFile>& files) {
  size_t gzip = 0, zstd = 0;
  for (const DataFile& file : files) {
    if (EndsWith(file.path, ".gz")) ++gzip;
    if (EndsWith(file.path, ".zst")) ++zstd;
  }
  if (gzip == 0 && zstd == 0) return "none";
  if (gzip == files.size()) return "gzip";
  if (zstd == files.size()) return "zstd";
  return "mixed";
}

std::string GlueLocation(std::string_view relative, const GlueJsonOptions& options) {
  std::string out = options.location_root;
  if (!relative.empty()) {
    out += "/";
    out += relative;
  }
  out += "/";
  return out;
}

void WriteGlueTable(JsonWriter& out, const TableDef& table, const GlueTableFacts& facts,
                    const GlueJsonOptions& options) {
  const TableStats& stats = facts.stats;
  const std::map<std::string, std::string> crawler =
      CrawlerParameters(table, facts.compression, stats.rows, stats.files, stats.bytes);
  std::map<std::string, std::string> parameters = crawler;
  for (const auto& [key, value] : table.parameters) parameters[key] = value;

  out.BeginObject();
  out.Key("Name");
  out.String(table.name);
  out.Key("DatabaseName");
  out.String(table.database);
  Time(out, "CreateTime", table.created_ms, options);
  Time(out, "UpdateTime", table.updated_ms, options);
  out.Key("Retention");
  out.Int(0);
  StorageDescriptor(out, table, table.columns, table.location, facts.compression != "none",
                    crawler, options);
  PartitionKeys(out, table);
  out.Key("TableType");
  out.String("EXTERNAL_TABLE");
  StringMap(out, "Parameters", parameters);
  out.Key("CatalogId");
  out.String(options.catalog_id);
  out.Key("VersionId");
  out.String(std::to_string(table.schema_version));
  out.Key("IsRegisteredWithLakeFormation");
  out.Bool(false);
  out.EndObject();
}

void WriteGluePartition(JsonWriter& out, const TableDef& table, const PartitionInfo& partition,
                        const GlueJsonOptions& options, std::string_view compression) {
  out.BeginObject();
  out.Key("Values");
  out.BeginArray();
  for (const auto& [key, value] : partition.values) out.String(value);
  out.EndArray();
  out.Key("DatabaseName");
  out.String(table.database);
  out.Key("TableName");
  out.String(table.name);
  Time(out, "CreationTime", partition.created_ms, options);
  if (partition.last_commit_ms > 0) Time(out, "LastAnalyzedTime", partition.last_commit_ms, options);
  const std::map<std::string, std::string> parameters =
      CrawlerParameters(table, compression, partition.rows, partition.files, partition.bytes);
  StorageDescriptor(out, table, table.columns, partition.location, compression != "none",
                    parameters, options);
  StringMap(out, "Parameters", parameters);
  out.Key("CatalogId");
  out.String(options.catalog_id);
  out.EndObject();
}

void WriteGlueTableVersion(JsonWriter& out, const TableDef& table, const SchemaVersion& version,
                           const GlueJsonOptions& options) {
  out.BeginObject();
  out.Key("VersionId");
  out.String(std::to_string(version.version));
  out.Key("Table");
  out.BeginObject();
  out.Key("Name");
  out.String(table.name);
  out.Key("DatabaseName");
  out.String(table.database);
  Time(out, "UpdateTime", version.created_ms, options);
  out.Key("StorageDescriptor");
  out.BeginObject();
  Columns(out, version.columns, table.partition_keys);
  out.Key("Location");
  out.String(GlueLocation(table.location, options));
  out.EndObject();
  PartitionKeys(out, table);
  out.Key("VersionId");
  out.String(std::to_string(version.version));
  out.EndObject();
  out.Key("Changes");
  out.BeginArray();
  for (const ColumnChange& change : version.changes) out.String(DescribeColumnChange(change));
  out.EndArray();
  out.Key("Note");
  out.String(version.note);
  out.EndObject();
}

}  // namespace tributary::catalog
