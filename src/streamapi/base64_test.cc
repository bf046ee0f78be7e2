#include "streamapi/base64.h"

#include <gtest/gtest.h>

#include <string>

#include "core/encoding.h"
#include "testing/test_util.h"

namespace tributary::streamapi {
namespace {

TEST(Base64Test, RoundTripsEveryLengthAgainstCoreEncoder) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    bytes.push_back(static_cast<char>(n * 37 + 11));
    std::string encoded;
    AppendBase64Encoded(bytes, &encoded);
    EXPECT_EQ(encoded, Base64Encode(bytes));
    std::string decoded = "prefix";
    ASSERT_TRUE(AppendBase64Decoded(encoded, &decoded)) << encoded;
    EXPECT_EQ(decoded, "prefix" + bytes);
  }
}

TEST(Base64Test, RejectsMalformedText) {
  std::string out;
  for (const char* bad : {"abc", "ab=c", "a===", "@@@@", "QQ=a", "QR==", "QUI=x", "QUJ="}) {
    out.clear();
    EXPECT_FALSE(AppendBase64Decoded(bad, &out)) << bad;
  }
  out.clear();
  EXPECT_TRUE(AppendBase64Decoded("", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(AppendBase64Decoded("QUI=", &out));
  EXPECT_EQ(out, "AB");
}

}  // namespace
}  // namespace tributary::streamapi
