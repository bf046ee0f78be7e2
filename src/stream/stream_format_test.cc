#include "stream/stream_format.h"

#include <gtest/gtest.h>

#include <string>

#include "core/encoding.h"
#include "stream/stream.h"
#include "testing/test_util.h"

namespace tributary::stream {
namespace {

using ::tributary::testing::StatusIs;

uint128 Dec(std::string_view s) { return *ParseUint128(s); }

TEST(HashKeyRangesTest, TwoShardsSplitAtTwoToThe127) {
  const std::vector<uint128> starts = format::StartingHashKeys(2);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0], 0u);
  EXPECT_EQ(starts[1], uint128{1} << 127);
}

TEST(HashKeyRangesTest, ThreeShardsMatchKinesis) {
  const std::vector<uint128> starts = format::StartingHashKeys(3);
  EXPECT_EQ(Uint128ToDecimal(starts[1]), "113427455640312821154458202477256070485");
  EXPECT_EQ(Uint128ToDecimal(starts[2]), "226854911280625642308916404954512140970");
}

TEST(HashKeyRangesTest, RangesAreContiguousForEveryCount) {
  for (uint32_t n : {1u, 2u, 5u, 7u, 64u, 1000u, 1024u}) {
    const std::vector<uint128> starts = format::StartingHashKeys(n);
    ASSERT_EQ(starts.size(), n);
    EXPECT_EQ(starts[0], 0u);
    for (uint32_t i = 1; i < n; ++i) {
      ASSERT_LT(starts[i - 1], starts[i]) << n << " shards, shard " << i;
      EXPECT_EQ(format::ShardForHashKey(starts, starts[i]), i);
      EXPECT_EQ(format::ShardForHashKey(starts, starts[i] - 1), i - 1);
    }
    EXPECT_EQ(format::ShardForHashKey(starts, ~uint128{0}), n - 1);
  }
}

TEST(HashKeyRangesTest, RoutesByMd5) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661, MD5("b") = 92eb5ffee6ae2fec3ad71c777531578f.
  EXPECT_EQ(HashKeyOf("a"), Dec("16955237001963240173058271559858726497"));
  EXPECT_EQ(HashKeyOf("b"), Dec("195289424170611159128911017612795795343"));
  const std::vector<uint128> two = format::StartingHashKeys(2);
  EXPECT_EQ(format::ShardForHashKey(two, HashKeyOf("a")), 0u);
  EXPECT_EQ(format::ShardForHashKey(two, HashKeyOf("b")), 1u);
  const std::vector<uint128> four = format::StartingHashKeys(4);
  EXPECT_EQ(format::ShardForHashKey(four, HashKeyOf("a")), 0u);  // 0x0c.. < 0x40..
  EXPECT_EQ(format::ShardForHashKey(four, HashKeyOf("b")), 2u);  // 0x80.. <= 0x92.. < 0xc0..
}

TEST(SequenceNumberTest, FixedWidthLayoutRoundTrips) {
  const format::SequenceParts parts{1700000000123, 42, 7, (uint64_t{3} << 40) + 5};
  const std::string seq = format::FormatSequenceNumber(parts);
  ASSERT_EQ(seq.size(), 56u);
  EXPECT_EQ(seq.substr(0, 2), "49");
  EXPECT_EQ(seq,
            "49"
            "00000001700000000123"
            "0000000042"
            "0007"
            "00000003298534883333");
  auto parsed = format::ParseSequenceNumber(seq);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->stream_creation_ms, parts.stream_creation_ms);
  EXPECT_EQ(parsed->stream_id, parts.stream_id);
  EXPECT_EQ(parsed->shard, parts.shard);
  EXPECT_EQ(parsed->counter, parts.counter);
}

TEST(SequenceNumberTest, StringOrderIsNumericOrderWithinAShard) {
  const std::string prefix = format::SequencePrefix(1700000000000, 1, 3);
  const std::string a = format::FormatSequenceNumber(prefix, 9);
  const std::string b = format::FormatSequenceNumber(prefix, 10);
  const std::string c = format::FormatSequenceNumber(prefix, ~uint64_t{0});
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(CompareSequenceNumbers(a, b), -1);
  EXPECT_EQ(CompareSequenceNumbers(c, b), 1);
  EXPECT_EQ(CompareSequenceNumbers(a, a), 0);
}

