#include "core/encoding.h"

#include "core/clock.h"
#include "testing/test_util.h"

namespace tributary {
namespace {

TEST(EncodingTest, Base64) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", std::string("\0\xff\x10", 3)}) {
    auto d = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, s);
  }
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Z=g=").ok());
  EXPECT_FALSE(Base64Decode("Zm9v\n").ok());
}

TEST(EncodingTest, Md5HashKey) {
  EXPECT_EQ(HexEncode(std::string(reinterpret_cast<const char*>(Md5("a").data()), 16)),
            "0cc175b9c0f1b6a831c399e269772661");
  uint128 expected = (static_cast<uint128>(0x0cc175b9c0f1b6a8ULL) << 64) | 0x31c399e269772661ULL;
  EXPECT_TRUE(HashKeyOf("a") == expected);
}

TEST(EncodingTest, Uint128Decimal) {
  uint128 max = ~static_cast<uint128>(0);
  EXPECT_EQ(Uint128ToDecimal(max), "340282366920938463463374607431768211455");
  auto p = ParseUint128("340282366920938463463374607431768211455");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(*p == max);
  EXPECT_FALSE(ParseUint128("340282366920938463463374607431768211456").ok());
  EXPECT_FALSE(ParseUint128("12a").ok());
  EXPECT_EQ(Uint128ToDecimal(0), "0");
}

TEST(EncodingTest, BigEndianSortsLikeIntegers) {
  std::string a, b;
  AppendBigEndian64(a, 255);
  AppendBigEndian64(b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(ReadBigEndian64(b.data()), 256u);
  std::string c;
  AppendBigEndian32(c, 0xdeadbeef);
  EXPECT_EQ(ReadBigEndian32(c.data()), 0xdeadbeefu);
}

TEST(ClockTest, Formats) {
  EXPECT_EQ(FormatUtcMillis(1714557600123), "2024-05-01 10:00:00.123");
  EXPECT_EQ(FormatIsoMillis(1431379293291), "2015-05-11T21:21:33.291");
  ManualClock clock(1000);
  clock.AdvanceMillis(5);
  EXPECT_EQ(clock.NowMillis(), 1005);
}

}  // namespace
}  // namespace tributary
