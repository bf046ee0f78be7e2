#include "delivery/parquet_writer.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "core/dynamo_json.h"
#include "delivery/parquet_encoding.h"

namespace tributary::delivery {

using catalog::ColumnType;
using parquet::ThriftCompactWriter;
using parquet::ThriftType;

namespace {

// parquet.thrift enums.
enum PhysicalType : int32_t { kBoolean = 0, kInt64 = 2, kDouble = 5, kByteArray = 6 };
enum ConvertedType : int32_t { kUtf8 = 0, kJsonConverted = 19 };
enum Encoding : int32_t { kPlain = 0, kRle = 3 };
enum PageType : int32_t { kDataPage = 0 };
enum Repetition : int32_t { kOptional = 1 };

PhysicalType PhysicalOf(ColumnType t) {
  switch (t) {
    case ColumnType::kBigint:
    case ColumnType::kTimestamp:
      return kInt64;
    case ColumnType::kDouble:
      return kDouble;
    case ColumnType::kBoolean:
      return kBoolean;
    case ColumnType::kString:
    case ColumnType::kJson:
      return kByteArray;
  }
  return kByteArray;
}

int32_t CodecOf(Compression c) {
  switch (c) {
    case Compression::kNone:
      return 0;
    case Compression::kSnappy:
      return 1;
    case Compression::kGzip:
      return 2;
    case Compression::kZstd:
      return 6;
  }
  return 0;
}

constexpr std::string_view kCreatedBy = "tributary version 0.1.0";

void PutLe32(uint32_t v, std::string& out) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutLe64(uint64_t v, std::string& out) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::string Le64(uint64_t v) {
  std::string s;
  PutLe64(v, s);
  return s;
}
std::string LeDouble(double d) {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof(bits));
  return Le64(bits);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// One converted value of the current row.
struct Cell {
  bool present = false;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string_view s;  // into the parsed document or into the column's scratch
};

// Statistics of one column chunk.
struct ChunkStats {
  int64_t nulls = 0;
  bool any = false;  // a non-null value was seen
  bool minmax_ok = true;
  int64_t min_i = 0, max_i = 0;
  double min_d = 0, max_d = 0;
  bool min_b = true, max_b = false;
  std::string min_s, max_s;
};

// The footer's record of one written column chunk.
struct ChunkMeta {
  int64_t offset = 0;  // of its first page
  int64_t values = 0;
  int64_t uncompressed = 0;
  int64_t compressed = 0;
  ChunkStats stats;
};

struct RowGroupMeta {
  int64_t rows = 0;
  int64_t offset = 0;
  std::vector<ChunkMeta> chunks;
};

}  // namespace

struct ParquetWriter::Impl {
  struct ColumnState {
    catalog::Column column;
    PhysicalType physical;
    // Current page.
    std::vector<uint8_t> levels;  // definition levels, one per row
    std::string values;           // PLAIN values (booleans: one byte each, packed on flush)
    // Current row group.
    std::string chunk;  // finished pages
    int64_t chunk_values = 0;
    int64_t chunk_uncompressed = 0;
    ChunkStats stats;
    int64_t rowgroup_value_bytes = 0;
    // Per-row scratch.
    Cell cell;
    std::string scratch;
    uint64_t seen_row = 0;
  };

  std::vector<ColumnState> cols;
  ParquetWriterOptions options;
  Status schema_status;
  std::unordered_map<std::string_view, size_t> index;
  std::string out;
  std::vector<RowGroupMeta> row_groups;
  int64_t rows = 0;
  int64_t group_rows = 0;
  int64_t group_bytes = 0;
  uint64_t row_serial = 0;
  std::string page_body;     // scratch: uncompressed page body
  std::string page_payload;  // scratch: compressed page body
  std::string header;        // scratch: page header
  bool finished = false;

