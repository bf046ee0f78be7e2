#include "transform/prefix_template.h"

#include <gtest/gtest.h>

#include <set>

#include "testing/test_util.h"

namespace tributary::transform {
namespace {

// 2024-05-01 09:07:05.123 UTC, a Wednesday, day 122 of a leap year.
constexpr int64_t kT = 1714554425123;

std::string Fmt(std::string_view pattern, int64_t ms = kT) {
  auto p = TimestampPattern::Parse(pattern);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return "<error>";
  std::string out;
  p->Append(ToUtc(ms), out);
  return out;
}

std::string FmtError(std::string_view pattern, size_t* at = nullptr) {
  auto p = TimestampPattern::Parse(pattern, at);
  return p.ok() ? "<ok>" : p.status().message();
}

TEST(TimestampPatternTest, EveryLetter) {
  EXPECT_EQ(Fmt("G"), "AD");
  EXPECT_EQ(Fmt("GGGG"), "Anno Domini");
  EXPECT_EQ(Fmt("GGGGG"), "A");
  EXPECT_EQ(Fmt("yyyy"), "2024");
  EXPECT_EQ(Fmt("yy"), "24");
  EXPECT_EQ(Fmt("y"), "2024");
  EXPECT_EQ(Fmt("yyyyyy"), "002024");
  EXPECT_EQ(Fmt("uuuu"), "2024");
  EXPECT_EQ(Fmt("Q"), "2");
  EXPECT_EQ(Fmt("QQ"), "02");
  EXPECT_EQ(Fmt("QQQ"), "Q2");
  EXPECT_EQ(Fmt("QQQQ"), "2nd quarter");
  EXPECT_EQ(Fmt("q"), "2");
  EXPECT_EQ(Fmt("M"), "5");
  EXPECT_EQ(Fmt("MM"), "05");
  EXPECT_EQ(Fmt("MMM"), "May");
  EXPECT_EQ(Fmt("MMMM"), "May");
  EXPECT_EQ(Fmt("MMMMM"), "M");
  EXPECT_EQ(Fmt("LLL", 1704067200000), "Jan");     // 2024-01-01
  EXPECT_EQ(Fmt("LLLL", 1725148800000), "September");  // 2024-09-01
  EXPECT_EQ(Fmt("d"), "1");
  EXPECT_EQ(Fmt("dd"), "01");
  EXPECT_EQ(Fmt("D"), "122");
  EXPECT_EQ(Fmt("DDD", 1704067200000), "001");
  EXPECT_EQ(Fmt("E"), "Wed");
  EXPECT_EQ(Fmt("EEE"), "Wed");
  EXPECT_EQ(Fmt("EEEE"), "Wednesday");
  EXPECT_EQ(Fmt("EEEEE"), "W");
  EXPECT_EQ(Fmt("EEEE", 0), "Thursday");  // 1970-01-01
  EXPECT_EQ(Fmt("a"), "AM");
  EXPECT_EQ(Fmt("a", kT + 5 * 3600000), "PM");
  EXPECT_EQ(Fmt("H"), "9");
  EXPECT_EQ(Fmt("HH"), "09");
  EXPECT_EQ(Fmt("kk", 1714521600000), "24");  // midnight
  EXPECT_EQ(Fmt("KK", kT + 5 * 3600000), "02");
  EXPECT_EQ(Fmt("hh", 1714521600000), "12");
  EXPECT_EQ(Fmt("h", kT + 5 * 3600000), "2");
  EXPECT_EQ(Fmt("m"), "7");
  EXPECT_EQ(Fmt("mm"), "07");
  EXPECT_EQ(Fmt("s"), "5");
  EXPECT_EQ(Fmt("ss"), "05");
  EXPECT_EQ(Fmt("S"), "1");
  EXPECT_EQ(Fmt("SSS"), "123");
  EXPECT_EQ(Fmt("SSSSSS"), "123000");
  EXPECT_EQ(Fmt("n"), "123000000");
  EXPECT_EQ(Fmt("A"), std::to_string(((9 * 60 + 7) * 60 + 5) * 1000 + 123));
  EXPECT_EQ(Fmt("X"), "Z");
  EXPECT_EQ(Fmt("x"), "+00");
  EXPECT_EQ(Fmt("xx"), "+0000");
  EXPECT_EQ(Fmt("xxx"), "+00:00");
  EXPECT_EQ(Fmt("Z"), "+0000");
  EXPECT_EQ(Fmt("ZZZZ"), "GMT");
}

TEST(TimestampPatternTest, LiteralsAndQuotes) {
  EXPECT_EQ(Fmt("yyyy-MM-dd'T'HH:mm:ss.SSS"), "2024-05-01T09:07:05.123");
  EXPECT_EQ(Fmt("'year='yyyy"), "year=2024");
  EXPECT_EQ(Fmt("'it''s' yyyy"), "it's 2024");
  EXPECT_EQ(Fmt("''"), "'");
  EXPECT_EQ(Fmt("yyyy/MM/dd/HH/"), "2024/05/01/09/");
}

TEST(TimestampPatternTest, Errors) {
  size_t at = 99;
  EXPECT_EQ(FmtError("yyyy-ww", &at),
            "timestamp pattern 'yyyy-ww': pattern letter 'w' is not supported (supported: G u y "
            "Q q M L d D E a H k K h m s S n A X x Z; quote literal text as 'text')");
  EXPECT_EQ(at, 5u);
  EXPECT_EQ(FmtError("ddd", &at), "timestamp pattern 'ddd': too many pattern letters 'ddd' (at most 2)");
  EXPECT_EQ(at, 0u);
  EXPECT_EQ(FmtError("MMMMMM"), "timestamp pattern 'MMMMMM': too many pattern letters 'MMMMMM' (at most 5)");
  EXPECT_EQ(FmtError("yyyy 'x", &at), "timestamp pattern 'yyyy 'x': unterminated quoted text");
  EXPECT_EQ(at, 5u);
  EXPECT_EQ(FmtError("yyyy[MM]"),
            "timestamp pattern 'yyyy[MM]': '[' is reserved (optional sections are not "
            "supported); quote it as '['");
  EXPECT_EQ(FmtError(""), "timestamp pattern '': is empty");
}

TEST(TimestampPatternTest, Granularity) {
  EXPECT_EQ(TimestampPattern::Parse("yyyy/MM/dd")->granularity_ms(), 86400000);
  EXPECT_EQ(TimestampPattern::Parse("yyyy/MM/dd/HH")->granularity_ms(), 3600000);
  EXPECT_EQ(TimestampPattern::Parse("HH:mm")->granularity_ms(), 60000);
  EXPECT_EQ(TimestampPattern::Parse("ss")->granularity_ms(), 1000);
  EXPECT_EQ(TimestampPattern::Parse("SSS")->granularity_ms(), 1);
  EXPECT_EQ(TimestampPattern::Parse("'x'")->granularity_ms(), 86400000);
}

std::string Render(std::string_view text, PrefixRole role = PrefixRole::kPrefix,
                   std::string_view type = "processing-failed") {
  auto t = PrefixTemplate::Parse(text, role);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (!t.ok()) return "<error>";
  std::string customer = "acme";
  auto r = t->Render({kT, type}, [&](const PrefixPart& p) -> const std::string* {
    return p.text == "customer" ? &customer : nullptr;
  });
  return r.ok() ? *r : r.status().message();
}

std::string ParseError(std::string_view text, PrefixRole role = PrefixRole::kPrefix,
                       size_t* at = nullptr) {
  auto t = PrefixTemplate::Parse(text, role, at);
  return t.ok() ? "<ok>" : t.status().message();
}

TEST(PrefixTemplateTest, RendersEveryNamespace) {
  EXPECT_EQ(Render("sales/customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy/MM/dd}/"),
            "sales/customer=acme/2024/05/01/");
  EXPECT_EQ(Render("sales/!{partitionKeyFromLambda:customer}/h=!{timestamp:HH}/"),
            "sales/acme/h=09/");
  EXPECT_EQ(Render("errors/!{firehose:error-output-type}/!{timestamp:yyyy}/",
                   PrefixRole::kErrorOutputPrefix, "format-conversion-failed"),
            "errors/format-conversion-failed/2024/");
  EXPECT_EQ(Render("sales/!{partitionKeyFromQuery:region}/"), "partition key 'region' is missing");
  std::string a = Render("r/!{firehose:random-string}/");
  std::string b = Render("r/!{firehose:random-string}/");
  ASSERT_EQ(a.size(), 2 + 11 + 1);
  EXPECT_NE(a, b);
  for (char c : a.substr(2, 11)) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
  // '!' alone is literal; several timestamps share one instant.
  EXPECT_EQ(Render("a!b/!{timestamp:yyyy}-!{timestamp:MM}/"), "a!b/2024-05/");
}

TEST(PrefixTemplateTest, SegmentsSplitAtSlashesInsideTimestamps) {
  auto t = PrefixTemplate::Parse("t/!{timestamp:yyyy/MM}/x=!{timestamp:dd'/'HH}/",
                                 PrefixRole::kPrefix);
  ASSERT_OK(t.status());
  ASSERT_EQ(t->segments().size(), 5u);  // t, yyyy, MM, x=dd, HH
  EXPECT_TRUE(t->ends_with_slash());
  EXPECT_TRUE(t->has_timestamp());
  EXPECT_FALSE(t->has_partition_keys());
  EXPECT_EQ(t->timestamp_granularity_ms(), 3600000);
  EXPECT_EQ(Render("t/!{timestamp:yyyy/MM}/x=!{timestamp:dd'/'HH}/"), "t/2024/05/x=01/09/");
  auto no_slash = PrefixTemplate::Parse("t/!{timestamp:yyyy}", PrefixRole::kPrefix);
  ASSERT_OK(no_slash.status());
  EXPECT_FALSE(no_slash->ends_with_slash());
  auto plain = PrefixTemplate::Parse("sales/", PrefixRole::kPrefix);
  ASSERT_OK(plain.status());
  EXPECT_FALSE(plain->has_expressions());
}

TEST(PrefixTemplateTest, Errors) {
  size_t at = 0;
  EXPECT_EQ(ParseError("a/!{time:yyyy}/", PrefixRole::kPrefix, &at),
            "prefix 'a/!{time:yyyy}/': unknown namespace 'time' (expected timestamp, firehose, "
            "partitionKeyFromQuery or partitionKeyFromLambda)");
  EXPECT_EQ(at, 2u);
  EXPECT_EQ(ParseError("a/!{timestamp:yyyy-ww}/", PrefixRole::kPrefix, &at),
            "prefix 'a/!{timestamp:yyyy-ww}/': timestamp pattern 'yyyy-ww': pattern letter 'w' "
            "is not supported (supported: G u y Q q M L d D E a H k K h m s S n A X x Z; quote "
            "literal text as 'text')");
  EXPECT_EQ(at, 19u);
  EXPECT_EQ(ParseError("a/!{firehose:error-output-type}/"),
            "prefix 'a/!{firehose:error-output-type}/': !{firehose:error-output-type} is allowed "
            "only in error_output_prefix");
  EXPECT_EQ(ParseError("e/!{partitionKeyFromQuery:k}/", PrefixRole::kErrorOutputPrefix),
            "error_output_prefix 'e/!{partitionKeyFromQuery:k}/': !{partitionKeyFromQuery:...} "
            "is not allowed in error_output_prefix");
  EXPECT_EQ(ParseError("e/!{partitionKeyFromLambda:k}/", PrefixRole::kErrorOutputPrefix),
            "error_output_prefix 'e/!{partitionKeyFromLambda:k}/': "
            "!{partitionKeyFromLambda:...} is not allowed in error_output_prefix");
  EXPECT_EQ(ParseError("a/!{firehose:uuid}/", PrefixRole::kPrefix, &at),
            "prefix 'a/!{firehose:uuid}/': unknown firehose expression 'uuid' (expected "
            "random-string or error-output-type)");
  EXPECT_EQ(at, 13u);
  EXPECT_EQ(ParseError("a/!{timestamp:yyyy/"),
            "prefix 'a/!{timestamp:yyyy/': expression '!{' is not closed with '}'");
  EXPECT_EQ(ParseError("a/!{yyyy}/"),
            "prefix 'a/!{yyyy}/': expression '!{yyyy}' needs the form !{namespace:value}");
  EXPECT_EQ(ParseError("a/!{partitionKeyFromQuery:}/"),
            "prefix 'a/!{partitionKeyFromQuery:}/': partition key name '' must be 1 to 256 of "
            "[A-Za-z0-9_.-]");
  EXPECT_EQ(ParseError("a/!{partitionKeyFromQuery:a/b}/"),
            "prefix 'a/!{partitionKeyFromQuery:a/b}/': partition key name 'a/b' must be 1 to 256 "
            "of [A-Za-z0-9_.-]");
  EXPECT_EQ(ParseError("/a/"), "prefix '/a/': must not start with '/'");
  EXPECT_EQ(ParseError("a//b/"),
            "prefix 'a//b/': has an empty folder level ('//'); every level needs a name");
  EXPECT_EQ(ParseError("a/\x01/"), "prefix 'a/\x01/': contains a control character");
  EXPECT_EQ(ParseError("a\\b/"), "prefix 'a\\b/': contains '\\' (use '/' between folders)");
  EXPECT_EQ(ParseError(std::string(1025, 'a')).substr(0, 8), "prefix '");
}

}  // namespace
}  // namespace tributary::transform
