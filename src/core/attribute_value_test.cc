#include "core/attribute_value.h"

#include "testing/test_util.h"

namespace tributary {
namespace {

using ::tributary::testing::StatusIs;

std::string Norm(std::string_view s) {
  auto r = NormalizeNumber(s);
  return r.ok() ? *r : "ERR:" + r.status().message();
}

TEST(NumberTest, NormalizesToPlainDecimal) {
  EXPECT_EQ(Norm("007"), "7");
  EXPECT_EQ(Norm("1.50"), "1.5");
  EXPECT_EQ(Norm("1e2"), "100");
  EXPECT_EQ(Norm("-0"), "0");
  EXPECT_EQ(Norm("0.000"), "0");
  EXPECT_EQ(Norm("+12.340e-3"), "0.01234");
  EXPECT_EQ(Norm("-123.456"), "-123.456");
  EXPECT_EQ(Norm(".5"), "0.5");
  EXPECT_EQ(Norm("5."), "5");
  EXPECT_EQ(Norm("1E-130"), "0." + std::string(129, '0') + "1");
  // dynalite's example: 0009.99..90000e125 -> 38 nines then 88 zeros.
  std::string big = "0009." + std::string(37, '9') + "0000e125";
  EXPECT_EQ(Norm(big), std::string(38, '9') + std::string(88, '0'));
}

TEST(NumberTest, RejectsOutOfRangeAndTooPrecise) {
  EXPECT_THAT(NormalizeNumber("1E+126"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(Norm("1E+126"),
            "ERR:Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(Norm("1E-131"),
            "ERR:Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(Norm(std::string(39, '1')),
            "ERR:Attempting to store more than 38 significant digits in a Number");
  // Trailing zeros are not significant.
  EXPECT_EQ(Norm(std::string(38, '1') + "000"), std::string(38, '1') + "000");
  EXPECT_EQ(Norm("-9.9999999999999999999999999999999999999E+125").substr(0, 4), "-999");
}

TEST(NumberTest, RejectsGarbage) {
  for (const char* bad : {"", "abc", "1e", "--1", "1.2.3", " 1", "1 ", "0x10", "NaN", "Infinity", "."}) {
    EXPECT_EQ(Norm(bad), "ERR:A value provided cannot be converted into a number") << bad;
  }
}

TEST(NumberTest, ComparesNumerically) {
  EXPECT_LT(CompareNumbers("2", "10"), 0);
  EXPECT_GT(CompareNumbers("10", "9.99"), 0);
  EXPECT_LT(CompareNumbers("-10", "-9"), 0);
  EXPECT_LT(CompareNumbers("-1", "0"), 0);
  EXPECT_LT(CompareNumbers("0", "0.001"), 0);
  EXPECT_EQ(CompareNumbers("1.5", "1.5"), 0);
  EXPECT_LT(CompareNumbers("1.5", "1.55"), 0);
  EXPECT_GT(CompareNumbers("-0.5", "-0.55"), 0);
  int64_t v;
  EXPECT_TRUE(NumberToInt64("-42", &v));
  EXPECT_EQ(v, -42);
  EXPECT_FALSE(NumberToInt64("1.5", &v));
  EXPECT_FALSE(NumberToInt64("99999999999999999999999", &v));
}

TEST(AttributeValueTest, SetsAreSortedAndUnique) {
  auto ns = AttributeValue::NS({"10", "2", "1.50"});
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->set(), (std::vector<std::string>{"1.5", "2", "10"}));
  EXPECT_THAT(AttributeValue::NS({"1", "1.0"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::SS({"a", "a"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::SS({}), StatusIs(StatusCode::kInvalidArgument));
  auto a = AttributeValue::SS({"b", "a"});
  auto b = AttributeValue::SS({"a", "b"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(AttributeValueTest, JsonRoundTripAllTenTypes) {
  const std::string json =
      R"({"b":{"B":"AAEC"},"bool":{"BOOL":false},"bs":{"BS":["AQ==","Ag=="]},)"
      R"("l":{"L":[{"S":"x"},{"N":"1"}]},"m":{"M":{"inner":{"NULL":true}}},"n":{"N":"-1.5"},)"
      R"("ns":{"NS":["1","2"]},"nul":{"NULL":true},"s":{"S":"h\u00e9\"llo"},"ss":{"SS":["a","b"]}})";
  auto item = ItemFromJson(json);
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->size(), 10u);
  EXPECT_EQ(item->at("b").text(), std::string("\x00\x01\x02", 3));
  EXPECT_EQ(item->at("s").text(), "h\xc3\xa9\"llo");
  auto again = ItemFromJson(ItemToJson(*item));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *item);
  EXPECT_EQ(ItemToJson(*again), ItemToJson(*item));
}

TEST(AttributeValueTest, JsonErrors) {
  EXPECT_THAT(AttributeValue::FromJson("{}"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::FromJson(R"({"S":"a","N":"1"})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::FromJson(R"({"NULL":false})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::FromJson(R"({"N":"1e400"})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::FromJson(R"({"X":"1"})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::FromJson(R"({"B":"!!"})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AttributeValue::FromJson("not json"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AttributeValueTest, SizeBytes) {
  AttributeMap item;
  item["id"] = AttributeValue::S("abc");
  item["ok"] = AttributeValue::Bool(true);
  EXPECT_EQ(ItemSizeBytes(item), 2u + 3u + 2u + 1u);
  EXPECT_EQ(AttributeValue::N(12345).SizeBytes(), 4u);
}

}  // namespace
}  // namespace tributary