  Status Convert(ColumnState& c, simdjson::dom::element v);
  void Append(ColumnState& c);
  void UpdateStats(ColumnState& c);
  Status FlushPage(ColumnState& c);
  Status FlushRowGroup();
  void WriteFooter();
};

Result<int64_t> ParseTimestampMicros(std::string_view t) {
  auto bad = [&]() {
    return Status::InvalidArgument("'" + std::string(t.substr(0, 64)) +
                                   "' is not a timestamp (YYYY-MM-DD HH:MM:SS[.fff])");
  };
  if (t.size() < 19) return bad();
  auto digits = [&](size_t pos, size_t n, int64_t& v) {
    v = 0;
    for (size_t k = pos; k < pos + n; ++k) {
      if (t[k] < '0' || t[k] > '9') return false;
      v = v * 10 + (t[k] - '0');
    }
    return true;
  };
  int64_t y, mo, d, h, mi, s;
  if (!digits(0, 4, y) || t[4] != '-' || !digits(5, 2, mo) || t[7] != '-' || !digits(8, 2, d) ||
      (t[10] != ' ' && t[10] != 'T') || !digits(11, 2, h) || t[13] != ':' || !digits(14, 2, mi) ||
      t[16] != ':' || !digits(17, 2, s)) {
    return bad();
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return bad();
  if (d > kDays[mo - 1] + (mo == 2 && IsLeap(y) ? 1 : 0)) return bad();
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    size_t n = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (n < 6) micros = micros * 10 + (t[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0 || n > 9) return bad();
    for (size_t k = n; k < 6; ++k) micros *= 10;
  }
  if (pos < t.size() && t[pos] == 'Z') ++pos;
  if (pos != t.size()) return bad();
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60 * 1000000 + s * 1000000 + micros;
}

ParquetWriter::ParquetWriter(std::vector<catalog::Column> columns, ParquetWriterOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  if (impl_->options.row_group_rows < 1) impl_->options.row_group_rows = 1;
  if (impl_->options.page_bytes < 1) impl_->options.page_bytes = 1;
  impl_->cols.reserve(columns.size());
  for (catalog::Column& c : columns) {
    Impl::ColumnState s;
    s.physical = PhysicalOf(c.type);
    s.column = std::move(c);
    impl_->cols.push_back(std::move(s));
  }
  for (size_t i = 0; i < impl_->cols.size(); ++i) {
    const std::string& name = impl_->cols[i].column.name;
    if (name.empty()) {
      impl_->schema_status = Status::InvalidArgument("parquet: a column name is empty");
    } else if (!impl_->index.emplace(name, i).second) {
      impl_->schema_status = Status::InvalidArgument("parquet: column '" + name + "' is repeated");
    }
  }
  impl_->out = "PAR1";
}

ParquetWriter::~ParquetWriter() = default;

int64_t ParquetWriter::rows() const { return impl_->rows; }

Status ParquetWriter::Impl::Convert(ColumnState& c, simdjson::dom::element v) {
  Cell& cell = c.cell;
  using simdjson::dom::element_type;
  const element_type type = v.type();
  if (type == element_type::NULL_VALUE) return Status::Ok();  // stays absent
  auto mismatch = [&](std::string_view why) {
    std::string text = simdjson::minify(v);
    if (text.size() > 64) text = text.substr(0, 64) + "...";
    return Status::InvalidArgument("column '" + c.column.name + "' (" +
                                   std::string(catalog::ColumnTypeName(c.column.type)) +
                                   "): " + std::string(why) + " " + text);
  };
  switch (c.column.type) {
    case ColumnType::kBigint:
      if (type == element_type::INT64) {
        cell.i = v.get_int64().value_unsafe();
      } else if (type == element_type::DOUBLE) {
        const double d = v.get_double().value_unsafe();
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d) {
          return mismatch("not an integer:");
        }
        cell.i = static_cast<int64_t>(d);
      } else if (type == element_type::UINT64) {
        return mismatch("out of bigint range:");
      } else {
        return mismatch("not an integer:");
      }
      break;
    case ColumnType::kDouble:
      if (type == element_type::INT64) {
        cell.d = static_cast<double>(v.get_int64().value_unsafe());
      } else if (type == element_type::UINT64) {
        cell.d = static_cast<double>(v.get_uint64().value_unsafe());
      } else if (type == element_type::DOUBLE) {
        cell.d = v.get_double().value_unsafe();
      } else {
        return mismatch("not a number:");
      }
      break;
    case ColumnType::kBoolean:
      if (type != element_type::BOOL) return mismatch("not a boolean:");
      cell.b = v.get_bool().value_unsafe();
      break;
    case ColumnType::kTimestamp: {
      if (type != element_type::STRING) return mismatch("not a timestamp string:");
      Result<int64_t> micros = ParseTimestampMicros(v.get_string().value_unsafe());
      if (!micros.ok()) {
        return Status::InvalidArgument("column '" + c.column.name +
                                       "' (timestamp): " + micros.status().message());
      }
      cell.i = *micros;
      break;
    }
    case ColumnType::kString:
      if (type == element_type::STRING) {
        cell.s = v.get_string().value_unsafe();
      } else {
        c.scratch = simdjson::minify(v);
        cell.s = c.scratch;
      }
      break;
    case ColumnType::kJson:
      c.scratch = simdjson::minify(v);
      cell.s = c.scratch;
      break;
  }
  cell.present = true;
  return Status::Ok();
}

void ParquetWriter::Impl::UpdateStats(ColumnState& c) {
  ChunkStats& st = c.stats;
  const Cell& cell = c.cell;
  const bool first = !st.any;
  st.any = true;
  switch (c.column.type) {
    case ColumnType::kBigint:
    case ColumnType::kTimestamp:
      if (first || cell.i < st.min_i) st.min_i = cell.i;
      if (first || cell.i > st.max_i) st.max_i = cell.i;
      break;
    case ColumnType::kDouble: {
      // -0.0 and +0.0 compare equal; the spec wants min -0.0 and max +0.0 in that case.
      const double d = cell.d;
      if (first || d < st.min_d || (d == 0 && st.min_d == 0 && std::signbit(d))) st.min_d = d;
      if (first || d > st.max_d || (d == 0 && st.max_d == 0 && !std::signbit(d))) st.max_d = d;
      break;
    }
    case ColumnType::kBoolean:
      st.min_b = st.min_b && cell.b;
      st.max_b = st.max_b || cell.b;
      break;
    case ColumnType::kString:
      if (!st.minmax_ok) break;
      if (cell.s.size() > kMaxStatisticsBytes) {
        st.minmax_ok = false;
        st.min_s.clear();
        st.max_s.clear();
        break;
      }
      if (first || cell.s < st.min_s) st.min_s.assign(cell.s);
      if (first || cell.s > st.max_s) st.max_s.assign(cell.s);
      break;
    case ColumnType::kJson:
      st.minmax_ok = false;  // JSON text order means nothing
      break;
  }
}

void ParquetWriter::Impl::Append(ColumnState& c) {
  Cell& cell = c.cell;
  if (!cell.present) {
    c.levels.push_back(0);
    ++c.stats.nulls;
    return;
  }
  c.levels.push_back(1);
  const size_t before = c.values.size();
  switch (c.physical) {
    case kInt64:
      PutLe64(static_cast<uint64_t>(cell.i), c.values);
      break;
    case kDouble: {
      uint64_t bits = 0;
      std::memcpy(&bits, &cell.d, sizeof(bits));
      PutLe64(bits, c.values);
      break;
    }
    case kBoolean:
      c.values.push_back(cell.b ? 1 : 0);
      break;
    case kByteArray:
      PutLe32(static_cast<uint32_t>(cell.s.size()), c.values);
      c.values.append(cell.s);
      break;
  }
  UpdateStats(c);
  group_bytes += static_cast<int64_t>(c.values.size() - before);
}

Status ParquetWriter::Impl::FlushPage(ColumnState& c) {
  if (c.levels.empty()) return Status::Ok();
  page_body.clear();
  // Definition levels: 4-byte length, then the hybrid encoding (bit width 1).
  PutLe32(0, page_body);
  parquet::EncodeRleHybrid(c.levels.data(), c.levels.size(), 1, page_body);
  const uint32_t levels_len = static_cast<uint32_t>(page_body.size() - 4);
  std::memcpy(page_body.data(), &levels_len, 4);  // little-endian host (x86-64, aarch64)
  if (c.physical == kBoolean) {
    uint8_t acc = 0;
    int bits = 0;
    for (char v : c.values) {
      acc |= static_cast<uint8_t>((v & 1) << bits);
      if (++bits == 8) {
        page_body.push_back(static_cast<char>(acc));
        acc = 0;
        bits = 0;
      }
    }
    if (bits > 0) page_body.push_back(static_cast<char>(acc));
  } else {
    page_body.append(c.values);
  }

  std::string_view payload = page_body;
  const int level = options.compression_level;
  switch (options.compression) {
    case Compression::kNone:
      break;
    case Compression::kSnappy:
      page_payload.clear();
      CompressSnappy(page_body, page_payload);
      payload = page_payload;
      break;
    case Compression::kGzip:
      page_payload.clear();
      TRIB_RETURN_IF_ERROR(
          CompressGzip(page_body, level > 0 ? level : kDefaultGzipLevel, page_payload));
      payload = page_payload;
      break;
    case Compression::kZstd:
      page_payload.clear();
      TRIB_RETURN_IF_ERROR(
          CompressZstd(page_body, level > 0 ? level : kDefaultZstdLevel, page_payload));
      payload = page_payload;
      break;
  }
  if (page_body.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()) ||
      payload.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument("parquet: a data page of column '" + c.column.name +
                                   "' exceeds 2 GiB");
  }

