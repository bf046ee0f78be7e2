#include "delivery/compression.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

std::string SampleText(size_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s;
  while (s.size() < bytes) {
    s += "{\"id\":\"order-" + std::to_string(rng() % 100000) +
         "\",\"price\":" + std::to_string(rng() % 1000) + ".5,\"note\":\"caf\xC3\xA9\"}\n";
  }
  return s;
}

TEST(CompressionTest, NamesRoundTrip) {
  for (Compression c :
       {Compression::kNone, Compression::kGzip, Compression::kZstd, Compression::kSnappy}) {
    Result<Compression> parsed = ParseCompression(CompressionName(c));
    ASSERT_OK(parsed.status());
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_THAT(ParseCompression("lz4"), testing::StatusIs(StatusCode::kInvalidArgument));
}

TEST(CompressionTest, GzipRoundTripsAndAppends) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{100000}, size_t{3} << 20}) {
    const std::string text = SampleText(size, size);
    std::string packed = "prefix";
    ASSERT_OK(CompressGzip(text, kDefaultGzipLevel, packed));
    ASSERT_EQ(packed.substr(0, 6), "prefix");
    std::string_view body = std::string_view(packed).substr(6);
    ASSERT_GE(body.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(body[0]), 0x1F);  // gzip magic
    EXPECT_EQ(static_cast<unsigned char>(body[1]), 0x8B);
    if (size > 1000) {
      EXPECT_LT(body.size(), text.size() / 2);
    }
    std::string back;
    ASSERT_OK(DecompressGzip(body, back));
    EXPECT_EQ(back, text);
  }
}

TEST(CompressionTest, GzipReadsConcatenatedMembersAndRejectsGarbage) {
  std::string packed;
  ASSERT_OK(CompressGzip("a\n", 1, packed));
  ASSERT_OK(CompressGzip("b\n", 9, packed));
  std::string back;
  ASSERT_OK(DecompressGzip(packed, back));
  EXPECT_EQ(back, "a\nb\n");
  back.clear();
  EXPECT_THAT(DecompressGzip(packed.substr(0, packed.size() / 2 - 4), back),
              testing::StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecompressGzip("not gzip at all", back), testing::StatusIs(StatusCode::kDataLoss));
}

TEST(CompressionTest, ZstdRoundTrips) {
  for (size_t size : {size_t{0}, size_t{7}, size_t{200000}}) {
    const std::string text = SampleText(size, size + 1);
    std::string packed;
    ASSERT_OK(CompressZstd(text, kDefaultZstdLevel, packed));
    ASSERT_GE(packed.size(), 4u);
    EXPECT_EQ(packed.substr(0, 4), std::string("\x28\xB5\x2F\xFD", 4));  // zstd frame magic
    std::string back;
    ASSERT_OK(DecompressZstd(packed, back));
    EXPECT_EQ(back, text);
  }
  std::string back;
  EXPECT_THAT(DecompressZstd("garbage!", back), testing::StatusIs(StatusCode::kDataLoss));
}

TEST(CompressionTest, SnappyRoundTrips) {
  const std::string text = SampleText(50000, 3);
  std::string packed;
  CompressSnappy(text, packed);
  EXPECT_LT(packed.size(), text.size());
  std::string back;
  ASSERT_OK(DecompressSnappy(packed, back));
  EXPECT_EQ(back, text);
  EXPECT_THAT(DecompressSnappy("\xff\xff\xff\xff\xff", back),
              testing::StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace tributary::delivery
