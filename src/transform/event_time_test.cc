#include "transform/event_time.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "testing/test_util.h"

namespace tributary::transform {
namespace {

TEST(EventTimeTest, MatchesCoreFormatter) {
  auto rng = ::tributary::testing::SeededRng();
  std::uniform_int_distribution<int64_t> dist(0, 253402300799999);
  for (int i = 0; i < 20000; ++i) {
    int64_t ms = dist(rng);
    ASSERT_EQ(FormatTimestampString(ms), FormatUtcMillis(ms)) << ms;
  }
  for (int64_t ms : {int64_t{0}, int64_t{951782400000}, int64_t{4107542400000}, int64_t{-1}}) {
    EXPECT_EQ(FormatTimestampString(ms), FormatUtcMillis(ms)) << ms;
  }
}

TEST(EventTimeTest, PartitionAndFileNameForms) {
  UtcTime t = ToUtc(1714554000123 + 61000);  // 2024-05-01 09:01:01.123
  HourPartition p = ToHourPartition(t);
  EXPECT_STREQ(p.year, "2024");
  EXPECT_STREQ(p.month, "05");
  EXPECT_STREQ(p.day, "01");
  EXPECT_STREQ(p.hour, "09");
  char buf[32];
  EXPECT_EQ(std::string(buf, FormatFileNameTime(t, buf)), "2024-05-01-09-01-01");
}

}  // namespace
}  // namespace tributary::transform
