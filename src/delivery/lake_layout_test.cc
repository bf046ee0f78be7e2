#include "delivery/lake_layout.h"

#include <gtest/gtest.h>

#include <set>

#include "catalog/partition_spec.h"
#include "testing/test_util.h"

namespace tributary::delivery {
namespace {

using ::tributary::testing::StatusIs;

std::string Sanitized(std::string_view v) {
  auto r = SanitizePartitionValue(v);
  EXPECT_OK(r);
  return r.ok() ? *r : "";
}

TEST(SanitizePartitionValueTest, PlainValuesPassThrough) {
  EXPECT_EQ(Sanitized("2024"), "2024");
  EXPECT_EQ(Sanitized("customer-42"), "customer-42");
  EXPECT_EQ(Sanitized("a.b"), "a.b");
  EXPECT_EQ(Sanitized("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 kept
}

TEST(SanitizePartitionValueTest, PathSyntaxIsEncoded) {
  EXPECT_EQ(Sanitized("a/b"), "a%2Fb");
  EXPECT_EQ(Sanitized("a\\b"), "a%5Cb");
  EXPECT_EQ(Sanitized("k=v"), "k%3Dv");
  EXPECT_EQ(Sanitized("x%y"), "x%25y");
  EXPECT_EQ(Sanitized(std::string("a\nb\x01", 4)), "a%0Ab%01");
  EXPECT_EQ(Sanitized(".."), "%2E.");
  EXPECT_EQ(Sanitized("../../etc"), "%2E.%2F..%2Fetc");
  EXPECT_EQ(Sanitized(".hidden"), "%2Ehidden");
  EXPECT_EQ(Sanitized("_tmp"), "%5Ftmp");
  EXPECT_EQ(Sanitized("a_b"), "a_b");  // only a leading '_' matters
}

TEST(SanitizePartitionValueTest, NeverProducesAPathEscape) {
  auto rng = ::tributary::testing::SeededRng();
  const std::string alphabet = std::string("./\\=_%:a\n\0", 10);
  for (int i = 0; i < 5000; ++i) {
    std::string v;
    size_t len = 1 + rng() % 8;
    for (size_t j = 0; j < len; ++j) v.push_back(alphabet[rng() % alphabet.size()]);
    auto r = SanitizePartitionValue(v);
    ASSERT_OK(r);
    const std::string& s = *r;
    ASSERT_EQ(s.find('/'), std::string::npos) << s;
    ASSERT_EQ(s.find('\\'), std::string::npos) << s;
    ASSERT_EQ(s.find('='), std::string::npos) << s;
    ASSERT_NE(s.front(), '.') << s;
    ASSERT_NE(s.front(), '_') << s;
    for (char c : s) ASSERT_GE(static_cast<unsigned char>(c), 0x20) << s;
    // And it round-trips through the catalog's partition-spec parser.
    auto parsed = catalog::ParsePartitionSpec("k=" + s);
    ASSERT_OK(parsed);
    ASSERT_EQ((*parsed)[0].second, v);
  }
}

TEST(SanitizePartitionValueTest, RejectsEmptyOverlongAndInvalidUtf8) {
  EXPECT_THAT(SanitizePartitionValue(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SanitizePartitionValue(std::string(201, 'a')), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(SanitizePartitionValue(std::string(200, 'a')));
  EXPECT_THAT(SanitizePartitionValue(std::string(100, '/')),  // 300 bytes once encoded
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SanitizePartitionValue("\xff\xfe"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(LakeLayoutTest, FileNamesFollowFirehose) {
  std::string id = NewFileId();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(NewFileId(), id);
  std::string name = DataFileName("sales-delivery", 1714554061123, id);
  EXPECT_EQ(name, "sales-delivery-1-2024-05-01-09-01-01-" + id + ".json");
  EXPECT_EQ(TempPathFor("t/year=2024/" + name), "t/year=2024/_" + name);
  EXPECT_EQ(TempPathFor("x.json"), "_x.json");
  EXPECT_TRUE(IsOwnTempFileName("_" + name, "sales-delivery"));
  EXPECT_FALSE(IsOwnTempFileName(name, "sales-delivery"));
  EXPECT_FALSE(IsOwnTempFileName("_" + name, "sales"));
  EXPECT_EQ(FinalNameOfTemp("_" + name), name);
  // "orders" must not claim the files of "orders-1".
  std::string other = "_" + DataFileName("orders-1", 1714554061123, id);
  EXPECT_TRUE(IsOwnTempFileName(other, "orders-1"));
  EXPECT_FALSE(IsOwnTempFileName(other, "orders"));
  EXPECT_FALSE(IsOwnTempFileName("_orders-1-2024-05-01-09-01-01-x.txt", "orders"));
}

TEST(LakeLayoutTest, ErrorFolders) {
  EXPECT_EQ(ErrorDirFor("errors/", 1714554061123), "errors/processing-failed/2024/05/01/09");
  EXPECT_EQ(ErrorLocation("errors/"), "errors/processing-failed");
}

TEST(LakeLayoutTest, Validators) {
  EXPECT_OK(ValidateDeliveryName("sales-delivery.v2_x"));
  EXPECT_THAT(ValidateDeliveryName("_x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateDeliveryName("a/b"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateDeliveryName(std::string(65, 'a')), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(ValidatePartitionKey("year"));
  EXPECT_THAT(ValidatePartitionKey("Year"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidatePartitionKey("a=b"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(ValidateLakeRelativeDir("a/b-c.d", "location"));
  for (std::string_view bad : {"", "/abs", "a//b", "a/../b", "..", "a/.x", "_tmp", "a b", "a\\b"}) {
    EXPECT_THAT(ValidateLakeRelativeDir(bad, "location"), StatusIs(StatusCode::kInvalidArgument))
        << bad;
  }
}

}  // namespace
}  // namespace tributary::delivery
