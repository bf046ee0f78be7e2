// Byte formats and pure helpers: key codec order, item codec, number arithmetic, sequence
// numbers, table metadata, key validation messages.
#include <algorithm>
#include <set>

#include "core/attribute_value.h"
#include "table/item_codec.h"
#include "table/key_codec.h"
#include "table/key_schema.h"
#include "table/number_math.h"
#include "table/table_metadata.h"
#include "table/table_stream.h"
#include "testing/test_util.h"

namespace tributary::table {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::IsOk;
using ::tributary::testing::StatusIs;

AttributeValue Num(std::string_view s) { return AttributeValue::N(s).value(); }

std::string EncNum(std::string_view s) {
  std::string out;
  AppendOrderedNumber(&out, Num(s).text());
  return out;
}

TEST(KeyCodecTest, NumbersSortNumerically) {
  std::vector<std::string> sorted = {"-1e125", "-100", "-10.5", "-10", "-9.99", "-1", "-0.5", "-1e-130",
                                     "0",      "1e-130", "0.001", "0.5",  "1",     "1.01", "9", "10",
                                     "10.5",   "11",     "100",   "1e125"};
  for (size_t i = 0; i + 1 < sorted.size(); ++i) {
    EXPECT_LT(EncNum(sorted[i]), EncNum(sorted[i + 1])) << sorted[i] << " vs " << sorted[i + 1];
  }
  EXPECT_EQ(EncNum("1.50"), EncNum("1.5"));
}

TEST(KeyCodecTest, RandomNumbersMatchCompareNumbers) {
  auto rng = ::tributary::testing::SeededRng();
  std::vector<std::string> numbers;
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    if (rng() % 2) s += "-";
    int digits = 1 + rng() % 20;
    for (int d = 0; d < digits; ++d) s.push_back(static_cast<char>('0' + rng() % 10));
    s += "e" + std::to_string(static_cast<int>(rng() % 60) - 30);
    numbers.push_back(Num(s).text());
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    const std::string& a = numbers[i];
    const std::string& b = numbers[i + 1];
    int want = CompareNumbers(a, b);
    int got = EncNum(a).compare(EncNum(b));
    EXPECT_EQ(want < 0, got < 0) << a << " vs " << b;
    EXPECT_EQ(want == 0, got == 0) << a << " vs " << b;
  }
}

TEST(KeyCodecTest, BytesAreOrderedAndSelfDelimiting) {
  auto enc = [](std::string_view s) {
    std::string out;
    AppendOrderedBytes(&out, s);
    return out;
  };
  std::vector<std::string> sorted = {std::string("a"), std::string("a\0", 2), std::string("a\0\0", 3),
                                     std::string("a\0b", 3), "a\x01", "ab", "b", "\xFF"};
  for (size_t i = 0; i + 1 < sorted.size(); ++i) EXPECT_LT(enc(sorted[i]), enc(sorted[i + 1])) << i;
  // A hash key followed by a range key: "a"+"zz" sorts before "ab"+"a".
  EXPECT_LT(enc("a") + enc("zz"), enc("ab") + enc("a"));
  std::string prefix;
  AppendOrderedBytesPrefix(&prefix, std::string("a\0", 2));
  EXPECT_TRUE(enc(std::string("a\0xyz", 5)).starts_with(prefix));
  EXPECT_FALSE(enc("ab").starts_with(prefix));
}

TEST(KeyCodecTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xFF\xFF")), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xFF")), "");
}

Item SampleItem() {
  Item item;
  item["s"] = AttributeValue::S("text");
  item["empty"] = AttributeValue::S("");
  item["n"] = Num("-12.50");
  item["b"] = AttributeValue::B(std::string("\0\x01\xFF", 3));
  item["t"] = AttributeValue::Bool(true);
  item["f"] = AttributeValue::Bool(false);
  item["null"] = AttributeValue::Null();
  item["ss"] = AttributeValue::SS({"y", "x"}).value();
  item["ns"] = AttributeValue::NS({"10", "2", "-3.5"}).value();
  item["bs"] = AttributeValue::BS({"\x01", "\x02"}).value();
  AttributeMap inner;
  inner["deep"] = AttributeValue::L({AttributeValue::N(1), AttributeValue::S("two"), AttributeValue::M({})});
  item["m"] = AttributeValue::M(inner);
  item["l"] = AttributeValue::L({});
  return item;
}