  header.clear();
  ThriftCompactWriter w(header);
  w.I32(1, kDataPage);
  w.I32(2, static_cast<int32_t>(page_body.size()));
  w.I32(3, static_cast<int32_t>(payload.size()));
  w.BeginStruct(5);  // DataPageHeader
  w.I32(1, static_cast<int32_t>(c.levels.size()));
  w.I32(2, kPlain);
  w.I32(3, kRle);
  w.I32(4, kRle);
  w.End();
  w.End();
  c.chunk.append(header);
  c.chunk.append(payload);
  c.chunk_values += static_cast<int64_t>(c.levels.size());
  c.chunk_uncompressed += static_cast<int64_t>(header.size() + page_body.size());
  c.levels.clear();
  c.values.clear();
  return Status::Ok();
}

Status ParquetWriter::Impl::FlushRowGroup() {
  if (group_rows == 0) return Status::Ok();
  RowGroupMeta rg;
  rg.rows = group_rows;
  rg.offset = static_cast<int64_t>(out.size());
  for (ColumnState& c : cols) {
    TRIB_RETURN_IF_ERROR(FlushPage(c));
    ChunkMeta meta;
    meta.offset = static_cast<int64_t>(out.size());
    meta.values = c.chunk_values;
    meta.uncompressed = c.chunk_uncompressed;
    meta.compressed = static_cast<int64_t>(c.chunk.size());
    meta.stats = std::move(c.stats);
    out.append(c.chunk);
    rg.chunks.push_back(std::move(meta));
    c.chunk.clear();
    c.chunk_values = 0;
    c.chunk_uncompressed = 0;
    c.stats = ChunkStats{};
  }
  row_groups.push_back(std::move(rg));
  group_rows = 0;
  group_bytes = 0;
  return Status::Ok();
}