TEST(SequenceNumberTest, RejectsMalformed) {
  const std::string good = format::FormatSequenceNumber({1, 2, 3, 4});
  EXPECT_THAT(format::ParseSequenceNumber(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(format::ParseSequenceNumber("123"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(format::ParseSequenceNumber("5" + good.substr(1)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(format::ParseSequenceNumber(good.substr(0, 55) + "x"),
              StatusIs(StatusCode::kInvalidArgument));
  // Counter field above 2^64-1.
  EXPECT_THAT(format::ParseSequenceNumber(good.substr(0, 36) + "99999999999999999999"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(format::ParseSequenceNumber(good));
}

TEST(CompareSequenceNumbersTest, ComparesAsUnsignedBigIntegers) {
  EXPECT_EQ(CompareSequenceNumbers("9", "10"), -1);
  EXPECT_EQ(CompareSequenceNumbers("10", "9"), 1);
  EXPECT_EQ(CompareSequenceNumbers("007", "7"), 0);
  EXPECT_EQ(CompareSequenceNumbers("0", ""), 0);
  EXPECT_EQ(CompareSequenceNumbers("000", "1"), -1);
  EXPECT_EQ(CompareSequenceNumbers("49590338271490256608559692538361571095921575989136588898",
                                   "49590338271490256608559692540925702759324208523137515618"),
            -1);
  EXPECT_EQ(CompareSequenceNumbers("100000000000000000000000000000000000000000",
                                   "99999999999999999999999999999999999999999"),
            1);
}

TEST(ShardIdTest, FormatsAndParses) {
  EXPECT_EQ(format::ShardIdOf(0), "shardId-000000000000");
  EXPECT_EQ(format::ShardIdOf(1023), "shardId-000000001023");
  EXPECT_EQ(format::ParseShardId("shardId-000000000017"), 17u);
  EXPECT_EQ(format::ParseShardId("shardId-17"), std::nullopt);
  EXPECT_EQ(format::ParseShardId("shardid-000000000017"), std::nullopt);
  EXPECT_EQ(format::ParseShardId("shardId-00000000001x"), std::nullopt);
}

TEST(StreamNameTest, FollowsKinesisRule) {
  EXPECT_TRUE(format::IsValidStreamName("orders"));
  EXPECT_TRUE(format::IsValidStreamName("a.b-c_D9"));
  EXPECT_TRUE(format::IsValidStreamName(std::string(128, 'x')));
  EXPECT_FALSE(format::IsValidStreamName(""));
  EXPECT_FALSE(format::IsValidStreamName(std::string(129, 'x')));
  EXPECT_FALSE(format::IsValidStreamName("a b"));
  EXPECT_FALSE(format::IsValidStreamName("a/b"));
}

TEST(RecordValueTest, HeaderRoundTripsAndShortValuesAreDataLoss) {
  std::string value(format::kRecordHeaderSize, '\0');
  format::EncodeRecordHeader(value.data(), 1700000000123, 3);
  value += "keypayload";
  auto view = format::DecodeRecordValue(value);
  ASSERT_OK(view);
  EXPECT_EQ(view->arrival_ms, 1700000000123);
  EXPECT_EQ(view->partition_key, "key");
  EXPECT_EQ(view->data, "payload");
  EXPECT_THAT(format::DecodeRecordValue(value.substr(0, 11)), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(format::DecodeRecordValue("abc"), StatusIs(StatusCode::kDataLoss));
}

TEST(Utf8Test, CountsCharactersNotBytes) {
  EXPECT_EQ(format::Utf8CharCount("abc"), 3u);
  EXPECT_EQ(format::Utf8CharCount("\xc3\xa9t\xc3\xa9"), 3u);  // "été"
  EXPECT_EQ(format::Utf8CharCount("\xf0\x9f\x98\x80"), 1u);   // one emoji
}

}  // namespace
}  // namespace tributary::stream