TEST(ItemCodecTest, RoundTripsEveryType) {
  Item item = SampleItem();
  std::string bytes = EncodeItem(item);
  auto decoded = DecodeItem(bytes);
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, item);
  auto size = EncodedItemSizeBytes(bytes);
  ASSERT_OK(size);
  EXPECT_EQ(*size, ItemSizeBytes(item));
}

TEST(ItemCodecTest, EqualItemsEncodeEqually) {
  Item a = SampleItem();
  Item b;
  for (auto it = a.rbegin(); it != a.rend(); ++it) b.emplace(it->first, it->second);
  b["ns"] = AttributeValue::NS({"-3.50", "2.0", "1e1"}).value();
  EXPECT_EQ(EncodeItem(a), EncodeItem(b));
  b["t"] = AttributeValue::Bool(false);
  EXPECT_NE(EncodeItem(a), EncodeItem(b));
}

TEST(ItemCodecTest, CorruptInputIsDataLoss) {
  std::string bytes = EncodeItem(SampleItem());
  EXPECT_THAT(DecodeItem(""), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecodeItem(bytes.substr(0, bytes.size() - 3)), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecodeItem(bytes + "x"), StatusIs(StatusCode::kDataLoss));
  std::string bad = bytes;
  bad[0] = '\x07';
  EXPECT_THAT(DecodeItem(bad), StatusIs(StatusCode::kDataLoss));
}

