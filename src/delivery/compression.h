// Compression codecs for lake files: whole-file gzip and zstd for JSON lines (".json.gz",
// ".json.zst", readable by zcat/zstdcat and DuckDB), and the page codecs of Parquet files
// (snappy, gzip, zstd).
//
// Compress* append to `out` (which they do not clear), so a caller can reuse one buffer across
// files without reallocating. Decompress* exist for tests and tools.
//
// Thread-safety: pure functions (each call uses its own codec state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tributary::delivery {

enum class Compression : uint8_t { kNone, kGzip, kZstd, kSnappy };

// "none" | "gzip" | "zstd" | "snappy".
std::string_view CompressionName(Compression c);
// InvalidArgument naming the accepted values.
Result<Compression> ParseCompression(std::string_view name);

// Default levels: gzip 6 (zlib's default; gzip's too), zstd 3 (zstd's default).
inline constexpr int kDefaultGzipLevel = 6;
inline constexpr int kDefaultZstdLevel = 3;

// RFC 1952 gzip member (what `gzip` writes). Internal on a zlib failure.
Status CompressGzip(std::string_view data, int level, std::string& out);
// One zstd frame with the content size in its header (what `zstd` writes).
Status CompressZstd(std::string_view data, int level, std::string& out);
// Raw snappy block format (Parquet's SNAPPY codec; not the framed .sz format).
void CompressSnappy(std::string_view data, std::string& out);

// The inverse of the above; DataLoss when the input is not valid. Gzip accepts concatenated
// members, as zcat does.
Status DecompressGzip(std::string_view data, std::string& out);
Status DecompressZstd(std::string_view data, std::string& out);
Status DecompressSnappy(std::string_view data, std::string& out);

}  // namespace tributary::delivery
