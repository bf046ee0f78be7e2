#include "delivery/prefix_layout.h"

#include <gtest/gtest.h>

#include "delivery/error_record.h"
#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

constexpr int64_t kT = 1714554425123;  // 2024-05-01 09:07:05.123 UTC

PrefixLayout Layout(std::string_view text) {
  auto t = transform::PrefixTemplate::Parse(text, transform::PrefixRole::kPrefix);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  auto l = PrefixLayout::Create(*t);
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  return std::move(l).value();
}

std::string LayoutError(std::string_view text) {
  auto t = transform::PrefixTemplate::Parse(text, transform::PrefixRole::kPrefix);
  if (!t.ok()) return t.status().message();
  auto l = PrefixLayout::Create(*t);
  return l.ok() ? "<ok>" : l.status().message();
}

transform::PartitionKeys Keys(std::initializer_list<std::pair<std::string, std::string>> kv) {
  transform::PartitionKeys k;
  for (const auto& [key, value] : kv) k.Set(key, value);
  return k;
}

// The folder a record lands in, or "error <code>: <message>".
std::string FolderFor(const PrefixLayout& layout, const transform::PartitionKeys& keys) {
  std::vector<std::string> values;
  PartitionFailure failure;
  if (!layout.Render(keys, kT, "rnd", values, failure)) {
    return "error " + std::string(failure.code) + ": " + failure.message;
  }
  std::string dir;
  catalog::PartitionValues pv;
  Status s = layout.FolderOf(values, dir, pv);
  return s.ok() ? dir : "folder error: " + s.message();
}

TEST(PrefixLayoutTest, HiveLevelsNameKeysOtherLevelsArePartitionN) {
  PrefixLayout l = Layout("lake/sales/customer=!{partitionKeyFromQuery:customer}/"
                          "!{timestamp:yyyy/MM}/dt=!{timestamp:dd}/");
  EXPECT_EQ(l.location(), "lake/sales");
  EXPECT_EQ(l.partition_keys(),
            (std::vector<std::string>{"customer", "partition_1", "partition_2", "dt"}));
  EXPECT_FALSE(l.time_only());
  EXPECT_EQ(FolderFor(l, Keys({{"customer", "acme"}})), "lake/sales/customer=acme/2024/05/dt=01");

  PrefixLayout firehose = Layout("sales/!{timestamp:yyyy/MM/dd/HH}/");
  EXPECT_EQ(firehose.partition_keys(),
            (std::vector<std::string>{"partition_0", "partition_1", "partition_2", "partition_3"}));
  EXPECT_TRUE(firehose.time_only());
  EXPECT_EQ(firehose.timestamp_granularity_ms(), 3600000);
  EXPECT_EQ(FolderFor(firehose, {}), "sales/2024/05/01/09");

  std::vector<std::string> values;
  PartitionFailure failure;
  ASSERT_TRUE(l.Render(Keys({{"customer", "a=b:c"}}), kT, "", values, failure));
  std::string dir;
  catalog::PartitionValues pv;
  ASSERT_OK(l.FolderOf(values, dir, pv));
  EXPECT_EQ(dir, "lake/sales/customer=a%3Db%3Ac/2024/05/dt=01");  // escaped the Hive way
  ASSERT_EQ(pv.size(), 4u);
  EXPECT_EQ(pv[0], (std::pair<std::string, std::string>{"customer", "a=b:c"}));  // raw value
  EXPECT_EQ(pv[1], (std::pair<std::string, std::string>{"partition_1", "2024"}));
}

TEST(PrefixLayoutTest, RandomStringIsTheCallers) {
  PrefixLayout l = Layout("t/!{firehose:random-string}/");
  EXPECT_FALSE(l.time_only());
  EXPECT_EQ(FolderFor(l, {}), "t/rnd");
}

TEST(PrefixLayoutTest, MissingKeyIsMetadataExtractionFailed) {
  PrefixLayout l = Layout("t/c=!{partitionKeyFromLambda:customer}/");
  EXPECT_EQ(FolderFor(l, Keys({{"other", "x"}})),
            "error DynamicPartitioning.MetadataExtractionFailed: "
            "!{partitionKeyFromLambda:customer}: the record has no partition key 'customer'");
}

