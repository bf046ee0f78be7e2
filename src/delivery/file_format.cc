#include "delivery/file_format.h"

#include <algorithm>

namespace tributary::delivery {

std::string_view FileTypeName(FileType type) {
  return type == FileType::kParquet ? "parquet" : "json";
}

Result<FileType> ParseFileType(std::string_view name) {
  if (name == "json") return FileType::kJson;
  if (name == "parquet") return FileType::kParquet;
  return Status::InvalidArgument("unknown file format '" + std::string(name) +
                                 "' (expected json or parquet)");
}

Compression FileFormat::DefaultCompression(FileType type) {
  return type == FileType::kParquet ? Compression::kSnappy : Compression::kNone;
}

Status FileFormat::Validate() const {
  if (type == FileType::kJson && compression == Compression::kSnappy) {
    return Status::InvalidArgument(
        "compression 'snappy' is only for parquet; json takes none, gzip or zstd");
  }
  if (compression_level != 0) {
    if (compression == Compression::kGzip && (compression_level < 1 || compression_level > 9)) {
      return Status::InvalidArgument("gzip compression level must be 1..9, got " +
                                     std::to_string(compression_level));
    }
    if (compression == Compression::kZstd && (compression_level < 1 || compression_level > 19)) {
      return Status::InvalidArgument("zstd compression level must be 1..19, got " +
                                     std::to_string(compression_level));
    }
    if (compression != Compression::kGzip && compression != Compression::kZstd) {
      return Status::InvalidArgument("a compression level needs gzip or zstd compression");
    }
  }
  if (target_file_bytes != 0 && target_file_bytes < 1024) {
    return Status::InvalidArgument(
        "target_file_bytes must be 0 (no target) or at least 1024, got " +
        std::to_string(target_file_bytes));
  }
  if (parquet_row_group_rows < 1) {
    return Status::InvalidArgument("parquet row group rows must be positive");
  }
  return Status::Ok();
}

std::string_view FileFormat::Extension() const {
  if (type == FileType::kParquet) return ".parquet";
  switch (compression) {
    case Compression::kGzip:
      return ".json.gz";
    case Compression::kZstd:
      return ".json.zst";
    case Compression::kNone:
    case Compression::kSnappy:
      break;
  }
  return ".json";
}

std::string FileFormat::CatalogFormat() const {
  if (type == FileType::kJson && compression == Compression::kNone) return "json";
  return std::string(FileTypeName(type)) + "+" + std::string(CompressionName(compression));
}

Result<FileFormat> FileFormat::Parse(std::string_view text) {
  FileFormat f;
  const size_t plus = text.find('+');
  TRIB_ASSIGN_OR_RETURN(f.type, ParseFileType(text.substr(0, plus)));
  f.compression = DefaultCompression(f.type);
  if (plus != std::string_view::npos) {
    TRIB_ASSIGN_OR_RETURN(f.compression, ParseCompression(text.substr(plus + 1)));
  }
  TRIB_RETURN_IF_ERROR(f.Validate());
  return f;
}

Result<std::string_view> FileEncoder::Encode(std::string_view lines,
                                             const std::vector<catalog::Column>& columns) {
  std::string_view out;
  if (format_.type == FileType::kParquet) {
    ParquetWriterOptions options;
    options.compression = format_.compression;
    options.compression_level = format_.compression_level;
    options.row_group_rows = format_.parquet_row_group_rows;
    ParquetWriter writer(columns, options);
    TRIB_RETURN_IF_ERROR(writer.AddJsonLines(lines));
    TRIB_ASSIGN_OR_RETURN(scratch_, writer.Finish());
    out = scratch_;
  } else {
    const int level = format_.compression_level;
    switch (format_.compression) {
      case Compression::kNone:
      case Compression::kSnappy:
        out = lines;
        break;
      case Compression::kGzip:
        scratch_.clear();
        TRIB_RETURN_IF_ERROR(CompressGzip(lines, level > 0 ? level : kDefaultGzipLevel, scratch_));
        out = scratch_;
        break;
      case Compression::kZstd:
        scratch_.clear();
        TRIB_RETURN_IF_ERROR(CompressZstd(lines, level > 0 ? level : kDefaultZstdLevel, scratch_));
        out = scratch_;
        break;
    }
  }
  if (lines.size() >= 4096) {
    ratio_ =
        std::clamp(static_cast<double>(out.size()) / static_cast<double>(lines.size()), 0.005, 4.0);
  }
  return out;
}

std::vector<std::string_view> FileEncoder::SplitForTarget(std::string_view lines) const {
  std::vector<std::string_view> pieces;
  if (format_.target_file_bytes <= 0) {
    pieces.push_back(lines);
    return pieces;
  }
  const size_t max_json = std::max<size_t>(
      1, static_cast<size_t>(static_cast<double>(format_.target_file_bytes) / ratio_));
  while (lines.size() > max_json) {
    // The last line boundary within max_json; a longer single line is a piece of its own.
    size_t cut = lines.rfind('\n', max_json - 1);
    if (cut == std::string_view::npos) cut = lines.find('\n');
    if (cut == std::string_view::npos || cut + 1 == lines.size()) break;
    pieces.push_back(lines.substr(0, cut + 1));
    lines.remove_prefix(cut + 1);
  }
  if (!lines.empty()) pieces.push_back(lines);
  return pieces;
}

int64_t CountLines(std::string_view lines) {
  int64_t n = 0;
  size_t start = 0;
  while (start < lines.size()) {
    size_t nl = lines.find('\n', start);
    if (nl == std::string_view::npos) nl = lines.size();
    if (nl > start) ++n;
    start = nl + 1;
  }
  return n;
}

}  // namespace tributary::delivery
