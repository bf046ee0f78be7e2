#include "delivery/parquet_encoding.h"

#include <gtest/gtest.h>

#include <vector>

namespace tributary::delivery::parquet {
namespace {

std::vector<int> Bytes(const std::string& s) {
  std::vector<int> out;
  for (char c : s) out.push_back(static_cast<unsigned char>(c));
  return out;
}

TEST(ParquetEncodingTest, Uleb128AndZigZag) {
  std::string out;
  AppendUleb128(0, out);
  AppendUleb128(127, out);
  AppendUleb128(128, out);
  AppendUleb128(300, out);
  EXPECT_EQ(Bytes(out), (std::vector<int>{0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02}));
  EXPECT_EQ(ZigZag(0), 0u);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
  EXPECT_EQ(ZigZag(-2), 3u);
  EXPECT_EQ(ZigZag(INT64_MIN), UINT64_MAX);
}

TEST(ParquetEncodingTest, CompactStructWithShortAndLongFieldDeltas) {
  std::string out;
  ThriftCompactWriter w(out);
  w.I32(1, 3);         // delta 1, i32: 0x15, zigzag(3)=6
  w.Bool(2, true);     // delta 1, true: 0x11
  w.Bool(3, false);    // 0x12
  w.I64(20, -1);       // delta 17 > 15: long form 0x06, zigzag(20)=40, then zigzag(-1)=1
  w.Binary(21, "ab");  // 0x18, len 2, 'a' 'b'
  w.BeginStruct(22);   // 0x1C
  w.I16(1, 5);         // 0x14, 10
  w.End();             // 0x00
  w.I8(23, 7);         // last id restored to 22: delta 1 -> 0x13, 7
  w.End();             // 0x00
  EXPECT_EQ(Bytes(out), (std::vector<int>{0x15, 0x06, 0x11, 0x12, 0x06, 40, 0x01, 0x18, 0x02, 'a',
                                          'b', 0x1C, 0x14, 10, 0x00, 0x13, 7, 0x00}));
}

TEST(ParquetEncodingTest, CompactLists) {
  std::string out;
  ThriftCompactWriter w(out);
  w.BeginList(1, ThriftType::kI32, 2);  // 0x19, (2<<4)|5
  w.I32Element(0);
  w.I32Element(3);
  w.BeginList(2, ThriftType::kBinary, 16);  // 0x19, 0xF8, 16
  for (int i = 0; i < 16; ++i) w.BinaryElement("");
  w.BeginList(3, ThriftType::kStruct, 1);  // 0x19, 0x1C
  w.BeginStructElement();
  w.I32(4, 1);  // delta 4 inside the element: 0x45, 2
  w.End();
  w.I32(4, 1);  // back in the outer struct after field 3: delta 1
  w.End();
  std::vector<int> want = {0x19, 0x25, 0x00, 0x06, 0x19, 0xF8, 16};
  for (int i = 0; i < 16; ++i) want.push_back(0);
  for (int b : {0x19, 0x1C, 0x45, 2, 0x00, 0x15, 2, 0x00}) want.push_back(b);
  EXPECT_EQ(Bytes(out), want);
}

TEST(ParquetEncodingTest, RleHybridLongRunIsOneRleRun) {
  std::vector<uint8_t> ones(1000, 1);
  std::string out;
  EncodeRleHybrid(ones.data(), ones.size(), 1, out);
  // header = 1000 << 1 = 2000 as ULEB128 (0xD0 0x0F), value byte 1.
  EXPECT_EQ(Bytes(out), (std::vector<int>{0xD0, 0x0F, 0x01}));
}

TEST(ParquetEncodingTest, RleHybridShortRunsAreBitPackedLsbFirst) {
  // 1,0,1,1,0,0,0,1 | 1,1 (padded with zeros to a group of 8)
  std::vector<uint8_t> v = {1, 0, 1, 1, 0, 0, 0, 1, 1, 1};
  std::string out;
  EncodeRleHybrid(v.data(), v.size(), 1, out);
  // header (2 groups << 1) | 1 = 5; bytes 0b10001101 = 0x8D, 0b00000011 = 0x03.
  EXPECT_EQ(Bytes(out), (std::vector<int>{0x05, 0x8D, 0x03}));
}

TEST(ParquetEncodingTest, RleHybridMixesPackedGroupsAndRuns) {
  std::vector<uint8_t> v = {0, 1, 0, 1, 0, 1, 0, 1};
  v.insert(v.end(), 20, 1);
  std::string out;
  EncodeRleHybrid(v.data(), v.size(), 1, out);
  // one packed group (0b10101010), then an RLE run of 20 ones.
  EXPECT_EQ(Bytes(out), (std::vector<int>{0x03, 0xAA, 40, 0x01}));
}

}  // namespace
}  // namespace tributary::delivery::parquet
