#include "delivery/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>

namespace tributary::delivery {

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kSnappy:
      return "snappy";
  }
  return "none";
}

Result<Compression> ParseCompression(std::string_view name) {
  for (Compression c :
       {Compression::kNone, Compression::kGzip, Compression::kZstd, Compression::kSnappy}) {
    if (name == CompressionName(c)) return c;
  }
  return Status::InvalidArgument("unknown compression '" + std::string(name) +
                                 "' (expected none, gzip, zstd or snappy)");
}

namespace {

// zlib works in uInt-sized steps; feed it at most 1 GiB at a time.
constexpr size_t kZlibStep = size_t{1} << 30;

}  // namespace

Status CompressGzip(std::string_view data, int level, std::string& out) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  const size_t start = out.size();
  out.resize(start + deflateBound(&z, static_cast<uLong>(data.size())) + 64);
  size_t produced = 0;
  size_t consumed = 0;
  int flush = Z_NO_FLUSH;
  do {
    const size_t step = std::min(data.size() - consumed, kZlibStep);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    z.avail_in = static_cast<uInt>(step);
    consumed += step;
    flush = consumed == data.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      if (out.size() - start == produced) out.resize(out.size() + out.size() / 2 + 64 * 1024);
      const size_t room = std::min(out.size() - start - produced, kZlibStep);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + start + produced);
      z.avail_out = static_cast<uInt>(room);
      if (deflate(&z, flush) == Z_STREAM_ERROR) {
        deflateEnd(&z);
        out.resize(start);
        return Status::Internal("gzip: deflate failed");
      }
      produced += room - z.avail_out;
    } while (z.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&z);
  out.resize(start + produced);
  return Status::Ok();
}

Status DecompressGzip(std::string_view data, std::string& out) {
  size_t pos = 0;
  do {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + pos));
    z.avail_in = static_cast<uInt>(std::min(data.size() - pos, kZlibStep));
    char chunk[64 * 1024];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      z.next_out = reinterpret_cast<Bytef*>(chunk);
      z.avail_out = sizeof(chunk);
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        inflateEnd(&z);
        return Status::DataLoss("gzip: invalid or truncated data");
      }
      out.append(chunk, sizeof(chunk) - z.avail_out);
      if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
        inflateEnd(&z);
        return Status::DataLoss("gzip: truncated data");
      }
    }
    pos += z.total_in;
    inflateEnd(&z);
  } while (pos < data.size());
  return Status::Ok();
}

Status CompressZstd(std::string_view data, int level, std::string& out) {
  const size_t start = out.size();
  out.resize(start + ZSTD_compressBound(data.size()));
  const size_t n =
      ZSTD_compress(out.data() + start, out.size() - start, data.data(), data.size(), level);
  if (ZSTD_isError(n)) {
    out.resize(start);
    return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  out.resize(start + n);
  return Status::Ok();
}

Status DecompressZstd(std::string_view data, std::string& out) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (ds == nullptr) return Status::Internal("zstd: out of memory");
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  char chunk[64 * 1024];
  size_t rc = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk, sizeof(chunk), 0};
    rc = ZSTD_decompressStream(ds, &o, &in);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(ds);
      return Status::DataLoss(std::string("zstd: ") + ZSTD_getErrorName(rc));
    }
    out.append(chunk, o.pos);
  }
  // Flush what the decoder still holds.
  while (rc != 0) {
    ZSTD_outBuffer o{chunk, sizeof(chunk), 0};
    rc = ZSTD_decompressStream(ds, &o, &in);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(ds);
      return Status::DataLoss(std::string("zstd: ") + ZSTD_getErrorName(rc));
    }
    out.append(chunk, o.pos);
    if (o.pos == 0 && rc != 0) {
      ZSTD_freeDStream(ds);
      return Status::DataLoss("zstd: truncated frame");
    }
  }
  ZSTD_freeDStream(ds);
  return Status::Ok();
}

void CompressSnappy(std::string_view data, std::string& out) {
  const size_t start = out.size();
  out.resize(start + snappy::MaxCompressedLength(data.size()));
  size_t n = 0;
  snappy::RawCompress(data.data(), data.size(), out.data() + start, &n);
  out.resize(start + n);
}

Status DecompressSnappy(std::string_view data, std::string& out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(data.data(), data.size(), &n)) {
    return Status::DataLoss("snappy: invalid data");
  }
  const size_t start = out.size();
  out.resize(start + n);
  if (!snappy::RawUncompress(data.data(), data.size(), out.data() + start)) {
    out.resize(start);
    return Status::DataLoss("snappy: invalid data");
  }
  return Status::Ok();
}

}  // namespace tributary::delivery
