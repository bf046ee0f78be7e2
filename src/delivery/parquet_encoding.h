// The byte-level encodings a Parquet file is made of, write side only (parquet_writer.h uses
// them; the format is https://github.com/apache/parquet-format, the Thrift IDL parquet.thrift):
//
//   - ThriftCompactWriter: Thrift's compact protocol, enough of it for Parquet's FileMetaData and
//     PageHeader: structs, i8/i16/i32/i64, bool, binary and lists, with the field-id deltas.
//   - EncodeRleHybrid: the RLE/bit-packed hybrid Parquet uses for definition levels (runs of 8 or
//     more equal values as RLE runs, the rest bit-packed in groups of 8).
//   - AppendUleb128 / ZigZag: the varints both of those use.
//
// Thread-safety: value types / pure functions; a ThriftCompactWriter is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::delivery::parquet {

void AppendUleb128(uint64_t v, std::string& out);
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// Compact-protocol type ids.
enum class ThriftType : uint8_t {
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// Writes one top-level struct to `out` (appending). Fields must be written in increasing id
// order within a struct (the compact protocol's short form needs it; Parquet readers don't care,
// but this writer always does it). Call End() once for every BeginStruct/BeginStructElement and
// once more to close the top-level struct.
class ThriftCompactWriter {
 public:
  explicit ThriftCompactWriter(std::string& out) : out_(out) {}

  void I8(int16_t id, int8_t v);
  void I16(int16_t id, int16_t v);
  void I32(int16_t id, int32_t v);
  void I64(int16_t id, int64_t v);
  void Bool(int16_t id, bool v);
  void Binary(int16_t id, std::string_view v);
  // A struct-typed field; its fields follow, then End().
  void BeginStruct(int16_t id);
  // A list-typed field of `size` elements of `element` type; the elements follow (no End()).
  void BeginList(int16_t id, ThriftType element, size_t size);
  void I32Element(int32_t v);
  void BinaryElement(std::string_view v);
  // A struct element of a list; its fields follow, then End().
  void BeginStructElement();
  // Closes the innermost open struct (the stop byte).
  void End();

 private:
  void FieldHeader(int16_t id, ThriftType type);

  std::string& out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;  // last field ids of the enclosing structs
};

// Appends the RLE/bit-packed hybrid encoding of `values` (each < 2^bit_width, bit_width 1..8),
// without the 4-byte length prefix data pages put before it.
void EncodeRleHybrid(const uint8_t* values, size_t n, int bit_width, std::string& out);

}  // namespace tributary::delivery::parquet