TEST(PrefixLayoutTest, PathTraversalViaPartitionKeysIsRefused) {
  PrefixLayout l = Layout("t/c=!{partitionKeyFromQuery:c}/!{partitionKeyFromLambda:d}/");
  const std::string code = "error " + std::string(kInvalidPartitionValueCode) + ": ";
  auto folder = [&](std::string c, std::string d) {
    return FolderFor(l, Keys({{"c", std::move(c)}, {"d", std::move(d)}}));
  };
  EXPECT_EQ(folder("..", "x"), code + "!{partitionKeyFromQuery:c}: the value '..' would name a relative folder");
  EXPECT_EQ(folder("x", ".."), code + "!{partitionKeyFromLambda:d}: the value '..' would name a relative folder");
  EXPECT_EQ(folder("x", "."), code + "!{partitionKeyFromLambda:d}: the value '.' would name a relative folder");
  EXPECT_EQ(folder("../../etc", "x"),
            code + "!{partitionKeyFromQuery:c}: the value contains '/' (a partition value is one folder level)");
  EXPECT_EQ(folder("x", "/etc/passwd"),
            code + "!{partitionKeyFromLambda:d}: the value contains '/' (a partition value is one folder level)");
  EXPECT_EQ(folder("x", "..\\..\\w"),
            code + "!{partitionKeyFromLambda:d}: the value contains '\\' (a partition value is one folder level)");
  EXPECT_EQ(folder("", "x"), code + "!{partitionKeyFromQuery:c}: the value is empty");
  EXPECT_EQ(folder("a\nb", "x"), code + "!{partitionKeyFromQuery:c}: the value contains a control character");
  EXPECT_EQ(folder(std::string("a\0b", 3), "x"),
            code + "!{partitionKeyFromQuery:c}: the value contains a control character");
  EXPECT_EQ(folder("x", "\xff\xfe"), code + "!{partitionKeyFromLambda:d}: the value is not valid UTF-8");
  EXPECT_EQ(folder(std::string(129, 'a'), "x"),
            code + "!{partitionKeyFromQuery:c}: the value is 129 bytes long (at most 128)");
  // Usable but dangerous-looking values stay inside one escaped folder level.
  EXPECT_EQ(folder("..x", "_tmp"), "t/c=%2E.x/%5Ftmp");
  EXPECT_EQ(folder(".hidden", "a..b"), "t/c=%2Ehidden/a..b");
  EXPECT_EQ(folder("%2F", "x"), "t/c=%252F/x");
  EXPECT_EQ(folder(std::string(128, 'a'), "x"), "t/c=" + std::string(128, 'a') + "/x");
  // A multi-byte value near the limit escapes past the folder-name bound: refused, not truncated.
  EXPECT_EQ(folder(std::string(100, '%'), "x"),
            "folder error: partition key 'c': partition value is longer than 200 bytes once "
            "escaped");
}

TEST(PrefixLayoutTest, CreateErrors) {
  EXPECT_EQ(LayoutError("!{timestamp:yyyy}/"),
            "prefix '!{timestamp:yyyy}/': must start with a folder without expressions (the "
            "table's location, e.g. 'sales/')");
  EXPECT_EQ(LayoutError("t/!{timestamp:yyyy}"),
            "prefix 't/!{timestamp:yyyy}': must end with '/' (the object name follows the last "
            "folder)");
  EXPECT_EQ(LayoutError("t/Year=!{timestamp:yyyy}/"),
            "prefix 't/Year=!{timestamp:yyyy}/': folder 'Year=!{...}': invalid partition key "
            "'Year': use 1 to 50 of [a-z0-9_], not starting with '_'");
  EXPECT_EQ(LayoutError("t/y=!{timestamp:yyyy}/y=!{timestamp:MM}/"),
            "prefix 't/y=!{timestamp:yyyy}/y=!{timestamp:MM}/': partition key 'y' appears twice");
  EXPECT_EQ(LayoutError("t/!{timestamp:yyyy}/../"),
            "prefix 't/!{timestamp:yyyy}/../': folder '..' would name a relative folder");
  EXPECT_EQ(LayoutError("t/!{timestamp:yyyy}/k=/"),
            "prefix 't/!{timestamp:yyyy}/k=/': folder 'k=' has no value");
  EXPECT_EQ(Layout("a/b/").partition_keys().size(), 0u);
}

}  // namespace
}  // namespace tributary::delivery
