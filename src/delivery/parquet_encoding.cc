#include "delivery/parquet_encoding.h"

namespace tributary::delivery::parquet {

void AppendUleb128(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void ThriftCompactWriter::FieldHeader(int16_t id, ThriftType type) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_.push_back(static_cast<char>(type));
    AppendUleb128(ZigZag(id), out_);
  }
  last_id_ = id;
}

void ThriftCompactWriter::I8(int16_t id, int8_t v) {
  FieldHeader(id, ThriftType::kByte);
  out_.push_back(static_cast<char>(v));
}

void ThriftCompactWriter::I16(int16_t id, int16_t v) {
  FieldHeader(id, ThriftType::kI16);
  AppendUleb128(ZigZag(v), out_);
}

void ThriftCompactWriter::I32(int16_t id, int32_t v) {
  FieldHeader(id, ThriftType::kI32);
  AppendUleb128(ZigZag(v), out_);
}

void ThriftCompactWriter::I64(int16_t id, int64_t v) {
  FieldHeader(id, ThriftType::kI64);
  AppendUleb128(ZigZag(v), out_);
}

void ThriftCompactWriter::Bool(int16_t id, bool v) {
  // A bool field's value is its type nibble.
  FieldHeader(id, v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}

void ThriftCompactWriter::Binary(int16_t id, std::string_view v) {
  FieldHeader(id, ThriftType::kBinary);
  AppendUleb128(v.size(), out_);
  out_.append(v);
}

void ThriftCompactWriter::BeginStruct(int16_t id) {
  FieldHeader(id, ThriftType::kStruct);
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void ThriftCompactWriter::BeginList(int16_t id, ThriftType element, size_t size) {
  FieldHeader(id, ThriftType::kList);
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<size_t>(element)));
  } else {
    out_.push_back(static_cast<char>(0xF0 | static_cast<int>(element)));
    AppendUleb128(size, out_);
  }
}

void ThriftCompactWriter::I32Element(int32_t v) { AppendUleb128(ZigZag(v), out_); }

void ThriftCompactWriter::BinaryElement(std::string_view v) {
  AppendUleb128(v.size(), out_);
  out_.append(v);
}

void ThriftCompactWriter::BeginStructElement() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void ThriftCompactWriter::End() {
  out_.push_back(0);  // stop
  if (!stack_.empty()) {
    last_id_ = stack_.back();
    stack_.pop_back();
  }
}

namespace {

// Bytes of one value in an RLE run.
size_t RleValueBytes(int bit_width) { return static_cast<size_t>((bit_width + 7) / 8); }

size_t RunLength(const uint8_t* values, size_t n, size_t i) {
  size_t j = i + 1;
  while (j < n && values[j] == values[i]) ++j;
  return j - i;
}

}  // namespace

void EncodeRleHybrid(const uint8_t* values, size_t n, int bit_width, std::string& out) {
  size_t i = 0;
  while (i < n) {
    const size_t run = RunLength(values, n, i);
    if (run >= 8) {
      AppendUleb128(static_cast<uint64_t>(run) << 1, out);
      const uint8_t v = values[i];
      for (size_t b = 0; b < RleValueBytes(bit_width); ++b) {
        out.push_back(static_cast<char>(b == 0 ? v : 0));
      }
      i += run;
      continue;
    }
    // Bit-packed groups of 8 values until a run of 8 or more starts at a group boundary (at
    // most 63 groups per header, so the header stays one byte).
    size_t groups = 0;
    size_t end = i;
    while (end < n && groups < 63) {
      if (groups > 0 && RunLength(values, n, end) >= 8) break;
      end += 8;
      ++groups;
    }
    AppendUleb128((static_cast<uint64_t>(groups) << 1) | 1, out);
    // Values are packed LSB first; each group of 8 takes bit_width bytes. Values past n are 0.
    uint32_t acc = 0;
    int bits = 0;
    for (size_t k = i; k < i + groups * 8; ++k) {
      const uint32_t v = k < n ? values[k] : 0;
      acc |= v << bits;
      bits += bit_width;
      while (bits >= 8) {
        out.push_back(static_cast<char>(acc & 0xFF));
        acc >>= 8;
        bits -= 8;
      }
    }
    i = end < n ? end : n;
  }
}

}  // namespace tributary::delivery::parquet
