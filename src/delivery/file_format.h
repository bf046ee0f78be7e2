// FileFormat: how delivery encodes the rows of one file, and FileEncoder, which does it.
//
//   format   compression               extension    catalog TableDef.format
//   json     none (default)            .json        json
//   json     gzip                      .json.gz     json+gzip    (zcat, DuckDB read it)
//   json     zstd                      .json.zst    json+zstd    (zstdcat, DuckDB read it)
//   parquet  snappy (default) | none   .parquet     parquet+snappy | parquet+none
//            | gzip | zstd                          | parquet+gzip | parquet+zstd
//
// JSON files are the buffered JSON lines, compressed whole (one gzip member or zstd frame).
// Parquet files are written by ParquetWriter (parquet_writer.h) with the columns the caller passes
// (delivery: the catalog's columns at commit time widened by the batch's); the codec compresses
// each page. The query side picks the reader per file from its extension, so a table may mix
// formats (a format changed between runs; compaction).
//
// target_file_bytes (0 = none) caps one file: a partition's buffered rows that exceed it are split
// at row boundaries into several files (SplitForTarget). The cap is on encoded bytes, estimated
// from the JSON size times the compression ratio the encoder last saw, so files come out near
// the target; a single row larger than the target is a file of its own.
//
// Thread-safety: FileFormat is a value; a FileEncoder is used by one thread (it keeps scratch
// buffers and the observed ratio).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "delivery/compression.h"
#include "delivery/parquet_writer.h"

namespace tributary::delivery {

enum class FileType : uint8_t { kJson, kParquet };
std::string_view FileTypeName(FileType type);  // "json" | "parquet"
Result<FileType> ParseFileType(std::string_view name);

struct FileFormat {
  FileType type = FileType::kJson;
  Compression compression = Compression::kNone;
  int compression_level = 0;      // 0 = the codec's default
  int64_t target_file_bytes = 0;  // 0 = one file per partition per commit
  int64_t parquet_row_group_rows = 122880;

  // The default compression of a type: none for json, snappy for parquet (Firehose's and
  // DuckDB's default).
  static Compression DefaultCompression(FileType type);
  // InvalidArgument: json takes none/gzip/zstd, parquet none/snappy/gzip/zstd; levels gzip 1..9,
  // zstd 1..19; target_file_bytes 0 or >= 1 KiB.
  Status Validate() const;
  // ".json", ".json.gz", ".json.zst" or ".parquet".
  std::string_view Extension() const;
  // The catalog's TableDef.format: "json", "json+gzip", "json+zstd", "parquet+<codec>".
  std::string CatalogFormat() const;
  // The inverse of CatalogFormat ("json", "json+zstd", "parquet" = parquet+snappy, ...);
  // InvalidArgument for anything else.
  static Result<FileFormat> Parse(std::string_view text);
};

class FileEncoder {
 public:
  explicit FileEncoder(FileFormat format) : format_(format) {}

  // The bytes of one file holding `lines` (JSON lines). `columns` is the Parquet schema (unused
  // for JSON). The result views either `lines` itself (uncompressed JSON: no copy) or the
  // encoder's scratch, valid until the next Encode.
  Result<std::string_view> Encode(std::string_view lines,
                                  const std::vector<catalog::Column>& columns);

  // `lines` cut at line boundaries into pieces that should each encode to about
  // target_file_bytes (one piece when there is no target or it fits).
  std::vector<std::string_view> SplitForTarget(std::string_view lines) const;

  const FileFormat& format() const { return format_; }
  // Encoded bytes / JSON bytes of the last Encode (1 before any).
  double ratio() const { return ratio_; }

 private:
  const FileFormat format_;
  std::string scratch_;
  double ratio_ = 1.0;
};

// Rows (non-empty lines) in JSON-lines text.
int64_t CountLines(std::string_view lines);

}  // namespace tributary::delivery
