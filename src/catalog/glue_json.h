// Catalog objects in the shapes of AWS Glue's Data Catalog API (GetTable's Table, GetPartitions'
// Partition, GetTableVersions' TableVersion), for `tributary catalog --json` and for Glue-compatible
// read APIs. Field names and nesting follow Glue (aws-compat-checklist.md section 5); what Glue
// would say about S3 objects is said about the lake's files instead:
//   - StorageDescriptor.Location is options.location_root + "/" + the lake-relative location
//     (e.g. "file:///data/lake/orders"), with a trailing '/' as Glue writes folders;
//   - json columns (nested values) have the Glue type "string" (GlueTypeName);
//   - Table.Parameters holds the stored table parameters plus what a crawler would set and the
//     catalog knows: classification, compressionType, typeOfData, recordCount, objectCount,
//     sizeKey, averageRecordSize (stored values win).
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "core/json_writer.h"

namespace tributary::catalog {

struct GlueJsonOptions {
  // Prefix of every Location, without a trailing '/', e.g. "file:///data/lake".
  std::string location_root;
  // Times as epoch seconds (numbers, the AWS JSON protocol) instead of ISO-8601 strings (what the
  // AWS CLI prints).
  bool epoch_seconds = false;
  std::string catalog_id = "000000000000";
};

// How Glue/Hive describe a table format: Hadoop input/output formats, SerDe and classification.
struct GlueStorageFormat {
  std::string classification;  // "json", "parquet", "csv", or the format name
  std::string input_format;
  std::string output_format;
  std::string serialization_library;
  std::map<std::string, std::string> serde_parameters;
};
// For TableDef::format "json", "parquet" or "csv", optionally with "+<codec>" as delivery writes
// it ("json+zstd", "parquet+snappy": the codec is ignored here) (anything else: classification = format and
// empty formats). `table` supplies the JSON SerDe's "paths" parameter and the CSV delimiter.
GlueStorageFormat GlueStorageFormatFor(const TableDef& table);

// "gzip" when every file name ends in .gz, "zstd" for .zst, "none" when none is compressed,
// "mixed" otherwise; "none" for no files.
std::string CompressionOfFiles(const std::vector<DataFile>& files);

// What GetTable needs besides the definition.
struct GlueTableFacts {
  TableStats stats;
  std::string compression = "none";  // CompressionOfFiles()
};

// Writes GetTable's "Table" object; its Parameters (and StorageDescriptor.Parameters) carry the
// crawler's facts (classification, compressionType, typeOfData, recordCount, objectCount, sizeKey,
// averageRecordSize), Table.Parameters also the table's own parameters.
void WriteGlueTable(JsonWriter& out, const TableDef& table, const GlueTableFacts& facts,
                    const GlueJsonOptions& options);
// Writes one GetPartitions "Partitions" element as a Glue crawler leaves it: Values,
// DatabaseName, TableName, CreationTime, LastAnalyzedTime, StorageDescriptor (the table's columns
// and formats, the partition's Location, Compressed, Parameters) and Parameters, both with the
// crawler's names for the partition's facts: classification, compressionType (`compression`,
// CompressionOfFiles of the table's files), typeOfData, recordCount, objectCount, sizeKey
// (bytes), averageRecordSize.
void WriteGluePartition(JsonWriter& out, const TableDef& table, const PartitionInfo& partition,
                        const GlueJsonOptions& options, std::string_view compression = "none");
// Writes one GetTableVersions "TableVersions" element: {"VersionId", "Table": {... the columns of
// that version ...}} plus Tributary's "Changes" (DescribeColumnChange) and "Note".
void WriteGlueTableVersion(JsonWriter& out, const TableDef& table, const SchemaVersion& version,
                           const GlueJsonOptions& options);

// options.location_root + "/" + relative + "/".
std::string GlueLocation(std::string_view relative, const GlueJsonOptions& options);

}  // namespace tributary::catalog
