// ParquetWriter: encodes rows (flat JSON objects, the lines delivery buffers hold) as one Parquet
// file typed by the catalog's columns. Delivery writes its Parquet files with it, compaction
// merges small files into Parquet with it. It does not depend on DuckDB (src/query only reads).
//
//   ParquetWriter writer(columns, options);        // catalog::Column list: the file's schema
//   for (line : lines) TRIB_RETURN_IF_ERROR(writer.AddRow(line));   // or AddJsonLines(text)
//   TRIB_ASSIGN_OR_RETURN(std::string bytes, writer.Finish());       // a complete .parquet file
//   // or: WriteParquetFile(fs, path, columns, json_lines, options, sync) through a LakeFs.
//
// What the file looks like (parquet-format 2.x; readable by DuckDB, Arrow, Spark, Athena):
//   - one OPTIONAL leaf column per catalog column, in the given order, under a root "schema";
//     a key missing from a row, or a JSON null, is a null (definition level 0);
//   - types: string -> BYTE_ARRAY STRING (UTF8); bigint -> INT64; double -> DOUBLE;
//     boolean -> BOOLEAN; timestamp -> INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false), i.e.
//     Athena's zone-less timestamp (the catalog's timestamps are naive UTC wall times, and
//     DuckDB reads this as TIMESTAMP, not TIMESTAMPTZ); json -> BYTE_ARRAY JSON (the value's
//     minified JSON text, also for strings: "\"a\"");
//   - row groups of at most `row_group_rows` rows (or ~row_group_bytes of encoded values);
//     data pages (v1) of about `page_bytes`, PLAIN values, definition levels in the RLE/bit-packed
//     hybrid, each page body compressed with `compression` (none, snappy, gzip or zstd);
//   - column-chunk statistics: null_count always; min_value/max_value for every type except json
//     (strings compare as unsigned bytes; omitted for a chunk holding a string longer than
//     kMaxStatisticsBytes), with TYPE_ORDER column orders, so readers can prune row groups;
//   - Thrift compact-encoded FileMetaData with num_rows, created_by "tributary version X".
//
// Value conversion is lossless or an error: a bigint column takes integers (and doubles with an
// integral value); a double column any number; a boolean column true/false; a timestamp column a
// string "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}][Z]" (to microseconds); a string column a string, or
// the JSON text of any other value; a json column any value. Anything else (say "abc" in a
// bigint column) is InvalidArgument naming the column, and the row is not added. Keys of a row
// that are not columns are ignored; if a key repeats, its first value counts.
//
// Thread-safety: not thread-safe; one writer builds one file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "delivery/compression.h"
#include "delivery/lake_fs.h"

namespace tributary::delivery {

struct ParquetWriterOptions {
  Compression compression = Compression::kSnappy;
  int compression_level = 0;           // 0 = the codec's default (gzip 6, zstd 3)
  int64_t row_group_rows = 122880;     // DuckDB's default row group size
  int64_t row_group_bytes = 64 << 20;  // encoded (uncompressed) value bytes per row group
  int64_t page_bytes = 1 << 20;        // encoded value bytes per data page
};

// Longest string min/max kept in column statistics.
inline constexpr size_t kMaxStatisticsBytes = 256;

class ParquetWriter {
 public:
  // `columns` must have distinct, non-empty names (checked by Finish/AddRow: InvalidArgument).
  ParquetWriter(std::vector<catalog::Column> columns, ParquetWriterOptions options = {});
  ~ParquetWriter();
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  // Adds one row: a JSON object (a trailing '\n' or '\r' is ignored).
  Status AddRow(std::string_view json_object);
  // Adds every non-empty line of `lines` (JSON lines); stops at the first bad line (earlier
  // lines stay added) with an error that names the line number.
  Status AddJsonLines(std::string_view lines);

  int64_t rows() const;
  // The complete file. The writer cannot be used afterwards.
  Result<std::string> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Encodes `json_lines` as one Parquet file and writes it to `path` (absolute) through `fs`,
// fdatasync'ed with `sync`. Returns the file's size in bytes.
Result<int64_t> WriteParquetFile(LakeFs& fs, const std::string& path,
                                 const std::vector<catalog::Column>& columns,
                                 std::string_view json_lines, const ParquetWriterOptions& options,
                                 bool sync);

// Microseconds since the epoch of "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}][Z]" read as UTC (fractions
// past microseconds are truncated). InvalidArgument for anything else or an impossible date.
Result<int64_t> ParseTimestampMicros(std::string_view text);

}  // namespace tributary::delivery