Status ParquetWriter::AddRow(std::string_view row) {
  Impl& m = *impl_;
  if (m.finished) return Status::FailedPrecondition("parquet: writer already finished");
  TRIB_RETURN_IF_ERROR(m.schema_status);
  while (!row.empty() && (row.back() == '\n' || row.back() == '\r')) row.remove_suffix(1);
  simdjson::dom::element doc;
  auto error = ThreadLocalJsonParser().parse(row.data(), row.size()).get(doc);
  if (error != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("row is not valid JSON: ") +
                                   simdjson::error_message(error));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("row is not a JSON object");
  }
  const uint64_t serial = ++m.row_serial;
  size_t cursor = 0;
  for (auto field : obj) {
    size_t idx;
    if (cursor < m.cols.size() && m.cols[cursor].column.name == field.key) {
      idx = cursor;
    } else {
      auto it = m.index.find(field.key);
      if (it == m.index.end()) continue;
      idx = it->second;
    }
    cursor = idx + 1;
    Impl::ColumnState& c = m.cols[idx];
    if (c.seen_row == serial) continue;  // a repeated key: the first value counts
    c.seen_row = serial;
    c.cell.present = false;
    TRIB_RETURN_IF_ERROR(m.Convert(c, field.value));
  }
  for (Impl::ColumnState& c : m.cols) {
    if (c.seen_row != serial) c.cell.present = false;
    m.Append(c);
    if (static_cast<int64_t>(c.values.size()) >= m.options.page_bytes) {
      TRIB_RETURN_IF_ERROR(m.FlushPage(c));
    }
  }
  ++m.rows;
  ++m.group_rows;
  if (m.group_rows >= m.options.row_group_rows || m.group_bytes >= m.options.row_group_bytes) {
    TRIB_RETURN_IF_ERROR(m.FlushRowGroup());
  }
  return Status::Ok();
}