TEST(NumberMathTest, AddAndSubtract) {
  EXPECT_EQ(AddNumbers("1", "2").value(), "3");
  EXPECT_EQ(AddNumbers("0.1", "0.2").value(), "0.3");
  EXPECT_EQ(AddNumbers("-5", "3").value(), "-2");
  EXPECT_EQ(AddNumbers("5", "-5").value(), "0");
  EXPECT_EQ(AddNumbers("999", "1").value(), "1000");
  EXPECT_EQ(AddNumbers("-0.001", "-0.009").value(), "-0.01");
  EXPECT_EQ(SubtractNumbers("1", "1.5").value(), "-0.5");
  EXPECT_EQ(SubtractNumbers("-2", "-2").value(), "0");
  EXPECT_EQ(SubtractNumbers("100000000000000000000000000000", "0.5").value(),
            "99999999999999999999999999999.5");
  std::string big = "9" + std::string(37, '9') + std::string(88, '0');  // 38 nines, E+125
  EXPECT_THAT(AddNumbers(big, big), StatusIs(StatusCode::kInvalidArgument));
  auto too_precise = AddNumbers("1" + std::string(40, '0'), "1");
  EXPECT_THAT(too_precise, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(too_precise.status().message(), HasSubstr("38 significant digits"));
}

TEST(SequenceNumberTest, FixedWidthAndRoundTrip) {
  EXPECT_EQ(FormatSequenceNumber(1), "100000000000000000001");
  EXPECT_EQ(FormatSequenceNumber(UINT64_MAX).size(), 21u);
  EXPECT_LT(FormatSequenceNumber(9), FormatSequenceNumber(10));
  EXPECT_EQ(ParseSequenceNumber(FormatSequenceNumber(123456789)).value(), 123456789u);
  EXPECT_THAT(ParseSequenceNumber("12"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSequenceNumber("2000000000000000000001"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSequenceNumber("10000000000000000000x"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TableMetadataTest, ShardIdsAreDistinctAndWellFormed) {
  std::set<std::string> ids;
  for (int i = 0; i < 256; ++i) {
    std::string id = MakeShardId(1700000000000, 7, i);
    EXPECT_GE(id.size(), 28u);
    EXPECT_LE(id.size(), 65u);
    EXPECT_TRUE(id.starts_with("shardId-00000001700000000000-")) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 256u);
}

TEST(TableMetadataTest, MetaRoundTrip) {
  TableMeta meta;
  meta.table_id = 42;
  meta.creation_time_ms = 1700000000123;
  meta.spec = {"orders", {"pk", AttributeType::kS}, KeyAttribute{"sk", AttributeType::kN},
               StreamViewType::kNewImage, 2, {}, BillingMode::kPayPerRequest, {}, {}};
  meta.shard_ids = {MakeShardId(1, 42, 0), MakeShardId(1, 42, 1)};
  auto decoded = DecodeTableMeta(EncodeTableMeta(meta));
  ASSERT_OK(decoded);
  EXPECT_EQ(decoded->table_id, 42u);
  EXPECT_EQ(decoded->creation_time_ms, meta.creation_time_ms);
  EXPECT_EQ(decoded->spec, meta.spec);
  EXPECT_EQ(decoded->shard_ids, meta.shard_ids);
}

TEST(TableMetadataTest, ValidatesNames) {
  TableSpec spec{"ab", {"pk", AttributeType::kS}, std::nullopt, std::nullopt, 1, {}, BillingMode::kPayPerRequest, {}, {}};
  EXPECT_EQ(ValidateTableSpec(spec).message(),
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member "
            "must have length greater than or equal to 3");
  spec.name = "bad name";
  EXPECT_THAT(ValidateTableSpec(spec).message(), HasSubstr("regular expression pattern: [a-zA-Z0-9_.-]+"));
  spec.name = std::string(256, 'a');
  EXPECT_THAT(ValidateTableSpec(spec).message(), HasSubstr("less than or equal to 255"));
  spec.name = "Good.name_1-2";
  EXPECT_OK(ValidateTableSpec(spec));
  spec.range_key = KeyAttribute{"pk", AttributeType::kN};
  EXPECT_THAT(ValidateTableSpec(spec), StatusIs(StatusCode::kInvalidArgument));
  spec.range_key = KeyAttribute{"sk", AttributeType::kBool};
  EXPECT_THAT(ValidateTableSpec(spec).message(), HasSubstr("[B, N, S]"));
  spec.range_key.reset();
  spec.stream_shard_count = 0;
  EXPECT_THAT(ValidateTableSpec(spec), StatusIs(StatusCode::kInvalidArgument));
}

TEST(KeySchemaTest, ItemKeyMessages) {
  TableSpec spec{"t1x", {"pk", AttributeType::kS}, KeyAttribute{"sk", AttributeType::kN}, std::nullopt, 1, {}, BillingMode::kPayPerRequest, {}, {}};
  Item item{{"pk", AttributeValue::S("a")}};
  EXPECT_EQ(ValidateItemKey(spec, item).message(),
            "One or more parameter values were invalid: Missing the key sk in the item");
  item["sk"] = AttributeValue::S("1");
  EXPECT_EQ(ValidateItemKey(spec, item).message(),
            "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S");
  item["sk"] = AttributeValue::N(1);
  item["pk"] = AttributeValue::S("");
  EXPECT_EQ(ValidateItemKey(spec, item).message(),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
            "contain an empty string value. Key: pk");
  item["pk"] = AttributeValue::S(std::string(2049, 'x'));
  EXPECT_EQ(ValidateItemKey(spec, item).message(),
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
            "of2048 bytes");
  item["pk"] = AttributeValue::S(std::string(2048, 'x'));
  EXPECT_OK(ValidateItemKey(spec, item));

  TableSpec bspec{"t2x", {"pk", AttributeType::kS}, KeyAttribute{"sk", AttributeType::kB}, std::nullopt, 1, {}, BillingMode::kPayPerRequest, {}, {}};
  Item bitem{{"pk", AttributeValue::S("a")}, {"sk", AttributeValue::B("")}};
  EXPECT_THAT(ValidateItemKey(bspec, bitem).message(), HasSubstr("empty binary value. Key: sk"));
  bitem["sk"] = AttributeValue::B(std::string(1025, 'x'));
  EXPECT_EQ(ValidateItemKey(bspec, bitem).message(),
            "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the "
            "size limit of 1024 bytes");
}

TEST(KeySchemaTest, KeyParameterMessages) {
  TableSpec spec{"t1x", {"pk", AttributeType::kS}, KeyAttribute{"sk", AttributeType::kN}, std::nullopt, 1, {}, BillingMode::kPayPerRequest, {}, {}};
  const std::string mismatch = "The provided key element does not match the schema";
  EXPECT_EQ(ValidateKey(spec, {{"pk", AttributeValue::S("a")}}).message(), mismatch);
  EXPECT_EQ(ValidateKey(spec, {{"pk", AttributeValue::S("a")}, {"sk", AttributeValue::S("1")}}).message(),
            mismatch);
  EXPECT_EQ(ValidateKey(spec, {{"pk", AttributeValue::S("a")},
                               {"sk", AttributeValue::N(1)},
                               {"x", AttributeValue::N(1)}})
                .message(),
            mismatch);
  EXPECT_OK(ValidateKey(spec, {{"pk", AttributeValue::S("a")}, {"sk", AttributeValue::N(1)}}));
}

}  // namespace
}  // namespace tributary::table