Status ParquetWriter::AddJsonLines(std::string_view lines) {
  size_t line_no = 0;
  while (!lines.empty()) {
    const size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines.remove_prefix(nl == std::string_view::npos ? lines.size() : nl + 1);
    ++line_no;
    if (line.empty() || line == "\r") continue;
    Status st = AddRow(line);
    if (!st.ok()) return st.WithContext("line " + std::to_string(line_no));
  }
  return Status::Ok();
}

void ParquetWriter::Impl::WriteFooter() {
  std::string meta;
  ThriftCompactWriter w(meta);
  w.I32(1, 1);  // version
  w.BeginList(2, ThriftType::kStruct, cols.size() + 1);
  w.BeginStructElement();  // root
  w.Binary(4, "schema");
  w.I32(5, static_cast<int32_t>(cols.size()));
  w.End();
  for (const ColumnState& c : cols) {
    w.BeginStructElement();
    w.I32(1, c.physical);
    w.I32(3, kOptional);
    w.Binary(4, c.column.name);
    switch (c.column.type) {
      case ColumnType::kString:
        w.I32(6, kUtf8);
        w.BeginStruct(10);  // LogicalType
        w.BeginStruct(1);   // STRING
        w.End();
        w.End();
        break;
      case ColumnType::kJson:
        w.I32(6, kJsonConverted);
        w.BeginStruct(10);
        w.BeginStruct(12);  // JSON
        w.End();
        w.End();
        break;
      case ColumnType::kTimestamp:
        // No converted type: TIMESTAMP_MICROS would mean isAdjustedToUTC=true.
        w.BeginStruct(10);
        w.BeginStruct(8);  // TIMESTAMP
        w.Bool(1, false);  // isAdjustedToUTC
        w.BeginStruct(2);  // unit
        w.BeginStruct(2);  // MICROS
        w.End();
        w.End();
        w.End();
        w.End();
        break;
      case ColumnType::kBigint:
      case ColumnType::kDouble:
      case ColumnType::kBoolean:
        break;
    }
    w.End();
  }
  w.I64(3, rows);
  w.BeginList(4, ThriftType::kStruct, row_groups.size());
  for (size_t g = 0; g < row_groups.size(); ++g) {
    const RowGroupMeta& rg = row_groups[g];
    w.BeginStructElement();
    w.BeginList(1, ThriftType::kStruct, rg.chunks.size());
    int64_t total_uncompressed = 0;
    int64_t total_compressed = 0;
    for (size_t i = 0; i < rg.chunks.size(); ++i) {
      const ChunkMeta& ch = rg.chunks[i];
      const ColumnState& c = cols[i];
      total_uncompressed += ch.uncompressed;
      total_compressed += ch.compressed;
      w.BeginStructElement();  // ColumnChunk
      w.I64(2, ch.offset);
      w.BeginStruct(3);  // ColumnMetaData
      w.I32(1, c.physical);
      w.BeginList(2, ThriftType::kI32, 2);
      w.I32Element(kPlain);
      w.I32Element(kRle);
      w.BeginList(3, ThriftType::kBinary, 1);
      w.BinaryElement(c.column.name);
      w.I32(4, CodecOf(options.compression));
      w.I64(5, ch.values);
      w.I64(6, ch.uncompressed);
      w.I64(7, ch.compressed);
      w.I64(9, ch.offset);
      w.BeginStruct(12);  // Statistics
      const ChunkStats& st = ch.stats;
      w.I64(3, st.nulls);
      if (st.any && st.minmax_ok) {
        std::string min, max;
        switch (c.column.type) {
          case ColumnType::kBigint:
          case ColumnType::kTimestamp:
            min = Le64(static_cast<uint64_t>(st.min_i));
            max = Le64(static_cast<uint64_t>(st.max_i));
            break;
          case ColumnType::kDouble:
            min = LeDouble(st.min_d);
            max = LeDouble(st.max_d);
            break;
          case ColumnType::kBoolean:
            min.assign(1, st.min_b ? 1 : 0);
            max.assign(1, st.max_b ? 1 : 0);
            break;
          case ColumnType::kString:
          case ColumnType::kJson:
            min = st.min_s;
            max = st.max_s;
            break;
        }
        w.Binary(5, max);
        w.Binary(6, min);
      }
      w.End();  // Statistics
      w.End();  // ColumnMetaData
      w.End();  // ColumnChunk
    }
    w.I64(2, total_uncompressed);
    w.I64(3, rg.rows);
    w.I64(5, rg.offset);
    w.I64(6, total_compressed);
    if (g <= 32767) w.I16(7, static_cast<int16_t>(g));  // ordinal
    w.End();
  }
  w.Binary(6, kCreatedBy);
  w.BeginList(7, ThriftType::kStruct, cols.size());
  for (size_t i = 0; i < cols.size(); ++i) {
    w.BeginStructElement();  // ColumnOrder
    w.BeginStruct(1);        // TYPE_ORDER
    w.End();
    w.End();
  }
  w.End();
  out.append(meta);
  PutLe32(static_cast<uint32_t>(meta.size()), out);
  out.append("PAR1");
}

Result<std::string> ParquetWriter::Finish() {
  Impl& m = *impl_;
  if (m.finished) return Status::FailedPrecondition("parquet: writer already finished");
  TRIB_RETURN_IF_ERROR(m.schema_status);
  if (m.cols.empty()) return Status::InvalidArgument("parquet: a file needs at least one column");
  TRIB_RETURN_IF_ERROR(m.FlushRowGroup());
  m.WriteFooter();
  m.finished = true;
  return std::move(m.out);
}

Result<int64_t> WriteParquetFile(LakeFs& fs, const std::string& path,
                                 const std::vector<catalog::Column>& columns,
                                 std::string_view json_lines, const ParquetWriterOptions& options,
                                 bool sync) {
  ParquetWriter writer(columns, options);
  TRIB_RETURN_IF_ERROR(writer.AddJsonLines(json_lines));
  TRIB_ASSIGN_OR_RETURN(std::string bytes, writer.Finish());
  TRIB_RETURN_IF_ERROR(fs.WriteFile(path, bytes, sync));
  return static_cast<int64_t>(bytes.size());
}

}  // namespace tributary::delivery
